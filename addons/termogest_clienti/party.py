# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import hashlib
import re
from collections import defaultdict

from sql import Literal, Null, Union
from sql.conditionals import Coalesce
from sql.operators import ILike, Like

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.party.exceptions import InvalidIdentifierCode
from trytond.modules.termogest_permessi.checks import is_email
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import (
    Transaction, inactive_records, without_check_access)
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import (
    CustomerIdentifierError, CustomerValidationError, SubjectTypeWarning,
    TrashError)
from .subjects import (
    FOREIGN_SDI_CODE, PRIVATE_SDI_CODE, compact, detect_subject_type,
    sdi_code_problem)

SUBJECT_TYPES = [
    ('person', "Private Person"),
    ('sole_trader', "Sole Trader"),
    ('company', "Company or Body"),
    ('condominium', "Condominium"),
    ('public_administration', "Public Administration"),
    ('foreign', "Foreign"),
    ]
TRASH_DAYS = 30
ATTENTION_MARK = '\u26a0 '
# A codice fiscale or a partita IVA (with its country), searched as a whole
_FISCAL_CODE = re.compile(
    r'(?:IT)?[0-9]{11}|[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}'
    r'[A-Z][0-9LMNPQRSTUV]{3}[A-Z]')


def may_be_address(value):
    """Whether a searched text may be part of a street or a city: not when
    it has no letter (a phone, a partita IVA, a house number) or is a
    codice fiscale"""
    text = value.replace('%', '').replace('_', '').replace(' ', '').upper()
    return (any(c.isalpha() for c in text)
        and not _FISCAL_CODE.fullmatch(text))


# Fields whose change may contradict the chosen subject type
_SUBJECT_FIELDS = {
    'subject_type', 'fiscal_code', 'vat_number', 'sdi_code',
    'is_building_owner', 'identifiers', 'addresses'}


