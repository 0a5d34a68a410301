# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""End-to-end check of the technician app (termogest_mobile) on a phone

A trytond server runs on a copy of the demo database (tests/demo_server.py,
with the test data of the app: the technician sergio and his appointments
of today, one appointment of the technician ugo) and an SMTP sink on
loopback; Debian's chromium, driven by Playwright at a phone's viewport
(390×844, touch), goes through:

1. the whole flow online: login, today's appointments (phone and "Naviga"
   links), the appointment with its devices and due dates, the
   intervention (times, travel, work done, a part, the REE type 1
   measurements with the legal minimum and the result shown as they are
   typed, a photo, the privacy notice, the signature on the pad), "Chiudi
   e invia": the server holds one intervention done and signed, its REE
   with the result, the photo, and the PDF report e-mailed to the customer;
2. the same flow offline (set_offline): the app reloads from its service
   worker's cache, the intervention waits on the phone with the "in attesa
   di sincronizzazione" counter; back online, the first upload's answer is
   lost on the way (the server stored it): the retry with the same
   idempotency key ends with exactly one intervention on the server;
3. a conflict: the office changes the appointment while the technician
   works offline; the app shows what changed and sends only when told to;
4. another technician's appointment is not reachable, by URL in the app
   nor over HTTP (and is for its own technician).

