#!/usr/bin/env python3
# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Generate realistic Italian scale data for TermoGest on PostgreSQL.

    .venv/bin/python bench/generate.py --customers 50000 \\
        --database bench_50k [--template bench_base] [--seed 1]
    .venv/bin/python bench/generate.py --database bench_50k --check-only

The database is dropped (when it exists) and created again as a copy of the
template: the TermoGest modules, Italian and the demo data of
scripts/demo_data.py.  A missing template is built first (the pg_trgm
extension, trytond-admin --all, the six modules, Italian, the demo data).
Then:

- the ORM adds what a large service centre has and the demo lacks: about
  one technician account (company.employee, party, res.user of role
  technician) per 550 customers, at least 20 with the demo's Luca and
  Marco, and the fiscal years of the last five years with their invoice
  sequences;
- the rows are made in Python from random.Random(seed) and loaded with
  COPY: per customer a card (75% persons with a codice fiscale, 25%
  companies with a partita IVA), its address in a real Italian city, its
  phones and e-mail, one plant with its booklet, two devices, ten
  interventions over five years with their appointments, about two calls
  and two posted invoices (with their account moves), a maintenance
  contract for 30% of the plants; the open agenda of every technician from
  today to two weeks ahead.  Every column the ORM fills is filled, the id
  sequences and the Tryton sequences are advanced, then ANALYZE runs;
- --check (on by default up to 5,000 customers) opens the database with the
  ORM, reads every field of 50 random records of each model filled and
  validates them, counts the maintenance due list and a technician's
  appointments of today.

