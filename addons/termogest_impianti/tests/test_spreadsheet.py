# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The spreadsheet import engine (spreadsheet.py), without database"""
import datetime
import importlib.util
import io
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

MODULE = Path(__file__).parents[1]
SAMPLES = MODULE / 'samples'
TODAY = datetime.date(2025, 6, 30)


def _load_spreadsheet():
    "Import spreadsheet.py by path, whatever the install state of the module"
    name = 'termogest_impianti_spreadsheet'
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, MODULE / 'spreadsheet.py')
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


ss = _load_spreadsheet()
HEADERS = list(ss.SAMPLE_HEADERS)


def xlsx_bytes(rows):
    "An .xlsx file of rows (lists of values), the first being the titles"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parse(key, value, header=None, today=TODAY):
    "parse_row of a single mapped value: (parsed value, errors)"
    header = header or ss.TARGETS_BY_KEY[key].label
    values = [value]
    mapping = {0: key}
    if key != 'customer_name':
        values.append("Rossi Mario")
        mapping[1] = 'customer_name'
    if key != 'kind':
        values.append("Caldaia")
        mapping[len(values) - 1] = 'kind'
    headers = [header, "Ragione sociale", "Tipo apparecchio"][:len(values)]
    record, errors = ss.parse_row(values, mapping, headers, 7, today)
    return record[key], errors


def value_of(key, value, **kwargs):
    result, errors = parse(key, value, **kwargs)
    assert errors == []
    return result


def error_of(key, value, **kwargs):
    result, errors = parse(key, value, **kwargs)
    assert len(errors) == 1, errors
    assert result is None
    return errors[0]


# The sample files

@pytest.mark.parametrize('name', [
        'import_impianti_esempio.xlsx', 'import_impianti_esempio.xls'])
def test_sample_file(name):
    sheet = ss.read_sheet((SAMPLES / name).read_bytes(), name)
    assert sheet.headers == HEADERS
    assert [n for n, _ in sheet.rows] == list(range(2, 25))

    mapping = ss.guess_mapping(sheet.headers)
    assert sorted(mapping) == list(range(len(HEADERS)))
    assert sorted(mapping.values()) == sorted(ss.KEYS)
    results = ss.validate_sheet(sheet, mapping, datetime.date.today())
    assert [r.errors for r in results if r.errors] == []
    assert all(r.ok for r in results)
    records = [r.record for r in results]

    rossi, split, *_ = records
    assert rossi['fiscal_code'] == 'RSSMRA62C15L219C'
    assert rossi['customer_postal_code'] == '10124'
    assert rossi['phone'] == '0118123456'
    assert rossi['plant_street'] is None
    assert rossi['plant_province'] == 'TO'
    assert rossi['kind'] == 'boiler'
    assert rossi['fuel'] == 'natural_gas'
    assert rossi['generator_class'] == 'gas_condensing'
    assert rossi['installation_date'] == datetime.date(2016, 10, 5)
    assert split['kind'] == 'air_conditioner'
    assert split['refrigerant'] == 'R32'
    assert split['refrigerant_charge'] == Decimal('0.76')
    assert split['heat_carrier'] == 'air'
    by_name = {r['customer_name']: r for r in records}
    conti = by_name["Conti Roberto"]
    assert conti['customer_postal_code'] == '00183'
    assert (conti['customer_province'], conti['plant_province']) == (
        'RM', 'TO')
    assert conti['fuel'] == 'lpg'
    fontana = by_name["Fontana Elena"]
    assert fontana['installation_date'] == datetime.date(2009, 6, 1)
    assert fontana['fuel'] == 'gasoil'
    assert by_name["Ferrero Giuseppe"]['nominal_power'] == Decimal('23.7')
    langhe = by_name["Immobiliare Langhe S.r.l."]
    assert langhe['fiscal_code'] == langhe['vat_number']
    assert langhe['sdi_code'] == 'M5UXCR1'
    assert langhe['kind'] == 'heat_pump'
    brands = {r['brand'] for r in records}
    assert {"Vaillant", "Baxi", "Immergas", "Ariston", "Riello",
        "Beretta", "Ferroli", "Viessmann", "Daikin", "Mitsubishi Electric",
        "Samsung", "Junkers Bosch", "Hermann Saunier Duval"} <= brands
    kinds = {r['kind'] for r in records}
    assert {'boiler', 'heat_pump', 'air_conditioner'} <= kinds


def test_sample_xlsx_is_up_to_date(tmp_path):
    "The committed .xlsx is what write_sample_xlsx writes now"
    path = tmp_path / 'esempio.xlsx'
    ss.write_sample_xlsx(path)
    written = ss.read_sheet(path.read_bytes(), path.name)
    for name in ['import_impianti_esempio.xlsx',
            'import_impianti_esempio.xls']:
        committed = ss.read_sheet((SAMPLES / name).read_bytes(), name)
        assert committed.headers == written.headers
        assert committed.rows == written.rows


