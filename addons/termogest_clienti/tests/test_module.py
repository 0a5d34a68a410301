# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.company.tests.test_module import (
    PartyCompanyCheckEraseMixin)
from trytond.modules.party.tests.test_module import PartyCheckReplaceMixin
from trytond.modules.termogest_clienti.party import mentions
from trytond.modules.termogest_clienti.subjects import (
    detect_subject_type, sdi_code_problem)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class TermogestClientiTestCase(
        PartyCheckReplaceMixin, PartyCompanyCheckEraseMixin,
        CompanyTestMixin, ModuleTestCase):
    "Test TermoGest Clienti module"
    module = 'termogest_clienti'

    def test_detect_person(self):
        self.assertEqual(
            detect_subject_type(fiscal_code='RSSMRA85T10A562S'), 'person')

    def test_detect_sole_trader(self):
        self.assertEqual(detect_subject_type(
                fiscal_code='RSSMRA85T10A562S', vat_number='09876540015'),
            'sole_trader')

    def test_detect_company(self):
        self.assertEqual(
            detect_subject_type(fiscal_code='09876540015'), 'company')
        self.assertEqual(
            detect_subject_type(vat_number='09876540015'), 'company')

    def test_detect_public_administration_by_six_character_code(self):
        self.assertEqual(detect_subject_type(
                fiscal_code='80012345678', sdi_code='UFABCD'),
            'public_administration')

    def test_detect_foreign_by_country_or_eu_vat(self):
        self.assertEqual(detect_subject_type(
                fiscal_code='RSSMRA85T10A562S', country_code='FR'), 'foreign')
        self.assertEqual(
            detect_subject_type(vat_number='DE136695976'), 'foreign')
        self.assertEqual(detect_subject_type(
                vat_number='IT09876540015', country_code='IT'), 'company')

    def test_detect_condominium(self):
        self.assertEqual(detect_subject_type(
                fiscal_code='97012345678', building_owner=True),
            'condominium')
        # A private landlord stays a person
        self.assertEqual(detect_subject_type(
                fiscal_code='RSSMRA85T10A562S', building_owner=True),
            'person')
        # A landlord company with a partita IVA stays a company
        self.assertEqual(detect_subject_type(
                vat_number='09876540015', building_owner=True), 'company')

    def test_detect_nothing_without_data(self):
        self.assertIsNone(detect_subject_type())

    def test_sdi_code_rules(self):
        self.assertIsNone(sdi_code_problem('0000000', 'person'))
        self.assertIsNone(sdi_code_problem('M5UXCR1', 'company'))
        self.assertIsNone(sdi_code_problem(None, 'company'))
        self.assertIsNone(sdi_code_problem('UFABCD', 'public_administration'))
        self.assertIsNone(sdi_code_problem('XXXXXXX', 'foreign'))
        self.assertEqual(
            sdi_code_problem(None, 'public_administration'),
            'msg_sdi_code_public_administration')
        self.assertEqual(
            sdi_code_problem('M5UXCR1', 'public_administration'),
            'msg_sdi_code_public_administration')
        self.assertEqual(
            sdi_code_problem('UFABCD', 'company'),
            'msg_sdi_code_six_not_public_administration')
        self.assertEqual(
            sdi_code_problem('m5uxcr1', 'company'), 'msg_sdi_code_characters')
        self.assertEqual(
            sdi_code_problem('0000000', 'foreign'), 'msg_sdi_code_foreign')
        self.assertEqual(
            sdi_code_problem('XXXXXXX', 'person'),
            'msg_sdi_code_foreign_only')

    def test_mentions(self):
        self.assertTrue(mentions([('trashed_at', '!=', None)], 'trashed_at'))
        self.assertTrue(mentions(
                ['OR', [('name', '=', 'x')], ('trashed_at', '=', None)],
                'trashed_at'))
        self.assertFalse(mentions([('name', '=', 'trashed_at')], 'trashed_at'))
        self.assertFalse(mentions([], 'trashed_at'))

    @with_transaction()
    def test_verify_buttons_open_the_agenzia_entrate_pages(self):
        pool = Pool()
        Party = pool.get('party.party')
        ActionUrl = pool.get('ir.action.url')
        party = Party(name="Mario Rossi")
        party.save()
        for button, page in [
                ('verify_vat_number', 'VerificaPIVA'),
                ('verify_fiscal_code', 'VerificaCF')]:
            action_id = getattr(Party, button)([party])
            action, = ActionUrl.search([('action', '=', action_id)])
            self.assertIn(
                'https://telematici.agenziaentrate.gov.it/' + page,
                action.url)


del ModuleTestCase