The server is read from bench/trytond.conf ([database] uri) or --uri.
"""
import argparse
import configparser
import datetime as dt
import gc
import json
import math
import os
import random
import re
import secrets
import subprocess
import sys
import time
from collections import Counter, defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from string import Template
from zoneinfo import ZoneInfo

import psycopg
from dateutil.easter import easter
from psycopg import sql
from psycopg.conninfo import make_conninfo

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CONFIG = os.path.join(HERE, 'trytond.conf')
MODULES = [
    'termogest_permessi', 'termogest_clienti', 'termogest_impianti',
    'termogest_agenda', 'termogest_fatturapa', 'termogest_mobile']
TZ = ZoneInfo('Europe/Rome')
UTC = dt.timezone.utc
CENT = Decimal('0.01')
HISTORY_YEARS = 5
# The technicians' days around today that must be full (6-8 appointments)
WINDOW_PAST = 30
WINDOW_FUTURE = 14
# Appointment slots of a technician's day (local time), 75 minutes each
SLOTS = [(8, 0), (9, 15), (10, 30), (11, 45), (14, 0), (15, 15), (16, 30)]
FULL_DAY = (1 << len(SLOTS)) - 1
CUSTOMERS_PER_TECHNICIAN = 550
MIN_TECHNICIANS = 20
TECHNICIAN_PASSWORD = 'Tecnico-Bench-2026!'
CHECK_SAMPLE = 50
CHECK_DEFAULT_LIMIT = 5000
# Italian public holidays (month, day); Easter Monday is added per year
HOLIDAYS = [(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1),
    (12, 8), (12, 25), (12, 26)]


# -- small helpers -----------------------------------------------------------

class Progress:
    "A progress bar on stderr"

    def __init__(self, label, total):
        self.label, self.total = label, max(total, 1)
        self.done = 0
        self.start = self.shown = time.monotonic()
        self.tty = sys.stderr.isatty()
        if self.tty:
            self._draw(force=True)

    def update(self, count=1):
        self.done += count
        self._draw()

    def _draw(self, force=False):
        now = time.monotonic()
        if not force and now - self.shown < (0.2 if self.tty else 10):
            return
        self.shown = now
        ratio = min(self.done / self.total, 1)
        bar = '#' * int(ratio * 30)
        line = '%-26s [%-30s] %3d%% %d/%d %.1fs' % (
            self.label, bar, ratio * 100, self.done, self.total,
            now - self.start)
        sys.stderr.write(('\r' if self.tty else '') + line
            + ('' if self.tty else '\n'))
        sys.stderr.flush()

    def close(self):
        self.done = self.total
        self._draw(force=True)
        if self.tty:
            sys.stderr.write('\n')


def add_months(date, months):
    month = date.month - 1 + months
    year = date.year + month // 12
    month = month % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1)
        - dt.timedelta(days=1)).day
    return date.replace(year=year, month=month, day=min(date.day, last))


def money(value):
    return Decimal(value).quantize(CENT, ROUND_HALF_EVEN)


def to_utc(day, hour, minute):
    "Naive UTC datetime of a local (Europe/Rome) time"
    local = dt.datetime(day.year, day.month, day.day, hour, minute,
        tzinfo=TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


def working_days(start, end):
    holidays = set()
    for year in range(start.year, end.year + 1):
        holidays.update(dt.date(year, m, d) for m, d in HOLIDAYS)
        holidays.add(easter(year) + dt.timedelta(days=1))
    day, days = start, []
    while day <= end:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def sequence_text(prefix, padding, number, date):
    prefix = Template(prefix or '').substitute(
        year=date.strftime('%Y'), month=date.strftime('%m'),
        day=date.strftime('%d'), year2=date.strftime('%y'))
    return '%s%s' % (prefix, ('%%0%sd' % (padding or 0)) % number)


def re_alnum(text):
    return re.sub(r'[\W_]', '', text)


def re_digits(text):
    return re.sub(r'\D', '', text)


def read_uri(config_file):
    parser = configparser.ConfigParser()
    parser.read(config_file)
    return parser.get('database', 'uri')


def connect(uri, database, **kwargs):
    return psycopg.connect(make_conninfo(uri, dbname=database), **kwargs)


def catalogues():
    "The lists of the demo scripts and bench/_data/italy.json"
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    import demo_agenda
    import demo_clienti
    import demo_impianti
    with open(os.path.join(HERE, '_data', 'italy.json'),
            encoding='utf-8') as file:
        italy = json.load(file)
    return demo_clienti, demo_impianti, demo_agenda, italy


# -- the databases -----------------------------------------------------------

def database_exists(uri, name):
    with connect(uri, 'postgres', autocommit=True) as conn:
        return bool(conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s",
                (name,)).fetchone())


def build_template(args):
    """The template: pg_trgm (README, "PostgreSQL in production"), the
    modules, Italian and the demo data, as make demo does it"""
    env = dict(os.environ, TRYTOND_CONFIG=args.config)
    passfile = os.path.join(ROOT, 'build', 'adminpass')
    if not os.path.exists(passfile):
        os.makedirs(os.path.dirname(passfile), exist_ok=True)
        with open(passfile, 'w') as file:
            file.write(secrets.token_urlsafe(15) + '\n')
    env.setdefault('TRYTONPASSFILE', passfile)
    bin_ = os.path.dirname(sys.executable)
    admin = [os.path.join(bin_, 'trytond-admin'), '-c', args.config,
        '-d', args.template]
    with connect(args.uri, 'postgres', autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(
                sql.Identifier(args.template)))
    try:
        # Before the modules: their similarity indexes are then trigram ones
        with connect(args.uri, args.template, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for command in [
                admin + ['--all'],
                admin + ['-u'] + MODULES + ['--activate-dependencies'],
                admin + ['-l', 'it'],
                [sys.executable, os.path.join(
                        ROOT, 'scripts', 'demo_data.py'), args.template]]:
            print("  $ %s" % ' '.join(command), flush=True)
            mark = time.monotonic()
            # --all asks for the admin e-mail: none
            subprocess.run(command, env=env, cwd=ROOT, check=True,
                input='\n' if '--all' in command else None, text=True)
            print("    %.1f s" % (time.monotonic() - mark), flush=True)
    except BaseException:
        # A half-built template would be taken for a good one next time
        with connect(args.uri, 'postgres', autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(
                    sql.Identifier(args.template)))
        raise


def copy_template(args):
    with connect(args.uri, 'postgres', autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                (args.database,)).fetchone():
            print("Database %s exists: dropping it to generate it again."
                % args.database, flush=True)
            conn.execute(sql.SQL("DROP DATABASE {}").format(
                    sql.Identifier(args.database)))
        for attempt in range(300):
            try:
                conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(args.database),
                        sql.Identifier(args.template)))
                return
            except psycopg.errors.ObjectInUse:
                if attempt == 0:
                    print("Template %s in use: waiting for its sessions "
                        "to end..." % args.template, flush=True)
                time.sleep(2)
        raise SystemExit("Template %s stays in use: cannot copy it."
            % args.template)


def complete_demo(args):
    "Finish the demo data on the copy when the template lacks a part"
    with connect(args.uri, args.database) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM account_account), "
            "(SELECT count(*) FROM product_product), "
            "(SELECT count(*) FROM termogest_intervention), "
            "(SELECT count(*) FROM account_fiscalyear)").fetchone()
    if all(counts):
        return False
    print("Template %s lacks part of the demo data (accounts, products, "
        "interventions, fiscal years: %s): running scripts/demo_data.py "
        "on %s." % (args.template, counts, args.database), flush=True)
    env = dict(os.environ, TRYTOND_CONFIG=args.config)
    subprocess.run(
        [sys.executable, os.path.join(ROOT, 'scripts', 'demo_data.py'),
            args.database], env=env, cwd=ROOT, check=True)
    return True


# -- the ORM -----------------------------------------------------------------

_pools = {}


def orm(args):
    "The trytond pool of the database (initialised once)"
    if args.database not in _pools:
        import trytond.config as config
        config.update_etc(args.config)
        if args.uri_given:
            config.set('database', 'uri', args.uri)
        from trytond.pool import Pool
        pool = Pool(args.database)
        pool.init()
        _pools[args.database] = pool
    return _pools[args.database]


def orm_context(conn):
    company, = conn.execute("SELECT id FROM company_company "
        "ORDER BY id LIMIT 1").fetchone()
    return {'company': company, 'companies': [company], 'language': 'it'}


def orm_setup(args, technicians, first_year, today):
    """Technician accounts and fiscal years through the ORM; return the
    reference data the rows need"""
    from trytond.transaction import Transaction, TransactionError
    pool = orm(args)
    with connect(args.uri, args.database) as conn:
        context = orm_context(conn)
    extras = {}
    while True:
        with Transaction().start(args.database, 1, context=context,
                **extras) as transaction:
            try:
                created = create_technicians(
                    pool, technicians, context['company'])
                years = create_fiscal_years(
                    pool, context['company'], first_year, today.year)
                ref = reference_data(pool, context['company'])
            except TransactionError as error:
                # The tables to lock are known once asked for: start again
                transaction.rollback()
                error.fix(extras)
                continue
            transaction.commit()
        return created, years, ref


def create_technicians(pool, total, company):
    Employee = pool.get('company.employee')
    Party = pool.get('party.party')
    User = pool.get('res.user')
    Configuration = pool.get('termogest.configuration')
    existing = User.search([
            ('termogest_role', '=', 'technician'),
            ('employee', '!=', None),
            ])
    missing = total - len(existing)
    if missing <= 0:
        return 0
    demo_clienti, _, _, _ = catalogues()
    rng = random.Random('technicians')
    configuration = Configuration(1)
    in_use = User.accounts_in_use('technician')
    if configuration.max_technician_accounts < in_use + missing:
        configuration.max_technician_accounts = in_use + missing
        configuration.save()
    taken = {u.login for u in User.search([])}
    names = []
    while len(names) < missing:
        female = rng.random() < 0.15
        first = rng.choice(demo_clienti.FEMALE_NAMES if female
            else demo_clienti.MALE_NAMES)
        last = rng.choice(demo_clienti.SURNAMES)
        login = '%s.%s' % (demo_clienti.slug(first),
            demo_clienti.slug(last))
        full = '%s.%s' % (configuration.username_prefix, login)
        if full in taken:
            continue
        taken.add(full)
        names.append(('%s %s' % (first, last), login))
    parties = Party.create([{'name': n} for n, _ in names])
    employees = Employee.create([
            {'party': p.id, 'company': company} for p in parties])
    # One hash for all: the same password, hashed once
    password_hash = User.hash_password(TECHNICIAN_PASSWORD)
    User.create([{
                'name': name,
                'login': login,
                'password_hash': password_hash,
                'email': '%s@rossiimpianti.it' % login,
                'termogest_role': 'technician',
                'companies': [('add', [company])],
                'company': company,
                'employees': [('add', [employee.id])],
                'employee': employee.id,
                } for (name, login), employee in zip(names, employees)])
    return missing


def create_fiscal_years(pool, company, first_year, last_year):
    "The missing fiscal years, numbered as scripts/demo_fatturapa.py does"
    FiscalYear = pool.get('account.fiscalyear')
    Sequence = pool.get('ir.sequence.strict')
    ModelData = pool.get('ir.model.data')
    move_type = ModelData.get_id('account', 'sequence_type_account_move')
    invoice_type = ModelData.get_id(
        'account_invoice', 'sequence_type_account_invoice')
    created = []
    for year in range(first_year, last_year + 1):
        start = dt.date(year, 1, 1)
        if FiscalYear.search([
                    ('company', '=', company),
                    ('start_date', '<=', start),
                    ('end_date', '>=', start),
                    ], limit=1):
            continue
        move, invoices, credits, purchases = Sequence.create([{
                    'name': '%s %s' % (name, year),
                    'sequence_type': type_,
                    'company': company,
                    'prefix': prefix,
                    } for name, type_, prefix in [
                    ("Registrazioni", move_type, '%s/' % year),
                    ("Fatture", invoice_type, 'FT%s/' % year),
                    ("Note di credito", invoice_type, 'NC%s/' % year),
                    ("Fatture di acquisto", invoice_type, 'FA%s/' % year),
                    ]])
        fiscalyear, = FiscalYear.create([{
                    'name': str(year),
                    'company': company,
                    'start_date': start,
                    'end_date': dt.date(year, 12, 31),
                    'move_sequence': move.id,
                    'invoice_sequences': [('create', [{
                                    'company': company,
                                    'out_invoice_sequence': invoices.id,
                                    'out_credit_note_sequence': credits.id,
                                    'in_invoice_sequence': purchases.id,
                                    'in_credit_note_sequence': purchases.id,
                                    }])],
                    }])
        FiscalYear.create_period([fiscalyear])
        created.append(year)
    return created


def reference_data(pool, company_id):
    "What the rows point to, read through the ORM as plain values"
    from trytond.transaction import Transaction
    Company = pool.get('company.company')
    Product = pool.get('product.product')
    Rule = pool.get('termogest.rule.control_frequency')
    Region = pool.get('termogest.region')
    Configuration = pool.get('termogest.impianti.configuration')
    AccountConfiguration = pool.get('account.configuration')
    Intervention = pool.get('termogest.intervention')
    User = pool.get('res.user')
    company = Company(company_id)
    ref = {'company': company.id, 'currency': company.currency.id,
        'company_party': company.party.id}
    ref['products'] = {}
    for product in Product.search([('code', '!=', None)]):
        taxes = product.customer_taxes_used
        account = product.account_revenue_used
        ref['products'][product.code] = {
            'id': product.id,
            'name': product.name,
            'uom': product.default_uom.id,
            'price': product.list_price_used,
            'account': account.id if account else None,
            'taxes': [(t.id, t.rate, t.description,
                    t.invoice_account.id) for t in taxes],
            }
    ref['rules'] = [{
            'id': r.id, 'supply': r.supply, 'power_min': r.power_min,
            'power_min_inclusive': r.power_min_inclusive,
            'power_max': r.power_max,
            'power_max_inclusive': r.power_max_inclusive,
            'interval_years': r.interval_years, 'plant_type': r.plant_type,
            } for r in Rule.search([])]
    ref['regions'] = {}
    for region in Region.search([]):
        ref['regions'][region.id] = {
            'code': region.code,
            'subdivisions': set((region.subdivision_codes or '').split()),
            'default_months': region.maintenance_default_months,
            'biomass': region.biomass_in_scope,
            'pattern': region.plant_code_pattern,
            'overrides': {o.rule.id: o.interval_months
                for o in region.control_overrides},
            }
    config = Configuration(1)
    ref['default_months'] = config.default_maintenance_months
    account_config = AccountConfiguration(1)
    ref['receivable'] = account_config.default_account_receivable.id
    ref['tax_rounding'] = account_config.tax_rounding
    with Transaction().set_context(language='it'):
        ref['kinds'] = dict(
            Intervention.fields_get(['kind'])['kind']['selection'])
    ref['secretaries'] = [u.id for u in User.search([
                ('termogest_role', '=', 'secretary')], order=[('id', 'ASC')])]
    ref['invoicer'] = next((u.id for u in User.search([
                    ('termogest_role', 'in', ['secretary', 'owner'])],
                order=[('id', 'ASC')]) if u.access_invoices), 1)
    ref['technicians'] = [(u.employee.id, u.id) for u in User.search([
                ('termogest_role', '=', 'technician'),
                ('employee', '!=', None)], order=[('id', 'ASC')])]
    return ref


# -- the rows ----------------------------------------------------------------

class Table:
    "The rows of a table, in the order of its columns"

    def __init__(self, name, columns, next_id):
        self.name = name
        self.columns = columns.split()
        self.next_id = next_id
        self.rows = []

    def new_id(self):
        value = self.next_id
        self.next_id += 1
        return value

    def add(self, *row):
        self.rows.append(row)


TABLES = {
    'party_party': 'id active code code_alnum code_digit create_date '
    'create_uid name write_date write_uid attention attention_reason '
    'is_building_owner no_maintenance pec reserved_notes sdi_code '
    'subject_type split_payment',
    'party_address': 'id active city country create_date create_uid party '
    'postal_code street_unstructured subdivision delivery invoice',
    'party_contact_mechanism': 'id active create_date create_uid party type '
    'value value_compact write_date write_uid delivery invoice name role',
    'party_identifier': 'id active code code_compact create_date create_uid '
    'party type',
    'termogest_plant': 'id active address catasto_code code company '
    'create_date create_uid name party pdr pod region responsible_role',
    'termogest_plant-company_employee': 'id create_date create_uid employee '
    'plant',
    'termogest_device': 'id active brand control_interval control_rule '
    'cooling_power create_date create_uid first_start_date fuel '
    'generator_class heat_carrier hp_drive installation_date '
    'installation_date_estimated kind last_efficiency_check_date '
    'last_maintenance_date maintenance_interval model '
    'next_efficiency_check_date next_maintenance_date nominal_power plant '
    'progressive refrigerant refrigerant_charge serial_number warranty_end '
    'write_date write_uid',
    'termogest_booklet': 'id building_category catasto_code create_date '
    'create_uid date dhw_treatment heat_carrier heated_volume '
    'heating_treatment intervention_type number plant service_cooling '
    'service_dhw service_heating single_unit state water_content '
    'water_hardness write_date write_uid cooled_volume',
    'termogest_booklet_responsible': 'id booklet create_date create_uid '
    'fiscal_code name role start_date',
    'termogest_booklet_entry': 'id booklet create_date create_uid date '
    'description device kind user',
    'termogest_contract': 'id automatic_renewal company create_date '
    'create_uid description end_date number party price '
    'renewal_notice_days start_date state visits_per_year write_date '
    'write_uid billing_frequency invoiced_until',
    'termogest_contract-termogest_plant': 'id contract create_date '
    'create_uid plant',
    'termogest_call': 'id active channel company contact_name contact_phone '
    'create_date create_uid device notes number party plant priority reason '
    'received_at received_by requested_date source state write_date '
    'write_uid',
    'termogest_appointment': 'id address call company create_date '
    'create_uid date description end kind party plant start state '
    'technician write_date write_uid',
    'termogest_appointment-termogest_device': 'id appointment create_date '
    'create_uid device',
    'termogest_intervention': 'id appointment company create_date '
    'create_uid date description end_time kind labour_hours number outcome '
    'outcome_notes party plant privacy_accepted start_time state technician '
    'travel_time write_date write_uid',
    'termogest_intervention-termogest_device': 'id create_date create_uid '
    'device intervention',
    'termogest_intervention_line': 'id create_date create_uid description '
    'intervention product quantity unit unit_price',
    'account_invoice': 'id account company create_date create_uid currency '
    'invoice_address invoice_date journal move number number_alnum '
    'number_digit party party_tax_identifier sequence sequence_type_cache '
    'state tax_amount_cache tax_identifier total_amount_cache type '
    'untaxed_amount_cache write_date write_uid split_payment',
    'account_invoice_line': 'id account company create_date create_uid '
    'currency description invoice origin product quantity '
    'taxes_deductible_rate type unit unit_price correction gross_unit_price '
    'period_start period_end',
    'account_invoice_line-account_tax': 'id create_date create_uid line tax',
    'account_invoice_tax': 'id account amount base create_date create_uid '
    'description invoice manual tax',
    'account_move': 'id company create_date create_uid date journal number '
    'origin period post_date state write_date write_uid',
    'account_move_line': 'id account create_date create_uid credit debit '
    'description maturity_date move origin party state',
    'account_tax_line': 'id amount create_date create_uid move_line tax '
    'type',
    'account_journal_period': 'id create_date create_uid journal period '
    'state',
    }
# Tables whose rows are numbered from a sequence once all are made, in date
# order: (number column, date column)
NUMBERED = {
    'party_party': 'code',
    'termogest_plant': 'code',
    'termogest_booklet': 'number',
    'termogest_contract': 'number',
    'termogest_call': 'number',
    'termogest_intervention': 'number',
    }


class Generator:
    "The rows of N customers and of the technicians' agenda"

    def __init__(self, args, ref, conn, today):
        self.args, self.ref, self.conn = args, ref, conn
        self.rng = random.Random(args.seed)
        self.today = today
        self.clienti, self.impianti, self.agenda_, self.italy = catalogues()
        self.history_start = add_months(today, -12 * HISTORY_YEARS)
        self.window_start = today - dt.timedelta(days=WINDOW_PAST)
        self.tables = {}
        for name, columns in TABLES.items():
            next_id, = conn.execute(sql.SQL(
                    "SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {}), "
                    "(SELECT last_value FROM {})) + 1").format(
                    sql.Identifier(name),
                    sql.Identifier(name + '_id_seq'))).fetchone()
            self.tables[name] = Table(name, columns, next_id)
        self.numbers = {name: [] for name in NUMBERED}
        self._load_reference()
        self._setup_agenda()

    def t(self, name):
        return self.tables[name]

    # reference data -------------------------------------------------------
    def _load_reference(self):
        conn, ref = self.conn, self.ref
        self.country, = conn.execute(
            "SELECT id FROM country_country WHERE code = 'IT'").fetchone()
        subdivisions = {code: (id_, parent) for id_, code, parent in
            conn.execute("SELECT s.id, s.code, p.code FROM "
                "country_subdivision s LEFT JOIN country_subdivision p "
                "ON p.id = s.parent")}
        self.cities = []
        for name, first, last, province, prefix, belfiore, weight in (
                self.italy['cities']):
            if province not in subdivisions:
                raise SystemExit("No subdivision %s for %s" % (
                        province, name))
            id_, region_code = subdivisions[province]
            self.cities.append({
                    'name': name, 'caps': range(int(first), int(last) + 1),
                    'subdivision': id_, 'prefix': prefix,
                    'belfiore': belfiore, 'weight': weight,
                    'region': self._region(province, region_code),
                    'province': province})
        self.city_weights = []
        total = 0
        for city in self.cities:
            total += city['weight']
            self.city_weights.append(total)
        self.fuels = dict(conn.execute(
                "SELECT code, id FROM termogest_fuel"))
        self.fuel_supply = {id_: (supply, solid) for id_, supply, solid in
            conn.execute("SELECT id, supply, solid FROM termogest_fuel")}
        self.refrigerants = dict(conn.execute(
                "SELECT code, id FROM termogest_refrigerant"))
        self.uoms = dict(conn.execute(
                "SELECT m.fs_id, m.db_id FROM ir_model_data m "
                "WHERE m.module = 'product' AND m.model = 'product.uom'"))
        self.sequences = {}
        for id_, prefix, padding in conn.execute(
                "SELECT id, prefix, padding FROM ir_sequence"):
            self.sequences[id_] = (prefix, padding)
        party_sequence, = conn.execute(
            "SELECT party_sequence FROM party_configuration_party_sequence "
            "ORDER BY id LIMIT 1").fetchone()
        config = conn.execute(
            "SELECT plant_sequence, booklet_sequence, contract_sequence, "
            "call_sequence, intervention_sequence FROM "
            "termogest_impianti_configuration ORDER BY id LIMIT 1"
            ).fetchone()
        self.sequence_of = dict(zip([
                    'party_party', 'termogest_plant', 'termogest_booklet',
                    'termogest_contract', 'termogest_call',
                    'termogest_intervention'], (party_sequence,) + config))
        self.journal, = conn.execute(
            "SELECT id FROM account_journal WHERE type = 'revenue' "
            "ORDER BY id LIMIT 1").fetchone()
        self.periods = {}
        for id_, start in conn.execute(
                "SELECT p.id, p.start_date FROM account_period p "
                "JOIN account_fiscalyear f ON f.id = p.fiscalyear "
                "WHERE p.type = 'standard' AND f.company = %s",
                (ref['company'],)):
            self.periods[(start.year, start.month)] = id_
        self.journal_periods = {period for period, in conn.execute(
                "SELECT period FROM account_journal_period "
                "WHERE journal = %s", (self.journal,))}
        self.fiscal_sequences = {}
        for start, move_seq, invoice_seq in conn.execute(
                "SELECT f.start_date, f.move_sequence, "
                "s.out_invoice_sequence FROM account_fiscalyear f "
                "JOIN account_fiscalyear_invoice_sequence s "
                "ON s.fiscalyear = f.id WHERE f.company = %s",
                (ref['company'],)):
            self.fiscal_sequences[start.year] = (move_seq, invoice_seq)
        self.strict = {id_: [prefix, padding, number] for
            id_, prefix, padding, number in conn.execute(
                "SELECT id, prefix, padding, number_next_internal "
                "FROM ir_sequence_strict")}
        row = conn.execute(
            "SELECT id FROM party_identifier WHERE party = %s AND type IN "
            "('it_vat', 'eu_vat') ORDER BY id LIMIT 1",
            (ref['company_party'],)).fetchone()
        self.company_tax_identifier = row[0] if row else None
        # The multi-value rows the ORM makes with every party: copied from
        # the last customer of the template
        self.party_values = []
        last, = conn.execute(
            "SELECT MAX(id) FROM party_party WHERE subject_type = 'person'"
            ).fetchone()
        for table, in conn.execute(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND column_name = 'party' "
                "AND table_name LIKE 'party\\_party\\_%%' ORDER BY 1"):
            cursor = conn.execute(sql.SQL(
                    "SELECT * FROM {} WHERE party = %s").format(
                    sql.Identifier(table)), (last,))
            rows = cursor.fetchall()
            if len(rows) != 1:
                continue
            names = [d.name for d in cursor.description]
            values = {n: v for n, v in zip(names, rows[0]) if n not in {
                    'id', 'party', 'create_date', 'create_uid', 'write_date',
                    'write_uid'}}
            self.tables.setdefault(table, Table(table, ' '.join(
                        ['id', 'party', 'create_date', 'create_uid']
                        + list(values)), conn.execute(sql.SQL(
                            "SELECT COALESCE(MAX(id), 0) + 1 FROM {}"
                            ).format(sql.Identifier(table))).fetchone()[0]))
            self.party_values.append((table, tuple(values.values())))
        self.rules = ref['rules']
        self.products = ref['products']
        self.secretaries = ref['secretaries'] or [1]
        self.technicians = ref['technicians']
        self.tech_user = dict(self.technicians)
        missing = [c for c in ['SRV-UTE', 'SRV-MAN', 'SRV-USC', 'RIC-KMC']
            if c not in self.products]
        if missing:
            raise SystemExit("Products %s missing from the template."
                % ', '.join(missing))

    def _region(self, province, region_code):
        generic = None
        for id_, region in self.ref['regions'].items():
            if {province, region_code} & region['subdivisions']:
                return id_
            if region['code'] == 'generic':
                generic = id_
        return generic

    # the agenda -------------------------------------------------------------
    def _setup_agenda(self):
        self.days = working_days(
            self.history_start, self.today + dt.timedelta(days=WINDOW_FUTURE))
        self.day_index = {d: i for i, d in enumerate(self.days)}
        self.ntech = len(self.technicians)
        self.tech_index = {e: i for i, (e, _) in enumerate(self.technicians)}
        self.used = bytearray(len(self.days) * self.ntech)
        self.day_free = [self.ntech * len(SLOTS)] * len(self.days)
        # Slots taken by the appointments of the template (demo agenda)
        for employee, start, end in self.conn.execute(
                "SELECT technician, start, \"end\" FROM termogest_appointment "
                "WHERE state != 'cancelled' AND date >= %s",
                (self.history_start,)):
            if employee not in self.tech_index:
                continue
            local_start = start.replace(tzinfo=UTC).astimezone(TZ)
            local_end = end.replace(tzinfo=UTC).astimezone(TZ)
            day = local_start.date()
            if day not in self.day_index:
                continue
            for slot, (hour, minute) in enumerate(SLOTS):
                slot_start = dt.datetime(day.year, day.month, day.day,
                    hour, minute, tzinfo=TZ)
                slot_end = slot_start + dt.timedelta(minutes=75)
                if slot_start < local_end and slot_end > local_start:
                    self._take(day, self.tech_index[employee], slot)
        # Past days near today are filled first: (day, tech) still below
        # their 6-7 appointments
        self.window = []
        for day in self.days:
            if self.window_start <= day < self.today:
                for tech in range(self.ntech):
                    self.window.append([day, tech, self.rng.choice([6, 7])])

    def _cell(self, day, tech):
        return self.day_index[day] * self.ntech + tech

    def _take(self, day, tech, slot):
        cell = self._cell(day, tech)
        if not self.used[cell] & (1 << slot):
            self.used[cell] |= 1 << slot
            self.day_free[self.day_index[day]] -= 1

    def _free_slot(self, day, tech):
        used = self.used[self._cell(day, tech)]
        if used == FULL_DAY:
            return None
        free = [s for s in range(len(SLOTS)) if not used & (1 << s)]
        return self.rng.choice(free)

    def _count(self, day, tech):
        return bin(self.used[self._cell(day, tech)]).count('1')

    def book(self, date, tech, earliest, latest):
        """A free (day, tech, slot) on date or the nearest working day
        between earliest and latest, tech first, else another technician"""
        rng = self.rng
        if date >= self.window_start and date < self.today:
            booked = self.book_window(earliest)
            if booked:
                return booked
            date = self.window_start - dt.timedelta(days=1)
        index = self._index_on_or_after(date)
        first = self._index_on_or_after(earliest)
        last = self._index_on_or_after(latest + dt.timedelta(days=1)) - 1
        last = min(last, self._index_on_or_after(self.window_start) - 1)
        if first > last:
            return None
        index = min(max(index, first), last)
        ntech = self.ntech
        for shift in range(0, 120):
            for candidate in (index + shift, index - shift):
                if not first <= candidate <= last or (
                        not self.day_free[candidate]):
                    continue
                day = self.days[candidate]
                slot = self._free_slot(day, tech)
                if slot is not None:
                    self._take(day, tech, slot)
                    return day, tech, slot
                offset = rng.randrange(ntech)
                for k in range(ntech):
                    other = (offset + k) % ntech
                    slot = self._free_slot(day, other)
                    if slot is not None:
                        self._take(day, other, slot)
                        return day, other, slot
        return None

    def book_window(self, earliest):
        "A slot in a past day near today still below its target"
        rng = self.rng
        for _ in range(8):
            if not self.window:
                return None
            index = rng.randrange(len(self.window))
            day, tech, target = self.window[index]
            if day < earliest:
                continue
            slot = self._free_slot(day, tech)
            if slot is not None:
                self._take(day, tech, slot)
            if slot is None or self._count(day, tech) >= target:
                self.window[index] = self.window[-1]
                self.window.pop()
            if slot is not None:
                return day, tech, slot
        return None

    def _index_on_or_after(self, date):
        lo, hi = 0, len(self.days)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.days[mid] < date:
                lo = mid + 1
            else:
                hi = mid
        return lo

    # customers --------------------------------------------------------------
    def run(self, count):
        self.count = count
        self.fiscal_codes = set()
        self.vat_numbers = set()
        self.catasto = Counter()
        self.customers = []
        self.to_invoice = []
        self.contracts = []
        window = sum(target for _, _, target in self.window)
        self.window_quota = min(window / max(count, 1), 5)
        gc.disable()
        try:
            progress = Progress("customers", count)
            for _ in range(count):
                self.customer()
                progress.update()
            progress.close()
            self.open_calls()
            self.future_agenda()
            self.number_rows()
            self.make_invoices()
        finally:
            gc.enable()

    def when(self, day, earliest=8, latest=18):
        "A naive UTC datetime at office hours of day"
        minutes = self.rng.randrange(earliest * 60, latest * 60)
        return to_utc(day, minutes // 60, minutes % 60).replace(
            second=self.rng.randrange(60))

    def customer(self):
        rng = self.rng
        clienti = self.clienti
        city = rng.choices(self.cities, cum_weights=self.city_weights)[0]
        person = rng.random() < 0.75
        # Mostly customers of before the five years of history: their ten
        # interventions spread over them
        if rng.random() < 0.95:
            since = self.history_start - dt.timedelta(
                days=rng.randint(30, 3650))
        else:
            since = self.history_start + dt.timedelta(days=rng.randint(
                    0, (self.window_start - self.history_start).days - 90))
        since_at = self.when(since)
        creator = rng.choice(self.secretaries)
        party = self.t('party_party').new_id()
        female = rng.random() < 0.5
        first = rng.choice(clienti.FEMALE_NAMES if female
            else clienti.MALE_NAMES)
        last = rng.choice(clienti.SURNAMES)
        if person:
            name = '%s %s' % (last, first)
            fiscal = self.fiscal_code(last, first, female, city)
            identifiers = [('it_codicefiscale', fiscal)]
            subject, sdi_code = 'person', '0000000'
            pec = None
            category = 'E.1'
        else:
            activity, category = rng.choice(self.italy['activities'])
            if rng.random() < 0.5:
                label = rng.choice(self.italy['company_names'])
            else:
                label = last
            name = '%s %s %s' % (activity, label, rng.choice(
                    self.italy['company_forms']))
            fiscal = self.vat_number(city)
            identifiers = [('it_codicefiscale', fiscal), ('it_vat', fiscal)]
            subject = 'company'
            sdi_code = (rng.choice(clienti.SDI_CODES) if rng.random() < 0.7
                else '0000000')
            pec = None
        if not person and rng.random() < 0.85 or rng.random() < 0.02:
            pec = '%s@%s' % (clienti.slug(name)[:24],
                rng.choice(clienti.PEC_DOMAINS))
        attention = rng.random() < 0.015
        reason = None
        if attention:
            reason = rng.choice(clienti.ATTENTION_REASONS)[0].replace(
                '{o}', 'a' if female else 'o')
        no_maintenance = rng.random() < 0.01
        reserved = None
        if rng.random() < 0.03:
            reserved = rng.choice(clienti.RESERVED_NOTES)[0]
        row = [party, True, None, None, None, since_at, creator, name,
            since_at, creator, attention, reason, False, no_maintenance, pec,
            reserved, sdi_code, subject, False]
        self.t('party_party').rows.append(row)
        self.numbers['party_party'].append((since_at, row))
        for table, values in self.party_values:
            self.t(table).add(self.t(table).new_id(), party, since_at,
                creator, *values)
        address = self.t('party_address').new_id()
        street = '%s %s' % (rng.choice(self.italy['streets']),
            rng.randint(1, 160) if rng.random() < 0.9
            else '%d/%s' % (rng.randint(1, 90), rng.choice('ABC')))
        self.t('party_address').add(address, True, city['name'],
            self.country, since_at, creator, party,
            '%05d' % rng.choice(city['caps']), street, city['subdivision'],
            False, False)
        phones = self.contacts(party, person, name, first, last, city,
            since_at, creator)
        for type_, code in identifiers:
            self.t('party_identifier').add(
                self.t('party_identifier').new_id(), True, code, code,
                since_at, creator, party, type_)
        tax_identifier = (self.t('party_identifier').next_id - 1
            if not person else None)
        customer = {
            'party': party, 'name': name, 'person': person,
            'address': address, 'street': street, 'city': city,
            'since': since, 'since_at': since_at, 'creator': creator,
            'phone': phones[0] if phones else None,
            'tax_identifier': tax_identifier, 'fiscal': fiscal,
            'category': category, 'first': first, 'female': female,
            'tech': rng.randrange(self.ntech),
            }
        self.plant(customer)
        self.customers.append(customer)

    def fiscal_code(self, last, first, female, city):
        rng = self.rng
        while True:
            birth = dt.date(1935, 1, 1) + dt.timedelta(
                days=rng.randint(0, 65 * 365))
            place = city['belfiore'] if rng.random() < 0.6 else rng.choices(
                *zip(*self.clienti.BIRTHPLACES))[0]
            code = self.clienti.make_fiscal_code(
                last, first, female, birth, place)
            if code not in self.fiscal_codes:
                self.fiscal_codes.add(code)
                return code

    def vat_number(self, city):
        while True:
            code = self.clienti.make_numeric_code(
                self.rng, self.rng.choice('01'),
                '%03d' % self.rng.randint(1, 100))
            if code not in self.vat_numbers:
                self.vat_numbers.add(code)
                return code

    def contacts(self, party, person, name, first, last, city, at, creator):
        rng = self.rng
        clienti = self.clienti
        values = []
        if rng.random() < (0.5 if person else 0.95):
            length = 10 - len(city['prefix'])
            values.append(('phone', '+39 %s %s' % (city['prefix'], ''.join(
                            rng.choice('0123456789') for _ in range(length)))))
        if rng.random() < (0.85 if person else 0.5):
            values.append(('mobile', '+39 %s %s' % (
                        rng.choice(clienti.MOBILE_PREFIXES),
                        ''.join(rng.choice('0123456789') for _ in range(7)))))
        if rng.random() < (0.6 if person else 0.9):
            if person:
                local = rng.choice([
                        '%s.%s' % (clienti.slug(first), clienti.slug(last)),
                        '%s%s' % (clienti.slug(first), clienti.slug(last)),
                        '%s%s%02d' % (clienti.slug(first)[0],
                            clienti.slug(last), rng.randrange(100))])
                domain = rng.choices(*zip(*clienti.MAIL_DOMAINS))[0]
            else:
                local = 'info'
                domain = '%s.it' % clienti.slug(name)[:30]
            values.append(('email', '%s@%s' % (local, domain)))
        table = self.t('party_contact_mechanism')
        for type_, value in values:
            table.add(table.new_id(), True, at, creator, party, type_, value,
                value, at, creator, False, False, None, None)
        if person and rng.random() < 0.12:
            # A relative or a neighbour to call
            role, female = rng.choice(clienti.RELATIVES
                + clienti.ELDERLY_RELATIVES)
            if female is None:
                female = rng.random() < 0.5
            relative = '%s %s' % (rng.choice(clienti.FEMALE_NAMES if female
                    else clienti.MALE_NAMES), last)
            value = '+39 %s %s' % (rng.choice(clienti.MOBILE_PREFIXES),
                ''.join(rng.choice('0123456789') for _ in range(7)))
            table.add(table.new_id(), True, at, creator, party, 'mobile',
                value, value, at, creator, False, False, relative, role)
        return [v for t, v in values if t in {'mobile', 'phone'}]

    # plants and devices -----------------------------------------------------
    def plant(self, customer):
        rng = self.rng
        impianti = self.impianti
        at, creator = customer['since_at'], customer['creator']
        plant = self.t('termogest_plant').new_id()
        city = customer['city']
        devices = self.devices(customer)
        gas = any(self.fuel_supply.get(d['fuel'], (None,))[0] == 'gas'
            for d in devices)
        region = self.ref['regions'][city['region']]
        catasto = None
        if rng.random() < 0.6:
            self.catasto[city['region']] += 1
            number = 1000000 + 7919 * self.catasto[city['region']]
            if region['pattern'] and region['pattern'].startswith('\\d'):
                catasto = str(number)
            else:
                catasto = '%s%s' % (city['province'][-2:], number)
        pdr = (''.join(rng.choice('0123456789') for _ in range(14))
            if gas and rng.random() < 0.7 else None)
        pod = ('IT001E%08d' % rng.randrange(10 ** 8)
            if rng.random() < 0.5 else None)
        if customer['person']:
            name = rng.choice(impianti.HOME_NAMES)
            role = 'owner' if rng.random() < 0.85 else 'occupant'
        else:
            name = rng.choice(impianti.BUSINESS_NAMES['company'])
            role = 'owner' if rng.random() < 0.6 else 'occupant'
        row = [plant, True, customer['address'], catasto, None,
            self.ref['company'], at, creator, name, customer['party'], pdr,
            pod, city['region'], role]
        self.t('termogest_plant').rows.append(row)
        self.numbers['termogest_plant'].append((at, row))
        customer.update(plant=plant, plant_row=row, devices=devices,
            region=region, role=role)
        employee = self.technicians[customer['tech']][0]
        table = self.t('termogest_plant-company_employee')
        table.add(table.new_id(), at, creator, employee, plant)
        self.history(customer)
        self.due_dates(customer)
        for device in devices:
            self.t('termogest_device').add(
                device['id'], True, device['brand'],
                device['control_interval'], device['control_rule'],
                device['cooling'], at, creator, device['first_start'],
                device['fuel'], device['class'], device['carrier'],
                device['hp_drive'], device['installed'], device['estimated'],
                device['kind'], device['last_check'], device['last_visit'],
                device['interval'], device['model'], device['next_check'],
                device['next_visit'], device['power'], plant,
                device['progressive'], device['refrigerant'],
                device['charge'], device['serial'], device['warranty'],
                at, creator)
        self.booklet(customer)
        if rng.random() < 0.3:
            self.contract(customer)

    def _installed(self, first_year=2008, last_year=None):
        rng = self.rng
        start = dt.date(first_year, 1, 1)
        end = (dt.date(last_year, 12, 31) if last_year
            else self.today - dt.timedelta(days=45))
        end = min(end, self.today - dt.timedelta(days=45))
        return start + dt.timedelta(days=rng.randint(
                0, max((end - start).days, 0)))

    def devices(self, customer):
        rng = self.rng
        person = customer['person']
        draw = rng.random()
        if draw < 0.22:
            main = self.heat_pump()
        elif draw < 0.36:
            main = self.old_boiler()
        elif draw < 0.39 and person:
            main = self.gasoil_boiler()
        else:
            main = self.condensing_boiler(35 if not person else None)
        draw = rng.random()
        if main['kind'] == 'heat_pump':
            second = (self.air_conditioner(not person) if draw < 0.7
                else self.water_heater())
        elif draw < 0.7:
            second = self.air_conditioner(not person)
        elif draw < 0.88:
            second = self.water_heater()
        else:
            second = self.heat_pump()
        devices = [main, second]
        counters = Counter()
        for device in devices:
            device['id'] = self.t('termogest_device').new_id()
            component = ('GT' if device['kind'] in {'boiler', 'water_heater'}
                else 'GF')
            counters[component] += 1
            device['component'] = component
            device['progressive'] = counters[component]
            device['first_start'] = min(
                device['installed'] + dt.timedelta(days=rng.randint(0, 15)),
                self.today - dt.timedelta(days=30))
            device['warranty'] = add_months(device['installed'], 24)
            device['estimated'] = device.pop('estimated', False)
        return devices

    def _serial(self, brand):
        rng = self.rng
        digits = '0123456789'
        if brand in {'Daikin', 'Mitsubishi Electric'}:
            return rng.choice('EJ4') + ''.join(
                rng.choice(digits) for _ in range(7))
        if brand in {'Samsung', 'Haier', 'LG'}:
            return '0J%sQPA%s' % (rng.choice(digits), ''.join(
                    rng.choice(digits) for _ in range(7)))
        length = {'Viessmann': 16, 'Immergas': 8, 'Baxi': 11}.get(brand, 12)
        return ''.join(rng.choice(digits) for _ in range(length))

    def _device(self, kind, brand, model, group, **values):
        device = {
            'kind': kind, 'brand': brand, 'model': model, 'group': group,
            'fuel': None, 'hp_drive': None, 'power': None, 'cooling': None,
            'class': None, 'carrier': 'water', 'refrigerant': None,
            'charge': None, 'interval': 12, 'serial': self._serial(brand),
            }
        device.update(values)
        return device

    def condensing_boiler(self, power=None):
        rng = self.rng
        brand, model, powers = rng.choice(self.impianti.CONDENSING)
        power = power if power in powers else rng.choice(powers)
        fuel = self.fuels['natural_gas' if rng.random() < 0.92 else 'lpg']
        return self._device('boiler', brand, model.format(p=power), 'boiler',
            fuel=fuel, power=Decimal(power), installed=self._installed(2010),
            **{'class': 'gas_condensing'})

    def old_boiler(self):
        rng = self.rng
        brand, model, power, class_, _, first, last = rng.choice(
            self.impianti.OLD_BOILERS)
        return self._device('boiler', brand, model, 'boiler',
            fuel=self.fuels['natural_gas'], power=Decimal(power),
            installed=self._installed(first, last),
            estimated=rng.random() < 0.1, **{'class': class_})

    def gasoil_boiler(self):
        rng = self.rng
        brand, model, power, class_, _, first, last = rng.choice(
            self.impianti.GASOIL_BOILERS)
        return self._device('boiler', brand, model, 'boiler',
            fuel=self.fuels['gasoil'], power=Decimal(power),
            installed=self._installed(first, last),
            estimated=rng.random() < 0.2, **{'class': class_})

    def heat_pump(self):
        rng = self.rng
        brand, model, heating, cooling, gas, charge, first = rng.choice(
            self.impianti.HEAT_PUMPS)
        return self._device('heat_pump', brand, model, 'heat_pump',
            fuel=self.fuels['electricity'], hp_drive='electric',
            power=Decimal(heating), cooling=Decimal(cooling),
            refrigerant=self.refrigerants[gas], charge=Decimal(charge),
            installed=self._installed(first))

    def air_conditioner(self, business=False):
        rng = self.rng
        choices = self.impianti.AIR_CONDITIONERS
        if business and rng.random() < 0.5:
            choices = self.impianti.BUSINESS_AIR
        brand, model, cooling, heating, gas, charge, first = rng.choice(
            choices)
        return self._device('air_conditioner', brand, model,
            'air_conditioner', fuel=self.fuels['electricity'],
            hp_drive='electric', power=Decimal(heating),
            cooling=Decimal(cooling), carrier='air',
            refrigerant=self.refrigerants[gas], charge=Decimal(charge),
            installed=self._installed(first),
            interval=rng.choice([12, 24]))

    def water_heater(self):
        rng = self.rng
        brand, model, power = rng.choice(self.impianti.WATER_HEATERS)
        return self._device('water_heater', brand, model, 'water_heater',
            fuel=self.fuels['electricity'], power=Decimal(power),
            installed=self._installed(2012))

    def due_dates(self, customer):
        "The stored due dates, as termogest.plant._due_dates computes them"
        rng = self.rng
        region = customer['region']
        devices = customer['devices']
        totals = Counter()
        supplies = {}
        for device in devices:
            supply = self.control_supply(device, region)
            supplies[device['id']] = supply
            power = self.control_power(device)
            if supply and power is not None:
                totals[supply] += power
        default = region['default_months'] or self.ref['default_months']
        for device in devices:
            months = device['interval'] or default
            start = (device['last_visit'] or device['first_start']
                or device['installed'])
            device['next_visit'] = add_months(start, months)
            rule = None
            supply = supplies[device['id']]
            if supply:
                if supply == 'cogeneration':
                    rule = None
                else:
                    rule = self.control_rule(supply, totals.get(supply))
            interval = None
            if rule:
                interval = (region['overrides'].get(rule['id'])
                    or rule['interval_years'] * 12)
            device['control_rule'] = rule['id'] if rule else None
            device['control_interval'] = interval
            device['last_check'] = device['next_check'] = None
            if interval:
                due = self.today + dt.timedelta(
                    days=rng.randint(-90, 456))
                last = add_months(due, -interval)
                if last >= device['first_start'] and last < self.today:
                    device['last_check'] = last
                start = device['last_check'] or device['first_start']
                device['next_check'] = add_months(start, interval)

    def control_supply(self, device, region):
        if device['component'] == 'GT':
            supply, solid = self.fuel_supply.get(device['fuel'],
                (None, False))
            if not supply or (solid and not region['biomass']):
                return None
            return supply
        return self.impianti_supply(device['hp_drive'])

    @staticmethod
    def impianti_supply(drive):
        return {
            None: 'electric_compression_or_direct_flame_absorption',
            'electric': 'electric_compression_or_direct_flame_absorption',
            'direct_flame_absorption':
            'electric_compression_or_direct_flame_absorption',
            'engine': 'engine_driven_compression',
            'thermal_absorption': 'thermal_absorption',
            }[drive]

    @staticmethod
    def control_power(device):
        if device['component'] == 'GF':
            powers = [p for p in [device['power'], device['cooling']]
                if p is not None]
            return max(powers) if powers else None
        return device['power']

    def control_rule(self, supply, power):
        if power is None:
            return None
        for rule in self.rules:
            if rule['supply'] != supply:
                continue
            low, high = rule['power_min'], rule['power_max']
            if low is not None and (power < low or (
                        power == low and not rule['power_min_inclusive'])):
                continue
            if high is not None and (power > high or (
                        power == high and not rule['power_max_inclusive'])):
                continue
            return rule
        return None

    # five years of interventions --------------------------------------------
    def history(self, customer):
        rng = self.rng
        devices = customer['devices']
        main, other = devices
        start = max(self.history_start,
            customer['since'] + dt.timedelta(days=7))
        yesterday = self.today - dt.timedelta(days=1)
        jobs = []
        # Yearly maintenance, the last one 0-15 months ago
        last = self.today - dt.timedelta(days=rng.randint(1, 455))
        for k in range(HISTORY_YEARS + 1):
            date = last - dt.timedelta(days=365 * k + rng.randint(-12, 12))
            if date < start or date < main['first_start'] + dt.timedelta(
                    days=30):
                break
            visited = [main]
            if other['first_start'] < date and (
                    other['interval'] == 12 or k % 2 == 0):
                visited.append(other)
            jobs.append(('maintenance', date, visited))
        repairs = 10 - len(jobs)
        quota = int(self.window_quota) + (
            rng.random() < self.window_quota % 1)
        span = (self.window_start - start).days
        for index in range(repairs):
            if index < quota:
                date = self.window_start
            else:
                date = start + dt.timedelta(days=rng.randrange(max(span, 1)))
            # A device in service then: the main one first
            working = [d for d in devices if d['first_start'] < date]
            if working:
                device = (working[0] if len(working) == 1
                    or rng.random() < 0.65 else working[1])
            else:
                device = min(devices, key=lambda d: d['first_start'])
                date = max(date,
                    device['first_start'] + dt.timedelta(days=1))
            jobs.append(('repair', date, [device]))
        visits = []
        for kind, date, visited in jobs:
            earliest = max(start, max(d['first_start'] for d in visited)
                + dt.timedelta(days=1))
            if date >= self.window_start and kind == 'repair':
                booked = self.book_window(earliest)
                if not booked:
                    booked = self.book(self.window_start - dt.timedelta(
                            days=rng.randint(1, 30)), customer['tech'],
                        earliest, yesterday)
            else:
                booked = self.book(date, customer['tech'], earliest,
                    yesterday)
            if not booked:
                continue
            visits.append((booked, kind, visited))
        visits.sort(key=lambda v: (v[0][0], v[0][2]))
        for device in devices:
            device['last_visit'] = None
        customer['interventions'] = []
        calls = min(2, sum(1 for v in visits if v[1] == 'repair'))
        if calls and rng.random() < 0.1:
            calls += 1
        repair_indexes = [i for i, v in enumerate(visits)
            if v[1] == 'repair']
        called = set(rng.sample(repair_indexes,
                min(calls, len(repair_indexes))))
        for index, ((day, tech, slot), kind, visited) in enumerate(visits):
            intervention = self.intervention(customer, day, tech, slot, kind,
                visited, index in called)
            customer['interventions'].append(intervention)
            if kind == 'maintenance':
                for device in visited:
                    device['last_visit'] = max(
                        device['last_visit'] or day, day)
        self.choose_invoiced(customer)

    def work(self, kind, visited):
        "(kind, description, parts, minutes, outcome, notes, call data)"
        rng = self.rng
        agenda = self.agenda_
        device = visited[0]
        label = '%s %s' % (device['brand'], device['model'])
        if kind == 'maintenance':
            group = device['group']
            template = agenda.MAINTENANCE_WORK.get(
                group, agenda.MAINTENANCE_WORK['other'])
            text = template.format(device=label,
                vessel=rng.choice(['0,8', '1,0', '1,2']),
                pressure=rng.choice(['1,2', '1,3', '1,5']),
                co=rng.randint(12, 95), efficiency=rng.choice(
                    ['95,8', '96,4', '97,1', '92,3', '98,0']),
                supply=rng.randint(8, 13))
            parts = []
            if group == 'boiler' and rng.random() < 0.3:
                parts.append(('RIC-KMC', 1))
            elif group == 'air_conditioner' and rng.random() < 0.5:
                parts.append(('RIC-SAN', 1))
            weights, outcomes = zip(*[(w, (o, n)) for w, o, n in
                    agenda.MAINTENANCE_OUTCOMES])
            outcome, notes = rng.choices(outcomes, weights)[0]
            minutes = 60 if group != 'air_conditioner' else 45
            description = "Manutenzione ordinaria annuale: %s." % label
            return (text, parts, minutes, outcome, notes, description, None)
        catalogue = {
            'boiler': agenda.BOILER_REPAIRS,
            'heat_pump': agenda.HEAT_PUMP_REPAIRS,
            'air_conditioner': agenda.AIR_REPAIRS,
            }.get(device['group'], self.italy['water_heater_repairs'])
        _, reason, priorities, notes_, minutes, works = rng.choice(catalogue)
        text, parts, outcome, notes = rng.choice(works)
        call = (reason, rng.choice(priorities), rng.choice(notes_))
        return (text, [tuple(p) for p in parts], minutes, outcome, notes,
            reason, call)

    def intervention(self, customer, day, tech, slot, kind, visited,
            called):
        rng = self.rng
        text, parts, minutes, outcome, notes, description, call = self.work(
            kind, visited)
        minutes = min(75, max(30, int(minutes)) // 15 * 15)
        employee, user = self.technicians[tech]
        hour, minute = SLOTS[slot]
        start = to_utc(day, hour, minute)
        end = start + dt.timedelta(minutes=minutes)
        local_start = dt.time(hour, minute)
        local_end = (dt.datetime(2000, 1, 1, hour, minute)
            + dt.timedelta(minutes=minutes)).time()
        booked_at = max(customer['since_at'], self.when(
                day - dt.timedelta(days=rng.randint(1, 20))))
        booked_at = min(booked_at, start - dt.timedelta(hours=1))
        done_at = end + dt.timedelta(minutes=rng.randint(2, 25))
        call_id = None
        plant = customer['plant']
        party = customer['party']
        company = self.ref['company']
        if called:
            call_id = self.t('termogest_call').new_id()
            reason, priority, call_notes = call
            received = max(customer['since_at'], start - dt.timedelta(
                    hours=rng.randint(3, 96)))
            received = min(received, booked_at)
            secretary = rng.choice(self.secretaries)
            channel = rng.choices(['phone', 'email', 'ticket', 'counter'],
                [70, 15, 10, 5])[0]
            caller = None
            if rng.random() < 0.1:
                caller = '%s %s' % (rng.choice(
                        self.clienti.FEMALE_NAMES + self.clienti.MALE_NAMES),
                    customer['name'].split()[0])
            row = [call_id, True, channel, company, caller,
                customer['phone'], received, secretary, visited[0]['id'],
                call_notes, None,
                party, plant, priority, reason, received, secretary, None,
                'manual', 'done', done_at, user]
            self.t('termogest_call').rows.append(row)
            self.numbers['termogest_call'].append((received, row))
            description = '\n'.join([reason, call_notes])
            booked_at = max(booked_at, received)
        appointment = self.t('termogest_appointment').new_id()
        secretary = rng.choice(self.secretaries)
        self.t('termogest_appointment').add(appointment,
            customer['address'], call_id, company, booked_at, secretary, day,
            description, end, 'maintenance' if kind == 'maintenance'
            else 'repair', party, plant, start, 'done', employee, done_at,
            user)
        table = self.t('termogest_appointment-termogest_device')
        for device in visited:
            table.add(table.new_id(), appointment, booked_at, secretary,
                device['id'])
        intervention = self.t('termogest_intervention').new_id()
        travel = (dt.timedelta(minutes=rng.choice([15, 20, 30, 45]))
            if rng.random() < 0.8 else None)
        hours = Decimal(minutes) / 60
        labour = (hours * 4).to_integral_value() / 4
        labour = labour.quantize(CENT)
        row = [intervention, appointment, company, start, user, day, text,
            local_end, 'maintenance' if kind == 'maintenance' else 'repair',
            labour, None, outcome, notes, party, plant, False, local_start,
            'done', employee, travel, done_at, user]
        self.t('termogest_intervention').rows.append(row)
        self.numbers['termogest_intervention'].append((start, row))
        table = self.t('termogest_intervention-termogest_device')
        for device in visited:
            table.add(table.new_id(), start, user, device['id'],
                intervention)
        lines = []
        table = self.t('termogest_intervention_line')
        for code, quantity in parts:
            product = self.products[code]
            line = table.new_id()
            table.add(line, start, user, product['name'], intervention,
                product['id'], float(quantity), product['uom'],
                product['price'])
            lines.append((code, quantity))
        return {
            'id': intervention, 'row': row, 'day': day, 'kind': row[8],
            'lines': lines, 'travel': travel, 'labour': labour,
            'visited': visited, 'done_at': done_at, 'user': user,
            }

    def choose_invoiced(self, customer):
        "About two invoices per customer, of interventions older than a month"
        rng = self.rng
        candidates = [i for i in customer['interventions']
            if i['day'] < self.window_start]
        count = 2 + (rng.random() < 0.1)
        chosen = rng.sample(candidates, min(count, len(candidates)))
        for intervention in chosen:
            invoice_day = intervention['day'] + dt.timedelta(
                days=rng.randint(0, 12))
            invoice_day = min(invoice_day,
                self.window_start - dt.timedelta(days=1))
            self.to_invoice.append((invoice_day, customer, intervention))

    # booklets and contracts -------------------------------------------------
    def booklet(self, customer):
        rng = self.rng
        main = customer['devices'][0]
        start = self.impianti.BOOKLET_START
        if main['installed'] >= start:
            date, type_ = main['installed'], 'new'
        else:
            date = min(start + dt.timedelta(days=rng.randint(0, 400)),
                self.today - dt.timedelta(days=30))
            type_ = 'existing'
        created = max(customer['since_at'], self.when(date))
        creator = customer['creator']
        booklet = self.t('termogest_booklet').new_id()
        cooling = any(d['kind'] in {'air_conditioner', 'heat_pump'}
            for d in customer['devices'])
        person = customer['person']
        activated = created + dt.timedelta(minutes=rng.randint(1, 30))
        row = [booklet, customer['category'], customer['plant_row'][3],
            created, creator, date,
            rng.choice(['softening', 'none', 'filtration']), 'water',
            Decimal(rng.randrange(150, 450) if person
                else rng.randrange(300, 1500)),
            'none', type_, None, customer['plant'], cooling, True, True,
            person, 'active', Decimal(rng.choice(['0.080', '0.100', '0.120'])),
            Decimal(rng.randrange(15, 35)), activated, creator]
        row.append(Decimal(rng.randrange(40, 200)) if cooling else None)
        self.t('termogest_booklet').rows.append(row)
        self.numbers['termogest_booklet'].append((created, row))
        table = self.t('termogest_booklet_responsible')
        table.add(table.new_id(), booklet, created, creator,
            customer['fiscal'], customer['name'], customer['role'], date)
        notes = {
            'boiler': self.impianti.MAINTENANCE_NOTES,
            }
        table = self.t('termogest_booklet_entry')
        for intervention in customer['interventions']:
            if intervention['kind'] != 'maintenance' or (
                    intervention['day'] < date):
                continue
            for device in intervention['visited']:
                text = rng.choice(notes.get(device['group'],
                        self.impianti.AIR_MAINTENANCE_NOTES))
                table.add(table.new_id(), booklet, intervention['done_at'],
                    intervention['user'], intervention['day'], text,
                    device['id'], 'maintenance', intervention['user'])

    def contract(self, customer):
        rng = self.rng
        start = self.today - dt.timedelta(days=rng.randint(0, 330))
        created = max(customer['since_at'], self.when(
                start - dt.timedelta(days=rng.randint(1, 20))))
        creator = rng.choice(self.secretaries)
        contract = self.t('termogest_contract').new_id()
        main = customer['devices'][0]['group']
        price = Decimal(rng.randrange(110, 190, 5) if main == 'boiler'
            else rng.randrange(160, 260, 10))
        row = [contract, True, self.ref['company'], created, creator,
            self.impianti.CONTRACT_TERMS,
            add_months(start, 12) - dt.timedelta(days=1), None,
            customer['party'], price, 30, start, 'active', 1,
            created + dt.timedelta(minutes=rng.randint(1, 60)), creator,
            'yearly', None]
        self.t('termogest_contract').rows.append(row)
        self.contracts.append((customer, row))
        self.numbers['termogest_contract'].append((created, row))
        table = self.t('termogest_contract-termogest_plant')
        table.add(table.new_id(), contract, created, creator,
            customer['plant'])
        customer['contract'] = True

    # open calls and the agenda ahead ---------------------------------------
    def open_calls(self):
        "Calls received in the last days and not booked yet"
        rng = self.rng
        other = self.agenda_.OTHER_CALLS
        now = dt.datetime.now(UTC).replace(tzinfo=None)
        for customer in rng.sample(self.customers,
                max(1, len(self.customers) // 60)):
            state = rng.choice(['new', 'to_schedule'])
            reason, priority, channel, notes = rng.choice(other[state])
            received = min(now - dt.timedelta(minutes=5), self.when(
                    self.today - dt.timedelta(days=rng.randint(0, 9))))
            secretary = rng.choice(self.secretaries)
            row = [self.t('termogest_call').new_id(), True, channel,
                self.ref['company'], None, customer['phone'], received,
                secretary, None, notes, None, customer['party'],
                customer['plant'], priority, reason, received, secretary,
                None, 'manual', state, None, None]
            if state == 'to_schedule':
                row[-2:] = [received + dt.timedelta(minutes=2), secretary]
            self.t('termogest_call').rows.append(row)
            self.numbers['termogest_call'].append((received, row))

    def future_agenda(self):
        """Today and the next two weeks: 6-7 appointments a day for every
        technician, maintenance of the devices coming due and repairs of
        calls"""
        rng = self.rng
        now = dt.datetime.now(UTC).replace(tzinfo=None)
        horizon = self.today + dt.timedelta(days=45)
        due = [c for c in self.customers
            if min(d['next_visit'] for d in c['devices']) <= horizon]
        rng.shuffle(due)
        others = list(self.customers)
        booked = set()
        days = [d for d in self.days if d >= self.today]
        progress = Progress("agenda ahead", len(days) * self.ntech)
        for day in days:
            for tech in range(self.ntech):
                target = rng.choice([6, 7])
                while self._count(day, tech) < target:
                    slot = self._free_slot(day, tech)
                    customer = None
                    for attempt in range(40):
                        pool = due if due and rng.random() < 0.7 else others
                        candidate = rng.choice(pool)
                        # Once a plant each, unless the customers are few
                        if candidate['plant'] not in booked or (
                                attempt >= 20 and (day, candidate['plant'])
                                not in booked):
                            customer = candidate
                            break
                    if customer is None:
                        break
                    booked.add(customer['plant'])
                    booked.add((day, customer['plant']))
                    self._take(day, tech, slot)
                    self.planned(customer, day, tech, slot, now)
                progress.update()
        progress.close()

    def planned(self, customer, day, tech, slot, now):
        rng = self.rng
        employee, _ = self.technicians[tech]
        hour, minute = SLOTS[slot]
        start = to_utc(day, hour, minute)
        repair = rng.random() < 0.3
        devices = customer['devices']
        if repair:
            device = rng.choice(devices)
            _, _, minutes, _, _, description, call = self.work(
                'repair', [device])
            visited = [device]
        else:
            visited = [d for d in devices if d['next_visit'] <= day
                + dt.timedelta(days=60)] or devices[:1]
            minutes = 60
            description = "Manutenzione ordinaria annuale: %s." % ', '.join(
                '%s %s' % (d['brand'], d['model']) for d in visited)
            call = None
        minutes = min(75, max(30, int(minutes)) // 15 * 15)
        end = start + dt.timedelta(minutes=minutes)
        booked_at = min(now - dt.timedelta(minutes=rng.randint(5, 600)),
            self.when(min(day, self.today) - dt.timedelta(
                    days=rng.randint(0, 12))))
        secretary = rng.choice(self.secretaries)
        call_id = None
        if call:
            reason, priority, notes = call
            call_id = self.t('termogest_call').new_id()
            received = booked_at - dt.timedelta(minutes=rng.randint(2, 240))
            row = [call_id, True, 'phone', self.ref['company'], None,
                customer['phone'], received, secretary, visited[0]['id'],
                notes, None, customer['party'], customer['plant'], priority,
                reason, received, secretary, None, 'manual', 'scheduled',
                booked_at, secretary]
            self.t('termogest_call').rows.append(row)
            self.numbers['termogest_call'].append((received, row))
            description = '\n'.join([reason, notes])
        state = 'confirmed' if day <= self.today + dt.timedelta(
            days=2) else rng.choice(['planned', 'planned', 'confirmed'])
        appointment = self.t('termogest_appointment').new_id()
        write = (booked_at + dt.timedelta(minutes=rng.randint(10, 600))
            if state == 'confirmed' else None)
        if write and write > now:
            write = now
        self.t('termogest_appointment').add(appointment,
            customer['address'], call_id, self.ref['company'], booked_at,
            secretary, day, description, end,
            'repair' if repair else 'maintenance', customer['party'],
            customer['plant'], start, state, employee, write,
            secretary if write else None)
        table = self.t('termogest_appointment-termogest_device')
        for device in visited:
            table.add(table.new_id(), appointment, booked_at, secretary,
                device['id'])

    # numbers ----------------------------------------------------------------
    def number_rows(self):
        "Number the documents from their sequences in the order of creation"
        self.sequence_values = {}
        for name, column in NUMBERED.items():
            table = self.t(name)
            index = table.columns.index(column)
            sequence = self.sequence_of[name]
            prefix, padding = self.sequences[sequence]
            last, called = self.conn.execute(sql.SQL(
                    "SELECT last_value, is_called FROM {}").format(
                    sql.Identifier('ir_sequence_%s' % sequence))).fetchone()
            number = last + 1 if called else last
            rows = self.numbers[name]
            rows.sort(key=lambda r: (r[0], r[1][0]))
            for created, row in rows:
                local = created.replace(tzinfo=UTC).astimezone(TZ).date()
                row[index] = sequence_text(prefix, padding, number, local)
                if name == 'party_party':
                    row[index + 1] = re_alnum(row[index])
                    row[index + 2] = int(re_digits(row[index])[-18:])
                number += 1
            if rows:
                self.sequence_values[sequence] = number - 1
            del self.numbers[name][:]

    # invoices ---------------------------------------------------------------
    def make_invoices(self):
        """Posted customer invoices of the interventions chosen and of the
        maintenance contracts (billed a year in advance), with their account
        moves, numbered per fiscal year in date order"""
        kinds = self.ref['kinds']
        documents = []
        self.contract_rows = {}
        for day, customer, intervention in self.to_invoice:
            row = intervention['row']
            plant = customer['plant_row']
            heading = "Intervento %s del %s (%s) - %s" % (
                row[10], intervention['day'].strftime('%d/%m/%Y'),
                kinds[row[8]], ' - '.join(filter(None, [
                            plant[4], customer['street'],
                            customer['city']['name']])))
            origin = 'termogest.intervention,%s' % intervention['id']
            charges = [(None, heading, None, None, None)]
            if intervention['travel']:
                charges.append(('SRV-UTE', None, 1, None, None))
            if intervention['labour']:
                charges.append(
                    ('SRV-MAN', None, intervention['labour'], None, None))
            for code, quantity in intervention['lines']:
                charges.append((code, self.products[code]['name'],
                        quantity, None, None))
            documents.append((day, intervention['id'], customer, origin,
                    charges, intervention['done_at'], intervention))
        for customer, row in self.contracts:
            start, end = row[11], row[6]
            description = "Contratto di manutenzione %s, periodo %s - %s" % (
                row[7], start.strftime('%d/%m/%Y'), end.strftime('%d/%m/%Y'))
            origin = 'termogest.contract,%s' % row[0]
            charges = [('SRV-CTR', description, 1, row[9], (start, end))]
            documents.append((min(start, self.today), -row[0], customer,
                    origin, charges, row[3], None))
            # Contract.create_invoices
            row[17] = end
            self.contract_rows[row[0]] = row
        documents.sort(key=lambda d: (d[0], d[1]))
        progress = Progress("invoices", len(documents))
        for document in documents:
            self.invoice(*document)
            progress.update()
        progress.close()

    def invoice(self, day, _, customer, origin, charges, after, intervention):
        rng = self.rng
        company, currency = self.ref['company'], self.ref['currency']
        invoicer = self.ref['invoicer']
        created = max(self.when(day, 9, 17),
            after + dt.timedelta(minutes=30))
        posted = created + dt.timedelta(minutes=rng.randint(1, 40))
        invoice = self.t('account_invoice').new_id()
        move = self.t('account_move').new_id()
        if day.year not in self.fiscal_sequences:
            raise SystemExit("No fiscal year for %s" % day.year)
        move_sequence, invoice_sequence = self.fiscal_sequences[day.year]
        number = self.next_strict(invoice_sequence, day)
        move_number = self.next_strict(move_sequence, day)
        period = self.periods[(day.year, day.month)]
        lines = self.t('account_invoice_line')
        amounts = []
        taxes = defaultdict(Decimal)
        tax_table = self.t('account_invoice_line-account_tax')
        for code, description, quantity, price, period_ in charges:
            line = lines.new_id()
            if code is None:
                lines.add(line, None, company, created, invoicer, currency,
                    description, invoice, origin, None, None, Decimal(1),
                    'comment', None, None, False, None, None, None)
                continue
            product = self.products[code]
            price = product['price'] if price is None else price
            amount = money(Decimal(str(quantity)) * price)
            lines.add(line, product['account'], company, created, invoicer,
                currency, description, invoice, origin, product['id'],
                float(quantity), Decimal(1), 'line', product['uom'], price,
                False, money(price), *(period_ or (None, None)))
            amounts.append((line, product, amount))
            for tax in product['taxes']:
                tax_table.add(tax_table.new_id(), created, invoicer, line,
                    tax[0])
                taxes[tax] += amount
        untaxed = sum((a for _, _, a in amounts), Decimal(0))
        tax_rows = []
        table = self.t('account_invoice_tax')
        for (tax, rate, description, account), base in taxes.items():
            amount = money(base * rate)
            tax_id = table.new_id()
            table.add(tax_id, account, amount, base, created, invoicer,
                description, invoice, False, tax)
            tax_rows.append((tax_id, tax, description, account, amount))
        tax_total = sum((t[4] for t in tax_rows), Decimal(0))
        total = untaxed + tax_total
        self.t('account_invoice').add(invoice, self.ref['receivable'],
            company, created, invoicer, currency, customer['address'], day,
            self.journal, move, number, re_alnum(number),
            int(re_digits(number)[-18:]), customer['party'],
            customer['tax_identifier'], invoice_sequence, 'invoice',
            'posted', tax_total, self.company_tax_identifier, total, 'out',
            untaxed, posted, invoicer, False)
        self.t('account_move').add(move, company, posted, invoicer, day,
            self.journal, move_number, 'account.invoice,%s' % invoice, period,
            day, 'posted', posted, invoicer)
        move_lines = self.t('account_move_line')
        tax_lines = self.t('account_tax_line')
        for line, product, amount in amounts:
            move_line = move_lines.new_id()
            move_lines.add(move_line, product['account'], posted, invoicer,
                amount, Decimal(0), None, None, move,
                'account.invoice.line,%s' % line, None, 'valid')
            for tax in product['taxes']:
                tax_lines.add(tax_lines.new_id(), amount, posted, invoicer,
                    move_line, tax[0], 'base')
        for tax_id, tax, description, account, amount in tax_rows:
            move_line = move_lines.new_id()
            move_lines.add(move_line, account, posted, invoicer, amount,
                Decimal(0), description, None, move,
                'account.invoice.tax,%s' % tax_id, None, 'valid')
            tax_lines.add(tax_lines.new_id(), amount, posted, invoicer,
                move_line, tax, 'tax')
        move_lines.add(move_lines.new_id(), self.ref['receivable'], posted,
            invoicer, Decimal(0), total, None, day, move, None,
            customer['party'], 'valid')
        if period not in self.journal_periods:
            self.journal_periods.add(period)
            table = self.t('account_journal_period')
            table.add(table.new_id(), posted, invoicer, self.journal, period,
                'open')
        if intervention:
            # Intervention.set_invoiced
            row = intervention['row']
            row[17] = 'invoiced'
            row[20], row[21] = created, invoicer
        else:
            # Contract.create_invoices: invoiced_until, written then
            contract = self.contract_rows[int(origin.split(',')[1])]
            contract[14], contract[15] = created, invoicer

    def next_strict(self, sequence, date):
        prefix, padding, number = self.strict[sequence]
        self.strict[sequence][2] = number + 1
        return sequence_text(prefix, padding, number, date)

    # loading ----------------------------------------------------------------
    def load(self):
        """COPY the rows, the indexes of the tables built again afterwards,
        then the sequences advanced and the tables analysed"""
        conn = self.conn
        tables = [t for t in self.tables.values() if t.rows]
        names = [t.name for t in tables]
        indexes = conn.execute(
            "SELECT i.indexrelid::regclass::text, "
            "pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid "
            "WHERE c.relname = ANY(%s) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
            "WHERE k.conindid = i.indexrelid)", (names,)).fetchall()
        with conn.transaction():
            for name, _ in indexes:
                conn.execute('DROP INDEX %s' % name)
        total = sum(len(t.rows) for t in tables)
        progress = Progress("COPY rows", total)
        for table in tables:
            with conn.transaction():
                # Rows of a consistent set: no foreign key trigger per row
                conn.execute("SET LOCAL session_replication_role = replica")
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table.name),
                    sql.SQL(', ').join(map(sql.Identifier, table.columns)))
                with conn.cursor().copy(statement) as copy:
                    for index, row in enumerate(table.rows, 1):
                        copy.write_row(row)
                        if not index % 20000:
                            progress.update(20000)
                progress.update(len(table.rows) % 20000)
        progress.close()
        progress = Progress("indexes", len(indexes))
        conn.execute("SET maintenance_work_mem = '1GB'")
        for _, definition in indexes:
            with conn.transaction():
                conn.execute(definition)
            progress.update()
        progress.close()
        with conn.transaction():
            for table in tables:
                conn.execute(sql.SQL(
                        "SELECT setval({}, (SELECT MAX(id) FROM {}))").format(
                        sql.Literal(table.name + '_id_seq'),
                        sql.Identifier(table.name)))
            for sequence, value in self.sequence_values.items():
                conn.execute("SELECT setval(%s, %s)",
                    ('ir_sequence_%s' % sequence, value))
            for sequence, (_, _, number) in self.strict.items():
                conn.execute("UPDATE ir_sequence_strict "
                    "SET number_next_internal = %s WHERE id = %s",
                    (number, sequence))
        conn.execute("ANALYZE")
        conn.commit()
        return {t.name: len(t.rows) for t in tables}


# -- the check ---------------------------------------------------------------

CHECK_MODELS = [
    'party.party', 'party.address', 'party.contact_mechanism',
    'party.identifier', 'party.party.lang', 'party.party.account',
    'party.party.location', 'party.party.payment_term', 'company.employee',
    'res.user', 'termogest.plant', 'termogest.plant-company.employee',
    'termogest.device', 'termogest.booklet', 'termogest.booklet.responsible',
    'termogest.booklet.entry', 'termogest.contract',
    'termogest.contract-termogest.plant', 'termogest.call',
    'termogest.appointment', 'termogest.appointment-termogest.device',
    'termogest.intervention', 'termogest.intervention-termogest.device',
    'termogest.intervention.line', 'account.invoice', 'account.invoice.line',
    'account.invoice.line-account.tax', 'account.invoice.tax',
    'account.move', 'account.move.line', 'account.tax.line',
    'account.journal.period',
    ]


def check(args, today):
    """Read every field of random records of each model filled and validate
    them with the ORM; count the due list and a technician's day"""
    from trytond.transaction import Transaction
    pool = orm(args)
    rng = random.Random(args.seed)
    problems = []
    with connect(args.uri, args.database) as conn:
        context = orm_context(conn)
        samples = {}
        for model in CHECK_MODELS:
            table = pool.get(model)._table
            ids = [i for i, in conn.execute(sql.SQL(
                        "SELECT id FROM {} ORDER BY id DESC LIMIT 20000"
                        ).format(sql.Identifier(table)))]
            samples[model] = rng.sample(ids, min(CHECK_SAMPLE, len(ids)))
        unbalanced, = conn.execute(
            "SELECT count(*) FROM (SELECT move FROM account_move_line "
            "GROUP BY move HAVING SUM(debit) != SUM(credit)) m").fetchone()
        if unbalanced:
            problems.append("%d unbalanced account moves" % unbalanced)
        overlaps, = conn.execute(
            "SELECT count(*) FROM termogest_appointment a "
            "JOIN termogest_appointment b ON a.technician = b.technician "
            "AND a.id < b.id AND a.start < b.\"end\" AND a.\"end\" > b.start "
            "AND a.state != 'cancelled' AND b.state != 'cancelled' "
            "AND a.date = b.date").fetchone()
        if overlaps:
            problems.append("%d overlapping appointments" % overlaps)
        technician, user = conn.execute(
            "SELECT u.employee, u.id FROM res_user u "
            "WHERE u.termogest_role = 'technician' AND u.employee IS NOT NULL "
            "ORDER BY u.id LIMIT 1").fetchone()
        day = conn.execute(
            "SELECT count(*), min(n), round(avg(n), 1), max(n) FROM ("
            "SELECT u.employee, count(a.id) AS n FROM res_user u "
            "LEFT JOIN termogest_appointment a ON a.technician = u.employee "
            "AND a.date = %s AND a.state != 'cancelled' "
            "WHERE u.termogest_role = 'technician' AND u.employee IS NOT NULL "
            "GROUP BY u.employee) t", (today,)).fetchone()
        invoices = [i for i, in conn.execute(
                "SELECT id FROM account_invoice WHERE state = 'posted' "
                "AND type = 'out' ORDER BY id DESC LIMIT 2000")]
        invoices = rng.sample(invoices, min(10, len(invoices)))
    started = time.monotonic()
    # res.user validation locks its table: known before the transaction
    with Transaction().start(args.database, 1, context=context,
            _lock_tables=['res_user']) as transaction:
        progress = Progress("check (ORM)", sum(map(len, samples.values())))
        for model, ids in samples.items():
            Model = pool.get(model)
            names = list(Model._fields)
            try:
                Model.read(ids, names)
                Model._validate(Model.browse(ids))
            except Exception as exception:
                problems.append("%s: %s: %s" % (
                        model, exception.__class__.__name__, exception))
            progress.update(len(ids))
        progress.close()
        problems.extend(check_due_dates(pool, samples['termogest.plant']))
        Due = pool.get('termogest.maintenance.due')
        Appointment = pool.get('termogest.appointment')
        with Transaction().set_context(
                from_date=today.replace(day=1),
                to_date=today + dt.timedelta(days=60)):
            due = Due.search_count([])
            first_page = Due.search([], limit=100)
            Due.read([d.id for d in first_page],
                ['due_date', 'party', 'city', 'device', 'kind'])
        Invoice = pool.get('account.invoice')
        for invoice in Invoice.browse(invoices):
            try:
                _, fatturapa = invoice.fatturapa_xml()
            except Exception as exception:
                fatturapa = [exception]
            for problem in fatturapa:
                problems.append("FatturaPA of %s: %s" % (invoice.number,
                        getattr(problem, 'message', problem)))
        with Transaction().set_user(user), \
                Transaction().set_context(_check_access=True):
            mine = Appointment.search([('today', '=', True),
                    ('mine', '=', True)])
            Appointment.read([a.id for a in mine],
                ['start', 'party', 'city', 'phone', 'full_address'])
        transaction.rollback()
    print("Check: maintenance due this month and the next 60 days: %d; "
        "appointments of today of technician %s (as the user): %d; "
        "today, %d technicians have %s to %s appointments (%s on average); "
        "%d FatturaPA built; %.1f s." % (due, technician, len(mine),
            day[0], day[1], day[3], day[2], len(invoices),
            time.monotonic() - started))
    if not mine:
        problems.append("technician %s has no appointment today" % technician)
    return problems