def test_write_sample_to_file_object():
    buffer = io.BytesIO()
    ss.write_sample_xlsx(buffer)
    assert len(ss.read_sheet(buffer.getvalue(), 'x.xlsx').rows) == 23


# Reading

def test_format_from_content():
    "An .xls named .xlsx, an .xlsx without extension: both read"
    xls = (SAMPLES / 'import_impianti_esempio.xls').read_bytes()
    xlsx = (SAMPLES / 'import_impianti_esempio.xlsx').read_bytes()
    assert len(ss.read_sheet(xls, 'impianti.xlsx').rows) == 23
    assert len(ss.read_sheet(xlsx, 'impianti').rows) == 23


@pytest.mark.parametrize('data, reason', [
        (b'', "il file è vuoto"),
        (b'Ragione sociale;Tipo\nRossi;Caldaia\n', "CSV"),
        (b'<html><table><tr><td>Rossi</td></tr></table></html>', "HTML"),
        (b'%PDF-1.4 ...', "PDF"),
        (bytes(range(256)) * 4, "né .xls né .xlsx"),
        ])
def test_not_excel(data, reason):
    with pytest.raises(ss.SpreadsheetError) as info:
        ss.read_sheet(data, 'clienti.xls')
    message = str(info.value)
    assert message.startswith('Il file "clienti.xls" non è un foglio Excel '
        'leggibile (.xls o .xlsx): ')
    assert reason in message


def test_damaged_files():
    xlsx = (SAMPLES / 'import_impianti_esempio.xlsx').read_bytes()
    xls = (SAMPLES / 'import_impianti_esempio.xls').read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        archive.writestr('word/document.xml', '<w:document/>')
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, 'w') as archive:
        archive.writestr(
            'mimetype', 'application/vnd.oasis.opendocument.spreadsheet')
        archive.writestr('content.xml', '<office:document-content/>')
    for data, reason in [
            (xlsx[:2000], "danneggiato"),
            (xls[:1500], "danneggiato"),
            (buffer.getvalue(), "non un foglio Excel"),
            (ods.getvalue(), ".ods"),
            ]:
        with pytest.raises(ss.SpreadsheetError) as info:
            ss.read_sheet(data, 'impianti.xlsx')
        assert "non è un foglio Excel leggibile" in str(info.value)
        assert reason in str(info.value)


def test_empty_sheet():
    with pytest.raises(ss.SpreadsheetError, match="è vuoto"):
        ss.read_sheet(xlsx_bytes([]), 'vuoto.xlsx')


def test_rows_as_excel_numbers_them():
    data = xlsx_bytes([
            ["Elenco impianti al 31/12/2024"],
            [],
            ["Cliente", None, "Tipo", "CAP"],
            ["Rossi Mario", None, "Caldaia", 10124, None, "nota"],
            [],
            [None, None, "   "],
            ["Bianchi Laura", None, "Caldaia"],
            ])
    sheet = ss.read_sheet(data, 'impianti.xlsx')
    assert sheet.header_row == 3
    assert sheet.headers == [
        "Cliente", "Colonna B", "Tipo", "CAP", "Colonna E", "Colonna F"]
    assert sheet.rows == [
        (4, ["Rossi Mario", None, "Caldaia", 10124, None, "nota"]),
        (7, ["Bianchi Laura", None, "Caldaia", None, None, None]),
        ]


def test_row_limit(monkeypatch):
    monkeypatch.setattr(ss, 'MAX_ROWS', 5)
    rows = [["Cliente", "Tipo"]] + [["Rossi", "Caldaia"]] * 5
    assert len(ss.read_sheet(xlsx_bytes(rows), 'a.xlsx').rows) == 5
    with pytest.raises(ss.SpreadsheetError) as info:
        ss.read_sheet(xlsx_bytes(rows + [["Bianchi", "Caldaia"]]), 'a.xlsx')
    assert str(info.value) == ('Il file "a.xlsx" ha più di 5 righe di '
        'dati: dividilo in più file da al massimo 5 righe e importali uno '
        'alla volta.')


# Mapping

