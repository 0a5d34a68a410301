# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import base64
import datetime
import hashlib
import json
import re
from email.message import EmailMessage

from genshi.core import Markup

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.termogest_impianti.regulation import (
    COMPONENT_CODES, REPORT_TYPES, rec_name_domain)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.report import Report
from trytond.rpc import RPC
from trytond.sendmail import send_message_transactional
from trytond.tools import file_open
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .appointment import KINDS, company_timezone
from .call import CustomerMixin, check_site

OUTCOMES = [
    (None, ""),
    ('resolved', "Resolved"),
    ('follow_up', "To Follow Up"),
    ('quote', "Quote Needed"),
    ('not_resolved', "Not Resolved"),
    ]
# What a done intervention of each kind records on its devices
KIND_DEVICE_DATES = {
    'maintenance': {'last_maintenance_date': 'max'},
    'efficiency_check': {'last_maintenance_date': 'max'},
    'installation': {'installation_date': 'empty'},
    'first_startup': {'first_start_date': 'empty'},
    'repair': {},
    }


class InterventionError(ValidationError):
    pass


def signature_digest(content):
    "SHA-256 of the canonical JSON of the signed content"
    data = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(',', ':'))
    return hashlib.sha256(data.encode('utf-8')).hexdigest()


class Intervention(CustomerMixin, Workflow, ModelSQL, ModelView):
    "Intervention report"
    __name__ = 'termogest.intervention'
    __string__ = "Intervention"
    _rec_name = 'number'

    _states = {
        'readonly': (Eval('state') != 'draft') | Bool(Eval('signed')),
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    appointment = fields.Many2One(
        'termogest.appointment', "Appointment", ondelete='RESTRICT',
        states=_states,
        domain=[If(Bool(Eval('party')),
                ('party', '=', Eval('party', -1)), ())])
    technician = fields.Many2One(
        'company.employee', "Technician", required=True, states=_states,
        domain=[('company', '=', Eval('company', -1))])
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        domain=[('internal', '=', False)], states=_states,
        context={'company': Eval('company', -1)}, depends={'company'})
    heading_party = fields.Many2One(
        'party.party', "Heading", ondelete='RESTRICT', states=_states,
        domain=[('internal', '=', False)],
        context={'company': Eval('company', -1)}, depends={'company'},
        help="Who the report (and its invoice) is headed to, when it is not "
        "the customer: the owner, the condominium, the administrator.")
    plant = fields.Many2One(
        'termogest.plant', "Plant", ondelete='RESTRICT', states=_states,
        domain=[If(Bool(Eval('party')),
                ('party', '=', Eval('party', -1)), ())])
    devices = fields.Many2Many(
        'termogest.intervention-termogest.device', 'intervention', 'device',
        "Devices", states=_states,
        domain=[If(Bool(Eval('plant')),
                ('plant', '=', Eval('plant', -1)),
                ('plant.party', '=', Eval('party', -1)))])
    kind = fields.Selection(KINDS, "Kind", required=True, states=_states)
    kind_string = kind.translated('kind')
    date = fields.Date("Date", required=True, states=_states)
    start_time = fields.Time("Start", format='%H:%M', states=_states)
    end_time = fields.Time("End", format='%H:%M', states=_states)
    travel_time = fields.TimeDelta("Travel Time", states=_states)
    description = fields.Text("Work Done", states=_states)
    lines = fields.One2Many(
        'termogest.intervention.line', 'intervention', "Parts Used",
        states=_states)
    labour_hours = fields.Numeric(
        "Labour Hours", digits=(16, 2), states=_states,
        domain=['OR',
            ('labour_hours', '=', None),
            ('labour_hours', '>=', 0)])
    outcome = fields.Selection(OUTCOMES, "Outcome", states=_states)
    outcome_notes = fields.Text("Outcome Notes", states=_states)
    # Signature of the customer
    signature = fields.Binary("Signature", readonly=True)
    signer_name = fields.Char("Signed By", readonly=True)
    signed_at = fields.DateTime("Signed At", readonly=True)
    signature_hash = fields.Char(
        "Signature Fingerprint", readonly=True, strip=False,
        help="SHA-256 of the report's content when it was signed.")
    signed = fields.Function(
        fields.Boolean("Signed"), 'get_signed', searcher='search_signed')
    signature_valid = fields.Function(
        fields.Boolean("Content Unchanged Since Signature"),
        'get_signature_valid')
    privacy_accepted = fields.Boolean("Privacy Notice Accepted",
        readonly=True)
    privacy_accepted_at = fields.DateTime(
        "Privacy Notice Accepted At", readonly=True)
    emailed_to = fields.Char("E-mailed To", readonly=True)
    emailed_at = fields.DateTime("E-mailed At", readonly=True)
    efficiency_reports = fields.One2Many(
        'termogest.efficiency.report', 'intervention', "Efficiency Reports",
        readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ('invoiced', "Invoiced"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range()), (t.date, Index.Range())),
                Index(t, (t.technician, Index.Range()),
                    (t.date, Index.Range())),
                Index(t, (t.appointment, Index.Range())),
                Index(
                    t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'draft'),
                })
        cls._order = [
            ('date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'done'),
            ('done', 'invoiced'),
            ('invoiced', 'done'),
            }
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'sign': {
                    'invisible': (Eval('state') != 'draft')
                    | Bool(Eval('signed')),
                    'depends': ['state', 'signed'],
                    },
                'send_email': {
                    'invisible': Eval('state') == 'draft',
                    'depends': ['state'],
                    },
                })
        cls.__rpc__.update({
                'apply_signature': RPC(
                    readonly=False, instantiate=0, check_access=True),
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'draft', '', 'success')),
            ]

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_kind():
        return 'repair'

    @classmethod
    def default_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today()

    @classmethod
    def default_technician(cls):
        pool = Pool()
        User = pool.get('res.user')
        user = User(Transaction().user)
        if user.employee:
            return user.employee.id

    @fields.depends('party', 'plant', 'devices', 'heading_party')
    def on_change_party(self):
        if self.plant and self.plant.party != self.party:
            self.plant = None
            self.devices = []
        if self.party and not self.plant:
            plants = [p for p in getattr(self.party, 'plants', []) or []
                if p.active]
            if len(plants) == 1:
                self.plant, = plants

    @fields.depends('plant', 'party', 'devices')
    def on_change_plant(self):
        if self.plant:
            if not self.party:
                self.party = self.plant.party
            self.devices = [d for d in self.devices if d.plant == self.plant]

    @fields.depends('appointment', 'company', 'technician', 'party', 'plant',
        'devices', 'kind', 'date', 'start_time', 'end_time')
    def on_change_appointment(self):
        if self.appointment:
            for name, value in self.values_from_appointment(
                    self.appointment).items():
                if name == 'devices':
                    value = list(self.appointment.devices)
                elif name in {'company', 'appointment', 'technician',
                        'party', 'plant'}:
                    value = getattr(self.appointment, name)
                setattr(self, name, value)

    @classmethod
    def values_from_appointment(cls, appointment):
        "Create values of an appointment's intervention"
        start_time = end_time = None
        if appointment.start:
            tz = company_timezone(appointment.company)
            utc = datetime.timezone.utc
            start = appointment.start.replace(tzinfo=utc).astimezone(tz)
            start_time = start.time().replace(second=0, microsecond=0)
            if appointment.end:
                end = appointment.end.replace(tzinfo=utc).astimezone(tz)
                # An appointment running past midnight (or ending at it)
                # leaves the end to the technician: the report's times are
                # of one day.
                if end.date() == start.date():
                    end_time = end.time().replace(second=0, microsecond=0)
        return {
            'company': appointment.company.id,
            'appointment': appointment.id,
            'technician': appointment.technician.id,
            'party': appointment.party.id,
            'plant': appointment.plant.id if appointment.plant else None,
            'devices': [('add', [d.id for d in appointment.devices])],
            'kind': appointment.kind,
            'date': appointment.date,
            'start_time': start_time,
            'end_time': end_time,
            }

    def get_rec_name(self, name):
        return ' - '.join(filter(None, [
                    self.number,
                    self.party.rec_name if self.party else None,
                    self.date.strftime('%d/%m/%Y') if self.date else None]))

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, [
                'number', 'party.rec_name', 'description'])

    @classmethod
    def get_signed(cls, interventions, name):
        return {i.id: bool(i.signature_hash) for i in interventions}

    @classmethod
    def search_signed(cls, name, clause):
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('signature_hash', '!=', None)]
        return [('signature_hash', '=', None)]

    @classmethod
    def get_signature_valid(cls, interventions, name):
        return {
            i.id: (i.signature_hash == i.content_digest()
                if i.signature_hash else None)
            for i in interventions}

    def signed_content(self):
        """The content the customer signs, as plain JSON values

        Related records are by id: renaming a customer or renumbering a
        device slot later does not change what was signed.
        """
        def id_(record):
            return record.id if record else None

        signature = self.signature
        return {
            'number': self.number,
            'company': self.company.id,
            'party': self.party.id,
            'heading_party': id_(self.heading_party),
            'plant': id_(self.plant),
            'devices': sorted(d.id for d in self.devices),
            'technician': self.technician.id,
            'kind': self.kind,
            'date': self.date.isoformat() if self.date else None,
            'start_time': self.start_time.strftime('%H:%M')
            if self.start_time else None,
            'end_time': self.end_time.strftime('%H:%M')
            if self.end_time else None,
            'travel_minutes': int(self.travel_time.total_seconds() // 60)
            if self.travel_time is not None else None,
            'description': self.description or '',
            'lines': [[
                    id_(l.product), l.description or '',
                    '%.4f' % (l.quantity or 0), id_(l.unit),
                    str(l.unit_price) if l.unit_price is not None else None]
                for l in self.lines],
            'labour_hours': str(self.labour_hours)
            if self.labour_hours is not None else None,
            'outcome': self.outcome,
            'outcome_notes': self.outcome_notes or '',
            'signer_name': self.signer_name,
            'signed_at': self.signed_at.isoformat() if self.signed_at
            else None,
            'signature': hashlib.sha256(bytes(signature)).hexdigest()
            if signature else None,
            'privacy_accepted': bool(self.privacy_accepted),
            }

    def content_digest(self):
        return signature_digest(self.signed_content())

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        vlist = Configuration.fill_numbers(
            vlist, 'number', 'intervention_sequence')
        return super().create(vlist)

    # What can change on a signed or done report
    _locked_writable = {
        'state', 'emailed_to', 'emailed_at', 'efficiency_reports',
        }

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        for interventions, values in zip(actions, actions):
            changed = set(values) - cls._locked_writable
            if changed and not Transaction().context.get(
                    '_termogest_signing'):
                cls.check_unlocked(interventions)
        super().write(*args)

    @classmethod
    def check_unlocked(cls, interventions):
        for intervention in interventions:
            if intervention.signature_hash:
                raise AccessError(gettext(
                        'termogest_agenda.msg_intervention_signed_locked',
                        intervention=intervention.rec_name))
            if intervention.state != 'draft':
                raise AccessError(gettext(
                        'termogest_agenda.msg_intervention_done_locked',
                        intervention=intervention.rec_name))

    @classmethod
    def delete(cls, interventions):
        cls.check_unlocked(interventions)
        super().delete(interventions)

    @classmethod
    def copy(cls, interventions, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'appointment', 'signature',
                'signer_name', 'signed_at', 'signature_hash',
                'privacy_accepted', 'privacy_accepted_at', 'emailed_to',
                'emailed_at', 'efficiency_reports']:
            default.setdefault(name)
        default.setdefault('state', 'draft')
        return super().copy(interventions, default=default)

    @classmethod
    def validate_fields(cls, interventions, field_names):
        super().validate_fields(interventions, field_names)
        cls.check_consistency(interventions, field_names)

    @classmethod
    def check_consistency(cls, interventions, field_names=None):
        if field_names and not (field_names & {
                    'party', 'plant', 'devices', 'appointment',
                    'start_time', 'end_time'}):
            return
        for intervention in interventions:
            check_site(intervention, 'intervention', InterventionError)
            if (intervention.appointment
                    and intervention.appointment.party
                    != intervention.party):
                raise InterventionError(gettext(
                        'termogest_agenda.msg_intervention_appointment',
                        intervention=intervention.rec_name,
                        appointment=intervention.appointment.rec_name))
            if (intervention.start_time and intervention.end_time
                    and intervention.end_time < intervention.start_time):
                raise InterventionError(gettext(
                        'termogest_agenda.msg_intervention_times',
                        intervention=intervention.rec_name))

    @classmethod
    def check_complete(cls, interventions):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        for intervention in interventions:
            if intervention.date > today:
                raise InterventionError(gettext(
                        'termogest_agenda.msg_intervention_future',
                        intervention=intervention.rec_name,
                        date=intervention.date.strftime('%d/%m/%Y')))
            if not (intervention.description or '').strip():
                raise InterventionError(gettext(
                        'termogest_agenda.msg_intervention_description',
                        intervention=intervention.rec_name))
            if (intervention.kind in {'maintenance', 'efficiency_check'}
                    and not intervention.devices):
                raise InterventionError(gettext(
                        'termogest_agenda.msg_intervention_devices',
                        intervention=intervention.rec_name,
                        kind=intervention.kind_string))

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, interventions):
        pool = Pool()
        Appointment = pool.get('termogest.appointment')
        cls.check_complete(interventions)
        cls.update_devices(interventions)
        cls.open_efficiency_reports(interventions)
        appointments = [i.appointment for i in interventions
            if i.appointment]
        if appointments:
            with without_check_access():
                Appointment.set_done(Appointment.browse(appointments))

    @classmethod
    def update_devices(cls, interventions):
        "Record the intervention's date on its devices by kind"
        pool = Pool()
        Device = pool.get('termogest.device')
        to_write = []
        for intervention in interventions:
            rules = KIND_DEVICE_DATES.get(intervention.kind, {})
            for device in intervention.devices:
                values = {}
                for field, mode in rules.items():
                    current = getattr(device, field)
                    if mode == 'max' and (
                            not current or current < intervention.date):
                        values[field] = intervention.date
                    elif mode == 'empty' and not current:
                        values[field] = intervention.date
                if values:
                    to_write.extend(([device], values))
        if to_write:
            with without_check_access():
                Device.write(*to_write)

    @classmethod
    def open_efficiency_reports(cls, interventions):
        "A draft REE for each generator of an efficiency check"
        pool = Pool()
        Report = pool.get('termogest.efficiency.report')
        to_create = []
        for intervention in interventions:
            if intervention.kind != 'efficiency_check':
                continue
            existing = {r.device for r in intervention.efficiency_reports}
            for device in intervention.devices:
                report_type = REPORT_TYPES.get(
                    COMPONENT_CODES.get(device.kind))
                if not report_type or device in existing:
                    continue
                to_create.append({
                        'device': device.id,
                        'report_type': report_type,
                        'date': intervention.date,
                        'technician': intervention.technician.id,
                        'arrival_time': intervention.start_time,
                        'departure_time': intervention.end_time,
                        'intervention': intervention.id,
                        })
        if to_create:
            with without_check_access():
                Report.create(to_create)

    @classmethod
    def set_invoiced(cls, interventions):
        cls.write([i for i in interventions if i.state == 'done'], {
                'state': 'invoiced'})

    @classmethod
    @ModelView.button_action('termogest_agenda.wizard_intervention_sign')
    def sign(cls, interventions):
        pass

    @classmethod
    def apply_signature(
            cls, interventions, signature, signer_name,
            privacy_accepted=False):
        "Store the customer's signature and seal the content"
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        config_ = Configuration(1)
        signer_name = ' '.join((signer_name or '').split())
        for intervention in interventions:
            if intervention.signature_hash:
                raise AccessError(gettext(
                        'termogest_agenda.msg_intervention_signed_locked',
                        intervention=intervention.rec_name))
            if intervention.state != 'draft':
                raise AccessError(gettext(
                        'termogest_agenda.msg_intervention_done_locked',
                        intervention=intervention.rec_name))
            if not signature:
                raise InterventionError(gettext(
                        'termogest_agenda.msg_intervention_no_signature',
                        intervention=intervention.rec_name))
            if not signer_name:
                raise InterventionError(gettext(
                        'termogest_agenda.msg_intervention_no_signer',
                        intervention=intervention.rec_name))
            if config_.privacy_required and not privacy_accepted:
                raise InterventionError(gettext(
                        'termogest_agenda.msg_intervention_privacy',
                        intervention=intervention.rec_name))
        cls.check_complete(interventions)
        now = datetime.datetime.now().replace(microsecond=0)
        with Transaction().set_context(_termogest_signing=True):
            cls.write(interventions, {
                    'signature': signature,
                    'signer_name': signer_name,
                    'signed_at': now,
                    'privacy_accepted': bool(privacy_accepted),
                    'privacy_accepted_at': now if privacy_accepted else None,
                    })
            interventions = cls.browse(interventions)
            for intervention in interventions:
                cls.write([intervention], {
                        'signature_hash': intervention.content_digest(),
                        })

    @classmethod
    @ModelView.button
    def send_email(cls, interventions):
        "E-mail the PDF report to the customer (or the heading)"
        pool = Pool()
        InterventionReport = pool.get(
            'termogest.intervention', type='report')
        Company = pool.get('company.company')
        to_write = []
        now = datetime.datetime.now().replace(microsecond=0)
        for intervention in interventions:
            recipient = intervention.email_recipient()
            if not recipient:
                raise InterventionError(gettext(
                        'termogest_agenda.msg_intervention_no_email',
                        intervention=intervention.rec_name,
                        party=(intervention.heading_party
                            or intervention.party).rec_name))
            ext, content, _, title = InterventionReport.execute(
                [intervention.id], {})
            company = Company(intervention.company.id)
            msg = EmailMessage()
            msg['From'] = config.get('email', 'from')
            msg['To'] = recipient
            msg['Subject'] = gettext(
                'termogest_agenda.msg_intervention_email_subject',
                number=intervention.number,
                company=company.rec_name)
            msg.set_content(gettext(
                    'termogest_agenda.msg_intervention_email_body',
                    party=(intervention.heading_party
                        or intervention.party).rec_name,
                    number=intervention.number,
                    date=intervention.date.strftime('%d/%m/%Y'),
                    company=company.rec_name))
            msg.add_attachment(
                bytes(content), maintype='application', subtype='pdf',
                filename='%s.%s' % (
                    (intervention.number or 'intervento').replace('/', '-'),
                    ext))
            send_message_transactional(msg, strict=True)
            to_write.extend(([intervention], {
                        'emailed_to': recipient,
                        'emailed_at': now,
                        }))
        if to_write:
            cls.write(*to_write)

    def email_recipient(self):
        for party in filter(None, [self.heading_party, self.party]):
            if party.email:
                return party.email


