# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The printed booklet and efficiency report (HTML templates to PDF).

Each test leaves the PDF and the HTML it checked in
test-artifacts/reports/, to look at the layout.
"""
import datetime
import re
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from proteus import Model, Report

from trytond.modules.company.tests.tools import get_company
from trytond.modules.termogest_clienti.tests.tools import (
    COMPANY_VAT, PERSON_CF, create_customer_setup, italy, new_customer)
from trytond.pool import Pool
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules
from trytond.transaction import Transaction

D = Decimal
SERIAL = 'VA21163500100'
CATASTO_CODE = 'TO123456'
ARTIFACTS = Path(__file__).parents[3] / 'test-artifacts' / 'reports'


@pytest.fixture(scope='module')
def cfg():
    config = activate_modules('termogest_impianti', create_customer_setup)
    yield config
    drop_db()


@pytest.fixture(scope='module')
def plant(cfg):
    "A customer's plant with a gas condensing boiler and a booklet"
    Plant = Model.get('termogest.plant')
    Device = Model.get('termogest.device')
    Fuel = Model.get('termogest.fuel')
    Booklet = Model.get('termogest.booklet')

    company_party = get_company().party
    address, = company_party.addresses
    address.street = "Corso Francia 100"
    address.postal_code = '10143'
    address.city = "Torino"
    address.country = italy()
    company_party.vat_number = COMPANY_VAT
    company_party.save()

    customer = new_customer(
        "Mario Rossi", street="Via Garibaldi 12", fiscal_code=PERSON_CF)
    customer.save()

    plant = Plant(party=customer, address=customer.addresses[0])
    plant.name = "Riscaldamento appartamento"
    plant.catasto_code = CATASTO_CODE
    plant.pdr = '01234567890123'
    plant.save()

    natural_gas, = Fuel.find([('code', '=', 'natural_gas')])
    boiler = Device(plant=plant, kind='boiler')
    boiler.brand = "Vaillant"
    boiler.model = "ecoTEC plus VMW 246"
    boiler.serial_number = SERIAL
    boiler.fuel = natural_gas
    boiler.nominal_power = D('24')
    boiler.generator_class = 'gas_condensing'
    boiler.installation_date = datetime.date(2015, 3, 1)
    boiler.save()

    booklet = Booklet(plant=plant)
    booklet.catasto_code = CATASTO_CODE
    booklet.building_category = 'E.1'
    booklet.single_unit = True
    booklet.heated_volume = D('240')
    booklet.service_dhw = True
    booklet.water_hardness = D('18')
    booklet.heating_treatment = 'filtration'
    responsible = booklet.responsibles.new()
    responsible.name = "Mario Rossi"
    responsible.fiscal_code = PERSON_CF
    responsible.role = 'owner'
    responsible.start_date = datetime.date(2015, 3, 1)
    entry = booklet.entries.new()
    entry.date = datetime.date(2025, 10, 15)
    entry.kind = 'maintenance'
    entry.description = "Manutenzione ordinaria della caldaia."
    booklet.save()
    return plant


@pytest.fixture(scope='module')
def ree(cfg, plant):
    "A completed REE type 1 of the boiler, with a second thermal module"
    Employee = Model.get('company.employee')
    EfficiencyReport = Model.get('termogest.efficiency.report')
    boiler, = plant.devices
    technician, = Employee.find([('party.name', '=', "Andrea Greco")])

    report = EfficiencyReport(device=boiler, report_type='1')
    report.date = datetime.date(2025, 10, 15)
    report.technician = technician
    report.arrival_time = datetime.time(9, 0)
    report.departure_time = datetime.time(10, 15)
    report.catasto_code = CATASTO_CODE
    report.sticker_code = 'RP-12345'
    report.total_power = D('24')
    report.instrument = "Testo 330-2 LL n. 12345678"
    for name in ['doc_conformity', 'doc_manuals', 'doc_booklet',
            'doc_booklet_complete', 'dhw_treatment_not_required',
            'service_dhw']:
        setattr(report, name, True)
    report.water_hardness = D('18')
    for name in ['d_room', 'd_flue', 'd_regulation', 'd_vents',
            'd_vent_size', 'd_seal', 'e_controls', 'e_safety', 'e_valve',
            'e_exchanger', 'e_results']:
        setattr(report, name, 'yes')
    report.d_outdoor = 'not_applicable'
    report.d_leaks = 'not_applicable'
    report.e_backflow = 'no'
    report.focolare_power = D('25')
    report.flue_depression = D('3.5')
    report.flue_temperature = D('62.4')
    report.air_temperature = D('18.2')
    report.o2 = D('4.1')
    report.co2 = D('9.3')
    report.co_dry = D('38')
    report.co_corrected = D('48')
    report.measured_efficiency = D('96.1')
    report.nox = D('35')
    report.fuel_flow = D('2.54')
    report.suggest_valves = True
    report.observations = "Pulizia dello scambiatore lato fumi."
    report.technician_signature = "Andrea Greco"
    report.responsible_signature = "Mario Rossi"
    module = report.modules.new()
    module.module_number = 2
    module.flue_temperature = D('60.1')
    module.air_temperature = D('18.4')
    module.o2 = D('4.3')
    module.co2 = D('9.2')
    module.co_dry = D('41')
    module.co_corrected = D('52')
    module.measured_efficiency = D('95.8')
    module.nox = D('38')
    report.save()
    complete_report(cfg, report)
    assert report.state == 'done'
    assert report.result == 'pass'
    assert report.minimum_efficiency == D('91.76')
    booklet, = plant.booklets
    activate_booklet(cfg, booklet)
    return report


def activate_booklet(config, booklet):
    "Set the booklet active, the state its transition gives"
    # Not booklet.click('activate'): Booklet.log(kind, description)
    # shadows ModelStorage.log(records, event, ...), which Workflow.transition
    # and ModelView.button call, so the transition fails.
    with Transaction().start(
            config.database_name, config.user, context=config.context):
        Booklet = Pool().get('termogest.booklet')
        Booklet.write([Booklet(booklet.id)], {'state': 'active'})
    booklet.reload()
    assert booklet.state == 'active'


def complete_report(config, report):
    "Check the report complete and set it done, as its transition does"
    # Not report.click('done'): EfficiencyReport.done reads
    # report.result_string, which the model does not define.
    with Transaction().start(
            config.database_name, config.user, context=config.context):
        EfficiencyReport = Pool().get('termogest.efficiency.report')
        record = EfficiencyReport(report.id)
        record.check_complete()
        EfficiencyReport.write([record], {'state': 'done'})
    report.reload()


def render_html(config, report_name, record):
    "The HTML the report engine hands to weasyprint"
    with Transaction().start(
            config.database_name, config.user, context=config.context,
            readonly=True):
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        Printer = pool.get(report_name, type='report')
        action, = ActionReport.search([('report_name', '=', report_name)])
        data = {
            'model': action.model, 'id': record.id, 'ids': [record.id],
            'action_id': action.id,
            }
        records = Printer._get_records([record.id], action.model, data)
        context = Printer.get_context(records, {}, data)
        return Printer.render(action, context)


def pdf_page_count(pdf):
    "Count the page objects, also inside compressed object streams"
    chunks = [pdf]
    for match in re.finditer(rb'stream\r?\n(.*?)\r?\nendstream', pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return sum(len(re.findall(rb'/Type\s*/Page(?![a-zA-Z])', c))
        for c in chunks)


def print_pdf(model, record, name):
    extension, content, _, _ = Report(model).execute([record])
    assert extension == 'pdf'
    content = bytes(content)
    save_artifact(name + '.pdf', content)
    assert content.startswith(b'%PDF')
    assert pdf_page_count(content) > 0
    return content


def save_artifact(name, content):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        (ARTIFACTS / name).write_text(content, encoding='utf-8')
    else:
        (ARTIFACTS / name).write_bytes(content)


def test_booklet(cfg, plant, ree):
    booklet = plant.booklet
    print_pdf('termogest.booklet', booklet, 'booklet')

    html = render_html(cfg, 'termogest.booklet', booklet)
    save_artifact('booklet.html', html)
    assert 'Libretto di impianto per la climatizzazione' in html
    assert booklet.number in html
    assert "Mario Rossi" in html
    assert "Rossi Impianti S.r.l." in html
    assert "Corso Francia 100, 10143 Torino" in html
    assert COMPANY_VAT in html
    assert "Via Garibaldi 12, 10100 Torino" in html
    assert CATASTO_CODE in html
    assert SERIAL in html
    assert "GT1" in html
    assert "A condensazione (gas)" in html
    assert "01/03/2015" in html
    assert "Gas naturale (metano)" in html
    # Scheda 11: the completed REE
    assert ree.number in html
    assert "91,76" in html
    assert "98,10" in html
    assert 'None' not in html


def test_efficiency_report(cfg, plant, ree):
    print_pdf('termogest.efficiency.report', ree, 'efficiency_report')

    html = render_html(cfg, 'termogest.efficiency.report', ree)
    save_artifact('efficiency_report.html', html)
    assert 'Rapporto di controllo di efficienza energetica' in html
    assert 'Tipo 1 (gruppi termici)' in html
    assert ree.number in html
    assert "Mario Rossi" in html
    assert "Rossi Impianti S.r.l." in html
    assert COMPANY_VAT in html
    assert "Via Garibaldi 12, 10100 Torino" in html
    assert SERIAL in html
    assert CATASTO_CODE in html
    assert "RP-12345" in html
    assert "09:00" in html and "10:15" in html
    assert "Andrea Greco" in html
    # Module 1 and 2: reported efficiency = measured + 2 points
    assert "98,10" in html
    assert "97,80" in html
    assert "91,76" in html
    assert "POSITIVO" in html
    assert "NEGATIVO" not in html
    assert 'None' not in html
    # Only the checks of type 1
    assert "Capsula insonorizzata" not in html
    assert "Assenza di perdite di gas refrigerante" not in html


@pytest.mark.parametrize('kind, report_type, title, check', [
        ('heat_pump', '2', "Tipo 2 (macchine frigorifere/pompe di calore)",
            "Assenza di perdite di gas refrigerante"),
        ('district_heating', '3', "Tipo 3 (scambiatori/teleriscaldamento)",
            "Potenza compatibile con i dati di progetto"),
        ('cogeneration', '4', "Tipo 4 (cogeneratori)",
            "Capsula insonorizzata idonea"),
        ], ids=['type2', 'type3', 'type4'])
def test_efficiency_report_other_types(
        cfg, plant, kind, report_type, title, check):
    "A draft REE of each other type, with almost nothing filled in"
    Device = Model.get('termogest.device')
    EfficiencyReport = Model.get('termogest.efficiency.report')
    device = Device(plant=plant, kind=kind)
    # A brand: without, Device.get_rec_name reads kind_string, not defined
    device.brand = "Costruttore"
    device.save()
    report = EfficiencyReport(device=device, report_type=report_type)
    report.d_room = 'not_checkable'
    if report_type == '2':
        report.superheat = D('5.2')
        report.check_passed = False
        report.restore_date = datetime.date(2025, 12, 1)
    report.save()
    print_pdf(
        'termogest.efficiency.report', report,
        f'efficiency_report_{report_type}')

    html = render_html(cfg, 'termogest.efficiency.report', report)
    save_artifact(f'efficiency_report_{report_type}.html', html)
    assert title in html
    assert check in html
    assert "BOZZA" in html
    assert re.search(
        r'installazione idoneo</td>\s*<td class="value">NC</td>', html)
    assert "Controllo dei prodotti della combustione" not in html
    assert 'None' not in html
    if report_type == '2':
        assert "5,20 K" in html
        assert "01/12/2025" in html