@pytest.mark.parametrize('header, key', [
        ("Ragione sociale", 'customer_name'),
        ("Cognome e nome", 'customer_name'),
        ("COGNOME  NOME", 'customer_name'),
        ("Cliente", 'customer_name'),
        ("Nominativo", 'customer_name'),
        ("Codice cliente", 'customer_code'),
        ("C.F.", 'fiscal_code'),
        ("Codice fiscale", 'fiscal_code'),
        ("Cod. Fiscale", 'fiscal_code'),
        ("CF / P.IVA", 'fiscal_code'),
        ("P.IVA", 'vat_number'),
        ("Partita IVA", 'vat_number'),
        ("Indirizzo", 'customer_street'),
        ("Via", 'customer_street'),
        ("CAP", 'customer_postal_code'),
        ("C.A.P.", 'customer_postal_code'),
        ("Comune", 'customer_city'),
        ("Città", 'customer_city'),
        ("Località", 'customer_city'),
        ("Prov", 'customer_province'),
        ("Provincia", 'customer_province'),
        ("Indirizzo cliente", 'customer_street'),
        ("Comune di residenza", 'customer_city'),
        ("Tel", 'phone'),
        ("Telefono", 'phone'),
        ("Cellulare", 'mobile'),
        ("Cell.", 'mobile'),
        ("E-mail", 'email'),
        ("Email", 'email'),
        ("PEC", 'pec'),
        ("E-mail PEC", 'pec'),
        ("Codice destinatario", 'sdi_code'),
        ("Codice SDI", 'sdi_code'),
        ("Indirizzo impianto", 'plant_street'),
        ("Ubicazione impianto", 'plant_street'),
        ("CAP impianto", 'plant_postal_code'),
        ("Comune (impianto)", 'plant_city'),
        ("Impianto - Località", 'plant_city'),
        ("Prov. impianto", 'plant_province'),
        ("Targa impianto", 'catasto_code'),
        ("Codice catasto", 'catasto_code'),
        ("Codice CURIT", 'catasto_code'),
        ("PDR", 'pdr'),
        ("POD", 'pod'),
        ("Tipo apparecchio", 'kind'),
        ("Tipologia", 'kind'),
        ("Matricola", 'serial_number'),
        ("N° matricola", 'serial_number'),
        ("Numero di serie", 'serial_number'),
        ("Marca", 'brand'),
        ("Costruttore", 'brand'),
        ("Modello", 'model'),
        ("Combustibile", 'fuel'),
        ("Potenza kW", 'nominal_power'),
        ("Potenza (kW)", 'nominal_power'),
        ("Potenza termica nominale [kW]", 'nominal_power'),
        ("Classe", 'generator_class'),
        ("Fluido termovettore", 'heat_carrier'),
        ("Data installazione", 'installation_date'),
        ("Data di installazione (gg/mm/aaaa)", 'installation_date'),
        ("Prima accensione", 'first_start_date'),
        ("Fine garanzia", 'warranty_end'),
        ("Ultima manutenzione", 'last_maintenance_date'),
        ("Data ultima manutenzione", 'last_maintenance_date'),
        ("Ultimo controllo fumi", 'last_efficiency_check_date'),
        ("Ultima prova fumi", 'last_efficiency_check_date'),
        ("Analisi fumi", 'last_efficiency_check_date'),
        ("Gas refrigerante", 'refrigerant'),
        ("Refrigerante", 'refrigerant'),
        ("Carica kg", 'refrigerant_charge'),
        ("Carica refrigerante (kg)", 'refrigerant_charge'),
        ("Periodicità (mesi)", 'maintenance_interval'),
        ("Note", 'device_notes'),
        ("Annotazioni", 'device_notes'),
        ])
def test_guess_header(header, key):
    assert ss.guess_mapping([header]) == {0: key}


def test_guess_unknown_headers():
    assert ss.guess_mapping(
        ["Nome", "Cognome", "Codice", "Gas", "Zona", "", None]) == {}


def test_guess_repeated_address_goes_to_plant():
    headers = ["Cliente", "Indirizzo", "CAP", "Comune", "Prov",
        "Indirizzo", "CAP", "Comune", "Prov", "Indirizzo", "Tipo", "Tipo"]
    assert ss.guess_mapping(headers) == {
        0: 'customer_name', 1: 'customer_street',
        2: 'customer_postal_code', 3: 'customer_city',
        4: 'customer_province', 5: 'plant_street', 6: 'plant_postal_code',
        7: 'plant_city', 8: 'plant_province', 10: 'kind'}


def test_check_mapping():
    headers = ["Cliente", "Nome", "Marca"]
    assert ss.check_mapping({0: 'customer_name', 1: 'customer_name'},
        headers) == [
        'Le colonne "Cliente" e "Nome" sono entrambe associate a "Nome o '
        'ragione sociale": lasciane una sola.',
        'Nessuna colonna è associata a "Tipo di apparecchio": scegli la '
        'colonna del file che lo contiene.']
    assert ss.check_mapping({0: 'customer_name', 5: 'kind', 2: 'marca'},
        headers) == [
        'Il campo "marca" non esiste: scegli un campo dall\'elenco.',
        'La colonna F non esiste nel file.',
        'Nessuna colonna è associata a "Tipo di apparecchio": scegli la '
        'colonna del file che lo contiene.']
    sheet = ss.Sheet(headers, [(2, ["Rossi", "Mario", "Baxi"])])
    with pytest.raises(ss.MappingError, match="Tipo di apparecchio"):
        ss.validate_sheet(sheet, {0: 'customer_name'}, TODAY)


