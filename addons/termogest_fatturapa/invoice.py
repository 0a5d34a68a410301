# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from sql.aggregate import Max

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .discount import HUNDRED, DiscountMixin
from .document import DocumentReport
from .exceptions import FatturaPAError
from .fpa import data
from .fpa.builder import BuildError, build, serialize
from .fpa.text import split_person_name
from .fpa.validation import validate

PRIVATE_CODE = '0000000'
FOREIGN_CODE = 'XXXXXXX'
# Problems listed in one error message; the rest are counted.
MAX_PROBLEMS = 15
SPLIT_PAYMENT_NOTE = (
    "Scissione dei pagamenti ai sensi dell'art. 17-ter DPR 633/72")
STAMP_DUTY_NOTE = (
    "Imposta di bollo assolta in modo virtuale ai sensi del DM 17/06/2014")


def xsd_dir():
    "The configured directory of the FatturaPA schema, or None"
    return config.get('termogest', 'fatturapa_xsd_dir', default=None) or None


def _province(subdivision):
    if subdivision and subdivision.code:
        return subdivision.code.split('-')[-1][:2].upper()


def _split_name(party):
    """First and last name of a person (Nome, Cognome instead of
    Denominazione): the card's, else told apart by the codice fiscale"""
    first = getattr(party, 'first_name', None)
    last = getattr(party, 'last_name', None)
    if first and last:
        return first, last
    return split_person_name(party.name, party.fiscal_code)


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    sdi_files = fields.One2Many(
        'termogest.sdi.file', 'invoice', "SDI Files", readonly=True,
        order=[('id', 'DESC')])
    sdi_state = fields.Function(fields.Selection(
            'get_sdi_states', "SDI State"), 'get_sdi_state',
        searcher='search_sdi_state')
    fatturapa_format = fields.Function(fields.Selection([
                (None, ""),
                ('FPR12', "Private (FPR12)"),
                ('FPA12', "Public administration (FPA12)"),
                ], "FatturaPA Format"), 'on_change_with_fatturapa_format')
    split_payment = fields.Boolean(
        "Split Payment",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('type') != 'out',
            },
        help="Scissione dei pagamenti: the customer pays only the amount "
        "without VAT.")
    stamp_duty = fields.Function(Monetary(
            "Stamp Duty", currency='currency', digits='currency'),
        'get_stamp_duty')
    amount_to_collect = fields.Function(Monetary(
            "To Collect", currency='currency', digits='currency'),
        'get_amount_to_collect')
    pa_order_number = fields.Char(
        "Order Number", size=20,
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('fatturapa_format') != 'FPA12',
            },
        help="DatiOrdineAcquisto/IdDocumento: the public administration's "
        "order or commitment number.")
    pa_order_date = fields.Date(
        "Order Date",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('fatturapa_format') != 'FPA12',
            })
    pa_cig = fields.Char(
        "CIG", size=15,
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('fatturapa_format') != 'FPA12',
            },
        help="Codice Identificativo Gara.")
    pa_cup = fields.Char(
        "CUP", size=15,
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('fatturapa_format') != 'FPA12',
            },
        help="Codice Unico di Progetto.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'fatturapa_check': {
                    'invisible': Eval('type') != 'out',
                    'depends': ['type'],
                    },
                'fatturapa_send': {
                    'invisible': ((Eval('type') != 'out')
                        | ~Eval('state').in_(['posted', 'paid'])
                        | Eval('sdi_state').in_([
                                'to_send', 'sent', 'delivered',
                                'not_delivered', 'accepted', 'refused',
                                'expired', 'undeliverable'])),
                    'depends': ['type', 'state', 'sdi_state'],
                    },
                })

    @classmethod
    def get_sdi_states(cls):
        pool = Pool()
        File = pool.get('termogest.sdi.file')
        return [(None, "")] + File.fields_get(['state'])['state']['selection']

    @classmethod
    def get_sdi_state(cls, invoices, name):
        result = {}
        for invoice in invoices:
            files = sorted(invoice.sdi_files, key=lambda f: f.id)
            result[invoice.id] = files[-1].state if files else None
        return result

    @classmethod
    def search_sdi_state(cls, name, clause):
        pool = Pool()
        File = pool.get('termogest.sdi.file')
        _, operator, value = clause
        file = File.__table__()
        last = file.select(
            file.invoice, Max(file.id).as_('id'), group_by=[file.invoice])
        files = File.search([('state', operator, value)], query=True)
        query = last.join(files, condition=files.id == last.id).select(
            last.invoice)
        values = value if isinstance(value, (list, tuple)) else [value]
        if None in values and operator in {'=', 'in'}:
            # No file yet counts as no state
            others = [v for v in values if v is not None]
            files = File.search([('state', 'in', others)], query=True)
            query = last.join(files, condition=files.id == last.id).select(
                last.invoice)
            return ['OR',
                ('sdi_files', '=', None),
                ('id', 'in', query),
                ]
        return [('id', 'in', query)]

    @fields.depends('party', 'type')
    def on_change_with_fatturapa_format(self, name=None):
        if self.type == 'out' and self.party:
            if self.party.subject_type == 'public_administration':
                return 'FPA12'
            return 'FPR12'

    @fields.depends('party', 'type', 'split_payment')
    def on_change_party(self):
        super().on_change_party()
        if self.type == 'out' and self.party:
            self.split_payment = bool(self.party.split_payment)

    @classmethod
    def default_party(cls):
        from trytond.modules.termogest_agenda.call import from_record
        return from_record('party.party')

    def get_stamp_duty(self, name):
        "The virtual stamp duty due on the invoice, or None"
        if self.type != 'out' or not self.company:
            return None
        exempt = sum(
            (abs(t.base) for t in self.taxes
                if t.tax and t.tax.fatturapa_stamp_duty
                and t.tax.fatturapa_nature),
            Decimal(0))
        if not self.taxes and self.lines:
            exempt = sum(
                (abs(l.amount or 0) for l in self.lines
                    if l.type == 'line'
                    and any(t.fatturapa_stamp_duty for t in l.taxes)),
                Decimal(0))
        if exempt > self.company.get_stamp_duty_threshold():
            return self.company.get_stamp_duty_amount()

    def get_amount_to_collect(self, name):
        if self.split_payment:
            return self.untaxed_amount
        return self.total_amount

    def _stamp_duty_line(self):
        "A new line charging the stamp duty to the customer, or None"
        pool = Pool()
        Line = pool.get('account.invoice.line')
        product = self.company.stamp_duty_product
        if (not product or self.type != 'out'
                or any(l.product == product for l in self.lines)):
            return None
        if not self.get_stamp_duty(None):
            return None
        line = Line(
            invoice=self, type='line', product=product,
            quantity=1, unit=product.default_uom)
        line.on_change_product()
        line.gross_unit_price = line.unit_price = (
            self.company.get_stamp_duty_amount())
        line.discount = None
        line.description = product.name
        return line

    @classmethod
    def add_stamp_duty(cls, invoices):
        "Add the line charging the stamp duty where it is due"
        pool = Pool()
        Line = pool.get('account.invoice.line')
        lines = [l for l in (i._stamp_duty_line() for i in invoices) if l]
        if lines:
            Line.save(lines)
            cls.update_taxes([l.invoice for l in lines])

    @classmethod
    def validate_invoice(cls, invoices):
        cls.add_stamp_duty([i for i in invoices if i.state == 'draft'])
        super().validate_invoice(invoices)

    @classmethod
    def post(cls, invoices):
        cls.add_stamp_duty([
                i for i in invoices if i.state in {'draft', 'validated'}])
        super().post(invoices)
        # Checked once numbered: a problem rolls the posting back, so no
        # invoice is issued that the SDI would reject.
        cls.check_fatturapa([i for i in invoices if i.type == 'out'])

    @classmethod
    def cancel(cls, invoices):
        pool = Pool()
        Intervention = pool.get('termogest.intervention')
        Contract = pool.get('termogest.contract')
        super().cancel(invoices)
        lines = [l for i in invoices if i.type == 'out' for l in i.lines]
        Contract.release_invoiced(lines)
        Intervention.back_to_done(list({
                    l.origin for l in lines
                    if isinstance(l.origin, Intervention)}))

    @classmethod
    def check_fatturapa(cls, invoices):
        "Raise an error listing the problems of the invoices' FatturaPA"
        messages = []
        for invoice in invoices:
            try:
                _, problems = invoice.fatturapa_xml()
            except FatturaPAError as exception:
                messages.append(exception.message)
                continue
            if problems:
                messages.append(invoice.fatturapa_problems_text(problems))
        if messages:
            raise FatturaPAError('\n\n'.join(messages))

    def fatturapa_problems_text(self, problems):
        lines = [gettext(
                'termogest_fatturapa.msg_fatturapa_problems',
                invoice=self.rec_name, count=len(problems))]
        for problem in problems[:MAX_PROBLEMS]:
            lines.append('- %s' % problem.message)
        if len(problems) > MAX_PROBLEMS:
            lines.append(gettext(
                    'termogest_fatturapa.msg_fatturapa_more_problems',
                    count=len(problems) - MAX_PROBLEMS))
        return '\n'.join(lines)

    @classmethod
    @ModelView.button
    def fatturapa_check(cls, invoices):
        "Check the invoices as the SDI would, without sending anything"
        cls.check_fatturapa(invoices)

    @classmethod
    @ModelView.button
    def fatturapa_send(cls, invoices):
        pool = Pool()
        File = pool.get('termogest.sdi.file')
        files, failures = File.create_for_invoices(invoices)
        if failures:
            raise FatturaPAError('\n\n'.join(failures.values()))
        # The manual channel's files wait for the upload on the portal
        File.send([f for f in files if f.channel != 'manual'])

    # Building

    def fatturapa_xml(self, progressive=None, transmitter=None):
        """The XML (bytes) and its problems (list)

        Raise FatturaPAError when the invoice lacks data the file needs.
        """
        invoice = self.get_fatturapa_data(
            progressive=progressive, transmitter=transmitter)
        try:
            root = build(invoice)
        except BuildError as exception:
            raise FatturaPAError(gettext(
                    'termogest_fatturapa.msg_fatturapa_build',
                    invoice=self.rec_name, error=str(exception))
                ) from exception
        result = validate(root, xsd_dir())
        return serialize(root), list(result.problems)

    def _fatturapa_error(self, msg, **kwargs):
        return FatturaPAError(gettext(
                'termogest_fatturapa.%s' % msg, invoice=self.rec_name,
                **kwargs))

    def _fatturapa_address(self, party, address):
        if not address:
            raise self._fatturapa_error(
                'msg_fatturapa_no_address', party=party.rec_name)
        country = address.country.code if address.country else 'IT'
        street = ' '.join(
            filter(None, (address.street or '').splitlines())).strip()
        if not street or not address.city:
            raise self._fatturapa_error(
                'msg_fatturapa_no_address', party=party.rec_name)
        postal_code = (address.postal_code or '').strip()
        if country != 'IT':
            postal_code = '00000'
        return data.Address(
            street=street, postal_code=postal_code, city=address.city,
            province=(
                _province(address.subdivision) if country == 'IT' else None),
            country=country)

    @staticmethod
    def _fatturapa_vat(vat_number):
        "(country, code) of a partita IVA or EU VAT number"
        if not vat_number:
            return None, None
        vat_number = vat_number.replace(' ', '').upper()
        if vat_number[:2].isalpha():
            return vat_number[:2], vat_number[2:]
        return 'IT', vat_number

    def get_fatturapa_supplier(self):
        company = self.company
        party = company.party
        vat_country, vat_code = self._fatturapa_vat(company.vat_number)
        if not vat_code:
            raise self._fatturapa_error(
                'msg_fatturapa_company_vat', company=company.rec_name)
        address = party.address_get(type='invoice')
        return data.Party(
            name=party.name,
            vat_country=vat_country, vat_code=vat_code,
            fiscal_code=company.fiscal_code or None,
            address=self._fatturapa_address(party, address),
            tax_regime=company.fiscal_regime or 'RF01',
            rea_office=company.rea_office or None,
            rea_number=company.rea_number or None,
            share_capital=company.share_capital,
            sole_member=(
                company.sole_shareholder
                if company.share_capital else None) or None,
            liquidation=(
                company.liquidation_status if company.rea_number else None),
            )

    def get_fatturapa_customer(self):
        party = self.party
        vat_country, vat_code = self._fatturapa_vat(party.vat_number)
        fiscal_code = party.fiscal_code or None
        first, last = (None, None)
        if party.subject_type == 'person':
            first, last = _split_name(party)
        address = self.invoice_address or party.address_get(type='invoice')
        address = self._fatturapa_address(party, address)
        if address.country != 'IT' and not vat_code:
            # A foreign private customer: the SDI wants an identifier
            vat_country, vat_code = address.country, '99999999999'
        if not vat_code and not fiscal_code:
            raise self._fatturapa_error(
                'msg_fatturapa_customer_identifier', party=party.rec_name)
        return data.Party(
            name=None if first else party.name,
            first_name=first, last_name=last,
            vat_country=vat_country if vat_code else None,
            vat_code=vat_code, fiscal_code=fiscal_code,
            address=address)

    def get_fatturapa_recipient(self, customer):
        "CodiceDestinatario and PECDestinatario (FATTURAPA.md §2.3)"
        party = self.party
        code = (party.sdi_code or '').strip().upper()
        pec = party.pec or None
        if customer.address.country != 'IT':
            return FOREIGN_CODE, None
        if party.subject_type == 'public_administration':
            if len(code) != 6:
                raise self._fatturapa_error(
                    'msg_fatturapa_pa_code', party=party.rec_name)
            return code, None
        if not code or code == PRIVATE_CODE:
            return PRIVATE_CODE, pec
        return code, None

    def get_fatturapa_lines(self, sign):
        lines = []
        number = 0
        for line in self.lines:
            if line.type != 'line':
                continue
            number += 1
            taxes = [t for t in line.taxes if t.type == 'percentage']
            if len(taxes) != 1:
                raise self._fatturapa_error(
                    'msg_fatturapa_line_tax', line=number,
                    description=line.description or '')
            tax, = taxes
            rate = (tax.rate * HUNDRED).quantize(Decimal('0.01'))
            gross = line.gross_unit_price
            if gross is None or not line.discount:
                gross = line.unit_price
            description = (
                line.description
                or (line.product.rec_name if line.product else None)
                or '-')
            lines.append(data.Line(
                    number=number,
                    description=description,
                    quantity=abs(Decimal(str(line.quantity))),
                    unit=line.unit.symbol if line.unit else None,
                    unit_price=sign * gross * (
                        -1 if line.quantity < 0 else 1),
                    total=sign * line.amount,
                    rate=rate,
                    nature=tax.fatturapa_nature or None,
                    discount=line.discount or None,
                    code=(
                        ('INTERNO', line.product.code)
                        if line.product and line.product.code else None),
                    start_date=line.period_start,
                    end_date=line.period_end,
                    ))
        if not lines:
            raise self._fatturapa_error('msg_fatturapa_no_line')
        return lines

    def get_fatturapa_summaries(self, sign):
        groups = defaultdict(lambda: [Decimal(0), Decimal(0)])
        refs = {}
        for tax_line in self.taxes:
            tax = tax_line.tax
            if not tax:
                continue
            rate = (tax.rate * HUNDRED).quantize(Decimal('0.01'))
            key = (rate, tax.fatturapa_nature or None)
            groups[key][0] += tax_line.base
            groups[key][1] += tax_line.amount
            refs[key] = tax.fatturapa_law_reference
        vat_due = 'S' if self.split_payment else 'I'
        summaries = []
        for (rate, nature), (base, amount) in sorted(
                groups.items(), key=lambda i: (-i[0][0], i[0][1] or '')):
            summaries.append(data.Summary(
                    rate=rate, taxable=sign * base, tax=sign * amount,
                    nature=nature,
                    vat_due=None if nature else vat_due,
                    law_reference=(refs[(rate, nature)] or None)
                    if nature else None))
        return summaries

    def get_fatturapa_payments(self, amount):
        company = self.company
        payments = []
        lines = sorted(
            self.lines_to_pay,
            key=lambda l: l.maturity_date or self.invoice_date)
        total = sum((l.debit - l.credit for l in lines), Decimal(0))
        for line in lines:
            line_amount = line.debit - line.credit
            if self.split_payment and total:
                line_amount = (line_amount * amount / total).quantize(
                    Decimal('0.01'), rounding=ROUND_HALF_UP)
            payments.append(data.Payment(
                    method=company.fatturapa_payment_method or 'MP05',
                    amount=abs(line_amount),
                    due_date=line.maturity_date,
                    iban=company.fatturapa_iban or None))
        if not payments and amount:
            payments.append(data.Payment(
                    method=company.fatturapa_payment_method or 'MP05',
                    amount=abs(amount),
                    due_date=self.invoice_date,
                    iban=company.fatturapa_iban or None))
        return payments

    def get_fatturapa_data(self, progressive=None, transmitter=None):
        "The plain data of the invoice's FatturaPA file"
        pool = Pool()
        Date = pool.get('ir.date')
        if self.type != 'out':
            raise self._fatturapa_error('msg_fatturapa_not_out')
        if self.currency.code != 'EUR':
            raise self._fatturapa_error(
                'msg_fatturapa_currency', currency=self.currency.code)
        company = self.company
        if transmitter is None:
            transmitter = company.get_transmitter()
        supplier = self.get_fatturapa_supplier()
        customer = self.get_fatturapa_customer()
        code, pec = self.get_fatturapa_recipient(customer)
        credit = self.total_amount < 0
        sign = -1 if credit else 1
        lines = self.get_fatturapa_lines(sign)
        summaries = self.get_fatturapa_summaries(sign)
        total = abs(self.total_amount)
        to_collect = abs(self.amount_to_collect)
        reasons = []
        if self.description:
            reasons.append(self.description)
        for line in self.lines:
            if line.type == 'comment' and line.description:
                reasons.append(line.description)
        stamp_duty = self.get_stamp_duty(None)
        if stamp_duty:
            reasons.append(STAMP_DUTY_NOTE)
        if self.split_payment:
            reasons.append(SPLIT_PAYMENT_NOTE)
        linked = []
        for line in self.lines:
            origin = getattr(line, 'origin', None)
            if (credit and origin and origin.__name__ == 'account.invoice.line'
                    and origin.invoice.number):
                document = data.LinkedDocument(
                    number=origin.invoice.number,
                    date=origin.invoice.invoice_date)
                if document not in linked:
                    linked.append(document)
        orders = []
        if self.pa_order_number or self.pa_cig or self.pa_cup:
            orders.append(data.LinkedDocument(
                    number=self.pa_order_number or self.reference or '-',
                    date=self.pa_order_date,
                    cig=self.pa_cig or None, cup=self.pa_cup or None))
        return data.Invoice(
            transmitter_country=transmitter[0],
            transmitter_code=transmitter[1],
            progressive=progressive or '00000',
            format=self.fatturapa_format or 'FPR12',
            recipient_code=code,
            recipient_pec=pec,
            supplier=supplier,
            customer=customer,
            document_type='TD04' if credit else 'TD01',
            currency='EUR',
            date=self.invoice_date or Date.today(),
            number=self.number or '1',
            total=total,
            lines=lines,
            summaries=summaries,
            reasons=reasons,
            stamp_duty=stamp_duty,
            payment_terms='TP02',
            payments=self.get_fatturapa_payments(to_collect),
            linked_invoices=linked,
            purchase_orders=orders,
            )


