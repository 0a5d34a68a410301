# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The technicians' app API over HTTP, on a real database."""
import base64
import time
import uuid
from decimal import Decimal

import pytest
from proteus import Model
from werkzeug.test import Client

import trytond.config as config
from trytond.modules.termogest_agenda.tests.tools import (
    at, create_agenda_setup, customer_with_boiler, employee, new_appointment)
from trytond.modules.termogest_fatturapa.tests.servers import smtp_sink
from trytond.modules.termogest_permessi.tests.tools import (
    PASSWORD, PREFIX, as_user)
from trytond.protocols.wrappers import Response
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules, set_user
from trytond.wsgi import app

# 1×1 transparent PNG
PNG = base64.b64encode(bytes.fromhex(
        '89504e470d0a1a0a0000000d4948445200000001000000010806000000'
        '1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44'
        'ae426082')).decode('ascii')


def create_mobile_setup(config):
    "The agenda setup, a spare part and Mario's e-mail"
    Template = Model.get('product.template')
    Uom = Model.get('product.uom')
    create_agenda_setup(config)
    unit, = Uom.find([('symbol', '=', 'u')])
    template = Template(name="Guarnizione", default_uom=unit, type='goods')
    template.save()


@pytest.fixture(scope='module')
def cfg():
    config_ = activate_modules('termogest_mobile', create_mobile_setup)
    yield config_
    drop_db()


@pytest.fixture(scope='module')
def data(cfg):
    "Luca's appointments today, one of Marco's"
    Product = Model.get('product.product')
    as_user(cfg, 'anna')
    mario, mario_plant, mario_boiler = customer_with_boiler("Mario Rossi")
    mario.contact_mechanisms.new(type='email', value='mario@example.com')
    mario.save()
    luisa, luisa_plant, luisa_boiler = customer_with_boiler("Luisa Verdi")
    luca, marco = employee('luca'), employee('marco')
    appointments = {}
    for name, hour, kind in [
            ('check', 7, 'efficiency_check'),
            ('retry', 8, 'maintenance'),
            ('conflict', 9, 'maintenance'),
            ('closed', 10, 'maintenance'),
            ('invalid', 11, 'maintenance'),
            ]:
        appointments[name] = new_appointment(
            luca, mario, at(hour=hour), plant=mario_plant,
            devices=[mario_boiler], kind=kind)
    appointments['luisa'] = new_appointment(
        luca, luisa, at(hour=12), plant=luisa_plant,
        devices=[luisa_boiler])
    appointments['marco'] = new_appointment(
        marco, luisa, at(hour=8), plant=luisa_plant,
        devices=[luisa_boiler])
    set_user(1, cfg)
    product, = Product.find([('name', '=', "Guarnizione")])
    return {
        'appointments': {k: a.id for k, a in appointments.items()},
        'boiler': mario_boiler.id,
        'luisa_boiler': luisa_boiler.id,
        'product': product.id,
        }


@pytest.fixture
def client(cfg):
    return Client(app, Response)


@pytest.fixture
def sink():
    previous = config.get('email', 'uri')
    with smtp_sink() as sink:
        config.set('email', 'uri', f'smtp://{sink.host}:{sink.port}')
        try:
            yield sink
        finally:
            config.set('email', 'uri', previous)


def wait_messages(sink, count, timeout=10):
    "The messages, once count arrived (they leave after the commit)"
    end = time.monotonic() + timeout
    while len(sink.messages) < count and time.monotonic() < end:
        time.sleep(0.05)
    return sink.messages


def url(path):
    return f'/{DB_NAME}/termogest/m/{path}'


def login(client, name='luca', password=PASSWORD):
    return client.post(url('api/login'), json={
            'login': f'{PREFIX}.{name}', 'password': password})


def bearer(client, name='luca'):
    response = login(client, name)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {'Authorization': 'Bearer %s' % response.json['key']}


def get(client, path, headers):
    return client.get(url(path), headers=headers)


def submission(data, name, **values):
    "The body of an intervention for the appointment as the phone sees it"
    appointment_id = data['appointments'][name]
    body = {
        'key': uuid.uuid4().hex,
        'appointment': appointment_id,
        'force': False,
        'start_time': '08:30', 'end_time': '09:40', 'travel_minutes': 25,
        'description': "Pulizia bruciatore e analisi fumi",
        'outcome': 'resolved', 'outcome_notes': "",
        'devices': [data['boiler']],
        'lines': [],
        'measurements': [],
        'photos': [],
        'privacy_accepted': True, 'signer_name': "Mario Rossi",
        'signature': PNG,
        }
    body.update(values)
    return body


def with_version(client, headers, body):
    response = get(client, 'api/appointment/%s' % body['appointment'],
        headers)
    assert response.status_code == 200
    appointment = response.json['appointment']
    body.setdefault('version', appointment['version'])
    body.setdefault('seen', appointment)
    return body


def counts(cfg):
    set_user(1, cfg)
    return (
        len(Model.get('termogest.intervention').find([])),
        len(Model.get('termogest.mobile.submission').find([])))


