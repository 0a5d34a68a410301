# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Build the FatturaPA 1.2.3 XML tree from ``fpa.data`` (FATTURAPA.md §2).

Elements are written in the order of the XSD sequences.  Texts are
transliterated to the characters the schema allows (``fpa.text``) and are
never truncated: a text that is too long or that holds characters with no
Latin-1 equivalent raises ``BuildError`` naming the record and the field.
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lxml import etree

from . import text as text_

__all__ = ['NS', 'BuildError', 'build', 'serialize']

NS = 'http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2'
UNKNOWN_RECIPIENT = '0000000'
CENT = Decimal('0.01')
MAX_DECIMALS = 8

# XSD name -> (Italian label, feminine)
FIELDS = {
    'IdCodice': ("Identificativo fiscale", False),
    'ProgressivoInvio': ("Progressivo di invio", False),
    'CodiceDestinatario': ("Codice destinatario", False),
    'PECDestinatario': ("PEC del destinatario", True),
    'Telefono': ("Telefono", False),
    'Email': ("Email", True),
    'CodiceFiscale': ("Codice fiscale", False),
    'Denominazione': ("Denominazione", True),
    'Nome': ("Nome", False),
    'Cognome': ("Cognome", False),
    'RegimeFiscale': ("Regime fiscale", False),
    'Indirizzo': ("Indirizzo", False),
    'NumeroCivico': ("Numero civico", False),
    'CAP': ("CAP", False),
    'Comune': ("Comune", False),
    'Provincia': ("Provincia", True),
    'Nazione': ("Nazione", True),
    'NumeroREA': ("Numero REA", False),
    'Ufficio': ("Ufficio REA", False),
    'Numero': ("Numero", False),
    'Causale': ("Causale", True),
    'IdDocumento': ("Numero del documento collegato", False),
    'CodiceCUP': ("Codice CUP", False),
    'CodiceCIG': ("Codice CIG", False),
    'Descrizione': ("Descrizione", True),
    'UnitaMisura': ("Unità di misura", True),
    'CodiceTipo': ("Tipo del codice articolo", False),
    'CodiceValore': ("Codice articolo", False),
    'RiferimentoAmministrazione': ("Riferimento amministrazione", False),
    'TipoDato': ("Tipo dato gestionale", False),
    'RiferimentoTesto': ("Riferimento testo", False),
    'RiferimentoNormativo': ("Riferimento normativo", False),
    'IstitutoFinanziario': ("Istituto finanziario", False),
    'IBAN': ("IBAN", False),
    'SistemaEmittente': ("Sistema emittente", False),
    'PrezzoUnitario': ("Prezzo unitario", False),
    'Quantita': ("Quantità", True),
    'AliquotaIVA': ("Aliquota IVA", True),
    'Percentuale': ("Percentuale di sconto", True),
    }


