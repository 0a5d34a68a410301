# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime

from sql import Union

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .call import OPEN_STATES

SUMMARY_LIMIT = 5
SUMMARY_DUE_DAYS = 90


def _technician_query(employees, column):
    "Ids of column of the appointments and interventions of employees"
    pool = Pool()
    Appointment = pool.get('termogest.appointment')
    Intervention = pool.get('termogest.intervention')
    appointment = Appointment.__table__()
    intervention = Intervention.__table__()
    employees = [e for e in employees if isinstance(e, int)] or [-1]
    return Union(
        appointment.select(
            getattr(appointment, column).as_('id'),
            where=appointment.technician.in_(employees)
            & (appointment.state != 'cancelled')),
        intervention.select(
            getattr(intervention, column).as_('id'),
            where=intervention.technician.in_(employees)))


def _get_technicians(column, records):
    "The technicians of the appointments and interventions of each record"
    pool = Pool()
    result = {r.id: set() for r in records}
    for model in ['termogest.appointment', 'termogest.intervention']:
        Model = pool.get(model)
        for record in Model.search([
                    (column, 'in', list(result)),
                    ('state', '!=', 'cancelled'),
                    ]):
            result[getattr(record, column).id].add(record.technician.id)
    return {k: list(v) for k, v in result.items()}


def _search_technicians(column, clause):
    "Searcher: the records visited by the employees of clause"
    _, operator, value = clause
    if value is None:
        value = []
    elif not isinstance(value, (list, tuple)):
        value = [value]
    query = _technician_query(value, column)
    if operator in {'in', '='}:
        return [('id', 'in', query)]
    return [('id', 'not in', query)]


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    calls = fields.One2Many(
        'termogest.call', 'party', "Calls", readonly=True)
    appointments = fields.One2Many(
        'termogest.appointment', 'party', "Appointments", readonly=True)
    interventions = fields.One2Many(
        'termogest.intervention', 'party', "Interventions", readonly=True)
    secretary_notes = fields.One2Many(
        'termogest.secretary.note', 'party', "Notes")
    summary_due = fields.Function(fields.Many2Many(
            'termogest.maintenance.due', None, None, "Maintenance Due"),
        'get_summary')
    summary_appointments = fields.Function(fields.Many2Many(
            'termogest.appointment', None, None, "Next Appointments"),
        'get_summary')
    summary_calls = fields.Function(fields.Many2Many(
            'termogest.call', None, None, "Open Calls"),
        'get_summary')
    summary_interventions = fields.Function(fields.Many2Many(
            'termogest.intervention', None, None, "Last Interventions"),
        'get_summary')
    agenda_technicians = fields.Function(fields.Many2Many(
            'company.employee', None, None, "Visiting Technicians"),
        'get_agenda_technicians', searcher='search_agenda_technicians')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        for name in ['new_call', 'new_ticket', 'new_appointment',
                'new_intervention', 'new_note']:
            cls._buttons[name] = {
                'invisible': Eval('id', -1) < 0,
                'depends': ['id'],
                }

    @classmethod
    def get_summary(cls, parties, names):
        pool = Pool()
        Due = pool.get('termogest.maintenance.due')
        Appointment = pool.get('termogest.appointment')
        Call = pool.get('termogest.call')
        Intervention = pool.get('termogest.intervention')
        Date = pool.get('ir.date')
        today = Date.today()
        now = datetime.datetime.now()
        result = {n: {} for n in names}
        for party in parties:
            if 'summary_due' in names:
                with Transaction().set_context(
                        from_date=today - datetime.timedelta(days=365),
                        to_date=today + datetime.timedelta(
                            days=SUMMARY_DUE_DAYS),
                        kind=None, contract=None, technician=None):
                    result['summary_due'][party.id] = [d.id for d in
                        Due.search([('party', '=', party.id)],
                            order=[('due_date', 'ASC')])]
            if 'summary_appointments' in names:
                result['summary_appointments'][party.id] = [
                    a.id for a in Appointment.search([
                            ('party', '=', party.id),
                            ('end', '>=', now),
                            ('state', 'in', ['planned', 'confirmed']),
                            ], limit=SUMMARY_LIMIT)]
            if 'summary_calls' in names:
                result['summary_calls'][party.id] = [
                    c.id for c in Call.search([
                            ('party', '=', party.id),
                            ('state', 'in', OPEN_STATES),
                            ])]
            if 'summary_interventions' in names:
                result['summary_interventions'][party.id] = [
                    i.id for i in Intervention.search([
                            ('party', '=', party.id),
                            ], limit=SUMMARY_LIMIT)]
        return result

    @classmethod
    def get_agenda_technicians(cls, parties, name):
        return _get_technicians('party', parties)

    @classmethod
    def search_agenda_technicians(cls, name, clause):
        return _search_technicians('party', clause)

    @classmethod
    @ModelView.button_action('termogest_agenda.act_call_new')
    def new_call(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('termogest_agenda.act_ticket_new')
    def new_ticket(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('termogest_agenda.act_appointment_new')
    def new_appointment(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('termogest_agenda.act_intervention_new')
    def new_intervention(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('termogest_agenda.act_note_new')
    def new_note(cls, parties):
        pass

    @classmethod
    def _trash_dependents(cls):
        return super()._trash_dependents() + [
            ('termogest.call', 'party', 'active'),
            ]

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        for name in ['calls', 'appointments', 'interventions',
                'secretary_notes']:
            default.setdefault(name)
        return super().copy(parties, default=default)

    @classmethod
    def purge(cls, parties):
        "Keep in the trash the cards with interventions"
        pool = Pool()
        Intervention = pool.get('termogest.intervention')
        kept = {i.party.id for i in Intervention.search([
                    ('party', 'in', [p.id for p in parties]),
                    ])}
        if kept and Transaction().context.get('_termogest_purge_strict'):
            party = cls(next(iter(kept)))
            raise AccessError(gettext(
                    'termogest_agenda.msg_party_purge_interventions',
                    party=party.rec_name))
        super().purge([p for p in parties if p.id not in kept])


class Plant(metaclass=PoolMeta):
    __name__ = 'termogest.plant'

    agenda_technicians = fields.Function(fields.Many2Many(
            'company.employee', None, None, "Visiting Technicians"),
        'get_agenda_technicians', searcher='search_agenda_technicians')

    @classmethod
    def get_agenda_technicians(cls, plants, name):
        return _get_technicians('plant', plants)

    @classmethod
    def search_agenda_technicians(cls, name, clause):
        return _search_technicians('plant', clause)


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('termogest.call', 'party'),
            ('termogest.appointment', 'party'),
            ('termogest.intervention', 'party'),
            ('termogest.intervention', 'heading_party'),
            ('termogest.secretary.note', 'party'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def check_erase(self, party):
        pool = Pool()
        Intervention = pool.get('termogest.intervention')
        super().check_erase(party)
        # signed reports and invoiced work are kept (civil code, art. 2220)
        if Intervention.search(['OR',
                    ('party', '=', party.id),
                    ('heading_party', '=', party.id),
                    ], limit=1):
            raise AccessError(gettext(
                    'termogest_agenda.msg_party_erase_interventions',
                    party=party.rec_name))