# A big file with a few wrong rows

BAD_ROWS = {
    101: ('fiscal_code', 'RSSMRA62C15L219X', "Codice fiscale",
        "non è un codice fiscale valido"),
    202: ('installation_date', '31/02/2010', "Data installazione",
        "non è una data valida (usa gg/mm/aaaa)"),
    303: ('kind', 'Frigorifero', "Tipo apparecchio",
        "non è un valore riconosciuto; valori accettati: caldaia, pompa di "
        "calore"),
    404: ('customer_name', None, "Ragione sociale / Cognome e nome",
        "manca il nome del cliente"),
    505: ('nominal_power', 'abc', "Potenza kW", "non è un numero"),
    606: ('serial_number', None, "Matricola", "c'è già alla riga 10"),
    707: ('device_notes', 'x' * 2001, "Note",
        "è lungo 2001 caratteri, il massimo è 2000"),
    }


def big_file(tmp_path):
    _, samples = ss.sample_rows()
    serial = HEADERS.index("Matricola")
    rows = [HEADERS]
    for number in range(2, 1002):
        values = list(samples[number % len(samples)])
        values[serial] = 'TG%06d' % number
        key, value, _, _ = BAD_ROWS.get(number, (None,) * 4)
        if number == 606:
            values = list(rows[10 - 1])
        elif key:
            target = next(i for i, k in ss.guess_mapping(HEADERS).items()
                if k == key)
            values[target] = value
        rows.append(values)
    path = tmp_path / 'impianti_1000.xlsx'
    path.write_bytes(xlsx_bytes(rows))
    return path


def test_thousand_rows(tmp_path):
    path = big_file(tmp_path)
    start = time.perf_counter()
    sheet = ss.read_sheet(path.read_bytes(), path.name)
    read = time.perf_counter() - start
    mapping = ss.guess_mapping(sheet.headers)
    start = time.perf_counter()
    results = ss.validate_sheet(sheet, mapping, TODAY)
    elapsed = time.perf_counter() - start
    print('\nread_sheet: 1000 righe in %.3f s; validate_sheet: 1000 righe '
        'in %.3f s' % (read, elapsed))

    assert len(results) == 1000
    wrong = {r.row: r.errors for r in results if r.errors}
    assert sorted(wrong) == sorted(BAD_ROWS)
    for number, errors in wrong.items():
        _, _, column, text = BAD_ROWS[number]
        assert len(errors) == 1, errors
        assert errors[0].startswith('Riga %d' % number)
        assert '"%s"' % column in errors[0]
        assert text in errors[0]
    assert wrong[404] == ['Riga 404: manca il nome del cliente (colonna '
        '"Ragione sociale / Cognome e nome"); compilala o escludi la riga.']
    assert wrong[202] == ['Riga 202, colonna "Data installazione": '
        '"31/02/2010" non è una data valida (usa gg/mm/aaaa).']
    assert all(r.record is None for r in results if r.errors)
    good = [r.record for r in results if r.ok]
    assert len(good) == 993
    assert all(r['customer_name'] and r['kind'] for r in good)
    report = ss.format_report(results, limit=3)
    assert report.startswith('Righe lette: 1000; pronte da importare: 993; '
        'con errori: 7.\nRiga 101, colonna "Codice fiscale": ')
    assert report.endswith('… e altri 4 errori.')


# Values

@pytest.mark.parametrize('value, expected', [
        (24, Decimal(24)),
        (24.5, Decimal('24.5')),
        (0.1 + 0.2, Decimal('0.3')),
        ('24,5', Decimal('24.5')),
        ('24.5', Decimal('24.5')),
        (' 24,50 ', Decimal('24.50')),
        ('1.234,50', Decimal('1234.50')),
        ('1,234.50', Decimal('1234.50')),
        ('1 234,5', Decimal('1234.5')),
        ('24 kW', Decimal(24)),
        ('24,5kw', Decimal('24.5')),
        ('1.000.000', None),
        ])
def test_power(value, expected):
    if expected is None:
        assert 'non è una potenza possibile' in error_of(
            'nominal_power', value)
    else:
        assert value_of('nominal_power', value) == expected


