# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Invoicing interventions, contracts and quotes, over proteus."""
import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from proteus import Model, Wizard

from trytond.exceptions import UserError
from trytond.modules.termogest_agenda.tests.tools import at, employee
from trytond.modules.termogest_impianti.tests.tools import (
    new_device, new_plant)
from trytond.modules.termogest_permessi.tests.tools import as_user
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules

from .tools import create_fatturapa_setup, new_invoice_customer, products

D = Decimal


@pytest.fixture
def cfg():
    config = activate_modules(
        'termogest_fatturapa', create_fatturapa_setup)
    yield config
    drop_db()


def cfg_of(record):
    return record._config


def done_intervention(party, plant, date, kind='repair', hours=D('1.5'),
        parts=(), travel=True):
    "A completed intervention of luca, as the office enters it"
    Intervention = Model.get('termogest.intervention')
    intervention = Intervention(party=party, plant=plant, kind=kind)
    intervention.technician = employee('luca')
    if kind == 'maintenance':
        intervention.devices.append(
            Model.get('termogest.device')(new_device(plant).id))
    intervention.date = date
    intervention.description = "Sostituzione scheda elettronica"
    intervention.labour_hours = hours
    if travel:
        intervention.travel_time = datetime.timedelta(minutes=30)
    for product, quantity, price in parts:
        line = intervention.lines.new()
        line.product = product
        line.quantity = quantity
        line.unit_price = D(price)
    intervention.save()
    # completed by its technician
    user = as_user(cfg_of(intervention), 'luca')
    Intervention(intervention.id).click('do')
    as_user(cfg_of(intervention), 'fabio')
    intervention.reload()
    del user
    return intervention


def test_interventions_invoiced_per_customer(cfg):
    "Two interventions of a customer, one of another: two invoices"
    Intervention = Model.get('termogest.intervention')
    as_user(cfg, 'fabio')
    p = products()
    party = new_invoice_customer('business', invoice_discount=D('10'))
    plant = new_plant(party=party)
    other = new_invoice_customer('person')
    other_plant = new_plant(party=other)
    today = datetime.date.today()
    first = done_intervention(
        party, plant, today, parts=[(p['KGU'], 2, '12.50')])
    second = done_intervention(
        party, plant, today, kind='maintenance', travel=False)
    third = done_intervention(other, other_plant, today, hours=D('1'))

    invoicing = Wizard('termogest.intervention.invoice', [
            Intervention(i.id) for i in [first, second, third]])
    assert invoicing.form.count == 3
    invoicing.execute('invoice')
    Invoice = Model.get('account.invoice')
    invoices = Invoice.find([], order=[('id', 'ASC')])
    assert len(invoices) == 2
    invoice, = [i for i in invoices if i.party == party]
    codes = [l.product.code if l.product else None for l in invoice.lines]
    # a heading per intervention, then call-out, travel, labour, parts
    assert codes == [
        None, 'DDC', 'USC', 'MAN', 'KGU',
        None, 'MAN']
    labour = invoice.lines[3]
    assert labour.quantity == 1.5
    assert labour.gross_unit_price == D('45')
    assert labour.discount == D('10')
    assert labour.unit_price == D('40.5000')
    assert labour.origin == first
    assert first.number in invoice.lines[0].description
    for intervention in [first, second, third]:
        intervention.reload()
        assert intervention.state == 'invoiced'
        assert intervention.invoice
    # cancelling the draft's lines gives the interventions back
    invoice.click('cancel')
    first.reload()
    assert first.state == 'done'


def test_month_batch(cfg):
    "The month's done interventions, and only those, are invoiced"
    Intervention = Model.get('termogest.intervention')
    as_user(cfg, 'fabio')
    party = new_invoice_customer('business')
    plant = new_plant(party=party)
    today = datetime.date.today()
    last_month = today - relativedelta(months=1)
    old = done_intervention(party, plant, last_month)
    done_intervention(party, plant, today)
    draft = Intervention(party=party, plant=plant, kind='repair')
    draft.technician = employee('luca')
    draft.date = last_month
    draft.save()

    batch = Wizard('termogest.intervention.invoice_month')
    batch.form.month = last_month
    batch.execute('invoice')
    Invoice = Model.get('account.invoice')
    invoice, = Invoice.find([])
    assert {l.origin for l in invoice.lines} == {old}
    # nothing left in that month
    batch = Wizard('termogest.intervention.invoice_month')
    batch.form.month = last_month
    with pytest.raises(UserError) as info:
        batch.execute('invoice')
    assert last_month.strftime('%m/%Y') in info.value.message