def check_due_dates(pool, plant_ids):
    "The stored due dates against termogest.plant._due_dates"
    Plant = pool.get('termogest.plant')
    Rule = pool.get('termogest.rule.control_frequency')
    Configuration = pool.get('termogest.impianti.configuration')
    rules = Rule.search([])
    config = Configuration(1)
    problems = []
    for plant in Plant.browse(plant_ids):
        for device, values in plant._due_dates(rules, config):
            for key, value in values.items():
                current = getattr(device, key)
                if hasattr(current, 'id'):
                    current = current.id
                if current != value:
                    problems.append("device %s: %s is %s, the ORM computes "
                        "%s" % (device.id, key, current, value))
    return problems


# -- main --------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--customers', type=int,
        help="number of customers to generate")
    parser.add_argument('--database', required=True)
    parser.add_argument('--template', default='bench_base')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--config', default=CONFIG,
        help="trytond configuration (default: bench/trytond.conf)")
    parser.add_argument('--uri', help="PostgreSQL URI (default: the "
        "[database] uri of the configuration)")
    check = parser.add_mutually_exclusive_group()
    check.add_argument('--check', dest='check', action='store_true',
        default=None, help="check the rows with the ORM (default up to "
        "%d customers)" % CHECK_DEFAULT_LIMIT)
    check.add_argument('--no-check', dest='check', action='store_false')
    parser.add_argument('--check-only', action='store_true',
        help="only check an existing database")
    args = parser.parse_args(argv)
    args.uri_given = bool(args.uri)
    args.uri = args.uri or read_uri(args.config)
    if not args.check_only and not args.customers:
        parser.error("--customers is required (or --check-only)")
    if args.check is None:
        args.check = args.check_only or args.customers <= CHECK_DEFAULT_LIMIT
    return args


