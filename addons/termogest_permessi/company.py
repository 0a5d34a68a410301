# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
from email.message import EmailMessage

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.sendmail import send_message_transactional
from trytond.transaction import Transaction

from .checks import is_email
from .codes import FISCAL_REGIMES, LIQUIDATION_STATUS, SOLE_SHAREHOLDER
from .exceptions import CompanyDataError, TechnicianLinkError

# Company fields kept on the company's party, edited from the company form.
PARTY_FIELDS = [
    'company_name', 'vat_number', 'fiscal_code', 'address_street',
    'address_postal_code', 'address_city', 'address_subdivision',
    'address_country', 'phone',
    ]
# Every field whose change is reported to the administrators, in form order.
TRACKED_FIELDS = PARTY_FIELDS + [
    'pec', 'rea_office', 'rea_number', 'share_capital', 'sole_shareholder',
    'liquidation_status', 'fiscal_regime', 'logo', 'header', 'footer',
    'currency', 'timezone',
    ]
_IDENTIFIER_TYPES = {
    # Tryton 8 names the partita IVA type it_vat (DESIGN.md: it_iva).
    'vat_number': 'it_vat',
    'fiscal_code': 'it_codicefiscale',
    }
_ADDRESS_FIELDS = {
    'address_street': 'street',
    'address_postal_code': 'postal_code',
    'address_city': 'city',
    'address_subdivision': 'subdivision',
    'address_country': 'country',
    }