def mentions(domain, name):
    "Tell whether a domain has a clause on the field name"
    if not isinstance(domain, (list, tuple)) or not domain:
        return False
    if (isinstance(domain[0], str) and len(domain) >= 2
            and isinstance(domain[1], str)
            and domain[0] not in {'AND', 'OR'}):
        return domain[0] == name or domain[0].startswith(name + '.')
    return any(mentions(d, name) for d in domain)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    subject_type = fields.Selection(
        SUBJECT_TYPES, "Subject Type", required=True,
        help="What kind of subject the customer is: it decides the fiscal "
        "data the electronic invoice needs.")
    subject_type_warning = fields.Function(
        fields.Char("Subject Type Check"),
        'on_change_with_subject_type_warning')
    fiscal_code = fields.Function(fields.Char(
            "Fiscal Code",
            help="Codice fiscale: 16 characters for a person, "
            "11 digits for a company, a body or a condominium."),
        'get_identifier_code', setter='set_identifier_code',
        searcher='search_identifier_code')
    vat_number = fields.Function(fields.Char(
            "VAT Number",
            help="Partita IVA: 11 digits, or the EU VAT number with its "
            "country prefix for a customer from another EU country."),
        'get_identifier_code', setter='set_identifier_code',
        searcher='search_identifier_code')
    pec = fields.Char(
        "PEC", help="The certified e-mail address (posta elettronica "
        "certificata) of the customer.")
    sdi_code = fields.Char(
        "Recipient Code", size=7,
        help="Codice destinatario SDI: 7 characters for businesses and "
        "persons (0000000 for persons and for those who receive by PEC), "
        "6 for public administrations, XXXXXXX for foreign customers.")
    reserved_notes = fields.Text(
        "Reserved Notes", loading='lazy',
        help="Preferences, payment difficulties: only the users allowed to "
        "read the reserved notes see them.")
    no_maintenance = fields.Boolean(
        "No Maintenance",
        help="Leave the customer and its devices out of the maintenance "
        "due lists.")
    attention = fields.Boolean(
        "Attention",
        help="Customer to handle with care: marked in every list and form.")
    attention_reason = fields.Char(
        "Attention Reason",
        states={
            'invisible': ~Eval('attention'),
            })
    is_building_owner = fields.Boolean(
        "Condominium or Owner",
        help="The card is a condominium or the owner of a building: other "
        "cards (tenants, flats) can be attached to it.")
    building_owner = fields.Many2One(
        'party.party', "Condominium / Owner", ondelete='SET NULL',
        domain=[
            ('is_building_owner', '=', True),
            ('id', '!=', Eval('id', -1)),
            ],
        states={
            'invisible': Bool(Eval('is_building_owner')),
            },
        help="The condominium or owner this card belongs to.")
    building_members = fields.One2Many(
        'party.party', 'building_owner', "Members",
        domain=[
            ('id', '!=', Eval('id', -1)),
            ],
        states={
            'invisible': ~Eval('is_building_owner'),
            },
        help="The cards (flats, tenants) of the condominium or owner.")
    building_member_count = fields.Function(
        fields.Integer("Members"), 'get_building_member_count')
    holders = fields.One2Many(
        'termogest.party.holder', 'party', "Previous Holders", readonly=True)
    internal = fields.Function(
        fields.Boolean(
            "Internal",
            help="The card of the service centre itself or of one of its "
            "technicians."),
        'get_internal', searcher='search_internal')
    city = fields.Function(
        fields.Char("City"), 'get_address_field', searcher='search_city')
    street = fields.Function(
        fields.Char("Street"), 'get_address_field', searcher='search_street')
    trashed_at = fields.Timestamp("Deleted On", readonly=True)
    trashed_by = fields.Many2One(
        'res.user', "Deleted By", readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The number support staff quote
        cls.code.string = "Customer No."
        cls._buttons.update({
                'verify_vat_number': {
                    'invisible': ~Eval('vat_number'),
                    'depends': ['vat_number'],
                    },
                'verify_fiscal_code': {
                    'invisible': ~Eval('fiscal_code'),
                    'depends': ['fiscal_code'],
                    },
                'takeover': {
                    'invisible': (
                        Bool(Eval('trashed_at')) | ~Eval('active', True)
                        | (Eval('id', -1) < 0)),
                    'depends': ['trashed_at', 'active', 'id'],
                    },
                'merge': {
                    'invisible': (
                        Bool(Eval('trashed_at')) | ~Eval('active', True)
                        | (Eval('id', -1) < 0)),
                    'depends': ['trashed_at', 'active', 'id'],
                    },
                'attach_members': {
                    'invisible': (
                        ~Eval('is_building_owner') | Bool(Eval('trashed_at'))
                        | (Eval('id', -1) < 0)),
                    'depends': ['is_building_owner', 'trashed_at', 'id'],
                    },
                'restore': {
                    'invisible': ~Eval('trashed_at'),
                    'depends': ['trashed_at'],
                    },
                'empty_trash': {
                    'invisible': ~Eval('trashed_at'),
                    'depends': ['trashed_at'],
                    },
                })

    @classmethod
    def default_subject_type(cls):
        return 'person'

    @classmethod
    def default_no_maintenance(cls):
        return False

    @classmethod
    def default_attention(cls):
        return False

    @classmethod
    def default_is_building_owner(cls):
        return False

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('attention', False), 'danger', ''), ['attention']),
            ('//group[@id="summary_building"]', 'states', {
                    'invisible': (
                        ~Eval('is_building_owner') & ~Eval('building_owner')),
                    }),
            ('//group[@id="summary_trash"]', 'states', {
                    'invisible': ~Eval('trashed_at'),
                    }),
            ('//page[@name="holders"]', 'states', {
                    'invisible': ~Eval('holders', []),
                    }),
            # The codes are edited on the fiscal data page
            ('//page[@name="identifiers"]', 'states', {
                    'invisible': True,
                    }),
            ('//group[@id="subject_type_warning"]', 'states', {
                    'invisible': ~Eval('subject_type_warning'),
                    }),
            ('//page[@id="building"]', 'states', {
                    'invisible': (
                        ~Eval('is_building_owner') & ~Eval('building_owner')),
                    }),
            ]

    # Trashed cards are hidden everywhere but in the trash, like inactive
    # records are hidden unless a domain asks for them.
    @classmethod
    def search(cls, domain, *args, **kwargs):
        if (not Transaction().context.get('with_trashed')
                and not mentions(domain, 'trashed_at')):
            domain = [domain, ('trashed_at', '=', None)]
        return super().search(domain, *args, **kwargs)

    def get_rec_name(self, name):
        rec_name = super().get_rec_name(name)
        if self.attention:
            rec_name = ATTENTION_MARK + rec_name
        return rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if isinstance(operand, str) and ATTENTION_MARK.strip() in operand:
            operand = operand.replace(ATTENTION_MARK, '').replace(
                ATTENTION_MARK.strip(), '')
        domain = super().search_rec_name(
            name, (name, operator, operand, *extra))
        if operator in {'ilike', 'like'} and isinstance(operand, str):
            if may_be_address(operand):
                domain.append(
                    ('id', 'in', cls._address_query(operator, operand)))
            if domain and domain[0] == 'OR':
                # One query per alternative, united: each can use its own
                # (trigram) index, where OR'ed sub-queries would make
                # PostgreSQL scan every card (bench/RESULTS.md)
                domain = [('id', 'in', Union(*(
                                cls.search([clause], order=[], query=True)
                                for clause in domain[1:])))]
        else:
            domain.extend([
                    ('addresses.street', operator, operand, *extra),
                    ('addresses.city', operator, operand, *extra),
                    ])
        return domain

    @classmethod
    def _address_query(cls, operator, value):
        """The parties with an active address whose street or city matches
        value: one scan of the addresses, and a plain (I)LIKE where the
        street's full-text search would only match whole words"""
        pool = Pool()
        Address = pool.get('party.address')
        address = Address.__table__()
        Operator = ILike if operator == 'ilike' else Like
        where = Literal(False)
        for column in [address.street_unstructured, address.street_name,
                address.city]:
            where |= Operator(Coalesce(column, ''), value)
        return address.select(address.party,
            where=(address.active == Literal(True)) & where)

    # Codice fiscale and partita IVA are kept in party.identifier; these two
    # fields only let the card show and edit them as plain fields.
    @classmethod
    def _identifier_types(cls, name):
        return {
            'fiscal_code': ['it_codicefiscale'],
            'vat_number': ['it_vat', 'eu_vat'],
            }[name]

    def get_identifier_code(self, name):
        types = self._identifier_types(name)
        for identifier in self.identifiers:
            if identifier.type in types:
                return identifier.code

    @classmethod
    def search_identifier_code(cls, name, clause):
        _, operator, value, *extra = clause
        types = cls._identifier_types(name)
        domain = [
            ('identifiers', 'where', [
                    ['OR',
                        ('code', operator, value, *extra),
                        ('code_compact', operator, value, *extra),
                        ],
                    ('type', 'in', types),
                    ]),
            ]
        if ((operator == '=' and value is None)
                or (operator == 'in' and None in value)):
            domain = ['OR', domain, [
                    ('identifiers', 'not where', [('type', 'in', types)]),
                    ]]
        return domain

    @classmethod
    def _identifier_type_of(cls, name, code):
        if name == 'fiscal_code':
            return 'it_codicefiscale', compact(code)
        code = compact(code)
        if code[:2].isalpha() and code[:2] != 'IT':
            return 'eu_vat', code
        if code.startswith('IT'):
            code = code[2:]
        return 'it_vat', code

    @classmethod
    def set_identifier_code(cls, parties, name, value):
        pool = Pool()
        Identifier = pool.get('party.identifier')
        types = cls._identifier_types(name)
        existing = Identifier.search([
                ('party', 'in', [p.id for p in parties]),
                ('type', 'in', types),
                ])
        by_party = defaultdict(list)
        for identifier in existing:
            by_party[identifier.party].append(identifier)
        to_delete, to_save = [], []
        for party in parties:
            identifiers = by_party.get(party, [])
            if not value or not value.strip():
                to_delete.extend(identifiers)
                continue
            type_, code = cls._identifier_type_of(name, value)
            if identifiers:
                identifier = identifiers[0]
                to_delete.extend(identifiers[1:])
            else:
                identifier = Identifier(party=party)
            identifier.type = type_
            identifier.code = code
            to_save.append(identifier)
        Identifier.delete(to_delete)
        Identifier.save(to_save)

    @fields.depends('addresses')
    def _country_code(self):
        for address in (self.addresses or []):
            if getattr(address, 'country', None):
                return address.country.code

    @fields.depends(
        'fiscal_code', 'vat_number', 'sdi_code', 'is_building_owner',
        methods=['_country_code'])
    def detect_subject_type(self):
        return detect_subject_type(
            fiscal_code=self.fiscal_code, vat_number=self.vat_number,
            sdi_code=self.sdi_code, country_code=self._country_code(),
            building_owner=self.is_building_owner)

    @fields.depends(
        'subject_type', 'sdi_code', methods=['detect_subject_type'])
    def _update_subject_type(self):
        detected = self.detect_subject_type()
        if detected:
            self.subject_type = detected
        # Replace only an empty or conventional code, never a real one
        if self.sdi_code in {None, '', PRIVATE_SDI_CODE, FOREIGN_SDI_CODE}:
            default = {
                'foreign': FOREIGN_SDI_CODE,
                'person': PRIVATE_SDI_CODE,
                }.get(self.subject_type)
            if default:
                self.sdi_code = default
            elif self.sdi_code == FOREIGN_SDI_CODE:
                self.sdi_code = None

    @fields.depends(methods=['_update_subject_type'])
    def on_change_fiscal_code(self):
        self._update_subject_type()

    @fields.depends(methods=['_update_subject_type'])
    def on_change_vat_number(self):
        self._update_subject_type()

    @fields.depends('sdi_code', methods=['_update_subject_type'])
    def on_change_sdi_code(self):
        if self.sdi_code:
            self.sdi_code = compact(self.sdi_code)
        # Only a 6-character code tells the subject type (a public
        # administration); the other codes leave the user's choice alone.
        if self.sdi_code and len(self.sdi_code) == 6:
            self._update_subject_type()

    @fields.depends(methods=['_update_subject_type'])
    def on_change_is_building_owner(self):
        self._update_subject_type()

    @fields.depends(methods=['_update_subject_type'])
    def on_change_addresses(self):
        self._update_subject_type()

    @fields.depends('pec')
    def on_change_pec(self):
        if self.pec:
            self.pec = self.pec.strip().lower()

    def subject_type_mismatch(self):
        "The message saying how the data contradicts the subject type"
        pool = Pool()
        Party = pool.get('party.party')
        detected = self.detect_subject_type()
        if detected and self.subject_type and detected != self.subject_type:
            selection = dict(
                Party.fields_get(['subject_type'])['subject_type'][
                    'selection'])
            return gettext('termogest_clienti.msg_subject_type_mismatch',
                party=self.name or self.code or '',
                subject_type=selection.get(self.subject_type, ''),
                detected=selection.get(detected, ''))

    @fields.depends(
        'subject_type', 'name', 'code', 'attention',
        methods=['detect_subject_type'])
    def on_change_with_subject_type_warning(self, name=None):
        return self.subject_type_mismatch()

    def get_building_member_count(self, name):
        return len(self.building_members)

    @classmethod
    def _internal_parties_query(cls):
        pool = Pool()
        company = pool.get('company.company').__table__()
        employee = pool.get('company.employee').__table__()
        return Union(
            company.select(company.party, where=company.party != Null),
            employee.select(employee.party, where=employee.party != Null))

    @classmethod
    def get_internal(cls, parties, name):
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls._internal_parties_query())
        internal = {p for p, in cursor}
        return {p.id: p.id in internal for p in parties}

    @classmethod
    def search_internal(cls, name, clause):
        _, operator, value = clause
        query = cls._internal_parties_query()
        if (operator == '=') == bool(value):
            return [('id', 'in', query)]
        return [('id', 'not in', query)]

    def get_address_field(self, name):
        address = self.address_get()
        if address:
            return getattr(address, name)

    @classmethod
    def search_city(cls, name, clause):
        return [('addresses.city',) + tuple(clause[1:])]

    @classmethod
    def search_street(cls, name, clause):
        return [('addresses.street',) + tuple(clause[1:])]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('sdi_code'):
            values['sdi_code'] = compact(values['sdi_code'])
        if values.get('pec'):
            values['pec'] = values['pec'].strip().lower()
        return values

    @classmethod
    def validate_fields(cls, parties, field_names):
        super().validate_fields(parties, field_names)
        cls.check_pec(parties, field_names)
        cls.check_sdi_code(parties, field_names)
        cls.check_building_owner(parties, field_names)
        cls.check_subject_type(parties, field_names)

    @classmethod
    def check_pec(cls, parties, field_names=None):
        if field_names and 'pec' not in field_names:
            return
        for party in parties:
            if party.pec and not is_email(party.pec):
                raise CustomerValidationError(gettext(
                        'termogest_clienti.msg_invalid_pec',
                        party=party.rec_name, pec=party.pec))

    @classmethod
    def check_sdi_code(cls, parties, field_names=None):
        if field_names and not {'sdi_code', 'subject_type'} & field_names:
            return
        for party in parties:
            problem = sdi_code_problem(party.sdi_code, party.subject_type)
            if problem:
                raise CustomerValidationError(gettext(
                        'termogest_clienti.' + problem,
                        party=party.rec_name, sdi_code=party.sdi_code or ''))

    @classmethod
    def check_building_owner(cls, parties, field_names=None):
        if field_names and not {
                'building_owner', 'is_building_owner'} & field_names:
            return
        for party in parties:
            if party.building_owner and party.is_building_owner:
                raise CustomerValidationError(gettext(
                        'termogest_clienti.msg_building_owner_nested',
                        party=party.rec_name,
                        owner=party.building_owner.rec_name))
            if not party.is_building_owner and party.building_members:
                raise CustomerValidationError(gettext(
                        'termogest_clienti.msg_building_owner_has_members',
                        party=party.rec_name,
                        count=len(party.building_members)))

    @classmethod
    def check_subject_type(cls, parties, field_names=None):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        if field_names and not _SUBJECT_FIELDS & field_names:
            return
        if Transaction().context.get('_skip_warnings'):
            return
        for party in parties:
            message = party.subject_type_mismatch()
            if message:
                # Keyed on the data, not the id: a card refused on creation
                # gets another id when saved again after the confirmation.
                key = 'termogest_subject_type.' + hashlib.sha1('|'.join(
                        str(v or '') for v in [
                            party.name, party.subject_type,
                            party.fiscal_code, party.vat_number,
                            party.sdi_code]).encode()).hexdigest()
                if Warning.check(key):
                    raise SubjectTypeWarning(key, message)

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('holders')
        default.setdefault('building_members')
        default.setdefault('trashed_at')
        default.setdefault('trashed_by')
        return super().copy(parties, default=default)

    @classmethod
    @ModelView.button_action('termogest_clienti.url_verify_vat_number')
    def verify_vat_number(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('termogest_clienti.url_verify_fiscal_code')
    def verify_fiscal_code(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('termogest_clienti.wizard_takeover')
    def takeover(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('party.wizard_replace')
    def merge(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('termogest_clienti.wizard_attach_members')
    def attach_members(cls, parties):
        pass

    # The trash: deleting a card moves it there with what depends on it
    @classmethod
    def _trash_dependents(cls):
        """The records that follow a card into the trash

        A list of (model name, field pointing to party.party, action); the
        action is 'active' (the record is deactivated, and reactivated on
        restore) or 'unlink' (the link is emptied, and put back on restore).
        Every module whose records hang off a card adds its own.
        """
        return [
            ('party.address', 'party', 'active'),
            ('party.contact_mechanism', 'party', 'active'),
            ('party.identifier', 'party', 'active'),
            ('party.party', 'building_owner', 'unlink'),
            ]

    @classmethod
    def check_trash(cls, parties):
        for party in parties:
            if party.internal:
                raise TrashError(gettext(
                        'termogest_clienti.msg_trash_internal',
                        party=party.rec_name))

    @classmethod
    def delete(cls, parties):
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        if Transaction().context.get('_termogest_purge'):
            super().delete(parties)
        else:
            # Moving to the trash needs the right to delete
            ModelAccess.check(cls.__name__, 'delete')
            cls.trash(parties)

    @classmethod
    def trash(cls, parties):
        pool = Pool()
        Entry = pool.get('termogest.party.trash.entry')
        transaction = Transaction()
        parties = [p for p in parties if not p.trashed_at]
        if not parties:
            return
        cls.check_trash(parties)
        party_ids = [p.id for p in parties]
        entries = []
        with without_check_access(), inactive_records(), \
                transaction.set_context(with_trashed=True):
            for model_name, field_name, action in cls._trash_dependents():
                Model = pool.get(model_name)
                domain = [(field_name, 'in', party_ids)]
                if action == 'active':
                    domain.append(('active', '=', True))
                records = Model.search(domain)
                if not records:
                    continue
                for record in records:
                    entries.append(Entry(
                            party=getattr(record, field_name),
                            model=model_name, record=record.id,
                            field=field_name, action=action))
                if action == 'active':
                    Model.write(records, {'active': False})
                else:
                    Model.write(records, {field_name: None})
            Entry.save(entries)
            cls.write(parties, {
                    'trashed_at': datetime.datetime.now(),
                    'trashed_by': transaction.user or None,
                    })

    @classmethod
    @ModelView.button
    def restore(cls, parties):
        pool = Pool()
        Entry = pool.get('termogest.party.trash.entry')
        parties = [p for p in parties if p.trashed_at]
        with without_check_access(), inactive_records(), \
                Transaction().set_context(with_trashed=True):
            entries = Entry.search([('party', 'in', [p.id for p in parties])])
            grouped = defaultdict(list)
            for entry in entries:
                grouped[(entry.model, entry.field, entry.action)].append(
                    entry)
            for (model_name, field_name, action), group in grouped.items():
                Model = pool.get(model_name)
                existing = {r.id for r in Model.search(
                            [('id', 'in', [e.record for e in group])])}
                if action == 'active':
                    Model.write(
                        Model.browse([e.record for e in group
                                if e.record in existing]),
                        {'active': True})
                else:
                    by_party = defaultdict(list)
                    for entry in group:
                        if entry.record in existing:
                            by_party[entry.party.id].append(entry.record)
                    for party_id, ids in by_party.items():
                        Model.write(
                            Model.browse(ids), {field_name: party_id})
            Entry.delete(entries)
            cls.write(parties, {
                    'trashed_at': None,
                    'trashed_by': None,
                    })

    @classmethod
    @ModelView.button
    def empty_trash(cls, parties):
        "Delete for good the trashed cards, whatever their age"
        parties = [p for p in parties if p.trashed_at]
        cls.purge(parties)

    @classmethod
    def purge(cls, parties):
        with Transaction().set_context(
                _termogest_purge=True, with_trashed=True):
            cls.delete(cls.browse(parties))

    @classmethod
    def purge_trash(cls, date=None):
        "Delete for good the cards trashed more than 30 days ago (cron)"
        if date is None:
            date = datetime.datetime.now()
        limit = date - datetime.timedelta(days=TRASH_DAYS)
        with inactive_records():
            parties = cls.search([
                    ('trashed_at', '!=', None),
                    ('trashed_at', '<', limit),
                    ])
        cls.purge(parties)
        return parties


class PartyHolder(ModelSQL, ModelView):
    "A previous holder of a customer card, kept when someone takes it over"
    __name__ = 'termogest.party.holder'
    __string__ = "Previous Holder"
    _rec_name = 'name'

    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE',
        readonly=True)
    date = fields.Date("Takeover Date", required=True, readonly=True)
    reason = fields.Selection([
            ('tenant', "New Tenant"),
            ('owner', "New Owner"),
            ('heir', "Inheritance"),
            ('company', "Business Transfer"),
            ('other', "Other"),
            ], "Reason", required=True, readonly=True)
    note = fields.Text("Note", readonly=True)
    name = fields.Char("Name", readonly=True)
    subject_type = fields.Selection(
        SUBJECT_TYPES, "Subject Type", readonly=True)
    fiscal_code = fields.Char("Fiscal Code", readonly=True)
    vat_number = fields.Char("VAT Number", readonly=True)
    pec = fields.Char("PEC", readonly=True)
    sdi_code = fields.Char("Recipient Code", readonly=True)
    contacts = fields.Text("Contacts", readonly=True)
    attention = fields.Boolean("Attention", readonly=True)
    reserved_notes = fields.Text(
        "Reserved Notes", readonly=True, loading='lazy')
    user = fields.Many2One(
        'res.user', "Recorded By", readonly=True, ondelete='SET NULL')
    recorded_at = fields.Function(
        fields.Timestamp("Recorded On"), 'get_recorded_at')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))
        cls._order.insert(1, ('id', 'DESC'))

    def get_recorded_at(self, name):
        return self.create_date


class TrashEntry(ModelSQL):
    "What a customer card took into the trash, to put it back on restore"
    __name__ = 'termogest.party.trash.entry'
    __string__ = "Trash Entry"

    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE')
    model = fields.Char("Model", required=True)
    record = fields.Integer("Record", required=True)
    field = fields.Char("Field", required=True)
    action = fields.Selection([
            ('active', "Deactivated"),
            ('unlink', "Unlinked"),
            ], "Action", required=True)


class Identifier(metaclass=PoolMeta):
    __name__ = 'party.identifier'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Searched by the customer search as the code is (see Address)
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.code_compact, Index.Similarity())))

    @fields.depends('type', 'party', 'code')
    def check_code(self):
        try:
            super().check_code()
        except InvalidIdentifierCode as exception:
            if self.type not in {'it_codicefiscale', 'it_vat', 'eu_vat'}:
                raise
            party = ''
            if self.party and self.party.id and self.party.id > 0:
                party = self.party.rec_name
            raise CustomerIdentifierError(gettext(
                    'termogest_clienti.msg_invalid_%s' % self.type,
                    party=party, code=self.code)) from exception