class InvoiceLine(DiscountMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    period_start = fields.Date(
        "Period Start",
        states={
            'invisible': Eval('type') != 'line',
            'readonly': Eval('invoice_state') != 'draft',
            },
        help="DataInizioPeriodo: the start of the service period invoiced.")
    period_end = fields.Date(
        "Period End",
        domain=['OR',
            ('period_end', '=', None),
            ('period_end', '>=', Eval('period_start', None)),
            ],
        states={
            'invisible': Eval('type') != 'line',
            'readonly': Eval('invoice_state') != 'draft',
            })

    @classmethod
    def delete(cls, lines):
        pool = Pool()
        Intervention = pool.get('termogest.intervention')
        Contract = pool.get('termogest.contract')
        interventions = {
            l.origin for l in lines
            if isinstance(l.origin, Intervention) and l.origin.id >= 0}
        Contract.release_invoiced(lines)
        super().delete(lines)
        # Back to invoice when none of their lines is left
        Intervention.back_to_done([
                i for i in Intervention.browse(list(interventions))
                if not any(
                    l.invoice and l.invoice.state != 'cancelled'
                    for l in i.invoice_lines)])

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'termogest.intervention', 'termogest.contract']

    @classmethod
    def __setup__(cls):
        super().__setup__()
        for name in ['gross_unit_price', 'discount']:
            field = getattr(cls, name)
            field.states = field.states.copy()
            field.states['readonly'] = Eval('invoice_state') != 'draft'

    @fields.depends(methods=['on_change_with_amount'])
    def _apply_discount(self):
        super()._apply_discount()
        self.amount = self.on_change_with_amount()

    @fields.depends(
        'invoice', '_parent_invoice.party', '_parent_invoice.type', 'party',
        'unit_price', 'invoice_type', 'product',
        methods=['_apply_discount'])
    def on_change_product(self):
        super().on_change_product()
        if not self.product:
            return
        party = self.invoice.party if self.invoice else self.party
        type_ = self.invoice.type if self.invoice else self.invoice_type
        if type_ == 'out' and self.unit_price is None:
            # The list price, as a sale line would have it
            price = self.product.list_price_used
            if price is not None:
                self.unit_price = price
        self.gross_unit_price = self.unit_price
        if party and party.invoice_discount and self.unit_price is not None:
            self.discount = party.invoice_discount
            self._apply_discount()


class InvoiceCourtesyReport(DocumentReport):
    "The courtesy copy of a customer invoice, in PDF"
    __name__ = 'account.invoice.courtesy'