class InterventionDevice(ModelSQL):
    "Intervention - Device"
    __name__ = 'termogest.intervention-termogest.device'
    __string__ = "Intervention Device"
    intervention = fields.Many2One(
        'termogest.intervention', "Intervention", required=True,
        ondelete='CASCADE')
    device = fields.Many2One(
        'termogest.device', "Device", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('intervention')
        # Both ways: the records of one side, and "in" searches from the
        # other (the maintenance due, the app's device histories)
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.intervention, Index.Range())),
                Index(t, (t.device, Index.Range())),
                })


class InterventionLine(ModelSQL, ModelView):
    "Intervention part"
    __name__ = 'termogest.intervention.line'
    __string__ = "Intervention Part"

    intervention = fields.Many2One(
        'termogest.intervention', "Intervention", required=True,
        ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company')
    # The company of the intervention (prices, taxes): also outside a form,
    # where no _parent_intervention is evaluated
    product = fields.Many2One(
        'product.product', "Product", ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    description = fields.Char("Description", required=True)
    quantity = fields.Float(
        "Quantity", required=True, digits='unit',
        domain=[('quantity', '>', 0)])
    unit = fields.Many2One(
        'product.uom', "Unit", required=True, ondelete='RESTRICT',
        domain=[If(Bool(Eval('product_uom_category')),
                ('category', '=', Eval('product_uom_category', -1)), ())])
    product_uom_category = fields.Function(
        fields.Many2One('product.uom.category', "Product UoM Category"),
        'on_change_with_product_uom_category')
    unit_price = fields.Numeric(
        "Unit Price", digits=(16, 4),
        help="Sale price per unit, for the invoice.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('intervention')

    @staticmethod
    def default_quantity():
        return 1

    @classmethod
    def default_unit(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        return ModelData.get_id('product', 'uom_unit')

    @fields.depends('product', 'description', 'unit', 'unit_price')
    def on_change_product(self):
        if self.product:
            if not self.description:
                self.description = self.product.rec_name
            self.unit = self.product.default_uom
            if self.unit_price is None:
                self.unit_price = self.product.list_price_used

    @fields.depends('intervention', '_parent_intervention.company')
    def on_change_with_company(self, name=None):
        if self.intervention and self.intervention.company:
            return self.intervention.company.id

    @fields.depends('product')
    def on_change_with_product_uom_category(self, name=None):
        return self.product.default_uom_category if self.product else None

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Product = pool.get('product.product')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('product') and not values.get(
                'description'):
            values['description'] = Product(values['product']).rec_name
        return values

    @classmethod
    def create(cls, vlist):
        lines = super().create(vlist)
        cls.check_parent(lines)
        return lines

    @classmethod
    def write(cls, *args):
        cls.check_parent(sum(args[0:None:2], []))
        super().write(*args)
        cls.check_parent(sum(args[0:None:2], []))

    @classmethod
    def delete(cls, lines):
        cls.check_parent(lines)
        super().delete(lines)

    @classmethod
    def check_parent(cls, lines):
        pool = Pool()
        Intervention = pool.get('termogest.intervention')
        Intervention.check_unlocked(list({l.intervention for l in lines}))


class SignStart(ModelView):
    "Sign intervention"
    __name__ = 'termogest.intervention.sign.start'
    __string__ = "Sign Intervention"

    intervention = fields.Many2One(
        'termogest.intervention', "Intervention", readonly=True)
    signer_name = fields.Char("Signer", required=True)
    signature = fields.Binary(
        "Signature", required=True,
        help="The customer's signature: draw it on the phone app, or load "
        "the image of the signed sheet.")
    privacy_notice = fields.Text("Privacy Notice", readonly=True)
    privacy_accepted = fields.Boolean(
        "The customer accepts the privacy notice")


class Sign(Wizard):
    "Sign intervention"
    __name__ = 'termogest.intervention.sign'
    start = StateView(
        'termogest.intervention.sign.start',
        'termogest_agenda.intervention_sign_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Sign", 'sign', 'tryton-ok', default=True),
            ])
    sign = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        intervention = self.record
        return {
            'intervention': intervention.id,
            'signer_name': (intervention.heading_party
                or intervention.party).rec_name,
            'privacy_notice': Configuration(1).privacy_notice,
            }

    def transition_sign(self):
        self.model.apply_signature(
            [self.record], self.start.signature, self.start.signer_name,
            self.start.privacy_accepted)
        return 'end'


class HTMLReport(Report):
    "A report written in HTML and printed to PDF by WeasyPrint"

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['fmt_date'] = lambda d: d.strftime('%d/%m/%Y') if d else ''
        context['fmt_time'] = lambda t: t.strftime('%H:%M') if t else ''
        # datetimes are naive UTC: shown in the company's timezone
        tz = company_timezone(
            getattr(records[0], 'company', None) if records else None)
        context['fmt_datetime'] = lambda d: d.replace(
            tzinfo=datetime.timezone.utc).astimezone(tz).strftime(
            '%d/%m/%Y %H:%M') if d else ''
        context['fmt_num'] = lambda n, digits=2: (
            ('{:,.%sf}' % digits).format(n).replace(',', ' ').replace(
                '.', ',').replace(' ', '.') if n is not None else '')
        context['data_uri'] = _data_uri
        context['stylesheet'] = _stylesheet
        return context

    @classmethod
    def convert(cls, report, data, **kwargs):
        # Images are embedded as data: URIs, which Tryton's fetcher (http
        # and https only) refuses; nothing is fetched from the network.
        if (report.template_extension == 'html'
                and report.extension == 'pdf'):
            import weasyprint
            return 'pdf', weasyprint.HTML(
                string=data,
                url_fetcher=weasyprint.URLFetcher(
                    allowed_protocols={'data'}),
                ).write_pdf()
        return super().convert(report, data, **kwargs)


class InterventionReport(HTMLReport):
    __name__ = 'termogest.intervention'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        context = super().get_context(records, header, data)
        context['fmt_minutes'] = lambda td: (
            '%d:%02d' % divmod(int(td.total_seconds() // 60), 60)
            if td is not None else '')
        context['kinds'] = dict(KINDS)
        context['outcomes'] = dict(OUTCOMES[1:])
        context['privacy_notice'] = Configuration(1).privacy_notice or ''
        return context


def _data_uri(data, mimetype='image/png'):
    if not data:
        return ''
    return 'data:%s;base64,%s' % (
        mimetype, base64.b64encode(bytes(data)).decode('ascii'))


def _stylesheet(module, name):
    """The CSS file report/<name> of a module, for a <style> element: the
    style shared by several templates (Genshi's sandbox has no include)"""
    if not (re.fullmatch(r'termogest_[a-z]+', module)
            and re.fullmatch(r'[a-z_-]+\.css', name)):
        raise ValueError("stylesheet(%r, %r)" % (module, name))
    with file_open('%s/report/%s' % (module, name), 'r',
            encoding='utf-8') as file:
        return Markup(file.read())
