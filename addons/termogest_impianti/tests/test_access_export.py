# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Access per role, the trash, takeover, the catasto export and the
spreadsheet import over RPC (proteus)."""
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from proteus import Model, Wizard

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.termogest_impianti import cit, spreadsheet
from trytond.modules.termogest_permessi.tests.tools import as_user
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules

from .test_plants import new_report
from .tools import create_plant_setup, new_device, new_plant

D = Decimal
date = datetime.date
SHARED_XSD = (Path(__file__).parents[3].parent
    / 'shared' / 'regulation' / 'piemonte_cit_xsd')


@pytest.fixture
def cfg():
    config = activate_modules('termogest_impianti', create_plant_setup)
    yield config
    drop_db()


# Access per role


def test_technician_without_sections_sees_no_plant(cfg):
    as_user(cfg, 'paolo')
    new_device(new_plant())
    as_user(cfg, 'luca')
    for model in ['termogest.plant', 'termogest.device', 'termogest.booklet',
            'termogest.efficiency.report', 'termogest.contract']:
        with pytest.raises(AccessError):
            Model.get(model).find([])


def test_secretary_reads_plants_but_edits_only_with_the_section(cfg):
    Plant = Model.get('termogest.plant')
    Device = Model.get('termogest.device')
    as_user(cfg, 'paolo')
    device = new_device(new_plant())
    as_user(cfg, 'sara')
    plant, = Plant.find([])
    assert plant.devices == [device]
    device = Device(device.id)
    device.brand = "Baxi"
    with pytest.raises(AccessError):
        device.save()
    with pytest.raises(AccessError):
        Model.get('termogest.booklet').find([])


def test_devices_section_without_booklets(cfg):
    Booklet = Model.get('termogest.booklet')
    Party = Model.get('party.party')
    as_user(cfg, 'elena')
    with pytest.raises(AccessError):
        new_plant()  # elena cannot create customers
    as_user(cfg, 'paolo')
    plant = new_plant()
    as_user(cfg, 'elena')
    device = new_device(Model.get('termogest.plant')(plant.id))
    assert device.id > 0
    with pytest.raises(AccessError):
        Booklet(plant=Model.get('termogest.plant')(plant.id)).save()
    # she reads the reports and contracts of the devices, edits none
    assert Model.get('termogest.efficiency.report').find([]) == []
    with pytest.raises(AccessError):
        Model.get('termogest.efficiency.report')(device=device).save()
    contract = Model.get('termogest.contract')(party=Party(plant.party.id))
    contract.plants.append(Model.get('termogest.plant')(plant.id))
    with pytest.raises(AccessError):
        contract.save()
    party = Party(plant.party.id)
    with pytest.raises(AccessButtonError):
        party.click('new_booklet')


def test_rules_editable_by_administrators_only(cfg):
    Rule = Model.get('termogest.rule.minimum_efficiency')
    as_user(cfg, 'paolo')
    rule, = Rule.find([('code', '=', 'water_gas_condensing_from2005')])
    rule.coeff_a = D(90)
    with pytest.raises(AccessError):
        rule.save()
    as_user(cfg, 'giulia')
    rule = Rule(rule.id)
    rule.coeff_a = D(90)
    rule.save()
    assert rule.formula == '90 + 2 log Pn'


def test_catasto_key_needs_the_booklets_section(cfg):
    Plant = Model.get('termogest.plant')
    as_user(cfg, 'paolo')
    plant = new_plant()
    plant.catasto_key = 'K3Y'
    plant.save()
    as_user(cfg, 'elena')
    plant = Plant(plant.id)
    with pytest.raises(AccessError):
        plant.catasto_key


# The customer card


def test_trashed_customer_takes_its_plants(cfg):
    Party = Model.get('party.party')
    Plant = Model.get('termogest.plant')
    as_user(cfg, 'paolo')
    plant = new_plant()
    new_device(plant, last_maintenance_date=date(2025, 6, 10))
    party = Party(plant.party.id)
    party.delete()
    assert Plant.find([]) == []
    with cfg.set_context(from_date=date(2026, 1, 1),
            to_date=date(2026, 12, 31)):
        assert Model.get('termogest.maintenance.due').find([]) == []
    with cfg.set_context(with_trashed=True):
        party, = Party.find([('trashed_at', '!=', None)])
    party.click('restore')
    assert Plant.find([]) == [plant]


def test_takeover_recorded_in_the_booklet(cfg):
    Booklet = Model.get('termogest.booklet')
    as_user(cfg, 'paolo')
    plant = new_plant("Mario Rossi")
    booklet = Booklet(plant=plant)
    booklet.date = date(2020, 1, 10)
    booklet.save()
    booklet.click('activate')
    takeover = Wizard('termogest.party.takeover', [plant.party])
    takeover.form.name = "Anna Bianchi"
    takeover.form.date = date(2026, 9, 1)
    takeover.execute('takeover')
    booklet.reload()
    assert [(r.name, r.start_date, r.end_date)
        for r in booklet.responsibles] == [
        ("Mario Rossi", date(2020, 1, 10), date(2026, 9, 1)),
        ("Anna Bianchi", date(2026, 9, 1), None),
        ]
    entry, = [e for e in booklet.entries if e.kind == 'takeover']
    assert "Anna Bianchi" in entry.description


def test_one_active_booklet_per_plant(cfg):
    Booklet = Model.get('termogest.booklet')
    as_user(cfg, 'paolo')
    plant = new_plant()
    first = Booklet(plant=plant)
    first.save()
    first.click('activate')
    second = Booklet(plant=Model.get('termogest.plant')(plant.id))
    second.save()
    second.click('activate')
    first.reload()
    assert first.state == 'archived'
    assert second.state == 'active'
    assert plant.__class__(plant.id).booklet == second
    with pytest.raises(UserError):
        first.delete()


# Catasto export (Piemonte CIT)


def validate_against_shared(data, xsd):
    if not SHARED_XSD.exists():
        return
    schema = etree.XMLSchema(etree.parse(str(SHARED_XSD / xsd)))
    schema.assertValid(etree.parse(io.BytesIO(data)))


def test_ree_exported_for_the_cit(cfg):
    as_user(cfg, 'paolo')
    plant = new_plant(catasto_code='123456')
    device = new_device(plant)
    report = new_report(device, D('96.1'), sticker_code='RP-12345')
    report.click('done')
    export = Wizard('termogest.efficiency.report.export', [report])
    data = export.form.file
    assert export.form.filename == 'allegatoII_123456_20261015.xml'
    assert cit.cit_errors(data, 'allegato2') == []
    validate_against_shared(data, 'Import-AllegatoII-1.0.3.xsd')
    root = etree.fromstring(data)
    ns = {'c': cit.NS % 'allegato2'}
    assert root.findtext('.//c:codiceCatasto', namespaces=ns) == '123456'
    assert root.findtext('.//c:A_E_rendimCombu', namespaces=ns) == '98.10'
    assert root.findtext(
        './/c:A_E_rendimentoLegge', namespaces=ns) == '91.76'
    assert root.findtext('.//c:A_E_numGT', namespaces=ns) == '1'
    assert root.findtext('.//c:siglaREA', namespaces=ns) == 'TO'


def test_ree_export_needs_the_catasto_code(cfg):
    as_user(cfg, 'paolo')
    plant = new_plant()
    report = new_report(new_device(plant), D('96.1'))
    report.click('done')
    with pytest.raises(UserError) as info:
        Wizard('termogest.efficiency.report.export', [report])
    assert plant.code in info.value.message


def test_ree_export_refuses_values_the_cit_cannot_take(cfg):
    "No silent truncation: a value too big for the XSD names the field"
    as_user(cfg, 'paolo')
    plant = new_plant(catasto_code='123456')
    report = new_report(new_device(plant), D('96.1'),
        flue_temperature=D('12345.5'))
    report.click('done')
    with pytest.raises(UserError) as info:
        Wizard('termogest.efficiency.report.export', [report])
    assert report.number in info.value.message
    assert '12345.5' in info.value.message


def test_booklet_exported_for_the_cit(cfg):
    Booklet = Model.get('termogest.booklet')
    Region = Model.get('termogest.region')
    as_user(cfg, 'paolo')
    plant = new_plant(catasto_code='123456')
    new_device(plant, serial_number='21234567890')
    new_device(Model.get('termogest.plant')(plant.id), kind='heat_pump',
        power=12, fuel_code='electricity', brand="Daikin",
        model="Altherma 3", cooling_power=D(10))
    booklet = Booklet(plant=Model.get('termogest.plant')(plant.id))
    booklet.building_category = 'E.1'
    booklet.service_dhw = True
    booklet.save()
    booklet.click('activate')
    with pytest.raises(UserError) as info:
        Wizard('termogest.booklet.export', [booklet])
    assert "Vaillant" in info.value.message
    assert "Piemonte" in info.value.message
    as_user(cfg, 'giulia')
    piemonte, = Region.find([('code', '=', 'piemonte')])
    for kind, value, code in [
            ('manufacturer', "Vaillant", 101), ('manufacturer', "Daikin", 55),
            ('fuel', 'natural_gas', 1), ('fuel', 'electricity', 9),
            ('fluid', 'water', 1)]:
        piemonte.catasto_codes.new(kind=kind, value=value, code=code)
    piemonte.save()
    as_user(cfg, 'paolo')
    export = Wizard('termogest.booklet.export', [Booklet(booklet.id)])
    data = export.form.file
    assert export.form.filename.startswith('libretto_123456_')
    assert cit.cit_errors(data, 'libretto') == []
    validate_against_shared(data, 'Import-Libretto-1.0.0.xsd')
    assert b'21234567890' in data
    assert b'Altherma 3' in data


# Spreadsheet import


def _thousand_rows():
    headers, samples = spreadsheet.sample_rows()
    index = {h: i for i, h in enumerate(headers)}
    mapping = spreadsheet.guess_mapping(headers)
    column = {key: i for i, key in mapping.items()}
    rows = []
    for number in range(2, 1002):
        values = list(samples[number % len(samples)])
        values[column['serial_number']] = 'TG%06d' % number
        values[column['customer_name']] = '%s %d' % (
            values[column['customer_name']], number // 4)
        for key in ['customer_code', 'fiscal_code', 'vat_number',
                'catasto_code', 'pdr', 'pod', 'pec']:
            values[column[key]] = None
        rows.append(values)
    bad = {
        101: ('fiscal_code', 'RSSMRA85T10A562X'),
        202: ('installation_date', '31/02/2010'),
        303: ('kind', 'frigorifero'),
        404: ('customer_name', None),
        505: ('nominal_power', 'abc'),
        }
    for number, (key, value) in bad.items():
        rows[number - 2][column[key]] = value
    del index
    return headers, rows, bad


def test_import_of_1000_rows_reports_bad_rows(cfg):
    from openpyxl import Workbook
    Device = Model.get('termogest.device')
    Plant = Model.get('termogest.plant')
    headers, rows, bad = _thousand_rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)

    as_user(cfg, 'paolo')
    wizard = Wizard('termogest.impianti.import')
    wizard.form.file = output.getvalue()
    wizard.form.filename = 'impianti.xlsx'
    wizard.execute('read')
    assert wizard.form.rows == 1000
    targets = {c.header: c.target for c in wizard.form.columns}
    assert targets["Matricola"] == 'serial_number'
    wizard.execute('check')
    assert wizard.form.invalid == len(bad)
    assert wizard.form.valid == 1000 - len(bad)
    for number in bad:
        assert 'Riga %d' % number in wizard.form.report
    assert Device.find([]) == []  # nothing written by the check
    wizard.execute('import_')
    assert wizard.form.done
    devices = Device.find([])
    assert len(devices) == 1000 - len(bad)
    assert not [d for d in devices
        if d.serial_number in {'TG%06d' % n for n in bad}]
    plants = Plant.find([])
    assert 0 < len(plants) < len(devices)
    assert all(p.region.code in {'piemonte', 'lombardia', 'generic'}
        for p in plants)


def test_import_refuses_a_file_that_is_not_excel(cfg):
    as_user(cfg, 'paolo')
    wizard = Wizard('termogest.impianti.import')
    wizard.form.file = b'nome;cognome\nMario;Rossi\n'
    wizard.form.filename = 'clienti.csv'
    with pytest.raises(UserError) as info:
        wizard.execute('read')
    assert 'clienti.csv' in info.value.message
