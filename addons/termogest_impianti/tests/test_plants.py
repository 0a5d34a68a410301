# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Plants, devices, due dates, REE and contracts over RPC (proteus)."""
import datetime
from decimal import Decimal

import pytest
from proteus import Model, Wizard

from trytond.exceptions import UserError
from trytond.modules.termogest_clienti.tests.tools import new_customer
from trytond.modules.termogest_permessi.tests.tools import as_user
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules

from .tools import create_plant_setup, new_device, new_plant

D = Decimal
date = datetime.date


@pytest.fixture
def cfg():
    config = activate_modules('termogest_impianti', create_plant_setup)
    yield config
    drop_db()


def yes(value):
    "A stored boolean that is set and true (SQLite reads 0 and 1)"
    return value is not None and bool(value)


def no(value):
    "A stored boolean that is set and false"
    return value is not None and not value


def refused(record, *pieces, method='save'):
    with pytest.raises(UserError) as info:
        getattr(record, method)()
    for piece in pieces:
        assert piece in info.value.message, info.value.message
    return info.value.message


# Plants


def test_plant_gets_number_address_and_region(cfg):
    as_user(cfg, 'paolo')
    plant = new_plant()
    assert plant.code.startswith('IMP')
    assert plant.address == plant.party.addresses[0]
    assert plant.region.code == 'piemonte'
    assert plant.catasto_code_label == "Codice impianto"
    milan = new_plant("Luisa Verdi", city="Milano", province_code='IT-MI')
    assert milan.region.code == 'lombardia'


def test_catasto_code_checked_by_region(cfg):
    as_user(cfg, 'paolo')
    plant = new_plant()
    plant.catasto_code = 'AB-12'
    refused(plant, 'AB-12', 'Piemonte')
    plant.catasto_code = '123456'
    plant.save()
    other = new_plant("Luisa Verdi")
    other.catasto_code = '123456'
    refused(other, '123456', plant.code)


def test_supply_points_checked(cfg):
    as_user(cfg, 'paolo')
    plant = new_plant()
    plant.pdr = '1234'
    refused(plant, 'PDR', '1234')
    plant.pdr = '00881234567890'
    plant.pod = 'IT001E12345678'
    plant.save()


# Due dates (DPR 74/2013 Allegato A on the plant's aggregated power)


def test_gas_24_kw_checked_every_4_years(cfg):
    as_user(cfg, 'paolo')
    device = new_device(new_plant(), power=24,
        last_efficiency_check_date=date(2024, 3, 1))
    assert device.control_interval == 48
    assert device.next_efficiency_check_date == date(2028, 3, 1)
    assert device.report_type == '1'


def test_liquid_fuel_30_kw_every_2_years(cfg):
    as_user(cfg, 'paolo')
    device = new_device(new_plant(), power=30, fuel_code='gasoil',
        generator_class='standard',
        last_efficiency_check_date=date(2025, 1, 10))
    assert device.control_interval == 24
    assert device.next_efficiency_check_date == date(2027, 1, 10)


def test_heat_pump_15_kw_every_4_years(cfg):
    as_user(cfg, 'paolo')
    device = new_device(new_plant(), kind='heat_pump', power=15,
        fuel_code='electricity', installed=date(2022, 5, 2))
    assert device.control_interval == 48
    assert device.next_efficiency_check_date == date(2026, 5, 2)
    assert device.report_type == '2'


def test_gas_8_kw_no_periodic_check(cfg):
    as_user(cfg, 'paolo')
    device = new_device(new_plant(), kind='water_heater', power=8,
        last_efficiency_check_date=date(2024, 3, 1))
    assert device.control_interval is None
    assert device.next_efficiency_check_date is None
    assert device.control_rule is None


def test_two_60_kw_boilers_aggregate_to_120_kw(cfg):
    "Allegato A note (1): the power of the plant, not of the boiler"
    Device = Model.get('termogest.device')
    as_user(cfg, 'paolo')
    plant = new_plant("Condominio Via Nizza 45")
    first = new_device(plant, power=60,
        last_efficiency_check_date=date(2025, 2, 1))
    first.reload()
    assert first.control_interval == 48
    second = new_device(plant, power=60,
        last_efficiency_check_date=date(2025, 2, 1))
    assert second.progressive == 2
    first.reload()
    assert first.control_interval == second.control_interval == 24
    assert first.next_efficiency_check_date == date(2027, 2, 1)
    # The second is removed: back to one 60 kW boiler
    second.removal_date = date(2026, 1, 15)
    second.save()
    first.reload()
    second.reload()
    assert first.control_interval == 48
    assert second.next_efficiency_check_date is None
    assert len(Device.find([('plant', '=', plant.id)])) == 2