@pytest.mark.parametrize('value, message', [
        ('abc', '"abc" non è un numero; scrivi il valore in kW con la '
            'virgola per i decimali (es. 24,5).'),
        ('1.234', '"1.234" è ambiguo: scrivi 1234 per 1,234 mila o usa la '
            'virgola per i decimali (1,234).'),
        ('1,2,3', 'non è un numero'),
        ('24000 kcal/h', 'scrivi la potenza in kW (1 kW = 860 kcal/h)'),
        ('24 kg', 'scrivi il valore in kW, senza altre unità'),
        ('24,555', '"24,555" ha più di 2 decimali; arrotondalo.'),
        (0, '0 kW non è una potenza possibile: deve essere maggiore di 0 e '
            'al massimo 10000 kW.'),
        ('-5', 'non è una potenza possibile'),
        (10000.5, 'non è una potenza possibile'),
        (True, 'non è un numero'),
        (datetime.date(2020, 1, 1), 'Excel ha trasformato il valore'),
        ])
def test_power_errors(value, message):
    error = error_of('nominal_power', value, header="Potenza kW")
    assert error.startswith('Riga 7, colonna "Potenza kW": ')
    assert message in error


def test_power_limits():
    assert value_of('nominal_power', '10000') == Decimal(10000)
    assert value_of('nominal_power', '0,01') == Decimal('0.01')


@pytest.mark.parametrize('value, expected', [
        (datetime.datetime(2015, 3, 12, 0, 0), datetime.date(2015, 3, 12)),
        (datetime.date(2015, 3, 12), datetime.date(2015, 3, 12)),
        (42075, datetime.date(2015, 3, 12)),
        (42075.5, datetime.date(2015, 3, 12)),
        ('12/03/2015', datetime.date(2015, 3, 12)),
        ('12-03-2015', datetime.date(2015, 3, 12)),
        ('12.03.2015', datetime.date(2015, 3, 12)),
        ('1/3/2015', datetime.date(2015, 3, 1)),
        ('12/03/2015 00:00:00', datetime.date(2015, 3, 12)),
        ('2015-03-12', datetime.date(2015, 3, 12)),
        ('2015-03-12T00:00:00', datetime.date(2015, 3, 12)),
        ('03/2015', datetime.date(2015, 3, 1)),
        ('3-2015', datetime.date(2015, 3, 1)),
        ])
def test_dates(value, expected):
    assert value_of('installation_date', value) == expected


@pytest.mark.parametrize('value, message', [
        ('31/02/2010', '"31/02/2010" non è una data valida (usa '
            'gg/mm/aaaa).'),
        ('13/2015', 'non è una data valida'),
        ('ieri', 'non è una data valida'),
        ('12/03/15', "scrivi l'anno con quattro cifre"),
        ('2010', 'è solo un anno'),
        (2010, 'è solo un anno'),
        ('01/01/1850', 'non è una data valida'),
        ('01/07/2025', '01/07/2025 è nel futuro; correggi la data.'),
        (datetime.datetime(2030, 1, 1), 'è nel futuro'),
        ])
def test_date_errors(value, message):
    error = error_of(
        'installation_date', value, header="Data installazione")
    assert error.startswith('Riga 7, colonna "Data installazione": ')
    assert message in error


def test_future_allowed_for_warranty():
    assert value_of('warranty_end', '31/12/2030') == (
        datetime.date(2030, 12, 31))


@pytest.mark.parametrize('value, expected', [
        (10124, '10124'),
        (1100, '01100'),
        (1100.0, '01100'),
        (183, '00183'),
        ('01100', '01100'),
        (' 20 121 ', '20121'),
        ])
def test_postal_code(value, expected):
    assert value_of('customer_postal_code', value) == expected
    assert value_of('plant_postal_code', value) == expected


@pytest.mark.parametrize('value', ['1100', '2012', 'TO', 123456, '1O100'])
def test_postal_code_errors(value):
    assert "non è un CAP valido: servono 5 cifre" in error_of(
        'customer_postal_code', value)


@pytest.mark.parametrize('value, expected', [
        ('rssmra62c15l219c', 'RSSMRA62C15L219C'),
        (' RSS MRA 62C15 L219C ', 'RSSMRA62C15L219C'),
        ('02345670042', '02345670042'),
        (2345670042, '02345670042'),
        ])
def test_fiscal_code(value, expected):
    assert value_of('fiscal_code', value) == expected


@pytest.mark.parametrize('value, reason', [
        ('RSSMRA62C15L219X', "il carattere di controllo non corrisponde"),
        ('RSSMRA62C15L219', "ha 15 caratteri, ne servono 16"),
        ('RSSMRA6AC15L219C', "non sono al loro posto"),
        ('02345670045', "non è un codice fiscale valido"),
        ])
def test_fiscal_code_errors(value, reason):
    error = error_of('fiscal_code', value, header="C.F.")
    assert error.startswith('Riga 7, colonna "C.F.": "%s" non è un codice '
        'fiscale valido: ' % value.strip())
    assert reason in error
    assert error.endswith('; correggilo o svuota la cella.')