class BuildError(ValueError):
    "The invoice data cannot be written as a valid FatturaPA"

    def __init__(self, message, field=None, where=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.where = where


def _label(field, where):
    name, feminine = FIELDS.get(field, (field, False))
    return ' '.join(p for p in (name, where) if p), feminine


def _error_missing(field, where):
    label, feminine = _label(field, where)
    return BuildError(
        "%s mancante: %s." % (
            label, "indicarla" if feminine else "indicarlo"),
        field, where)


def _clean(field, value, where, max_length, latin=True, required=False):
    "Return the transliterated text or None; raise on any loss"
    if value is not None and not isinstance(value, str):
        value = str(value)
    if value is not None:
        value, unmappable = (
            text_.latin1 if latin else text_.ascii)(value)
        value = value.strip()
        if unmappable:
            label, _ = _label(field, where)
            raise BuildError(
                "%s contiene caratteri non ammessi in FatturaPA: %s. "
                "Sostituirli o rimuoverli." % (
                    label, ' '.join(repr(c) for c in unmappable)),
                field, where)
    if not value:
        if required:
            raise _error_missing(field, where)
        return None
    if len(value) > max_length:
        label, feminine = _label(field, where)
        raise BuildError(
            "%s troppo %s: %d caratteri, massimo %d. %s." % (
                label, 'lunga' if feminine else 'lungo', len(value),
                max_length, 'Accorciarla' if feminine else 'Accorciarlo'),
            field, where)
    return value


def _text(parent, tag, value, where, max_length, latin=True,
        required=False):
    value = _clean(tag, value, where, max_length, latin, required)
    if value is not None:
        _sub(parent, tag, value)
    return value


def _code(parent, tag, value, where, required=True):
    "Write a code (country, province, enumeration) in upper case"
    if value:
        value = str(value).strip().upper()
    if not value:
        if required:
            raise _error_missing(tag, where)
        return
    _sub(parent, tag, value)


def _sub(parent, tag, value=None):
    element = etree.SubElement(parent, tag)
    if value is not None:
        element.text = value
    return element


def _decimal(value, field, where):
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        value = None
    if value is None or not value.is_finite():
        label, _ = _label(field, where)
        raise BuildError(
            "%s non è un numero valido." % label, field, where)
    return value


def amount(value, field='Importo', where=None):
    "Format an amount with 2 decimals, rounding half-up"
    value = _decimal(value, field, where)
    return format(value.quantize(CENT, rounding=ROUND_HALF_UP), 'f')


def price(value, field='PrezzoUnitario', where=None, signed=True):
    "Format with 2 to 8 decimals, keeping every significant digit"
    value = _decimal(value, field, where)
    if not signed and value < 0:
        label, feminine = _label(field, where)
        raise BuildError(
            "%s negativ%s: %s. FatturaPA non ammette quantità negative: "
            "indicare il segno sul prezzo unitario." % (
                label, 'a' if feminine else 'o', value),
            field, where)
    exponent = value.as_tuple().exponent
    if exponent > -2:
        value = value.quantize(CENT)
    elif exponent < -MAX_DECIMALS:
        digits = max(-value.normalize().as_tuple().exponent, 2)
        if digits > MAX_DECIMALS:
            label, _ = _label(field, where)
            raise BuildError(
                "%s con troppi decimali: %s; FatturaPA ne ammette al "
                "massimo %d. Arrotondare il valore." % (
                    label, value, MAX_DECIMALS),
                field, where)
        value = value.quantize(Decimal(1).scaleb(-digits))
    return format(value, 'f')


def rate(value, field='AliquotaIVA', where=None):
    "Format a percentage with exactly 2 decimals"
    value = _decimal(value, field, where)
    quantized = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if quantized != value or value < 0:
        label, feminine = _label(field, where)
        raise BuildError(
            "%s non valid%s: %s; servono un valore tra 0 e 100 con al "
            "massimo 2 decimali." % (
                label, 'a' if feminine else 'o', value),
            field, where)
    return format(quantized, 'f')


def _date(parent, tag, value):
    if value is not None:
        _sub(parent, tag, value.isoformat())


def split_text(value, size):
    "Split value in chunks of at most size characters, at spaces if any"
    chunks = []
    value = value.strip()
    while len(value) > size:
        cut = value.rfind(' ', 1, size + 1)
        if cut <= 0:
            cut = size
        chunks.append(value[:cut].rstrip())
        value = value[cut:].lstrip()
    if value:
        chunks.append(value)
    return chunks


def _percent_label(value):
    return '%s%%' % format(
        Decimal(value).quantize(CENT), 'f').replace('.', ',')


def build(invoice):
    "Return the FatturaElettronica root element of invoice"
    root = etree.Element('{%s}FatturaElettronica' % NS, nsmap={'p': NS})
    root.set('versione', invoice.format)
    system = _clean(
        'SistemaEmittente', invoice.system, None, 10, latin=False)
    if system:
        root.set('SistemaEmittente', system)
    header = _sub(root, 'FatturaElettronicaHeader')
    _transmission(header, invoice)
    _supplier(header, invoice.supplier)
    _customer(header, invoice.customer)
    body = _sub(root, 'FatturaElettronicaBody')
    _general(body, invoice)
    goods = _sub(body, 'DatiBeniServizi')
    if not invoice.lines:
        raise BuildError(
            "La fattura non ha righe: FatturaPA richiede almeno una riga "
            "di dettaglio.", 'DettaglioLinee')
    for line in invoice.lines:
        _line(goods, line)
    if not invoice.summaries:
        raise BuildError(
            "La fattura non ha riepiloghi IVA: indicare almeno "
            "un'aliquota.", 'DatiRiepilogo')
    for summary in invoice.summaries:
        _summary(goods, summary)
    if invoice.payments:
        _payments(body, invoice)
    return root


def serialize(root):
    "Return the UTF-8 bytes of root with an XML declaration"
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + etree.tostring(root, encoding='UTF-8', xml_declaration=False,
            pretty_print=True))