def test_static_and_ping(client):
    response = client.get(url('api/ping'))
    assert response.status_code == 200
    assert response.json == {'ok': True}
    assert client.get(url('secret.py')).status_code == 404
    assert client.get(url('..%2Ftryton.cfg')).status_code != 200
    response = client.get(url('sw.js'))
    if response.status_code == 200:
        assert response.headers['Service-Worker-Allowed'] == './'
        assert response.headers['Cache-Control'] == 'no-cache'
    else:
        assert response.status_code == 404


def test_login(cfg, data, client):
    response = login(client)
    assert response.status_code == 200
    body = response.json
    assert len(body['key']) >= 32
    assert body['expires_at'].endswith('Z')
    assert body['user']['login'] == f'{PREFIX}.luca'
    assert body['user']['employee']['id'] == employee('luca').id

    response = login(client, password='wrong-password-123')
    assert response.status_code == 401
    assert response.json == {
        'error': "Nome utente o password non corretti.", 'code': 'login'}

    # sara is a secretary without a technician card
    response = login(client, 'sara')
    assert response.status_code == 403
    assert response.json['code'] == 'no_employee'


def test_session_keys(cfg, data, client):
    assert client.get(url('api/agenda')).status_code == 401
    response = get(client, 'api/agenda', {'Authorization': 'Bearer nokey'})
    assert response.status_code == 401
    assert response.json == {
        'error': "Sessione scaduta: accedi di nuovo.", 'code': 'session'}
    headers = bearer(client)
    if not config.has_section('termogest'):
        config.add_section('termogest')
    previous = config.get('termogest', 'mobile_session_hours', default='16')
    config.set('termogest', 'mobile_session_hours', '0')
    try:
        response = get(client, 'api/agenda', headers)
    finally:
        config.set('termogest', 'mobile_session_hours', previous)
    assert response.status_code == 401
    assert get(client, 'api/agenda', headers).status_code == 200
    response = client.post(url('api/logout'), headers=headers)
    assert response.status_code == 200
    assert get(client, 'api/agenda', headers).status_code == 401


