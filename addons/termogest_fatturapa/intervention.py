# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from .exceptions import InvoicingError


def open_invoices(action, invoices):
    "The invoices' action of the invoicing wizards, without the tabs"
    ids = [i.id for i in invoices]
    action['domains'] = []
    action['name'] = gettext(
        'termogest_fatturapa.msg_invoices_created', count=len(ids))
    return action, {'res_id': ids}


class Configuration(metaclass=PoolMeta):
    __name__ = 'termogest.impianti.configuration'

    labour_product = fields.Many2One(
        'product.product', "Labour",
        domain=[('type', '=', 'service')],
        help="Invoiced for the labour hours of an intervention.")
    travel_product = fields.Many2One(
        'product.product', "Travel",
        domain=[('type', '=', 'service')],
        help="Invoiced once for an intervention with a travel time.")
    callout_product = fields.Many2One(
        'product.product', "Call-out Fee",
        domain=[('type', '=', 'service')],
        help="Invoiced once for each repair.")
    contract_product = fields.Many2One(
        'product.product', "Maintenance Contract",
        domain=[('type', '=', 'service')],
        help="Invoiced for the periods of the maintenance contracts.")


class Intervention(metaclass=PoolMeta):
    __name__ = 'termogest.intervention'

    invoice_lines = fields.One2Many(
        'account.invoice.line', 'origin', "Invoice Lines", readonly=True)
    invoice = fields.Function(
        fields.Many2One('account.invoice', "Invoice"), 'get_invoice')
    sale = fields.Many2One(
        'sale.sale', "Quote",
        domain=[('party', '=', Eval('party', -1))],
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="The accepted quote this intervention carries out: its lines "
        "are invoiced instead of the parts and labour.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'invoice_wizard': {
                    'invisible': Eval('state') != 'done',
                    'depends': ['state'],
                    'icon': 'tryton-forward',
                    },
                })

    def get_invoice(self, name):
        for line in self.invoice_lines:
            if line.invoice and line.invoice.state != 'cancelled':
                return line.invoice.id

    @classmethod
    @ModelView.button_action(
        'termogest_fatturapa.wizard_invoice_interventions')
    def invoice_wizard(cls, interventions):
        pass

    @classmethod
    def copy(cls, interventions, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('invoice_lines')
        return super().copy(interventions, default=default)

    def invoice_party(self):
        return self.heading_party or self.party

    def _invoice_line(self, invoice, product, quantity, unit_price=None,
            description=None, unit=None):
        pool = Pool()
        Line = pool.get('account.invoice.line')
        Product = pool.get('product.product')
        # Browsed again: a part's product may carry the context of its line
        product = Product(product.id)
        line = Line(
            invoice=invoice, type='line', product=product,
            quantity=float(quantity), unit=unit or product.default_uom,
            origin=self, company=invoice.company, currency=invoice.currency)
        line.on_change_product()
        if unit_price is not None:
            line.gross_unit_price = unit_price
            line._apply_discount()
        if description:
            line.description = description
        if line.unit_price is None:
            line.gross_unit_price = line.unit_price = Decimal(0)
        return line

    def get_invoice_lines(self, invoice):
        "The invoice lines of the intervention: a heading, then the charges"
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        Line = pool.get('account.invoice.line')
        config = Configuration(1)
        heading = ' - '.join(filter(None, [
                    gettext(
                        'termogest_fatturapa.msg_invoice_intervention_heading',
                        number=self.number,
                        date=self.date.strftime('%d/%m/%Y'),
                        kind=self.kind_string),
                    self.plant.rec_name if self.plant else None]))
        lines = [Line(
                invoice=invoice, type='comment', description=heading,
                origin=self)]
        if self.sale:
            for sale_line in self.sale.lines:
                if sale_line.type != 'line' or not sale_line.product:
                    continue
                line = self._invoice_line(
                    invoice, sale_line.product, sale_line.quantity,
                    unit_price=sale_line.gross_unit_price
                    if sale_line.gross_unit_price is not None
                    else sale_line.unit_price,
                    description=sale_line.description, unit=sale_line.unit)
                if sale_line.discount is not None:
                    line.discount = sale_line.discount
                    line._apply_discount()
                lines.append(line)
            return lines
        parts = {p.product for p in self.lines if p.product}
        # A call-out fee the technician listed among the parts counts once
        if (self.kind == 'repair' and config.callout_product
                and config.callout_product not in parts):
            lines.append(
                self._invoice_line(invoice, config.callout_product, 1))
        if self.travel_time and config.travel_product:
            lines.append(self._invoice_line(invoice, config.travel_product, 1))
        if self.labour_hours and config.labour_product:
            lines.append(self._invoice_line(
                    invoice, config.labour_product, self.labour_hours))
        for part in self.lines:
            if not part.product:
                continue
            lines.append(self._invoice_line(
                    invoice, part.product, part.quantity,
                    unit_price=part.unit_price,
                    description=part.description, unit=part.unit))
        return lines

    @classmethod
    def create_invoices(cls, interventions, invoice_date=None,
            group=True):
        """Invoice done interventions, one invoice per customer (or each)

        Return the draft invoices.
        """
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Line = pool.get('account.invoice.line')
        Party = pool.get('party.party')
        not_done = [i for i in interventions if i.state != 'done']
        if not_done:
            raise InvoicingError(gettext(
                    'termogest_fatturapa.msg_intervention_not_done',
                    intervention=not_done[0].rec_name,
                    state=not_done[0].state_string))
        groups = defaultdict(list)
        for intervention in sorted(
                interventions, key=lambda i: (i.date, i.id)):
            key = intervention.invoice_party().id
            if not group:
                key = (key, intervention.id)
            groups[key].append(intervention)
        invoices, lines = [], []
        for key, items in groups.items():
            party = Party(key if group else key[0])
            invoice = cls._new_invoice(party, items[0].company, invoice_date)
            invoices.append(invoice)
            for intervention in items:
                lines.extend(intervention.get_invoice_lines(invoice))
        Invoice.save(invoices)
        for line in lines:
            line.invoice = line.invoice  # the saved invoice
        Line.save(lines)
        Invoice.update_taxes(invoices)
        cls.set_invoiced(interventions)
        return invoices

    @classmethod
    def _new_invoice(cls, party, company, invoice_date=None):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        invoice = Invoice(
            type='out', company=company, party=party,
            currency=company.currency, invoice_date=invoice_date)
        invoice.on_change_type()
        invoice.on_change_party()
        if not invoice.invoice_address:
            raise InvoicingError(gettext(
                    'termogest_fatturapa.msg_invoice_party_address',
                    party=party.rec_name))
        if not invoice.account:
            raise InvoicingError(gettext(
                    'termogest_fatturapa.msg_invoice_party_account',
                    party=party.rec_name))
        return invoice

    @classmethod
    def back_to_done(cls, interventions):
        "The invoice of the interventions was cancelled or deleted"
        cls.write([i for i in interventions if i.state == 'invoiced'], {
                'state': 'done'})


class InvoiceInterventionsStart(ModelView):
    "Invoice Interventions"
    __name__ = 'termogest.intervention.invoice.start'
    __string__ = "Invoice Interventions"
    invoice_date = fields.Date(
        "Invoice Date", help="Empty: the date the invoice is posted.")
    group = fields.Boolean(
        "One Invoice per Customer",
        help="Unticked: one invoice for each intervention.")
    count = fields.Integer("Interventions", readonly=True)

    @classmethod
    def default_group(cls):
        return True


class InvoiceInterventions(Wizard):
    "Invoice Interventions"
    __name__ = 'termogest.intervention.invoice'
    start = StateView(
        'termogest.intervention.invoice.start',
        'termogest_fatturapa.intervention_invoice_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Invoice", 'invoice', 'tryton-ok', default=True),
            ])
    invoice = StateTransition()
    open_ = StateAction('account_invoice.act_invoice_out_form')

    def default_start(self, fields):
        return {
            'count': len([r for r in self.records if r.state == 'done']),
            }

    def transition_invoice(self):
        pool = Pool()
        Intervention = pool.get('termogest.intervention')
        interventions = [r for r in self.records if r.state == 'done']
        if not interventions:
            raise InvoicingError(gettext(
                    'termogest_fatturapa.msg_intervention_nothing'))
        self.start.count = len(interventions)
        self._invoices = Intervention.create_invoices(
            interventions, invoice_date=self.start.invoice_date,
            group=self.start.group)
        return 'open_'

    def do_open_(self, action):
        return open_invoices(action, getattr(self, '_invoices', []))


