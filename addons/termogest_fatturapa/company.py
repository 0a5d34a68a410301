# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from sql import Column, Null

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction, without_check_access

from .exceptions import SDIConfigurationError
from .fpa.codes import MODALITA_PAGAMENTO, selection
from .fpa.filename import to_base36

SECURITY = [
    ('ssl', "SSL/TLS"),
    ('starttls', "STARTTLS"),
    ('none', "None"),
    ]
_pec = {'invisible': Eval('sdi_channel') != 'pec'}
# Fields filled with their default on creation and on installation
_DEFAULTED = [
    'sdi_channel', 'sdi_sequence', 'transmitter_country',
    'fatturapa_payment_method', 'stamp_duty_threshold', 'stamp_duty_amount',
    'pec_smtp_port', 'pec_smtp_security', 'pec_imap_port',
    'pec_imap_security', 'pec_imap_folder', 'pec_sdi_address',
    ]
_rest = {'invisible': Eval('sdi_channel') != 'rest'}


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    sdi_channel = fields.Selection([
            (None, ""),
            ('manual', "Manual (upload on the portal)"),
            ('pec', "PEC"),
            ('rest', "Intermediary (REST API)"),
            ], "SDI Channel",
        help="How the electronic invoices reach the Sistema di Interscambio.")
    sdi_sequence = fields.Many2One(
        'ir.sequence', "File Progressive",
        domain=[
            ('sequence_type', '=',
                Id('termogest_fatturapa', 'sequence_type_sdi_file')),
            ],
        help="Numbers the files sent to the SDI; written in base 36 on 5 "
        "characters (ProgressivoInvio). A number is never used twice.")
    sdi_next_progressive = fields.Function(
        fields.Char("Next Progressive"), 'get_sdi_next_progressive')
    transmitter_country = fields.Char(
        "Transmitter Country", size=2, strip=True,
        help="IdTrasmittente/IdPaese: IT for an Italian transmitter.")
    transmitter_code = fields.Char(
        "Transmitter Code", size=28, strip=True,
        help="IdTrasmittente/IdCodice: the codice fiscale of whoever "
        "transmits (the company for PEC, the intermediary for the REST "
        "channel). Empty: the company's codice fiscale.")
    # PEC
    pec_smtp_host = fields.Char("SMTP Server", states=_pec)
    pec_smtp_port = fields.Integer("SMTP Port", states=_pec)
    pec_smtp_security = fields.Selection(
        [(None, "")] + SECURITY, "SMTP Security", states=_pec)
    pec_smtp_user = fields.Char("SMTP User", states=_pec)
    pec_smtp_password = fields.Char("SMTP Password", states=_pec, strip=False)
    pec_imap_host = fields.Char("IMAP Server", states=_pec)
    pec_imap_port = fields.Integer("IMAP Port", states=_pec)
    pec_imap_security = fields.Selection(
        [(None, "")] + SECURITY, "IMAP Security", states=_pec)
    pec_imap_user = fields.Char("IMAP User", states=_pec)
    pec_imap_password = fields.Char("IMAP Password", states=_pec, strip=False)
    pec_imap_folder = fields.Char("IMAP Folder", states=_pec)
    pec_sdi_address = fields.Char(
        "SDI Address", states=_pec,
        help="sdi01@pec.fatturapa.it for the first file; the SDI's first "
        "reply names the address to use from then on.")
    # REST intermediary
    rest_url = fields.Char("API Address", states=_rest)
    rest_token = fields.Char("API Token", states=_rest, strip=False)
    fatturapa_payment_method = fields.Selection(
        [(None, "")] + selection(MODALITA_PAGAMENTO), "Payment Method",
        sort=False,
        help="ModalitaPagamento of the invoices: MP05 bank transfer...")
    fatturapa_iban = fields.Char(
        "IBAN", size=34, strip=True,
        help="Written in each payment of the invoices.")
    # Stamp duty
    stamp_duty_threshold = fields.Numeric(
        "Stamp Duty Threshold", digits=(16, 2),
        help="The virtual stamp duty is due when the amounts without VAT "
        "(Natura N1-N4) exceed this amount.")
    stamp_duty_amount = fields.Numeric(
        "Stamp Duty", digits=(16, 2))
    stamp_duty_product = fields.Many2One(
        'product.product', "Stamp Duty Charged With",
        help="When set, the stamp duty is charged to the customer with a "
        "line of this product.")

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        # The companies created before the module get its defaults
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for name in _DEFAULTED:
            value = getattr(cls, 'default_%s' % name)()
            if value is not None:
                column = Column(table, name)
                cursor.execute(*table.update(
                        [column], [value], where=column == Null))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            # Tryton's company wizard gives its empty fields as None
            for name in _DEFAULTED:
                if values.get(name) is None:
                    value = getattr(cls, 'default_%s' % name)()
                    if value is not None:
                        values[name] = value
        return values

    @classmethod
    def default_sdi_channel(cls):
        return 'manual'

    @classmethod
    def default_sdi_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('termogest_fatturapa', 'sequence_sdi_file')
        except KeyError:
            return None

    @classmethod
    def default_fatturapa_payment_method(cls):
        return 'MP05'

    @classmethod
    def default_transmitter_country(cls):
        return 'IT'

    @classmethod
    def default_pec_smtp_port(cls):
        return 465

    @classmethod
    def default_pec_imap_port(cls):
        return 993

    @classmethod
    def default_pec_smtp_security(cls):
        return 'ssl'

    @classmethod
    def default_pec_imap_security(cls):
        return 'ssl'

    @classmethod
    def default_pec_imap_folder(cls):
        return 'INBOX'

    @classmethod
    def default_pec_sdi_address(cls):
        return 'sdi01@pec.fatturapa.it'

    @classmethod
    def default_stamp_duty_threshold(cls):
        return Decimal('77.47')

    @classmethod
    def default_stamp_duty_amount(cls):
        return Decimal('2.00')

    def get_sdi_next_progressive(self, name):
        sequence = self._sdi_sequence()
        if sequence:
            return to_base36(sequence.number_next)

    def _sdi_sequence(self):
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        if self.sdi_sequence:
            return self.sdi_sequence
        sequence_id = self.default_sdi_sequence()
        if sequence_id:
            return Sequence(sequence_id)

    def get_stamp_duty_threshold(self):
        if self.stamp_duty_threshold is None:
            return self.default_stamp_duty_threshold()
        return self.stamp_duty_threshold

    def get_stamp_duty_amount(self):
        if self.stamp_duty_amount is None:
            return self.default_stamp_duty_amount()
        return self.stamp_duty_amount

    def get_transmitter(self):
        "The IdTrasmittente (country, code)"
        code = self.transmitter_code or self.fiscal_code or self.vat_number
        if not code:
            raise SDIConfigurationError(gettext(
                    'termogest_fatturapa.msg_transmitter_missing',
                    company=self.rec_name))
        return (self.transmitter_country or 'IT').upper(), code.upper()

    def next_sdi_progressive(self):
        return to_base36(int(self._sdi_sequence().get()))

    def get_sdi_channel(self):
        "The transport of the company's channel"
        from .fpa import channels

        # The credentials are read for the user, who may not see them
        with without_check_access():
            self = self.__class__(self.id)
        if self.sdi_channel == 'pec':
            missing = [f for f in [
                    'pec_smtp_host', 'pec_smtp_port', 'pec_imap_host',
                    'pec_imap_port', 'pec']
                if not getattr(self, f)]
            if missing:
                raise SDIConfigurationError(gettext(
                        'termogest_fatturapa.msg_channel_incomplete',
                        company=self.rec_name,
                        fields=', '.join(
                            self._fields[f].string for f in missing)))
            return channels.PECChannel(
                smtp_host=self.pec_smtp_host, smtp_port=self.pec_smtp_port,
                smtp_user=self.pec_smtp_user,
                smtp_password=self.pec_smtp_password,
                smtp_security=self.pec_smtp_security or 'ssl',
                imap_host=self.pec_imap_host, imap_port=self.pec_imap_port,
                imap_user=self.pec_imap_user,
                imap_password=self.pec_imap_password,
                imap_security=self.pec_imap_security or 'ssl',
                imap_folder=self.pec_imap_folder or 'INBOX',
                sender=self.pec,
                sdi_address=(
                    self.pec_sdi_address or 'sdi01@pec.fatturapa.it'))
        elif self.sdi_channel == 'rest':
            if not self.rest_url or not self.rest_token:
                raise SDIConfigurationError(gettext(
                        'termogest_fatturapa.msg_channel_incomplete',
                        company=self.rec_name,
                        fields=', '.join(
                            self._fields[f].string
                            for f in ['rest_url', 'rest_token'])))
            return channels.RESTChannel(self.rest_url, self.rest_token)
        return channels.ManualChannel()