def test_maintenance_date_from_interval(cfg):
    as_user(cfg, 'paolo')
    device = new_device(new_plant(), last_maintenance_date=date(2025, 6, 10))
    assert device.next_maintenance_date == date(2026, 6, 10)
    device.maintenance_interval = 24
    device.save()
    assert device.next_maintenance_date == date(2027, 6, 10)
    device.last_maintenance_date = None
    device.save()
    # no maintenance yet: from the installation date
    assert device.next_maintenance_date == date(2017, 3, 1)


def test_region_override_of_the_interval(cfg):
    "An administrator changes a region's frequency without a release"
    Region = Model.get('termogest.region')
    Rule = Model.get('termogest.rule.control_frequency')
    as_user(cfg, 'paolo')
    plant = new_plant()
    device = new_device(plant, last_efficiency_check_date=date(2024, 3, 1))
    as_user(cfg, 'giulia')
    piemonte, = Region.find([('code', '=', 'piemonte')])
    rule, = Rule.find([('code', '=', 'flame_gas_lt100')])
    override = piemonte.control_overrides.new()
    override.rule = rule
    override.interval_months = 24
    piemonte.save()
    as_user(cfg, 'paolo')
    device.reload()
    assert device.control_interval == 24
    assert device.next_efficiency_check_date == date(2026, 3, 1)


def test_refrigerant_co2_equivalent(cfg):
    Refrigerant = Model.get('termogest.refrigerant')
    as_user(cfg, 'paolo')
    r410a, = Refrigerant.find([('code', '=', 'R410A')])
    device = new_device(new_plant(), kind='air_conditioner', power=7,
        fuel_code='electricity', refrigerant=r410a,
        refrigerant_charge=D('2.4'))
    assert device.co2_equivalent == D('5.011')
    device.refrigerant = None
    refused(device, 'Carica di refrigerante')


def test_future_installation_date_refused(cfg):
    as_user(cfg, 'paolo')
    plant = new_plant()
    with pytest.raises(UserError) as info:
        new_device(plant, installed=date.today() + datetime.timedelta(3))
    assert 'data futura' in info.value.message


# REE


def new_report(device, measured, co=D(48), **values):
    Report = Model.get('termogest.efficiency.report')
    Employee = Model.get('company.employee')
    report = Report(device=device)
    report.date = values.pop('date', date(2026, 10, 15))
    report.technician, = Employee.find([], limit=1)
    report.flue_temperature = D('62.4')
    report.air_temperature = D('18.2')
    report.o2 = D('4.1')
    report.co2 = D('9.3')
    report.co_dry = D(38)
    report.co_corrected = co
    report.measured_efficiency = measured
    report.nox = D(35)
    report.focolare_power = D(25)
    report.fuel_flow = D('2.54')
    report.arrival_time = datetime.time(9, 0)
    report.departure_time = datetime.time(10, 15)
    for name in ['d_room', 'd_flue', 'd_outdoor', 'd_regulation',
            'd_vents', 'd_leaks', 'd_vent_size', 'd_seal', 'e_controls',
            'e_safety', 'e_valve', 'e_exchanger', 'e_results']:
        setattr(report, name, 'yes')
    report.e_backflow = 'no'
    report.technician_signature = "Andrea Greco"
    report.responsible_signature = "Mario Rossi"
    for field, value in values.items():
        setattr(report, field, value)
    report.save()
    return report


def test_ree_pass_moves_the_due_dates(cfg):
    Booklet = Model.get('termogest.booklet')
    as_user(cfg, 'paolo')
    plant = new_plant()
    device = new_device(plant, last_efficiency_check_date=date(2022, 9, 1))
    booklet = Booklet(plant=plant)
    booklet.save()
    booklet.click('activate')
    report = new_report(device, D('90.1'))
    assert report.minimum_efficiency == D('91.76')
    assert report.reported_efficiency == D('92.10')
    assert yes(report.efficiency_ok)
    assert yes(report.co_ok)
    assert report.result == 'pass'
    report.click('done')
    assert report.state == 'done'
    device.reload()
    assert device.last_efficiency_check_date == date(2026, 10, 15)
    assert device.next_efficiency_check_date == date(2030, 10, 15)
    assert device.last_maintenance_date == date(2026, 10, 15)
    assert device.replacement_due_date is None
    booklet.reload()
    assert [e.kind for e in booklet.entries] == ['efficiency']
    assert report in booklet.reports
    # done locks the report
    report.observations = "changed later"
    refused(report, report.number)


def test_ree_fails_on_low_efficiency(cfg):
    as_user(cfg, 'paolo')
    device = new_device(new_plant())
    report = new_report(device, D('89.5'))
    assert report.reported_efficiency == D('91.50')
    assert no(report.efficiency_ok)
    assert report.result == 'fail'
    report.click('done')
    device.reload()
    # REGULATION.md §2.7 R5: replace within 180 days
    assert device.replacement_due_date == date(2027, 4, 13)


