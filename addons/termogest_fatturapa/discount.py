# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import ROUND_HALF_UP, Decimal

import trytond.config as config
from trytond.model import fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.product import price_digits
from trytond.pyson import Eval

HUNDRED = Decimal(100)


def price_decimals():
    "The quantum of unit prices"
    return Decimal(1).scaleb(
        -config.getint('product', 'price_decimal', default=4))


def discounted(price, discount):
    "The unit price of a gross price less discount %, to the price quantum"
    if discount:
        price = price * (1 - discount / HUNDRED)
    return price.quantize(price_decimals(), rounding=ROUND_HALF_UP)


class DiscountMixin:
    "A line whose unit price is a gross price less a discount"
    __slots__ = ()
    gross_unit_price = Monetary(
        "Gross Unit Price", currency='currency', digits=price_digits,
        states={
            'invisible': Eval('type') != 'line',
            },
        help="The unit price before the discount.")
    discount = fields.Numeric(
        "Discount %", digits=(16, 2),
        domain=['OR',
            ('discount', '=', None),
            [('discount', '>=', 0), ('discount', '<=', 100)],
            ],
        states={
            'invisible': Eval('type') != 'line',
            })

    @fields.depends('gross_unit_price', 'discount', 'unit_price')
    def _apply_discount(self):
        if self.gross_unit_price is None:
            return
        self.unit_price = discounted(self.gross_unit_price, self.discount)

    @fields.depends(methods=['_apply_discount'])
    def on_change_gross_unit_price(self):
        self._apply_discount()

    @fields.depends(methods=['_apply_discount'])
    def on_change_discount(self):
        self._apply_discount()

    @fields.depends('unit_price', 'discount', 'gross_unit_price')
    def on_change_unit_price(self):
        try:
            super().on_change_unit_price()
        except AttributeError:
            pass
        if not self.discount:
            self.gross_unit_price = self.unit_price
