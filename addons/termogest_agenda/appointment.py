# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from trytond.exceptions import UserWarning
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.termogest_impianti.regulation import rec_name_domain
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .call import CustomerMixin, check_site, from_record, party_attention

KINDS = [
    ('maintenance', "Maintenance"),
    ('repair', "Repair"),
    ('installation', "Installation"),
    ('efficiency_check', "Efficiency Check"),
    ('first_startup', "First Start-up"),
    ]
# Colours of the technicians in the calendars (by employee id)
PALETTE = [
    '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf',
    '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22',
    ]


class AppointmentError(ValidationError):
    pass


class AppointmentAttentionWarning(UserWarning):
    pass


def company_timezone(company):
    if company and company.timezone:
        return ZoneInfo(company.timezone)
    return ZoneInfo('UTC')


def local_date(value, company):
    "The calendar date of the naive UTC datetime in the company's timezone"
    if value is None:
        return None
    return value.replace(tzinfo=datetime.timezone.utc).astimezone(
        company_timezone(company)).date()


def local_time(value, company):
    if value is None:
        return None
    return value.replace(tzinfo=datetime.timezone.utc).astimezone(
        company_timezone(company)).time().replace(second=0, microsecond=0)


def navigation_links(address):
    "geo: URI and maps URL of a party.address"
    if not address:
        return None, None
    parts = [address.street, ' '.join(filter(None, [
                    address.postal_code, address.city])),
        address.subdivision.name if address.subdivision else None,
        address.country.name if address.country else None]
    text = ', '.join(p.replace('\n', ' ').strip() for p in parts if p)
    if not text:
        return None, None
    query = quote_plus(text)
    return ('geo:0,0?q=%s' % query,
        'https://www.google.com/maps/search/?api=1&query=%s' % query)


