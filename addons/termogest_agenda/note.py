# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .call import from_record

COLOURS = [
    ('yellow', "Yellow"),
    ('green', "Green"),
    ('blue', "Blue"),
    ('pink', "Pink"),
    ('orange', "Orange"),
    ]
COLOUR_CODES = {
    'yellow': '#fff59d',
    'green': '#c5e1a5',
    'blue': '#b3e5fc',
    'pink': '#f8bbd0',
    'orange': '#ffcc80',
    }


class SecretaryNote(ModelSQL, ModelView):
    "Secretary note"
    __name__ = 'termogest.secretary.note'
    __string__ = "Secretary Note"

    text = fields.Text("Text", required=True)
    colour = fields.Selection(COLOURS, "Colour", required=True, sort=False)
    colour_code = fields.Function(
        fields.Char("Colour Code"), 'on_change_with_colour_code')
    reminder = fields.DateTime("Reminder", format='%H:%M')
    reminder_date = fields.Function(
        fields.Date("Reminder Date"), 'get_reminder_date')
    user = fields.Many2One(
        'res.user', "Assigned To", required=True,
        help="Who sees the reminder in the dashboard.")
    party = fields.Many2One(
        'party.party', "Customer", ondelete='CASCADE',
        domain=[('internal', '=', False)])
    done = fields.Boolean("Done")
    done_at = fields.DateTime("Done At", readonly=True)
    due = fields.Function(
        fields.Boolean("Due"), 'get_due', searcher='search_due')
    summary = fields.Function(fields.Char("Summary"), 'get_summary')
    mine = fields.Function(
        fields.Boolean("Mine"), 'get_mine', searcher='search_mine')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.user, Index.Range()), (t.reminder, Index.Range()),
                where=t.done == False))  # noqa: E712
        cls._order = [
            ('done', 'ASC'),
            ('reminder', 'ASC NULLS LAST'),
            ('id', 'DESC'),
            ]

    @staticmethod
    def default_colour():
        return 'yellow'

    @staticmethod
    def default_done():
        return False

    @staticmethod
    def default_user():
        return Transaction().user or None

    @classmethod
    def default_party(cls):
        return from_record('party.party')

    @fields.depends('colour')
    def on_change_with_colour_code(self, name=None):
        return COLOUR_CODES.get(self.colour)

    def get_reminder_date(self, name):
        return self.reminder.date() if self.reminder else None

    @classmethod
    def get_due(cls, notes, name):
        now = datetime.datetime.now()
        return {n.id: bool(not n.done and n.reminder and n.reminder <= now)
            for n in notes}

    @classmethod
    def search_due(cls, name, clause):
        _, operator, value = clause
        now = datetime.datetime.now()
        domain = [('done', '=', False), ('reminder', '<=', now)]
        if (operator == '=') != bool(value):
            domain = ['OR', ('done', '=', True), ('reminder', '=', None),
                ('reminder', '>', now)]
        return domain

    def get_mine(self, name):
        return self.user.id == Transaction().user if self.user else False

    @classmethod
    def search_mine(cls, name, clause):
        _, operator, value = clause
        user = Transaction().user
        if (operator == '=') == bool(value):
            return [('user', '=', user)]
        return [('user', '!=', user)]

    def get_summary(self, name):
        text = ' '.join((self.text or '').split())
        return text if len(text) <= 60 else text[:59] + '…'

    def get_rec_name(self, name):
        return self.summary

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('text',) + tuple(clause[1:])]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if 'done' in values:
            values['done_at'] = (
                datetime.datetime.now().replace(microsecond=0)
                if values['done'] else None)
        return values

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('due', False), 'danger', '')),
            ]