def test_agenda_only_own_appointments(cfg, data, client):
    headers = bearer(client)
    response = get(client, 'api/agenda?days=3', headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    agenda = response.json
    ids = [a['id'] for a in agenda['appointments']]
    assert data['appointments']['marco'] not in ids
    assert data['appointments']['check'] in ids
    assert agenda['user']['employee']['id'] == employee('luca').id
    assert agenda['config']['privacy_required'] is True
    assert agenda['config']['co_limit'] == 1000
    assert 'GDPR' in agenda['config']['privacy_notice']
    check = next(a for a in agenda['appointments']
        if a['id'] == data['appointments']['check'])
    assert check['kind'] == 'efficiency_check'
    assert check['kind_label'] == "Controllo di efficienza energetica"
    assert check['start_time'] == '07:00'
    assert check['customer']['name'] == "Mario Rossi"
    assert check['customer']['email'] == 'mario@example.com'
    assert check['maps_url'].startswith('https://www.google.com/maps')
    assert check['overdue'] is False
    assert check['intervention'] is None
    device, = check['devices']
    assert device['id'] == data['boiler']
    assert device['selected'] is True
    assert device['ree']['minimum_efficiency'] is not None
    assert device['ree']['efficiency_test'] is True
    assert [p['name'] for p in agenda['products']] == ["Guarnizione"]

    assert get(client, 'api/agenda?days=40', headers).status_code == 400


def test_other_technician_appointment_hidden(cfg, data, client):
    headers = bearer(client)
    marco = data['appointments']['marco']
    for path in ['api/appointment/%s' % marco, 'api/appointment/999999']:
        response = get(client, path, headers)
        assert response.status_code == 404
        assert response.json == {
            'error': "Appuntamento non trovato o non assegnato a te.",
            'code': 'not_found'}
    before = counts(cfg)
    body = submission(data, 'marco', version='x',
        devices=[data['luisa_boiler']])
    response = client.post(url('api/interventions'), json=body,
        headers=headers)
    assert response.status_code == 404
    assert response.json['code'] == 'not_found'
    assert counts(cfg) == before


def test_intervention_efficiency_check(cfg, data, client, sink):
    Intervention = Model.get('termogest.intervention')
    Attachment = Model.get('ir.attachment')
    headers = bearer(client)
    body = with_version(client, headers, submission(data, 'check',
            lines=[{'product': data['product'], 'quantity': 2},
                {'product': None, 'description': "Pulizia scambiatore",
                    'quantity': 1}],
            measurements=[{'device': data['boiler'],
                    'flue_temperature': 65.2, 'air_temperature': 18,
                    'o2': 3.1, 'co2': 9.4, 'co_corrected': 45,
                    'measured_efficiency': 96.1, 'bacharach1': None,
                    'bacharach2': None, 'bacharach3': None,
                    'draught': 'F'}],
            photos=[{'name': 'foto-1.jpg', 'mimetype': 'image/jpeg',
                    'data': PNG}]))
    response = client.post(url('api/interventions'), json=body,
        headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    result = response.json
    assert result['duplicate'] is False
    assert result['warnings'] == []
    assert result['intervention']['state'] == 'done'
    assert result['intervention']['state_label'] == "Completato"
    assert result['intervention']['signed'] is True
    # e-mailed by a task run once the intervention is committed
    assert result['email'] == 'mario@example.com'
    ree, = result['ree']
    assert ree['device'] == data['boiler']
    assert ree['result'] == 'pass'
    assert ree['reported_efficiency'] == 98.1
    assert ree['minimum_efficiency'] is not None

    set_user(1, cfg)
    intervention = Intervention(result['intervention']['id'])
    assert intervention.appointment.id == data['appointments']['check']
    assert intervention.appointment.state == 'done'
    assert intervention.technician == employee('luca')
    assert intervention.signature_valid
    assert intervention.privacy_accepted
    assert str(intervention.start_time) == '08:30:00'
    assert intervention.travel_time.total_seconds() == 25 * 60
    assert [d.id for d in intervention.devices] == [data['boiler']]
    assert sorted((l.description, l.quantity) for l in intervention.lines
        ) == [("Guarnizione", 2), ("Pulizia scambiatore", 1)]
    report, = intervention.efficiency_reports
    assert report.measured_efficiency == Decimal('96.10')
    assert report.draught == 'F'
    attachment, = Attachment.find([
            ('resource', '=', 'termogest.intervention,%s' % intervention.id)])
    assert attachment.name == 'foto-1.jpg'
    received = wait_messages(sink, 1)
    assert len(received) == 1
    assert received[0].rcpt_tos == ['mario@example.com']
    assert intervention.number in received[0].message['Subject']
    assert intervention.emailed_to == 'mario@example.com'
    attachments = list(received[0].message.iter_attachments())
    assert attachments[0].get_content_type() == 'application/pdf'

    # the agenda shows the intervention
    response = get(client, 'api/appointment/%s' % body['appointment'],
        headers)
    appointment = response.json['appointment']
    assert appointment['state'] == 'done'
    assert appointment['intervention']['number'] == intervention.number
    # completed: even with force
    retry = dict(body, key=uuid.uuid4().hex, force=True)
    response = client.post(url('api/interventions'), json=retry,
        headers=headers)
    assert response.status_code == 409
    assert response.json['code'] == 'closed'


def test_same_key_twice_one_intervention(cfg, data, client, sink):
    headers = bearer(client)
    body = with_version(client, headers, submission(data, 'retry'))
    before = counts(cfg)
    first = client.post(url('api/interventions'), json=body,
        headers=headers)
    assert first.status_code == 201, first.get_data(as_text=True)
    second = client.post(url('api/interventions'), json=body,
        headers=headers)
    assert second.status_code == 200
    assert second.json['duplicate'] is True
    assert second.json['intervention'] == first.json['intervention']
    assert counts(cfg) == (before[0] + 1, before[1] + 1)
    # the key of another technician
    response = client.post(url('api/interventions'), json=body,
        headers=bearer(client, 'marco'))
    assert response.status_code == 409
    assert response.json['code'] == 'key'


def test_conflict_then_force(cfg, data, client, sink):
    Appointment = Model.get('termogest.appointment')
    headers = bearer(client)
    body = with_version(client, headers, submission(data, 'conflict'))
    as_user(cfg, 'anna')
    appointment = Appointment(data['appointments']['conflict'])
    appointment.start = at(hour=13)
    appointment.end = at(hour=14)
    appointment.save()
    before = counts(cfg)
    response = client.post(url('api/interventions'), json=body,
        headers=headers)
    assert response.status_code == 409
    conflict = response.json
    assert conflict['code'] == 'conflict'
    assert "modificato" in conflict['error']
    change, = conflict['changes']
    assert change['field'] == "Orario"
    assert change['old'].endswith('09:00-10:00')
    assert change['new'].endswith('13:00-14:00')
    assert conflict['appointment']['start_time'] == '13:00'
    assert counts(cfg) == before

    body['force'] = True
    response = client.post(url('api/interventions'), json=body,
        headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert counts(cfg) == (before[0] + 1, before[1] + 1)


def test_validation_error_writes_nothing(cfg, data, client):
    headers = bearer(client)
    before = counts(cfg)
    body = with_version(client, headers, submission(data, 'invalid',
            description="  "))
    response = client.post(url('api/interventions'), json=body,
        headers=headers)
    assert response.status_code == 400
    assert response.json['code'] == 'invalid'
    assert 'descrivi il lavoro svolto nel campo "Lavori eseguiti"' in (
        response.json['error'])
    assert counts(cfg) == before

    # the customer without e-mail: done with a warning
    body = with_version(client, headers, submission(data, 'luisa',
            devices=[data['luisa_boiler']], signer_name="Luisa Verdi"))
    response = client.post(url('api/interventions'), json=body,
        headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    warning, = response.json['warnings']
    assert "Luisa Verdi" in warning
    assert "e-mail" in warning
