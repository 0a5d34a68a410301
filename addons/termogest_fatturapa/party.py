# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.model import ModelView, fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    invoice_discount = fields.Numeric(
        "Default Discount", digits=(16, 2),
        domain=['OR',
            ('invoice_discount', '=', None),
            [('invoice_discount', '>=', 0), ('invoice_discount', '<', 100)],
            ],
        help="Percentage applied to the customer's quote and invoice lines.")
    split_payment = fields.Boolean(
        "Split Payment",
        help="Scissione dei pagamenti (art. 17-ter DPR 633/72): the public "
        "administration pays the VAT to the Treasury; the invoice asks for "
        "the amount without VAT.")
    customer_invoices = fields.One2Many(
        'account.invoice', 'party', "Invoices",
        filter=[('type', '=', 'out')], readonly=True)
    quotes = fields.One2Many('sale.sale', 'party', "Quotes", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        for name in ['new_quote', 'new_invoice']:
            cls._buttons[name] = {
                'invisible': Eval('id', -1) < 0,
                'depends': ['id'],
                }

    @fields.depends('split_payment')
    def _update_subject_type(self):
        super()._update_subject_type()
        # Public administrations pay the VAT themselves (art. 17-ter)
        if self.subject_type == 'public_administration':
            self.split_payment = True

    def get_invoice_discount(self):
        return self.invoice_discount or Decimal(0)

    @classmethod
    @ModelView.button_action('termogest_fatturapa.act_quote_new')
    def new_quote(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('termogest_fatturapa.act_invoice_new')
    def new_invoice(cls, parties):
        pass
