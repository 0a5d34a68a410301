# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .regulation import add_months, rec_name_domain


class ContractError(ValidationError):
    pass


class Contract(Workflow, ModelSQL, ModelView):
    "Maintenance contract"
    __name__ = 'termogest.contract'
    __string__ = "Maintenance Contract"
    _rec_name = 'number'

    _states = {'readonly': Eval('state') != 'draft'}

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE',
        domain=[('internal', '=', False)], states=_states,
        context={'company': Eval('company', -1)}, depends={'company'})
    plants = fields.Many2Many(
        'termogest.contract-termogest.plant', 'contract', 'plant',
        "Plants", required=True,
        domain=[('party', '=', Eval('party', -1))],
        states=_states)
    devices = fields.Many2Many(
        'termogest.contract-termogest.device', 'contract', 'device',
        "Devices",
        domain=[('plant', 'in', Eval('plants', []))],
        states=_states,
        help="Empty: every device of the plants.")
    start_date = fields.Date("Start", required=True, states=_states)
    end_date = fields.Date(
        "End", required=True, states=_states,
        domain=[('end_date', '>=', Eval('start_date', datetime.date.min))])
    visits_per_year = fields.Integer(
        "Visits per Year", required=True, states=_states,
        domain=[('visits_per_year', '>=', 0)])
    price = fields.Numeric(
        "Yearly Price (€)", digits=(16, 2), required=True, states=_states,
        domain=[('price', '>=', 0)])
    automatic_renewal = fields.Boolean(
        "Automatic Renewal",
        help="At the end the contract is renewed for the same duration.")
    renewal_notice_days = fields.Integer(
        "Notice (Days)",
        help="Days before the end by which the customer must cancel.")
    description = fields.Text("Terms")
    renewed_from = fields.Many2One(
        'termogest.contract', "Renewal Of", readonly=True)
    renewal = fields.Function(
        fields.Many2One('termogest.contract', "Renewed By"), 'get_renewal')
    days_left = fields.Function(
        fields.Integer("Days Left"), 'get_days_left')
    cancel_reason = fields.Char(
        "Cancellation Reason",
        states={'invisible': Eval('state') != 'cancelled'})
    state = fields.Selection([
            ('draft', "Draft"),
            ('active', "Active"),
            ('expired', "Expired"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range())),
                Index(t, (t.end_date, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'active'),
            ('active', 'expired'),
            ('active', 'cancelled'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'activate': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'active']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                'renew': {
                    'invisible': ~Eval('state').in_(['active', 'expired']),
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_start_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_visits_per_year():
        return 1

    @staticmethod
    def default_price():
        return Decimal(0)

    @staticmethod
    def default_automatic_renewal():
        return True

    @staticmethod
    def default_renewal_notice_days():
        return 30

    @classmethod
    def default_party(cls):
        return Transaction().context.get('party')

    @fields.depends('start_date', 'end_date')
    def on_change_start_date(self):
        if self.start_date and not self.end_date:
            self.end_date = add_months(
                self.start_date, 12) - datetime.timedelta(days=1)

    def get_renewal(self, name):
        renewals = self.search([('renewed_from', '=', self.id)], limit=1)
        return renewals[0].id if renewals else None

    def get_days_left(self, name):
        pool = Pool()
        Date = pool.get('ir.date')
        if self.state == 'active' and self.end_date:
            return (self.end_date - Date.today()).days

    def get_rec_name(self, name):
        return '%s - %s' % (self.number or '', self.party.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, [
            'number',
            'party.rec_name',
            ])

    @property
    def duration_months(self):
        following = self.end_date + datetime.timedelta(days=1)
        months = ((following.year - self.start_date.year) * 12
            + following.month - self.start_date.month)
        return max(months, 1)

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        vlist = Configuration.fill_numbers(
            vlist, 'number', 'contract_sequence')
        return super().create(vlist)

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number')
        default.setdefault('state', 'draft')
        default.setdefault('renewed_from')
        default.setdefault('cancel_reason')
        return super().copy(contracts, default=default)

    @classmethod
    def delete(cls, contracts):
        for contract in contracts:
            if contract.state != 'draft':
                raise AccessError(gettext(
                        'termogest_impianti.msg_contract_delete',
                        contract=contract.rec_name))
        super().delete(contracts)

    @classmethod
    def validate_fields(cls, contracts, field_names):
        super().validate_fields(contracts, field_names)
        for contract in contracts:
            for device in contract.devices:
                if device.plant not in contract.plants:
                    raise ContractError(gettext(
                            'termogest_impianti.msg_contract_device_plant',
                            contract=contract.rec_name,
                            device=device.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, contracts):
        cls.write(contracts, {'cancel_reason': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, contracts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, contracts):
        pass

    @classmethod
    @Workflow.transition('expired')
    def expire(cls, contracts):
        pass

    @classmethod
    @ModelView.button_action('termogest_impianti.wizard_contract_renew')
    def renew(cls, contracts):
        pass

    def _renewal_values(self, start_date=None, end_date=None, price=None):
        if start_date is None:
            start_date = self.end_date + datetime.timedelta(days=1)
        if end_date is None:
            end_date = add_months(
                start_date, self.duration_months) - datetime.timedelta(
                days=1)
        return {
            'start_date': start_date,
            'end_date': end_date,
            'price': self.price if price is None else price,
            'renewed_from': self.id,
            }

    @classmethod
    def renew_contracts(cls, contracts, price_increase=None, **kwargs):
        "Create and activate the renewals; the old contracts expire"
        renewals = []
        for contract in contracts:
            if contract.renewal:
                raise ContractError(gettext(
                        'termogest_impianti.msg_contract_already_renewed',
                        contract=contract.rec_name,
                        renewal=contract.renewal.rec_name))
            price = None
            if price_increase:
                price = (contract.price * (1 + price_increase / 100)
                    ).quantize(Decimal('0.01'))
            values = contract._renewal_values(price=price, **kwargs)
            renewal, = cls.copy([contract], default=values)
            renewals.append(renewal)
        cls.activate(renewals)
        today = Pool().get('ir.date').today()
        cls.expire([c for c in contracts
                if c.state == 'active' and c.end_date < today])
        return renewals

    @classmethod
    def process_expired(cls, date=None):
        "Expire the contracts past their end, renewing the automatic ones"
        pool = Pool()
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()
        contracts = cls.search([
                ('state', '=', 'active'),
                ('end_date', '<', date),
                ])
        to_renew = [c for c in contracts
            if c.automatic_renewal and not c.renewal]
        renewals = cls.renew_contracts(to_renew) if to_renew else []
        cls.expire([c for c in contracts if c not in to_renew])
        # a renewal can be in the past too when the cron did not run
        if renewals and any(r.end_date < date for r in renewals):
            cls.process_expired(date)


class ContractPlant(ModelSQL):
    "Contract - Plant"
    __name__ = 'termogest.contract-termogest.plant'
    __string__ = "Contract - Plant"
    contract = fields.Many2One(
        'termogest.contract', "Contract", required=True, ondelete='CASCADE')
    plant = fields.Many2One(
        'termogest.plant', "Plant", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('contract')
        # Both ways: the records of one side, and "in" searches from the
        # other (the maintenance due, the app's device histories)
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.contract, Index.Range())),
                Index(t, (t.plant, Index.Range())),
                })


class ContractDevice(ModelSQL):
    "Contract - Device"
    __name__ = 'termogest.contract-termogest.device'
    __string__ = "Contract - Device"
    contract = fields.Many2One(
        'termogest.contract', "Contract", required=True, ondelete='CASCADE')
    device = fields.Many2One(
        'termogest.device', "Device", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('contract')
        # Both ways: the records of one side, and "in" searches from the
        # other (the maintenance due, the app's device histories)
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.contract, Index.Range())),
                Index(t, (t.device, Index.Range())),
                })