def test_ree_fails_on_corrected_co_over_1000(cfg):
    as_user(cfg, 'paolo')
    report = new_report(new_device(new_plant()), D(97), co=D(1200))
    assert yes(report.efficiency_ok)
    assert no(report.co_ok)
    assert report.result == 'fail'


def test_ree_bacharach_for_liquid_fuels(cfg):
    as_user(cfg, 'paolo')
    device = new_device(new_plant(), power=30, fuel_code='gasoil',
        generator_class='standard', installed=date(2000, 6, 1))
    report = new_report(device, D('88'))
    assert report.minimum_efficiency == D('86.95')
    # the three readings are required for gasoil
    assert report.result is None
    with pytest.raises(UserError) as info:
        report.click('done')
    assert 'Bacharach' in info.value.message
    report.bacharach1, report.bacharach2, report.bacharach3 = (
        D(1), D('1.5'), D(3))
    report.save()
    assert no(report.bacharach_ok)
    assert report.result == 'fail'
    report.bacharach3 = D(2)
    report.save()
    assert report.result == 'pass'


def test_ree_further_module_can_fail_the_report(cfg):
    as_user(cfg, 'paolo')
    report = new_report(new_device(new_plant(), power=90), D(95))
    assert report.result == 'pass'
    module = report.modules.new(module_number=2)
    for name in ['flue_temperature', 'air_temperature', 'o2', 'co2']:
        setattr(module, name, getattr(report, name))
    module.co_corrected = D(1500)
    module.measured_efficiency = D(95)
    report.save()
    assert report.result == 'fail'
    assert no(report.modules[0].co_ok)


def test_ree_prescription_stops_the_plant(cfg):
    as_user(cfg, 'paolo')
    report = new_report(new_device(new_plant()), D(95))
    report.prescriptions = "Canna fumaria ostruita"
    assert no(report.can_operate)
    report.can_operate = True
    refused(report, report.number)
    report.can_operate = False
    report.save()
    assert report.result == 'fail'


def test_ree_no_rule_needs_manual_minimum(cfg):
    "No installation date: the technician enters the minimum"
    as_user(cfg, 'paolo')
    device = new_device(new_plant(), installed=None)
    report = new_report(device, D(92))
    assert no(report.minimum_computed)
    assert report.minimum_efficiency is None
    assert report.result is None
    report.minimum_efficiency = D(90)
    report.save()
    assert report.result == 'pass'


# Maintenance due


def _due(cfg, domain=None, **context):
    Due = Model.get('termogest.maintenance.due')
    values = {'from_date': date(2026, 1, 1), 'to_date': date(2026, 12, 31)}
    values.update(context)
    with cfg.set_context(**values):
        return Due.find(domain or [])


def test_no_maintenance_customers_left_out(cfg):
    as_user(cfg, 'paolo')
    kept = new_device(new_plant("Mario Rossi"),
        last_maintenance_date=date(2025, 6, 10))
    excluded_party = new_customer("Luigi Bruni", no_maintenance=True)
    excluded_party.save()
    excluded = new_device(new_plant(party=excluded_party),
        last_maintenance_date=date(2025, 6, 10))
    assert excluded.next_maintenance_date == date(2026, 6, 10)
    dues = _due(cfg)
    assert [d.device.id for d in dues] == [kept.id]
    assert dues[0].kind == 'maintenance'
    assert dues[0].due_date == date(2026, 6, 10)
    # inactive devices are left out too
    kept.active = False
    kept.save()
    assert _due(cfg) == []


def test_due_read_after_its_device_was_serviced(cfg):
    "A listed due still reads when its date leaves the window meanwhile"
    Due = Model.get('termogest.maintenance.due')
    as_user(cfg, 'paolo')
    device = new_device(new_plant("Mario Rossi"),
        last_maintenance_date=date(2025, 6, 10))
    due, = _due(cfg, kind='maintenance')
    assert due.due_date == date(2026, 6, 10)
    device.last_maintenance_date = date(2026, 6, 1)
    device.save()
    assert _due(cfg, kind='maintenance', to_date=date(2026, 12, 31)) == []
    with cfg.set_context(from_date=date(2026, 1, 1),
            to_date=date(2026, 12, 31)):
        due = Due(due.id)
        assert due.due_date == date(2027, 6, 1)
        assert due.device.id == device.id
        assert due.kind == 'maintenance'