def _party_field(field):
    return fields.Function(field, 'get_party_data', setter='set_party_data')


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    company_name = _party_field(fields.Char("Company Name", required=True))
    vat_number = _party_field(fields.Char(
            "VAT Number", help="Partita IVA: 11 digits."))
    fiscal_code = _party_field(fields.Char(
            "Fiscal Code",
            help="Codice fiscale: 11 digits for a company, "
            "16 characters for a sole trader."))
    address_street = _party_field(fields.Text("Street"))
    address_postal_code = _party_field(fields.Char("Postal Code"))
    address_city = _party_field(fields.Char("City"))
    address_country = _party_field(fields.Many2One(
            'country.country', "Country"))
    address_subdivision = _party_field(fields.Many2One(
            'country.subdivision', "Province",
            domain=[
                ('country', '=', Eval('address_country', -1)),
                ]))
    phone = _party_field(fields.Char("Phone"))
    pec = fields.Char(
        "PEC", strip=True,
        help="The certified e-mail address of the company.")
    rea_office = fields.Char(
        "REA Office", size=2, strip=True,
        help="Province code of the Chamber of Commerce (e.g. TO).")
    rea_number = fields.Char("REA Number", size=20, strip=True)
    share_capital = fields.Numeric(
        "Share Capital", digits=(16, 2),
        domain=['OR',
            ('share_capital', '=', None),
            ('share_capital', '>', 0),
            ])
    sole_shareholder = fields.Selection(
        SOLE_SHAREHOLDER, "Shareholders", sort=False)
    liquidation_status = fields.Selection(
        [(None, "")] + LIQUIDATION_STATUS, "Liquidation Status",
        sort=False)
    fiscal_regime = fields.Selection(
        [(None, "")] + FISCAL_REGIMES, "Fiscal Regime", sort=False,
        help="Written as RegimeFiscale in every electronic invoice.")

    @classmethod
    def default_fiscal_regime(cls):
        return 'RF01'

    @classmethod
    def default_liquidation_status(cls):
        return 'LN'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            # Empty proxies must not wipe the data of an existing party.
            for name in PARTY_FIELDS:
                if name in values and not values[name]:
                    del values[name]
        if values.get('rea_office'):
            values['rea_office'] = values['rea_office'].upper()
        return values

    @classmethod
    def get_party_data(cls, companies, names):
        result = {n: {} for n in names}
        for company in companies:
            party = company.party
            address = party.addresses[0] if party.addresses else None
            identifiers = {i.type: i.code for i in party.identifiers}
            phones = [
                m.value for m in party.contact_mechanisms
                if m.type == 'phone']
            for name in names:
                if name == 'company_name':
                    value = party.name
                elif name in _IDENTIFIER_TYPES:
                    value = identifiers.get(_IDENTIFIER_TYPES[name])
                elif name in _ADDRESS_FIELDS:
                    value = getattr(address, _ADDRESS_FIELDS[name], None)
                    if hasattr(value, 'id'):
                        value = value.id
                elif name == 'phone':
                    value = phones[0] if phones else None
                result[name][company.id] = value
        return result

    @classmethod
    def set_party_data(cls, companies, name, value):
        pool = Pool()
        Party = pool.get('party.party')
        Identifier = pool.get('party.identifier')
        Address = pool.get('party.address')
        ContactMechanism = pool.get('party.contact_mechanism')
        Subdivision = pool.get('country.subdivision')
        parties = [c.party for c in companies]
        if name == 'company_name':
            Party.write(parties, {'name': value})
        elif name in _IDENTIFIER_TYPES:
            type_ = _IDENTIFIER_TYPES[name]
            for party in parties:
                existing = [i for i in party.identifiers if i.type == type_]
                if existing and value:
                    Identifier.write(existing[:1], {'code': value})
                elif existing:
                    Identifier.delete(existing)
                elif value:
                    Identifier.create([{
                                'party': party.id, 'type': type_,
                                'code': value}])
        elif name in _ADDRESS_FIELDS:
            values = {_ADDRESS_FIELDS[name]: value}
            if name == 'address_subdivision' and value:
                # The province decides the country (setters run in any order)
                values['country'] = Subdivision(value).country.id
            for party in parties:
                address_values = values.copy()
                if party.addresses:
                    address = party.addresses[0]
                    if (name == 'address_country' and address.subdivision
                            and address.subdivision.country.id != value):
                        address_values['subdivision'] = None
                    Address.write([address], address_values)
                else:
                    address_values['party'] = party.id
                    Address.create([address_values])
        elif name == 'phone':
            for party in parties:
                phones = [
                    m for m in party.contact_mechanisms if m.type == 'phone']
                if phones and value:
                    ContactMechanism.write(phones[:1], {'value': value})
                elif phones:
                    ContactMechanism.delete(phones[:1])
                elif value:
                    ContactMechanism.create([{
                                'party': party.id, 'type': 'phone',
                                'value': value}])

    @classmethod
    def validate_fields(cls, companies, field_names):
        super().validate_fields(companies, field_names)
        cls.check_pec(companies, field_names)
        cls.check_rea(companies, field_names)

    @classmethod
    def check_pec(cls, companies, field_names=None):
        if field_names and 'pec' not in field_names:
            return
        for company in companies:
            if company.pec and not is_email(company.pec):
                raise CompanyDataError(gettext(
                        'termogest_permessi.msg_company_pec_invalid',
                        company=company.rec_name, pec=company.pec))

    @classmethod
    def check_rea(cls, companies, field_names=None):
        if field_names and not {
                'rea_office', 'rea_number'} & set(field_names):
            return
        for company in companies:
            if bool(company.rea_office) != bool(company.rea_number):
                raise CompanyDataError(gettext(
                        'termogest_permessi.msg_company_rea_incomplete',
                        company=company.rec_name))
            if company.rea_number and not company.rea_number.isascii():
                raise CompanyDataError(gettext(
                        'termogest_permessi.msg_company_rea_ascii',
                        company=company.rec_name,
                        number=company.rea_number))

    @classmethod
    def on_write(cls, companies, values):
        callbacks = super().on_write(companies, values)
        if not set(TRACKED_FIELDS) & values.keys():
            return callbacks
        before = {c.id: c._tracked_values() for c in companies}

        def notify():
            for company in cls.browse(list(before)):
                after = company._tracked_values()
                changes = [
                    (name, before[company.id][name], after[name])
                    for name in TRACKED_FIELDS
                    if before[company.id][name] != after[name]]
                if changes:
                    company.send_change_summary(changes)
        callbacks.append(notify)
        return callbacks

    def _tracked_values(self):
        values = {}
        for name in TRACKED_FIELDS:
            value = getattr(self, name)
            if hasattr(value, 'rec_name'):
                value = value.rec_name
            values[name] = value
        return values

    def _format_tracked(self, name, value, definition):
        if value is None or value == '':
            return gettext('termogest_permessi.msg_value_empty')
        if name == 'logo':
            return gettext('termogest_permessi.msg_value_image')
        if definition['type'] == 'selection':
            return dict(definition['selection']).get(value, value)
        return str(value)

    def send_change_summary(self, changes):
        "Send one e-mail per administrator listing the changed fields"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        transaction = Transaction()

        admin_group = ModelData.get_id('termogest_permessi', 'group_admin')
        admins = User.search([
                ('groups', '=', admin_group),
                ('email', '!=', None),
                ])
        if not admins:
            return
        author = User(transaction.user)
        when = datetime.datetime.now().strftime('%d/%m/%Y %H:%M:%S')
        definitions = self.fields_get([c[0] for c in changes])
        lines = [gettext(
                'termogest_permessi.msg_company_change_intro',
                company=self.rec_name, user=author.rec_name, date=when)]
        for name, old, new in changes:
            definition = definitions[name]
            lines.append(gettext(
                    'termogest_permessi.msg_company_change_line',
                    field=definition['string'],
                    old=self._format_tracked(name, old, definition),
                    new=self._format_tracked(name, new, definition)))
        subject = gettext(
            'termogest_permessi.msg_company_change_subject',
            company=self.rec_name, count=len(changes))
        for admin in admins:
            msg = EmailMessage()
            msg['From'] = config.get('email', 'from')
            msg['To'] = admin.email
            msg['Subject'] = subject
            msg.set_content('\n'.join(lines))
            send_message_transactional(msg)


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    users = fields.Many2Many(
        'res.user-company.employee', 'employee', 'user', "Users",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'link_to_my_user': {
                    'invisible': Bool(Eval('users', [])),
                    'depends': ['users'],
                    },
                })

    @classmethod
    @ModelView.button
    def link_to_my_user(cls, employees):
        "Make the current secretary account the owner working as employee"
        pool = Pool()
        User = pool.get('res.user')
        user = User(Transaction().user)
        if len(employees) != 1:
            raise TechnicianLinkError(gettext(
                    'termogest_permessi.msg_link_one_employee'))
        employee, = employees
        if user.termogest_role not in {'secretary', 'owner'}:
            raise TechnicianLinkError(gettext(
                    'termogest_permessi.msg_link_not_secretary',
                    user=user.rec_name, employee=employee.rec_name))
        others = [u for u in employee.users if u != user]
        if others:
            raise TechnicianLinkError(gettext(
                    'termogest_permessi.msg_link_employee_taken',
                    employee=employee.rec_name, user=others[0].rec_name))
        User.write([user], {
                'employees': [('add', [employee.id])],
                'employee': employee.id,
                'company': employee.company.id,
                'termogest_role': 'owner',
                })
