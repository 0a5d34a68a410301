# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Load test: office and technicians on 2 trytond workers (issue 8)

Run (from the repository root, on the benchmark cluster of bench/pg.sh):

    .venv/bin/python bench/loadtest.py --database bench_50k \\
        [--profile office|stress] [--users 50] [--duration 5m] \\
        [--workers 2] [--no-queue-worker] [--keep] [--slow-ms N]

Profiles (--profile), the think times between two actions of a user (an
action = the calls the client makes for it: search + count + read...):

- ``office`` (default, the one the target of issue 8 is judged on): real
  office and field use.  Secretaries 5-15 s between actions, technicians
  15-45 s between app actions (they work on site: open the agenda, look at
  an appointment, save an intervention now and then).  With 30 + 20 users
  that offers ~3 + ~0.7 actions/s, ~8 requests/s.
- ``stress``: secretaries 1-5 s, technicians 2-10 s (the first version of
  this test): ~10 + ~3 actions/s, ~30 requests/s, to show where 2 workers
  saturate.

The offered load (actions/s and requests/s expected from the think times,
then the measured ones) is printed.

One command does everything:

1. copies the database (``createdb -T <database> loadtest_run``, an old
   copy is dropped) and prepares it through the ORM: load-test secretary
   and technician accounts (60 % / 40 % of --users, known passwords, the
   technicians with their own technician card) and, for each technician,
   open appointments today for the interventions he saves (see below);