def main(argv=None):
    args = parse_args(argv)
    today = dt.datetime.now(TZ).date()
    timings = {}
    started = time.monotonic()
    if args.check_only:
        problems = check(args, today)
        return report_problems(problems)

    print("Generating %d customers into %s (template %s, seed %s)." % (
            args.customers, args.database, args.template, args.seed),
        flush=True)
    if not database_exists(args.uri, args.template):
        print("Template %s missing: building it (modules, Italian, demo "
            "data)." % args.template, flush=True)
        mark = time.monotonic()
        build_template(args)
        timings['base database (template)'] = time.monotonic() - mark
    mark = time.monotonic()
    copy_template(args)
    if complete_demo(args):
        timings['demo data completed on the copy'] = time.monotonic() - mark
        mark = time.monotonic()
    timings['copy of the template'] = time.monotonic() - mark

    mark = time.monotonic()
    technicians = max(MIN_TECHNICIANS,
        math.ceil(args.customers / CUSTOMERS_PER_TECHNICIAN))
    first_year = add_months(today, -12 * HISTORY_YEARS).year
    created, years, ref = orm_setup(args, technicians, first_year, today)
    print("ORM: %d technician accounts created, fiscal years %s created."
        % (created, ', '.join(map(str, years)) or "none"), flush=True)
    timings['ORM set-up (technicians, fiscal years)'] = (
        time.monotonic() - mark)

    mark = time.monotonic()
    with connect(args.uri, args.database) as conn:
        generator = Generator(args, ref, conn, today)
        generator.run(args.customers)
        timings['rows made in Python'] = time.monotonic() - mark
        mark = time.monotonic()
        counts = generator.load()
        timings['COPY, indexes, sequences, ANALYZE'] = (
            time.monotonic() - mark)
    data = time.monotonic() - started - sum(
        v for k, v in timings.items() if k.startswith('base'))

    problems = []
    if args.check:
        mark = time.monotonic()
        problems = check(args, today)
        timings['check'] = time.monotonic() - mark

    print("\nRows inserted per table:")
    for name, count in sorted(counts.items(), key=lambda i: -i[1]):
        print("  %-42s %9d" % (name, count))
    print("  %-42s %9d" % ("total", sum(counts.values())))
    print("\nTimes:")
    for name, seconds in timings.items():
        print("  %-42s %8.1f s" % (name, seconds))
    print("  %-42s %8.1f s" % ("data (all but the template build)", data))
    print("  %-42s %8.1f s" % ("total", time.monotonic() - started))
    return report_problems(problems)


def report_problems(problems):
    if problems:
        print("\nCHECK FAILED:")
        for problem in problems[:40]:
            print("  - %s" % problem)
        return 1
    print("\nCheck passed." if problems is not None else "")
    return 0


if __name__ == '__main__':
    sys.exit(main())