def test_contracts_invoiced_by_period(cfg):
    "A quarterly contract: the periods begun, once"
    Contract = Model.get('termogest.contract')
    as_user(cfg, 'fabio')
    party = new_invoice_customer('business')
    plant = new_plant(party=party)
    today = datetime.date.today()
    start = today - relativedelta(months=4)
    contract = Contract(party=party)
    contract.plants.append(Model.get('termogest.plant')(plant.id))
    contract.start_date = start
    contract.end_date = start + relativedelta(years=1, days=-1)
    contract.visits_per_year = 1
    contract.price = D('240')
    contract.billing_frequency = 'quarterly'
    contract.save()
    contract.click('activate')

    invoicing = Wizard('termogest.contract.invoice', [contract])
    invoicing.form.date = today
    invoicing.execute('invoice')
    Invoice = Model.get('account.invoice')
    invoice, = Invoice.find([])
    lines = [l for l in invoice.lines if l.type == 'line']
    # begun: the first two quarters
    assert [l.gross_unit_price for l in lines] == [D('60.00'), D('60.00')]
    assert lines[0].period_start == start
    assert lines[1].period_end == start + relativedelta(months=6, days=-1)
    contract.reload()
    assert contract.invoiced_until == lines[1].period_end
    invoicing = Wizard('termogest.contract.invoice', [contract])
    invoicing.form.date = today
    with pytest.raises(UserError):
        invoicing.execute('invoice')
    # a deleted draft invoice gives the periods back
    invoice.delete()
    contract.reload()
    assert contract.invoiced_until is None


def test_quote_to_appointment_to_invoice(cfg):
    "An accepted quote is booked; its lines are invoiced, not the hours"
    Sale = Model.get('sale.sale')
    Appointment = Model.get('termogest.appointment')
    Intervention = Model.get('termogest.intervention')
    as_user(cfg, 'fabio')
    p = products()
    party = new_invoice_customer('business', invoice_discount=D('5'))
    plant = new_plant(party=party)
    boiler = new_device(plant)
    action = Model.get('party.party')(party.id).click('new_quote')
    assert action is not None
    with cfg.set_context(from_model='party.party', from_id=party.id):
        quote = Sale()
    assert quote.party == party
    assert quote.plant == plant
    line = quote.lines.new()
    line.product = p['MAN']
    line.quantity = 4
    assert line.discount == D('5')
    assert line.unit_price == D('42.7500')
    line = quote.lines.new()
    line.product = p['KGU']
    line.quantity = 1
    quote.save()
    quote.click('quote')
    assert quote.state == 'quotation'
    quote.click('confirm')

    as_user(cfg, 'anna')
    with cfg.set_context(from_model='sale.sale', from_id=quote.id):
        appointment = Appointment()
    assert appointment.sale == quote
    assert appointment.party == party
    appointment.technician = employee('luca')
    appointment.start = at(days=-1, hour=10)
    appointment.end = at(days=-1, hour=12)
    appointment.devices.append(Model.get('termogest.device')(boiler.id))
    appointment.save()
    appointment.click('open_intervention')
    intervention, = Intervention.find([('appointment', '=', appointment.id)])
    assert intervention.sale == quote
    intervention.description = "Sostituzione guarnizioni e pulizia"
    intervention.labour_hours = D('3')
    intervention.save()
    as_user(cfg, 'luca')
    Intervention(intervention.id).click('do')

    as_user(cfg, 'fabio')
    invoicing = Wizard('termogest.intervention.invoice', [
            Intervention(intervention.id)])
    invoicing.execute('invoice')
    Invoice = Model.get('account.invoice')
    invoice, = Invoice.find([])
    lines = [l for l in invoice.lines if l.type == 'line']
    assert [(l.product.code, l.quantity, l.unit_price) for l in lines] == [
        ('MAN', 4, D('42.7500')), ('KGU', 1, D('11.8750'))]
    assert invoice.untaxed_amount == D('182.88')


def test_quote_pdf(cfg):
    "The quote prints to PDF"
    Sale = Model.get('sale.sale')
    as_user(cfg, 'fabio')
    p = products()
    quote = Sale(party=new_invoice_customer('business'))
    line = quote.lines.new()
    line.product = p['MAN']
    line.quantity = 2
    quote.save()
    report = Model.get('ir.action.report')
    del report
    from proteus import Report
    extension, content, _, name = Report('sale.sale.quote').execute([quote])
    assert extension == 'pdf'
    assert bytes(content).startswith(b'%PDF')