def _id_fiscale(parent, tag, country, code, where):
    element = _sub(parent, tag)
    country = (country or 'IT').strip().upper()
    code = (code or '').replace(' ', '').upper()
    # IdCodice goes without the country prefix of EU VAT numbers
    if len(code) > 2 and code[:2] == country and code[:2].isalpha():
        code = code[2:]
    _code(element, 'IdPaese', country, where)
    _text(element, 'IdCodice', code, where, 28, latin=False, required=True)


def _transmission(header, invoice):
    where = "dei dati di trasmissione"
    data = _sub(header, 'DatiTrasmissione')
    _id_fiscale(data, 'IdTrasmittente', invoice.transmitter_country,
        invoice.transmitter_code, "del trasmittente")
    _text(data, 'ProgressivoInvio', invoice.progressive, where, 10,
        latin=False, required=True)
    _code(data, 'FormatoTrasmissione', invoice.format, where)
    recipient = (invoice.recipient_code or UNKNOWN_RECIPIENT).strip().upper()
    _sub(data, 'CodiceDestinatario', recipient)
    phone = _clean('Telefono', invoice.transmitter_phone,
        "del trasmittente", 12, latin=False)
    email = _clean('Email', invoice.transmitter_email,
        "del trasmittente", 256, latin=False)
    if phone or email:
        contacts = _sub(data, 'ContattiTrasmittente')
        if phone:
            _sub(contacts, 'Telefono', phone)
        if email:
            _sub(contacts, 'Email', email)
    # SdI reads PECDestinatario only with the generic code (§2.3)
    if recipient == UNKNOWN_RECIPIENT:
        _text(data, 'PECDestinatario', invoice.recipient_pec,
            "del cliente", 256, latin=False)


def _anagrafica(parent, party, where):
    anagrafica = _sub(parent, 'Anagrafica')
    if party.name and party.name.strip():
        _text(anagrafica, 'Denominazione', party.name, where, 80)
    elif party.first_name or party.last_name:
        _text(anagrafica, 'Nome', party.first_name, where, 60,
            required=True)
        _text(anagrafica, 'Cognome', party.last_name, where, 60,
            required=True)
    else:
        raise _error_missing('Denominazione', where)


def _fiscal_code(parent, party, where):
    code = (party.fiscal_code or '').replace(' ', '').upper()
    vat = (party.vat_code or '').replace(' ', '').upper()
    if code and code != vat:
        _text(parent, 'CodiceFiscale', code, where, 16, latin=False)


def _address(parent, tag, address, where):
    if address is None:
        raise BuildError(
            "Indirizzo %s mancante: indicarlo." % where, tag, where)
    sede = _sub(parent, tag)
    country = (address.country or 'IT').strip().upper()
    _text(sede, 'Indirizzo', address.street, where, 60, required=True)
    _text(sede, 'NumeroCivico', address.street_number, where, 8,
        latin=False)
    postal_code = (address.postal_code or '').strip()
    if country != 'IT' and not (
            len(postal_code) == 5 and postal_code.isdigit()):
        postal_code = '00000'
    _text(sede, 'CAP', postal_code, where, 5, latin=False, required=True)
    _text(sede, 'Comune', address.city, where, 60, required=True)
    if country == 'IT':
        _code(sede, 'Provincia', address.province, where, required=False)
    _code(sede, 'Nazione', country, where)