@pytest.mark.parametrize('value, expected', [
        ('02345670042', '02345670042'),
        ('IT02345670042', '02345670042'),
        ('IT 023 4567 0042', '02345670042'),
        (2345670042, '02345670042'),
        ])
def test_vat_number(value, expected):
    assert value_of('vat_number', value) == expected


@pytest.mark.parametrize('value, reason', [
        ('02345670045', "la cifra di controllo non corrisponde"),
        ('0234567004', "ha 10 cifre, ne servono 11"),
        ('DE123456789', "non è una partita IVA italiana"),
        ('RSSMRA62C15L219C', "non è una partita IVA"),
        ])
def test_vat_number_errors(value, reason):
    error = error_of('vat_number', value, header="P.IVA")
    assert error.startswith('Riga 7, colonna "P.IVA": ')
    assert reason in error


@pytest.mark.parametrize('key, value, expected', [
        ('customer_province', 'to', 'TO'),
        ('customer_province', '(MI)', 'MI'),
        ('plant_province', ' Mb ', 'MB'),
        ('sdi_code', 'm5uxcr1', 'M5UXCR1'),
        ('sdi_code', 'UFXYZ9', 'UFXYZ9'),
        ('sdi_code', 0, '0000000'),
        ('email', ' mario.rossi@example.it ', 'mario.rossi@example.it'),
        ('pec', 'mailto:rossi@pec.example.it', 'rossi@pec.example.it'),
        ('phone', '011 812.34.56', '0118123456'),
        ('phone', 118123456, '0118123456'),
        ('phone', '+39 011 8123456', '+390118123456'),
        ('phone', '0039 011 8123456', '+390118123456'),
        ('mobile', 3331234567, '3331234567'),
        ('pdr', '0088 1000 1234 56', '00881000123456'),
        ('pdr', 881000123456, '00881000123456'),
        ('pod', 'it001e12345678', 'IT001E12345678'),
        ('catasto_code', ' to4k7p2m9a ', 'TO4K7P2M9A'),
        ('customer_name', "  Rossi   Mario ", "Rossi Mario"),
        ('customer_code', 1234, '1234'),
        ('model', 2.5, '2.5'),
        ('device_notes', " riga 1  \n  riga  2 ", "riga 1\nriga 2"),
        ('maintenance_interval', 12, 12),
        ('maintenance_interval', '24 mesi', 24),
        ('maintenance_interval', '2 anni', 24),
        ('maintenance_interval', 'Annuale', 12),
        ('brand', '-', None),
        ('brand', 'n.d.', None),
        ])
def test_values(key, value, expected):
    assert value_of(key, value) == expected


@pytest.mark.parametrize('key, value, message', [
        ('customer_province', 'Torino', "non è la sigla di una provincia"),
        ('customer_province', 'XX', "scrivi le due lettere (es. TO, MI)"),
        ('sdi_code', 'ABC', "non è un codice destinatario valido"),
        ('email', 'mario.rossi@', "non è un indirizzo e-mail valido"),
        ('email', 'a@example.it; b@example.it', "un solo indirizzo"),
        ('pec', 'rossi at pec.it', "non è un indirizzo e-mail valido"),
        ('phone', '011 8123456 / 333 1234567', "un solo numero per cella"),
        ('phone', 'chiedere', "non è un numero di telefono valido"),
        ('pdr', '12345', "servono 14 cifre"),
        ('pod', 'IT001', "IT001E12345678"),
        ('maintenance_interval', 0, "da 1 a 120 mesi"),
        ('maintenance_interval', 12.5, "non è un numero intero di mesi"),
        ('serial_number', 1.2345678901234567e18, "troppo lungo per Excel"),
        ('serial_number', datetime.datetime(2024, 3, 12),
            "formatta la colonna come testo"),
        ('brand', '#N/A', "errore di Excel \"#N/A\""),
        ('brand', True, "vero/falso"),
        ('serial_number', 'S' * 51, "è lungo 51 caratteri, il massimo è 50"),
        ('customer_name', 'N' * 201, "il massimo è 200; accorcialo."),
        ])
def test_value_errors(key, value, message):
    error = error_of(key, value, header="Colonna X")
    assert error.startswith('Riga 7, colonna "Colonna X": ')
    assert message in error


