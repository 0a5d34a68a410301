# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The secretaries' dashboard (Bacheca): SQL views behind its charts"""
import datetime

from sql import Cast, Literal, Null
from sql.aggregate import Count, Max, Min
from sql.conditionals import Case
from sql.functions import Extract

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .call import OPEN_STATES


def _audit_columns(table):
    return [
        Literal(0).as_('create_uid'),
        Min(table.create_date).as_('create_date'),
        Literal(0).as_('write_uid'),
        Max(table.write_date).as_('write_date'),
        ]


class InterventionMonth(ModelSQL, ModelView):
    "Interventions per month"
    __name__ = 'termogest.dashboard.intervention_month'
    __string__ = "Interventions per Month"

    month = fields.Function(fields.Char("Month"), 'get_month')
    year_month = fields.Integer("Year and Month")
    count = fields.Integer("Interventions")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('year_month', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Intervention = pool.get('termogest.intervention')
        Date = pool.get('ir.date')
        intervention = Intervention.__table__()
        today = Date.today()
        first = datetime.date(today.year - 1, today.month, 1)
        year_month = (Extract('YEAR', intervention.date) * 100
            + Extract('MONTH', intervention.date))
        where = (intervention.date >= first) & (intervention.date <= today)
        company = Transaction().context.get('company')
        if company:
            where &= intervention.company == company
        query = intervention.select(
            Cast(year_month, 'INTEGER').as_('year_month'),
            intervention.create_date, intervention.write_date,
            where=where)
        return query.select(
            query.year_month.as_('id'),
            *_audit_columns(query),
            query.year_month.as_('year_month'),
            Count(Literal(1)).as_('count'),
            group_by=[query.year_month])

    def get_month(self, name):
        year, month = divmod(int(self.year_month), 100)
        return '%02d/%d' % (month, year)


AGE_BUCKETS = [
    (1, "0–2 days", 0, 2),
    (2, "3–7 days", 3, 7),
    (3, "8–30 days", 8, 30),
    (4, "Over 30 days", 31, None),
    ]


class BucketMixin:
    "The bucket is an integer in the SQL view, a key of the selection"
    __slots__ = ()
    _bucket_field = None

    @classmethod
    def read(cls, ids, fields_names):
        rows = super().read(ids, fields_names)
        for row in rows:
            if row.get(cls._bucket_field) is not None:
                row[cls._bucket_field] = str(row[cls._bucket_field])
        return rows

    def get_label(self, name):
        # graphs show a selection's key: they plot this label instead
        return getattr(self, '%s_string' % self._bucket_field)

    @classmethod
    def _bucket_counts(cls, table, bucket, where=None):
        "Rows of table counted by the integer bucket expression"
        query = table.select(
            Cast(bucket, 'INTEGER').as_('bucket_id'),
            table.create_date, table.write_date,
            where=where)
        return query.select(
            query.bucket_id.as_('id'),
            *_audit_columns(query),
            query.bucket_id.as_(cls._bucket_field),
            Count(Literal(1)).as_('count'),
            where=query.bucket_id != Null,
            group_by=[query.bucket_id])


class CallAge(BucketMixin, ModelSQL, ModelView):
    "Open calls by age"
    __name__ = 'termogest.dashboard.call_age'
    __string__ = "Open Calls by Age"

    bucket = fields.Selection(
        [(str(b), s) for b, s, _, _ in AGE_BUCKETS], "Age", sort=False)
    bucket_string = bucket.translated('bucket')
    label = fields.Function(fields.Char("Age"), 'get_label')
    count = fields.Integer("Open Calls")
    _bucket_field = 'bucket'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Call = pool.get('termogest.call')
        call = Call.__table__()
        now = datetime.datetime.now()
        whens = []
        for bucket, _, low, high in AGE_BUCKETS[:-1]:
            whens.append((
                    call.received_at > now - datetime.timedelta(
                        days=high + 1), Literal(bucket)))
        bucket = Case(*whens, else_=Literal(AGE_BUCKETS[-1][0]))
        where = call.state.in_(OPEN_STATES) & (call.active == Literal(True))
        company = Transaction().context.get('company')
        if company:
            where &= call.company == company
        return cls._bucket_counts(call, bucket, where)


DUE_BUCKETS = [
    (1, "Overdue", None, -1),
    (2, "Next 30 days", 0, 30),
    (3, "31–60 days", 31, 60),
    (4, "61–90 days", 61, 90),
    ]


class MaintenanceWindow(BucketMixin, ModelSQL, ModelView):
    "Maintenance due in the next 30, 60 and 90 days"
    __name__ = 'termogest.dashboard.maintenance_window'
    __string__ = "Maintenance Due Soon"

    window = fields.Selection(
        [(str(b), s) for b, s, _, _ in DUE_BUCKETS], "Due", sort=False)
    window_string = window.translated('window')
    label = fields.Function(fields.Char("Due"), 'get_label')
    count = fields.Integer("Due Dates")
    _bucket_field = 'window'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Due = pool.get('termogest.maintenance.due')
        Date = pool.get('ir.date')
        today = Date.today()
        with Transaction().set_context(
                from_date=datetime.date.min,
                to_date=today + datetime.timedelta(days=90),
                kind=None, contract=None, technician=None):
            due = Due.table_query()
        whens = [(due.due_date < today, Literal(1))]
        for bucket, _, low, high in DUE_BUCKETS[1:]:
            whens.append((
                    due.due_date <= today + datetime.timedelta(days=high),
                    Literal(bucket)))
        return cls._bucket_counts(due, Case(*whens))


class TechnicianToday(ModelSQL, ModelView):
    "Today's appointments per technician"
    __name__ = 'termogest.dashboard.technician_today'
    __string__ = "Today's Appointments per Technician"

    technician = fields.Many2One('company.employee', "Technician")
    count = fields.Integer("Appointments")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('count', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        # the board of sao 8.0 ignores the actions' domains: filter here
        pool = Pool()
        Appointment = pool.get('termogest.appointment')
        Date = pool.get('ir.date')
        appointment = Appointment.__table__()
        where = ((appointment.date == Date.today())
            & (appointment.state != 'cancelled'))
        company = Transaction().context.get('company')
        if company:
            where &= appointment.company == company
        return appointment.select(
            appointment.technician.as_('id'),
            *_audit_columns(appointment),
            appointment.technician.as_('technician'),
            Count(Literal(1)).as_('count'),
            where=where,
            group_by=[appointment.technician])


class Reminder(ModelSQL, ModelView):
    "Reminder due"
    __name__ = 'termogest.dashboard.reminder'
    __string__ = "Reminder Due"

    note = fields.Many2One('termogest.secretary.note', "Note")
    reminder = fields.DateTime("Reminder", format='%H:%M')
    party = fields.Many2One('party.party', "Customer")
    summary = fields.Function(fields.Char("Note"), 'get_summary')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('reminder', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        # the current user's notes whose reminder is past and not done
        pool = Pool()
        Note = pool.get('termogest.secretary.note')
        note = Note.__table__()
        return note.select(
            note.id.as_('id'),
            note.create_uid, note.create_date,
            note.write_uid, note.write_date,
            note.id.as_('note'),
            note.reminder.as_('reminder'),
            note.party.as_('party'),
            where=(note.user == Transaction().user)
            & (note.done == Literal(False))
            & (note.reminder <= datetime.datetime.now()))

    def get_summary(self, name):
        return self.note.summary
