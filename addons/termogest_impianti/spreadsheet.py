# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Import customers, plants and devices from a spreadsheet

Pure Python (xlrd, openpyxl and python-stdnum, no database): the import
wizard reads the uploaded file with read_sheet, proposes guess_mapping,
lets the user correct it (check_mapping tells what is still missing) and
shows the report of validate_sheet; only the rows without errors become
records.  Every message is Italian, names the row as Excel shows it, the
column and what to do; nothing is dropped or shortened silently.

One row is one device; the customer and plant columns repeat on the rows
of the same customer or plant.
"""
import datetime
import io
import re
import unicodedata
import zipfile
from collections import namedtuple
from decimal import Decimal, InvalidOperation

from stdnum import luhn
from stdnum.exceptions import (
    InvalidChecksum, InvalidComponent, InvalidLength, ValidationError)
from stdnum.it import codicefiscale, iva

MAX_ROWS = 20000
MAX_POWER = Decimal(10000)
OLE2_MAGIC = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
ZIP_MAGIC = b'PK\x03\x04'

Target = namedtuple('Target', ['key', 'label', 'type', 'required'])

TARGETS = [
    Target('customer_code', "Codice cliente", 'char', False),
    Target('customer_name', "Nome o ragione sociale", 'char', True),
    Target('fiscal_code', "Codice fiscale", 'fiscal_code', False),
    Target('vat_number', "Partita IVA", 'vat_number', False),
    Target('customer_street', "Indirizzo del cliente", 'char', False),
    Target('customer_postal_code', "CAP del cliente", 'postal_code', False),
    Target('customer_city', "Comune del cliente", 'char', False),
    Target('customer_province', "Provincia del cliente (sigla)", 'province',
        False),
    Target('phone', "Telefono", 'phone', False),
    Target('mobile', "Cellulare", 'phone', False),
    Target('email', "E-mail", 'email', False),
    Target('pec', "PEC", 'email', False),
    Target('sdi_code', "Codice destinatario SDI", 'sdi_code', False),
    Target('plant_street', "Indirizzo dell'impianto", 'char', False),
    Target('plant_postal_code', "CAP dell'impianto", 'postal_code', False),
    Target('plant_city', "Comune dell'impianto", 'char', False),
    Target('plant_province', "Provincia dell'impianto (sigla)", 'province',
        False),
    Target('catasto_code', "Codice catasto (targa impianto)", 'code', False),
    Target('pdr', "PDR (punto di riconsegna del gas)", 'pdr', False),
    Target('pod', "POD (punto di prelievo elettrico)", 'pod', False),
    Target('kind', "Tipo di apparecchio", 'selection', True),
    Target('brand', "Marca", 'char', False),
    Target('model', "Modello", 'char', False),
    Target('serial_number', "Matricola", 'char', False),
    Target('fuel', "Combustibile", 'selection', False),
    Target('nominal_power', "Potenza termica nominale (kW)", 'decimal',
        False),
    Target('generator_class', "Classe del generatore", 'selection', False),
    Target('heat_carrier', "Fluido termovettore", 'selection', False),
    Target('installation_date', "Data di installazione", 'date', False),
    Target('first_start_date', "Data di prima accensione", 'date', False),
    Target('warranty_end', "Fine della garanzia", 'date', False),
    Target('refrigerant', "Gas refrigerante", 'refrigerant', False),
    Target('refrigerant_charge', "Carica di refrigerante (kg)", 'decimal',
        False),
    Target('maintenance_interval', "Periodicità di manutenzione (mesi)",
        'integer', False),
    Target('last_maintenance_date', "Data dell'ultima manutenzione", 'date',
        False),
    Target('last_efficiency_check_date',
        "Data dell'ultimo controllo di efficienza (fumi)", 'date', False),
    Target('device_notes', "Note sull'apparecchio", 'text', False),
    ]
TARGETS_BY_KEY = {t.key: t for t in TARGETS}
KEYS = [t.key for t in TARGETS]

MAX_LENGTHS = {
    'customer_code': 50,
    'customer_name': 200,
    'customer_street': 200,
    'customer_city': 100,
    'plant_street': 200,
    'plant_city': 100,
    'email': 254,
    'pec': 254,
    'catasto_code': 50,
    'brand': 100,
    'model': 100,
    'serial_number': 50,
    'device_notes': 2000,
    }
# Decimal places the device fields store (plant.py)
DECIMAL_PLACES = {'nominal_power': 2, 'refrigerant_charge': 3}
UNITS = {'nominal_power': 'kW', 'refrigerant_charge': 'kg'}
# What the row lacks, for the required targets
MISSING = {
    'customer_name': "il nome del cliente",
    'kind': "il tipo di apparecchio",
    }
NOT_FUTURE = [
    'installation_date', 'first_start_date', 'last_maintenance_date',
    'last_efficiency_check_date']

# Italian labels of the internal codes, in the order they are proposed
CHOICES = {
    'kind': [
        ('boiler', "caldaia"),
        ('heat_pump', "pompa di calore"),
        ('air_conditioner', "condizionatore"),
        ('water_heater', "scaldabagno"),
        ('solar_thermal', "solare termico"),
        ('cogeneration', "cogeneratore"),
        ('district_heating', "sottostazione di teleriscaldamento"),
        ('other', "altro"),
        ],
    'fuel': [
        ('natural_gas', "metano"),
        ('lpg', "GPL"),
        ('propane_air', "aria propanata"),
        ('biogas', "biogas"),
        ('gasoil', "gasolio"),
        ('fuel_oil', "olio combustibile"),
        ('kerosene', "kerosene"),
        ('biodiesel', "biodiesel"),
        ('pellet', "pellet"),
        ('wood', "legna"),
        ('wood_chips', "cippato"),
        ('briquettes', "bricchette"),
        ('electricity', "energia elettrica"),
        ('solar', "solare"),
        ('district_heating', "teleriscaldamento"),
        ('other', "altro"),
        ],
    'generator_class': [
        ('standard', "standard"),
        ('low_temperature', "bassa temperatura"),
        ('gas_condensing', "a condensazione"),
        ],
    'heat_carrier': [
        ('water', "acqua"),
        ('air', "aria"),
        ],
    }
# Accepted spellings, as regular expressions on the folded value (see
# _fold); the first match wins, so a longer spelling comes first.
_CHOICE_PATTERNS = {
    'kind': [
        (r'(caldai|generator[ei] (di )?calore|gruppo termico|termostufa'
            r'|termocamino|stufa a (pellet|legna|biomass|gas|kerosene)'
            r'|heat generator)', 'boiler'),
        (r'(pompa (di )?calore|pdc$|heat pump)', 'heat_pump'),
        (r'(condizionator|climatizzator|(mono |dual |trial |multi ?)?split'
            r'|air conditioner)', 'air_conditioner'),
        (r'(scalda ?(bagno|acqua|cqua)|bollitore|boiler (elettric|a gas'
            r'|a pompa)|water heater)', 'water_heater'),
        (r'(solare( termico)?$|impianto solare|pannell[io] solar'
            r'|collettor[ei]( solar)?|solar thermal)', 'solar_thermal'),
        (r'(micro ?)?cogenera', 'cogeneration'),
        (r'(sottostazione|teleriscaldamento|district heating)',
            'district_heating'),
        (r'(altro|altri|other)$', 'other'),
        ],
    'fuel': [
        (r'((gas )?metano|gas naturale|natural gas)', 'natural_gas'),
        (r'(gpl|g p l|gas propano liquido|propano|gas liquido|lpg)', 'lpg'),
        (r'(aria propanata|propane air)', 'propane_air'),
        (r'biogas', 'biogas'),
        (r'(gasolio|diesel|gas oil|gasoil)', 'gasoil'),
        (r'(olio combustibile|nafta|fuel oil|olio pesante)', 'fuel_oil'),
        (r'(kerosene|cherosene|petrolio)', 'kerosene'),
        (r'bio ?diesel', 'biodiesel'),
        (r'pellet', 'pellet'),
        (r'(cippato|wood chips)', 'wood_chips'),
        (r'(legna|legno|ciocchi|wood)', 'wood'),
        (r'(bricchett|mattonell|briquette)', 'briquettes'),
        (r'(elettric|energia elettrica|corrente|electric)', 'electricity'),
        (r'((energia )?solare|solar)', 'solar'),
        (r'(teleriscaldamento|district heating)', 'district_heating'),
        (r'(altro|other)$', 'other'),
        ],
    'generator_class': [
        (r'(standard|tradizionale|std$|normale|convenzionale)', 'standard'),
        (r'(bassa temperatura|bt|low temperature)$', 'low_temperature'),
        (r'((caldaia )?(a )?condensazione|condensing|gas condensing)',
            'gas_condensing'),
        ],
    'heat_carrier': [
        (r'(acqua|h2o|water)$', 'water'),
        (r'(aria|air)$', 'air'),
        ],
    }
_CHOICE_RES = {
    k: [(re.compile(p), c) for p, c in v]
    for k, v in _CHOICE_PATTERNS.items()}
# Spellings that could mean two things: ask instead of guessing
_AMBIGUOUS = {
    'kind': {
        'boiler': 'scrivi "caldaia" o "scaldabagno"',
        },
    'fuel': {
        'gas': 'scrivi "metano" o "GPL"',
        },
    }

# Sigle of the Italian provinces (with the Sardinian ones of 2005-2016
# still found in old data) and EE for abroad
PROVINCES = frozenset((
    'AG AL AN AO AP AQ AR AT AV BA BG BI BL BN BO BR BS BT BZ CA CB CE CH CI '
    'CL CN CO CR CS CT CZ EE EN FC FE FG FI FM FR GE GO GR IM IS KR LC LE LI '
    'LO LT LU MB MC ME MI MN MO MS MT NA NO NU OG OR OT PA PC PD PE PG PI PN '
    'PO PR PT PU PV PZ RA RC RE RG RI RM RN RO SA SI SO SP SR SS SU SV TA TE '
    'TN TO TP TR TS TV UD VA VB VC VE VI VR VS VT VV').split())

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_EMAIL_RE = re.compile(
    rf"^{_ATOM}(?:\.{_ATOM})*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_SDI_RE = re.compile(r'^[A-Z0-9]{6,7}$')
_POD_RE = re.compile(r'^IT\d{3}E[0-9A-Z]{8,9}$')
_REFRIGERANT_RE = re.compile(r'^R(\d{2,4})([A-Z]{0,2})(\([EZ]\))?$')
_DMY_RE = re.compile(
    r'^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})'
    r'(?:\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?$')
_YMD_RE = re.compile(
    r'^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})'
    r'(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$')
_MY_RE = re.compile(r'^(\d{1,2})[/.-](\d{4})$')
_NUMBER_RE = re.compile(r"^([+-]?\d(?:[\d.,' ]*\d)?)\s*(.*)$")
# Cell contents that only say "nothing here"
_PLACEHOLDERS = frozenset(['', 'n d', 'nd'])
_EXCEL_ERRORS = frozenset([
    '#N/A', '#VALUE!', '#REF!', '#DIV/0!', '#NUM!', '#NAME?', '#NULL!',
    '#SPILL!', '#CALC!', '#GETTING_DATA'])
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)


class SpreadsheetError(Exception):
    "The file or the mapping cannot be used; str() is the Italian message"


class MappingError(SpreadsheetError):
    pass


class _Invalid(Exception):
    "A cell value is wrong; the message continues 'Riga N, colonna X: '"


class Sheet:
    """The first worksheet of a file

    headers: the column titles (an untitled column is called "Colonna F");
    rows: (row number as Excel shows it, values), fully empty rows left
    out, every values list as long as headers.
    """
    __slots__ = ('filename', 'headers', 'rows', 'header_row')

    def __init__(self, headers, rows, filename='', header_row=1):
        self.filename = filename
        self.headers = headers
        self.rows = rows
        self.header_row = header_row

    def __repr__(self):
        return '<Sheet %r: %d columns, %d rows>' % (
            self.filename, len(self.headers), len(self.rows))


class RowResult(namedtuple('RowResult', ['row', 'record', 'errors'])):
    """The outcome of one row

    row: the row number as Excel shows it; record: dict of every key of
    TARGETS (None when empty or not mapped), None when errors; errors:
    list of Italian messages.
    """
    __slots__ = ()

    @property
    def ok(self):
        return not self.errors


# Reading

def read_sheet(data, filename=''):
    """Read the first worksheet of an .xls or .xlsx file given as bytes

    The format comes from the content, whatever the extension says.
    Raise SpreadsheetError with an Italian message when the file cannot
    be read or has more than MAX_ROWS rows.
    """
    name = filename or 'senza nome'
    data = bytes(data or b'')
    if not data:
        raise SpreadsheetError(_unreadable(name, "il file è vuoto"))
    if data.startswith(ZIP_MAGIC):
        reader = _read_xlsx
    elif data.startswith(OLE2_MAGIC):
        reader = _read_xls
    else:
        raise SpreadsheetError(_unreadable(name, _not_excel_reason(data)))
    try:
        return _build_sheet(reader(data, name), filename)
    except SpreadsheetError:
        raise
    except Exception as exception:
        raise SpreadsheetError(_unreadable(
                name, _exception_reason(data, exception))) from exception


def _unreadable(name, reason):
    return ('Il file "%s" non è un foglio Excel leggibile (.xls o .xlsx): '
        '%s.' % (name, reason))


def _not_excel_reason(data):
    head = data[:512].lstrip().lower()
    if head.startswith((b'<', b'\xef\xbb\xbf<')):
        return ("è una pagina web (HTML o XML) con l'estensione di Excel; "
            "aprilo con Excel o LibreOffice e salvalo come .xlsx")
    if head.startswith(b'%pdf'):
        return "è un PDF; esporta di nuovo i dati in formato Excel"
    if head.startswith(b'{\\rtf'):
        return "è un documento RTF; esporta di nuovo i dati in formato Excel"
    sample = data[:4096]
    if b'\x00' not in sample and (b';' in sample or b',' in sample
            or b'\t' in sample):
        return ("sembra un file di testo (CSV); aprilo con Excel o "
            "LibreOffice e salvalo come .xlsx")
    return ("il contenuto non è né .xls né .xlsx; salvalo da Excel o "
        "LibreOffice come .xlsx")


def _exception_reason(data, exception):
    if data.startswith(OLE2_MAGIC) and (
            'EncryptedPackage'.encode('utf-16-le') in data
            or 'encrypted' in str(exception).lower()):
        return ("il file è protetto da password; toglila in Excel e "
            "caricalo di nuovo")
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
                mimetype = (archive.read('mimetype')
                    if 'mimetype' in names else b'')
        except zipfile.BadZipFile:
            return "il file è danneggiato o incompleto"
        if b'opendocument.spreadsheet' in mimetype:
            return ("è un foglio di LibreOffice (.ods); salvalo come "
                ".xlsx")
        if 'xl/workbook.xml' not in names:
            return ("è un archivio compresso ma non un foglio Excel "
                "(forse un documento Word o un file .zip)")
    return "%s (%s)" % (
        "il file è danneggiato o in un formato non supportato",
        exception)


def _read_xlsx(data, name):
    import openpyxl
    workbook = openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_unreadable(name, "non ha fogli"))
        worksheet = workbook.worksheets[0]
        # Some programs write a wrong <dimension>: read all that is there
        worksheet.reset_dimensions()
        for number, values in enumerate(
                worksheet.iter_rows(values_only=True), 1):
            yield number, [_cell_value(v) for v in values]
    finally:
        workbook.close()


def _read_xls(data, name):
    import xlrd
    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    try:
        if not book.nsheets:
            raise SpreadsheetError(_unreadable(name, "non ha fogli"))
        sheet = book.sheet_by_index(0)
        for index in range(sheet.nrows):
            values = []
            for ctype, value in zip(
                    sheet.row_types(index), sheet.row_values(index)):
                if ctype == xlrd.XL_CELL_DATE:
                    try:
                        value = xlrd.xldate_as_datetime(value, book.datemode)
                    except (ValueError, OverflowError,
                            xlrd.xldate.XLDateError):
                        pass
                elif ctype == xlrd.XL_CELL_BOOLEAN:
                    value = bool(value)
                elif ctype == xlrd.XL_CELL_ERROR:
                    value = xlrd.error_text_by_code.get(value, '#N/A')
                elif ctype in {xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK}:
                    value = None
                values.append(_cell_value(value))
            yield index + 1, values
    finally:
        book.release_resources()


def _cell_value(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _build_sheet(rows, filename):
    headers, header_row, body = None, None, []
    for number, values in rows:
        while values and values[-1] is None:
            values.pop()
        if not values:
            continue
        if headers is None:
            # A title above the column titles has a single cell
            if sum(v is not None for v in values) < 2:
                continue
            headers, header_row = values, number
            continue
        if len(body) >= MAX_ROWS:
            raise SpreadsheetError(
                'Il file "%s" ha più di %d righe di dati: dividilo in più '
                'file da al massimo %d righe e importali uno alla volta.'
                % (filename or 'senza nome', MAX_ROWS, MAX_ROWS))
        body.append((number, values))
    if headers is None:
        raise SpreadsheetError(
            'Il file "%s" è vuoto: il primo foglio non contiene dati.'
            % (filename or 'senza nome'))
    width = max([len(headers)] + [len(v) for _, v in body])
    titles = []
    for index in range(width):
        header = headers[index] if index < len(headers) else None
        if isinstance(header, (datetime.date, datetime.datetime)):
            header = header.strftime('%d/%m/%Y')
        header = _collapse(str(header)) if header is not None else ''
        titles.append(header or 'Colonna %s' % column_letter(index))
    for _, values in body:
        values.extend([None] * (width - len(values)))
    return Sheet(titles, body, filename=filename, header_row=header_row)


def column_letter(index):
    "The Excel letters of the 0-based column index: 0 → A, 27 → AB"
    letters = ''
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# Mapping

# Header spellings, folded by _header_words; a generic address spelling
# (street, postal code, city, province) goes to the customer first, to
# the plant when it carries a plant word or repeats.
_HEADER_SYNONYMS = {
    'customer_code': [
        'codice cliente', 'cod cliente', 'cod cli',
        'n cliente', 'nr cliente', 'numero cliente', 'id cliente',
        'codice anagrafica', 'cod anagrafica', 'customer code',
        'customer id', 'customer number', 'cliente n', 'cliente nr'],
    'customer_name': [
        'ragione sociale', 'cognome e nome', 'cognome nome',
        'nome e cognome', 'nominativo', 'cliente', 'denominazione',
        'intestatario', 'nome cliente', 'nominativo cliente',
        'denominazione cliente', 'ragione sociale cliente', 'committente',
        'customer', 'customer name', 'name', 'nome o ragione sociale',
        'cognome nome ragione sociale', 'cognome e nome ragione sociale',
        'ragione sociale cognome e nome', 'cliente ragione sociale',
        'responsabile impianto', 'responsabile'],
    'fiscal_code': [
        'cf', 'c f', 'codice fiscale', 'cod fiscale', 'cod fisc',
        'codfisc', 'codicefiscale', 'fiscal code', 'tax code',
        'codice fiscale cliente', 'cf piva', 'cf p iva',
        'codice fiscale partita iva', 'codice fiscale p iva'],
    'vat_number': [
        'piva', 'p iva', 'partita iva', 'part iva', 'partitaiva',
        'vat', 'vat number', 'vat code', 'p iva cliente',
        'partita iva cliente'],
    'phone': [
        'tel', 'telefono', 'phone', 'tel fisso', 'telefono fisso',
        'telefono 1', 'tel 1', 'recapito telefonico', 'telefono cliente',
        'tel cliente', 'telephone'],
    'mobile': [
        'cellulare', 'cell', 'mobile', 'tel cellulare',
        'telefono cellulare', 'cellulare 1', 'cell 1', 'telefono 2',
        'tel 2', 'mobile phone', 'cellulare cliente'],
    'email': [
        'email', 'e mail', 'mail', 'posta elettronica', 'indirizzo email',
        'indirizzo e mail', 'email cliente', 'e mail cliente'],
    'pec': [
        'pec', 'email pec', 'e mail pec', 'mail pec', 'indirizzo pec',
        'posta elettronica certificata', 'pec cliente'],
    'sdi_code': [
        'codice destinatario', 'cod destinatario', 'codice sdi', 'sdi',
        'cod sdi', 'codice univoco', 'codice univoco ufficio',
        'codice destinatario sdi', 'recipient code', 'sdi code',
        'codice ipa'],
    'plant_street': [
        'ubicazione', 'ubicazione impianto', 'luogo installazione',
        'luogo impianto', 'plant address', 'site address'],
    'catasto_code': [
        'targa impianto', 'targa', 'codice targa', 'codice catasto',
        'cod catasto', 'catasto', 'codice catasto impianto',
        'codice impianto catasto', 'codice curit', 'curit', 'codice cit',
        'codice impianto', 'targatura', 'targa curit', 'codice catasto '
        'impianti'],
    'pdr': ['pdr', 'codice pdr', 'punto di riconsegna', 'pdr gas'],
    'pod': ['pod', 'codice pod', 'punto di prelievo', 'pod energia'],
    'kind': [
        'tipo apparecchio', 'tipo', 'tipologia', 'apparecchio',
        'tipologia apparecchio', 'tipo generatore', 'tipologia generatore',
        'categoria', 'categoria apparecchio', 'kind', 'device type',
        'type', 'tipo macchina', 'genere'],
    'brand': [
        'marca', 'costruttore', 'fabbricante', 'produttore', 'brand',
        'manufacturer', 'marca apparecchio', 'marca caldaia',
        'marca generatore'],
    'model': [
        'modello', 'model', 'modello apparecchio', 'modello caldaia',
        'modello generatore'],
    'serial_number': [
        'matricola', 'numero di serie', 'n serie', 'nr serie', 'serie',
        'serial', 'serial number', 'seriale', 'n matricola',
        'nr matricola', 'numero matricola', 'sn', 's n',
        'matricola apparecchio', 'matricola caldaia', 'serial no'],
    'fuel': [
        'combustibile', 'alimentazione', 'fuel', 'vettore energetico',
        'tipo combustibile', 'tipo alimentazione'],
    'nominal_power': [
        'potenza', 'potenza kw', 'potenza nominale', 'potenza nominale kw',
        'potenza termica', 'potenza termica nominale',
        'potenza termica nominale kw', 'potenza termica kw',
        'potenza utile', 'potenza utile nominale', 'pn', 'pn kw', 'kw',
        'nominal power', 'power', 'power kw', 'potenza focolare'],
    'generator_class': [
        'classe', 'classe generatore', 'classe caldaia',
        'classe apparecchio', 'generator class', 'tipo caldaia'],
    'heat_carrier': [
        'fluido', 'fluido termovettore', 'termovettore', 'vettore',
        'heat carrier', 'fluido vettore'],
    'installation_date': [
        'data installazione', 'installazione', 'data di installazione',
        'data inst', 'installato il', 'data posa', 'installation date',
        'data installazione apparecchio'],
    'first_start_date': [
        'data prima accensione', 'prima accensione',
        'data messa in servizio', 'messa in servizio', 'data collaudo',
        'collaudo', 'first start', 'commissioning date'],
    'warranty_end': [
        'fine garanzia', 'scadenza garanzia', 'garanzia fino al',
        'data fine garanzia', 'garanzia scadenza', 'garanzia',
        'warranty end', 'warranty'],
    'refrigerant': [
        'gas refrigerante', 'refrigerante', 'tipo refrigerante',
        'fluido refrigerante', 'tipo gas refrigerante', 'refrigerant',
        'tipo gas', 'gas fluorurato'],
    'refrigerant_charge': [
        'carica kg', 'carica', 'carica refrigerante',
        'carica refrigerante kg', 'carica gas', 'carica gas kg',
        'quantita refrigerante', 'kg refrigerante', 'kg gas',
        'quantita gas', 'refrigerant charge', 'charge'],
    'maintenance_interval': [
        'periodicita', 'periodicita manutenzione', 'frequenza manutenzione',
        'intervallo manutenzione', 'mesi manutenzione',
        'cadenza manutenzione', 'frequenza', 'maintenance interval',
        'periodicita mesi', 'periodicita manutenzione mesi'],
    'last_maintenance_date': [
        'ultima manutenzione', 'data ultima manutenzione',
        'ultima revisione', 'data ultima revisione',
        'ultimo intervento', 'data ultimo intervento', 'last maintenance',
        'ultima manutenzione ordinaria'],
    'last_efficiency_check_date': [
        'ultimo controllo fumi', 'ultima prova fumi',
        'data ultimo controllo fumi', 'data ultima prova fumi',
        'analisi fumi', 'ultima analisi fumi', 'prova fumi',
        'controllo fumi', 'ultimo controllo efficienza',
        'controllo efficienza energetica', 'ultimo controllo efficienza '
        'energetica', 'ultima prova combustione', 'ultimo ree',
        'data ree', 'ultimo rapporto efficienza', 'last efficiency check'],
    'device_notes': [
        'note', 'annotazioni', 'osservazioni', 'notes', 'note apparecchio',
        'note tecniche'],
    }
_ADDRESS_SYNONYMS = {
    'street': [
        'indirizzo', 'via', 'address', 'street', 'via e numero',
        'via e civico', 'indirizzo e civico', 'via civico', 'sede'],
    'postal_code': [
        'cap', 'c a p', 'zip', 'zip code', 'postal code', 'codice postale'],
    'city': ['comune', 'citta', 'localita', 'city', 'town', 'paese'],
    'province': [
        'prov', 'provincia', 'pr', 'province', 'sigla provincia',
        'sigla prov'],
    }
_PLANT_WORDS = frozenset([
    'impianto', 'impianti', 'ubicazione', 'installazione', 'immobile',
    'fornitura', 'plant', 'site', 'intervento'])
_CUSTOMER_WORDS = frozenset([
    'cliente', 'residenza', 'fatturazione', 'intestatario', 'legale',
    'customer', 'domicilio', 'anagrafica'])
_STOP_WORDS = frozenset([
    'data', 'di', 'del', 'della', 'dell', 'dello', 'dei', 'degli', 'delle',
    'e', 'ed', 'il', 'la', 'lo', 'l', 'al', 'o', 'of', 'the'])
_UNIT_WORDS = frozenset([
    'kw', 'kg', 'mesi', 'gg', 'mm', 'aaaa', 'yyyy', 'dd', 'yy', 'aa',
    'sigla'])


def _fold(text):
    "Lower case, no accents, punctuation as single spaces"
    text = unicodedata.normalize('NFKD', str(text))
    text = ''.join(c for c in text if not unicodedata.combining(c))
    return ' '.join(re.sub(r'[^0-9a-z]+', ' ', text.lower()).split())


def _header_words(text):
    return tuple(w for w in _fold(text).split() if w not in _STOP_WORDS)


_HEADER_INDEX = {}
for _key, _spellings in _HEADER_SYNONYMS.items():
    for _spelling in _spellings:
        _HEADER_INDEX.setdefault(_header_words(_spelling), _key)
_ADDRESS_INDEX = {
    _header_words(s): k for k, v in _ADDRESS_SYNONYMS.items() for s in v}


def _guess_target(header):
    """The target of a column title and whether it is a bare address
    title (which the plant takes when the customer already has one)"""
    words = _header_words(header)
    stripped = tuple(w for w in words if w not in _UNIT_WORDS)
    for candidate in (words, stripped):
        if not candidate:
            continue
        part = _ADDRESS_INDEX.get(candidate)
        if part:
            return 'customer_' + part, True
        key = _HEADER_INDEX.get(candidate)
        if key:
            return key, False
        plant = tuple(w for w in candidate if w not in _PLANT_WORDS)
        customer = tuple(w for w in candidate if w not in _CUSTOMER_WORDS)
        if plant != candidate and plant in _ADDRESS_INDEX:
            return 'plant_' + _ADDRESS_INDEX[plant], False
        if customer != candidate and customer in _ADDRESS_INDEX:
            return 'customer_' + _ADDRESS_INDEX[customer], False
        if customer != candidate and customer in _HEADER_INDEX:
            return _HEADER_INDEX[customer], False
    return None, False


def guess_mapping(headers):
    """Propose {column index: target key} from the column titles

    Titles are compared without case, accents, punctuation and units,
    in Italian or English; each target gets at most one column (the
    first); a second bare address column (Indirizzo, CAP, Comune, Prov)
    goes to the plant.
    """
    mapping, used = {}, set()
    for index, header in enumerate(headers):
        key, generic = _guess_target(header or '')
        if key in used and generic:
            key = 'plant_' + key[len('customer_'):]
        if key is None or key in used:
            continue
        mapping[index] = key
        used.add(key)
    return mapping


def check_mapping(mapping, headers):
    "The Italian messages of what is wrong with a mapping, [] when usable"
    errors, seen = [], {}
    for index, key in sorted(mapping.items()):
        if key not in TARGETS_BY_KEY:
            errors.append('Il campo "%s" non esiste: scegli un campo '
                "dall'elenco." % key)
        elif not 0 <= index < len(headers):
            errors.append('La colonna %s non esiste nel file.'
                % column_letter(index))
        elif key in seen:
            errors.append(
                'Le colonne "%s" e "%s" sono entrambe associate a "%s": '
                "lasciane una sola." % (headers[seen[key]], headers[index],
                    TARGETS_BY_KEY[key].label))
        else:
            seen[key] = index
    for target in TARGETS:
        if target.required and target.key not in seen:
            errors.append(
                'Nessuna colonna è associata a "%s": scegli la colonna del '
                'file che lo contiene.' % target.label)
    return errors


# Values

def _collapse(text):
    return ' '.join(text.split())


def _shown(value, limit=60):
    "A cell value as the user sees it, for messages"
    if isinstance(value, datetime.datetime) and value.time() == (
            datetime.time()):
        value = value.date()
    if isinstance(value, datetime.date):
        text = value.strftime('%d/%m/%Y')
    elif isinstance(value, float):
        text = ('%.15g' % value).replace('.', ',')
    elif isinstance(value, Decimal):
        text = str(value).replace('.', ',')
    else:
        text = _collapse(str(value))
    if len(text) > limit:
        text = text[:limit - 1] + '…'
    return text


def _is_empty(value):
    "None, blanks, punctuation only (-, /) and n.d. say the cell is empty"
    if value is None:
        return True
    if isinstance(value, str):
        return (value.strip() not in _EXCEL_ERRORS
            and _fold(value) in _PLACEHOLDERS)
    return False


def _as_text(value, key):
    "The text of a cell, refusing values Excel has changed"
    if isinstance(value, bool):
        raise _Invalid('"%s" è un valore vero/falso, non un testo; '
            'scrivi il valore.' % ('VERO' if value else 'FALSO'))
    if isinstance(value, (datetime.date, datetime.time)):
        raise _Invalid('Excel ha trasformato il valore nella data o ora '
            '"%s"; formatta la colonna come testo e riscrivi il valore.'
            % _shown(value))
    if isinstance(value, float):
        if abs(value) >= 1e15:
            raise _Invalid('il numero "%s" è troppo lungo per Excel, che '
                'ne ha perso le ultime cifre; formatta la colonna come '
                'testo e riscrivilo.' % _shown(value))
        if value.is_integer():
            return str(int(value))
        return '%.15g' % value
    if isinstance(value, str) and value.strip() in _EXCEL_ERRORS:
        raise _Invalid('la cella contiene l\'errore di Excel "%s"; '
            'correggi la formula o svuota la cella.' % value.strip())
    return str(value)


def _check_length(text, key):
    limit = MAX_LENGTHS.get(key)
    if limit and len(text) > limit:
        raise _Invalid('"%s" è lungo %d caratteri, il massimo è %d; '
            'accorcialo.' % (_shown(text, 40), len(text), limit))
    return text


def _parse_char(value, key):
    return _check_length(_collapse(_as_text(value, key)), key)


def _parse_code(value, key):
    return _parse_char(value, key).upper()


def _parse_text(value, key):
    lines = [_collapse(line) for line in _as_text(value, key).splitlines()]
    return _check_length('\n'.join(lines).strip('\n'), key)


def _digits(value, key, width):
    "The text of a code, restoring the leading zeros a number cell lost"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _as_text(value, key)
        if text.isdigit() and len(text) < width:
            text = text.zfill(width)
        return text
    return re.sub(r'[\s.\-/]', '', _as_text(value, key)).upper()


def _parse_fiscal_code(value, key):
    code = _digits(value, key, 11)
    if code.startswith('IT') and len(code) == 13 and code[2:].isdigit():
        code = code[2:]
    try:
        return codicefiscale.validate(code)
    except ValidationError as exception:
        raise _Invalid('"%s" non è un codice fiscale valido: %s; '
            'correggilo o svuota la cella.' % (
                _shown(value), _fiscal_code_reason(code, exception)))


def _fiscal_code_reason(code, exception):
    if isinstance(exception, InvalidLength):
        return ('ha %d caratteri, ne servono 16 per una persona o 11 cifre '
            'per una società' % len(code))
    if isinstance(exception, InvalidChecksum):
        return ("il carattere di controllo non corrisponde, "
            "probabilmente c'è un errore di battitura")
    if isinstance(exception, InvalidComponent):
        return "la data di nascita o l'ufficio che contiene è impossibile"
    return ('le lettere e le cifre non sono al loro posto (6 lettere, 2 '
        'cifre, 1 lettera, 2 cifre, 1 lettera, 3 cifre, 1 lettera)')


def _parse_vat_number(value, key):
    code = _digits(value, key, 11)
    if code.startswith('IT'):
        code = code[2:]
    if not code.isdigit():
        reason = 'deve contenere solo cifre'
        if code[:2].isalpha():
            reason = 'non è una partita IVA italiana'
        raise _Invalid('"%s" non è una partita IVA valida: %s; correggila o '
            'svuota la cella.' % (_shown(value), reason))
    if len(code) != 11:
        raise _Invalid('"%s" non è una partita IVA valida: ha %d cifre, ne '
            'servono 11; correggila o svuota la cella.'
            % (_shown(value), len(code)))
    try:
        return iva.validate(code)
    except ValidationError:
        raise _Invalid('"%s" non è una partita IVA valida: la cifra di '
            "controllo non corrisponde, probabilmente c'è un errore di "
            'battitura; correggila o svuota la cella.' % _shown(value))


def _parse_postal_code(value, key):
    code = _digits(value, key, 5)
    if not re.fullmatch(r'\d{5}', code):
        raise _Invalid('"%s" non è un CAP valido: servono 5 cifre '
            '(es. 10121); correggilo o svuota la cella.' % _shown(value))
    return code


def _parse_province(value, key):
    code = re.sub(r'[\s().]', '', _as_text(value, key)).upper()
    if code not in PROVINCES:
        raise _Invalid('"%s" non è la sigla di una provincia italiana; '
            'scrivi le due lettere (es. TO, MI).' % _shown(value))
    return code


def _parse_phone(value, key):
    text = _as_text(value, key).strip()
    parts = re.split(r'[;,]|\s+[-/]\s+|\s+(?:e|o|oppure)\s+', text)
    if sum(len(re.sub(r'\D', '', p)) >= 6 for p in parts) > 1:
        raise _Invalid('"%s" contiene più numeri: lascia un solo numero per '
            'cella (l\'altro va nella colonna del cellulare o nelle note).'
            % _shown(value))
    number = re.sub(r'[\s.\-/()]', '', text)
    if number.startswith('00'):
        number = '+' + number[2:]
    if (isinstance(value, (int, float)) and number[:1] not in '038'
            and not isinstance(value, bool)):
        # A number cell loses the 0 every Italian landline starts with
        number = '0' + number
    if not re.fullmatch(r'\+?\d{6,15}', number):
        raise _Invalid('"%s" non è un numero di telefono valido (da 6 a 15 '
            'cifre, un solo numero per cella); correggilo o svuota la '
            'cella.' % _shown(value))
    return number


def _parse_email(value, key):
    text = _as_text(value, key).strip()
    if text.lower().startswith('mailto:'):
        text = text[len('mailto:'):]
    _check_length(text, key)
    if not _EMAIL_RE.match(text):
        hint = ''
        if len(re.findall('@', text)) > 1 or re.search(r'[;,\s]', text):
            hint = ', un solo indirizzo per cella'
        raise _Invalid('"%s" non è un indirizzo e-mail valido (es. '
            'nome@dominio.it%s); correggilo o svuota la cella.'
            % (_shown(value), hint))
    return text


def _parse_sdi_code(value, key):
    code = _digits(value, key, 7)
    if not _SDI_RE.match(code):
        raise _Invalid('"%s" non è un codice destinatario valido: servono 7 '
            'lettere o cifre (6 per la pubblica amministrazione); '
            'correggilo o svuota la cella.' % _shown(value))
    return code


def _parse_pdr(value, key):
    code = _digits(value, key, 14)
    if not re.fullmatch(r'\d{14}', code):
        raise _Invalid('"%s" non è un PDR valido: servono 14 cifre (le '
            'trovi in bolletta); correggilo o svuota la cella.'
            % _shown(value))
    return code


def _parse_pod(value, key):
    code = _digits(value, key, 0)
    if not _POD_RE.match(code):
        raise _Invalid('"%s" non è un POD valido: ha la forma IT001E12345678 '
            '(lo trovi in bolletta); correggilo o svuota la cella.'
            % _shown(value))
    return code


def _parse_selection(value, key):
    text = _fold(_as_text(value, key))
    for regex, code in _CHOICE_RES[key]:
        if regex.match(text):
            return code
    ambiguous = _AMBIGUOUS.get(key, {}).get(text)
    if ambiguous:
        raise _Invalid('"%s" è ambiguo: %s.' % (_shown(value), ambiguous))
    codes = [c for c, _ in CHOICES[key]]
    if text.replace(' ', '_') in codes:
        return text.replace(' ', '_')
    raise _Invalid('"%s" non è un valore riconosciuto; valori accettati: '
        '%s.' % (_shown(value), ', '.join(l for _, l in CHOICES[key])))


def _parse_refrigerant(value, key):
    code = re.sub(r'[\s\-_.]', '', _as_text(value, key)).upper()
    if code[:1].isdigit():
        code = 'R' + code
    match = _REFRIGERANT_RE.match(code)
    if not match:
        raise _Invalid('"%s" non è la sigla di un gas refrigerante; scrivila '
            'come sulla targhetta (es. R32, R410A, R134a, R290).'
            % _shown(value))
    number, suffix, isomer = match.groups()
    # Blends (400 and 500 series) have upper-case letters, the isomers
    # of pure fluids lower-case ones (R134a, R1234yf, R600a)
    if not 400 <= int(number) < 600:
        suffix = suffix.lower()
    if isomer:
        suffix += isomer
    return 'R' + number + suffix


def _parse_decimal(value, key):
    unit = UNITS.get(key)
    if isinstance(value, bool):
        raise _Invalid('"%s" non è un numero; scrivi il valore in %s.'
            % ('VERO' if value else 'FALSO', unit))
    if isinstance(value, (int, float, Decimal)):
        number = Decimal('%.15g' % value) if isinstance(value, float) else (
            Decimal(value))
    else:
        number = _decimal_from_text(value, key)
    places = DECIMAL_PLACES.get(key)
    if places is not None and number.as_tuple().exponent < -places:
        raise _Invalid('"%s" ha più di %d decimali; arrotondalo.'
            % (_shown(value), places))
    return number


def _decimal_from_text(value, key):
    unit = UNITS.get(key)
    text = _as_text(value, key).strip()
    invalid = _Invalid('"%s" non è un numero; scrivi il valore in %s con la '
        'virgola per i decimali (es. 24,5).' % (_shown(value), unit))
    match = _NUMBER_RE.match(text)
    if not match:
        raise invalid
    number, suffix = match.groups()
    suffix = _fold(suffix)
    if suffix and suffix != unit.lower():
        if 'kcal' in suffix:
            raise _Invalid('"%s" è in kcal/h; scrivi la potenza in kW '
                '(1 kW = 860 kcal/h).' % _shown(value))
        raise _Invalid('"%s": scrivi il valore in %s, senza altre unità.'
            % (_shown(value), unit))
    number = re.sub(r"[\s']", '', number)
    if ',' in number and '.' in number:
        thousands = '.' if number.rfind(',') > number.rfind('.') else ','
        number = number.replace(thousands, '')
    elif number.count(',') > 1:
        raise invalid
    elif number.count('.') > 1:
        if not re.fullmatch(r'[+-]?\d{1,3}(\.\d{3})+', number):
            raise invalid
        number = number.replace('.', '')
    elif re.fullmatch(r'[+-]?[1-9]\d{0,2}\.\d{3}', number):
        raise _Invalid('"%s" è ambiguo: scrivi %s per %s mila o usa la '
            'virgola per i decimali (%s).' % (
                _shown(value), number.replace('.', ''),
                number.replace('.', ','), number.replace('.', ',')))
    number = number.replace(',', '.')
    try:
        return Decimal(number)
    except InvalidOperation:
        raise invalid


def _parse_integer(value, key):
    invalid = _Invalid('"%s" non è un numero intero di mesi (es. 12); '
        'correggilo o svuota la cella.' % _shown(value))
    if isinstance(value, bool):
        raise invalid
    if isinstance(value, (int, float, Decimal)):
        if value != int(value):
            raise invalid
        months = int(value)
    else:
        text = _fold(_as_text(value, key))
        words = {'mensile': 1, 'bimestrale': 2, 'trimestrale': 3,
            'quadrimestrale': 4, 'semestrale': 6, 'annuale': 12,
            'biennale': 24, 'triennale': 36, 'quadriennale': 48}
        match = re.fullmatch(r'(\d{1,3})( mes[ei]| ann[oi])?', text)
        if text in words:
            months = words[text]
        elif match:
            months = int(match.group(1))
            if match.group(2) and match.group(2).startswith(' ann'):
                months *= 12
        else:
            raise invalid
    if not 1 <= months <= 120:
        raise _Invalid('"%s" non è una periodicità possibile: servono da 1 '
            'a 120 mesi.' % _shown(value))
    return months


def _parse_date(value, key):
    invalid = _Invalid('"%s" non è una data valida (usa gg/mm/aaaa).'
        % _shown(value))
    if isinstance(value, datetime.datetime):
        date = value.date()
    elif isinstance(value, datetime.date):
        date = value
    elif isinstance(value, bool):
        raise invalid
    elif isinstance(value, (int, float)):
        if value == int(value) and 1900 <= value <= 2100:
            raise _year_only(value)
        if not 1 <= value < 2958466:
            raise invalid
        # An Excel serial number (1900 date system)
        date = (_EXCEL_EPOCH + datetime.timedelta(days=int(value))).date()
    else:
        date = _date_from_text(_as_text(value, key).strip(), value)
    if date.year < 1900:
        raise invalid
    return date


def _year_only(value):
    return _Invalid('"%s" è solo un anno; scrivi la data intera '
        '(gg/mm/aaaa) o almeno il mese (mm/aaaa).' % _shown(value))


def _date_from_text(text, value):
    invalid = _Invalid('"%s" non è una data valida (usa gg/mm/aaaa).'
        % _shown(value))
    match = _DMY_RE.match(text)
    if match:
        day, month, year = match.groups()
        if len(year) == 2:
            raise _Invalid('"%s": scrivi l\'anno con quattro cifre '
                '(gg/mm/aaaa).' % _shown(value))
    else:
        match = _YMD_RE.match(text)
        if match:
            year, month, day = match.groups()
        else:
            match = _MY_RE.match(text)
            if not match:
                if re.fullmatch(r'\d{4}', text):
                    raise _year_only(value)
                raise invalid
            (month, year), day = match.groups(), 1
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise invalid


_PARSERS = {
    'char': _parse_char,
    'code': _parse_code,
    'text': _parse_text,
    'fiscal_code': _parse_fiscal_code,
    'vat_number': _parse_vat_number,
    'postal_code': _parse_postal_code,
    'province': _parse_province,
    'phone': _parse_phone,
    'email': _parse_email,
    'sdi_code': _parse_sdi_code,
    'pdr': _parse_pdr,
    'pod': _parse_pod,
    'selection': _parse_selection,
    'refrigerant': _parse_refrigerant,
    'decimal': _parse_decimal,
    'integer': _parse_integer,
    'date': _parse_date,
    }


# Rows

def parse_row(values, mapping, headers=None, row=None, today=None):
    """Normalize one row: return (record, errors)

    values: the cells of the row; mapping: {column index: target key};
    headers: the column titles (or a Sheet) for the messages; row: the
    row number as Excel shows it; today: the date future dates are
    refused after (default today).  record has every key of TARGETS, None
    when empty, not mapped or wrong; errors are Italian messages.
    """
    if isinstance(headers, Sheet):
        headers = headers.headers
    today = today or datetime.date.today()
    record = dict.fromkeys(KEYS)
    errors = []
    columns = _column_names(mapping, headers)
    prefix = 'Riga %s' % row if row is not None else 'Riga'

    def error(key, message):
        errors.append('%s, colonna "%s": %s' % (prefix, columns[key], message))

    for index, key in sorted(mapping.items()):
        value = values[index] if 0 <= index < len(values) else None
        if _is_empty(value):
            continue
        try:
            record[key] = _PARSERS[TARGETS_BY_KEY[key].type](value, key)
        except _Invalid as exception:
            error(key, str(exception))
            record[key] = None
        # a value that made an error is not "missing"
        if record[key] is None:
            record[key] = _Invalid
    for target in TARGETS:
        if target.required and record[target.key] is None:
            errors.append('%s: manca %s (colonna "%s"); compilala o escludi '
                'la riga.' % (prefix, MISSING[target.key],
                    columns[target.key]))
    for key in KEYS:
        if record[key] is _Invalid:
            record[key] = None

    power = record['nominal_power']
    if power is not None and not 0 < power <= MAX_POWER:
        error('nominal_power', '%s kW non è una potenza possibile: deve '
            'essere maggiore di 0 e al massimo %s kW.'
            % (_shown(power), MAX_POWER))
        record['nominal_power'] = None
    charge = record['refrigerant_charge']
    if charge is not None and charge <= 0:
        error('refrigerant_charge', '%s kg non è una carica possibile: deve '
            'essere maggiore di 0.' % _shown(charge))
        record['refrigerant_charge'] = None
    elif charge is not None and not record['refrigerant']:
        error('refrigerant_charge', 'la carica di refrigerante richiede il '
            'tipo di gas (colonna "%s"); compilalo o svuota la carica.'
            % columns['refrigerant'])
        record['refrigerant_charge'] = None
    for key in NOT_FUTURE:
        if record[key] and record[key] > today:
            error(key, '%s è nel futuro; correggi la data.'
                % _shown(record[key]))
            record[key] = None
    installed, warranty = record['installation_date'], record['warranty_end']
    if installed and warranty and warranty < installed:
        error('warranty_end', 'la garanzia finisce il %s, prima '
            "dell'installazione (%s, colonna \"%s\"); correggi una delle due "
            'date.' % (_shown(warranty), _shown(installed),
                columns['installation_date']))
        record['warranty_end'] = None
    if not record['plant_province']:
        record['plant_province'] = record['customer_province']
    return record, errors


def _column_names(mapping, headers):
    "The column title of each target for messages, its label if unmapped"
    names = {t.key: t.label for t in TARGETS}
    headers = list(headers or [])
    for index, key in mapping.items():
        if 0 <= index < len(headers):
            name = headers[index]
            if headers.count(name) > 1:
                name = '%s (%s)' % (name, column_letter(index))
            names[key] = name
    return names


def validate_sheet(sheet, mapping, today=None):
    """Check every row of sheet: return a RowResult per row, in order

    Raise MappingError when the mapping cannot be used (check_mapping).
    A matricola repeated for the same brand is an error on the later
    rows, naming the first one.
    """
    problems = check_mapping(mapping, sheet.headers)
    if problems:
        raise MappingError('\n'.join(problems))
    today = today or datetime.date.today()
    columns = _column_names(mapping, sheet.headers)
    results, serials = [], {}
    for number, values in sheet.rows:
        record, errors = parse_row(
            values, mapping, sheet.headers, number, today)
        serial = record['serial_number']
        if serial:
            key = (_fold(record['brand'] or ''), _fold(serial))
            if key in serials:
                errors.append('Riga %s, colonna "%s": la matricola "%s"%s '
                    "c'è già alla riga %s; togli il doppione o correggi la "
                    'matricola.' % (number, columns['serial_number'], serial,
                        ' della marca "%s"' % record['brand']
                        if record['brand'] else '', serials[key]))
            else:
                serials[key] = number
        results.append(RowResult(number, None if errors else record, errors))
    return results


def format_report(results, limit=None):
    "An Italian text report of validate_sheet's results"
    wrong = [r for r in results if r.errors]
    lines = ['Righe lette: %d; pronte da importare: %d; con errori: %d.'
        % (len(results), len(results) - len(wrong), len(wrong))]
    messages = [m for r in wrong for m in r.errors]
    if limit is not None and len(messages) > limit:
        lines.extend(messages[:limit])
        lines.append('… e altri %d errori.' % (len(messages) - limit))
    else:
        lines.extend(messages)
    return '\n'.join(lines)


# Sample file

SAMPLE_HEADERS = [
    "Cod. cliente", "Ragione sociale / Cognome e nome", "Codice fiscale",
    "Partita IVA", "Indirizzo", "CAP", "Comune", "Prov.", "Telefono",
    "Cellulare", "E-mail", "PEC", "Codice destinatario",
    "Indirizzo impianto", "CAP impianto", "Comune impianto",
    "Prov. impianto", "Targa impianto", "PDR", "POD", "Tipo apparecchio",
    "Marca", "Modello", "Matricola", "Combustibile", "Potenza kW",
    "Classe", "Fluido termovettore", "Data installazione",
    "Data prima accensione", "Scadenza garanzia", "Gas refrigerante",
    "Carica kg", "Periodicità manutenzione (mesi)", "Ultima manutenzione",
    "Ultimo controllo fumi", "Note"]
_MONTH_LETTERS = 'ABCDEHLMPRST'


def _sample_fiscal_code(surname, name, birth, female, place):
    "A codice fiscale built as the Agenzia delle Entrate does"
    def letters(text, first_name):
        text = ''.join(c for c in _fold(text).upper() if c.isalpha())
        consonants = [c for c in text if c not in 'AEIOU']
        vowels = [c for c in text if c in 'AEIOU']
        if first_name and len(consonants) >= 4:
            consonants = [consonants[0], consonants[2], consonants[3]]
        return ''.join(consonants + vowels + ['X'] * 3)[:3]
    code = '%s%s%02d%s%02d%s' % (
        letters(surname, False), letters(name, True), birth.year % 100,
        _MONTH_LETTERS[birth.month - 1], birth.day + (40 if female else 0),
        place)
    return code + codicefiscale.calc_check_digit(code)


def _sample_vat_number(serial, office):
    "A partita IVA: 7 serial digits, the office (001-100), the Luhn digit"
    number = '%07d%03d' % (serial, office)
    return number + luhn.calc_check_digit(number)


def sample_rows():
    "The headers and rows of the sample file, as Python values"
    d = datetime.date
    cf, vat = _sample_fiscal_code, _sample_vat_number
    rossi = ['C0001', "Rossi Mario", cf('Rossi', 'Mario', d(1962, 3, 15),
            False, 'L219'), None, "Via Po 12", 10124, "Torino", "TO",
        "011 812 3456", "333 123 4567", "mario.rossi@example.it", None,
        None, None, None, None, None, "TO4K7P2M9A", '00881000123456', None]
    condo_cf = vat(9712345, 1)
    condo = ['C0002', "Condominio Via Nizza 150", condo_cf, None,
        "Via Nizza 150", 10126, "Torino", "TO", "011 669 0021", None,
        "amministrazione.nizza150@example.it", None, "0000000",
        None, None, None, None, "TO9R2D5W1C", '00881000987654', None]
    langhe_vat = vat(2345678, 4)
    brambilla = ['C0009', "Brambilla Paolo", cf('Brambilla', 'Paolo',
            d(1971, 11, 2), False, 'F704'), vat(3456789, 8),
        "Via Vittorio Emanuele II 5", 20900, "Monza", "MB",
        "039 232 1100", "347 889 1020", "studio@brambilla.example.it",
        "brambilla@pec.example.it", "KRRH6B9", None, None, None, None,
        "MB3H8S1L4E", '03081000456789', None]
    lario_vat = vat(4567890, 13)
    lario = ['C0012', "Albergo Lario S.n.c. di Fumagalli A. & C.",
        lario_vat, lario_vat, "Lungo Lario Trento 20", 22100, "Como",
        "CO", "031 271 345", None, "info@albergolario.example.it",
        "albergolario@pec.example.it", "SUBM70N", None, None, None, None,
        "CO7T1V6K3B", '03081000777001', 'IT001E40917263']
    rows = [
        rossi + ["Caldaia murale a condensazione", "Vaillant",
            "ecoTEC plus VMW 246/5-5", "21163400100283530080005",
            "Metano", 24, "Condensazione", "Acqua", d(2016, 10, 5),
            d(2016, 10, 12), d(2018, 10, 12), None, None, 12,
            d(2024, 10, 14), d(2024, 10, 14), None],
        rossi + ["Climatizzatore", "Daikin", "Perfera FTXM35R",
            "E001234", "Energia elettrica", "4,0", None, "Aria",
            d(2021, 6, 20), d(2021, 6, 20), d(2023, 6, 20), "R32",
            "0,76", 12, d(2024, 5, 30), None, "Split in soggiorno"],
        condo + ["Generatore di calore", "Viessmann",
            "Vitocrossal 300 CU3A 87", "7573492600213107", "Metano", 87,
            "A condensazione", "Acqua", d(2012, 9, 24), d(2012, 10, 15),
            d(2014, 10, 15), None, None, 12, d(2024, 10, 1),
            d(2024, 10, 1), "Centrale termica, caldaia 1 in cascata"],
        condo + ["Generatore di calore", "Viessmann",
            "Vitocrossal 300 CU3A 87", "7573492600213108", "Metano", 87,
            "A condensazione", "Acqua", d(2012, 9, 24), d(2012, 10, 15),
            d(2014, 10, 15), None, None, 12, d(2024, 10, 1),
            d(2024, 10, 1), "Centrale termica, caldaia 2 in cascata"],
        ['C0003', "Bianchi Laura", cf('Bianchi', 'Laura', d(1985, 7, 23),
                True, 'L219'), None, "Corso Francia 45", 10098, "Rivoli",
            "TO", None, "349 555 0192", "laura.bianchi@example.it", None,
            None, None, None, None, None, "TO2F6N8Q3D", '00881000222333',
            None, "Caldaia", "Baxi", "Luna Duo-tec E 28", "1208051432",
            "Gas metano", 28, "Condensazione", "Acqua", d(2019, 2, 11),
            d(2019, 2, 11), d(2021, 2, 11), None, None, 12,
            d(2025, 1, 20), d(2024, 1, 15), None],
        ['C0004', "Ferrero Giuseppe", cf('Ferrero', 'Giuseppe',
                d(1948, 1, 9), False, 'A124'), None, "Via Vittorio "
            "Emanuele 3", 12051, "Alba", "CN", "0173 36 1234", None, None,
            None, None, None, None, None, None, "CN5B1M7H2R",
            '00881000333444', None, "Caldaia", "Beretta", "Ciao 24 CAI",
            "BR0603117842", "Metano", "23,7", "Standard", "Acqua",
            "14/11/2006", "14/11/2006", "14/11/2008", None, None, 12,
            d(2024, 11, 5), d(2023, 11, 20),
            "Camera aperta, tiraggio naturale"],
        ['C0005', "Immobiliare Langhe S.r.l.", langhe_vat, langhe_vat,
            "Piazza Galimberti 8", 12100, "Cuneo", "CN", "0171 69 2233",
            None, "amministrazione@langhe.example.it",
            "immobiliarelanghe@pec.example.it", "M5UXCR1",
            "Corso Nizza 15", 12100, "Cuneo", "CN", "CN8W3E6T1Y", None,
            'IT001E74523190', "Pompa di calore", "Daikin",
            "Altherma 3 R EHBH08E6V", "H0221875", "Elettrico", 8,
            None, "Acqua", d(2022, 4, 28), d(2022, 5, 3), d(2027, 5, 3),
            "R-32", "1,50", 12, d(2024, 9, 18), None,
            "Ufficio al piano terra"],
        ['C0006', "Colombo Andrea", cf('Colombo', 'Andrea', d(1979, 5, 30),
                False, 'F205'), None, "Via Manzoni 18", 20121, "Milano",
            "MI", "02 7600 1122", "338 410 2299",
            "andrea.colombo@example.it", None, None, None, None, None, None,
            "MI1A9C4X7Z", '00881000444555', None, "Caldaia a condensazione",
            "Immergas", "Victrix Tera 24 1", "3.025712/2201", "Metano",
            24, "Condensazione", "Acqua", d(2020, 3, 9), d(2020, 3, 10),
            d(2022, 3, 10), None, None, 12, d(2024, 3, 18),
            d(2024, 3, 18), None],
        ['C0007', "Ricci Francesca", cf('Ricci', 'Francesca',
                d(1990, 12, 4), True, 'F205'), None, "Viale Monza 240",
            20127, "Milano", "MI", None, "340 776 5432",
            "francesca.ricci@example.it", None, None, None, None, None,
            None, "MI6D2G8J5K", None, 'IT012E00345678',
            "Pompa di calore aria-acqua", "Mitsubishi Electric",
            "Ecodan PUZ-WM85VAA", "1ZU00123", "Energia elettrica", "8,5",
            None, "Acqua", d(2023, 10, 2), d(2023, 10, 5),
            d(2028, 10, 5), "R32", "1,4", 12, d(2024, 10, 7), None, None],
        brambilla + ["Caldaia", "Ariston", "Clas One 24", "2208123456789",
            "Metano", 24, "Condensazione", "Acqua", d(2018, 10, 22),
            d(2018, 10, 23), d(2020, 10, 23), None, None, 12,
            d(2024, 10, 28), d(2024, 10, 28), None],
        brambilla + ["Condizionatore", "Samsung",
            "WindFree Avant AR12TXEAAWKNEU", "0A1B7AAW300123K",
            "Energia elettrica", "4,0", None, "Aria", d(2022, 6, 15),
            d(2022, 6, 15), d(2024, 6, 15), "R32", "0,9", 24,
            d(2024, 6, 3), None, "Ufficio, dual split"],
        ['C0010', "Gatti Stefano", cf('Gatti', 'Stefano', d(1966, 8, 19),
                False, 'A794'), None, "Via Pignolo 30", 24121, "Bergamo",
            "BG", "035 24 8811", None, "stefano.gatti@example.it", None,
            None, None, None, None, None, "BG4E7U2P9S", '03081000555666',
            None, "Caldaia", "Riello", "Family Condens 25 KIS",
            "0391800452", "Metano", 25, "Condensazione", "Acqua",
            "15/03/2018", "15/03/2018", "15/03/2020", None, None, 12,
            "12/04/2024", "12/04/2024", None],
        ['C0011', "Lombardi Giulia", cf('Lombardi', 'Giulia',
                d(1982, 2, 14), True, 'B157'), None, "Via Trieste 12",
            25121, "Brescia", "BS", None, "331 208 7744",
            "giulia.lombardi@example.it", None, None, None, None, None,
            None, "BS9K3L6M1N", '03081000666777', None, "Caldaia",
            "Ferroli", "Bluehelix Tech RRT 24 C", "19105A0012",
            "Metano", 24, "Condensazione", "Acqua", d(2019, 11, 7),
            d(2019, 11, 7), d(2021, 11, 7), None, None, 12,
            d(2024, 11, 12), d(2023, 11, 20), None],
        lario + ["Generatore di calore", "Viessmann",
            "Vitodens 200-W B2HF 32", "7727553800132109", "Metano", 32,
            "Condensazione", "Acqua", d(2017, 9, 12), d(2017, 9, 14),
            d(2019, 9, 14), None, None, 12, d(2024, 9, 23),
            d(2024, 9, 23), None],
        lario + ["Scaldabagno", "Ariston", "Velis Evo 80", "2109876543",
            "Elettrico", "1,5", None, "Acqua", d(2021, 4, 6),
            d(2021, 4, 6), d(2026, 4, 6), None, None, 24, None, None,
            "Bagno della reception"],
        ['C0013', "Marino Luca", cf('Marino', 'Luca', d(1975, 4, 1), False,
                'L682'), None, "Via Sacco 7", 21100, "Varese", "VA",
            "0332 28 3344", "335 612 0033", "luca.marino@example.it", None,
            None, None, None, None, None, "VA2P5R8T1U", '03081000888999',
            None, "Caldaia", "Junkers Bosch", "Condens 2300i W 24",
            "7736901385000123", "Metano", 24, "Condensazione", "Acqua",
            d(2021, 1, 25), d(2021, 1, 26), d(2023, 1, 26), None, None,
            12, d(2025, 1, 27), d(2025, 1, 27), None],
        ['C0014', "Greco Anna", cf('Greco', 'Anna', d(1958, 9, 17), True,
                'F952'), None, "Corso Cavour 10", 28100, "Novara", "NO",
            "0321 62 4455", None, None, None, None, None, None, None, None,
            "NO6S1V4W8X", '00881000111222', None, "Caldaia",
            "Hermann Saunier Duval", "Thema Condens 25", "21203300100",
            "Metano", 25, "Condensazione", "Acqua", d(2015, 10, 19),
            d(2015, 10, 20), d(2017, 10, 20), None, None, 12,
            d(2024, 10, 21), d(2024, 10, 21), None],
        ['C0015', "Conti Roberto", cf('Conti', 'Roberto', d(1969, 6, 12),
                False, 'H501'), None, "Via Appia Nuova 120", 183, "Roma",
            "RM", "06 7030 1122", "328 901 2345",
            "roberto.conti@example.it", None, None, "Via Louset 4", 10058,
            "Sestriere", "TO", "TO7Y4Z1A6B", None, None, "Caldaia",
            "Immergas", "Victrix Tera 28 1", "3.027744/2105", "GPL", 28,
            "Condensazione", "Acqua", d(2021, 10, 4), d(2021, 10, 4),
            d(2023, 10, 4), None, None, 12, d(2024, 9, 30),
            d(2024, 9, 30), "Casa di vacanza, serbatoio GPL interrato"],
        ['C0016', "Fontana Elena", cf('Fontana', 'Elena', d(1955, 12, 28),
                True, 'A479'), None, "Via Cavour 55", 14100, "Asti", "AT",
            "0141 35 5566", None, None, None, None, None, None, None, None,
            "AT3C8D2F5G", None, None, "Gruppo termico", "Ferroli",
            "Atlas D 30", "0912A30455", "Gasolio", 31, "Standard",
            "Acqua", "06/2009", d(2009, 6, 22), None, None, None, 12,
            d(2024, 10, 8), d(2024, 10, 8), "Caldaia a basamento in ghisa"],
        ['C0017', "Santoro Marco", cf('Santoro', 'Marco', d(1988, 3, 3),
                False, 'G388'), None, "Corso Strada Nuova 60", 27100,
            "Pavia", "PV", None, "366 120 9988",
            "marco.santoro@example.it", None, None, None, None, None, None,
            "PV5H9J3K7L", None, 'IT001E55512345', "Pompa di calore",
            "Samsung", "EHS Mono AE080RXYDEG", "0YB7P3AR100042",
            "Elettrico", 8, None, "Acqua", d(2023, 5, 17), d(2023, 5, 18),
            d(2026, 5, 18), "R32", "1,3", 12, d(2024, 5, 20), None, None],
        ['C0018', "Farmacia Moderna S.a.s.", vat(5678901, 6),
            vat(5678901, 6), "Corso Roma 40", 15121, "Alessandria", "AL",
            "0131 25 1234", None, "info@farmaciamoderna.example.it",
            "farmaciamoderna@pec.example.it", "W7YVJK9", None, None, None,
            None, "AL1M6N2P8Q", None, 'IT001E33398765', "Climatizzatore",
            "Mitsubishi Electric", "MSZ-LN35VG", "2002345",
            "Energia elettrica", "4,0", None, "Aria", d(2020, 7, 8),
            d(2020, 7, 8), d(2022, 7, 8), "R32", "0,65", 12,
            d(2024, 7, 1), None, None],
        ['C0019', "Mancini Chiara", cf('Mancini', 'Chiara', d(1993, 10, 21),
                True, 'A859'), None, "Via Italia 22", 13900, "Biella", "BI",
            None, "320 445 6677", "chiara.mancini@example.it", None, None,
            None, None, None, None, "BI8R4S9T2V", '00881000121314', None,
            "Caldaia", "Baxi", "Prime 24", "1903051276", "Metano", 24,
            "Condensazione", "Acqua", d(2022, 11, 14), d(2022, 11, 14),
            d(2024, 11, 14), None, None, 12, d(2024, 11, 18),
            d(2024, 11, 18), None],
        ['C0020', "Rinaldi Davide", cf('Rinaldi', 'Davide', d(1972, 1, 26),
                False, 'E507'), None, "Via Cavour 9", 23900, "Lecco", "LC",
            "0341 36 7788", "348 223 4455", "davide.rinaldi@example.it",
            None, None, None, None, None, None, "LC4W7X1Y5Z",
            '03081000151617', None, "Caldaia", "Beretta",
            "Mynute Green 25 C.S.I.", "BR2011220934", "Metano", 25,
            "A condensazione", "Acqua", d(2020, 11, 23), d(2020, 11, 24),
            d(2022, 11, 24), None, None, 12, d(2024, 12, 2),
            d(2024, 12, 2), None],
        ]
    assert all(len(r) == len(SAMPLE_HEADERS) for r in rows)
    return list(SAMPLE_HEADERS), rows


def write_sample_xlsx(target):
    "Write the sample import file to target (a path or a binary file)"
    import openpyxl
    from openpyxl.styles import Font
    headers, rows = sample_rows()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Impianti"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(values)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime.date):
                cell.number_format = 'DD/MM/YYYY'
    for index, header in enumerate(headers):
        width = max(len(str(v[index] or '')) for v in [headers] + rows)
        sheet.column_dimensions[column_letter(index)].width = min(
            max(width, 8) + 2, 40)
    sheet.freeze_panes = 'A2'
    workbook.save(target)
