# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""End-to-end check of the web client (sao) with the demo data.

A throwaway SQLite database is built in a temporary directory (trytond-admin
+ scripts/demo_data.py), a trytond server is started on a free loopback port
and Debian's chromium, driven by Playwright, goes through the flow:

1. the secretary-administrator rossiimpianti.giulia creates the technician
   account "tecnicotest" from TermoGest > Amministrazione > Gestione Utenti;
2. the new technician logs in and sees only the technician menu;
3. the secretary creates a customer card (TermoGest > Clienti > Clienti)
   with a wrong partita IVA: the server refuses it with a message naming
   the customer, the field and the fix; the corrected card saves;
4. a technician without customer sections has no Clienti menu.

The database built is kept in build/dbcache/browser-<hash>.sqlite, keyed by
the content of addons/, the demo script, this file and the Tryton versions:
later runs start from a copy of it.  Screenshots of every step go to
test-artifacts/browser/.  Playwright never downloads a browser here: it
drives /usr/bin/chromium.
"""
import hashlib
import importlib.metadata
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from stdnum.it import iva

ROOT = Path(__file__).resolve().parent.parent
SAO = ROOT / 'build' / 'sao'
CHROMIUM = Path('/usr/bin/chromium')
ARTIFACTS = ROOT / 'test-artifacts' / 'browser'
DEMO_SCRIPT = ROOT / 'scripts' / 'demo_data.py'
DB_CACHE = ROOT / 'build' / 'dbcache'
BIN = Path(sys.executable).parent
DB = 'termogest'
MODULES = ['termogest_permessi', 'termogest_clienti']

SECRETARY = ('rossiimpianti.giulia', 'Giulia-Demo-2026!')
TECHNICIAN_NAME = "Test Tecnico"
TECHNICIAN_LOGIN = 'tecnicotest'
TECHNICIAN_FULL_LOGIN = 'rossiimpianti.tecnicotest'
TECHNICIAN_PASSWORD = 'Tecnico-Test-2026!'
CUSTOMER_NAME = "Idraulica Test S.n.c."
WRONG_VAT = '12345678901'  # the check digit is wrong
GOOD_VAT = '01234560017'  # office 001, Luhn check digit

CHROMIUM_ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--disable-sync']
TIMEOUT = 30_000  # ms, for every Playwright wait (CI runs on 2 slow cores)

if os.environ.get('TRYTOND_DATABASE__URI', '').startswith('postgresql'):
    pytest.skip(
        "the browser flow is database-independent: it runs in the SQLite "
        "pass, the PostgreSQL pass covers RPC", allow_module_level=True)
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} missing (apt-get install chromium or `make deps`)",
        allow_module_level=True)
if not (SAO / 'index.html').exists():
    pytest.skip(
        f"{SAO / 'index.html'} missing (`make build/sao/index.html`)",
        allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

expect.set_options(timeout=TIMEOUT)


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
    files = sorted(
        p for p in (ROOT / 'addons').rglob('*')
        if p.is_file() and '__pycache__' not in p.parts
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


def copy_db(source, target):
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    "Build the demo database, start trytond; yield its base URL"
    tmp = tmp_path_factory.mktemp('browser')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.iterdir():
        if old.is_file():
            old.unlink()
    port, smtp_port = free_port(), free_port()
    conf = tmp / 'trytond.conf'
    conf.write_text(
        "[database]\n"
        "uri = sqlite://\n"
        "language = it\n"
        "[web]\n"
        f"listen = 127.0.0.1:{port}\n"
        "[password]\n"
        "length = 12\n"
        "[email]\n"
        # Nothing listens there: mails fail and are only logged.
        f"uri = smtp://127.0.0.1:{smtp_port}\n"
        "from = TermoGest <noreply@termogest.invalid>\n")
    passfile = tmp / 'adminpass'
    passfile.write_text('admin-browser-test\n')
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_') and k not in {
            'DB_NAME', 'DB_CACHE', 'TRYTONPASSFILE'}}
    env.update({
            'TRYTOND_DATABASE__URI': 'sqlite://',
            'TRYTOND_DATABASE__PATH': str(tmp),
            'TRYTOND_WEB__ROOT': str(SAO),
            'TRYTONPASSFILE': str(passfile),
            'TRYTOND_CONFIG': str(conf),
            })
    log = tmp / 'setup.log'
    server_log = tmp / 'server.log'
    process = None
    try:
        database = tmp / f'{DB}.sqlite'
        cached = DB_CACHE / f'browser-{setup_key()}.sqlite'
        start = time.monotonic()
        if cached.exists():
            copy_db(cached, database)
        else:
            database.touch()
            admin = [BIN / 'trytond-admin', '-c', conf, '-d', DB]
            # trytond-admin asks for the admin email of a new database:
            # answer none (admin@example.com fails with email-validator).
            run(admin + ['--all'], env, log, input='\n')
            run(admin + ['-u', *MODULES, '--activate-dependencies'], env, log)
            run(admin + ['-l', 'it'], env, log)
            run([sys.executable, DEMO_SCRIPT, DB], env, log)
            DB_CACHE.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f'.{os.getpid()}')
            copy_db(database, partial)
            partial.rename(cached)
        print(f"browser database ready in {time.monotonic() - start:.1f} s")

        with open(server_log, 'w') as out:
            process = subprocess.Popen(
                [BIN / 'trytond', '-c', conf, '-d', DB], env=env, cwd=ROOT,
                stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        wait_port(port, process)
        yield f'http://127.0.0.1:{port}/'
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for path in [log, server_log]:
            if path.exists():
                shutil.copy(path, ARTIFACTS / path.name)


@pytest.fixture(scope='module')
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Client:
    "A sao session in its own browser context"

    def __init__(self, browser, base_url, name):
        self.base_url = base_url
        self.name = name
        self.context = browser.new_context(
            viewport={'width': 1280, 'height': 900}, locale='it-IT')
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.step = 0
        self.closed = False
        # Errors of sao's JavaScript (a view it cannot draw, a PYSON it
        # cannot decode) often leave the page silently half drawn.
        self.js_errors = []
        self.page.on('pageerror', lambda error: self.js_errors.append(
                f"{error.name}: {error.message}"))
        self.page.on('console', self._console)

    def _console(self, message):
        # jQuery logs the exceptions raised in sao's promises as warnings.
        if (message.type in {'error', 'warning'}
                and 'exception' in message.text.lower()):
            self.js_errors.append(message.text.splitlines()[0])

    def close(self):
        self.context.close()
        self.closed = True

    def shot(self, label):
        self.step += 1
        self.page.screenshot(
            path=ARTIFACTS / f'{self.name}-{self.step:02d}-{label}.png')

    def login(self, login, password):
        page = self.page
        # The database in the URL fragment: no database selector to fill.
        page.goto(self.base_url + '#' + DB)
        page.locator('#login').wait_for(state='visible')
        page.fill('#login', login)
        self.shot('login')
        page.click('.login-dialog button[type=submit]')
        # sao asks the password in a second dialog (Sao.common.ask).
        password_input = page.locator('.ask-dialog #ask-dialog-entry')
        password_input.fill(password)
        expect(password_input).to_have_value(password)
        self.shot('password')
        page.locator('.ask-dialog button.btn-primary').click()
        expect(page.locator('#menu .treeview tbody tr').first).to_be_visible()
        expect(page.locator('.modal.in')).to_have_count(0)
        self.shot('home')

    def menu_row(self, title, depth):
        """The menu row of title at depth (0 for the top level): a folder
        and its action may share a title (Clienti > Clienti)"""
        page = self.page
        # sao indents the expander of a row by its depth in em.
        return page.locator('#menu .treeview tbody tr').filter(
            has=page.locator(f'.column-char[title="{title}"]')).filter(
            has=page.locator(
                f'.expander img[style*="margin-left: {depth}em"]'))

    def show_menu(self, *path):
        "Expand the menu along path until its last entry is visible"
        expect(self.menu_row(path[0], 0)).to_be_visible()
        for depth, (parent, child) in enumerate(zip(path, path[1:])):
            # sao may restore a user's expanded rows: a click would close it.
            if not self.menu_row(child, depth + 1).is_visible():
                self.menu_row(parent, depth).locator('.expander').click()
            expect(self.menu_row(child, depth + 1)).to_be_visible()
        return self.menu_row(path[-1], len(path) - 1)

    def open_menu(self, *path):
        "Expand the menu along path and open its last entry"
        self.show_menu(*path).locator('.column-char').click()
        tab = self.page.locator('#tablist li.active')
        expect(tab).to_contain_text(path[-1])

    def menu_titles(self):
        return self.page.locator(
            '#menu .treeview tbody tr .column-char').evaluate_all(
            "els => els.map(e => e.title)")

    @property
    def tab(self):
        return self.page.locator('#tabcontent > .tab-pane.active')

    def record_count(self):
        "The number of records of the current tab, once they are loaded"
        badge = self.tab.locator('.navbar-text .badge')
        expect(badge).to_have_text(re.compile(r'^\S+/\d+$'))
        return int(badge.text_content().split('/')[1])

    def field(self, name):
        "The visible widget of a form field (a form may show it twice)"
        return self.tab.locator(f'.form [name="{name}"]:visible')

    def open_page(self, title):
        "Open the notebook page title of the form"
        page = self.tab.locator('.form .nav-tabs li').filter(
            has=self.page.locator('a[role=tab]', has_text=title))
        page.locator('a[role=tab]').click()
        expect(page).to_have_class(re.compile(r'\bactive\b'))

    def search(self, text):
        "Search the records of the current list tab for text"
        entry = self.tab.locator(
            '.screen-container > .filter-box input.form-control:visible')
        entry.fill(text)
        entry.press('Enter')

    def dialog(self):
        "The open modal dialog of sao (error, warning, question)"
        return self.page.locator('.modal.in .modal-dialog')

    def fill(self, name, value):
        "Type value into a form field and leave it (sao reads on change)"
        field = self.field(name)
        field.fill(value)
        field.blur()
        expect(field).to_have_value(value)

    def button(self, id_):
        return self.tab.locator(f'button#{id_}')


@pytest.fixture
def client(browser, server):
    "Factory of Clients; each is closed after a last screenshot"
    clients = []

    def new_client(name):
        clients.append(Client(browser, server, name))
        return clients[-1]
    yield new_client
    js_errors = []
    for client_ in clients:
        js_errors.extend(f"{client_.name}: {e}" for e in client_.js_errors)
        if not client_.closed:
            try:
                client_.shot('last')
            finally:
                client_.close()
    if js_errors:
        pytest.fail(
            "JavaScript errors in sao:\n" + '\n'.join(js_errors),
            pytrace=False)


def test_secretary_creates_technician_who_sees_technician_menu(client):
    start = time.monotonic()
    secretary = client('1-giulia')
    secretary.login(*SECRETARY)
    secretary.open_menu('TermoGest', 'Amministrazione', 'Gestione Utenti')
    expect(secretary.tab.locator('.treeview tbody tr').filter(
            has_text=SECRETARY[0])).to_be_visible()
    secretary.shot('user-list')

    secretary.button('new_').click()
    expect(secretary.field('login')).to_be_editable()
    secretary.fill('name', TECHNICIAN_NAME)
    secretary.fill('login', TECHNICIAN_LOGIN)
    secretary.field('termogest_role').select_option(label="Tecnico")
    # A technician account may be linked to a technician card.
    expect(secretary.field('technician')).to_be_visible()
    secretary.fill('password', TECHNICIAN_PASSWORD)
    expect(secretary.field('name')).to_have_value(TECHNICIAN_NAME)
    expect(secretary.field('login')).to_have_value(TECHNICIAN_LOGIN)
    secretary.shot('new-technician')
    secretary.button('save').click()
    # The server adds the company prefix; sao reloads the saved record.
    expect(secretary.field('login')).to_have_value(
        TECHNICIAN_FULL_LOGIN)
    expect(secretary.button('save')).to_be_disabled()
    expect(secretary.page.locator('.modal.in')).to_have_count(0)
    secretary.shot('saved')
    secretary.close()

    technician = client('2-tecnicotest')
    technician.login(TECHNICIAN_FULL_LOGIN, TECHNICIAN_PASSWORD)
    technician.show_menu('TermoGest', "La mia scheda tecnico")
    technician.shot('menu')
    titles = technician.menu_titles()
    for forbidden in [
            "Amministrazione", "Gestione Utenti", "Terzi", "Party"]:
        assert forbidden not in titles, (forbidden, titles)
    technician.open_menu('TermoGest', "La mia scheda tecnico")
    technician.shot('my-technician-card')
    print(f"browser flow: {time.monotonic() - start:.1f} s")


def test_technician_sees_own_card(client):
    technician = client('3-luca')
    technician.login('rossiimpianti.luca', 'Luca-Demo-2026!')
    technician.open_menu('TermoGest', "La mia scheda tecnico")
    # Wait for the row itself: the counter may show "_/0" before the search
    # has answered.
    rows = technician.tab.locator('.treeview tbody tr')
    expect(rows.filter(has_text="Luca Ferri")).to_have_count(1)
    technician.shot('my-technician-card')
    assert technician.record_count() == 1
    expect(rows).to_have_count(1)


def test_secretary_customer_wrong_vat_number_refused(client):
    """The server refuses a wrong partita IVA with a message naming the
    customer, the field and the fix; the corrected card saves"""
    assert not iva.is_valid(WRONG_VAT) and iva.is_valid(GOOD_VAT)
    start = time.monotonic()
    secretary = client('4-giulia-cliente')
    secretary.login(*SECRETARY)
    secretary.open_menu('TermoGest', "Clienti", "Clienti")
    if secretary.record_count():  # the demo customers, when there are some
        expect(secretary.tab.locator(
                '.treeview tbody tr').first).to_be_visible()
    secretary.shot('customer-list')

    secretary.button('new_').click()
    expect(secretary.field('name')).to_be_editable()
    secretary.fill('name', CUSTOMER_NAME)
    secretary.open_page("Dati fiscali")
    secretary.fill('vat_number', WRONG_VAT)
    # The on_change of the partita IVA sets the subject type: once it has
    # answered, the card holds what was typed.
    expect(secretary.field('subject_type').first.locator(
            'option:checked')).to_have_text(
        re.compile(r'^(Società o ente|Company or Body)$'))
    secretary.shot('wrong-vat-number')
    secretary.button('save').click()

    dialog = secretary.dialog()
    expect(dialog).to_be_visible()
    # Italian, or the English source while the translation is missing;
    # strict about the customer, the field label, the code and the fix.
    expect(dialog).to_contain_text(re.compile(
            rf'(Cliente|Customer) "{re.escape(CUSTOMER_NAME)}", '
            rf'(campo|field) "(Partita IVA|VAT Number)": "{WRONG_VAT}" '
            r'(non è una partita IVA valida|is not a valid partita IVA)'
            r'.*(pulsante Verifica|Verify button)'))
    secretary.shot('wrong-vat-number-refused')
    dialog.locator('button.btn-primary').click()
    expect(secretary.page.locator('.modal.in, .modal-backdrop')).to_have_count(
        0)
    # Nothing saved: the card is still new, with the wrong code to fix.
    expect(secretary.field('vat_number')).to_have_value(WRONG_VAT)
    expect(secretary.field('code').first).to_have_value('')

    secretary.fill('vat_number', GOOD_VAT)
    secretary.shot('vat-number-fixed')
    secretary.button('save').click()
    # Saved: the server numbers the card and sao reloads it.
    expect(secretary.field('code').first).not_to_have_value('')
    expect(secretary.button('save')).to_be_disabled()
    expect(secretary.page.locator('.modal.in')).to_have_count(0)
    expect(secretary.field('vat_number')).to_have_value(GOOD_VAT)
    code = secretary.field('code').first.input_value()
    secretary.shot('saved')

    # Search the list again: the card comes from the server.
    secretary.button('switch_').click()
    secretary.search(CUSTOMER_NAME)
    rows = secretary.tab.locator('.treeview tbody tr')
    expect(rows.filter(has_text=CUSTOMER_NAME)).to_have_count(1)
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(code)
    secretary.shot('customer-list-saved')
    print(f"customer flow: {time.monotonic() - start:.1f} s")


def test_technician_has_no_customer_menu(client):
    technician = client('5-luca-menu')
    technician.login('rossiimpianti.luca', 'Luca-Demo-2026!')
    technician.show_menu('TermoGest', "La mia scheda tecnico")
    technician.shot('menu')
    titles = technician.menu_titles()
    assert "Clienti" not in titles, titles
    assert "Customers" not in titles, titles
