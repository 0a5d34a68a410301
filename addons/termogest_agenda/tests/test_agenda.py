# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Calls, appointments, interventions and their access over RPC."""
import datetime
import email
import email.policy
import socket
import time

import pytest
from aiosmtpd.controller import Controller
from proteus import Model, Wizard

import trytond.config as config
from trytond.exceptions import UserError, UserWarning
from trytond.modules.termogest_impianti.regulation import add_months
from trytond.modules.termogest_impianti.tests.tools import new_device
from trytond.modules.termogest_permessi.tests.tools import as_user, get_user
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules, set_user

from .tools import (
    at, create_agenda_setup, customer_with_boiler, employee, new_appointment,
    rome_today)

date = datetime.date
TOMORROW_9 = at(days=1, hour=9)


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return '250 OK'

    def wait(self, count, timeout=10):
        end = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < end:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def sink():
    handler = Sink()
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    controller = Controller(handler, hostname='127.0.0.1', port=port)
    controller.start()
    previous = config.get('email', 'uri')
    config.set('email', 'uri', f'smtp://127.0.0.1:{port}')
    yield handler
    config.set('email', 'uri', previous)
    controller.stop()


@pytest.fixture
def cfg():
    config = activate_modules('termogest_agenda', create_agenda_setup)
    yield config
    drop_db()


def refused(record, *pieces, method='save', exception=UserError):
    with pytest.raises(exception) as info:
        getattr(record, method)()
    for piece in pieces:
        assert piece in info.value.message, info.value.message
    return info.value.message


def two_customers(cfg):
    "Mario's plant visited by luca, Luisa's visited by marco"
    as_user(cfg, 'anna')
    mario, mario_plant, mario_boiler = customer_with_boiler("Mario Rossi")
    luisa, luisa_plant, luisa_boiler = customer_with_boiler("Luisa Verdi")
    luca_appt = new_appointment(
        employee('luca'), mario, at(hour=8), plant=mario_plant,
        devices=[mario_boiler])
    marco_appt = new_appointment(
        employee('marco'), luisa, at(hour=8), plant=luisa_plant,
        devices=[luisa_boiler])
    return {
        'mario': (mario, mario_plant, mario_boiler, luca_appt),
        'luisa': (luisa, luisa_plant, luisa_boiler, marco_appt),
        }


# Calls


def test_call_booked_scheduled_and_back(cfg):
    Call = Model.get('termogest.call')
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    call = Call(party=party, reason="Caldaia in blocco")
    assert call.plant == plant  # the only plant is proposed
    call.device = boiler
    call.save()
    assert call.number.startswith('CH')
    assert call.state == 'new'
    assert call.channel == 'phone'

    appointment = new_appointment(
        employee('luca'), party, TOMORROW_9, plant=plant, devices=[boiler],
        kind='repair', call=call)
    call.reload()
    assert call.state == 'scheduled'
    appointment.click('cancel')
    call.reload()
    assert call.state == 'to_schedule'


def test_book_button_prefills_from_call(cfg):
    Call = Model.get('termogest.call')
    Appointment = Model.get('termogest.appointment')
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    call = Call(party=party, plant=plant, device=boiler,
        reason="Perdita d'acqua", notes="Sotto la caldaia")
    call.save()
    action = call.click('book')
    assert action is not None
    from proteus.config import get_config
    with get_config().set_context(from_model='termogest.call',
            from_id=call.id):
        appointment = Appointment()
    assert appointment.call == call
    assert appointment.party == party
    assert appointment.plant == plant
    assert appointment.address == plant.address
    assert appointment.devices == [boiler]
    assert "Perdita d'acqua" in appointment.description


def test_ticket_from_customer_card(cfg):
    Call = Model.get('termogest.call')
    as_user(cfg, 'anna')
    party, plant, _ = customer_with_boiler()
    from proteus.config import get_config
    with get_config().set_context(from_model='party.party',
            from_id=party.id, call_channel='ticket'):
        call = Call()
    assert call.party == party
    assert call.plant == plant
    assert call.channel == 'ticket'


# Appointments