@pytest.mark.parametrize('key, value, expected', [
        ('kind', "Caldaia murale a condensazione", 'boiler'),
        ('kind', "GENERATORE DI CALORE", 'boiler'),
        ('kind', "Gruppo termico", 'boiler'),
        ('kind', "Pompa di calore aria-acqua", 'heat_pump'),
        ('kind', "PDC", 'heat_pump'),
        ('kind', "Climatizzatore dual split", 'air_conditioner'),
        ('kind', "condizionatore d'aria", 'air_conditioner'),
        ('kind', "Split", 'air_conditioner'),
        ('kind', "Scaldabagno a gas", 'water_heater'),
        ('kind', "Scaldacqua", 'water_heater'),
        ('kind', "Boiler elettrico", 'water_heater'),
        ('kind', "Pannelli solari", 'solar_thermal'),
        ('kind', "Solare termico", 'solar_thermal'),
        ('kind', "Microcogeneratore", 'cogeneration'),
        ('kind', "Sottostazione", 'district_heating'),
        ('kind', "Teleriscaldamento", 'district_heating'),
        ('kind', "Altro", 'other'),
        ('kind', "heat_pump", 'heat_pump'),
        ('fuel', "Metano", 'natural_gas'),
        ('fuel', "gas naturale", 'natural_gas'),
        ('fuel', "Gas metano", 'natural_gas'),
        ('fuel', "G.P.L.", 'lpg'),
        ('fuel', "Propano", 'lpg'),
        ('fuel', "Aria propanata", 'propane_air'),
        ('fuel', "Biogas", 'biogas'),
        ('fuel', "Gasolio", 'gasoil'),
        ('fuel', "Olio combustibile", 'fuel_oil'),
        ('fuel', "Nafta", 'fuel_oil'),
        ('fuel', "Kerosene", 'kerosene'),
        ('fuel', "Biodiesel", 'biodiesel'),
        ('fuel', "Pellet", 'pellet'),
        ('fuel', "Legna", 'wood'),
        ('fuel', "Cippato", 'wood_chips'),
        ('fuel', "Bricchette", 'briquettes'),
        ('fuel', "Energia elettrica", 'electricity'),
        ('fuel', "Elettrico", 'electricity'),
        ('fuel', "Solare", 'solar'),
        ('fuel', "Teleriscaldamento", 'district_heating'),
        ('fuel', "Altro", 'other'),
        ('generator_class', "Standard", 'standard'),
        ('generator_class', "Bassa temperatura", 'low_temperature'),
        ('generator_class', "A condensazione", 'gas_condensing'),
        ('generator_class', "condensazione", 'gas_condensing'),
        ('heat_carrier', "Acqua", 'water'),
        ('heat_carrier', "ARIA", 'air'),
        ('refrigerant', "R32", 'R32'),
        ('refrigerant', "r-410 a", 'R410A'),
        ('refrigerant', "R 407C", 'R407C'),
        ('refrigerant', "R134A", 'R134a'),
        ('refrigerant', "R-1234YF", 'R1234yf'),
        ('refrigerant', "R1234ze(E)", 'R1234ze(E)'),
        ('refrigerant', "R290", 'R290'),
        ('refrigerant', "R744", 'R744'),
        ('refrigerant', "R454b", 'R454B'),
        ('refrigerant', "R404A", 'R404A'),
        ('refrigerant', "R22", 'R22'),
        ('refrigerant', "410A", 'R410A'),
        ('refrigerant', 32, 'R32'),
        ])
def test_choices(key, value, expected):
    assert value_of(key, value) == expected


def test_choice_errors():
    assert error_of('kind', "Frigorifero", header="Tipo") == (
        'Riga 7, colonna "Tipo": "Frigorifero" non è un valore '
        'riconosciuto; valori accettati: caldaia, pompa di calore, '
        'condizionatore, scaldabagno, solare termico, cogeneratore, '
        'sottostazione di teleriscaldamento, altro.')
    assert error_of('kind', "Boiler", header="Tipo") == (
        'Riga 7, colonna "Tipo": "Boiler" è ambiguo: scrivi "caldaia" o '
        '"scaldabagno".')
    assert 'valori accettati: metano, GPL, aria propanata' in error_of(
        'fuel', "carbone")
    assert '"Gas" è ambiguo: scrivi "metano" o "GPL".' in error_of(
        'fuel', "Gas")
    assert 'valori accettati: standard, bassa temperatura' in error_of(
        'generator_class', "alta")
    assert 'es. R32, R410A' in error_of('refrigerant', "Freon")


# Rows

def test_required():
    headers = ["Ragione sociale", "Tipo apparecchio", "Marca"]
    mapping = {0: 'customer_name', 1: 'kind', 2: 'brand'}
    record, errors = ss.parse_row(
        [None, ' ', "Baxi"], mapping, headers, 5, TODAY)
    assert errors == [
        'Riga 5: manca il nome del cliente (colonna "Ragione sociale"); '
        'compilala o escludi la riga.',
        'Riga 5: manca il tipo di apparecchio (colonna "Tipo '
        'apparecchio"); compilala o escludi la riga.']
    assert record['brand'] == "Baxi"
    # A wrong value is reported as wrong, not as missing
    record, errors = ss.parse_row(
        ['R' * 201, "Caldaia", None], mapping, headers, 5, TODAY)
    assert len(errors) == 1 and 'il massimo è 200' in errors[0]


