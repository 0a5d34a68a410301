# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.termogest_impianti.plant import plant_from_context
from trytond.modules.termogest_impianti.regulation import rec_name_domain
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

PRIORITIES = [
    ('low', "Low"),
    ('normal', "Normal"),
    ('high', "High"),
    ('urgent', "Urgent"),
    ]
CHANNELS = [
    ('phone', "Phone"),
    ('email', "E-mail"),
    ('ticket', "Ticket"),
    ('counter', "At the Counter"),
    ]
OPEN_STATES = ['new', 'to_schedule', 'scheduled']


class CallError(ValidationError):
    pass


class CustomerMixin:
    "A document of a customer: its attention warning, the card it comes from"
    __slots__ = ()
    party_attention = fields.Function(
        fields.Char("Attention"), 'on_change_with_party_attention')

    @classmethod
    def default_party(cls):
        return (from_record('party.party')
            or Transaction().context.get('party'))

    @classmethod
    def default_plant(cls):
        return plant_from_context()

    @fields.depends('party')
    def on_change_with_party_attention(self, name=None):
        return party_attention(self.party)

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//group[@id="attention"]', 'states', {
                    'invisible': ~Eval('party_attention'),
                    }),
            ]


class Call(CustomerMixin, Workflow, ModelSQL, ModelView):
    "Call or ticket"
    __name__ = 'termogest.call'
    __string__ = "Call"
    _rec_name = 'number'

    _states = {'readonly': Eval('state').in_(['done', 'cancelled'])}

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE',
        domain=[('internal', '=', False)], states=_states,
        context={'company': Eval('company', -1)}, depends={'company'})
    plant = fields.Many2One(
        'termogest.plant', "Plant", ondelete='SET NULL',
        domain=[If(Bool(Eval('party')),
                ('party', '=', Eval('party', -1)), ())],
        states=_states)
    device = fields.Many2One(
        'termogest.device', "Device", ondelete='SET NULL',
        domain=[If(Bool(Eval('plant')),
                ('plant', '=', Eval('plant', -1)),
                If(Bool(Eval('party')),
                    ('plant.party', '=', Eval('party', -1)), ()))],
        states=_states)
    channel = fields.Selection(
        CHANNELS, "Channel", required=True, states=_states)
    priority = fields.Selection(
        PRIORITIES, "Priority", required=True, states=_states, sort=False)
    reason = fields.Char("Reason", required=True, states=_states)
    notes = fields.Text("Notes", states=_states)
    contact_name = fields.Char(
        "Caller", states=_states,
        help="Who called, when it is not the customer.")
    contact_phone = fields.Char("Call-back Phone", states=_states)
    received_at = fields.DateTime(
        "Received", required=True, states=_states)
    requested_date = fields.Date("Requested Date", states=_states)
    received_by = fields.Many2One(
        'res.user', "Received By", readonly=True)
    age = fields.Function(
        fields.Integer("Age (Days)"), 'get_age')
    appointments = fields.One2Many(
        'termogest.appointment', 'call', "Appointments", readonly=True)
    state = fields.Selection([
            ('new', "New"),
            ('to_schedule', "To Schedule"),
            ('scheduled', "Scheduled"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    source = fields.Selection([
            ('manual', "Received"),
            ('maintenance_due', "Maintenance Due List"),
            ], "Source", readonly=True, required=True)
    active = fields.Boolean("Active")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range())),
                Index(
                    t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(OPEN_STATES)),
                })
        cls._order = [
            ('received_at', 'ASC'),
            ('id', 'ASC'),
            ]
        cls._transitions |= {
            ('new', 'to_schedule'),
            ('new', 'scheduled'),
            ('to_schedule', 'scheduled'),
            ('scheduled', 'to_schedule'),
            ('new', 'done'),
            ('to_schedule', 'done'),
            ('scheduled', 'done'),
            ('new', 'cancelled'),
            ('to_schedule', 'cancelled'),
            ('scheduled', 'cancelled'),
            ('cancelled', 'new'),
            ('done', 'new'),
            }
        cls._buttons.update({
                'to_schedule': {
                    'invisible': Eval('state') != 'new',
                    'depends': ['state'],
                    },
                'book': {
                    'invisible': ~Eval('state').in_(
                        ['new', 'to_schedule', 'scheduled']),
                    'depends': ['state'],
                    },
                'done': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': ~Eval('state').in_(['done', 'cancelled']),
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('priority').in_(['high', 'urgent']),
                    'danger', '')),
            ]

    @staticmethod
    def default_state():
        return 'new'

    @staticmethod
    def default_source():
        return 'manual'

    @staticmethod
    def default_active():
        return True

    @staticmethod
    def default_priority():
        return 'normal'

    @staticmethod
    def default_channel():
        return Transaction().context.get('call_channel') or 'phone'

    @staticmethod
    def default_received_at():
        return datetime.datetime.now().replace(microsecond=0)

    @fields.depends('party', 'plant')
    def on_change_party(self):
        if self.plant and self.plant.party != self.party:
            self.plant = None
        if self.party and not self.plant:
            plants = [p for p in getattr(self.party, 'plants', []) or []
                if p.active]
            if len(plants) == 1:
                self.plant, = plants

    @fields.depends('plant', 'device', 'party')
    def on_change_plant(self):
        if self.device and self.device.plant != self.plant:
            self.device = None
        if self.plant and not self.party:
            self.party = self.plant.party

    @fields.depends('device', 'plant')
    def on_change_device(self):
        if self.device and not self.plant:
            self.plant = self.device.plant

    @classmethod
    def get_age(cls, calls, name):
        now = datetime.datetime.now()
        return {c.id: max((now - c.received_at).days, 0)
            if c.received_at else None for c in calls}

    def get_rec_name(self, name):
        return ' - '.join(filter(None, [
                    self.number, self.party.rec_name if self.party else None,
                    self.reason]))

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, [
                'number', 'reason', 'party.rec_name', 'contact_name'])

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        vlist = Configuration.fill_numbers(vlist, 'number', 'call_sequence')
        user = Transaction().user
        for values in vlist:
            values.setdefault('received_by', user or None)
        return super().create(vlist)

    @classmethod
    def copy(cls, calls, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number')
        default.setdefault('appointments')
        default.setdefault('state', 'new')
        default.setdefault('source', 'manual')
        default.setdefault('received_at', cls.default_received_at())
        return super().copy(calls, default=default)

    @classmethod
    def validate_fields(cls, calls, field_names):
        super().validate_fields(calls, field_names)
        cls.check_consistency(calls, field_names)

    @classmethod
    def check_consistency(cls, calls, field_names=None):
        if field_names and not (field_names & {'party', 'plant', 'device'}):
            return
        for call in calls:
            check_site(call, 'call', CallError)

    @classmethod
    @ModelView.button
    @Workflow.transition('to_schedule')
    def to_schedule(cls, calls):
        pass

    @classmethod
    @ModelView.button_action('termogest_agenda.act_appointment_from_call')
    def book(cls, calls):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('scheduled')
    def schedule(cls, calls):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def done(cls, calls):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, calls):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('new')
    def reopen(cls, calls):
        pass

    @classmethod
    def update_from_appointments(cls, calls):
        "Follow the appointments: scheduled, done or back to schedule"
        to_schedule, scheduled, done = [], [], []
        for call in calls:
            if call.state not in OPEN_STATES:
                continue
            states = {a.state for a in call.appointments}
            live = states - {'cancelled'}
            if live and live <= {'done'}:
                done.append(call)
            elif live:
                if call.state != 'scheduled':
                    scheduled.append(call)
            elif call.state == 'scheduled':
                to_schedule.append(call)
        if scheduled:
            cls.schedule(scheduled)
        if done:
            cls.done(done)
        if to_schedule:
            cls.to_schedule(to_schedule)


def party_attention(party):
    "The warning of an attention card, or None"
    if party and getattr(party, 'attention', False):
        note = getattr(party, 'attention_reason', None) or ''
        return gettext(
            'termogest_agenda.msg_party_attention',
            party=party.rec_name, note=note).strip()
    return None


def from_record(model):
    "The id of the model's record the action was opened from"
    context = Transaction().context
    if context.get('from_model') == model:
        from_id = context.get('from_id')
        if from_id and from_id > 0:
            return from_id


def check_site(record, kind, error):
    """Refuse a plant or devices of another customer than the record's

    kind names the messages msg_<kind>_plant_party and msg_<kind>_device.
    """
    party = record.party
    names = {kind: record.rec_name}
    plant = record.plant
    if plant and plant.party != party:
        raise error(gettext(
                'termogest_agenda.msg_%s_plant_party' % kind,
                plant=plant.rec_name, party=party.rec_name, **names))
    devices = getattr(record, 'devices', None)
    if devices is None:
        devices = [record.device] if record.device else []
    for device in devices:
        if device.plant.party != party or (plant and device.plant != plant):
            raise error(gettext(
                    'termogest_agenda.msg_%s_device' % kind,
                    device=device.rec_name,
                    plant=plant.rec_name if plant else '', **names))