Screenshots of every step go to test-artifacts/mobile/.
"""
import base64
import json
import os
import re
import struct
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import pytest
from demo_server import (
    AGENDA_SECRETARY, CHROMIUM, MOBILE_CHECK_CUSTOMER, MOBILE_CHECK_EMAIL,
    MOBILE_CHECK_SERIAL, MOBILE_CONFLICT_CUSTOMER, MOBILE_OFFLINE_CUSTOMER,
    MOBILE_OTHER_CUSTOMER, MOBILE_TECHNICIAN, OTHER_TECHNICIAN, chromium,
    demo_server)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / 'test-artifacts' / 'mobile'
DB = 'termogest'
PHONE = {'width': 390, 'height': 844}
TIMEOUT = 30_000  # ms, for every Playwright wait (CI runs on 2 slow cores)

if os.environ.get('TRYTOND_DATABASE__URI', '').startswith('postgresql'):
    pytest.skip(
        "the app's flow is database-independent: it runs in the SQLite "
        "pass, the PostgreSQL pass covers the routes", allow_module_level=True)
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} missing (apt-get install chromium or `make deps`)",
        allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

expect.set_options(timeout=TIMEOUT)


def png(width=64, height=48, rgb=(200, 60, 40)):
    "A small PNG image (a photo of the boiler, for the test)"
    row = b'\x00' + bytes(rgb) * width
    raw = row * height

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    return (b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
        + chunk(b'IDAT', zlib.compress(raw))
        + chunk(b'IEND', b''))


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.iterdir():
        if old.is_file():
            old.unlink()
    with demo_server(tmp_path_factory, 'mobile', ARTIFACTS) as server:
        server.app = f'{server.url}{DB}/termogest/m/'
        yield server


@pytest.fixture(scope='module')
def browser():
    with chromium() as browser:
        yield browser


class Phone:
    "The app in a phone-sized browser context"

    def __init__(self, browser, server, name):
        self.server = server
        self.name = name
        self.context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True,
            has_touch=True, locale='it-IT', timezone_id='Europe/Rome',
            service_workers='allow')
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.step = 0
        self.errors = []
        self.page.on('pageerror', lambda error: self.errors.append(
                f"{error.name}: {error.message}"))

    def shot(self, label):
        self.step += 1
        self.page.screenshot(
            path=ARTIFACTS / f'{self.name}-{self.step:02d}-{label}.png')

    def login(self, login, password):
        page = self.page
        page.goto(self.server.app)
        page.locator('#login-user').fill(login)
        page.locator('#login-password').fill(password)
        self.shot('login')
        page.locator('#login-submit').click()
        expect(page.locator('#agenda')).to_be_visible()

    def card(self, customer):
        return self.page.locator('.appointment-card').filter(
            has_text=customer)

    def open_intervention(self, customer):
        page = self.page
        self.card(customer).click()
        expect(page.locator('#appointment')).to_be_visible()
        expect(page.locator('#appointment')).to_contain_text(customer)
        page.locator('#start-intervention').click()
        expect(page.locator('#f-description')).to_be_visible()

    def sign(self, signer):
        page = self.page
        privacy = page.locator('#f-privacy')
        privacy.scroll_into_view_if_needed()
        privacy.check()
        page.locator('#f-signer').fill(signer)
        pad = page.locator('#signature-pad')
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        x, y = box['x'] + 20, box['y'] + box['height'] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        for i in range(1, 12):
            page.mouse.move(x + i * 20, y + (15 if i % 2 else -15), steps=3)
        page.mouse.up()

    def sync_count(self):
        return self.page.locator('#sync-counter')


@pytest.fixture
def phone(browser, server):
    phones = []

    def new_phone(name):
        phones.append(Phone(browser, server, name))
        return phones[-1]
    yield new_phone
    errors = []
    for phone_ in phones:
        errors.extend(f"{phone_.name}: {e}" for e in phone_.errors)
        try:
            phone_.shot('last')
        finally:
            phone_.context.close()
    if errors:
        pytest.fail("JavaScript errors in the app:\n" + '\n'.join(errors),
            pytrace=False)


def appointment_id(server, customer):
    (id_,), = server.query(
        'SELECT a.id FROM termogest_appointment a '
        'JOIN party_party p ON p.id = a.party WHERE p.name = ?', customer)
    return id_


def interventions(server, appointment):
    return server.query(
        'SELECT id, state, signer_name, signature_hash, privacy_accepted, '
        'description, travel_time FROM termogest_intervention '
        'WHERE appointment = ?', appointment)


def wait_mail(server, recipient, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for received in list(server.mails):
            if recipient in received.rcpt_tos:
                return received.message
        time.sleep(0.2)
    pytest.fail(f"no e-mail to {recipient} in {timeout} s: "
        f"{[m.rcpt_tos for m in server.mails]}", pytrace=False)


def api(server, path, data=None, key=None):
    "(status, JSON) of a call of the app's API over HTTP"
    request = urllib.request.Request(
        server.app + 'api/' + path,
        data=json.dumps(data).encode() if data is not None else None,
        headers={'Content-Type': 'application/json'})
    if key:
        request.add_header('Authorization', f'Bearer {key}')
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b'{}')
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b'{}')


def rpc(server, login, password, method, *params):
    "Call method of the database as login over JSON-RPC (the web client's)"
    url = f'{server.url}{DB}/rpc/'

    def call(method, params, headers=None):
        request = urllib.request.Request(
            url, data=json.dumps({'id': 1, 'method': method,
                    'params': params}).encode(),
            headers={'Content-Type': 'application/json', **(headers or {})})
        with urllib.request.urlopen(request, timeout=60) as response:
            result = json.loads(response.read())
        assert 'error' not in result or not result['error'], result
        return result['result']
    user_id, session = call(
        'common.db.login', [login, {'password': password}, 'it'])[:2]
    token = base64.b64encode(
        f'{login}:{user_id}:{session}'.encode()).decode()
    return call(method, list(params) + [{}],
        {'Authorization': f'Session {token}'})


def test_technician_closes_intervention_online(phone, server):
    """The whole flow online, ending with the report e-mailed"""
    start = time.monotonic()
    appointment = appointment_id(server, MOBILE_CHECK_CUSTOMER)
    technician = phone('1-online')
    page = technician.page
    technician.login(*MOBILE_TECHNICIAN)
    card = technician.card(MOBILE_CHECK_CUSTOMER)
    expect(card).to_have_count(1)
    expect(technician.card(MOBILE_OFFLINE_CUSTOMER)).to_have_count(1)
    expect(technician.card(MOBILE_OTHER_CUSTOMER)).to_have_count(0)
    tel = card.locator('a.tel').first
    expect(tel).to_have_attribute('href', re.compile(r'^tel:'))
    assert '0115550123' in re.sub(r'\D', '', tel.get_attribute('href'))
    expect(card.locator('a.navigate')).to_have_attribute(
        'href', re.compile(r'^https://www\.google\.com/maps/'))
    expect(technician.sync_count()).to_have_attribute('data-count', '0')
    technician.shot('agenda')

    card.click()
    sheet = page.locator('#appointment')
    expect(sheet).to_have_attribute('data-id', str(appointment))
    device = sheet.locator('.device').filter(has_text=MOBILE_CHECK_SERIAL)
    expect(device).to_have_count(1)
    technician.shot('appointment')

    page.locator('#start-intervention').click()
    page.locator('#f-start-time').fill('08:05')
    page.locator('#f-end-time').fill('09:10')
    page.locator('#f-travel').fill('20')
    page.locator('#f-description').fill(
        "Analisi di combustione, pulizia bruciatore e scambiatore, "
        "verifica dispositivi di sicurezza.")
    page.locator('#f-outcome').select_option('resolved')
    page.locator('#add-part').click()
    part = page.locator('.part').last
    part.locator('.part-description').fill("Guarnizione bruciatore")
    part.locator('.part-quantity').fill('2')

    (device_id,), = server.query(
        'SELECT id FROM termogest_device WHERE serial_number = ?',
        MOBILE_CHECK_SERIAL)
    expect(page.locator(f'input.f-device[value="{device_id}"]')
        ).to_be_checked()
    ree = page.locator(f'.ree[data-device="{device_id}"]')
    expect(ree.locator('.ree-minimum')).to_contain_text(re.compile(r'\d'))
    result = ree.locator('.ree-result')
    ree.locator('[name=co_corrected]').fill('45')
    ree.locator('[name=measured_efficiency]').fill('80')
    # 80 + 2 tolerance points is under any gas boiler's minimum
    expect(result).to_have_text(re.compile('Non conforme'))
    expect(result).to_have_class(re.compile(r'\bfail\b'))
    technician.shot('ree-fail')
    ree.locator('[name=measured_efficiency]').fill('97,4')
    ree.locator('[name=flue_temperature]').fill('58,5')
    ree.locator('[name=air_temperature]').fill('16')
    ree.locator('[name=o2]').fill('3,2')
    ree.locator('[name=co2]').fill('9,1')
    expect(result).to_have_text(re.compile(r'^\s*Conforme'))
    expect(result).to_have_class(re.compile(r'\bpass\b'))
    technician.shot('ree-pass')

    page.locator('#f-photos').set_input_files(files=[{
                'name': 'caldaia.png', 'mimeType': 'image/png',
                'buffer': png()}])
    expect(page.locator('.photo')).to_have_count(1)
    expect(page.locator('#privacy-text')).to_contain_text(
        re.compile('privacy|dati personali', re.I))
    technician.sign("Ottavio Brambilla")
    technician.shot('signed')
    page.locator('#f-close').click()
    expect(page.locator('#result')).to_contain_text(
        re.compile(r'Intervento \S+ registrato'))
    expect(technician.sync_count()).to_have_attribute('data-count', '0')
    technician.shot('closed')

    rows = interventions(server, appointment)
    assert len(rows) == 1, rows
    (id_, state, signer, seal, privacy, description, travel), = rows
    assert state == 'done', state
    assert signer == "Ottavio Brambilla" and seal and privacy
    assert description.startswith("Analisi di combustione")
    assert travel == 20 * 60, travel
    lines = server.query(
        'SELECT description, quantity FROM termogest_intervention_line '
        'WHERE intervention = ?', id_)
    assert lines == [("Guarnizione bruciatore", 2)], lines
    attachments = server.query(
        'SELECT name FROM ir_attachment WHERE resource = ?',
        f'termogest.intervention,{id_}')
    assert len(attachments) == 1, attachments
    reports = server.query(
        'SELECT measured_efficiency, co_corrected, result '
        'FROM termogest_efficiency_report WHERE intervention = ?', id_)
    assert len(reports) == 1, reports
    (efficiency, co, outcome), = reports
    assert float(efficiency) == 97.4 and float(co) == 45, reports
    assert outcome == 'pass', reports

    mail = wait_mail(server, MOBILE_CHECK_EMAIL)
    pdfs = [part for part in mail.iter_attachments()
        if part.get_content_type() == 'application/pdf']
    assert len(pdfs) == 1, [p.get_content_type()
        for p in mail.iter_attachments()]
    assert pdfs[0].get_content().startswith(b'%PDF')

    # Back on the agenda, the appointment is closed.
    page.goto(server.app + '#/')
    expect(technician.card(MOBILE_CHECK_CUSTOMER).locator('.badge-done')
        ).to_be_visible()
    technician.shot('agenda-closed')
    print(f"online flow: {time.monotonic() - start:.1f} s")


def test_technician_works_offline_one_intervention_synced(phone, server):
    """Offline: queued on the phone; back online, a lost answer and a retry
    with the same key leave exactly one intervention"""
    start = time.monotonic()
    appointment = appointment_id(server, MOBILE_OFFLINE_CUSTOMER)
    technician = phone('2-offline')
    page = technician.page
    technician.login(*MOBILE_TECHNICIAN)
    expect(technician.card(MOBILE_OFFLINE_CUSTOMER)).to_have_count(1)
    # The service worker holds the app's files.
    page.evaluate(
        "() => navigator.serviceWorker.ready.then(() => true)")
    technician.context.set_offline(True)
    page.reload()
    expect(page.locator('#offline-banner')).to_be_visible()
    expect(technician.card(MOBILE_OFFLINE_CUSTOMER)).to_have_count(1)
    technician.shot('offline-agenda')

    technician.open_intervention(MOBILE_OFFLINE_CUSTOMER)
    page.locator('#f-start-time').fill('10:00')
    page.locator('#f-end-time').fill('10:50')
    page.locator('#f-description').fill(
        "Manutenzione ordinaria: pulizia, controllo tenute e pressione.")
    technician.sign("Gualtiero Bonfanti")
    page.locator('#f-close').click()
    expect(page.locator('#result')).to_contain_text(
        'in attesa di sincronizzazione')
    counter = technician.sync_count()
    expect(counter).to_have_attribute('data-count', '1')
    expect(counter).to_contain_text('1 in attesa di sincronizzazione')
    technician.shot('queued')
    assert interventions(server, appointment) == []

    # Back online: the server stores the first upload, its answer is lost.
    lost = []

    def lose_answer(route):
        response = route.fetch()
        lost.append(response.status)
        route.abort('connectionreset')
        page.unroute('**/api/interventions', lose_answer)
    page.route('**/api/interventions', lose_answer)
    technician.context.set_offline(False)
    deadline = time.monotonic() + TIMEOUT / 1000
    while not lost and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert lost and lost[0] in {200, 201}, lost
    assert len(interventions(server, appointment)) == 1
    # The phone keeps the entry; the retry gets the stored answer.
    page.locator('#sync-now').click()
    expect(counter).to_have_attribute('data-count', '0')
    expect(page.locator('#offline-banner')).to_be_hidden()
    rows = interventions(server, appointment)
    assert len(rows) == 1, rows
    assert rows[0][1] == 'done', rows
    submissions = server.query(
        'SELECT count(*) FROM termogest_mobile_submission s '
        'JOIN termogest_intervention i ON i.id = s.intervention '
        'WHERE i.appointment = ?', appointment)
    assert submissions == [(1,)], submissions
    page.goto(server.app + '#/')
    expect(technician.card(MOBILE_OFFLINE_CUSTOMER).locator('.badge-done')
        ).to_be_visible()
    technician.shot('synced')
    print(f"offline flow: {time.monotonic() - start:.1f} s")


def test_office_change_shown_as_conflict(phone, server):
    """The office changes the appointment while the technician is offline:
    the app shows the change, sends only when told to"""
    appointment = appointment_id(server, MOBILE_CONFLICT_CUSTOMER)
    technician = phone('3-conflict')
    page = technician.page
    technician.login(*MOBILE_TECHNICIAN)
    expect(technician.card(MOBILE_CONFLICT_CUSTOMER)).to_have_count(1)
    technician.context.set_offline(True)
    technician.open_intervention(MOBILE_CONFLICT_CUSTOMER)
    page.locator('#f-description').fill("Sostituita valvola a tre vie.")
    technician.sign("Fulvio Gamba")
    page.locator('#f-close').click()
    expect(technician.sync_count()).to_have_attribute('data-count', '1')

    note = "Il cliente chiede di passare dopo le 15"
    rpc(server, *AGENDA_SECRETARY, 'model.termogest.appointment.write',
        [appointment], {'description': note})
    technician.context.set_offline(False)
    page.locator('#sync-now').click()
    page.goto(server.app + '#/coda')
    item = page.locator('.queue-item.conflict')
    expect(item).to_have_count(1)
    expect(item.locator('.conflict-details')).to_contain_text(note)
    technician.shot('conflict')
    assert interventions(server, appointment) == []

    item.locator('.queue-force').click()
    expect(technician.sync_count()).to_have_attribute('data-count', '0')
    assert len(interventions(server, appointment)) == 1
    technician.shot('forced')


def test_other_technician_appointment_unreachable(phone, server):
    """Neither the app's URL nor the API reach another technician's
    appointment; its own technician reaches it"""
    other = appointment_id(server, MOBILE_OTHER_CUSTOMER)
    technician = phone('4-other')
    page = technician.page
    technician.login(*MOBILE_TECHNICIAN)
    page.goto(server.app + f'#/a/{other}')
    expect(page.locator('#not-found')).to_be_visible()
    expect(page.locator('body')).not_to_contain_text(MOBILE_OTHER_CUSTOMER)
    technician.shot('not-found')

    status, body = api(server, 'login', {
            'login': MOBILE_TECHNICIAN[0], 'password': MOBILE_TECHNICIAN[1]})
    assert status == 200, body
    key = body['key']
    assert api(server, f'appointment/{other}')[0] == 401
    status, body = api(server, f'appointment/{other}', key=key)
    assert status == 404 and body['code'] == 'not_found', body
    status, body = api(server, 'agenda', key=key)
    assert status == 200, body
    assert MOBILE_OTHER_CUSTOMER not in json.dumps(body)
    status, body = api(server, 'interventions', {
            'key': 'test-other-appointment-0001', 'appointment': other,
            'version': '', 'description': "Tentativo"}, key=key)
    assert status == 404, body
    assert interventions(server, other) == []

    status, body = api(server, 'login', {
            'login': OTHER_TECHNICIAN[0], 'password': OTHER_TECHNICIAN[1]})
    assert status == 200, body
    status, body = api(server, f'appointment/{other}', key=body['key'])
    assert status == 200, body
    assert body['appointment']['customer']['name'] == MOBILE_OTHER_CUSTOMER


def test_app_installable(server):
    """The web app manifest and the service worker that make the app
    installable on the home screen, in Italian"""
    with urllib.request.urlopen(server.app + 'manifest.webmanifest',
            timeout=60) as response:
        assert response.headers['Content-Type'].startswith(
            'application/manifest+json')
        manifest = json.loads(response.read())
    assert manifest['lang'] == 'it'
    assert manifest['display'] == 'standalone'
    assert manifest['start_url'] == './' and manifest['scope'] == './'
    sizes = {icon['sizes'] for icon in manifest['icons']}
    assert {'192x192', '512x512'} <= sizes, sizes
    for icon in manifest['icons']:
        with urllib.request.urlopen(server.app + icon['src'],
                timeout=60) as response:
            assert response.headers['Content-Type'] == icon['type'], icon
    with urllib.request.urlopen(server.app + 'sw.js', timeout=60) as response:
        assert 'javascript' in response.headers['Content-Type']
        assert b"addEventListener('fetch'" in response.read()
    with urllib.request.urlopen(server.app, timeout=60) as response:
        page = response.read().decode()
    assert '<html lang="it">' in page
    assert 'rel="manifest"' in page
