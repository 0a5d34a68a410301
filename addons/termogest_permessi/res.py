# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import (
    AccountLoginError, AccountPasswordError, AccountSectionError,
    AccountSlotError)
from .sections import (
    BASE_GROUPS, IMPLIES, MIN_PASSWORD_LENGTH, NEEDS_CUSTOMERS, ROLE_GROUPS,
    ROLE_SLOT, ROLES, SECTION_GROUPS, implied_sections, normalize_login,
    valid_login)

# The built-in superuser keeps its login.
_FIXED_LOGINS = {'admin'}


def _access_field(string, help):
    return fields.Function(
        fields.Boolean(string, help=help),
        'get_access', setter='set_access')


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    termogest_role = fields.Selection(
        [(None, "")] + ROLES, "Account Kind",
        help="Secretary: office sections.\n"
        "Technician: own appointments and interventions.\n"
        "Owner: a secretary account linked to a technician employee.")
    technician = fields.Function(fields.Many2One(
            'company.employee', "Technician",
            states={
                'invisible': ~Eval('termogest_role').in_(
                    ['technician', 'owner']),
                },
            help="The technician employee this account works as."),
        'get_technician', setter='set_technician')

    access_admin = _access_field(
        "Administrator",
        "Manage users, company data and the whole configuration.")
    access_chief_technician = _access_field(
        "Chief Technician",
        "See every technician's appointments and complete interventions.")
    access_customers = _access_field(
        "Customers", "See the customer registry; every customer-card "
        "section below needs it.")
    access_customers_full = _access_field(
        "Customers: Create and See All",
        "Create customers, search and see every customer.")
    access_customer_notes = _access_field(
        "Reserved Notes", "Read and write the customers' reserved notes.")
    access_interventions = _access_field(
        "Interventions", "The interventions section of the customer card.")
    access_devices = _access_field(
        "Devices", "The devices section of the customer card.")
    access_calls = _access_field(
        "Calls", "See the calls section of the customer card.")
    access_calls_edit = _access_field(
        "Calls: Edit", "Create and edit calls.")
    access_booklets = _access_field(
        "Booklets", "The plant booklets section of the customer card.")
    access_contracts = _access_field(
        "Contracts", "The maintenance contracts section.")
    access_quotes = _access_field(
        "Quotes", "The quotes section of the customer card.")
    access_invoices = _access_field(
        "Invoices", "The invoices section of the customer card.")
    access_agenda_read = _access_field(
        "Agenda: Read", "See every technician's agenda.")
    access_agenda_edit = _access_field(
        "Agenda: Edit", "Edit every technician's agenda.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'change_password': {},
                })

    @classmethod
    def default_language(cls):
        "New accounts speak the language of the database (Italian)"
        pool = Pool()
        Configuration = pool.get('ir.configuration')
        Lang = pool.get('ir.lang')
        langs = Lang.search([
                ('code', '=', Configuration.get_language()),
                ('translatable', '=', True),
                ], limit=1)
        if langs:
            return langs[0].id

    @classmethod
    @ModelView.button_action('termogest_permessi.wizard_user_password')
    def change_password(cls, users):
        pass

    @classmethod
    def _group_ids(cls, xml_ids):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        return {
            x: ModelData.get_id('termogest_permessi', x) for x in xml_ids}

    @classmethod
    def get_access(cls, users, names):
        group_ids = cls._group_ids(SECTION_GROUPS.values())
        result = {n: {} for n in names}
        for user in users:
            user_groups = {g.id for g in user.groups}
            for name in names:
                result[name][user.id] = (
                    group_ids[SECTION_GROUPS[name]] in user_groups)
        return result

    @classmethod
    def set_access(cls, users, name, value):
        group_ids = cls._group_ids(SECTION_GROUPS.values())
        if value:
            names = implied_sections({name})
            action = 'add'
        else:
            names = {name}
            action = 'remove'
        cls.write(list(users), {
                'groups': [(action, [
                            group_ids[SECTION_GROUPS[n]] for n in names])],
                })

    @fields.depends(*SECTION_GROUPS)
    def on_change_with_access_customers(self):
        # Ticking a customer-card section ticks the registry it needs.
        ticked = {n for n in NEEDS_CUSTOMERS if getattr(self, n, False)}
        return bool(self.access_customers or ticked)

    @fields.depends(*SECTION_GROUPS)
    def on_change_access_customers(self):
        # Unticking the registry unticks the sections that need it.
        if not self.access_customers:
            for name in NEEDS_CUSTOMERS:
                setattr(self, name, False)

    def _on_change_implies(self, name):
        if getattr(self, name, False):
            for implied in IMPLIES.get(name, ()):
                setattr(self, implied, True)

    @fields.depends('access_calls_edit', 'access_calls')
    def on_change_access_calls_edit(self):
        self._on_change_implies('access_calls_edit')

    @fields.depends('access_agenda_edit', 'access_agenda_read')
    def on_change_access_agenda_edit(self):
        self._on_change_implies('access_agenda_edit')

    def get_technician(self, name):
        if self.employee:
            return self.employee.id
        if len(self.employees) == 1:
            return self.employees[0].id

    @classmethod
    def set_technician(cls, users, name, value):
        for user in users:
            if value:
                # An account works as one technician: replace the previous.
                others = [e.id for e in user.employees if e.id != value]
                cls.write([user], {
                        'employees': [('remove', others), ('add', [value])],
                        'employee': value,
                        })
            elif user.employee:
                cls.write([user], {
                        'employees': [('remove', [user.employee.id])],
                        'employee': None,
                        })

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('termogest.configuration')
        values = super().preprocess_values(mode, values)
        login = values.get('login')
        if login and login not in _FIXED_LOGINS:
            prefix = Configuration(1).username_prefix
            if prefix:
                values['login'] = normalize_login(login, prefix)
        return values

    @classmethod
    def validate_fields(cls, users, field_names):
        super().validate_fields(users, field_names)
        cls.check_termogest_login(users, field_names)
        cls.check_account_slots(users, field_names)
        cls.check_customer_sections(users, field_names)

    @classmethod
    def check_termogest_login(cls, users, field_names=None):
        pool = Pool()
        Configuration = pool.get('termogest.configuration')
        if field_names and not {'login', 'termogest_role'} & field_names:
            return
        prefix = Configuration(1).username_prefix
        if not prefix:
            return
        for user in users:
            if (user.termogest_role and user.login not in _FIXED_LOGINS
                    and not valid_login(user.login, prefix)):
                raise AccountLoginError(gettext(
                        'termogest_permessi.msg_login_invalid',
                        user=user.name or user.login, login=user.login,
                        prefix=prefix))

    @classmethod
    def accounts_in_use(cls, slot):
        "Count the active accounts that take a slot of that kind"
        roles = [r for r, s in ROLE_SLOT.items() if s == slot]
        with Transaction().set_context(active_test=True):
            return cls.search([('termogest_role', 'in', roles)], count=True)

    @classmethod
    def check_account_slots(cls, users, field_names=None):
        pool = Pool()
        Configuration = pool.get('termogest.configuration')
        if field_names and not {'termogest_role', 'active'} & field_names:
            return
        configuration = Configuration(1)
        for slot in set(ROLE_SLOT.values()):
            slot_users = [
                u for u in users
                if u.active and ROLE_SLOT.get(u.termogest_role) == slot]
            if not slot_users:
                continue
            # Two administrators activating accounts at once must not both
            # take the last slot.
            cls.lock()
            limit = configuration.limit(slot)
            in_use = cls.accounts_in_use(slot)
            if in_use > limit:
                raise AccountSlotError(gettext(
                        f'termogest_permessi.msg_{slot}_slots_exceeded',
                        user=slot_users[0].name or slot_users[0].login,
                        in_use=in_use - len(slot_users), limit=limit))

    @classmethod
    def check_customer_sections(cls, users, field_names=None):
        if field_names and 'groups' not in field_names:
            return
        group_ids = cls._group_ids(SECTION_GROUPS.values())
        customers = group_ids['group_customers']
        for user in users:
            user_groups = {g.id for g in user.groups}
            if customers in user_groups:
                continue
            orphans = [
                n for n in sorted(NEEDS_CUSTOMERS)
                if group_ids[SECTION_GROUPS[n]] in user_groups]
            if orphans:
                labels = [
                    f['string'] for f in cls.fields_get(orphans).values()]
                raise AccountSectionError(gettext(
                        'termogest_permessi.msg_sections_need_customers',
                        user=user.name or user.login,
                        sections=', '.join(labels)))

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        if mode in {'create', 'write'} and (
                field_names is None or 'termogest_role' in field_names):
            cls._sync_role_groups(users)
            cls._ensure_technician_employee(users)

    @classmethod
    def _sync_role_groups(cls, users):
        "Give each account the base groups of its kind, and only those"
        group_ids = cls._group_ids(BASE_GROUPS)
        by_role = defaultdict(list)
        for user in users:
            if user.termogest_role:
                by_role[user.termogest_role].append(user)
        for role, role_users in by_role.items():
            wanted = ROLE_GROUPS[role]
            actions = [('add', [group_ids[g] for g in wanted])]
            if BASE_GROUPS - wanted:
                actions.append(('remove', [
                            group_ids[g] for g in BASE_GROUPS - wanted]))
            cls.write(role_users, {'groups': actions})

    @classmethod
    def _ensure_technician_employee(cls, users):
        "Give a technician account without employee a technician card"
        pool = Pool()
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        todo = [
            u for u in users
            if u.termogest_role == 'technician' and not u.employees
            and u.company]
        if not todo:
            return
        parties = Party.create([{'name': u.name or u.login} for u in todo])
        employees = Employee.create([{
                    'party': p.id,
                    'company': u.company.id,
                    } for u, p in zip(todo, parties)])
        for user, employee in zip(todo, employees):
            cls.write([user], {
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    })

    @classmethod
    def validate_password(cls, password, users):
        # Characters, as the message says (trytond then checks bytes).
        length = max(
            MIN_PASSWORD_LENGTH,
            config.getint('password', 'length', default=0))
        if len(password) < length:
            names = ', '.join(
                getattr(u, 'name', None) or getattr(u, 'login', None) or '?'
                for u in users)
            raise AccountPasswordError(gettext(
                    'termogest_permessi.msg_password_too_short',
                    user=names, length=length, actual=len(password)))
        super().validate_password(password, users)