class Appointment(CustomerMixin, Workflow, ModelSQL, ModelView):
    "Appointment"
    __name__ = 'termogest.appointment'
    __string__ = "Appointment"

    _states = {'readonly': Eval('state').in_(['done', 'cancelled'])}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    technician = fields.Many2One(
        'company.employee', "Technician", required=True, states=_states,
        domain=[('company', '=', Eval('company', -1))])
    start = fields.DateTime("Start", required=True, states=_states)
    end = fields.DateTime(
        "End", required=True, states=_states,
        domain=[If(Bool(Eval('start')),
                ('end', '>', Eval('start')), ())])
    date = fields.Date("Date", readonly=True)
    start_time = fields.Function(
        fields.Time("From", format='%H:%M'), 'get_times')
    end_time = fields.Function(
        fields.Time("To", format='%H:%M'), 'get_times')
    kind = fields.Selection(KINDS, "Kind", required=True, states=_states)
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE',
        domain=[('internal', '=', False)], states=_states,
        context={'company': Eval('company', -1)}, depends={'company'})
    plant = fields.Many2One(
        'termogest.plant', "Plant", ondelete='SET NULL', states=_states,
        domain=[If(Bool(Eval('party')),
                ('party', '=', Eval('party', -1)), ())])
    address = fields.Many2One(
        'party.address', "Address", ondelete='SET NULL', states=_states,
        domain=[If(Bool(Eval('party')),
                ('party', '=', Eval('party', -1)), ())],
        help="Where the technician goes: the plant's address by default.")
    devices = fields.Many2Many(
        'termogest.appointment-termogest.device', 'appointment', 'device',
        "Devices", states=_states,
        domain=[If(Bool(Eval('plant')),
                ('plant', '=', Eval('plant', -1)),
                ('plant.party', '=', Eval('party', -1)))])
    call = fields.Many2One(
        'termogest.call', "Call", ondelete='SET NULL', states=_states,
        domain=[
            If(Bool(Eval('party')), ('party', '=', Eval('party', -1)), ()),
            ])
    description = fields.Text("Description", states=_states)
    phone = fields.Function(fields.Char("Phone"), 'get_contact')
    mobile = fields.Function(fields.Char("Mobile"), 'get_contact')
    city = fields.Function(fields.Char("City"), 'get_contact')
    full_address = fields.Function(fields.Char("Address"), 'get_contact')
    geo_uri = fields.Function(
        fields.Char("Navigate (Phone)"), 'get_navigation')
    maps_url = fields.Function(fields.Char("Navigate"), 'get_navigation')
    color = fields.Function(fields.Char("Colour"), 'get_color')
    count = fields.Function(fields.Integer("Appointments"), 'get_count')
    # the company's today: sao 8.0 evaluates Date() to the UTC date
    today = fields.Function(
        fields.Boolean("Today"), 'get_today', searcher='search_today')
    mine = fields.Function(
        fields.Boolean("Mine"), 'get_mine', searcher='search_mine')
    interventions = fields.One2Many(
        'termogest.intervention', 'appointment', "Interventions",
        readonly=True)
    state = fields.Selection([
            ('planned', "Planned"),
            ('confirmed', "Confirmed"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.technician, Index.Range()),
                    (t.start, Index.Range())),
                Index(t, (t.date, Index.Range())),
                Index(t, (t.party, Index.Range())),
                })
        cls._order = [
            ('start', 'ASC'),
            ('id', 'ASC'),
            ]
        cls._transitions |= {
            ('planned', 'confirmed'),
            ('planned', 'done'),
            ('confirmed', 'done'),
            ('planned', 'cancelled'),
            ('confirmed', 'cancelled'),
            ('cancelled', 'planned'),
            ('confirmed', 'planned'),
            }
        cls._buttons.update({
                'confirm': {
                    'invisible': Eval('state') != 'planned',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['planned', 'confirmed']),
                    'depends': ['state'],
                    },
                'plan': {
                    'invisible': ~Eval('state').in_(
                        ['cancelled', 'confirmed']),
                    'icon': If(Eval('state') == 'cancelled',
                        'tryton-undo', 'tryton-back'),
                    'depends': ['state'],
                    },
                'open_intervention': {
                    'invisible': Eval('state') == 'cancelled',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'cancelled', 'muted',
                    If(Eval('state') == 'done', 'success', ''))),
            ]

    @staticmethod
    def default_state():
        return 'planned'

    @staticmethod
    def default_kind():
        return 'maintenance'

    @classmethod
    def default_call(cls):
        return from_record('termogest.call')

    @classmethod
    def _default_from_call(cls):
        "The call the appointment is booked from, or None"
        pool = Pool()
        Call = pool.get('termogest.call')
        call = cls.default_call()
        return Call(call) if call else None

    @classmethod
    def default_party(cls):
        call = cls._default_from_call()
        if call:
            return call.party.id
        return super().default_party()

    @classmethod
    def default_plant(cls):
        call = cls._default_from_call()
        if call:
            return call.plant.id if call.plant else None
        return super().default_plant()

    @classmethod
    def default_address(cls):
        pool = Pool()
        Plant = pool.get('termogest.plant')
        plant = cls.default_plant()
        if plant:
            plant = Plant(plant)
            return plant.address.id if plant.address else None

    @classmethod
    def default_devices(cls):
        call = cls._default_from_call()
        return [call.device.id] if call and call.device else []

    @classmethod
    def default_description(cls):
        call = cls._default_from_call()
        if call:
            return '\n'.join(filter(None, [call.reason, call.notes]))

    @classmethod
    def default_technician(cls):
        # the agenda's technician field; otherwise the office chooses
        return Transaction().context.get('technician')

    @fields.depends('party', 'plant', 'address', 'devices')
    def on_change_party(self):
        if self.plant and self.plant.party != self.party:
            self.plant = None
            self.devices = []
        if self.party and not self.plant:
            plants = [p for p in getattr(self.party, 'plants', []) or []
                if p.active]
            if len(plants) == 1:
                self.plant, = plants
        if self.address and self.address.party != self.party:
            self.address = None
        if self.plant and self.plant.address:
            self.address = self.plant.address
        elif self.party and not self.address:
            self.address = self.party.address_get()

    @fields.depends('plant', 'party', 'address', 'devices')
    def on_change_plant(self):
        if self.plant:
            if not self.party:
                self.party = self.plant.party
            if self.plant.address:
                self.address = self.plant.address
            self.devices = [d for d in self.devices if d.plant == self.plant]

    @fields.depends('call', 'party', 'plant', 'devices', 'description',
        'address', 'kind')
    def on_change_call(self):
        if self.call:
            self.party = self.call.party
            if self.call.plant:
                self.plant = self.call.plant
                if self.plant.address:
                    self.address = self.plant.address
            if self.call.device:
                self.devices = [self.call.device]
            if not self.description:
                self.description = '\n'.join(filter(None, [
                            self.call.reason, self.call.notes]))

    @fields.depends('start', 'end')
    def on_change_start(self):
        if self.start and (not self.end or self.end <= self.start):
            self.end = self.start + datetime.timedelta(hours=1)

    @classmethod
    def get_times(cls, appointments, names):
        result = {n: {} for n in names}
        for appointment in appointments:
            for name, value in [
                    ('start_time', appointment.start),
                    ('end_time', appointment.end)]:
                if name in result:
                    result[name][appointment.id] = local_time(
                        value, appointment.company)
        return result

    @classmethod
    def get_contact(cls, appointments, names):
        result = {n: {} for n in names}
        for appointment in appointments:
            party = appointment.party
            address = appointment.address
            values = {
                'phone': party.phone if party else None,
                'mobile': party.mobile if party else None,
                'city': address.city if address else None,
                'full_address': address.full_address.replace('\n', ', ')
                if address else None,
                }
            for name in names:
                result[name][appointment.id] = values[name]
        return result

    @classmethod
    def get_navigation(cls, appointments, names):
        result = {n: {} for n in names}
        for appointment in appointments:
            geo, url = navigation_links(appointment.address)
            if 'geo_uri' in result:
                result['geo_uri'][appointment.id] = geo
            if 'maps_url' in result:
                result['maps_url'][appointment.id] = url
        return result

    @classmethod
    def get_today(cls, appointments, name):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        return {a.id: a.date == today for a in appointments}

    @classmethod
    def search_today(cls, name, clause):
        pool = Pool()
        Date = pool.get('ir.date')
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('date', '=', Date.today())]
        return ['OR', ('date', '!=', Date.today()), ('date', '=', None)]

    @classmethod
    def get_count(cls, appointments, name):
        return {a.id: 1 for a in appointments}

    def get_color(self, name):
        if self.technician:
            return PALETTE[self.technician.id % len(PALETTE)]

    @classmethod
    def get_mine(cls, appointments, name):
        pool = Pool()
        User = pool.get('res.user')
        employees = set(User.get_employees())
        return {a.id: a.technician.id in employees for a in appointments}

    @classmethod
    def search_mine(cls, name, clause):
        pool = Pool()
        User = pool.get('res.user')
        _, operator, value = clause
        employees = User.get_employees()
        if (operator == '=') == bool(value):
            return [('technician', 'in', employees)]
        return [('technician', 'not in', employees)]

    def get_rec_name(self, name):
        start = self.start
        when = ''
        if start:
            local = start.replace(tzinfo=datetime.timezone.utc).astimezone(
                company_timezone(self.company))
            when = local.strftime('%d/%m/%Y %H:%M')
        return ' - '.join(filter(None, [
                    when,
                    self.technician.rec_name if self.technician else None,
                    self.party.rec_name if self.party else None]))

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, [
                'party.rec_name', 'technician.rec_name', 'description'])

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Company = pool.get('company.company')
        values = super().preprocess_values(mode, values)
        if values.get('start'):
            company = values.get('company') or cls.default_company()
            values['date'] = local_date(
                values['start'], Company(company) if company else None)
        return values

    @classmethod
    def create(cls, vlist):
        appointments = super().create(vlist)
        cls._warn_attention(appointments)
        cls._update_calls(appointments)
        return appointments

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        calls = set()
        warn = []
        for appointments, values in zip(actions, actions):
            if 'call' in values:
                calls.update(a.call for a in appointments if a.call)
            if 'party' in values:
                warn.extend(appointments)
        super().write(*args)
        appointments = sum(args[0:None:2], [])
        if warn:
            cls._warn_attention(warn)
        cls._update_calls(appointments, calls)

    @classmethod
    def delete(cls, appointments):
        calls = {a.call for a in appointments if a.call}
        for appointment in appointments:
            if appointment.state == 'done' or appointment.interventions:
                raise AppointmentError(gettext(
                        'termogest_agenda.msg_appointment_delete_done',
                        appointment=appointment.rec_name))
        super().delete(appointments)
        cls._update_calls([], calls)

    @classmethod
    def copy(cls, appointments, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('interventions')
        default.setdefault('state', 'planned')
        return super().copy(appointments, default=default)

    @classmethod
    def _warn_attention(cls, appointments):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        for appointment in appointments:
            if appointment.party and appointment.party.attention:
                key = Warning.format(
                    'termogest_attention', [appointment])
                if Warning.check(key):
                    raise AppointmentAttentionWarning(key,
                        party_attention(appointment.party))

    @classmethod
    def _update_calls(cls, appointments, calls=()):
        pool = Pool()
        Call = pool.get('termogest.call')
        calls = set(calls) | {a.call for a in appointments if a.call}
        if calls:
            # a technician moves the call of his appointment without
            # having access to the calls
            with without_check_access():
                Call.update_from_appointments(Call.browse(list(calls)))

    @classmethod
    def validate_fields(cls, appointments, field_names):
        super().validate_fields(appointments, field_names)
        cls.check_overlap(appointments, field_names)
        cls.check_consistency(appointments, field_names)

    @classmethod
    def check_overlap(cls, appointments, field_names=None):
        "A technician cannot be in two places at once"
        if field_names and not (field_names & {
                    'technician', 'start', 'end', 'state'}):
            return
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub in grouped_slice(
                [a for a in appointments if a.state != 'cancelled']):
            for appointment in sub:
                cursor.execute(*table.select(table.id,
                        where=(table.technician == appointment.technician.id)
                        & (table.state != 'cancelled')
                        & (table.id != appointment.id)
                        & (table.start < appointment.end)
                        & (table.end > appointment.start),
                        limit=1))
                row = cursor.fetchone()
                if row:
                    other = cls(row[0])
                    raise AppointmentError(gettext(
                            'termogest_agenda.msg_appointment_overlap',
                            appointment=appointment.rec_name,
                            technician=appointment.technician.rec_name,
                            other=other.rec_name))

    @classmethod
    def check_consistency(cls, appointments, field_names=None):
        if field_names and not (field_names & {
                    'party', 'plant', 'devices', 'call', 'address'}):
            return
        for appointment in appointments:
            check_site(appointment, 'appointment', AppointmentError)
            if (appointment.call
                    and appointment.call.party != appointment.party):
                raise AppointmentError(gettext(
                        'termogest_agenda.msg_appointment_call_party',
                        appointment=appointment.rec_name,
                        call=appointment.call.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, appointments):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, appointments):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def plan(cls, appointments):
        pass

    @classmethod
    @Workflow.transition('done')
    def do(cls, appointments):
        pass

    @classmethod
    def set_done(cls, appointments):
        "Mark done (from the intervention) and follow the calls"
        cls.do([a for a in appointments if a.state in {
                    'planned', 'confirmed'}])
        cls._update_calls(appointments)

    @classmethod
    @ModelView.button_action('termogest_agenda.act_intervention_open')
    def open_intervention(cls, appointments):
        "Open the appointment's intervention, creating it when needed"
        pool = Pool()
        Intervention = pool.get('termogest.intervention')
        ids = []
        to_create = []
        for appointment in appointments:
            if appointment.interventions:
                ids.extend(i.id for i in appointment.interventions)
            elif appointment.state != 'cancelled':
                to_create.append(Intervention.values_from_appointment(
                        appointment))
        if to_create:
            ids.extend(i.id for i in Intervention.create(to_create))
        return {
            'res_id': ids,
            'domain': [('id', 'in', ids)],
            }


class AppointmentDevice(ModelSQL):
    "Appointment - Device"
    __name__ = 'termogest.appointment-termogest.device'
    __string__ = "Appointment Device"
    appointment = fields.Many2One(
        'termogest.appointment', "Appointment", required=True,
        ondelete='CASCADE')
    device = fields.Many2One(
        'termogest.device', "Device", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('appointment')
        # Both ways: the records of one side, and "in" searches from the
        # other (the maintenance due, the app's device histories)
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.appointment, Index.Range())),
                Index(t, (t.device, Index.Range())),
                })


class AppointmentContext(ModelView):
    "Agenda context"
    __name__ = 'termogest.appointment.context'
    __string__ = "Agenda"

    technician = fields.Many2One(
        'company.employee', "Technician",
        help="Empty: every technician.")

    @classmethod
    def default_technician(cls):
        return Transaction().context.get('technician')
