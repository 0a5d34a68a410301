# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Validate a FatturaPA tree: XSD 1.2.3, then the offline SdI checks.

The schema is compiled once per process and directory (FATTURAPA.md §10).
The SdI checks of FATTURAPA.md §4 run only on a tree that passed the XSD,
or when no schema is available; ``Result.schema_checked`` says which.
Every ``Problem`` has the SdI code, a readable Italian path, an Italian
message naming the field and the fix, and the XPath of the element.
"""
import collections
import functools
import re
import threading
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

__all__ = ['Problem', 'Result', 'SchemaError', 'fatturapa_schema',
    'schema_problems', 'semantic_problems', 'validate', 'parse']

NS = 'http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2'
SCHEMA_FILES = (
    'Schema_VFPR12_v1.2.3.xsd', 'Schema_VFPR12_v1.2.3_localimport.xsd')
DSIG_FILE = 'xmldsig-core-schema.xsd'
DSIG_URLS = {
    'http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/'
    'xmldsig-core-schema.xsd',
    'http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd',
    }
XSD_CODE = '00200'
CENT = Decimal('0.01')
EURO = Decimal('1.00')
HUNDRED = Decimal(100)
GENERIC_NATURA = {'N2', 'N3', 'N6'}
SDI_PEC = re.compile(r'^sdi[0-9]*@pec\.fatturapa\.it$', re.IGNORECASE)
# TipoDocumento sets of Allegato A, Appendix 1
TD_NOT_SELF = {'TD01', 'TD02', 'TD03', 'TD06', 'TD16', 'TD17', 'TD18',
    'TD19', 'TD20', 'TD24', 'TD25', 'TD28', 'TD29'}      # 00471
TD_SELF = {'TD21', 'TD27'}                              # 00472
TD_FOREIGN_SELLER = {'TD17', 'TD18', 'TD19', 'TD28'}    # 00473
TD_BUYER_VAT = {'TD16', 'TD17', 'TD18', 'TD19', 'TD20', 'TD22', 'TD23',
    'TD28', 'TD29'}                                     # 00475

_lock = threading.Lock()


@dataclass
class Problem:
    "One reason why SdI would reject the file"
    code: str       # SdI error code, '00200' for the XSD
    path: str       # readable Italian path: "Riga 3"
    message: str    # Italian: what is wrong and how to fix it
    xpath: str = ''

    def __str__(self):
        return self.message


@dataclass
class Result:
    "The problems found and whether the XSD was checked"
    problems: list = field(default_factory=list)
    schema_checked: bool = False

    @property
    def ok(self):
        return not self.problems

    @property
    def codes(self):
        return sorted({p.code for p in self.problems})

    def __iter__(self):
        return iter(self.problems)

    def __len__(self):
        return len(self.problems)

    def __getitem__(self, index):
        return self.problems[index]


class SchemaError(RuntimeError):
    "The configured schema directory is present but unusable"


class _LocalDsig(etree.Resolver):
    "Resolve the xmldsig import to the copy in the schema directory"

    def __init__(self, xsd_dir):
        super().__init__()
        self.xsd_dir = xsd_dir

    def resolve(self, url, pubid, context):
        if url in DSIG_URLS or url.endswith('/' + DSIG_FILE):
            return self.resolve_filename(
                str(self.xsd_dir / DSIG_FILE), context)


@functools.cache
def _schema(xsd_dir):
    xsd_dir = Path(xsd_dir)
    for name in SCHEMA_FILES:
        path = xsd_dir / name
        if path.is_file():
            break
    else:
        return None
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalDsig(xsd_dir))
    try:
        return etree.XMLSchema(etree.parse(str(path), parser))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exception:
        raise SchemaError(
            "Lo schema FatturaPA in %s non è utilizzabile (%s). "
            "Verificare che la cartella contenga anche %s." % (
                xsd_dir, exception, DSIG_FILE)) from exception


@functools.cache
def _schema_by_name(name):
    return _schema(str(Path(name).resolve()))


def fatturapa_schema(xsd_dir):
    "Return the compiled XMLSchema, or None without a schema in xsd_dir"
    if not xsd_dir:
        return None
    return _schema_by_name(str(xsd_dir))


def parse(data):
    "Parse FatturaPA bytes safely and return the tree"
    parser = etree.XMLParser(resolve_entities=False, no_network=True,
        huge_tree=False, load_dtd=False, remove_blank_text=False)
    return etree.ElementTree(etree.fromstring(data, parser))


def _tree(tree):
    if isinstance(tree, (bytes, bytearray)):
        return parse(bytes(tree))
    if isinstance(tree, etree._Element):
        return tree.getroottree()
    return tree


# --- readable paths -------------------------------------------------------

LABELS = {
    'FatturaElettronicaHeader': "Intestazione",
    'DatiTrasmissione': "Dati trasmissione",
    'IdTrasmittente': "Trasmittente",
    'ContattiTrasmittente': "Contatti trasmittente",
    'CedentePrestatore': "Cedente",
    'CessionarioCommittente': "Cessionario",
    'RappresentanteFiscale': "Rappresentante fiscale",
    'DatiAnagrafici': "Dati anagrafici",
    'IdFiscaleIVA': "Partita IVA",
    'Anagrafica': "Anagrafica",
    'Sede': "Sede",
    'StabileOrganizzazione': "Stabile organizzazione",
    'IscrizioneREA': "Iscrizione REA",
    'Contatti': "Contatti",
    'DatiGenerali': None,
    'DatiGeneraliDocumento': "Dati documento",
    'DatiBollo': "Bollo",
    'DatiRitenuta': "Ritenuta",
    'DatiCassaPrevidenziale': "Cassa previdenziale",
    'DatiOrdineAcquisto': "Ordine di acquisto",
    'DatiContratto': "Contratto",
    'DatiConvenzione': "Convenzione",
    'DatiRicezione': "Ricezione",
    'DatiFattureCollegate': "Fattura collegata",
    'DatiDDT': "DDT",
    'DatiTrasporto': "Trasporto",
    'DatiBeniServizi': None,
    'ScontoMaggiorazione': "Sconto/maggiorazione",
    'CodiceArticolo': "Codice articolo",
    'AltriDatiGestionali': "Altri dati gestionali",
    'DatiPagamento': "Pagamento",
    'Allegati': "Allegato",
    }


# Labels of wrappers that are skipped inside a path
SELF_LABELS = {
    'DatiBeniServizi': "Beni e servizi",
    'DatiGenerali': "Dati generali",
    }


def _local(element):
    tag = element.tag
    if not isinstance(tag, str):
        return ''
    return etree.QName(tag).localname


def _child_text(element, tag):
    child = element.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip()


def _number(value):
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        return None


def _rate_label(value):
    value = _number(value)
    if value is None:
        return '?'
    return format(value.quantize(CENT), 'f').replace('.', ',') + '%'


def _position(element):
    parent = element.getparent()
    if parent is None:
        return 1
    same = [c for c in parent if c.tag == element.tag]
    return same.index(element) + 1


def _block_label(element, many_bodies):
    name = _local(element)
    if name == 'FatturaElettronicaBody':
        if not many_bodies:
            return None
        number = element.findtext('DatiGenerali/DatiGeneraliDocumento/'
            'Numero')
        if number:
            return "Fattura %s" % number.strip()
        return "Fattura %d" % _position(element)
    if name == 'DettaglioLinee':
        return "Riga %s" % (
            _child_text(element, 'NumeroLinea') or _position(element))
    if name == 'DatiRiepilogo':
        label = "Riepilogo IVA %s" % _rate_label(
            _child_text(element, 'AliquotaIVA'))
        natura = _child_text(element, 'Natura')
        if natura:
            label += ' ' + natura
        return label
    if name == 'DettaglioPagamento':
        return "Rata %d" % _position(element)
    if name in LABELS:
        return LABELS[name]
    return name


def describe(element, include_self=True):
    "Return the readable Italian path of element"
    root = element.getroottree().getroot()
    many = len([c for c in root if _local(c) == 'FatturaElettronicaBody']
        ) > 1
    chain = list(element.iterancestors())[::-1]
    if include_self:
        chain.append(element)
    parts = []
    for node in chain:
        if node is root:
            continue
        if node is element and _local(node) in SELF_LABELS:
            label = SELF_LABELS[_local(node)]
        else:
            label = _block_label(node, many)
        if label:
            parts.append(label)
    return ' / '.join(parts) or "Documento"


def _problem(code, element, message, include_self=True):
    path = describe(element, include_self)
    return Problem(code, path, '%s: %s' % (path, message),
        element.getroottree().getpath(element))


# --- XSD ------------------------------------------------------------------

_FACET = re.compile(
    r"^Element '(?P<element>[^']+)'(?:, attribute '(?P<attr>[^']+)')?: "
    r"(?P<detail>.*)$", re.DOTALL)


def _xsd_detail(detail):
    "Return an Italian reading of an lxml schema message"
    match = re.search(r"\[facet '(\w+)'\] The value '(.*?)'", detail)
    if match:
        facet, value = match.groups()
        if facet == 'enumeration':
            allowed = re.search(r"set \{(.*)\}", detail)
            return "valore '%s' non ammesso%s" % (value,
                ("; valori ammessi: %s" % allowed.group(1).replace("'", ''))
                if allowed else '')
        if facet == 'pattern':
            return ("valore '%s' non nel formato richiesto (caratteri, "
                "lunghezza o decimali non ammessi)" % value)
        if facet in {'maxLength', 'minLength', 'length'}:
            return "valore '%s' di lunghezza non ammessa" % value
        if facet in {'minInclusive', 'maxInclusive', 'minExclusive',
                'maxExclusive'}:
            return "valore '%s' fuori dall'intervallo ammesso" % value
        return "valore '%s' non ammesso" % value
    match = re.search(r"This element is not expected\.(?: Expected is "
        r"(?:one of )?\( (.*) \))?", detail)
    if match:
        if match.group(1):
            return ("elemento non previsto in questa posizione; "
                "atteso: %s" % match.group(1))
        return "elemento non previsto in questa posizione"
    match = re.search(r"Missing child element\(s\)\. Expected is "
        r"(?:one of )?\( (.*) \)", detail)
    if match:
        return "manca l'elemento obbligatorio %s" % match.group(1)
    match = re.search(r"'(.*?)' is not a valid value of the "
        r"(?:atomic|local atomic|union) type '(.*?)'", detail)
    if match:
        value, type_ = match.groups()
        if 'date' in type_.lower() or 'Data' in type_:
            return "valore '%s' non è una data valida (AAAA-MM-GG)" % value
        return "valore '%s' non valido" % value
    if 'is not allowed' in detail or 'not allowed' in detail:
        return "elemento o attributo non ammesso"
    if "attribute" in detail and "is required" in detail:
        return "attributo obbligatorio mancante"
    if 'No matching global declaration' in detail:
        return ("il documento non è una FatturaElettronica "
            "(elemento radice o namespace errato)")
    return "non conforme allo schema"


def _resolve(tree, path):
    root = tree.getroot()
    namespaces = {k: v for k, v in root.nsmap.items() if k}
    try:
        found = tree.xpath(path, namespaces=namespaces)
    except (etree.XPathError, TypeError):
        return None
    if found and isinstance(found[0], etree._Element):
        return found[0]
    return None


def _schema_problem(tree, error):
    match = _FACET.match(error.message)
    if match:
        name = match.group('element')
        if match.group('attr'):
            name += '@' + match.group('attr')
        detail = match.group('detail')
    else:
        name, detail = '', error.message
    name = name.split('}')[-1]
    element = _resolve(tree, error.path) if error.path else None
    italian = _xsd_detail(detail)
    if element is not None:
        simple = len(element) == 0 and _local(element) not in LABELS
        path = describe(element, include_self=not simple)
    else:
        path = "Documento"
    message = "%s: campo %s non valido (codice %s): %s. Correggere il " \
        "dato e rigenerare il file. [%s]" % (
            path, name or '?', XSD_CODE, italian, error.message.strip())
    return Problem(XSD_CODE, path, message, error.path or '')


def schema_problems(tree, xsd_dir):
    """Return the XSD problems of tree, or None when xsd_dir has no schema

    Raise SchemaError when the directory has a schema that cannot be
    compiled.
    """
    schema = fatturapa_schema(xsd_dir)
    if schema is None:
        return None
    tree = _tree(tree)
    with _lock:
        if schema.validate(tree):
            return []
        errors = list(schema.error_log)
    return [_schema_problem(tree, e) for e in errors]


# --- SdI checks -----------------------------------------------------------

def _vat_id(party):
    if party is None:
        return None
    found = party.find('IdFiscaleIVA')
    if found is None:
        return None
    return (_child_text(found, 'IdPaese') or '',
        _child_text(found, 'IdCodice') or '')


def semantic_problems(tree):
    "Return the problems found by the offline SdI checks (FATTURAPA.md §4)"
    tree = _tree(tree)
    root = tree.getroot()
    if root.tag != '{%s}FatturaElettronica' % NS:
        return [Problem(XSD_CODE, "Documento",
                "Documento: il file non è una FatturaElettronica 1.2 "
                "(elemento radice %s) (codice %s). Rigenerare il file."
                % (root.tag, XSD_CODE), tree.getpath(root))]
    problems = []
    problems.extend(_header(root))
    bodies = [c for c in root if _local(c) == 'FatturaElettronicaBody']
    for body in bodies:
        problems.extend(_parties(root, body))
        problems.extend(_document(body))
        body = _Body(body)
        problems.extend(_lines(body))
        problems.extend(_cassa(body))
        problems.extend(_summaries(body))
    problems.extend(_duplicates(bodies))
    return problems


def _header(root):
    transmission = root.find('FatturaElettronicaHeader/DatiTrasmissione')
    if transmission is None:
        return
    fmt = _child_text(transmission, 'FormatoTrasmissione')
    version = root.get('versione')
    if fmt != version:
        yield _problem('00428', transmission,
            "FormatoTrasmissione %s diverso dall'attributo versione %s "
            "(codice 00428). Usare lo stesso formato (FPA12 o FPR12) in "
            "entrambi." % (fmt, version))
    code = _child_text(transmission, 'CodiceDestinatario') or ''
    if (fmt, len(code)) in {('FPA12', 7), ('FPR12', 6)}:
        if fmt == 'FPA12':
            fix = ("per una pubblica amministrazione serve il codice "
                "univoco ufficio di 6 caratteri (IPA)")
        else:
            fix = ("per un privato serve un codice di 7 caratteri, "
                "oppure 0000000")
        yield _problem('00427', transmission,
            "CodiceDestinatario %s di %d caratteri con formato %s "
            "(codice 00427): %s. Correggere il codice destinatario o il "
            "tipo di cliente." % (code, len(code), fmt, fix))
    buyer = _vat_id(root.find(
        'FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici'))
    if code == 'XXXXXXX' and (buyer is None or buyer[0] == 'IT'):
        yield _problem('00313', transmission,
            "CodiceDestinatario XXXXXXX ammesso solo per clienti esteri "
            "con partita IVA non italiana (codice 00313). Indicare la "
            "partita IVA estera del cliente o il suo codice destinatario.")
    pec = _child_text(transmission, 'PECDestinatario')
    if pec and SDI_PEC.match(pec):
        yield _problem('00330', transmission,
            "PECDestinatario %s è una casella del Sistema di Interscambio "
            "(codice 00330). Indicare la PEC del cliente." % pec)
    customer = root.find(
        'FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici')
    if (customer is not None and buyer is None
            and customer.find('CodiceFiscale') is None):
        yield _problem('00417', customer.getparent(),
            "mancano sia la partita IVA sia il codice fiscale del cliente "
            "(codice 00417). Indicarne almeno uno nell'anagrafica del "
            "cliente.")
    seller = _vat_id(root.find(
        'FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici'))
    if (seller is not None and buyer is not None
            and seller[0] != 'IT' and buyer[0] != 'IT'):
        yield _problem('00476', transmission.getparent(),
            "fornitore e cliente hanno entrambi una partita IVA non "
            "italiana (%s, %s) (codice 00476). Verificare i paesi delle "
            "partite IVA." % (seller[0], buyer[0]))


def _same_party(root):
    "Return True, False or None (undecided) if seller is buyer"
    seller_data = root.find(
        'FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici')
    buyer_data = root.find(
        'FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici')
    if seller_data is None or buyer_data is None:
        return None
    seller, buyer = _vat_id(seller_data), _vat_id(buyer_data)
    seller_cf = _child_text(seller_data, 'CodiceFiscale')
    buyer_cf = _child_text(buyer_data, 'CodiceFiscale')
    if seller is not None and buyer is not None:
        if seller != buyer:
            return False
        if seller_cf and buyer_cf and seller_cf != buyer_cf:
            return None     # VAT group members
        return True
    if buyer_cf and seller is not None:
        codes = {seller_cf} if seller_cf else set()
        if seller[0] == 'IT':
            codes.add(seller[1])
        return buyer_cf in codes
    return None


def _parties(root, body):
    document = body.find('DatiGenerali/DatiGeneraliDocumento')
    if document is None:
        return
    kind = _child_text(document, 'TipoDocumento') or ''
    same = _same_party(root)
    if kind in TD_NOT_SELF and same is True:
        yield _problem('00471', document,
            "con TipoDocumento %s fornitore e cliente non possono "
            "coincidere (codice 00471). Verificare il cliente della "
            "fattura." % kind)
    if kind in TD_SELF and same is False:
        yield _problem('00472', document,
            "con TipoDocumento %s fornitore e cliente devono coincidere "
            "(codice 00472). Verificare il tipo documento." % kind)
    seller = _vat_id(root.find(
        'FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici'))
    country = seller[0] if seller else None
    if ((kind in TD_FOREIGN_SELLER and country == 'IT')
            or (kind == 'TD29' and country not in {None, 'IT'})):
        yield _problem('00473', document,
            "con TipoDocumento %s il paese %s del fornitore non è "
            "ammesso (codice 00473). Verificare il tipo documento."
            % (kind, country))
    buyer = _vat_id(root.find(
        'FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici'))
    if kind in TD_BUYER_VAT and buyer is None:
        yield _problem('00475', document,
            "con TipoDocumento %s serve la partita IVA del cliente "
            "(codice 00475). Indicarla nell'anagrafica." % kind)


def _document(body):
    document = body.find('DatiGenerali/DatiGeneraliDocumento')
    if document is None:
        return
    number = _child_text(document, 'Numero') or ''
    if not re.search('[0-9]', number):
        yield _problem('00425', document,
            "il Numero %r della fattura non contiene cifre (codice 00425). "
            "Usare una sequenza di numerazione con almeno una cifra."
            % number)
    for adjustment in document.iterfind('ScontoMaggiorazione'):
        if (adjustment.find('Percentuale') is None
                and adjustment.find('Importo') is None):
            yield _problem('00437', adjustment,
                "sconto/maggiorazione del documento senza Percentuale né "
                "Importo (codice 00437). Indicare uno dei due.")
    date = _child_text(document, 'Data') or ''
    for linked in body.iterfind('DatiGenerali/DatiFattureCollegate'):
        linked_date = _child_text(linked, 'Data')
        if linked_date and date[:10] < linked_date[:10]:
            yield _problem('00418', linked,
                "la data della fattura %s è precedente alla data %s della "
                "fattura collegata %s (codice 00418). Correggere le date."
                % (date, linked_date, _child_text(linked, 'IdDocumento')))
    for path in ['DatiBeniServizi/DettaglioLinee/Natura',
            'DatiBeniServizi/DatiRiepilogo/Natura',
            'DatiGenerali/DatiGeneraliDocumento/DatiCassaPrevidenziale/'
            'Natura']:
        for natura in body.iterfind(path):
            if (natura.text or '').strip() in GENERIC_NATURA:
                yield _problem('00445', natura.getparent(),
                    "Natura generica %s non più ammessa (codice 00445). "
                    "Usare un sottocodice (per esempio %s.1)."
                    % (natura.text.strip(), natura.text.strip()))


def _values(element):
    "Return {tag: stripped text} of the first child of each tag"
    values = {}
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag not in values:
            text = child.text
            values[tag] = text.strip() if text is not None else None
    return values


class _Body:
    "The blocks of one FatturaElettronicaBody read once"

    def __init__(self, body):
        self.element = body
        self.document = body.find('DatiGenerali/DatiGeneraliDocumento')
        self.document_values = (_values(self.document)
            if self.document is not None else {})
        self.kind = self.document_values.get('TipoDocumento') or ''
        self.withholding = (self.document is not None
            and self.document.find('DatiRitenuta') is not None)
        self.goods = body.find('DatiBeniServizi')
        goods = self.goods if self.goods is not None else ()
        self.lines, self.summaries = [], []
        for child in goods:
            if child.tag == 'DettaglioLinee':
                self.lines.append((child, _values(child)))
            elif child.tag == 'DatiRiepilogo':
                self.summaries.append((child, _values(child)))
        self.cassa = [(c, _values(c)) for c in (
                self.document.iterfind('DatiCassaPrevidenziale')
                if self.document is not None else ())]


def _lines(body):
    withheld = False
    for line, values in body.lines:
        rate = _number(values.get('AliquotaIVA'))
        natura = values.get('Natura')
        if rate is None:
            continue
        if rate == 0 and not natura:
            yield _problem('00400', line,
                "Natura obbligatoria con aliquota 0 (codice 00400). "
                "Indicare la natura dell'esenzione (N1…N7) sull'imposta "
                "della riga.")
        if rate != 0 and natura and body.kind != 'TD16':
            yield _problem('00401', line,
                "Natura %s indicata con aliquota %s (codice 00401). "
                "Togliere la natura dall'imposta o usare un'imposta con "
                "aliquota 0." % (natura, _rate_label(rate)))
        if rate == 0 and body.kind == 'TD21':
            yield _problem('00474', line,
                "con TipoDocumento TD21 non sono ammesse righe con "
                "aliquota 0 (codice 00474).")
        if (values.get('Ritenuta') == 'SI' and not withheld
                and not body.withholding):
            withheld = True
            yield _problem('00411', line,
                "Ritenuta SI senza dati della ritenuta nel documento "
                "(codice 00411). Indicare i dati della ritenuta o "
                "togliere la ritenuta dalla riga.")
        adjustments = ([_values(a)
                for a in line.iterfind('ScontoMaggiorazione')]
            if 'ScontoMaggiorazione' in values else [])
        for adjustment in adjustments:
            if (adjustment.get('Percentuale') is None
                    and adjustment.get('Importo') is None):
                yield _problem('00438', line,
                    "sconto/maggiorazione della riga senza Percentuale né "
                    "Importo (codice 00438). Indicare uno dei due.")
        yield from _line_total(line, values, adjustments)


def _line_total(line, values, adjustments):
    "00423: PrezzoTotale = (PrezzoUnitario ± sconti) × Quantita, ±0.01"
    unit = _number(values.get('PrezzoUnitario'))
    total = _number(values.get('PrezzoTotale'))
    if unit is None or total is None:
        return
    quantity = _number(values.get('Quantita'))
    price = unit
    for adjustment in adjustments:
        sign = -1 if adjustment.get('Tipo') == 'SC' else 1
        percent = _number(adjustment.get('Percentuale'))
        value = _number(adjustment.get('Importo'))
        if (percent is None) == (value is None):
            return      # ambiguous or already reported (00438)
        if value is not None:
            price += sign * value
        else:
            price = price * (HUNDRED + sign * percent) / HUNDRED
    expected = price * (quantity if quantity is not None else 1)
    if abs(total - expected) > CENT:
        shown = expected.quantize(CENT, rounding=ROUND_HALF_UP)
        yield _problem('00423', line,
            "PrezzoTotale %s diverso da prezzo unitario × quantità (%s, "
            "tolleranza 0,01) (codice 00423). Ricalcolare l'importo della "
            "riga o indicare il prezzo unitario con tutti i decimali."
            % (total, shown))


def _cassa(body):
    withheld = False
    for cassa, values in body.cassa:
        rate = _number(values.get('AliquotaIVA'))
        natura = values.get('Natura')
        if rate == 0 and not natura:
            yield _problem('00413', cassa,
                "Natura obbligatoria con aliquota 0 sulla cassa "
                "previdenziale (codice 00413). Indicare la natura.")
        if rate and natura:
            yield _problem('00414', cassa,
                "Natura %s indicata con aliquota %s sulla cassa "
                "previdenziale (codice 00414). Togliere la natura."
                % (natura, _rate_label(rate)))
        if (values.get('Ritenuta') == 'SI' and not withheld
                and not body.withholding):
            withheld = True
            yield _problem('00415', cassa,
                "Ritenuta SI sulla cassa previdenziale senza dati della "
                "ritenuta (codice 00415). Indicare i dati della ritenuta.")


def _summaries(body):
    if body.goods is None:
        return
    for summary, values in body.summaries:
        rate = _number(values.get('AliquotaIVA'))
        natura = values.get('Natura')
        if rate is None:
            continue
        if rate == 0 and not natura:
            yield _problem('00429', summary,
                "Natura obbligatoria con aliquota 0 (codice 00429). "
                "Indicare la natura dell'esenzione (N1…N7) sull'imposta.")
        if rate != 0 and natura and body.kind != 'TD16':
            yield _problem('00430', summary,
                "Natura %s indicata con aliquota diversa da zero "
                "(codice 00430). Togliere la natura dall'imposta."
                % natura)
        if (natura and natura.startswith('N6')
                and values.get('EsigibilitaIVA') == 'S'):
            yield _problem('00420', summary,
                "Natura %s (inversione contabile) con esigibilità S "
                "(scissione dei pagamenti) (codice 00420). Usare "
                "esigibilità I per le operazioni in reverse charge."
                % natura)
        taxable = _number(values.get('ImponibileImporto'))
        tax = _number(values.get('Imposta'))
        if taxable is not None and tax is not None:
            expected = (taxable * rate / HUNDRED).quantize(
                CENT, rounding=ROUND_HALF_UP)
            if abs(tax - expected) > CENT:
                yield _problem('00421', summary,
                    "Imposta %s diversa da imponibile × aliquota = %s "
                    "(tolleranza 0,01) (codice 00421). Ricalcolare "
                    "l'imposta arrotondando al centesimo." % (tax, expected))
    sources = ([(e, v, 'PrezzoTotale') for e, v in body.lines]
        + [(e, v, 'ImportoContributoCassa') for e, v in body.cassa])
    yield from _coverage(body.goods, body.summaries, sources)
    yield from _taxable(body.summaries, sources)


def _coverage(goods, summaries, sources):
    "00419, 00443, 00444: rates and natures of lines vs summaries"
    summary_rates = {_number(v.get('AliquotaIVA')) for _, v in summaries}
    summary_naturas = {v.get('Natura') for _, v in summaries}
    source_rates = collections.defaultdict(list)
    source_naturas = collections.defaultdict(list)
    for source, values, _ in sources:
        label = values.get('NumeroLinea') or "cassa previdenziale"
        source_rates[_number(values.get('AliquotaIVA'))].append(label)
        natura = values.get('Natura')
        if natura:
            source_naturas[natura].append(label)
    for rate, labels in source_rates.items():
        if rate is not None and rate not in summary_rates:
            yield _problem('00419', goods,
                "manca il riepilogo IVA per l'aliquota %s usata nelle "
                "righe %s (codice 00419). Aggiungere un riepilogo per "
                "l'aliquota." % (_rate_label(rate), ', '.join(labels)))
    for summary, values in summaries:
        rate = _number(values.get('AliquotaIVA'))
        if rate is not None and rate not in source_rates:
            yield _problem('00443', summary,
                "aliquota %s del riepilogo non usata da nessuna riga "
                "(codice 00443). Togliere il riepilogo o correggere "
                "l'aliquota." % _rate_label(rate))
    for natura, labels in source_naturas.items():
        if natura not in summary_naturas:
            yield _problem('00444', goods,
                "manca il riepilogo IVA per la natura %s usata nelle "
                "righe %s (codice 00444). Aggiungere un riepilogo con "
                "quella natura." % (natura, ', '.join(labels)))
    for summary, values in summaries:
        natura = values.get('Natura')
        if natura and natura not in source_naturas:
            yield _problem('00444', summary,
                "natura %s del riepilogo non usata da nessuna riga "
                "(codice 00444). Togliere il riepilogo o correggere la "
                "natura." % natura)


def _taxable(summaries, sources):
    "00422: per rate and natura Σ ImponibileImporto vs Σ PrezzoTotale ±1"
    expected = collections.defaultdict(Decimal)
    for _, values, tag in sources:
        key = (_number(values.get('AliquotaIVA')), values.get('Natura'))
        expected[key] += _number(values.get(tag)) or 0
    declared, first = {}, {}
    for summary, values in summaries:
        key = (_number(values.get('AliquotaIVA')), values.get('Natura'))
        first.setdefault(key, summary)
        declared[key] = (declared.get(key, Decimal(0))
            + (_number(values.get('ImponibileImporto')) or 0))
        expected[key] += _number(values.get('Arrotondamento')) or 0
    for key, total in declared.items():
        if abs(total - expected[key]) > EURO:
            yield _problem('00422', first[key],
                "ImponibileImporto %s diverso dalla somma delle righe %s "
                "più arrotondamenti (tolleranza 1,00) (codice 00422). "
                "Ricalcolare l'imponibile o indicare la differenza in "
                "Arrotondamento." % (total, expected[key]))


def _duplicates(bodies):
    "00409: same Numero and year twice in one file (TD04 excepted)"
    seen = {}
    for body in bodies:
        document = body.find('DatiGenerali/DatiGeneraliDocumento')
        if document is None or _child_text(
                document, 'TipoDocumento') == 'TD04':
            continue
        key = (_child_text(document, 'Numero'),
            (_child_text(document, 'Data') or '')[:4])
        if key in seen:
            yield _problem('00409', document,
                "fattura %s del %s duplicata nello stesso file (codice "
                "00409). Inviare ogni fattura una sola volta." % key)
        seen[key] = document


def validate(tree, xsd_dir=None):
    """Return the Result of XSD and SdI checks on tree

    The SdI checks run only if the XSD passes; without a schema in
    xsd_dir they run alone and schema_checked is False.
    """
    tree = _tree(tree)
    problems = schema_problems(tree, xsd_dir)
    if problems:
        return Result(problems, True)
    return Result(semantic_problems(tree), problems is not None)