def _supplier(header, party):
    where = "del fornitore"
    supplier = _sub(header, 'CedentePrestatore')
    data = _sub(supplier, 'DatiAnagrafici')
    if not party.vat_code:
        raise BuildError(
            "Partita IVA del fornitore mancante: indicarla nei dati "
            "dell'azienda.", 'IdFiscaleIVA', where)
    _id_fiscale(data, 'IdFiscaleIVA', party.vat_country, party.vat_code,
        where)
    _fiscal_code(data, party, where)
    _anagrafica(data, party, where)
    _code(data, 'RegimeFiscale', party.tax_regime, where)
    _address(supplier, 'Sede', party.address, where)
    if party.rea_office or party.rea_number:
        rea = _sub(supplier, 'IscrizioneREA')
        _code(rea, 'Ufficio', party.rea_office, where)
        _text(rea, 'NumeroREA', party.rea_number, where, 20, latin=False,
            required=True)
        if party.share_capital is not None:
            _sub(rea, 'CapitaleSociale',
                amount(party.share_capital, 'CapitaleSociale', where))
        _code(rea, 'SocioUnico', party.sole_member, where, required=False)
        _code(rea, 'StatoLiquidazione', party.liquidation or 'LN', where)
    phone = _clean('Telefono', party.phone, where, 12, latin=False)
    email = _clean('Email', party.email, where, 256, latin=False)
    if phone or email:
        contacts = _sub(supplier, 'Contatti')
        if phone:
            _sub(contacts, 'Telefono', phone)
        if email:
            _sub(contacts, 'Email', email)


def _customer(header, party):
    where = "del cliente"
    customer = _sub(header, 'CessionarioCommittente')
    data = _sub(customer, 'DatiAnagrafici')
    if party.vat_code:
        country = party.vat_country or (
            party.address.country if party.address else None)
        _id_fiscale(data, 'IdFiscaleIVA', country, party.vat_code, where)
    _fiscal_code(data, party, where)
    _anagrafica(data, party, where)
    _address(customer, 'Sede', party.address, where)


def _general(body, invoice):
    where = "della fattura"
    general = _sub(body, 'DatiGenerali')
    document = _sub(general, 'DatiGeneraliDocumento')
    _code(document, 'TipoDocumento', invoice.document_type, where)
    _code(document, 'Divisa', invoice.currency, where)
    _date(document, 'Data', invoice.date)
    _text(document, 'Numero', invoice.number, where, 20, latin=False,
        required=True)
    if invoice.stamp_duty is not None:
        stamp = _sub(document, 'DatiBollo')
        _sub(stamp, 'BolloVirtuale', 'SI')
        if invoice.stamp_duty:
            _sub(stamp, 'ImportoBollo',
                amount(invoice.stamp_duty, 'ImportoBollo', where))
    if invoice.total is not None:
        _sub(document, 'ImportoTotaleDocumento',
            amount(invoice.total, 'ImportoTotaleDocumento', where))
    for reason in invoice.reasons:
        reason = _clean('Causale', reason, where, 10 ** 6)
        for chunk in split_text(reason or '', 200):
            _sub(document, 'Causale', chunk)
    for tag, documents, label in [
            ('DatiOrdineAcquisto', invoice.purchase_orders,
                "dell'ordine"),
            ('DatiContratto', invoice.contracts, "del contratto"),
            ('DatiFattureCollegate', invoice.linked_invoices,
                "della fattura collegata"),
            ]:
        for linked in documents:
            _linked(general, tag, linked, label)