def test_double_booking_refused(cfg):
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    other, _, _ = customer_with_boiler("Luisa Verdi")
    luca = employee('luca')
    first = new_appointment(luca, party, TOMORROW_9, hours=2, plant=plant)
    overlapping = new_appointment(
        luca, other, TOMORROW_9 + datetime.timedelta(hours=1), save=False)
    refused(overlapping, first.rec_name, "Luca Ferri")
    # back to back is fine, so is another technician at the same time
    overlapping.start = TOMORROW_9 + datetime.timedelta(hours=2)
    overlapping.end = TOMORROW_9 + datetime.timedelta(hours=3)
    overlapping.save()
    new_appointment(employee('marco'), other, TOMORROW_9)
    # a cancelled appointment frees the time
    first.click('cancel')
    new_appointment(luca, other, TOMORROW_9, hours=1)
    # and cannot be planned again over the new one
    first.reload()
    with pytest.raises(UserError):
        first.click('plan')


def test_attention_customer_warns(cfg):
    as_user(cfg, 'anna')
    party, plant, _ = customer_with_boiler()
    set_user(1, cfg)
    Party = Model.get('party.party')
    card = Party(party.id)
    card.attention = True
    card.attention_reason = "Cane libero in giardino"
    card.save()
    as_user(cfg, 'anna')
    appointment = new_appointment(
        employee('luca'), party, TOMORROW_9, plant=plant, save=False)
    assert "Cane libero in giardino" in appointment.party_attention
    with pytest.raises(UserWarning) as info:
        appointment.save()
    assert "Cane libero in giardino" in info.value.message


def test_today_view_has_navigation(cfg):
    Appointment = Model.get('termogest.appointment')
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    start = at(hour=9)
    new_appointment(employee('luca'), party, start, plant=plant)
    new_appointment(employee('marco'), party, start, plant=plant)
    as_user(cfg, 'luca')
    today = Appointment.find([
            ('mine', '=', True), ('today', '=', True)])
    assert len(today) == 1
    appointment, = today
    assert appointment.technician == employee('luca')
    assert appointment.maps_url.startswith(
        'https://www.google.com/maps/search/?api=1&query=Via+Roma+1')
    assert appointment.geo_uri.startswith('geo:0,0?q=Via+Roma+1')
    assert appointment.start_time == datetime.time(9, 0)


# Access


def test_technician_sees_only_own_agenda(cfg):
    Appointment = Model.get('termogest.appointment')
    Intervention = Model.get('termogest.intervention')
    data = two_customers(cfg)
    luca_appt = data['mario'][3]
    marco_appt = data['luisa'][3]
    as_user(cfg, 'anna')
    marco_appt.click('open_intervention')
    luca_appt.click('open_intervention')
    marco_int, = Intervention.find([('appointment', '=', marco_appt.id)])
    luca_int, = Intervention.find([('appointment', '=', luca_appt.id)])

    as_user(cfg, 'luca')
    assert Appointment.find([]) == [Appointment(luca_appt.id)]
    assert Intervention.find([]) == [Intervention(luca_int.id)]
    with pytest.raises(UserError):
        Appointment.read([marco_appt.id], ['party'], cfg.context)
    with pytest.raises(UserError):
        Intervention.read([marco_int.id], ['description'], cfg.context)
    with pytest.raises(UserError):
        Appointment.write(
            [marco_appt.id], {'description': "mio"}, cfg.context)
    with pytest.raises(UserError):
        Intervention.write(
            [marco_int.id], {'description': "mio"}, cfg.context)
    # his own he edits, but he cannot create appointments
    mine = Intervention(luca_int.id)
    mine.description = "Pulizia bruciatore"
    mine.save()
    with pytest.raises(UserError):
        Appointment.create([{
                    'technician': employee('luca').id,
                    'party': data['mario'][0].id,
                    'start': TOMORROW_9 + datetime.timedelta(days=3),
                    'end': TOMORROW_9 + datetime.timedelta(days=3, hours=1),
                    'kind': 'repair',
                    }], cfg.context)

    # the chief technician sees both and completes marco's intervention
    as_user(cfg, 'chiara')
    assert len(Appointment.find([])) == 2
    marco_int = Intervention(marco_int.id)
    marco_int.description = "Sostituita termocoppia"
    marco_int.save()
    marco_int.click('do')
    assert marco_int.state == 'done'

    # agenda read: every appointment, no writing
    as_user(cfg, 'rita')
    assert len(Appointment.find([])) == 2
    with pytest.raises(UserError):
        Appointment.write(
            [luca_appt.id], {'description': "x"}, cfg.context)