class InvoiceMonthStart(ModelView):
    "Invoice the Month's Interventions"
    __name__ = 'termogest.intervention.invoice_month.start'
    __string__ = "Invoice the Month's Interventions"
    month = fields.Date(
        "Month", required=True, help="Any day of the month to invoice.")
    invoice_date = fields.Date(
        "Invoice Date", help="Empty: the date the invoice is posted.")
    group = fields.Boolean("One Invoice per Customer")

    @classmethod
    def default_month(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today() - relativedelta(months=1)

    @classmethod
    def default_group(cls):
        return True


class InvoiceMonth(Wizard):
    "Invoice the Month's Interventions"
    __name__ = 'termogest.intervention.invoice_month'
    start = StateView(
        'termogest.intervention.invoice_month.start',
        'termogest_fatturapa.intervention_invoice_month_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Invoice", 'invoice', 'tryton-ok', default=True),
            ])
    invoice = StateTransition()
    open_ = StateAction('account_invoice.act_invoice_out_form')

    def transition_invoice(self):
        pool = Pool()
        Intervention = pool.get('termogest.intervention')
        first = self.start.month.replace(day=1)
        last = first + relativedelta(months=1, days=-1)
        interventions = Intervention.search([
                ('state', '=', 'done'),
                ('date', '>=', first),
                ('date', '<=', last),
                ], order=[('date', 'ASC'), ('id', 'ASC')])
        if not interventions:
            raise InvoicingError(gettext(
                    'termogest_fatturapa.msg_intervention_month_nothing',
                    month=first.strftime('%m/%Y')))
        self._invoices = Intervention.create_invoices(
            interventions, invoice_date=self.start.invoice_date,
            group=self.start.group)
        return 'open_'

    def do_open_(self, action):
        return open_invoices(action, getattr(self, '_invoices', []))