def _linked(parent, tag, linked, where):
    element = _sub(parent, tag)
    _text(element, 'IdDocumento', linked.number, where, 20, latin=False,
        required=True)
    _date(element, 'Data', linked.date)
    _text(element, 'CodiceCUP', linked.cup, where, 15, latin=False)
    _text(element, 'CodiceCIG', linked.cig, where, 15, latin=False)


def _line(parent, line):
    where = "della riga %s" % line.number
    element = _sub(parent, 'DettaglioLinee')
    _sub(element, 'NumeroLinea', str(int(line.number)))
    _code(element, 'TipoCessionePrestazione', line.kind, where,
        required=False)
    if line.code:
        code_type, code_value = line.code
        code = _sub(element, 'CodiceArticolo')
        _text(code, 'CodiceTipo', code_type, where, 35, latin=False,
            required=True)
        _text(code, 'CodiceValore', code_value, where, 35, required=True)
    _text(element, 'Descrizione', line.description, where, 1000,
        required=True)
    if line.quantity is not None:
        _sub(element, 'Quantita',
            price(line.quantity, 'Quantita', where, signed=False))
    _text(element, 'UnitaMisura', line.unit, where, 10, latin=False)
    _date(element, 'DataInizioPeriodo', line.start_date)
    _date(element, 'DataFinePeriodo', line.end_date)
    _sub(element, 'PrezzoUnitario',
        price(line.unit_price, 'PrezzoUnitario', where))
    if line.discount:
        discount = _decimal(line.discount, 'Percentuale', where)
        adjustment = _sub(element, 'ScontoMaggiorazione')
        _sub(adjustment, 'Tipo', 'SC' if discount > 0 else 'MG')
        _sub(adjustment, 'Percentuale',
            rate(abs(discount), 'Percentuale', where))
    _sub(element, 'PrezzoTotale', amount(line.total, 'PrezzoTotale', where))
    _sub(element, 'AliquotaIVA', rate(line.rate, 'AliquotaIVA', where))
    _code(element, 'Natura', line.nature, where, required=False)
    _text(element, 'RiferimentoAmministrazione', line.admin_reference,
        where, 20, latin=False)
    for kind, reference in line.other_data:
        other = _sub(element, 'AltriDatiGestionali')
        _text(other, 'TipoDato', kind, where, 10, latin=False,
            required=True)
        _text(other, 'RiferimentoTesto', reference, where, 60)


def _summary(parent, summary):
    where = "del riepilogo IVA %s" % _percent_label(summary.rate)
    element = _sub(parent, 'DatiRiepilogo')
    _sub(element, 'AliquotaIVA', rate(summary.rate, 'AliquotaIVA', where))
    _code(element, 'Natura', summary.nature, where, required=False)
    if summary.rounding:
        _sub(element, 'Arrotondamento',
            price(summary.rounding, 'Arrotondamento', where))
    _sub(element, 'ImponibileImporto',
        amount(summary.taxable, 'ImponibileImporto', where))
    _sub(element, 'Imposta', amount(summary.tax, 'Imposta', where))
    _code(element, 'EsigibilitaIVA', summary.vat_due, where,
        required=False)
    _text(element, 'RiferimentoNormativo', summary.law_reference, where,
        100)


def _payments(body, invoice):
    data = _sub(body, 'DatiPagamento')
    _code(data, 'CondizioniPagamento', invoice.payment_terms or 'TP02',
        "del pagamento")
    for i, payment in enumerate(invoice.payments, 1):
        where = "del pagamento %d" % i
        detail = _sub(data, 'DettaglioPagamento')
        _code(detail, 'ModalitaPagamento', payment.method, where)
        _date(detail, 'DataScadenzaPagamento', payment.due_date)
        _sub(detail, 'ImportoPagamento',
            amount(payment.amount, 'ImportoPagamento', where))
        _text(detail, 'IstitutoFinanziario', payment.bank, where, 80)
        iban = (payment.iban or '').replace(' ', '').upper()
        _text(detail, 'IBAN', iban, where, 34, latin=False)
