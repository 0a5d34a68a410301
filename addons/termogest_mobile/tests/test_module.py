# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime

from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.termogest_mobile import api
from trytond.tests.test_tryton import ModuleTestCase


class TermogestMobileTestCase(CompanyTestMixin, ModuleTestCase):
    "Test TermoGest Mobile module"
    module = 'termogest_mobile'

    def test_parse_time(self):
        "HH:MM becomes a time, anything else is refused"
        self.assertEqual(api.parse_time('08:30'), datetime.time(8, 30))
        self.assertIsNone(api.parse_time(''))
        for value in ['24:00', '8.30', 'x']:
            with self.assertRaises(ValueError):
                api.parse_time(value)

    def test_appointment_changes(self):
        "The changes compare what the phone had with the current values"
        labels = {name: name.title() for name, _ in api.CHANGE_GETTERS}
        seen = {'date': '2026-11-25', 'start_time': '08:00',
            'end_time': '09:00', 'kind_label': "Manutenzione",
            'customer': {'name': "Mario Rossi"}, 'devices': []}
        current = dict(seen, start_time='10:00', end_time='11:00')
        self.assertEqual(api.appointment_changes(seen, current, labels), [{
                    'field': 'Schedule',
                    'old': '2026-11-25 08:00-09:00',
                    'new': '2026-11-25 10:00-11:00'}])
        self.assertEqual(api.appointment_changes(seen, seen, labels), [])
        self.assertEqual(api.appointment_changes(None, seen, labels), [])

    def test_version_stable(self):
        "The version depends on the values, not on their order"
        self.assertEqual(
            api.version_of({'a': 1, 'b': [1, 2]}),
            api.version_of({'b': [1, 2], 'a': 1}))
        self.assertNotEqual(
            api.version_of({'a': 1}), api.version_of({'a': 2}))


del ModuleTestCase
