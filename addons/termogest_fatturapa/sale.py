# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import ModelView, fields
from trytond.modules.termogest_agenda.call import from_record
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .discount import DiscountMixin, discounted
from .document import DocumentReport


def _sale_from_context():
    "The quote the appointment or intervention is created from"
    pool = Pool()
    Sale = pool.get('sale.sale')
    sale_id = from_record('sale.sale')
    return Sale(sale_id) if sale_id else None


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    appointments = fields.One2Many(
        'termogest.appointment', 'sale', "Appointments", readonly=True)
    interventions = fields.One2Many(
        'termogest.intervention', 'sale', "Interventions", readonly=True)
    plant = fields.Many2One(
        'termogest.plant', "Plant",
        domain=[('party', '=', Eval('party', -1))],
        states={
            'readonly': Eval('state') != 'draft',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        for name in ['book_appointment', 'new_intervention']:
            cls._buttons[name] = {
                'invisible': ~Eval('state').in_(
                    ['quotation', 'confirmed', 'processing']),
                'depends': ['state'],
                }

    @classmethod
    def default_party(cls):
        return from_record('party.party')

    @classmethod
    def default_invoice_method(cls, **pattern):
        # A quote is invoiced with the intervention that carries it out
        return 'manual'

    @classmethod
    def default_shipment_method(cls, **pattern):
        # The parts go with the technician: no shipment
        return 'manual'

    @fields.depends('party', 'plant')
    def on_change_party(self):
        super().on_change_party()
        if self.plant and self.plant.party != self.party:
            self.plant = None
        if self.party and not self.plant:
            plants = [p for p in getattr(self.party, 'plants', [])
                if p.active]
            if len(plants) == 1:
                self.plant, = plants

    @classmethod
    @ModelView.button_action('termogest_fatturapa.act_appointment_from_sale')
    def book_appointment(cls, sales):
        pass

    @classmethod
    @ModelView.button_action('termogest_fatturapa.act_intervention_from_sale')
    def new_intervention(cls, sales):
        pass


class SaleLine(DiscountMixin, metaclass=PoolMeta):
    __name__ = 'sale.line'

    @fields.depends(
        'discount', 'gross_unit_price', 'sale', '_parent_sale.party')
    def compute_unit_price(self):
        "The list price is the gross price; the discount applies to it"
        price = super().compute_unit_price()
        if price is None:
            return price
        self.gross_unit_price = price
        party = self.sale.party if self.sale else None
        if self.discount is None and party and party.invoice_discount:
            self.discount = party.invoice_discount
        if self.discount:
            price = discounted(price, self.discount)
        return price

    def get_invoice_line(self):
        lines = super().get_invoice_line()
        for line in lines:
            line.gross_unit_price = self.gross_unit_price
            line.discount = self.discount
        return lines


class _FromQuoteMixin:
    "A document opened from a quote: its customer and plant"
    __slots__ = ()

    @classmethod
    def default_sale(cls):
        sale = _sale_from_context()
        return sale.id if sale else None

    @classmethod
    def default_party(cls):
        sale = _sale_from_context()
        if sale:
            return sale.party.id
        return super().default_party()

    @classmethod
    def default_plant(cls):
        sale = _sale_from_context()
        if sale:
            return sale.plant.id if sale.plant else None
        return super().default_plant()


class Appointment(_FromQuoteMixin, metaclass=PoolMeta):
    __name__ = 'termogest.appointment'

    sale = fields.Many2One(
        'sale.sale', "Quote",
        domain=[('party', '=', Eval('party', -1))],
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            })


class Intervention(_FromQuoteMixin, metaclass=PoolMeta):
    __name__ = 'termogest.intervention'

    @classmethod
    def values_from_appointment(cls, appointment):
        values = super().values_from_appointment(appointment)
        if appointment.sale:
            values['sale'] = appointment.sale.id
        return values


class QuoteReport(DocumentReport):
    __name__ = 'sale.sale.quote'
