# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import csv
import datetime
from collections import namedtuple
from decimal import Decimal
from pathlib import Path

from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.company.tests.test_module import (
    PartyCompanyCheckEraseMixin)
from trytond.modules.party.tests.test_module import PartyCheckReplaceMixin
from trytond.modules.termogest_impianti.regulation import (
    add_months, aggregate_powers, co2_equivalent, combustion_test,
    control_rule, minimum_efficiency)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

D = Decimal
MODULE = Path(__file__).parents[1]
SHARED = Path(__file__).parents[3].parent / 'shared' / 'regulation'


def _b_rows():
    "The Allegato B rows as the module's data loads them"
    Row = namedtuple('Row', ['heat_carrier', 'generator_class',
            'installed_from', 'installed_to', 'coeff_a', 'coeff_b',
            'power_cap'])
    date = datetime.date
    rows = [
        ('water', 'any', None, date(1993, 10, 28), '82', '2'),
        ('water', 'any', date(1993, 10, 29), date(1997, 12, 31), '84', '2'),
        ('water', 'standard', date(1998, 1, 1), date(2005, 10, 7), '84',
            '2'),
        ('water', 'low_temperature', date(1998, 1, 1), date(2005, 10, 7),
            '87.5', '1.5'),
        ('water', 'gas_condensing', date(1998, 1, 1), date(2005, 10, 7),
            '91', '1'),
        ('water', 'gas_condensing', date(2005, 10, 8), None, '89', '2'),
        ('water', 'not_gas_condensing', date(2005, 10, 8), None, '87', '2'),
        ('air', 'any', None, date(1993, 10, 28), '77', '2'),
        ('air', 'any', date(1993, 10, 29), None, '80', '2'),
        ]
    return [Row(c, k, f, t, D(a), D(b), D(400)) for c, k, f, t, a, b in rows]


def _a_rows():
    Row = namedtuple('Row', ['supply', 'power_min', 'power_min_inclusive',
            'power_max', 'power_max_inclusive', 'interval_years',
            'report_type'])
    rows = [
        ('liquid_solid_fuel', 10, False, 100, False, 2, '1'),
        ('liquid_solid_fuel', 100, True, None, False, 1, '1'),
        ('gas', 10, False, 100, False, 4, '1'),
        ('gas', 100, True, None, False, 2, '1'),
        ('electric_compression_or_direct_flame_absorption', 12, False, 100,
            False, 4, '2'),
        ('electric_compression_or_direct_flame_absorption', 100, True, None,
            False, 2, '2'),
        ('engine_driven_compression', 12, True, None, False, 4, '2'),
        ('thermal_absorption', 12, True, None, False, 2, '2'),
        ('substation', 10, False, None, False, 4, '3'),
        ('micro_cogeneration', None, False, 50, False, 4, '4'),
        ('cogeneration_unit', 50, True, None, False, 2, '4'),
        ]
    return [Row(s, D(lo) if lo is not None else None, li,
            D(hi) if hi is not None else None, hi_i, y, t)
        for s, lo, li, hi, hi_i, y, t in rows]