def test_technician_reads_own_customers_only(cfg):
    Party = Model.get('party.party')
    Plant = Model.get('termogest.plant')
    Device = Model.get('termogest.device')
    data = two_customers(cfg)
    mario, mario_plant, mario_boiler, _ = data['mario']
    luisa, luisa_plant, luisa_boiler, _ = data['luisa']
    as_user(cfg, 'luca')
    customers = Party.find([('internal', '=', False)])
    assert customers == [Party(mario.id)]
    assert Party(mario.id).name == "Mario Rossi"
    with pytest.raises(UserError):
        Party.read([luisa.id], ['name'], cfg.context)
    assert Plant.find([]) == [Plant(mario_plant.id)]
    assert Device.find([]) == [Device(mario_boiler.id)]
    with pytest.raises(UserError):
        Device.read([luisa_boiler.id], ['brand'], cfg.context)
    # read, not edit
    with pytest.raises(UserError):
        Party.write([mario.id], {'name': "Mario Rossi Bis"}, cfg.context)
    with pytest.raises(UserError):
        Plant.write([mario_plant.id], {'pdr': '12345678901234'},
            cfg.context)
    with pytest.raises(UserError):
        Device.write([mario_boiler.id], {'brand': "Baxi"}, cfg.context)


def test_owner_with_sections_still_sees_everything(cfg):
    "An office account that is also a technician is not narrowed"
    Plant = Model.get('termogest.plant')
    Party = Model.get('party.party')
    two_customers(cfg)
    as_user(cfg, 'paolo')
    assert len(Plant.find([])) == 2
    assert len(Party.find([('internal', '=', False)])) == 2


# Interventions


def test_done_maintenance_moves_due_dates(cfg):
    Intervention = Model.get('termogest.intervention')
    Call = Model.get('termogest.call')
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    second = new_device(plant, brand="Baxi")
    call = Call(party=party, reason="Manutenzione annuale")
    call.save()
    start = at(hour=9)
    appointment = new_appointment(
        employee('luca'), party, start, plant=plant,
        devices=[boiler, second], call=call)

    as_user(cfg, 'luca')
    appointment = Model.get('termogest.appointment')(appointment.id)
    appointment.click('open_intervention')
    intervention, = Intervention.find([])
    assert intervention.party == party
    assert intervention.kind == 'maintenance'
    assert sorted(d.id for d in intervention.devices) == sorted(
        [boiler.id, second.id])
    with pytest.raises(UserError) as info:
        intervention.click('do')
    assert intervention.number in info.value.message
    intervention.description = "Pulizia e analisi fumi"
    intervention.save()
    intervention.click('do')
    assert intervention.state == 'done'

    as_user(cfg, 'anna')
    today = rome_today()
    for device in [boiler, second]:
        device.reload()
        assert device.last_maintenance_date == today
        assert device.next_maintenance_date == add_months(today, 12)
    appointment.reload()
    assert appointment.state == 'done'
    call.reload()
    assert call.state == 'done'

    # the dashboard counts it in this month
    Month = Model.get('termogest.dashboard.intervention_month')
    month, = Month.find([])
    assert month.count == 1
    assert month.month == today.strftime('%m/%Y')


def test_intervention_from_late_appointment(cfg):
    "An appointment ending at midnight gives an intervention of one day"
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    appointment = new_appointment(
        employee('luca'), party, at(days=-1, hour=23), plant=plant,
        devices=[boiler])
    same_day = new_appointment(
        employee('luca'), party, at(days=-2, hour=22), plant=plant,
        devices=[boiler])

    as_user(cfg, 'luca')
    Appointment = Model.get('termogest.appointment')
    Intervention = Model.get('termogest.intervention')
    Appointment(appointment.id).click('open_intervention')
    Appointment(same_day.id).click('open_intervention')
    late, = Intervention.find([('appointment', '=', appointment.id)])
    assert late.start_time == datetime.time(23, 0)
    assert late.end_time is None
    assert late.date == rome_today() - datetime.timedelta(days=1)
    early, = Intervention.find([('appointment', '=', same_day.id)])
    assert early.start_time == datetime.time(22, 0)
    assert early.end_time == datetime.time(23, 0)


def test_efficiency_check_opens_ree(cfg):
    Intervention = Model.get('termogest.intervention')
    Report = Model.get('termogest.efficiency.report')
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    as_user(cfg, 'luca')
    intervention = Intervention(party=party, kind='efficiency_check')
    assert intervention.technician == employee('luca')
    assert intervention.plant == plant
    intervention.devices.append(Model.get('termogest.device')(boiler.id))
    intervention.description = "Controllo di efficienza energetica"
    intervention.save()
    intervention.click('do')
    report, = Report.find([])
    assert report.intervention == intervention
    assert report.device == boiler
    assert report.report_type == '1'
    assert report.state == 'draft'
    assert report.technician == employee('luca')


