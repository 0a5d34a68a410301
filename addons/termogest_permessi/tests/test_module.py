# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.termogest_permessi.checks import is_email
from trytond.modules.termogest_permessi.sections import (
    SECTION_GROUPS, implied_sections, normalize_login, valid_login,
    valid_prefix)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction


class TermogestPermessiTestCase(CompanyTestMixin, ModuleTestCase):
    "Test TermoGest Permessi module"
    module = 'termogest_permessi'

    def test_normalize_login_adds_prefix_and_lowercases(self):
        self.assertEqual(
            normalize_login('Mario Rossi', 'rossiimpianti'),
            'rossiimpianti.mariorossi')
        self.assertEqual(
            normalize_login('RossiImpianti.Niccolò', 'rossiimpianti'),
            'rossiimpianti.niccolo')
        self.assertEqual(normalize_login(' Luca ', None), 'luca')

    def test_valid_login(self):
        self.assertTrue(valid_login('rossiimpianti.mario', 'rossiimpianti'))
        self.assertTrue(
            valid_login('rossiimpianti.mario.rossi', 'rossiimpianti'))
        self.assertFalse(valid_login('rossiimpianti.', 'rossiimpianti'))
        self.assertFalse(valid_login('rossiimpianti.ma@rio', 'rossiimpianti'))
        self.assertFalse(valid_login('mario', 'rossiimpianti'))
        self.assertTrue(valid_login('anything', None))

    def test_is_email(self):
        self.assertTrue(is_email('rossiimpianti@pec.it'))
        self.assertTrue(is_email('mario.rossi+cat@legalmail.example.it'))
        for value in ['', 'non-una-pec', 'a@b', 'a@@b.it', 'a b@c.it',
                'a@-b.it', 'a@b.i', 'a.@b.it']:
            self.assertFalse(is_email(value), value)

    def test_valid_prefix(self):
        self.assertTrue(valid_prefix('rossiimpianti'))
        self.assertTrue(valid_prefix('rossi-impianti'))
        self.assertFalse(valid_prefix('rossi.impianti'))
        self.assertFalse(valid_prefix(''))

    def test_sub_sections_imply_customers(self):
        self.assertEqual(
            implied_sections({'access_devices'}),
            {'access_devices', 'access_customers'})
        self.assertEqual(
            implied_sections({'access_calls_edit'}),
            {'access_calls_edit', 'access_calls', 'access_customers'})
        self.assertEqual(
            implied_sections({'access_agenda_edit'}),
            {'access_agenda_edit', 'access_agenda_read'})

    @with_transaction()
    def test_every_section_field_has_its_group(self):
        pool = Pool()
        User = pool.get('res.user')
        ids = User._group_ids(SECTION_GROUPS.values())
        self.assertEqual(len(set(ids.values())), len(SECTION_GROUPS))
        for name in SECTION_GROUPS:
            self.assertIn(name, User._fields)

    @with_transaction()
    def test_rule_context_knows_current_employees(self):
        "Later modules write 'own records' rules with Eval('employees')"
        pool = Pool()
        Rule = pool.get('ir.rule')
        User = pool.get('res.user')
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        company = create_company()
        with set_company(company):
            party, = Party.create([{'name': "Luca Ferri"}])
            employee, = Employee.create([{
                        'party': party.id, 'company': company.id}])
            user, = User.create([{
                        'login': 'luca', 'name': "Luca Ferri",
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        'employees': [('add', [employee.id])],
                        'employee': employee.id,
                        }])
        with Transaction().set_user(user.id):
            context = Rule._get_context('res.user')
            key = Rule._get_cache_key({'res.user'})
        self.assertEqual(context['employees'], (employee.id,))
        self.assertEqual(context['user_id'], user.id)
        self.assertIn(user.id, key)


del ModuleTestCase