2. starts trytond (``trytond.application:app``) under gunicorn with
   --workers worker processes on the copy, on a free loopback port, with a
   configuration made from bench/trytond.conf; the e-mails of the
   interventions (PDF report of each saved intervention) go to a counting
   SMTP sink (aiosmtpd, in this script) on another free port.  The queue
   worker is ON by default: ``[queue] worker = True`` in the configuration
   and one ``trytond-worker`` process (a 3rd process, next to the 2 web
   workers; its CPU time is printed) renders and sends the e-mails out of
   the requests.  --no-queue-worker runs the queue tasks after commit in
   the request (Tryton's default without a worker);
3. runs locust headless with bench/locustfile.py (locust lives in its own
   virtualenv, build/locust-venv, created here when missing): the
   secretaries use the JSON-RPC of the web client (customer search, the
   maintenance-due list, customer cards, bookings), the technicians the
   app's API (today view, appointment, intervention save).  The users
   log in over 50 s (one per second for 50) and wait one think time
   before their first action; --duration includes this ramp-up;
4. waits (at most 60 s) until the ir_queue is drained, stops the server,
   counts the writes lost (acknowledged writes whose marker is not in the
   database) and the e-mails lost (interventions saved with an e-mail
   recipient vs messages the SMTP sink received), and prints p50 / p95 /
   max / count / errors per request type and overall, the requests per
   second, the writes acknowledged and lost, the e-mails, the CPU per
   request and PASS/FAIL against the targets (p95 <= 300 ms, 0 errors, 0
   writes lost, 0 e-mails lost).  Locust's CSV and HTML, the server log
   and the acknowledged writes are kept in build/loadtest/.  The copy is
   dropped unless --keep.

Open appointments today per technician: a real day has ~8.  A technician
saves on average one action in three (agenda, appointment, save), so over
the run he saves ~duration / (3 x mean think time) interventions: 3.3 at
office (300 s / 90 s), ~17 at stress (300 s / 18 s).  The test creates
max(8, 2 x that), i.e. 8 at office (20 technicians: 160 appointments) and
34 at stress (680): enough for every save (a technician without an open
appointment is counted and printed), not more, since the app's agenda
returns 7 days and its cost grows with their count.

--slow-ms N sets log_min_duration_statement on the copy: the statements
slower than N ms go to the cluster's log (build/bench-pg/server.log) and
the slowest are summarised at the end.

PyPI packages: gunicorn==27.0.1 and aiosmtpd (test extra) in .venv;
locust==2.47.0 in build/locust-venv.
"""
import argparse
import configparser
import csv
import datetime
import glob
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, 'build', 'loadtest')
LOCUST_VENV = os.path.join(ROOT, 'build', 'locust-venv')
LOCUST_VERSION = '2.47.0'
BASE_CONFIG = os.path.join(HERE, 'trytond.conf')
PG_LOG = os.path.join(ROOT, 'build', 'bench-pg', 'server.log')
COPY = 'loadtest_run'
SECRETARY_SHARE = 0.6
TARGET_P95 = 300
PASSWORD = 'Carico-Prova-2026!'
# The sections of the demo secretary (sara) in scripts/demo_data.py
SECRETARY_SECTIONS = [
    'access_customers', 'access_customers_full', 'access_interventions',
    'access_devices', 'access_calls', 'access_calls_edit', 'access_booklets',
    'access_contracts', 'access_quotes', 'access_agenda_read',
    'access_agenda_edit']
SLOT_MINUTES = 20
# think times in seconds (min, max) between two actions: secretaries,
# technicians; requests per action estimated from the task weights of
# bench/locustfile.py (secretaries: search 6 x ~2.5, card 3 x 1, due list
# 2 x 3, booking 2 x 3; technicians: agenda 1, appointment 1, save 2)
PROFILES = {
    'office': {'secretary': (5, 15), 'technician': (15, 45)},
    'stress': {'secretary': (1, 5), 'technician': (2, 10)},
    }
REQUESTS_PER_ACTION = {'secretary': 2.3, 'technician': 1.35}
DAY_APPOINTMENTS = 8
QUEUE_TIMEOUT = 60
RAMP_UP = 50
APP_WEB = 'loadtest-web'
APP_WORKER = 'loadtest-worker'
DAY_START = datetime.time(7, 0)


def duration_seconds(value):
    match = re.fullmatch(r'(\d+)\s*([smh]?)', value.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"bad duration: {value!r}")
    number, unit = int(match.group(1)), match.group(2) or 's'
    return number * {'s': 1, 'm': 60, 'h': 3600}[unit]


def pg_uri():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(BASE_CONFIG)
    return parser.get('database', 'uri')


def pg_params(database):
    "psycopg connection parameters of the benchmark cluster"
    from urllib.parse import urlsplit
    uri = urlsplit(pg_uri())
    return {
        'host': uri.hostname or '127.0.0.1',
        'port': uri.port or 5432,
        'user': uri.username,
        'password': uri.password,
        'dbname': database,
        }


def pg_env():
    params = pg_params('postgres')
    env = dict(os.environ)
    env.update({
            'PGHOST': params['host'], 'PGPORT': str(params['port']),
            'PGUSER': params['user'] or '',
            'PGPASSWORD': params['password'] or '',
            })
    return env


def pg_connect(database, autocommit=False):
    import psycopg
    return psycopg.connect(autocommit=autocommit, **pg_params(database))


def copy_database(source, target):
    env = pg_env()
    subprocess.run(
        ['dropdb', '--if-exists', '--force', target], env=env, check=True)
    started = time.monotonic()
    for attempt in range(30):
        # refused while another session is connected to the template
        result = subprocess.run(['createdb', '-T', source, target],
            env=env, stderr=subprocess.PIPE, text=True)
        if result.returncode == 0:
            break
        if 'being accessed by other users' not in result.stderr:
            sys.exit(result.stderr)
        time.sleep(5)
    else:
        sys.exit(f"{source} stayed in use by other sessions: "
            + result.stderr)
    print(f"Copied {source} to {target} in "
        f"{time.monotonic() - started:.1f} s", flush=True)


def drop_database(target):
    subprocess.run(
        ['dropdb', '--if-exists', '--force', target], env=pg_env(),
        check=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def write_config(path, port, smtp_port, queue_worker=False):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(BASE_CONFIG)
    for section in ['web', 'email', 'queue']:
        if not parser.has_section(section):
            parser.add_section(section)
    parser.set('web', 'listen', f'127.0.0.1:{port}')
    parser.set('email', 'uri', f'smtp://127.0.0.1:{smtp_port}')
    if queue_worker:
        parser.set('queue', 'worker', 'True')
    with open(path, 'w') as file:
        parser.write(file)


# ---------------------------------------------------------------------------
# 1. Preparation (run in a child process: the trytond pool of the copy must
# not stay open in this one, which drops the copy at the end)

def local_to_utc(day, time_, zone):
    return datetime.datetime.combine(day, time_, tzinfo=zone).astimezone(
        datetime.timezone.utc).replace(tzinfo=None)


def make_images(directory):
    """A signature (PNG) and a phone photo (JPEG, ~150 KB) for the
    interventions"""
    import random

    from PIL import Image, ImageDraw
    rng = random.Random(8)
    signature = Image.new('RGB', (600, 200), (255, 255, 255))
    draw = ImageDraw.Draw(signature)
    points = [(40 + 26 * i, 100 + rng.randint(-60, 60)) for i in range(20)]
    draw.line(points, fill=(20, 20, 60), width=4, joint='curve')
    signature_path = os.path.join(directory, 'signature.png')
    signature.save(signature_path, format='PNG')
    photo = Image.effect_noise((1280, 960), 40).convert('RGB')
    draw = ImageDraw.Draw(photo)
    for _ in range(40):
        x, y = rng.randint(0, 1200), rng.randint(0, 900)
        draw.rectangle((x, y, x + rng.randint(20, 300),
                y + rng.randint(20, 200)),
            fill=tuple(rng.randint(0, 255) for _ in range(3)))
    photo_path = os.path.join(directory, 'photo.jpg')
    photo.save(photo_path, format='JPEG', quality=70)
    return signature_path, photo_path


def prepare(args):
    import trytond.config as config
    config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    started = time.monotonic()
    database = args.prepare
    Pool.start()
    pool = Pool(database)
    with Transaction().start(database, 0, readonly=True):
        pool.init()
    User = pool.get('res.user')
    with Transaction().start(database, 0, readonly=True):
        admin, = User.search([('login', '=', 'admin')])
        admin_id = admin.id
    with Transaction().start(database, admin_id, readonly=True):
        context = User.get_preferences(context_only=True)
    context.update({'_skip_warnings': True, 'language': 'it'})
    extras = {}
    while True:
        with Transaction().start(database, admin_id, context=context,
                **extras) as transaction:
            try:
                data = fill(args, pool, transaction)
            except TransactionError as e:
                # the accounts lock res_user: start again with the lock
                transaction.rollback()
                e.fix(extras)
                continue
            transaction.commit()
            break
    data['signature'], data['photo'] = make_images(
        os.path.dirname(args.data))
    with open(args.data, 'w') as file:
        json.dump(data, file)
    print(f"Prepared {database}: {len(data['secretaries'])} secretaries, "
        f"{len(data['technicians'])} technicians, "
        f"{data['appointments_today']} open appointments today, "
        f"{len(data['sites'])} booking sites, search terms "
        + ', '.join(f"{k} {len(v)}" for k, v in data['terms'].items())
        + f" in {time.monotonic() - started:.1f} s", flush=True)


def fill(args, pool, transaction):
    "Create the accounts and appointments; what locust needs"
    from zoneinfo import ZoneInfo
    User = pool.get('res.user')
    context = transaction.context
    n_sec, n_tech = args.secretaries, args.technicians
    Appointment = pool.get('termogest.appointment')
    Company = pool.get('company.company')
    Configuration = pool.get('termogest.configuration')
    Date = pool.get('ir.date')
    company = Company(context['company'])
    zone = ZoneInfo(company.timezone or 'UTC')
    today = Date.today()

    # Room for the load-test accounts in the plan
    configuration = Configuration(1)
    Configuration.write([configuration], {
            'max_secretary_accounts':
            configuration.max_secretary_accounts + n_sec,
            'max_technician_accounts':
            configuration.max_technician_accounts + n_tech,
            })
    base = {
        'company': company.id,
        'companies': [('add', [company.id])],
        'password': PASSWORD,
        }
    vlist = []
    for i in range(1, n_sec + 1):
        values = dict(base, name=f"Segretaria Carico {i:02d}",
            login=f'carico-seg{i:02d}', termogest_role='secretary')
        values.update({s: True for s in SECRETARY_SECTIONS})
        vlist.append(values)
    for i in range(1, n_tech + 1):
        # Without a card, the account gets its own (same name)
        vlist.append(dict(base, name=f"Tecnico Carico {i:02d}",
                login=f'carico-tec{i:02d}', termogest_role='technician'))
    users = User.create(vlist)
    secretaries = [{'login': u.login, 'password': PASSWORD}
        for u in users[:n_sec]]
    technicians = [{
            'login': u.login, 'password': PASSWORD,
            'employee': u.employee.id,
            } for u in users[n_sec:]]

    cursor = transaction.connection.cursor()
    # Customers with a plant and devices in service: the bookings and
    # the technicians' appointments (no attention marker: the office
    # would get the warning dialog)
    cursor.execute("""
        SELECT pl.party, pl.id, pl.address,
            array_agg(d.id ORDER BY d.id)
        FROM termogest_plant pl
        JOIN party_party p ON p.id = pl.party
        JOIN termogest_device d ON d.plant = pl.id
        WHERE pl.active AND pl.company = %s
            AND p.active AND p.trashed_at IS NULL
            AND NOT COALESCE(p.attention, FALSE)
            AND d.active AND d.removal_date IS NULL
        GROUP BY pl.party, pl.id, pl.address
        ORDER BY random()
        LIMIT %s""", (company.id, 3000 + n_tech * args.per_technician))
    sites = [{'party': r[0], 'plant': r[1], 'address': r[2],
            'devices': r[3][:3]} for r in cursor]
    if not sites:
        sys.exit("No customer with a plant and devices in the database")

    # Today's open appointments of each technician
    vlist = []
    kinds = ['maintenance', 'maintenance', 'repair']
    site_index = 0
    for tech in technicians:
        for j in range(args.per_technician):
            site = sites[site_index % len(sites)]
            site_index += 1
            start = (datetime.datetime.combine(today, DAY_START)
                + datetime.timedelta(minutes=SLOT_MINUTES * j))
            end = start + datetime.timedelta(minutes=SLOT_MINUTES)
            vlist.append({
                    'company': company.id,
                    'technician': tech['employee'],
                    'start': local_to_utc(today, start.time(), zone),
                    'end': local_to_utc(today, end.time(), zone),
                    'kind': kinds[j % len(kinds)],
                    'party': site['party'],
                    'plant': site['plant'],
                    'address': site['address'],
                    'devices': [('add', site['devices'])],
                    'description': "Intervento programmato (prova di "
                    "carico)",
                    })
    Appointment.create(vlist)
    appointments_today = len(vlist)

    # What the office types in the search box
    terms = {'name': [], 'fiscal_code': [], 'vat': [], 'phone': []}
    cursor.execute("""
        SELECT p.name FROM party_party p
        WHERE p.active AND p.trashed_at IS NULL AND p.name IS NOT NULL
            AND EXISTS (
                SELECT 1 FROM termogest_plant pl WHERE pl.party = p.id)
        ORDER BY random() LIMIT 400""")
    for name, in cursor:
        words = [w for w in re.findall(r'[^\W\d_]+', name)
            if len(w) >= 4 and w.lower() not in {'s.r.l', 'srl', 'snc'}]
        if words:
            word = words[-1] if len(words) > 1 else words[0]
            terms['name'].append(word[:max(4, min(len(word), 6))])
    cursor.execute("""
        SELECT type, code FROM party_identifier
        WHERE type IN ('it_codicefiscale', 'it_vat', 'eu_vat')
        ORDER BY random() LIMIT 800""")
    for type_, code in cursor:
        if type_ == 'it_codicefiscale':
            if len(terms['fiscal_code']) < 300:
                terms['fiscal_code'].append(code)
        elif len(terms['vat']) < 300:
            terms['vat'].append(re.sub(r'^[A-Z]{2}', '', code))
    cursor.execute("""
        SELECT value FROM party_contact_mechanism
        WHERE type IN ('phone', 'mobile') AND value IS NOT NULL
        ORDER BY random() LIMIT 300""")
    for value, in cursor:
        # the subscriber number, as read on the caller ID
        digits = value.split()[-1] if ' ' in value else value[-9:]
        terms['phone'].append(digits)
    return {
        'database': transaction.database.name,
        'today': today.isoformat(),
        'timezone': company.timezone or 'UTC',
        'company': company.id,
        'secretaries': secretaries,
        'technicians': technicians,
        'sites': sites[:3000],
        'terms': terms,
        'appointments_today': appointments_today,
        }


# ---------------------------------------------------------------------------
# 2.-3. Server and locust

def ensure_locust():
    locust = os.path.join(LOCUST_VENV, 'bin', 'locust')
    if os.path.exists(locust):
        return locust
    print(f"Creating {LOCUST_VENV} with locust=={LOCUST_VERSION}", flush=True)
    python = shutil.which('python3') or sys.executable
    subprocess.run([python, '-m', 'venv', LOCUST_VENV], check=True)
    subprocess.run([os.path.join(LOCUST_VENV, 'bin', 'pip'), 'install',
            '--quiet', f'locust=={LOCUST_VERSION}'], check=True)
    return locust


def wait_http(url, timeout, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def wait_port(port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def smtp_sink(port, path):
    "An SMTP server that accepts every message and logs one line for each"
    from email import message_from_bytes

    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            message = message_from_bytes(envelope.content)
            with open(path, 'a') as file:
                file.write(json.dumps({
                            'to': envelope.rcpt_tos,
                            'subject': message.get('Subject'),
                            'size': len(envelope.content),
                            }) + '\n')
            return '250 OK'

    controller = Controller(Handler(), hostname='127.0.0.1', port=port,
        data_size_limit=0)
    controller.start()
    stopped = []
    signal.signal(signal.SIGTERM, lambda *a: stopped.append(True))
    while not stopped:
        time.sleep(0.2)
    controller.stop()


def count_emails(path):
    if not os.path.exists(path):
        return 0
    with open(path) as file:
        return sum(1 for line in file if line.strip())


def start_smtp(port, log, path):
    process = subprocess.Popen([
            sys.executable, os.path.abspath(__file__),
            '--smtp-sink', str(port), '--data', path],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    if not wait_port(port, 20):
        stop(process)
        sys.exit("The SMTP sink did not start")
    return process


def start_server(args, config_path, port, log):
    env = dict(os.environ)
    env.update({
            'TRYTOND_CONFIG': config_path,
            # Initialise the pool of the copy in each worker at start
            # (TRYTON_NOTES.md, pitfall 2)
            'TRYTOND_DATABASE_NAMES': COPY,
            'TRYTOND_LOGGING_LEVEL': str(20 if args.verbose else 30),
            # the application_name of its PostgreSQL connections
            'TRYTOND_APPNAME': APP_WEB,
            })
    gunicorn = os.path.join(os.path.dirname(sys.executable), 'gunicorn')
    command = [
        gunicorn, '--workers', str(args.workers),
        '--bind', f'127.0.0.1:{port}', '--timeout', '120',
        '--access-logfile', os.path.join(OUT, 'access.log'),
        '--access-logformat', '%(t)s "%(r)s" %(s)s %(b)s %(M)sms %(p)s',
        'trytond.application:app']
    process = subprocess.Popen(command, env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True)
    url = f'http://127.0.0.1:{port}/{COPY}/termogest/m/api/ping'
    if not wait_http(url, 180, process):
        stop(process)
        sys.exit(f"trytond did not start: see {log.name}")
    return process


def start_worker(config_path, log):
    "trytond-worker: the queue tasks (the e-mails) out of the requests"
    env = dict(os.environ, TRYTOND_LOGGING_LEVEL='30',
        TRYTOND_APPNAME=APP_WORKER)
    worker = os.path.join(os.path.dirname(sys.executable), 'trytond-worker')
    return subprocess.Popen(
        [worker, '-c', config_path, '-d', COPY, '-n', '1'], env=env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_queue(timeout=QUEUE_TIMEOUT):
    "Wait for the queue tasks to be done (the worker sends the e-mails)"
    deadline = time.monotonic() + timeout
    with pg_connect(COPY, autocommit=True) as connection:
        while time.monotonic() < deadline:
            pending, = connection.execute(
                "SELECT count(*) FROM ir_queue "
                "WHERE finished_at IS NULL").fetchone()
            if not pending:
                return 0
            time.sleep(1)
    return pending


def cpu_seconds(pid):
    "CPU time (user + system) used by a process so far"
    try:
        with open(f'/proc/{pid}/stat') as file:
            fields = file.read().rsplit(')', 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def children(pid):
    result = []
    for path in glob.glob('/proc/[0-9]*/stat'):
        try:
            with open(path) as file:
                fields = file.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            result.append(int(path.split('/')[2]))
    return result


def backends_cpu(application):
    "CPU seconds of the PostgreSQL backends of an application on the copy"
    with pg_connect('postgres', autocommit=True) as connection:
        pids = [r[0] for r in connection.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = %s AND application_name = %s",
                (COPY, application))]
    return sum(cpu_seconds(p) for p in pids)


def server_cpu(server):
    "CPU seconds of the trytond workers and of their PostgreSQL backends"
    workers = sum(cpu_seconds(p) for p in children(server.pid))
    return workers, backends_cpu(APP_WEB)


def worker_cpu(worker):
    """CPU seconds of the queue worker (its process and its pool's) and of
    its PostgreSQL backends"""
    if worker is None:
        return 0.0, 0.0
    own = cpu_seconds(worker.pid) + sum(
        cpu_seconds(p) for p in children(worker.pid))
    return own, backends_cpu(APP_WORKER)


def stop(process, timeout=30):
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def run_locust(args, port, data_path):
    locust = ensure_locust()
    n_sec, n_tech = split_users(args.users)
    profile = PROFILES[args.profile]
    env = dict(os.environ)
    env.update({
            'LOADTEST_SECRETARY_WAIT': '%s,%s' % profile['secretary'],
            'LOADTEST_TECHNICIAN_WAIT': '%s,%s' % profile['technician'],
            'LOADTEST_DATA': data_path,
            'LOADTEST_OUT': OUT,
            'LOADTEST_SECRETARIES': str(n_sec),
            'LOADTEST_TECHNICIANS': str(n_tech),
            'LOADTEST_TAG': args.tag,
            })
    env.pop('PYTHONPATH', None)
    # the users log in over RAMP_UP seconds, not all in the same seconds
    spawn_rate = max(1.0, args.users / RAMP_UP)
    command = [
        locust, '-f', os.path.join(HERE, 'locustfile.py'), '--headless',
        '--host', f'http://127.0.0.1:{port}',
        '--users', str(args.users), '--spawn-rate', str(spawn_rate),
        '--run-time', f'{args.duration}s', '--stop-timeout', '60',
        '--csv', os.path.join(OUT, 'locust'), '--csv-full-history',
        '--html', os.path.join(OUT, 'locust.html'),
        '--only-summary', '--loglevel', 'WARNING',
        '--logfile', os.path.join(OUT, 'locust.log')]
    print(f"Locust: {args.users} users ({n_sec} secretaries, {n_tech} "
        f"technicians) for {args.duration} s, profile {args.profile}",
        flush=True)
    started = time.monotonic()
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    with open(os.path.join(OUT, 'locust.out'), 'w') as file:
        file.write(result.stdout)
    return time.monotonic() - started


def split_users(users):
    n_sec = round(users * SECRETARY_SHARE)
    return n_sec, users - n_sec


def mean_think(profile, kind):
    return sum(PROFILES[profile][kind]) / 2


def per_technician(args):
    "Open appointments today for each technician (see the docstring)"
    saves = args.duration / (3 * mean_think(args.profile, 'technician'))
    return max(DAY_APPOINTMENTS, math.ceil(2 * saves))


def offered_load(args):
    """Actions/s and requests/s the think times offer (response times
    not counted)"""
    actions = requests = 0
    for kind, users in zip(['secretary', 'technician'],
            split_users(args.users)):
        rate = users / mean_think(args.profile, kind)
        actions += rate
        requests += rate * REQUESTS_PER_ACTION[kind]
    return actions, requests


# ---------------------------------------------------------------------------
# 4. Results

def read_acks(tag):
    acks = {'booking': {}, 'intervention': {}}
    for path in glob.glob(os.path.join(OUT, f'acks-{tag}-*.jsonl')):
        with open(path) as file:
            for line in file:
                line = line.strip()
                if not line:
                    continue
                ack = json.loads(line)
                acks[ack['kind']][ack['marker']] = ack
    return acks


def count_lost(tag):
    acks = read_acks(tag)
    with pg_connect(COPY) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, description FROM termogest_appointment "
            "WHERE description LIKE %s", (f'%{tag}%',))
        booked = {}
        for id_, description in cursor:
            for marker in re.findall(re.escape(tag) + r'-[0-9a-z-]+',
                    description or ''):
                booked[marker] = id_
        cursor.execute(
            "SELECT s.key, i.id FROM termogest_mobile_submission s "
            "JOIN termogest_intervention i ON i.id = s.intervention "
            "WHERE s.key LIKE %s AND i.state IN ('done', 'invoiced')",
            (f'{tag.lower()}-%',))
        closed = dict(cursor.fetchall())
    lost = {'booking': [], 'intervention': []}
    for marker, ack in acks['booking'].items():
        if booked.get(marker) != ack['id']:
            lost['booking'].append(marker)
    for marker, ack in acks['intervention'].items():
        if closed.get(marker) != ack['id']:
            lost['intervention'].append(marker)
    return acks, lost, len(booked), len(closed)


def email_summary(acks):
    """How many acknowledged interventions were marked e-mailed; the queue
    tasks not done; the queue errors"""
    ids = [a['id'] for a in acks['intervention'].values()]
    with pg_connect(COPY) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(emailed_to) FROM termogest_intervention "
            "WHERE id = ANY(%s)", (ids,))
        emailed, = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM ir_queue WHERE finished_at IS NULL")
        pending, = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM ir_error")
        errors, = cursor.fetchone()
    return emailed, pending, errors


def read_stats():
    path = os.path.join(OUT, 'locust_stats.csv')
    if not os.path.exists(path):
        return []
    with open(path, newline='') as file:
        return list(csv.DictReader(file))


def number(row, key):
    value = row.get(key)
    try:
        return float(value)
    except (TypeError, ValueError):
        return float('nan')


def print_stats(rows, elapsed):
    print("")
    header = (f"{'request':<44} {'count':>6} {'errors':>6} {'p50':>6} "
        f"{'p95':>6} {'max':>7} {'req/s':>6}")
    print(header)
    print('-' * len(header))
    total = None
    for row in rows:
        if row['Name'] == 'Aggregated':
            total = row
            continue
    for row in sorted([r for r in rows if r is not total],
            key=lambda r: r['Name']) + ([total] if total else []):
        if row is total:
            print('-' * len(header))
        name = 'ALL' if row is total else row['Name']
        print(f"{name[:44]:<44} {int(number(row, 'Request Count')):>6} "
            f"{int(number(row, 'Failure Count')):>6} "
            f"{number(row, '50%'):>6.0f} {number(row, '95%'):>6.0f} "
            f"{number(row, 'Max Response Time'):>7.0f} "
            f"{number(row, 'Requests/s'):>6.1f}")
    return total


def print_failures():
    "Print the failed requests and the exceptions of the users' code"
    rows = []
    path = os.path.join(OUT, 'locust_failures.csv')
    if os.path.exists(path):
        with open(path, newline='') as file:
            rows = list(csv.DictReader(file))
    if rows:
        print("\nErrors:")
        for row in rows[:15]:
            print(f"  {row['Occurrences']:>5} x {row['Name']}: "
                f"{' '.join(row['Error'].split())[:160]}")
    exceptions = []
    path = os.path.join(OUT, 'locust_exceptions.csv')
    if os.path.exists(path):
        with open(path, newline='') as file:
            exceptions = list(csv.DictReader(file))
    if exceptions:
        print("\nExceptions in the locust users (the test itself is "
            "broken):")
        for row in exceptions[:10]:
            print(f"  {row['Count']:>5} x {row['Message'][:160]}")
    return sum(int(r['Count']) for r in exceptions)


def slow_statements(offset, limit=8):
    """The statements logged since offset in the cluster's log, grouped by
    text: [(total ms, count, max ms, statement)], the costliest first"""
    if not os.path.exists(PG_LOG):
        return []
    pattern = re.compile(
        r'duration: ([\d.]+) ms\s+(?:statement|execute [^:]*): (.*)')
    groups = {}
    with open(PG_LOG, errors='replace') as file:
        file.seek(offset)
        for line in file:
            match = pattern.search(line)
            if match:
                duration = float(match.group(1))
                text = ' '.join(match.group(2).split())
                total, count, max_ = groups.get(text, (0, 0, 0))
                groups[text] = (
                    total + duration, count + 1, max(max_, duration))
    return sorted(((t, c, m, text) for text, (t, c, m) in groups.items()),
        reverse=True)[:limit]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--database', default='bench_base',
        help="the database to copy (default: %(default)s)")
    parser.add_argument('--profile', choices=sorted(PROFILES),
        default='office',
        help="think times: office (default, the target) or stress")
    parser.add_argument('--users', type=int, default=50)
    parser.add_argument('--duration', type=duration_seconds, default='5m',
        help="e.g. 300, 300s, 5m (default: 5m)")
    parser.add_argument('--workers', type=int, default=2,
        help="trytond (gunicorn) worker processes")
    parser.add_argument('--keep', action='store_true',
        help=f"keep the copy {COPY} at the end")
    parser.add_argument('--slow-ms', type=int, default=None,
        help="log the statements slower than this (PostgreSQL "
        "log_min_duration_statement on the copy)")
    parser.add_argument('--no-queue-worker', dest='queue_worker',
        action='store_false',
        help="run the queue tasks (the interventions' e-mails) after "
        "commit in the request instead of in a trytond-worker process")
    parser.add_argument('--verbose', action='store_true',
        help="trytond logs at INFO level")
    # internal: the preparation and the SMTP sink run in child processes
    parser.add_argument('--prepare', help=argparse.SUPPRESS)
    parser.add_argument('--smtp-sink', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--config', help=argparse.SUPPRESS)
    parser.add_argument('--data', help=argparse.SUPPRESS)
    parser.add_argument('--secretaries', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--technicians', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--per-technician', type=int,
        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args)
        return 0
    if args.smtp_sink:
        smtp_sink(args.smtp_sink, args.data)
        return 0

    os.makedirs(OUT, exist_ok=True)
    mails_path = os.path.join(OUT, 'smtp-messages.jsonl')
    for path in glob.glob(os.path.join(OUT, 'acks-*.jsonl')) + glob.glob(
            os.path.join(OUT, 'locust*')) + [
            os.path.join(OUT, 'access.log'), mails_path]:
        if os.path.exists(path):
            os.remove(path)
    args.tag = 'LT' + datetime.datetime.now().strftime('%m%d%H%M%S')
    n_sec, n_tech = split_users(args.users)
    profile = PROFILES[args.profile]
    actions_offered, requests_offered = offered_load(args)
    print(f"Profile {args.profile}: think time secretaries "
        f"{profile['secretary'][0]}-{profile['secretary'][1]} s, "
        f"technicians {profile['technician'][0]}-"
        f"{profile['technician'][1]} s; offered load "
        f"{actions_offered:.1f} actions/s, ~{requests_offered:.0f} "
        f"requests/s (estimated; measured below)", flush=True)
    tmp = tempfile.mkdtemp(prefix='loadtest-')
    smtp = server = worker = None
    server_log = open(os.path.join(OUT, 'server.log'), 'w')
    smtp_log = open(os.path.join(OUT, 'smtp.log'), 'w')
    passed = False
    try:
        ensure_locust()
        copy_database(args.database, COPY)
        port, smtp_port = free_port(), free_port()
        config_path = os.path.join(tmp, 'trytond.conf')
        write_config(config_path, port, smtp_port, args.queue_worker)
        data_path = os.path.join(OUT, 'data.json')
        subprocess.run([sys.executable, os.path.abspath(__file__),
                '--prepare', COPY, '--config', config_path,
                '--data', data_path, '--secretaries', str(n_sec),
                '--technicians', str(n_tech),
                '--per-technician', str(per_technician(args))], check=True)
        log_offset = None
        if args.slow_ms is not None:
            with pg_connect('postgres', autocommit=True) as connection:
                connection.execute(
                    f'ALTER DATABASE {COPY} SET log_min_duration_statement '
                    f'= {int(args.slow_ms)}')
            log_offset = (os.path.getsize(PG_LOG)
                if os.path.exists(PG_LOG) else 0)
        smtp = start_smtp(smtp_port, smtp_log, mails_path)
        if args.queue_worker:
            # started first: its pool is loaded before the load starts
            worker = start_worker(config_path, server_log)
        started = time.monotonic()
        server = start_server(args, config_path, port, server_log)
        print(f"trytond: {args.workers} gunicorn workers on "
            f"127.0.0.1:{port} (ready in "
            f"{time.monotonic() - started:.1f} s)"
            + (", queue worker: 1 trytond-worker process (a 3rd process)"
                if worker else ", no queue worker (e-mails in the request)"),
            flush=True)
        if worker is not None and worker.poll() is not None:
            sys.exit(f"trytond-worker stopped: see {server_log.name}")
        load_before = os.getloadavg()
        cpu_before = server_cpu(server)
        worker_before = worker_cpu(worker)
        elapsed = run_locust(args, port, data_path)
        load_after = os.getloadavg()
        cpu_workers, cpu_pg = (
            a - b for a, b in zip(server_cpu(server), cpu_before))
        queue_wait = 0.0
        pending = 0
        if worker is not None:
            started = time.monotonic()
            pending = wait_queue()
            queue_wait = time.monotonic() - started
        cpu_queue, cpu_queue_pg = (
            a - b for a, b in zip(worker_cpu(worker), worker_before))
        stop(server)
        server = None
        stop(worker)
        worker = None
        time.sleep(1)
        stop(smtp)
        smtp = None

        rows = read_stats()
        total = print_stats(rows, elapsed)
        exceptions = print_failures()
        acks, lost, booked, closed = count_lost(args.tag)
        n_acked = sum(len(v) for v in acks.values())
        n_lost = sum(len(v) for v in lost.values())
        print(f"\nWrites acknowledged: {n_acked} (bookings "
            f"{len(acks['booking'])}, interventions "
            f"{len(acks['intervention'])}); in the database: bookings "
            f"{booked}, interventions {closed}; lost: {n_lost}")
        for kind, markers in lost.items():
            if markers:
                print(f"  lost {kind}: {', '.join(markers[:10])}")
        expected = sum(1 for a in acks['intervention'].values()
            if a.get('email'))
        received = count_emails(mails_path)
        emailed, left, queue_errors = email_summary(acks)
        emails_lost = max(0, expected - received)
        print(f"E-mails: {len(acks['intervention'])} interventions saved, "
            f"{expected} with an e-mail recipient (the others: none on the "
            f"customer); the SMTP sink received {received}; marked "
            f"e-mailed in the database {emailed}; lost {emails_lost}; "
            f"queue tasks not done {left}; queue errors (ir.error) "
            f"{queue_errors}")
        if args.queue_worker:
            print(f"Queue drained {queue_wait:.1f} s after the end of the "
                "load" if not pending else
                f"Queue NOT drained after {QUEUE_TIMEOUT} s: {pending} "
                "tasks left")
        with open(os.path.join(OUT, 'locust.out')) as file:
            notes = [l.rstrip() for l in file if 'LOADTEST' in l]
        for note in notes:
            print(note)
        actions = {}
        for note in notes:
            match = re.search(
                r'actions: secretaries (\d+), technicians (\d+)', note)
            if match:
                actions = {'secretary': int(match.group(1)),
                    'technician': int(match.group(2))}
        if log_offset is not None:
            print(f"\nStatements slower than {args.slow_ms} ms "
                f"({PG_LOG}):")
            for spent, count, max_, text in slow_statements(log_offset):
                # the tables and conditions say which query it is
                where = text.find(' FROM ')
                print(f"  {count:>4} x, max {max_:6.0f} ms, total "
                    f"{spent / 1000:5.1f} s: "
                    f"{text[where if where > 0 else 0:][:400]}")
        if total is None:
            print("\nFAIL: locust produced no statistics "
                f"(see {OUT}/locust.out)")
        else:
            p95 = number(total, '95%')
            errors = int(number(total, 'Failure Count'))
            requests = int(number(total, 'Request Count'))
            passed = (p95 <= TARGET_P95 and errors == 0 and n_lost == 0
                and emails_lost == 0 and not left and not exceptions)
            print(f"\n{requests} requests in {elapsed:.0f} s, "
                f"{number(total, 'Requests/s'):.1f} req/s; "
                f"p50 {number(total, '50%'):.0f} ms, p95 {p95:.0f} ms, "
                f"max {number(total, 'Max Response Time'):.0f} ms, "
                f"errors {errors}, writes lost {n_lost}")
            if actions:
                n_actions = sum(actions.values())
                print(f"Load: {n_actions / elapsed:.1f} actions/s "
                    f"(secretaries {actions['secretary'] / elapsed:.1f}, "
                    f"technicians {actions['technician'] / elapsed:.1f}; "
                    f"offered {actions_offered:.1f}), "
                    f"{requests / max(n_actions, 1):.2f} requests/action")
            print(f"CPU: trytond web workers {cpu_workers:.0f} s + their "
                f"PostgreSQL backends {cpu_pg:.0f} s = "
                f"{1000 * (cpu_workers + cpu_pg) / max(requests, 1):.0f} ms "
                f"per request; load average {load_before[0]:.1f} before, "
                f"{load_after[0]:.1f} at the end ({os.cpu_count()} CPUs, "
                "shared with whatever else runs)")
            if args.queue_worker:
                per_mail = (1000 * (cpu_queue + cpu_queue_pg)
                    / max(received, 1))
                print(f"CPU of the queue worker (3rd process): "
                    f"trytond-worker {cpu_queue:.0f} s + its PostgreSQL "
                    f"backends {cpu_queue_pg:.0f} s = {per_mail:.0f} ms "
                    "per e-mail")
            print(f"{'PASS' if passed else 'FAIL'}: p95 {p95:.0f} ms "
                f"(target <= {TARGET_P95}), errors {errors} (target 0), "
                f"writes lost {n_lost} (target 0), e-mails lost "
                f"{emails_lost} (target 0)")
        print(f"Locust CSV/HTML, server log, acknowledged writes, e-mails "
            f"received: {OUT}")
    finally:
        stop(server)
        stop(worker)
        stop(smtp)
        server_log.close()
        smtp_log.close()
        shutil.rmtree(tmp, ignore_errors=True)
        if args.keep:
            print(f"Kept the copy {COPY}")
        else:
            drop_database(COPY)
    return 0 if passed else 1


if __name__ == '__main__':
    sys.exit(main())
