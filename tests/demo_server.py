# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo database and server shared by the end-to-end tests

The demo database is built once (trytond-admin + scripts/demo_data.py +
the test data of this module: the agenda and the technician app flows) in
build/dbcache/demo-<hash>/ (termogest.sqlite and its file store), keyed by
the content of addons/, the demo scripts, this file and the Tryton
versions; every test module starts its own trytond on a copy of it, with an
SMTP sink on loopback recording the e-mails sent:

    with demo_server(tmp_path, name) as server:
        server.url, server.database, server.mails

`python tests/demo_server.py test-data <database>` is the set-up of the
flows, run by the build in its own process (proteus, as demo_data.py).
"""
import contextlib
import hashlib
import importlib.metadata
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAO = ROOT / 'build' / 'sao'
DEMO_SCRIPT = ROOT / 'scripts' / 'demo_data.py'
DB_CACHE = ROOT / 'build' / 'dbcache'
BIN = Path(sys.executable).parent
DB = 'termogest'
MODULES = [
    'termogest_permessi', 'termogest_clienti', 'termogest_impianti',
    'termogest_agenda', 'termogest_fatturapa', 'termogest_mobile']
XSD_DIR = Path(os.environ.get(
        'TRYTOND_TERMOGEST__FATTURAPA_XSD_DIR',
        ROOT.parent / 'shared' / 'fatturapa' / 'xsd'))
CHROMIUM = Path('/usr/bin/chromium')
CHROMIUM_ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--disable-sync']

# The agenda flow (tests/test_browser.py): an office account with the
# Clienti, Chiamate (modifica) and Agenda (modifica) sections, a technician
# account and a customer with a plant, a boiler and an open call.
AGENDA_SECRETARY_LOGIN = 'elisa'
AGENDA_SECRETARY_NAME = "Elisa Ricci"
AGENDA_SECRETARY = ('rossiimpianti.elisa', 'Elisa-Test-2026!')
AGENDA_TECHNICIAN_LOGIN = 'davide'
AGENDA_TECHNICIAN_NAME = "Davide Russo"
AGENDA_TECHNICIAN = ('rossiimpianti.davide', 'Davide-Test-2026!')
# (no demo customer has these first names: scripts/demo_clienti.py)
AGENDA_CUSTOMER = "Ermenegildo Pautasso"
AGENDA_STREET = "Via Sacchi 28"
AGENDA_POSTAL_CODE = '10128'
AGENDA_CITY = "Torino"
AGENDA_DEVICE_SERIAL = 'VT-2026-004242'
CALL_REASON = "Caldaia in blocco, niente acqua calda"

# The technician app flows (tests/test_mobile.py): a technician with the
# Libretti section (he writes the REE), two appointments of his today (an
# efficiency check of a gas boiler, a maintenance) and one of another
# technician, ugo.
MOBILE_TECHNICIAN_LOGIN = 'sergio'
MOBILE_TECHNICIAN_NAME = "Sergio Colombo"
MOBILE_TECHNICIAN = ('rossiimpianti.sergio', 'Sergio-Mobile-2026!')
MOBILE_CHECK_CUSTOMER = "Ottavio Brambilla"
MOBILE_CHECK_EMAIL = 'ottavio.brambilla@example.org'
MOBILE_CHECK_PHONE = '+39 011 5550123'
MOBILE_CHECK_SERIAL = 'VT-2026-007001'
MOBILE_OFFLINE_CUSTOMER = "Gualtiero Bonfanti"
MOBILE_OFFLINE_EMAIL = 'gualtiero.bonfanti@example.org'
MOBILE_OFFLINE_SERIAL = 'VT-2026-007002'
MOBILE_CONFLICT_CUSTOMER = "Fulvio Gamba"
MOBILE_OTHER_CUSTOMER = "Ippolita Sacchetti"
OTHER_TECHNICIAN_LOGIN = 'ugo'
OTHER_TECHNICIAN_NAME = "Ugo Fabbri"
OTHER_TECHNICIAN = ('rossiimpianti.ugo', 'Ugo-Tecnico-2026!')


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_port(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"trytond exited with {process.returncode} before listening")
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"trytond did not listen on {port} in {timeout} s")


def run(cmd, env, log, input=''):
    "Run cmd, its output appended to log; fail with that output"
    with open(log, 'a') as out:
        out.write(f"$ {' '.join(map(str, cmd))}\n")
        out.flush()
        result = subprocess.run(
            cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            input=input, text=True)
    if result.returncode:
        pytest.fail(
            f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n"
            + Path(log).read_text()[-5000:], pytrace=False)


def setup_key():
    "Hash of everything the demo database is built from"
    digest = hashlib.sha1()
    # (the app's files and the documentation do not make the database)
    files = sorted(
        p for p in (ROOT / 'addons').rglob('*')
        if p.is_file() and not {'__pycache__', 'static', 'doc'} & set(
            p.relative_to(ROOT).parts)
        and p.suffix != '.pyc')
    scripts = sorted((ROOT / 'scripts').glob('demo_*.py'))
    for path in files + scripts + [Path(__file__)]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    for dist in sorted(
            f"{d.metadata['Name']}=={d.version}"
            for d in importlib.metadata.distributions()
            if d.metadata['Name'].lower().startswith(('trytond', 'proteus'))):
        digest.update(dist.encode())
    return digest.hexdigest()[:12]


def clean_env(**values):
    "The environment of a trytond process: no TRYTOND_* of the caller"
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_') and k not in {
            'DB_NAME', 'DB_CACHE', 'TRYTONPASSFILE'}}
    env.update({k: str(v) for k, v in values.items()})
    return env


def copy_database(source, target):
    """Copy the demo directory source (database and file store) to target
    (a new directory)"""
    target.mkdir(parents=True)
    with sqlite3.connect(source / f'{DB}.sqlite') as src, \
            sqlite3.connect(target / f'{DB}.sqlite') as dst:
        src.backup(dst)
    src.close()
    dst.close()
    if (source / DB).is_dir():
        shutil.copytree(source / DB, target / DB)


def write_conf(path, web_port=None, smtp_port=1):
    lines = [
        "[database]", "uri = sqlite://", "language = it",
        "[password]", "length = 12",
        "[email]", f"uri = smtp://127.0.0.1:{smtp_port}",
        "from = TermoGest <noreply@termogest.invalid>",
        ]
    if web_port:
        lines += ["[web]", f"listen = 127.0.0.1:{web_port}"]
    path.write_text('\n'.join(lines) + '\n')
    return path


def demo_database(tmp_path_factory):
    """The directory of the demo database (termogest.sqlite and its file
    store termogest/), built once per content of what it is built from"""
    cached = DB_CACHE / f'demo-{setup_key()}'
    if (cached / f'{DB}.sqlite').exists():
        return cached
    tmp = tmp_path_factory.mktemp('demo-build')
    conf = write_conf(tmp / 'trytond.conf')
    passfile = tmp / 'adminpass'
    passfile.write_text('admin-demo-test\n')
    path = tmp / 'database'
    path.mkdir()
    env = clean_env(
        TRYTOND_DATABASE__URI='sqlite://',
        TRYTOND_DATABASE__PATH=path,
        TRYTOND_TERMOGEST__FATTURAPA_XSD_DIR=XSD_DIR,
        TRYTONPASSFILE=passfile,
        TRYTOND_CONFIG=conf)
    log = tmp / 'setup.log'
    start = time.monotonic()
    try:
        (path / f'{DB}.sqlite').touch()
        admin = [BIN / 'trytond-admin', '-c', conf, '-d', DB]
        # trytond-admin asks for the admin email of a new database: answer
        # none (admin@example.com fails with email-validator).
        run(admin + ['--all'], env, log, input='\n')
        run(admin + ['-u', *MODULES, '--activate-dependencies'], env, log)
        run(admin + ['-l', 'it'], env, log)
        run([sys.executable, DEMO_SCRIPT, DB], env, log)
        run([sys.executable, __file__, 'test-data', DB], env, log)
    finally:
        artifacts = ROOT / 'test-artifacts'
        artifacts.mkdir(exist_ok=True)
        shutil.copy(log, artifacts / 'demo-build.log')
    print(f"demo database built in {time.monotonic() - start:.1f} s")
    DB_CACHE.mkdir(parents=True, exist_ok=True)
    partial = DB_CACHE / f'{cached.name}.{os.getpid()}'
    shutil.copytree(path, partial)
    if cached.exists():
        shutil.rmtree(cached)
    partial.rename(cached)
    return cached


class Server:
    "A trytond serving a copy of the demo database"

    def __init__(self, url, directory, mails):
        self.url = url
        self.directory = directory
        self.mails = mails

    @property
    def database(self):
        return self.directory / f'{DB}.sqlite'

    def query(self, sql, *args):
        "Rows of sql on the server's database (read-only)"
        con = sqlite3.connect(
            f'file:{self.database}?mode=ro', uri=True, timeout=30)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()


@contextlib.contextmanager
def demo_server(tmp_path_factory, name, artifacts):
    """Start trytond on a copy of the demo database; yield a Server.  The
    set-up and server logs are copied into artifacts."""
    from trytond.modules.termogest_fatturapa.tests.servers import smtp_sink

    source = demo_database(tmp_path_factory)
    tmp = tmp_path_factory.mktemp(name)
    directory = tmp / 'database'
    copy_database(source, directory)
    port = free_port()
    server_log = tmp / 'server.log'
    process = None
    with smtp_sink() as smtp:
        conf = write_conf(tmp / 'trytond.conf', port, smtp.port)
        passfile = tmp / 'adminpass'
        passfile.write_text('admin-demo-test\n')
        env = clean_env(
            TRYTOND_DATABASE__URI='sqlite://',
            TRYTOND_DATABASE__PATH=directory,
            TRYTOND_WEB__ROOT=SAO,
            TRYTOND_TERMOGEST__FATTURAPA_XSD_DIR=XSD_DIR,
            TRYTONPASSFILE=passfile,
            TRYTOND_CONFIG=conf)
        try:
            with open(server_log, 'w') as out:
                process = subprocess.Popen(
                    [BIN / 'trytond', '-c', conf, '-d', DB], env=env,
                    cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True)
            wait_port(port, process)
            yield Server(f'http://127.0.0.1:{port}/', directory, smtp.messages)
        finally:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            artifacts.mkdir(parents=True, exist_ok=True)
            if server_log.exists():
                shutil.copy(server_log, artifacts / 'server.log')


@contextlib.contextmanager
def chromium():
    "Debian's chromium driven by Playwright (it never downloads a browser)"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# The test data, run in its own process after the demo data

def create_test_data(database):
    from proteus import Model, config

    from trytond.modules.termogest_agenda.tests.tools import at
    from trytond.modules.termogest_impianti.tests.tools import (
        new_device, new_plant, province)
    config.set_trytond(database, config_file=os.environ['TRYTOND_CONFIG'])
    Company = Model.get('company.company')
    Lang = Model.get('ir.lang')
    User = Model.get('res.user')
    Call = Model.get('termogest.call')
    Appointment = Model.get('termogest.appointment')
    ContactMechanism = Model.get('party.contact_mechanism')
    Device = Model.get('termogest.device')
    company, = Company.find([])
    italian, = Lang.find([('code', '=', 'it')])
    for login, name, password, role, sections in [
            (AGENDA_SECRETARY_LOGIN, AGENDA_SECRETARY_NAME,
                AGENDA_SECRETARY[1], 'secretary', [
                    'access_customers', 'access_calls_edit',
                    'access_agenda_edit']),
            # A technician account gets its technician card (employee).
            (AGENDA_TECHNICIAN_LOGIN, AGENDA_TECHNICIAN_NAME,
                AGENDA_TECHNICIAN[1], 'technician', []),
            (MOBILE_TECHNICIAN_LOGIN, MOBILE_TECHNICIAN_NAME,
                MOBILE_TECHNICIAN[1], 'technician', ['access_booklets']),
            (OTHER_TECHNICIAN_LOGIN, OTHER_TECHNICIAN_NAME,
                OTHER_TECHNICIAN[1], 'technician', []),
            ]:
        user = User(
            login=login, name=name, language=italian,
            email=f'{login}@rossiimpianti.example')
        user.termogest_role = role
        user.password = password
        user.companies.append(Company(company.id))
        user.company = Company(company.id)
        for section in sections:
            setattr(user, section, True)
        user.save()
    technician, = User.find([('login', '=', AGENDA_TECHNICIAN[0])])
    assert technician.employee, "the technician account has no employee"
    mobile, = User.find([('login', '=', MOBILE_TECHNICIAN[0])])
    other, = User.find([('login', '=', OTHER_TECHNICIAN[0])])
    assert mobile.employee and other.employee, "a technician has no employee"

    def customer(name, street, email=None, phone=None):
        plant = new_plant(name)
        party = plant.party
        address, = party.addresses
        address.street = street
        address.postal_code = AGENDA_POSTAL_CODE
        address.city = AGENDA_CITY
        address.subdivision = province('IT-TO')
        address.save()
        for type_, value in [('email', email), ('phone', phone)]:
            if value:
                ContactMechanism(party=party, type=type_, value=value).save()
        return plant

    # The agenda flow: a call to book
    plant = customer(AGENDA_CUSTOMER, AGENDA_STREET)
    device = new_device(plant, serial_number=AGENDA_DEVICE_SERIAL)
    call = Call(company=Company(company.id), party=plant.party)
    call.plant = plant
    call.device = device
    call.channel = 'phone'
    call.reason = CALL_REASON
    call.save()
    assert call.state == 'new', call.state

    # The technician app: today's appointments of sergio and one of ugo
    def appointment(employee, plant, device, kind, hour):
        appointment = Appointment()
        appointment.technician = employee
        appointment.party = plant.party
        appointment.plant = plant
        appointment.kind = kind
        appointment.start = at(hour=hour)
        appointment.end = at(hour=hour + 1)
        appointment.devices.append(Device(device.id))
        appointment.description = "Cliente disponibile dalle 8"
        appointment.save()
        return appointment
    plant = customer(
        MOBILE_CHECK_CUSTOMER, "Corso Francia 112", MOBILE_CHECK_EMAIL,
        MOBILE_CHECK_PHONE)
    device = new_device(plant, serial_number=MOBILE_CHECK_SERIAL)
    appointment(mobile.employee, plant, device, 'efficiency_check', 8)
    plant = customer(
        MOBILE_OFFLINE_CUSTOMER, "Via Cibrario 7", MOBILE_OFFLINE_EMAIL,
        '+39 011 5550456')
    device = new_device(plant, serial_number=MOBILE_OFFLINE_SERIAL)
    appointment(mobile.employee, plant, device, 'maintenance', 10)
    plant = customer(MOBILE_CONFLICT_CUSTOMER, "Via Frejus 21")
    device = new_device(plant)
    appointment(mobile.employee, plant, device, 'repair', 14)
    plant = customer(MOBILE_OTHER_CUSTOMER, "Via Nizza 3")
    device = new_device(plant)
    appointment(other.employee, plant, device, 'repair', 11)
    print(f"test data: call {call.number}, appointments of "
        f"{mobile.employee.rec_name} and {other.employee.rec_name}")


if __name__ == '__main__':
    if sys.argv[1:2] != ['test-data'] or len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} test-data <database>")
    create_test_data(sys.argv[2])