class ChangePasswordStart(ModelView):
    __string__ = "Change Password"
    __name__ = 'termogest.user.password.start'

    user = fields.Many2One('res.user', "Account", readonly=True)
    password = fields.Char("New Password", required=True)
    confirmation = fields.Char("Repeat the Password", required=True)


class ChangePassword(Wizard):
    __name__ = 'termogest.user.password'

    start = StateView(
        'termogest.user.password.start',
        'termogest_permessi.user_password_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Change", 'change', 'tryton-ok', default=True),
            ])
    change = StateTransition()

    def default_start(self, fields):
        return {'user': self.record.id}

    def transition_change(self):
        pool = Pool()
        User = pool.get('res.user')
        if self.start.password != self.start.confirmation:
            raise AccountPasswordError(gettext(
                    'termogest_permessi.msg_password_mismatch',
                    user=self.record.rec_name))
        User.write([self.record], {'password': self.start.password})
        return 'end'


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.domain.help += (
            '\n- "employees" as list of ids of the current user\'s employees'
            '\n- "user_id" as the id of the current user')

    @classmethod
    def _get_cache_key(cls, model_names):
        pool = Pool()
        User = pool.get('res.user')
        key = super()._get_cache_key(model_names)
        return (*key, User.get_employees(), Transaction().user)

    @classmethod
    def _get_context(cls, model_name):
        pool = Pool()
        User = pool.get('res.user')
        context = super()._get_context(model_name)
        context['employees'] = User.get_employees()
        context['user_id'] = Transaction().user
        return context
