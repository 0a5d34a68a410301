# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import ValidationError
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .fpa.codes import NATURA, selection

NATURES = [(None, "")] + selection(NATURA)
VAT_DUE = [
    (None, ""),
    ('I', "Immediate"),
    ('D', "Deferred"),
    ('S', "Split payment"),
    ]


class _TaxMixin:
    __slots__ = ()
    fatturapa_nature = fields.Selection(
        NATURES, "Nature (Natura)", sort=False,
        help="Required on the electronic invoice when the rate is 0: why no "
        "VAT is charged (N1 excluded, N2 not subject, N3 not taxable, N4 "
        "exempt, N6 reverse charge...).")
    fatturapa_law_reference = fields.Char(
        "Law Reference", size=100,
        states={
            'invisible': ~Eval('fatturapa_nature'),
            },
        help="RiferimentoNormativo, printed on the invoice: e.g. "
        "\"Esente art. 10 DPR 633/72\".")
    fatturapa_stamp_duty = fields.Boolean(
        "Subject to Stamp Duty",
        states={
            'invisible': ~Eval('fatturapa_nature'),
            },
        help="Amounts without VAT of this tax count towards the 77.47 EUR "
        "threshold of the virtual stamp duty.")


class TaxTemplate(_TaxMixin, metaclass=PoolMeta):
    __name__ = 'account.tax.template'

    def _get_tax_value(self, tax=None):
        values = super()._get_tax_value(tax=tax)
        for name in [
                'fatturapa_nature', 'fatturapa_law_reference',
                'fatturapa_stamp_duty']:
            if not tax or getattr(tax, name) != getattr(self, name):
                values[name] = getattr(self, name)
        return values


class Tax(_TaxMixin, metaclass=PoolMeta):
    __name__ = 'account.tax'

    @classmethod
    def validate_fields(cls, taxes, field_names):
        super().validate_fields(taxes, field_names)
        if field_names and not (
                {'fatturapa_nature', 'rate', 'type'} & field_names):
            return
        for tax in taxes:
            if (tax.type == 'percentage' and tax.rate == 0
                    and not tax.fatturapa_nature and not tax.childs):
                raise ValidationError(gettext(
                        'termogest_fatturapa.msg_tax_nature_required',
                        tax=tax.rec_name))
            if tax.fatturapa_nature and tax.rate:
                raise ValidationError(gettext(
                        'termogest_fatturapa.msg_tax_nature_with_rate',
                        tax=tax.rec_name))
