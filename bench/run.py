#!/usr/bin/env python3
# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""TermoGest benchmarks: medians and ratios, each measured side by side.

On each database given (made by bench/generate.py on the cluster of
bench/pg.sh), through the ORM as the office and technician accounts, with
their access rules:

- customer search (name fragment, codice fiscale, partita IVA, phone):
  TermoGest's search against stock Tryton's party search (the domain of the
  party module's ``search_rec_name``), on the same database, interleaved;
- the maintenance-due window: first page of 100 sorted by date with the
  customer's name and city, against the raw SQL of the same query;
- a technician's today view: the web client's list and the app's
  ``api/agenda`` (over the WSGI application, no network);
- a customer card opened as the web client does (the form's fields, then the
  first page of each tab);

then, once, the FatturaPA engine against the ``a38`` library
(bench/fatturapa.py) and the Excel import (bench/excel_import.py).  With
two databases or more, the last column is how each figure grows from the
first to the last.

    bench/pg.sh start
    .venv/bin/python bench/generate.py --customers 5000 --database bench_5k
    .venv/bin/python bench/generate.py --customers 50000 --database bench_50k
    .venv/bin/python bench/run.py --database bench_5k --database bench_50k
"""
import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# Read by trytond.config when it is imported
os.environ.setdefault('TRYTOND_CONFIG', str(ROOT / 'bench' / 'trytond.conf'))

import trytond.config as config  # noqa: E402
from trytond.pool import Pool  # noqa: E402

SECRETARY = 'rossiimpianti.giulia'


def median_ms(samples):
    return statistics.median(samples) * 1000


class Database:
    "Timed calls on one database, each in its own transaction"

    def __init__(self, name, login, repeat):
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        self.name = name
        self.repeat = repeat
        self.pool = Pool(name)
        self.pool.init()
        self.Transaction = Transaction
        with Transaction().start(name, 0, readonly=True):
            User = self.pool.get('res.user')
            user, = User.search([('login', '=', login)])
            self.user = user.id
        self.context = self.preferences(self.user)

    def preferences(self, user):
        with self.Transaction().start(self.name, user, readonly=True):
            User = self.pool.get('res.user')
            return User.get_preferences(context_only=True)

    def call(self, func, user=None, context=None):
        "Return the seconds func(pool) took, in a new read-only transaction"
        user = user or self.user
        with self.Transaction().start(
                self.name, user, readonly=True,
                context=context or self.context) as transaction:
            from trytond.model.modelstorage import check_access
            with check_access():
                start = time.perf_counter()
                func(self.pool)
                elapsed = time.perf_counter() - start
            transaction.rollback()
        return elapsed

    def compare(self, funcs, **kwargs):
        """Time each of funcs repeat times, interleaved (one of each per
        round, their order alternating): return the medians in ms"""
        samples = [[] for _ in funcs]
        for func in funcs:  # warm the caches (views, access, translations)
            self.call(func, **kwargs)
        for i in range(self.repeat):
            order = list(range(len(funcs)))
            if i % 2:
                order.reverse()
            for j in order:
                samples[j].append(self.call(funcs[j], **kwargs))
        return [median_ms(s) for s in samples]

    def query(self, sql, params=()):
        with self.Transaction().start(self.name, 0, readonly=True) as t:
            cursor = t.connection.cursor()
            cursor.execute(sql, params)
            return cursor.fetchall()


VIEWS = {}


def view_fields(Model, view_type, view_id=None):
    "The fields of a view, fetched once as the web client keeps them"
    key = (Model.__name__, view_type, view_id)
    if key not in VIEWS:
        view = Model.fields_view_get(view_id=view_id, view_type=view_type)
        VIEWS[key] = view['fields']
    return VIEWS[key]


def list_read(Model, ids, view_id=None):
    "Read ids as a list view of Model shows them"
    fields = view_fields(Model, 'tree', view_id)
    names = list(fields)
    for name, field in fields.items():
        # sao reads the rec_name of the relations it shows
        if field['type'] in {'many2one', 'reference'}:
            names.append(name + '.rec_name')
    return Model.read(ids, names)


# Customer search -----------------------------------------------------------

def search_samples(db, count=5, seed=1):
    "Return {kind: [values]} taken from the database's customers"
    rng = random.Random(seed)
    rows = db.query(
        "SELECT p.id, p.name FROM party_party p "
        "WHERE p.id IN (SELECT party FROM termogest_plant) "
        "ORDER BY p.id")
    names = [n for _, n in rows]
    fragments = []
    for name in rng.sample(names, count):
        word = max(name.split(), key=len)
        fragments.append(word[:5].lower())
    codes = {}
    for kind in ['it_codicefiscale', 'it_vat']:
        values = [c for c, in db.query(
                "SELECT code FROM party_identifier WHERE type = %s "
                "ORDER BY id", (kind,))]
        codes[kind] = rng.sample(values, min(count, len(values)))
    phones = [v for v, in db.query(
            "SELECT value FROM party_contact_mechanism "
            "WHERE type IN ('phone', 'mobile') ORDER BY id")]
    phones = [p.replace(' ', '')[-7:] for p in rng.sample(phones, count)]
    return {
        'name fragment': fragments,
        'codice fiscale': codes['it_codicefiscale'],
        'partita IVA': codes['it_vat'],
        'phone': phones,
        }


def bench_customer_search(db, results):
    from trytond.modules.party.party import Party as StockParty
    for kind, values in search_samples(db).items():
        cycle = iter(values * (db.repeat + 2) * 2)

        def termogest(pool, values=cycle):
            Party = pool.get('party.party')
            value = '%' + next(values) + '%'
            parties = Party.search(
                [('rec_name', 'ilike', value)], limit=100)
            Party.read([p.id for p in parties], ['rec_name'])

        def stock(pool, values=cycle):
            Party = pool.get('party.party')
            value = '%' + next(values) + '%'
            domain = StockParty.search_rec_name.__func__(
                Party, 'rec_name', ('rec_name', 'ilike', value))
            parties = Party.search(domain, limit=100)
            Party.read([p.id for p in parties], ['rec_name'])

        ours, base = db.compare([termogest, stock])
        results.append(result(
                'customer search: %s' % kind, ours, 'ms',
                base, 'stock party search', base and ours / base,
                '<= 1.2x', ours <= 1.2 * base, lower_better=True))

    def list_view(pool):
        Party = pool.get('party.party')
        parties = Party.search(
            [('rec_name', 'ilike', '%' + values[0] + '%')], limit=100)
        list_read(Party, [p.id for p in parties])
    values = search_samples(db)['name fragment']
    ours, = db.compare([list_view])
    results.append(result(
            'customer list (search + list view)', ours, 'ms'))


# Maintenance due ------------------------------------------------------------

# What the list shows, written by hand as the module's query does it: both
# kinds of due date, the customer's name and the plant's city, first 100
# by date
DUE_SQL = """
SELECT d.id * 2 + k.shift AS id,
    CASE k.shift WHEN 0 THEN d.next_maintenance_date
        ELSE d.next_efficiency_check_date END AS due_date,
    pa.name, ad.city
FROM termogest_device d
JOIN termogest_plant pl ON d.plant = pl.id
JOIN party_party pa ON pl.party = pa.id
LEFT JOIN party_address ad ON pl.address = ad.id
CROSS JOIN (VALUES (0), (1)) AS k(shift)
WHERE d.active AND d.removal_date IS NULL AND pl.active AND pa.active
    AND pa.trashed_at IS NULL AND NOT COALESCE(pa.no_maintenance, FALSE)
    AND pl.company = %(company)s
    AND (d.next_maintenance_date BETWEEN %(from)s AND %(to)s
        OR d.next_efficiency_check_date BETWEEN %(from)s AND %(to)s)
    AND CASE k.shift WHEN 0 THEN d.next_maintenance_date
        ELSE d.next_efficiency_check_date END BETWEEN %(from)s AND %(to)s
ORDER BY 2, 1
LIMIT 100
"""


def due_context(db, pool):
    Date = pool.get('ir.date')
    today = Date.today()
    return {
        'from_date': today.replace(day=1),
        'to_date': today + datetime.timedelta(days=60),
        }


def bench_maintenance_due(db, results):
    with db.Transaction().start(db.name, db.user, context=db.context):
        context = dict(db.context, **due_context(db, db.pool))
    with db.Transaction().start(db.name, db.user, context=context):
        count = db.pool.get('termogest.maintenance.due').search_count([])

    def orm(pool):
        # what the raw SQL returns: date, customer name, city
        Due = pool.get('termogest.maintenance.due')
        dues = Due.search([], limit=100)
        Due.read([d.id for d in dues], ['due_date', 'party.rec_name', 'city'])

    def list_view(pool):
        Due = pool.get('termogest.maintenance.due')
        dues = Due.search([], limit=100)
        list_read(Due, [d.id for d in dues])

    def raw(pool):
        from trytond.transaction import Transaction
        cursor = Transaction().connection.cursor()
        cursor.execute(DUE_SQL, {
                'company': context['company'],
                'from': context['from_date'],
                'to': context['to_date'],
                })
        cursor.fetchall()

    ours, base, full = db.compare([orm, raw, list_view], context=context)
    results.append(result(
            'maintenance due: first 100 of %s (date, customer, city)'
            % count, ours, 'ms',
            base, 'raw SQL', ours / base, '<= 3x and < 100 ms',
            ours <= 3 * base and ours < 100, lower_better=True))
    results.append(result(
            'maintenance due: the list view (12 columns)', full, 'ms'))


# Technician's today ---------------------------------------------------------

def busiest_technician(db):
    rows = db.query(
        "SELECT u.id, a.technician, count(*) FROM termogest_appointment a "
        "JOIN res_user u ON u.employee = a.technician "
        "WHERE a.date = CURRENT_DATE AND a.state != 'cancelled' "
        "AND u.active "
        "GROUP BY u.id, a.technician ORDER BY 3 DESC, 1 LIMIT 1")
    if not rows:
        raise SystemExit(
            "%s: no technician with a user has appointments today "
            "(generate the database again)" % db.name)
    return rows[0]


def bench_technician_today(db, results):
    from werkzeug.test import Client

    from trytond.wsgi import app
    user, employee, count = busiest_technician(db)
    context = db.preferences(user)

    def web(pool):
        Appointment = pool.get('termogest.appointment')
        Date = pool.get('ir.date')
        appointments = Appointment.search([
                ('technician', '=', employee),
                ('date', '=', Date.today()),
                ])
        list_read(Appointment, [a.id for a in appointments])

    ours, = db.compare([web], user=user, context=context)
    results.append(result(
            "technician's today: web list (%s appointments)" % count,
            ours, 'ms'))

    with db.Transaction().start(db.name, 0) as transaction:
        Application = db.pool.get('res.user.application')
        application, = Application.create([{
                    'user': user,
                    'application': 'termogest_mobile',
                    'state': 'validated',
                    }])
        key = application.key
        transaction.commit()
    client = Client(app)
    url = '/%s/termogest/m/api/agenda' % db.name
    headers = {'Authorization': 'Bearer %s' % key}
    samples = []
    try:
        for i in range(db.repeat + 1):
            start = time.perf_counter()
            response = client.get(url, headers=headers)
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise SystemExit('api/agenda: %s %s' % (
                        response.status_code, response.get_data(True)))
            if i:
                samples.append(elapsed)
        size = len(response.get_data())
    finally:
        with db.Transaction().start(db.name, 0) as transaction:
            Application = db.pool.get('res.user.application')
            Application.delete(Application.search([('key', '=', key)]))
            transaction.commit()
    results.append(result(
            "technician's today: app api/agenda (%d KB)" % (size // 1024),
            median_ms(samples), 'ms'))


# Customer card --------------------------------------------------------------

def open_form(Model, ids):
    "Read ids as the web client's form shows them, then each tab's list"
    pool = Pool()
    fields = view_fields(Model, 'form')
    names = list(fields)
    for name, field in fields.items():
        if field['type'] in {'many2one', 'reference'}:
            names.append(name + '.rec_name')
    records = Model.read(ids, names)
    for name, field in fields.items():
        if field['type'] not in {'one2many', 'many2many'}:
            continue
        Relation = pool.get(field['relation'])
        view_ids = field.get('view_ids') or []
        view_id = None
        if 'tree' in field.get('mode', ['tree']):
            view_id = view_ids[0] if view_ids else None
        for record in records:
            sub_ids = record[name][:100]
            if sub_ids:
                list_read(Relation, sub_ids, view_id=view_id)


def bench_customer_card(db, results):
    rng = random.Random(2)
    ids = [i for i, in db.query(
            "SELECT party FROM termogest_plant ORDER BY id")]
    ids = rng.sample(ids, min(len(ids), 20))
    cycle = iter(ids * (db.repeat + 2))

    def card(pool):
        Party = pool.get('party.party')
        open_form(Party, [next(cycle)])
    ours, = db.compare([card])
    results.append(result('customer card with its tabs', ours, 'ms'))


# Output ---------------------------------------------------------------------

def result(name, value, unit, baseline=None, baseline_name=None,
        ratio=None, target=None, ok=None, lower_better=False):
    return {
        'name': name, 'value': value, 'unit': unit, 'baseline': baseline,
        'baseline_name': baseline_name, 'ratio': ratio, 'target': target,
        'ok': ok,
        }


def fmt(value):
    if value is None:
        return ''
    if value >= 100:
        return '%.0f' % value
    if value >= 10:
        return '%.1f' % value
    return '%.2f' % value


def print_table(columns, rows, out=sys.stdout):
    widths = [max(len(str(r[i])) for r in [columns] + rows)
        for i in range(len(columns))]
    line = '  '.join('%-*s' % (w, c) for w, c in zip(widths, columns))
    print(line, file=out)
    print('-' * len(line), file=out)
    for row in rows:
        print('  '.join(
                ('%-*s' if i == 0 else '%*s') % (w, c)
                for i, (w, c) in enumerate(zip(widths, row))), file=out)


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return '%s, %s cores, Python %s, %s' % (
        cpu, os.cpu_count(), platform.python_version(), platform.platform())


DB_BENCHES = [
    bench_customer_search,
    bench_maintenance_due,
    bench_technician_today,
    bench_customer_card,
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--database', '-d', action='append', default=[],
        help="a database made by bench/generate.py (repeat for growth)")
    parser.add_argument('--uri', help="PostgreSQL URI (bench/trytond.conf)")
    parser.add_argument('--login', default=SECRETARY,
        help="the office account (%(default)s)")
    parser.add_argument('--repeat', type=int, default=15,
        help="repetitions of each measure (%(default)s)")
    parser.add_argument('--skip-fatturapa', action='store_true')
    parser.add_argument('--skip-import', action='store_true')
    parser.add_argument('--json', help="also write the results there")
    others = []
    if '--skip-fatturapa' not in sys.argv:
        from bench import fatturapa
        fatturapa.add_arguments(parser)
        others.append(fatturapa)
    if '--skip-import' not in sys.argv:
        from bench import excel_import
        excel_import.add_arguments(parser)
        others.append(excel_import)
    args = parser.parse_args()
    if args.uri:
        config.set('database', 'uri', args.uri)

    print('Machine:', machine())
    print('Database:', config.get('database', 'uri'))
    print()
    by_db = {}
    for name in args.database:
        db = Database(name, args.login, args.repeat)
        customers, = db.query(
            "SELECT count(DISTINCT party) FROM termogest_plant")[0]
        devices, = db.query("SELECT count(*) FROM termogest_device")[0]
        print('%s: %s customers, %s devices' % (name, customers, devices),
            flush=True)
        results = []
        for bench in DB_BENCHES:
            bench(db, results)
        by_db[name] = results

    if by_db:
        names = list(by_db)
        columns = ['median (ms)'] + names
        if len(names) > 1:
            columns.append('growth')
        columns += ['baseline', 'ratio', 'target', 'ok']
        rows = []
        last = by_db[names[-1]]
        for i, res in enumerate(last):
            row = [res['name'].split(' (')[0].split(': first')[0].replace(
                    ': the list view', ' (list view)')]
            values = [by_db[n][i]['value'] for n in names]
            row += [fmt(v) for v in values]
            if len(names) > 1:
                row.append('%.2fx' % (values[-1] / values[0]))
            row += [
                fmt(res['baseline']) + (
                    ' ' + res['baseline_name'] if res['baseline_name']
                    else ''),
                '%.2fx' % res['ratio'] if res['ratio'] else '',
                res['target'] or '',
                {True: 'yes', False: 'NO', None: ''}[res['ok']],
                ]
            rows.append(row)
        print()
        print_table(columns, rows)
        print('(baseline, ratio and ok: on %s)' % names[-1])

    others = [r for module in others for r in module.measure(args)]
    if others:
        print()
        rows = []
        for r in others:
            baseline = fmt(r['baseline'])
            if r['baseline_name']:
                baseline += ' ' + r['baseline_name']
            rows.append([r['name'], fmt(r['value']), r['unit'], baseline,
                    '%.1fx' % r['ratio'] if r['ratio'] else '',
                    r['target'] or '',
                    {True: 'yes', False: 'NO', None: ''}[r['ok']]])
        print_table(
            ['measure', 'value', 'unit', 'baseline', 'ratio', 'target',
                'ok'], rows)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'machine': machine(), 'databases': by_db,
                    'other': others}, f, indent=1, default=str)


if __name__ == '__main__':
    main()
