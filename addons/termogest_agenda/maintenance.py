# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Calls from the maintenance due list"""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateAction, StateView, Wizard

from .call import OPEN_STATES, PRIORITIES


class CreateCallsStart(ModelView):
    "Create calls"
    __name__ = 'termogest.maintenance.due.create_calls.start'
    __string__ = "Create Calls"

    rows = fields.Integer("Selected Due Dates", readonly=True)
    plants = fields.Integer("Plants", readonly=True)
    skipped = fields.Integer(
        "Plants with an Open Call", readonly=True,
        help="Left out: a call from the due list is already open.")
    priority = fields.Selection(
        PRIORITIES, "Priority", required=True, sort=False)


class CreateCalls(Wizard):
    "Create calls"
    __name__ = 'termogest.maintenance.due.create_calls'
    start = StateView(
        'termogest.maintenance.due.create_calls.start',
        'termogest_agenda.maintenance_due_create_calls_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateAction('termogest_agenda.act_call_form')

    def _plants(self):
        "Due rows grouped by plant, and the plants already called"
        pool = Pool()
        Call = pool.get('termogest.call')
        by_plant = {}
        for due in self.records:
            by_plant.setdefault(due.plant, []).append(due)
        open_calls = Call.search([
                ('plant', 'in', [p.id for p in by_plant]),
                ('state', 'in', OPEN_STATES),
                ('source', '=', 'maintenance_due'),
                ])
        called = {c.plant for c in open_calls}
        return by_plant, called

    def default_start(self, fields):
        by_plant, called = self._plants()
        return {
            'rows': len(self.records),
            'plants': len(by_plant),
            'skipped': len(called),
            'priority': 'normal',
            }

    def do_create_(self, action):
        pool = Pool()
        Call = pool.get('termogest.call')
        by_plant, called = self._plants()
        calls = []
        for plant, dues in sorted(
                by_plant.items(), key=lambda i: min(
                    d.due_date for d in i[1])):
            if plant in called:
                continue
            devices = sorted({d.device for d in dues}, key=lambda d: d.id)
            lines = [gettext(
                    'termogest_agenda.msg_call_due_line',
                    device=due.device.rec_name, kind=due.kind_string,
                    date=due.due_date.strftime('%d/%m/%Y'))
                for due in sorted(dues, key=lambda d: d.due_date)]
            calls.append(Call(
                    company=plant.company,
                    party=plant.party,
                    plant=plant,
                    device=devices[0] if len(devices) == 1 else None,
                    channel='phone',
                    priority=self.start.priority,
                    reason=gettext(
                        'termogest_agenda.msg_call_due_reason',
                        plant=plant.rec_name,
                        date=min(d.due_date for d in dues).strftime(
                            '%d/%m/%Y')),
                    notes='\n'.join(lines),
                    requested_date=min(d.due_date for d in dues),
                    source='maintenance_due',
                    state='to_schedule',
                    ))
        Call.save(calls)
        action['domain'] = [('id', 'in', [c.id for c in calls])]
        return action, {}