def test_cross_checks():
    headers = ["Cliente", "Tipo", "Data installazione", "Fine garanzia",
        "Gas", "Carica kg", "Ultima manutenzione", "Prov", "Prov impianto"]
    mapping = {0: 'customer_name', 1: 'kind', 2: 'installation_date',
        3: 'warranty_end', 4: 'refrigerant', 5: 'refrigerant_charge',
        6: 'last_maintenance_date', 7: 'customer_province',
        8: 'plant_province'}
    sheet = ss.Sheet(headers, [
            (2, ["Rossi", "Split", '01/06/2020', '01/06/2019', None,
                '0,8', '01/07/2025', 'TO', None]),
            (3, ["Rossi", "Split", '01/06/2020', '01/06/2022', 'R32', 0,
                '30/06/2025', 'TO', 'CN']),
            (4, ["Rossi", "Split", '01/06/2020', '01/06/2020', 'R32',
                '0,765', None, 'TO', None]),
            ])
    first, second, third = ss.validate_sheet(sheet, mapping, TODAY)
    assert first.record is None
    assert first.errors == [
        'Riga 2, colonna "Carica kg": la carica di refrigerante richiede il '
        'tipo di gas (colonna "Gas"); compilalo o svuota la carica.',
        'Riga 2, colonna "Ultima manutenzione": 01/07/2025 è nel futuro; '
        'correggi la data.',
        'Riga 2, colonna "Fine garanzia": la garanzia finisce il '
        '01/06/2019, prima dell\'installazione (01/06/2020, colonna "Data '
        'installazione"); correggi una delle due date.']
    assert second.errors == [
        'Riga 3, colonna "Carica kg": 0 kg non è una carica possibile: deve '
        'essere maggiore di 0.']
    assert third.ok
    assert third.record['refrigerant_charge'] == Decimal('0.765')
    assert third.record['plant_province'] == 'TO'


def test_duplicates():
    headers = ["Cliente", "Tipo", "Marca", "Matricola", "Matricola"]
    mapping = {0: 'customer_name', 1: 'kind', 2: 'brand', 3: 'serial_number'}
    sheet = ss.Sheet(headers, [
            (2, ["Rossi", "Caldaia", "Baxi", "AB-123", None]),
            (3, ["Rossi", "Caldaia", "Vaillant", "AB-123", None]),
            (5, ["Bianchi", "Caldaia", "BAXI", "ab 123", None]),
            (6, ["Verdi", "Caldaia", None, "X1", None]),
            (7, ["Verdi", "Caldaia", None, "X1", None]),
            ])
    results = ss.validate_sheet(sheet, mapping, TODAY)
    assert [r.ok for r in results] == [True, True, False, True, False]
    assert results[2].errors == [
        'Riga 5, colonna "Matricola (D)": la matricola "ab 123" della marca '
        '"BAXI" c\'è già alla riga 2; togli il doppione o correggi la '
        'matricola.']
    assert results[4].errors == [
        'Riga 7, colonna "Matricola (D)": la matricola "X1" c\'è già alla '
        'riga 6; togli il doppione o correggi la matricola.']


def test_parse_row_with_sheet_and_short_values():
    sheet = ss.Sheet(["Cliente", "Tipo", "Marca"], [])
    record, errors = ss.parse_row(
        ["Rossi", "Caldaia"], {0: 'customer_name', 1: 'kind', 2: 'brand'},
        sheet, 9)
    assert errors == []
    assert record == dict(dict.fromkeys(ss.KEYS),
        customer_name="Rossi", kind='boiler')


def test_targets():
    assert [t.key for t in ss.TARGETS] == [
        'customer_code', 'customer_name', 'fiscal_code', 'vat_number',
        'customer_street', 'customer_postal_code', 'customer_city',
        'customer_province', 'phone', 'mobile', 'email', 'pec', 'sdi_code',
        'plant_street', 'plant_postal_code', 'plant_city', 'plant_province',
        'catasto_code', 'pdr', 'pod', 'kind', 'brand', 'model',
        'serial_number', 'fuel', 'nominal_power', 'generator_class',
        'heat_carrier', 'installation_date', 'first_start_date',
        'warranty_end', 'refrigerant', 'refrigerant_charge',
        'maintenance_interval', 'last_maintenance_date',
        'last_efficiency_check_date', 'device_notes']
    assert [t.key for t in ss.TARGETS if t.required] == [
        'customer_name', 'kind']
    for key, label, type_, required in ss.TARGETS:
        assert type_ in ss._PARSERS