class Address(metaclass=PoolMeta):
    __name__ = 'party.address'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The customer search looks in the streets and cities
        # (Party._address_query): trigram indexes where PostgreSQL has
        # pg_trgm (README, "PostgreSQL in production")
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (Coalesce(t.street_unstructured, ''),
                        Index.Similarity())),
                Index(t, (Coalesce(t.street_name, ''), Index.Similarity())),
                Index(t, (Coalesce(t.city, ''), Index.Similarity())),
                })


class ContactMechanism(metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'

    role = fields.Char(
        "Role", help="Who the contact is for the customer: "
        "daughter, condominium administrator, caretaker...")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The contacts' search compares COALESCE(value_compact, '') (see
        # Address)
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (Coalesce(t.value_compact, ''), Index.Similarity())))


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('party.party|purge_trash', "Purge Customer Trash"))


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    def transition_replace(self):
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        source, destination = self.ask.source, self.ask.destination
        # Tryton moves the duplicate's contacts deactivated; a merge of
        # duplicates keeps the numbers and e-mails the reference lacks.
        known = {(m.type, m.value_compact or m.value)
            for m in destination.contact_mechanisms}
        keep = [m for m in source.contact_mechanisms
            if (m.type, m.value_compact or m.value) not in known]
        state = super().transition_replace()
        if keep:
            ContactMechanism.write(keep, {'active': True})
        return state

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('party.party', 'building_owner'),
            ('termogest.party.holder', 'party'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Party = pool.get('party.party')
        Holder = pool.get('termogest.party.holder')
        to_erase = super().to_erase(party_id)
        to_erase.extend([
                (Party, [('id', '=', party_id)], True,
                    ['pec', 'sdi_code', 'reserved_notes', 'attention_reason'],
                    [None, None, None, None]),
                (Holder, [('party', '=', party_id)], True,
                    ['name', 'fiscal_code', 'vat_number', 'pec', 'sdi_code',
                        'contacts', 'note', 'reserved_notes'],
                    [None] * 8),
                ])
        return to_erase


class TakeoverStart(ModelView):
    "Take over a customer card"
    __name__ = 'termogest.party.takeover.start'
    __string__ = "Take Over Card"

    party = fields.Many2One('party.party', "Customer", readonly=True)
    previous_name = fields.Char("Previous Holder", readonly=True)
    date = fields.Date("Takeover Date", required=True)
    reason = fields.Selection(
        'get_reasons', "Reason", required=True)
    note = fields.Text("Note")
    name = fields.Char("New Holder", required=True)
    subject_type = fields.Selection(SUBJECT_TYPES, "Subject Type",
        required=True)
    fiscal_code = fields.Char("Fiscal Code")
    vat_number = fields.Char("VAT Number")
    pec = fields.Char("PEC")
    sdi_code = fields.Char("Recipient Code", size=7)
    phone = fields.Char("Phone")
    mobile = fields.Char("Mobile")
    email = fields.Char("E-Mail")
    keep_contacts = fields.Boolean(
        "Keep Previous Contacts",
        help="Leave the previous holder's phone numbers and e-mails "
        "active on the card.")

    @classmethod
    def get_reasons(cls):
        pool = Pool()
        Holder = pool.get('termogest.party.holder')
        return Holder.fields_get(['reason'])['reason']['selection']

    @fields.depends('fiscal_code', 'vat_number', 'sdi_code', 'party')
    def _detect(self):
        country = None
        if self.party:
            country = self.party._country_code()
        detected = detect_subject_type(
            fiscal_code=self.fiscal_code, vat_number=self.vat_number,
            sdi_code=self.sdi_code, country_code=country,
            building_owner=bool(self.party and self.party.is_building_owner))
        if detected:
            self.subject_type = detected

    @fields.depends(methods=['_detect'])
    def on_change_fiscal_code(self):
        self._detect()

    @fields.depends(methods=['_detect'])
    def on_change_vat_number(self):
        self._detect()

    @fields.depends(methods=['_detect'])
    def on_change_sdi_code(self):
        self._detect()


class Takeover(Wizard):
    "Take over a customer card"
    __name__ = 'termogest.party.takeover'
    start = StateView(
        'termogest.party.takeover.start',
        'termogest_clienti.party_takeover_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Take Over", 'takeover', 'tryton-ok', default=True),
            ])
    takeover = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        Date = pool.get('ir.date')
        party = self.record
        return {
            'party': party.id,
            'previous_name': party.name,
            'date': Date.today(),
            'reason': 'tenant',
            'subject_type': party.subject_type,
            'keep_contacts': False,
            }

    def _contacts_text(self, party):
        lines = []
        for mechanism in party.contact_mechanisms:
            line = '%s: %s' % (mechanism.type_string, mechanism.value)
            extra = ', '.join(filter(None, [
                        mechanism.name, getattr(mechanism, 'role', None)]))
            if extra:
                line += ' (%s)' % extra
            lines.append(line)
        return '\n'.join(lines)

    def transition_takeover(self):
        pool = Pool()
        Party = pool.get('party.party')
        Holder = pool.get('termogest.party.holder')
        ContactMechanism = pool.get('party.contact_mechanism')
        party = self.record
        start = self.start
        with without_check_access():
            reserved_notes = Party(party.id).reserved_notes
        holder = Holder(
            party=party, date=start.date, reason=start.reason,
            note=start.note, name=party.name,
            subject_type=party.subject_type, fiscal_code=party.fiscal_code,
            vat_number=party.vat_number, pec=party.pec,
            sdi_code=party.sdi_code,
            contacts=self._contacts_text(party),
            attention=party.attention,
            reserved_notes=reserved_notes,
            user=Transaction().user or None)
        with without_check_access():
            holder.save()
        if not start.keep_contacts:
            ContactMechanism.write(
                list(party.contact_mechanisms), {'active': False})
        mechanisms = []
        for type_ in ['phone', 'mobile', 'email']:
            value = getattr(start, type_)
            if value:
                mechanisms.append(ContactMechanism(
                        party=party, type=type_, value=value))
        with Transaction().set_context(_skip_warnings=True):
            Party.write([party], {
                    'name': start.name,
                    'subject_type': start.subject_type,
                    'fiscal_code': start.fiscal_code,
                    'vat_number': start.vat_number,
                    'pec': start.pec,
                    'sdi_code': start.sdi_code,
                    'attention': False,
                    'attention_reason': None,
                    })
            with without_check_access():
                Party.write([party], {'reserved_notes': None})
        ContactMechanism.save(mechanisms)
        return 'end'

    def end(self):
        return 'reload'


class AttachMembersStart(ModelView):
    "Attach cards to a condominium or owner"
    __name__ = 'termogest.party.attach_members.start'
    __string__ = "Attach Cards"

    owner = fields.Many2One('party.party', "Condominium / Owner",
        readonly=True)
    members = fields.Many2Many(
        'party.party', None, None, "Cards to Attach", required=True,
        domain=[
            ('is_building_owner', '=', False),
            ('id', '!=', Eval('owner', -1)),
            If(Bool(Eval('owner')),
                ('building_owner', '!=', Eval('owner', -1)),
                ()),
            ('internal', '=', False),
            ])


class AttachMembers(Wizard):
    "Attach cards to a condominium or owner"
    __name__ = 'termogest.party.attach_members'
    start = StateView(
        'termogest.party.attach_members.start',
        'termogest_clienti.party_attach_members_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Attach", 'attach', 'tryton-ok', default=True),
            ])
    attach = StateTransition()

    def default_start(self, fields):
        return {'owner': self.record.id}

    def transition_attach(self):
        pool = Pool()
        Party = pool.get('party.party')
        Party.write(list(self.start.members), {
                'building_owner': self.record.id,
                })
        return 'end'

    def end(self):
        return 'reload'
