# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class TermogestFatturapaTestCase(CompanyTestMixin, ModuleTestCase):
    "Test TermoGest FatturaPA module"
    module = 'termogest_fatturapa'


del ModuleTestCase