class RenewStart(ModelView):
    "Renew maintenance contracts"
    __name__ = 'termogest.contract.renew.start'
    __string__ = "Renew Contracts"

    contracts = fields.Many2Many(
        'termogest.contract', None, None, "Contracts", readonly=True)
    price_increase = fields.Numeric(
        "Price Increase (%)", digits=(4, 2),
        help="E.g. the ISTAT index; empty: same price.")


class Renew(Wizard):
    "Renew maintenance contracts"
    __name__ = 'termogest.contract.renew'
    start = StateView(
        'termogest.contract.renew.start',
        'termogest_impianti.contract_renew_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Renew", 'renew', 'tryton-ok', default=True),
            ])
    renew = StateAction('termogest_impianti.act_contract_form')

    def default_start(self, fields):
        return {
            'contracts': [r.id for r in self.records],
            }

    def do_renew(self, action):
        pool = Pool()
        Contract = pool.get('termogest.contract')
        renewals = Contract.renew_contracts(
            self.records, price_increase=self.start.price_increase)
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [r.id for r in renewals])])
        action['views'].reverse()
        return action, {}


class ExpiringStart(ModelView):
    "Contracts expiring"
    __name__ = 'termogest.contract.expiring.start'
    __string__ = "Contracts Expiring"

    days = fields.Integer(
        "Within (Days)", required=True, domain=[('days', '>=', 0)])


class Expiring(Wizard):
    "Contracts expiring"
    __name__ = 'termogest.contract.expiring'
    start = StateView(
        'termogest.contract.expiring.start',
        'termogest_impianti.contract_expiring_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Show", 'open_', 'tryton-ok', default=True),
            ])
    open_ = StateAction('termogest_impianti.act_contract_expiring')

    def default_start(self, fields):
        return {'days': 60}

    def do_open_(self, action):
        pool = Pool()
        Date = pool.get('ir.date')
        limit = Date.today() + datetime.timedelta(days=self.start.days)
        action['pyson_domain'] = PYSONEncoder().encode([
                ('state', '=', 'active'),
                ('end_date', '<=', limit),
                ])
        action['name'] += ' (%s)' % self.start.days
        return action, {}
