# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from .exceptions import InvoicingError
from .intervention import open_invoices

FREQUENCIES = {
    'yearly': 12,
    'half_yearly': 6,
    'quarterly': 3,
    'monthly': 1,
    }


class Contract(metaclass=PoolMeta):
    __name__ = 'termogest.contract'

    billing_frequency = fields.Selection([
            ('yearly', "Yearly"),
            ('half_yearly', "Half-yearly"),
            ('quarterly', "Quarterly"),
            ('monthly', "Monthly"),
            ], "Billing", required=True, sort=False,
        help="How often the yearly price is invoiced, in advance.")
    invoiced_until = fields.Date(
        "Invoiced Until", readonly=True,
        help="The last day of the last period invoiced.")
    invoice_lines = fields.One2Many(
        'account.invoice.line', 'origin', "Invoice Lines", readonly=True)

    @classmethod
    def default_billing_frequency(cls):
        return 'yearly'

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('invoiced_until')
        default.setdefault('invoice_lines')
        return super().copy(contracts, default=default)

    def periods_to_invoice(self, date):
        "The (start, end) periods begun on or before date not yet invoiced"
        months = FREQUENCIES[self.billing_frequency]
        start = (self.invoiced_until + datetime.timedelta(days=1)
            if self.invoiced_until else self.start_date)
        periods = []
        while start <= date and start <= self.end_date:
            end = min(
                start + relativedelta(months=months, days=-1), self.end_date)
            periods.append((start, end))
            start = end + datetime.timedelta(days=1)
        return periods

    def period_amount(self, start, end):
        "The share of the yearly price for the period"
        months = FREQUENCIES[self.billing_frequency]
        full_end = start + relativedelta(months=months, days=-1)
        amount = self.price * Decimal(months) / Decimal(12)
        if end < full_end:
            amount *= Decimal((end - start).days + 1) / Decimal(
                (full_end - start).days + 1)
        return amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)

    @classmethod
    def create_invoices(cls, contracts, date, invoice_date=None):
        "Invoice the periods begun by date: one draft invoice per customer"
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        Intervention = pool.get('termogest.intervention')
        Invoice = pool.get('account.invoice')
        Line = pool.get('account.invoice.line')
        config = Configuration(1)
        product = config.contract_product
        if not product:
            raise InvoicingError(gettext(
                    'termogest_fatturapa.msg_contract_product_missing'))
        by_party = defaultdict(list)
        for contract in contracts:
            if contract.state != 'active' or not contract.price:
                continue
            periods = contract.periods_to_invoice(date)
            if periods:
                by_party[contract.party].append((contract, periods))
        invoices, lines, to_write = [], [], []
        for party, items in by_party.items():
            invoice = Intervention._new_invoice(
                party, items[0][0].company, invoice_date)
            invoices.append(invoice)
            for contract, periods in items:
                for start, end in periods:
                    line = Line(
                        invoice=invoice, type='line', product=product,
                        quantity=1, unit=product.default_uom, origin=contract,
                        company=invoice.company, currency=invoice.currency)
                    line.on_change_product()
                    line.gross_unit_price = contract.period_amount(start, end)
                    line._apply_discount()
                    line.period_start, line.period_end = start, end
                    line.description = gettext(
                        'termogest_fatturapa.msg_contract_line',
                        contract=contract.number or contract.id,
                        start=start.strftime('%d/%m/%Y'),
                        end=end.strftime('%d/%m/%Y'))
                    lines.append(line)
                to_write.extend((
                        [contract], {'invoiced_until': periods[-1][1]}))
        if not invoices:
            return []
        Invoice.save(invoices)
        for line in lines:
            line.invoice = line.invoice
        Line.save(lines)
        Invoice.update_taxes(invoices)
        cls.write(*to_write)
        return invoices

    @classmethod
    def release_invoiced(cls, lines):
        "Cancelled or deleted contract lines: invoice their periods again"
        for line in lines:
            contract = line.origin
            if (not isinstance(contract, cls) or contract.id is None
                    or contract.id < 0):
                continue
            # The periods from the line's on are invoiced again
            start = line.period_start
            if start and contract.invoiced_until and (
                    start <= contract.invoiced_until):
                contract.invoiced_until = (
                    start - datetime.timedelta(days=1)
                    if start > contract.start_date else None)
                contract.save()


class InvoiceContractsStart(ModelView):
    "Invoice Maintenance Contracts"
    __name__ = 'termogest.contract.invoice.start'
    __string__ = "Invoice Maintenance Contracts"
    date = fields.Date(
        "Periods Begun By", required=True,
        help="Every period that starts on or before this date and is not "
        "invoiced yet is invoiced.")
    invoice_date = fields.Date("Invoice Date")

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()


class InvoiceContracts(Wizard):
    "Invoice Maintenance Contracts"
    __name__ = 'termogest.contract.invoice'
    start = StateView(
        'termogest.contract.invoice.start',
        'termogest_fatturapa.contract_invoice_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Invoice", 'invoice', 'tryton-ok', default=True),
            ])
    invoice = StateTransition()
    open_ = StateAction('account_invoice.act_invoice_out_form')

    def transition_invoice(self):
        pool = Pool()
        Contract = pool.get('termogest.contract')
        contracts = self.records
        if not contracts or self.model.__name__ != 'termogest.contract':
            contracts = Contract.search([('state', '=', 'active')])
        self._invoices = Contract.create_invoices(
            contracts, self.start.date, invoice_date=self.start.invoice_date)
        if not self._invoices:
            raise InvoicingError(gettext(
                    'termogest_fatturapa.msg_contract_nothing',
                    date=self.start.date.strftime('%d/%m/%Y')))
        return 'open_'

    def do_open_(self, action):
        return open_invoices(action, getattr(self, '_invoices', []))