def test_due_list_window_and_filters(cfg):
    Contract = Model.get('termogest.contract')
    Employee = Model.get('company.employee')
    as_user(cfg, 'paolo')
    turin = new_plant("Mario Rossi")
    new_device(turin, last_maintenance_date=date(2025, 3, 1),
        last_efficiency_check_date=date(2022, 5, 1))
    milan = new_plant("Luisa Verdi", city="Milano", province_code='IT-MI')
    new_device(milan, last_maintenance_date=date(2025, 11, 1))
    technician, = Employee.find([], limit=1)
    milan.authorized_technicians.append(Employee(technician.id))
    milan.save()
    dues = _due(cfg)
    assert sorted((d.party.name, d.kind, d.due_date) for d in dues) == [
        ("Luisa Verdi", 'maintenance', date(2026, 11, 1)),
        ("Mario Rossi", 'efficiency', date(2026, 5, 1)),
        ("Mario Rossi", 'maintenance', date(2026, 3, 1)),
        ]
    assert {d.party.name for d in _due(cfg, kind='efficiency')} == {
        "Mario Rossi"}
    assert len(_due(cfg, to_date=date(2026, 4, 30))) == 1
    assert {d.party.name for d in _due(cfg, technician=technician.id)} == {
        "Luisa Verdi"}
    assert {d.city for d in _due(cfg, [('city', '=', "Milano")])} == {
        "Milano"}
    contract = Contract(party=milan.party)
    contract.plants.append(milan)
    contract.start_date = date(2026, 1, 1)
    contract.end_date = date(2026, 12, 31)
    contract.price = D(120)
    contract.save()
    contract.click('activate')
    assert {d.party.name for d in _due(cfg, contract='with')} == {
        "Luisa Verdi"}
    assert {d.party.name for d in _due(cfg, contract='without')} == {
        "Mario Rossi"}


def test_due_list_exported_to_spreadsheet(cfg):
    import io

    from openpyxl import load_workbook
    as_user(cfg, 'paolo')
    new_device(new_plant(), last_maintenance_date=date(2025, 6, 10))
    dues = _due(cfg)
    with cfg.set_context(from_date=date(2026, 1, 1),
            to_date=date(2026, 12, 31)):
        export = Wizard('termogest.maintenance.due.export', dues)
    assert export.form.count == 1
    assert export.form.filename.endswith('.xlsx')
    sheet = load_workbook(io.BytesIO(export.form.file)).active
    rows = list(sheet.values)
    assert len(rows) == 2
    assert "Mario Rossi" in rows[1]


# Contracts


def test_contract_renewal_and_expiring_list(cfg):
    Contract = Model.get('termogest.contract')
    as_user(cfg, 'paolo')
    plant = new_plant()
    today = date.today()
    contract = Contract(party=plant.party)
    contract.plants.append(plant)
    contract.start_date = today - datetime.timedelta(days=340)
    contract.end_date = today + datetime.timedelta(days=24)
    contract.price = D(150)
    contract.save()
    contract.click('activate')
    expiring = Wizard('termogest.contract.expiring')
    expiring.form.days = 30
    expiring.execute('open_')
    found = Contract.find([('state', '=', 'active'),
            ('end_date', '<=', today + datetime.timedelta(days=30))])
    assert found == [contract]
    renew = Wizard('termogest.contract.renew', [contract])
    renew.form.price_increase = D(10)
    renew.execute('renew')
    contract.reload()
    assert contract.renewal
    renewal = contract.renewal
    assert renewal.state == 'active'
    assert renewal.price == D('165.00')
    assert renewal.start_date == contract.end_date + datetime.timedelta(1)
    assert renewal.plants == [plant]
    # still active until its end
    assert contract.state == 'active'
    with pytest.raises(UserError):
        Wizard('termogest.contract.renew', [contract]).execute('renew')


def test_contract_automatic_renewal_by_cron(cfg):
    Contract = Model.get('termogest.contract')
    as_user(cfg, 'paolo')
    plant = new_plant()
    contract = Contract(party=plant.party)
    contract.plants.append(plant)
    contract.start_date = date(2024, 1, 1)
    contract.end_date = date(2024, 12, 31)
    contract.price = D(100)
    contract.automatic_renewal = True
    contract.save()
    contract.click('activate')
    manual = Contract(party=plant.party)
    manual.plants.append(Model.get('termogest.plant')(plant.id))
    manual.start_date = date(2024, 1, 1)
    manual.end_date = date(2024, 12, 31)
    manual.automatic_renewal = False
    manual.save()
    manual.click('activate')
    Cron = Model.get('ir.cron')
    cron, = Cron.find([('method', '=', 'termogest.contract|process_expired')])
    set_admin(cfg)
    cron.click('run_once')
    as_user(cfg, 'paolo')
    contract.reload()
    manual.reload()
    assert manual.state == 'expired'
    assert contract.state == 'expired'
    renewals = Contract.find([('renewed_from', '=', contract.id)])
    assert len(renewals) == 1
    # renewed until it reaches today
    last = renewals[0]
    while last.renewal:
        last = last.renewal
    assert last.state == 'active'
    assert last.end_date >= date.today()


def set_admin(cfg):
    from trytond.tests.tools import set_user
    set_user(1, cfg)