def signed_intervention(cfg):
    Intervention = Model.get('termogest.intervention')
    Product = Model.get('product.product')
    Template = Model.get('product.template')
    Uom = Model.get('product.uom')
    set_user(1, cfg)
    unit, = Uom.find([('symbol', '=', 'u')])
    template = Template(name="Termocoppia", default_uom=unit)
    template.save()
    product, = template.products
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler("Mario Rossi")
    party.contact_mechanisms.new(type='email', value='mario@example.com')
    party.save()
    as_user(cfg, 'luca')
    intervention = Intervention(party=party, kind='repair')
    intervention.devices.append(Model.get('termogest.device')(boiler.id))
    intervention.description = "Sostituita la termocoppia"
    intervention.start_time = datetime.time(9, 0)
    intervention.end_time = datetime.time(10, 30)
    intervention.travel_time = datetime.timedelta(minutes=20)
    line = intervention.lines.new()
    line.product = Product(product.id)
    line.quantity = 1
    intervention.save()
    assert intervention.lines[0].description == "Termocoppia"
    sign = Wizard('termogest.intervention.sign', [intervention])
    assert sign.form.signer_name == "Mario Rossi"
    assert "GDPR" in sign.form.privacy_notice
    sign.form.signature = PNG
    sign.form.privacy_accepted = True
    sign.execute('sign')
    intervention.reload()
    return intervention


# 1×1 transparent PNG
PNG = bytes.fromhex(
    '89504e470d0a1a0a0000000d4948445200000001000000010806000000'
    '1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44'
    'ae426082')


def test_signature_requires_privacy(cfg):
    Intervention = Model.get('termogest.intervention')
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    as_user(cfg, 'luca')
    intervention = Intervention(party=party, kind='repair')
    intervention.description = "Riparazione"
    intervention.save()
    sign = Wizard('termogest.intervention.sign', [intervention])
    sign.form.signature = PNG
    sign.form.privacy_accepted = False
    with pytest.raises(UserError) as info:
        sign.execute('sign')
    assert 'privacy' in info.value.message.lower()
    intervention.reload()
    assert not intervention.signature_hash


def test_signed_report_locked_and_tamper_detected(cfg):
    intervention = signed_intervention(cfg)
    assert intervention.signed
    assert intervention.signature_valid
    assert len(intervention.signature_hash) == 64
    assert intervention.signer_name == "Mario Rossi"
    assert intervention.privacy_accepted
    # the content is locked
    intervention.description = "Altro testo"
    refused(intervention, intervention.number, "firmato")
    intervention.reload()
    intervention.lines[0].quantity = 3
    with pytest.raises(UserError):
        intervention.save()
    intervention.reload()
    # completing is still possible
    intervention.click('do')
    assert intervention.state == 'done'
    assert intervention.signature_valid

    # change the stored content behind the ORM's back
    from trytond.tests.test_tryton import DB_NAME
    from trytond.transaction import Transaction
    with Transaction().start(DB_NAME, 0) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute(
            'UPDATE "termogest_intervention_line" SET quantity = 2')
        transaction.commit()
    intervention = Model.get('termogest.intervention')(intervention.id)
    assert intervention.signature_valid is False


def test_pdf_and_email_to_sink(cfg, sink):
    from proteus import Report
    intervention = signed_intervention(cfg)
    intervention.click('do')
    report = Report('termogest.intervention')
    ext, content, _, name = report.execute([intervention])
    assert ext == 'pdf'
    assert bytes(content).startswith(b'%PDF')
    intervention.click('send_email')
    messages = sink.wait(1)
    assert len(messages) == 1
    rcpt, message = messages[0]
    assert rcpt == ['mario@example.com']
    assert intervention.number in message['Subject']
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == 'application/pdf'
    assert attachments[0].get_content().startswith(b'%PDF')
    intervention.reload()
    assert intervention.emailed_to == 'mario@example.com'


def test_email_without_address_refused(cfg):
    Intervention = Model.get('termogest.intervention')
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    as_user(cfg, 'luca')
    intervention = Intervention(party=party, kind='repair')
    intervention.description = "Riparazione"
    intervention.save()
    intervention.click('do')
    with pytest.raises(UserError) as info:
        intervention.click('send_email')
    assert "Mario Rossi" in info.value.message
    assert "e-mail" in info.value.message