class TermogestImpiantiTestCase(
        PartyCheckReplaceMixin, PartyCompanyCheckEraseMixin,
        CompanyTestMixin, ModuleTestCase):
    "Test TermoGest Impianti module"
    module = 'termogest_impianti'

    # DPR 74/2013 Allegato B, hand-computed (REGULATION.md §2.8)
    ALLEGATO_B_CASES = [
        # power, installed, carrier, class, expected
        (24, (2015, 3, 1), 'water', 'gas_condensing', '91.76'),
        (28, (2000, 6, 1), 'water', 'standard', '86.89'),
        (35, (2003, 1, 1), 'water', 'low_temperature', '89.82'),
        (500, (2010, 1, 1), 'water', 'standard', '92.20'),
        (400, (2010, 1, 1), 'water', 'standard', '92.20'),
        (30, (1993, 10, 28), 'water', 'standard', '84.95'),
        (30, (1993, 10, 29), 'water', 'standard', '86.95'),
        (30, (1997, 12, 31), 'water', 'gas_condensing', '86.95'),
        (20, (2000, 1, 1), 'water', 'gas_condensing', '92.30'),
        (100, (2005, 10, 7), 'water', 'gas_condensing', '93.00'),
        (100, (2005, 10, 8), 'water', 'gas_condensing', '93.00'),
        (100, (2005, 10, 8), 'water', 'low_temperature', '91.00'),
        (10, (1985, 1, 1), 'water', 'standard', '84.00'),
        (50, (1995, 1, 1), 'air', 'standard', '83.40'),
        (50, (1993, 10, 28), 'air', 'standard', '80.40'),
        (50, (1993, 10, 29), 'air', 'standard', '83.40'),
        (1000, (2020, 1, 1), 'air', 'standard', '85.20'),
        ]

    def test_allegato_b_cases(self):
        "Allegato B minimum efficiency against hand-computed cases"
        rows = _b_rows()
        for power, installed, carrier, class_, expected in (
                self.ALLEGATO_B_CASES):
            with self.subTest(power=power, installed=installed,
                    carrier=carrier, class_=class_):
                self.assertEqual(minimum_efficiency(
                        D(power), datetime.date(*installed), carrier,
                        class_, rows), D(expected))

    def test_allegato_b_cap(self):
        "Above 400 kW the formula uses 400 kW"
        rows = _b_rows()
        installed = datetime.date(2010, 1, 1)
        self.assertEqual(
            minimum_efficiency(D(401), installed, 'water', 'standard', rows),
            minimum_efficiency(D(2000), installed, 'water', 'standard',
                rows))

    def test_allegato_b_no_rule(self):
        "No data or no matching rule gives no minimum"
        rows = _b_rows()
        self.assertIsNone(minimum_efficiency(
                D(24), None, 'water', 'standard', rows))
        self.assertIsNone(minimum_efficiency(
                D(24), datetime.date(2010, 1, 1), 'oil', 'standard', rows))

    def test_allegato_b_matches_shared_table(self):
        "The rows in the tests are the rows of regulation/allegato_b.csv"
        path = SHARED / 'allegato_b.csv'
        if not path.exists():
            self.skipTest("../shared/regulation is not beside the clone")
        with path.open(encoding='utf-8') as file:
            shared = list(csv.DictReader(file))
        rows = _b_rows()
        self.assertEqual(len(shared), len(rows))
        for row, ours in zip(shared, rows):
            self.assertEqual(row['heat_carrier'], ours.heat_carrier)
            self.assertEqual(row['generator_class'], ours.generator_class)
            self.assertEqual(D(row['coeff_a']), ours.coeff_a)
            self.assertEqual(D(row['coeff_b']), ours.coeff_b)

    ALLEGATO_A_CASES = [
        # supply, power, expected years (None: no periodic check)
        ('gas', 24, 4),
        ('gas', 10, None),
        ('gas', 8, None),
        ('gas', '10.01', 4),
        ('gas', '99.99', 4),
        ('gas', 100, 2),
        ('gas', 120, 2),
        ('liquid_solid_fuel', 30, 2),
        ('liquid_solid_fuel', 100, 1),
        ('liquid_solid_fuel', 10, None),
        ('electric_compression_or_direct_flame_absorption', 15, 4),
        ('electric_compression_or_direct_flame_absorption', 12, None),
        ('electric_compression_or_direct_flame_absorption', 150, 2),
        ('engine_driven_compression', 12, 4),
        ('thermal_absorption', 12, 2),
        ('thermal_absorption', 11, None),
        ('substation', 10, None),
        ('substation', 11, 4),
        ('micro_cogeneration', 49, 4),
        ('micro_cogeneration', 50, None),
        ('cogeneration_unit', 50, 2),
        ]

    def test_allegato_a_cases(self):
        "Allegato A interval per row and boundary"
        rows = _a_rows()
        for supply, power, expected in self.ALLEGATO_A_CASES:
            with self.subTest(supply=supply, power=power):
                rule = control_rule(supply, D(power), rows)
                self.assertEqual(
                    rule.interval_years if rule else None, expected)

    def test_aggregate_powers(self):
        "Two 60 kW gas boilers make 120 kW: every 2 years"
        totals = aggregate_powers([
                (1, 'gas', D(60)), (2, 'gas', D(60)),
                (3, 'electric_compression_or_direct_flame_absorption', D(8)),
                (4, None, D(5)),
                ])
        self.assertEqual(totals['gas'], D(120))
        self.assertEqual(
            control_rule('gas', totals['gas'], _a_rows()).interval_years, 2)

    def test_add_months(self):
        self.assertEqual(add_months(datetime.date(2024, 3, 1), 48),
            datetime.date(2028, 3, 1))
        self.assertEqual(add_months(datetime.date(2024, 1, 31), 1),
            datetime.date(2024, 2, 29))
        self.assertEqual(add_months(datetime.date(2023, 12, 15), 12),
            datetime.date(2024, 12, 15))

    def test_combustion_pass(self):
        "90.1 % measured + 2 = 92.1 % >= 91.76 %: pass"
        test = combustion_test(D('90.1'), D('91.76'), D(2), D(48), D(1000))
        self.assertEqual(test['reported'], D('92.10'))
        self.assertTrue(test['efficiency_ok'])
        self.assertTrue(test['co_ok'])
        self.assertTrue(test['ok'])

    def test_combustion_fail_efficiency(self):
        test = combustion_test(D('89.5'), D('91.76'), D(2), D(48), D(1000))
        self.assertFalse(test['efficiency_ok'])
        self.assertFalse(test['ok'])

    def test_combustion_fail_co(self):
        "Corrected CO above 1000 ppm fails whatever the efficiency"
        test = combustion_test(D(97), D('91.76'), D(2), D('1000.01'),
            D(1000))
        self.assertTrue(test['efficiency_ok'])
        self.assertFalse(test['co_ok'])
        self.assertFalse(test['ok'])
        self.assertTrue(combustion_test(
                D(97), D('91.76'), D(2), D(1000), D(1000))['ok'])

    def test_combustion_bacharach(self):
        "Liquid fuels: the worst of three readings against the maximum"
        ok = combustion_test(D(91), D(88), D(2), D(50), D(1000),
            bacharach=[D(1), D(2), D('1.5')], bacharach_max=D(2),
            bacharach_required=True)
        self.assertTrue(ok['bacharach_ok'])
        self.assertTrue(ok['ok'])
        ko = combustion_test(D(91), D(88), D(2), D(50), D(1000),
            bacharach=[D(1), D(3), D('1.5')], bacharach_max=D(2),
            bacharach_required=True)
        self.assertFalse(ko['bacharach_ok'])
        self.assertFalse(ko['ok'])

    def test_combustion_solid_fuel(self):
        "Solid fuels: only CO is checked"
        test = combustion_test(None, None, D(2), D(300), D(1000),
            efficiency_test=False)
        self.assertIsNone(test['efficiency_ok'])
        self.assertTrue(test['ok'])

    def test_combustion_incomplete(self):
        self.assertIsNone(combustion_test(
                None, D(91), D(2), D(50), D(1000))['ok'])

    def test_co2_equivalent(self):
        "R410A 2.4 kg: about 5 t CO2-eq"
        self.assertEqual(co2_equivalent(D('2.4'), 2088), D('5.011'))
        self.assertIsNone(co2_equivalent(None, 675))

    @with_transaction()
    def test_rules_loaded(self):
        "The module loads Allegato A and B as editable records"
        pool = Pool()
        Frequency = pool.get('termogest.rule.control_frequency')
        Efficiency = pool.get('termogest.rule.minimum_efficiency')
        Region = pool.get('termogest.region')
        self.assertEqual(Frequency.search([], count=True), 11)
        self.assertEqual(Efficiency.search([], count=True), 9)
        self.assertEqual(
            {r.code for r in Region.search([])},
            {'generic', 'lombardia', 'piemonte', 'veneto',
                'emilia_romagna', 'toscana'})
        rows = Efficiency.search([])
        self.assertEqual(minimum_efficiency(
                D(24), datetime.date(2015, 3, 1), 'water', 'gas_condensing',
                rows), D('91.76'))
        rows = Frequency.search([])
        self.assertEqual(control_rule('gas', D(24), rows).interval_years, 4)


del ModuleTestCase
