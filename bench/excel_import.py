#!/usr/bin/env python3
# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the spreadsheet import (termogest.impianti.import)

Generate realistic .xlsx files with openpyxl (Italian customers with a
valid codice fiscale or partita IVA, addresses, plants with catasto code,
PDR or POD, and their devices: every column the import knows, one device
per row), of 1,000 and 5,000 rows, each also with about 2% of bad rows.
Each file is imported by a secretary (sara of the demo data) through the
wizard, as the client drives it (read, check, import), on a fresh copy of
bench_base on PostgreSQL that is dropped afterwards.  Report rows per
second of the whole wizard (reading, validation and writing) against the
target of 500 rows/s, and the time of each step.

    .venv/bin/python bench/excel_import.py [--import-rows 1000,5000]
        [--import-bad 0.02] [--import-template bench_base]
        [--import-config bench/trytond.conf] [--import-profile]

Needs the benchmark cluster (bench/pg.sh start) and bench_base.
"""
import argparse
import cProfile
import datetime
import io
import os
import pstats
import random
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = ROOT / 'bench' / 'trytond.conf'
TARGET = 500    # rows per second, with validation
USER = 'rossiimpianti.sara'
TODAY = datetime.date(2026, 1, 15)  # the dates of the files stay before
# Read by trytond.config when it is first imported (the backend follows it)
os.environ.setdefault('TRYTOND_CONFIG', str(DEFAULT_CONFIG))

from trytond.modules.termogest_impianti import spreadsheet  # noqa: E402

# Every column the import knows, as in the sample file it offers
HEADERS = spreadsheet.SAMPLE_HEADERS
COLUMN = {h: i for i, h in enumerate(HEADERS)}

SURNAMES = (
    "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco "
    "Bruno Gallo Conti Costa Giordano Mancini Rizzo Lombardi Moretti "
    "Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli Martini "
    "Leone Longo Gentile Martinelli Vitale Lombardo Serra Coppola Marchetti "
    "Ferri Fabbri Bianco Villa Parisi Cattaneo Pellegrini Sala Testa "
    "Ferraris Bernardi Monti Fumagalli Brambilla Riva Sartori Piras").split()
MALE = ("Mario Luca Giuseppe Marco Andrea Francesco Alessandro Paolo "
    "Stefano Roberto Davide Matteo Giovanni Lorenzo Simone Fabio Massimo "
    "Claudio Enrico Pietro").split()
FEMALE = ("Laura Francesca Giulia Anna Chiara Elena Sara Paola Silvia "
    "Valentina Martina Federica Alessandra Roberta Monica Elisa Cristina "
    "Barbara Ilaria Marta").split()
# Comune, province, CAP, Belfiore code (for the codice fiscale)
CITIES = [
    ("Torino", 'TO', '10121', 'L219'), ("Moncalieri", 'TO', '10024', 'F335'),
    ("Rivoli", 'TO', '10098', 'H355'), ("Chieri", 'TO', '10023', 'C627'),
    ("Cuneo", 'CN', '12100', 'D205'), ("Alba", 'CN', '12051', 'A124'),
    ("Asti", 'AT', '14100', 'A479'), ("Alessandria", 'AL', '15121', 'A182'),
    ("Novara", 'NO', '28100', 'F952'), ("Biella", 'BI', '13900', 'A859'),
    ("Vercelli", 'VC', '13100', 'L750'), ("Milano", 'MI', '20121', 'F205'),
    ("Sesto San Giovanni", 'MI', '20099', 'I690'),
    ("Monza", 'MB', '20900', 'F704'), ("Bergamo", 'BG', '24121', 'A794'),
    ("Brescia", 'BS', '25121', 'B157'), ("Como", 'CO', '22100', 'C933'),
    ("Varese", 'VA', '21100', 'L682'), ("Pavia", 'PV', '27100', 'G388'),
    ("Lecco", 'LC', '23900', 'E507'), ("Roma", 'RM', '00184', 'H501'),
    ]
PIEMONTE = frozenset('TO CN AT AL NO BI VC VB'.split())
STREETS = [
    "Via Roma", "Corso Francia", "Via Garibaldi", "Via Mazzini",
    "Via Cavour", "Corso Vittorio Emanuele II", "Via Verdi", "Via Dante",
    "Piazza della Repubblica", "Via Manzoni", "Viale Monza", "Via Nizza",
    "Corso Regina Margherita", "Via Po", "Via XX Settembre",
    "Via Trieste", "Via Milano", "Via San Francesco d'Assisi",
    "Strada del Drosso", "Via Sacco", "Via Pignolo", "Via Italia",
    "Corso Giulio Cesare", "Via Nazionale", "Via dei Mille"]
# Kind spellings, brand, models, fuel, power range (kW), class, carrier,
# refrigerants, charge range (kg)
DEVICES = [
    (["Caldaia", "Caldaia murale a condensazione", "Caldaia a "
        "condensazione", "Generatore di calore"], "Vaillant",
        ["ecoTEC plus VMW 246/5-5", "ecoTEC pure VMW 236/7-2"],
        ["Metano", "Gas metano", "GPL"], (18, 35),
        ["Condensazione", "A condensazione"], "Acqua", None, None),
    (["Caldaia"], "Baxi", ["Luna Duo-tec E 28", "Prime 24"],
        ["Metano"], (20, 33), ["Condensazione"], "Acqua", None, None),
    (["Caldaia", "Gruppo termico"], "Immergas",
        ["Victrix Tera 24 1", "Victrix Tera 28 1"], ["Metano", "GPL"],
        (20, 30), ["Condensazione"], "Acqua", None, None),
    (["Caldaia"], "Beretta", ["Mynute Green 25 C.S.I.", "Ciao 24 CAI"],
        ["Metano"], (20, 28), ["Standard", "Condensazione"], "Acqua", None,
        None),
    (["Caldaia"], "Ariston", ["Clas One 24", "Genus One 30"], ["Metano"],
        (20, 30), ["Condensazione"], "Acqua", None, None),
    (["Caldaia", "Gruppo termico"], "Ferroli",
        ["Bluehelix Tech RRT 24 C", "Atlas D 30"], ["Metano", "Gasolio"],
        (22, 35), ["Condensazione", "Standard"], "Acqua", None, None),
    (["Generatore di calore"], "Viessmann",
        ["Vitodens 200-W B2HF 32", "Vitocrossal 300 CU3A 87"],
        ["Metano"], (30, 90), ["A condensazione"], "Acqua", None, None),
    (["Pompa di calore", "Pompa di calore aria-acqua"], "Daikin",
        ["Altherma 3 R EHBH08E6V", "Altherma 3 H HT"], ["Elettrico",
            "Energia elettrica"], (6, 16), [None], "Acqua",
        ["R32", "R-32"], (1.0, 3.0)),
    (["Pompa di calore"], "Mitsubishi Electric", ["Ecodan PUZ-WM85VAA"],
        ["Energia elettrica"], (6, 14), [None], "Acqua", ["R32"],
        (1.0, 2.5)),
    (["Climatizzatore", "Condizionatore", "Dual split"], "Daikin",
        ["Perfera FTXM35R", "Emura FTXJ25AW"], ["Energia elettrica"],
        (2, 7), [None], "Aria", ["R32", "R410A"], (0.5, 1.5)),
    (["Climatizzatore"], "Samsung", ["WindFree Avant AR12TXEAAWKNEU"],
        ["Energia elettrica"], (2, 7), [None], "Aria", ["R32"], (0.5, 1.2)),
    (["Scaldabagno"], "Ariston", ["Velis Evo 80", "Nuos Plus 110"],
        ["Elettrico"], (1, 3), [None], "Acqua", None, None),
    ]


# The codes of the import's own sample file: valid check characters
fiscal_code = spreadsheet._sample_fiscal_code
vat_number = spreadsheet._sample_vat_number


def _date(rng, start_year, end=TODAY):
    start = datetime.date(start_year, 1, 1)
    return start + datetime.timedelta(
        days=rng.randrange(max((end - start).days, 1)))


class Generator:
    "Realistic rows, one device per row, reproducible from a seed"

    def __init__(self, seed=8):
        self.rng = random.Random(seed)
        self.codes = set()
        self.serials = set()
        self.number = 0

    def unique(self, make):
        while True:
            value = make()
            if value not in self.codes:
                self.codes.add(value)
                return value

    def customer(self):
        rng = self.rng
        self.number += 1
        city, province, postal_code, place = rng.choice(CITIES)
        street = '%s %d' % (rng.choice(STREETS), rng.randint(1, 180))
        kind = rng.random()
        values = dict.fromkeys(HEADERS)
        values.update({
                "Cod. cliente": ('CLI%05d' % self.number
                    if rng.random() < 0.8 else None),
                "Indirizzo": street, "CAP": postal_code, "Comune": city,
                "Prov.": province,
                })
        if postal_code.startswith('0') and rng.random() < 0.5:
            values["CAP"] = int(postal_code)  # Excel dropped the zero
        if kind < 0.7:
            surname, female = rng.choice(SURNAMES), rng.random() < 0.5
            name = rng.choice(FEMALE if female else MALE)
            values["Ragione sociale / Cognome e nome"] = '%s %s' % (
                surname, name)
            values["Codice fiscale"] = self.unique(lambda: fiscal_code(
                    surname, name, _date(rng, 1935, datetime.date(2000, 1, 1)),
                    female, rng.choice(CITIES)[3]))
            login = '%s.%s' % (name.lower(), surname.lower())
            if rng.random() < 0.6:
                values["E-mail"] = '%s%d@example.it' % (
                    login, rng.randint(1, 99))
            values["Cellulare"] = '3%02d %03d %04d' % (
                rng.randint(20, 49), rng.randint(0, 999),
                rng.randint(0, 9999))
            if rng.random() < 0.5:
                values["Telefono"] = '0%d %d' % (rng.randint(10, 99),
                    rng.randint(100000, 9999999))
        elif kind < 0.85:
            surname = rng.choice(SURNAMES)
            name = rng.choice([
                    "%s Impianti S.r.l.", "Immobiliare %s S.r.l.",
                    "%s & C. S.n.c.", "Albergo %s S.a.s.",
                    "Studio %s Associati"]) % surname
            vat = self.unique(lambda: vat_number(
                    rng.randint(1000000, 9999999), rng.randint(1, 100)))
            values.update({
                    "Ragione sociale / Cognome e nome": name,
                    "Codice fiscale": vat, "Partita IVA": vat,
                    "Telefono": '0%d %d' % (rng.randint(10, 99),
                        rng.randint(100000, 9999999)),
                    "E-mail": 'info@%s%d.example.it' % (
                        surname.lower(), self.number),
                    "PEC": '%s%d@pec.example.it' % (
                        surname.lower(), self.number),
                    "Codice destinatario": ''.join(rng.choice(
                            'ABCDEFGHJKLMNPRSTUVWXYZ0123456789')
                        for _ in range(7)),
                    })
        else:
            name = "Condominio %s" % street
            values.update({
                    "Ragione sociale / Cognome e nome": name,
                    "Codice fiscale": self.unique(lambda: vat_number(
                            rng.randint(9000000, 9799999),
                            rng.randint(1, 100))),
                    "Telefono": '0%d %d' % (rng.randint(10, 99),
                        rng.randint(100000, 9999999)),
                    "E-mail": 'amministrazione%d@example.it' % self.number,
                    "Codice destinatario": '0000000',
                    })
        return values

    def plant(self, customer, first):
        rng = self.rng
        values = {}
        if not first:  # another house: a holiday home, a shop
            city, province, postal_code, _ = rng.choice(CITIES)
            values.update({
                    "Indirizzo impianto": '%s %d' % (
                        rng.choice(STREETS), rng.randint(1, 180)),
                    "CAP impianto": postal_code, "Comune impianto": city,
                    "Prov. impianto": province,
                    })
        province = values.get("Prov. impianto") or customer["Prov."]
        if province in PIEMONTE:  # the CIT code is a number
            values["Targa impianto"] = self.unique(
                lambda: '%010d' % rng.randrange(10 ** 10))
        else:
            values["Targa impianto"] = self.unique(lambda: province + ''.join(
                    rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ0123456789')
                    for _ in range(8)))
        return values

    def device(self, plant):
        rng = self.rng
        (kinds, brand, models, fuels, power, classes, carrier,
            refrigerants, charge) = rng.choice(DEVICES)
        installed = _date(rng, 1998, TODAY - datetime.timedelta(days=60))
        maintained = _date(rng, max(installed.year, 2023) + 1
            if installed.year < 2025 else 2025)
        if maintained < installed:
            maintained = installed
        while True:
            serial = '%s%07d' % (brand[:2].upper(), rng.randrange(10 ** 7))
            if serial not in self.serials:
                self.serials.add(serial)
                break
        fuel = rng.choice(fuels)
        values = {
            "Tipo apparecchio": rng.choice(kinds), "Marca": brand,
            "Modello": rng.choice(models), "Matricola": serial,
            "Combustibile": fuel,
            "Potenza kW": (rng.randint(*power) if rng.random() < 0.7
                else ('%.1f' % rng.uniform(*power)).replace('.', ',')),
            "Classe": rng.choice(classes), "Fluido termovettore": carrier,
            "Data installazione": (installed if rng.random() < 0.8
                else installed.strftime('%d/%m/%Y')),
            "Data prima accensione": installed + datetime.timedelta(
                days=rng.randint(0, 10)),
            "Scadenza garanzia": installed + datetime.timedelta(
                days=365 * rng.choice([2, 2, 3, 5])),
            "Periodicità manutenzione (mesi)": rng.choice([12, 12, 12, 24]),
            "Ultima manutenzione": maintained,
            }
        if values["Data prima accensione"] > TODAY:
            values["Data prima accensione"] = None
        if refrigerants:
            values["Gas refrigerante"] = rng.choice(refrigerants)
            values["Carica kg"] = ('%.2f' % rng.uniform(*charge)).replace(
                '.', ',')
        if fuel in {"Metano", "Gas metano", "GPL", "Gasolio"}:
            values["Ultimo controllo fumi"] = maintained
            if not plant.get("_pdr") and fuel != "Gasolio":
                plant["_pdr"] = '%014d' % rng.randrange(10 ** 14)
        elif not plant.get("_pod"):
            plant["_pod"] = 'IT001E%08d' % rng.randrange(10 ** 8)
        if rng.random() < 0.1:
            values["Note"] = rng.choice([
                    "Centrale termica al piano interrato",
                    "Chiave presso il portiere", "Split in soggiorno",
                    "Camera aperta, tiraggio naturale",
                    "Serbatoio GPL interrato"])
        return values

    def rows(self, count):
        "count rows: customers with 1-2 plants of 1-3 devices each"
        rows = []
        while len(rows) < count:
            customer = self.customer()
            plants = 2 if self.rng.random() < 0.12 else 1
            for index in range(plants):
                plant = self.plant(customer, index == 0)
                devices = self.rng.choices([1, 2, 3], [0.6, 0.3, 0.1])[0]
                plant_rows = []
                for _ in range(devices):
                    values = dict(customer)
                    values.update(plant)
                    values.update(self.device(plant))
                    plant_rows.append(values)
                for values in plant_rows:
                    values["PDR"] = plant.get("_pdr")
                    values["POD"] = plant.get("_pod")
                rows.extend(plant_rows)
        return [[r.get(h) for h in HEADERS] for r in rows[:count]]


# Bad values, each making exactly one error on its row
def _bad_fiscal_code(row, rows, rng):
    code = row[COLUMN["Codice fiscale"]]
    if code and len(code) == 16:
        last = code[-1]
        row[COLUMN["Codice fiscale"]] = code[:-1] + (
            'A' if last != 'A' else 'B')
    else:
        row[COLUMN["Codice fiscale"]] = 'RSSMRA85T10A562X'
        row[COLUMN["Partita IVA"]] = None


BAD_VALUES = [
    _bad_fiscal_code,
    lambda row, rows, rng: row.__setitem__(
        COLUMN["Data installazione"], '31/02/2019'),
    lambda row, rows, rng: row.__setitem__(
        COLUMN["Tipo apparecchio"], 'Frigorifero'),
    lambda row, rows, rng: row.__setitem__(
        COLUMN["Ragione sociale / Cognome e nome"], None),
    lambda row, rows, rng: row.__setitem__(COLUMN["Potenza kW"], '24 kcal/h'),
    lambda row, rows, rng: row.__setitem__(COLUMN["CAP"], '1012'),
    lambda row, rows, rng: row.__setitem__(COLUMN["E-mail"], 'mario.rossi@'),
    lambda row, rows, rng: row.__setitem__(
        COLUMN["Ultima manutenzione"], datetime.date(2031, 5, 4)),
    lambda row, rows, rng: row.__setitem__(COLUMN["Prov."], 'XX'),
    lambda row, rows, rng: row.__setitem__(
        COLUMN["Periodicità manutenzione (mesi)"], 'ogni tanto'),
    ]


def _duplicate_serial(row, rows, rng):
    "The matricola of an earlier row of the same brand"
    brand = row[COLUMN["Marca"]]
    for other in rows:
        if other is row:
            return False
        if other[COLUMN["Marca"]] == brand and other[COLUMN["Matricola"]]:
            row[COLUMN["Matricola"]] = other[COLUMN["Matricola"]]
            return True
    return False


def generate(count, bad_ratio=0.0, seed=8):
    """Return (headers, rows, bad row numbers as Excel shows them)

    bad_ratio of the rows get one wrong value each (the header is row 1,
    so the row at index i is row i + 2).
    """
    generator = Generator(seed)
    rows = generator.rows(count)
    rng = random.Random(seed + 1)
    bad = set()
    if bad_ratio:
        indexes = sorted(rng.sample(range(1, count), round(count * bad_ratio)))
        for n, index in enumerate(indexes):
            row = rows[index]
            if n % (len(BAD_VALUES) + 1) == len(BAD_VALUES):
                if not _duplicate_serial(row, rows, rng):
                    BAD_VALUES[0](row, rows, rng)
            else:
                BAD_VALUES[n % (len(BAD_VALUES) + 1)](row, rows, rng)
            bad.add(index + 2)
    return list(HEADERS), rows, bad


def write_xlsx(headers, rows):
    "The bytes of an .xlsx file with headers and rows, dates formatted"
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Impianti"
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime.date):
                cell.number_format = 'DD/MM/YYYY'
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def check_file(data, bad):
    """Check the file offline with the import engine: the rows in bad,
    and only them, have errors; return the number of rows"""
    from trytond.modules.termogest_impianti import spreadsheet
    sheet = spreadsheet.read_sheet(data, 'check.xlsx')
    mapping = spreadsheet.guess_mapping(sheet.headers)
    results = spreadsheet.validate_sheet(sheet, mapping, today=TODAY)
    wrong = {r.row: r.errors for r in results if r.errors}
    if set(wrong) != set(bad):
        unexpected = {k: v for k, v in wrong.items() if k not in bad}
        raise AssertionError("generated file: unexpected errors %s, "
            "missing errors on rows %s" % (
                list(unexpected.items())[:5], sorted(set(bad) - set(wrong))))
    return len(results)


# The database

def _admin_connection(uri):
    import psycopg
    parts = urllib.parse.urlparse(uri)
    return psycopg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username,
        password=urllib.parse.unquote(parts.password or ''),
        dbname='postgres', autocommit=True)


def create_database(template, name):
    "Copy template to name (CREATE DATABASE ... TEMPLATE)"
    import psycopg

    import trytond.config as config
    with _admin_connection(config.get('database', 'uri')) as connection:
        for attempt in range(60):
            try:
                connection.execute('CREATE DATABASE "%s" TEMPLATE "%s"'
                    % (name, template))
                return
            except psycopg.errors.ObjectInUse:
                # someone is connected to the template: wait a little
                if attempt == 59:
                    raise
                time.sleep(2)


def drop_database(name):
    "Close trytond's connections to name and drop it"
    import trytond.config as config
    from trytond import backend
    from trytond.cache import Cache
    from trytond.pool import Pool
    backend.Database(name).close()
    Pool.stop(name)
    Cache.drop(name)
    with _admin_connection(config.get('database', 'uri')) as connection:
        connection.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)'
            % name)


def run_import(database, data, filename, user=USER, profiler=None):
    """Run the wizard on data as user: a dict of timings and counts

    The three steps are three calls, each in its own transaction, as the
    client makes them.
    """
    from proteus import Wizard
    from proteus.config import TrytondConfig
    config = TrytondConfig(database, user)
    devices = config.get_proxy('termogest.device')
    before = devices.search_count([], config.context)
    times = {}
    wizard = Wizard('termogest.impianti.import', config=config)
    wizard.form.file = data
    wizard.form.filename = filename
    if profiler:
        profiler.enable()
    for step in ['read', 'check', 'import_']:
        start = time.perf_counter()
        wizard.execute(step)
        times[step] = time.perf_counter() - start
    if profiler:
        profiler.disable()
    return {
        'times': times,
        'report': wizard.form.report,
        'devices': devices.search_count([], config.context) - before,
        }


def measure_file(args, count, bad_ratio, profiler=None):
    "Generate, import on a fresh database, drop it: one result dict"
    headers, rows, bad = generate(count, bad_ratio)
    data = write_xlsx(headers, rows)
    check_file(data, bad)
    name = 'bench_import_%s' % uuid.uuid4().hex[:8]
    create_database(args.import_template, name)
    try:
        outcome = run_import(name, data, 'impianti_%d.xlsx' % count,
            profiler=profiler)
    finally:
        if not args.import_keep_db:
            drop_database(name)
    if outcome['devices'] != count - len(bad):
        raise AssertionError("%d devices created, %d expected: %s" % (
                outcome['devices'], count - len(bad),
                outcome['report'][:500]))
    total = sum(outcome['times'].values())
    steps = ', '.join('%s %.2f s' % (s, t)
        for s, t in outcome['times'].items())
    return {
        'name': "Excel import %s rows%s (read+check+import)" % (
            format(count, ','), ', %d bad' % len(bad) if bad else ''),
        'value': count / total,
        'unit': 'rows/s',
        'baseline': None,
        'baseline_name': None,
        'ratio': None,
        'target': '>= %d rows/s' % TARGET,
        'ok': count / total >= TARGET,
        'note': '%.2f s: %s; %d devices created%s' % (
            total, steps, outcome['devices'],
            '' if not args.import_keep_db else ', kept in %s' % name),
        }


def _options(args):
    "args with the defaults of add_arguments for what it lacks"
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    defaults = vars(parser.parse_args([]))
    defaults.update({k: v for k, v in vars(args).items()
            if k.startswith('import_')})
    return argparse.Namespace(**defaults)


def measure(args):
    """Return the import figures as a list of result dicts

    value is rows per second of the three steps of the wizard; there is
    no baseline (baseline and ratio are None).
    """
    import trytond.config as config
    args = _options(args)
    config.update_etc(str(args.import_config))
    os.environ.setdefault('TRYTOND_CONFIG', str(args.import_config))
    results = []
    for count in args.import_rows:
        for bad_ratio in [0.0, args.import_bad] if args.import_bad else [0.0]:
            results.append(measure_file(args, count, bad_ratio))
    return results


def _rows(text):
    return [int(v.replace('_', '')) for v in text.split(',') if v]


def add_arguments(parser):
    group = parser.add_argument_group("Excel import (bench/excel_import.py)")
    group.add_argument('--import-rows', type=_rows, default=[1000, 5000],
        help="rows of the files, comma separated (default 1000,5000)")
    group.add_argument('--import-bad', type=float, default=0.02,
        help="share of bad rows of the second file of each size "
        "(default 0.02; 0 for none)")
    group.add_argument('--import-template', default='bench_base',
        help="database copied for each file (default bench_base)")
    group.add_argument('--import-config', type=Path, default=DEFAULT_CONFIG,
        help="trytond.conf of the benchmark cluster")
    group.add_argument('--import-keep-db', action='store_true',
        help="keep the databases of the imports (to inspect them)")
    group.add_argument('--import-profile', action='store_true',
        help="print the cProfile report of the largest import")


def print_table(results, out=sys.stdout):
    print("%-52s %12s %16s %s" % ("Measure", "value", "target", "ok"),
        file=out)
    for r in results:
        print("%-52s %7.0f %s %16s %s" % (
                r['name'], r['value'], r['unit'], r['target'],
                'OK' if r['ok'] else 'NO'), file=out)
        print("    %s" % r['note'], file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    results = measure(args)
    print_table(results)
    if args.import_profile:
        profiler = cProfile.Profile()
        measure_file(args, max(args.import_rows), 0.0, profiler=profiler)
        stats = pstats.Stats(profiler)
        stats.sort_stats('cumulative').print_stats(40)
        stats.sort_stats('tottime').print_stats(25)
    return 0


if __name__ == '__main__':
    sys.exit(main())