# Due list, dashboard and customer card


def test_create_calls_from_due_list(cfg):
    Due = Model.get('termogest.maintenance.due')
    Call = Model.get('termogest.call')
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    boiler.last_maintenance_date = rome_today().replace(day=1) - \
        datetime.timedelta(days=330)
    boiler.save()
    set_user(1, cfg)
    as_user(cfg, 'anna')
    from proteus.config import get_config
    today = rome_today()
    with get_config().set_context(
            from_date=today - datetime.timedelta(days=400),
            to_date=today + datetime.timedelta(days=400)):
        dues = Due.find([('plant', '=', plant.id)])
        assert dues
        create = Wizard(
            'termogest.maintenance.due.create_calls', dues)
        assert create.form.plants == 1
        assert create.form.skipped == 0
        create.execute('create_')
    call, = Call.find([])
    assert call.plant == plant
    assert call.state == 'to_schedule'
    assert call.source == 'maintenance_due'
    assert boiler.rec_name in call.notes
    with get_config().set_context(
            from_date=today - datetime.timedelta(days=400),
            to_date=today + datetime.timedelta(days=400)):
        create = Wizard('termogest.maintenance.due.create_calls', dues)
        assert create.form.skipped == 1
        create.execute('create_')
    assert len(Call.find([])) == 1

    # the dashboard puts the due date in its window
    Window = Model.get('termogest.dashboard.maintenance_window')
    boiler.reload()
    expected = {}
    for due_date in [boiler.next_maintenance_date,
            boiler.next_efficiency_check_date]:
        days = (due_date - today).days
        if days > 90:
            continue
        window = '1' if days < 0 else '2' if days <= 30 else '3' \
            if days <= 60 else '4'
        expected[window] = expected.get(window, 0) + 1
    assert expected
    assert {w.window: w.count for w in Window.find([])} == expected


def test_dashboard_and_customer_summary(cfg):
    Call = Model.get('termogest.call')
    Party = Model.get('party.party')
    data = two_customers(cfg)
    mario = data['mario'][0]
    as_user(cfg, 'anna')
    Call(party=mario, reason="Rumore dalla caldaia").save()
    old = Call(party=mario, reason="Richiamare",
        received_at=datetime.datetime.now() - datetime.timedelta(days=40))
    old.save()
    card = Party(mario.id)
    assert len(card.summary_calls) == 2
    # today's, from 8 to 9 in Rome, is next until 9
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    upcoming = 1 if now < at(hour=9) else 0
    assert len(card.summary_appointments) == upcoming
    new_appointment(employee('marco'), mario, TOMORROW_9)
    card = Party(mario.id)
    assert len(card.summary_appointments) == upcoming + 1
    assert len(card.appointments) == 2

    as_user(cfg, 'anna')
    CallAge = Model.get('termogest.dashboard.call_age')
    ages = {a.bucket: a.count for a in CallAge.find([])}
    assert ages == {'1': 1, '4': 1}
    Month = Model.get('termogest.dashboard.intervention_month')
    assert Month.find([]) == []
    assert {a.label for a in CallAge.find([])} == {
        "0–2 giorni", "Oltre 30 giorni"}

    # today's appointments per technician, the user's reminders due
    Today = Model.get('termogest.dashboard.technician_today')
    assert sorted((t.technician.id, t.count) for t in Today.find([])) == \
        sorted([(employee('luca').id, 1), (employee('marco').id, 1)])
    Note = Model.get('termogest.secretary.note')
    past = datetime.datetime.now().replace(
        second=0, microsecond=0) - datetime.timedelta(hours=2)
    Note(text="Richiamare Mario per il preventivo", reminder=past,
        party=mario).save()
    Note(text="Ordinare le guarnizioni",
        reminder=past + datetime.timedelta(days=2)).save()
    Note(text="Già fatto", reminder=past, done=True).save()
    other = Note(text="Per Paolo", reminder=past)
    other.user = Model.get('res.user')(get_user('paolo').id)
    other.save()
    Reminder = Model.get('termogest.dashboard.reminder')
    reminder, = Reminder.find([])
    assert reminder.summary == "Richiamare Mario per il preventivo"
    assert reminder.party == mario


