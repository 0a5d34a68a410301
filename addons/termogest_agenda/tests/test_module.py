# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime

from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.company.tests.test_module import (
    PartyCompanyCheckEraseMixin)
from trytond.modules.party.tests.test_module import PartyCheckReplaceMixin
from trytond.modules.termogest_agenda.appointment import (
    local_date, navigation_links)
from trytond.modules.termogest_agenda.intervention import signature_digest
from trytond.tests.test_tryton import ModuleTestCase


class TermogestAgendaTestCase(
        PartyCheckReplaceMixin, PartyCompanyCheckEraseMixin,
        CompanyTestMixin, ModuleTestCase):
    "Test TermoGest Agenda module"
    module = 'termogest_agenda'

    def test_signature_digest_canonical(self):
        "The digest does not depend on key order and sees any change"
        a = signature_digest({'a': 1, 'b': 'x'})
        self.assertEqual(a, signature_digest({'b': 'x', 'a': 1}))
        self.assertNotEqual(a, signature_digest({'a': 1, 'b': 'y'}))
        self.assertEqual(len(a), 64)

    def test_local_date(self):
        "A late evening appointment in Rome is on the Italian date"
        class Company:
            timezone = 'Europe/Rome'
        utc = datetime.datetime(2026, 6, 30, 22, 30)
        self.assertEqual(
            local_date(utc, Company()), datetime.date(2026, 7, 1))

    def test_navigation_links(self):
        "The address becomes a geo: URI and a maps URL"
        class Named:
            def __init__(self, name):
                self.name = name

        class Address:
            street = 'Via Nizza 45'
            postal_code = '10125'
            city = 'Torino'
            subdivision = Named('Torino')
            country = Named('Italia')
        geo, url = navigation_links(Address())
        self.assertEqual(
            geo, 'geo:0,0?q=Via+Nizza+45%2C+10125+Torino%2C+Torino%2C+Italia')
        self.assertTrue(url.startswith(
                'https://www.google.com/maps/search/?api=1&query=Via+Nizza'))
        self.assertEqual(navigation_links(None), (None, None))


del ModuleTestCase