def test_technician_confirms_own_booked_call(cfg):
    "A technician confirming his appointment does not need the calls"
    Call = Model.get('termogest.call')
    Appointment = Model.get('termogest.appointment')
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    call = Call(party=party, reason="Caldaia rumorosa")
    call.save()
    appointment = new_appointment(
        employee('luca'), party, TOMORROW_9, plant=plant, call=call)
    as_user(cfg, 'luca')
    appointment = Appointment(appointment.id)
    appointment.click('confirm')
    assert appointment.state == 'confirmed'
    assert Call.find([]) == [Call(call.id)]  # the call of his appointment
    with pytest.raises(UserError):
        Call.write([call.id], {'reason': "x"}, cfg.context)


def test_trash_merge_and_erase(cfg):
    Party = Model.get('party.party')
    Call = Model.get('termogest.call')
    Intervention = Model.get('termogest.intervention')
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    call = Call(party=party, reason="Richiesta preventivo")
    call.save()
    # trash takes the calls along, restore brings them back
    as_user(cfg, 'paolo')
    Party(party.id).delete()
    as_user(cfg, 'anna')
    assert Call.find([]) == []
    as_user(cfg, 'paolo')
    with cfg.set_context(with_trashed=True):
        trashed, = Party.find([('trashed_at', '!=', None)])
    trashed.click('restore')
    as_user(cfg, 'anna')
    assert Call.find([]) == [Call(call.id)]

    # merging moves calls, appointments and interventions
    duplicate, dup_plant, _ = customer_with_boiler("Mario Rossi")
    new_appointment(employee('luca'), duplicate, TOMORROW_9, plant=dup_plant)
    intervention = Intervention(party=duplicate, kind='repair')
    intervention.technician = employee('marco')
    intervention.description = "Riparazione"
    intervention.save()
    as_user(cfg, 'paolo')
    merge = Wizard('party.replace', [Party(duplicate.id)])
    merge.form.destination = Party(party.id)
    try:
        merge.execute('replace')
    except UserWarning as warning:
        Model.get('res.user.warning').skip(
            warning.name, False, cfg.context)
        merge.execute('replace')
    as_user(cfg, 'anna')
    card = Party(party.id)
    assert len(card.appointments) == 1
    assert len(card.interventions) == 1

    # interventions are kept: the card cannot be erased
    set_user(1, cfg)
    erase = Wizard('party.erase', [Party(party.id)])
    with pytest.raises(UserError) as info:
        erase.execute('erase')
    assert "Mario Rossi" in info.value.message


def test_intervention_from_card_without_appointment(cfg):
    Intervention = Model.get('termogest.intervention')
    as_user(cfg, 'anna')
    party, plant, boiler = customer_with_boiler()
    action = Model.get('party.party')(party.id).click('new_intervention')
    assert action is not None
    with cfg.set_context(from_model='party.party', from_id=party.id):
        intervention = Intervention()
    assert intervention.party == party
    assert intervention.plant == plant
    assert intervention.appointment is None
    # the office chooses the technician
    intervention.technician = employee('marco')
    intervention.description = "Sostituzione vaso di espansione"
    intervention.save()
    assert intervention.number.startswith('RI')
    # the technician cannot complete someone else's work
    as_user(cfg, 'luca')
    assert Intervention.find([]) == []


def test_plant_and_devices_of_another_customer_refused(cfg):
    Call = Model.get('termogest.call')
    Intervention = Model.get('termogest.intervention')
    as_user(cfg, 'anna')
    mario, mario_plant, mario_boiler = customer_with_boiler("Mario Rossi")
    luisa, luisa_plant, luisa_boiler = customer_with_boiler("Luisa Verdi")
    call_id, = Call.create([{
                'party': mario.id, 'reason': "Guasto",
                'company': mario_plant.company.id,
                'received_at': datetime.datetime(2026, 11, 1, 9, 0),
                }], cfg.context)
    with pytest.raises(UserError) as info:
        Call.write([call_id], {'device': luisa_boiler.id}, cfg.context)
    assert luisa_boiler.rec_name in info.value.message
    with pytest.raises(UserError) as info:
        Call.write([call_id], {'plant': luisa_plant.id}, cfg.context)
    assert "Mario Rossi" in info.value.message
    intervention = Intervention(party=mario, kind='repair')
    intervention.technician = employee('luca')
    intervention.devices.append(Model.get('termogest.device')(
            luisa_boiler.id))
    refused(intervention, luisa_boiler.rec_name)
