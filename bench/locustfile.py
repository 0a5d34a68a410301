# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Locust users of the load test: secretaries and technicians

Started by bench/loadtest.py, which prepares the database and passes what
the users need in $LOADTEST_DATA (accounts, customers, search terms); do
not run it alone.  It runs in build/locust-venv (locust==2.47.0), not in
the product's virtualenv: it imports nothing of Tryton.

- Secretaries (SecretaryUser) speak the JSON-RPC of the web client (sao):
  ``common.db.login`` then every call with the ``Authorization: Session``
  header and the user's context as the last parameter, the view fields
  read as sao does (many2one ``.rec_name``, ``_timestamp``...).  Their
  tasks: customer search (name fragment, codice fiscale, partita IVA,
  phone: ``search`` on ``rec_name ilike``, ``search_count`` when the page
  is full, then ``read`` of the list fields), the maintenance-due list
  (context from_date/to_date, first page of 100), a customer card (read of
  the form fields) and a booking (``default_get``, ``create`` with the
  marker in the description, ``read`` back).  Think time between two
  actions (an action = the calls sao makes for it): $LOADTEST_SECRETARY_WAIT
  ("min,max" seconds; bench/loadtest.py --profile: office 5-15 s, stress
  1-5 s).
- Technicians (TechnicianUser) use the app's API (termogest_mobile
  doc/contract.md): ``api/login``, ``api/agenda?days=7`` (the today view,
  also after each sync as the app does), ``api/appointment/<id>`` and
  ``api/interventions`` with an idempotency key (a few are sent twice, as
  a phone retrying after a lost answer: the second answer must be the
  stored one).  Think time between two app actions:
  $LOADTEST_TECHNICIAN_WAIT (office 15-45 s: they work on site; stress
  2-10 s).

Each user waits one think time after its login before its first action
(the users log in one per second, bench/loadtest.py): without it, the 50
logins and the first actions (with the cold caches of the server) came in
the first 15 s and saturated the 2 workers.

The actions done by each kind of user are counted and printed at the end
(``LOADTEST actions ...``) for the offered load.

Every write that got a success answer is appended to
$LOADTEST_OUT/acks-<tag>-<pid>.jsonl with its marker, for the writes-lost
count (and, for an intervention, whether the server queued its e-mail, for
the e-mails-lost count).
"""
import base64
import datetime
import itertools
import json
import os
import random
import threading
import uuid
from zoneinfo import ZoneInfo

from locust import HttpUser, between, events, task

DATA = json.load(open(os.environ['LOADTEST_DATA']))
OUT = os.environ.get('LOADTEST_OUT', '.')
TAG = os.environ.get('LOADTEST_TAG', 'LT')
DATABASE = DATA['database']
ZONE = ZoneInfo(DATA['timezone'])
TODAY = datetime.date.fromisoformat(DATA['today'])
PAGE = 100  # sao: the rows asked per page
SEARCH_KINDS = [
    ('name', 40), ('phone', 25), ('fiscal_code', 20), ('vat', 15)]
BOOKING_DAYS = 28
BOOKING_SLOTS = 20  # per day, 30 minutes from 08:00
RETRY_SHARE = 0.05  # interventions sent twice with the same key
PHOTO_SHARE = 0.3  # interventions with one photo

_accounts = {
    'secretary': itertools.count(),
    'technician': itertools.count(),
    }
_bookings = itertools.count()
_lock = threading.Lock()
_acks = None
NOTES = {'no_open_appointment': 0, 'retries': 0, 'photos': 0,
    'secretary': 0, 'technician': 0}


def wait_range(name, default):
    "between(min, max) from $name, e.g. '5,15'"
    low, high = (float(v) for v in os.environ.get(name, default).split(','))
    return between(low, high)


def _read_b64(path):
    if path and os.path.exists(path):
        with open(path, 'rb') as file:
            return base64.b64encode(file.read()).decode('ascii')


SIGNATURE = _read_b64(DATA.get('signature'))
PHOTO = _read_b64(DATA.get('photo'))


def ack(kind, marker, id_, email=None):
    "Record a write the server acknowledged"
    global _acks
    with _lock:
        if _acks is None:
            _acks = open(os.path.join(
                    OUT, f'acks-{TAG}-{os.getpid()}.jsonl'), 'a')
        _acks.write(json.dumps(
                {'kind': kind, 'marker': marker, 'id': id_,
                    'email': email}) + '\n')
        _acks.flush()


@events.test_stop.add_listener
def _report(**kwargs):
    print("LOADTEST actions: secretaries %(secretary)s, technicians "
        "%(technician)s" % NOTES, flush=True)
    print("LOADTEST technician found no open appointment: "
        "%(no_open_appointment)s times; interventions retried with the "
        "same key: %(retries)s; with a photo: %(photos)s" % NOTES,
        flush=True)


def count_action(kind):
    with _lock:
        NOTES[kind] += 1


def next_account(kind):
    accounts = DATA[{'secretary': 'secretaries',
            'technician': 'technicians'}[kind]]
    return accounts[next(_accounts[kind]) % len(accounts)]


# JSON-RPC values as Tryton encodes them
def rpc_date(value):
    return {'__class__': 'date', 'year': value.year, 'month': value.month,
        'day': value.day}


def rpc_datetime(value):
    return {'__class__': 'datetime', 'year': value.year,
        'month': value.month, 'day': value.day, 'hour': value.hour,
        'minute': value.minute, 'second': value.second, 'microsecond': 0}


def utc(day, hour, minute):
    local = datetime.datetime(day.year, day.month, day.day, hour, minute,
        tzinfo=ZONE)
    return local.astimezone(datetime.timezone.utc).replace(tzinfo=None)


class RPCError(Exception):
    pass


class SecretaryUser(HttpUser):
    "The office, in the web client"
    fixed_count = int(os.environ.get('LOADTEST_SECRETARIES', 30))
    wait_time = wait_range('LOADTEST_SECRETARY_WAIT', '5,15')

    def on_start(self):
        self.rpc_id = 0
        self.auth = None
        self.views = {}
        self.found = []
        account = next_account('secretary')
        login = account['login']
        result = self.rpc('common.db.login',
            [login, {'password': account['password']}, 'it'],
            'office: login')
        user_id, token = result[0], result[1]
        self.auth = 'Session ' + base64.b64encode(
            f'{login}:{user_id}:{token}'.encode()).decode('ascii')
        context = self.rpc('model.res.user.get_preferences', [True, {}],
            'office: get_preferences')
        self.rpc_context = {k: v for k, v in context.items()
            if k != 'locale' and not k.endswith('.rec_name')}
        # a think time before the first action too: the users do not all
        # act at once after their login
        self.wait()

    def rpc(self, method, params, name):
        self.rpc_id += 1
        headers = {'Content-Type': 'application/json'}
        if self.auth:
            headers['Authorization'] = self.auth
        body = {'id': self.rpc_id, 'method': method, 'params': params}
        with self.client.post(f'/{DATABASE}/rpc/', data=json.dumps(body),
                headers=headers, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: "
                    f"{response.text[:200]}")
                raise RPCError(name)
            try:
                data = response.json()
            except ValueError:
                response.failure("not JSON: " + response.text[:200])
                raise RPCError(name)
            if data.get('error'):
                response.failure(
                    "RPC error: " + json.dumps(data['error'])[:300])
                raise RPCError(name)
            return data.get('result')

    def call(self, model, method, *args, name, context=None):
        if context is None:
            context = self.rpc_context
        return self.rpc(f'model.{model}.{method}', [*args, context], name)

    def view_fields(self, model, view_type):
        "The fields sao reads for a view (fields_view_get kept per session)"
        key = (model, view_type)
        if key not in self.views:
            view = self.call(model, 'fields_view_get', None, view_type,
                name='office: fields_view_get')
            names = []
            for fname, field in view['fields'].items():
                names.append(fname)
                if field['type'] in {'many2one', 'one2one', 'reference'}:
                    names.append(fname + '.rec_name')
                elif (field['type'] in {'selection', 'multiselection'}
                        and field.get('loading', 'lazy') == 'eager'):
                    names.append(fname + ':string')
            if 'rec_name' not in names:
                names.append('rec_name')
            names += ['_timestamp', '_write', '_delete']
            self.views[key] = names
        return self.views[key]

    def list_search(self, model, domain, name, context=None):
        "A list screen: search the first page, count when full, read it"
        ids = self.call(model, 'search', domain, 0, PAGE, None,
            name=f'office: {name} search', context=context)
        if len(ids) == PAGE:
            self.call(model, 'search_count', domain, 0, PAGE * 100,
                name=f'office: {name} search_count', context=context)
        if ids:
            self.call(model, 'read', ids, self.view_fields(model, 'tree'),
                name=f'office: {name} read', context=context)
        return ids

    @task(6)
    def search_customer(self):
        count_action('secretary')
        kinds, weights = zip(*SEARCH_KINDS)
        kind = random.choices(kinds, weights)[0]
        terms = DATA['terms'][kind] or DATA['terms']['name']
        text = random.choice(terms)
        try:
            ids = self.call('party.party', 'search',
                [('rec_name', 'ilike', f'%{text}%')], 0, PAGE, None,
                name=f'office: customer search ({kind})')
            if len(ids) == PAGE:
                self.call('party.party', 'search_count',
                    [('rec_name', 'ilike', f'%{text}%')], 0, PAGE * 100,
                    name='office: customer search_count')
            if ids:
                self.call('party.party', 'read', ids,
                    self.view_fields('party.party', 'tree'),
                    name='office: customer list read')
                self.found = ids[:20]
        except RPCError:
            pass

    @task(3)
    def open_customer(self):
        "The card of a customer found, or of a customer with a plant"
        count_action('secretary')
        if self.found:
            party = random.choice(self.found)
        else:
            party = random.choice(DATA['sites'])['party']
        try:
            self.call('party.party', 'read', [party],
                self.view_fields('party.party', 'form'),
                name='office: customer card read')
        except RPCError:
            pass

    @task(2)
    def maintenance_due(self):
        count_action('secretary')
        context = dict(self.rpc_context,
            from_date=rpc_date(TODAY.replace(day=1)),
            to_date=rpc_date(TODAY + datetime.timedelta(days=60)),
            kind=None, contract=None, technician=None)
        try:
            self.list_search('termogest.maintenance.due', [],
                'maintenance due', context=context)
        except RPCError:
            pass

    @task(2)
    def book(self):
        "Book an appointment: one free slot per booking, never overlapping"
        count_action('secretary')
        model = 'termogest.appointment'
        technicians = DATA['technicians']
        number = next(_bookings)
        technician = technicians[number % len(technicians)]
        slot = number // len(technicians)
        day = TODAY + datetime.timedelta(days=1 + slot % BOOKING_DAYS
            + BOOKING_DAYS * (slot // (BOOKING_DAYS * BOOKING_SLOTS)))
        minutes = 8 * 60 + 30 * ((slot // BOOKING_DAYS) % BOOKING_SLOTS)
        start = utc(day, minutes // 60, minutes % 60)
        site = random.choice(DATA['sites'])
        marker = f'{TAG}-{os.getpid()}-{number}'
        try:
            fields = self.view_fields(model, 'form')
            self.call(model, 'default_get',
                [f for f in fields if '.' not in f and ':' not in f
                    and not f.startswith('_')],
                name='office: booking default_get')
            ids = self.call(model, 'create', [{
                        'company': DATA['company'],
                        'technician': technician['employee'],
                        'start': rpc_datetime(start),
                        'end': rpc_datetime(
                            start + datetime.timedelta(minutes=30)),
                        'kind': 'maintenance',
                        'party': site['party'],
                        'plant': site['plant'],
                        'address': site['address'],
                        'devices': [['add', site['devices']]],
                        'description': "Manutenzione annuale, il cliente "
                        f"chiede di chiamare prima. Rif. {marker}",
                        }], name='office: booking create')
            ack('booking', marker, ids[0])
            self.call(model, 'read', ids, fields,
                name='office: booking read')
        except RPCError:
            pass


class TechnicianUser(HttpUser):
    "A technician with the app on his phone"
    fixed_count = int(os.environ.get('LOADTEST_TECHNICIANS', 20))
    wait_time = wait_range('LOADTEST_TECHNICIAN_WAIT', '15,45')

    def on_start(self):
        self.key = None
        self.agenda = None
        self.sent = set()
        account = next_account('technician')
        with self.client.post(f'/{DATABASE}/termogest/m/api/login',
                json={'login': account['login'],
                    'password': account['password']},
                name='app: login', catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: "
                    f"{response.text[:200]}")
                return
            self.key = response.json()['key']
        self.refresh()
        self.wait()

    def api(self, method, path, name, expect=(200,), **kwargs):
        headers = {'Accept': 'application/json'}
        if self.key:
            headers['Authorization'] = f'Bearer {self.key}'
        with self.client.request(method, f'/{DATABASE}/termogest/m/api/'
                + path, headers=headers, name=name, catch_response=True,
                **kwargs) as response:
            if response.status_code not in expect:
                response.failure(f"HTTP {response.status_code}: "
                    f"{response.text[:300]}")
                return None
            try:
                return response.json()
            except ValueError:
                response.failure("not JSON: " + response.text[:200])
                return None

    def refresh(self):
        data = self.api('GET', 'agenda?days=7', 'app: agenda')
        if data is not None:
            self.agenda = data

    def open_appointments(self):
        if not self.agenda:
            return []
        return [a for a in self.agenda['appointments']
            if a['date'] == DATA['today'] and not a['overdue']
            and a['intervention'] is None
            and a['state'] in {'planned', 'confirmed'}
            and a['id'] not in self.sent]

    @task(2)
    def today(self):
        "Pull to refresh, or the app back in the foreground"
        count_action('technician')
        self.refresh()

    @task(2)
    def appointment(self):
        "An appointment opened from a link (not in the app's cache)"
        count_action('technician')
        if not self.agenda or not self.agenda['appointments']:
            return
        appointment = random.choice(self.agenda['appointments'])
        self.api('GET', f"appointment/{appointment['id']}",
            'app: appointment')

    @task(2)
    def close_intervention(self):
        "Fill the intervention of the next open appointment and send it"
        count_action('technician')
        if not self.key:
            return
        appointments = self.open_appointments()
        if not appointments:
            NOTES['no_open_appointment'] += 1
            return
        # as the app: the appointment of the agenda it keeps
        appointment = appointments[0]
        devices = [d['id'] for d in appointment['devices'] if d['selected']]
        if not devices:
            devices = [d['id'] for d in appointment['devices']]
        products = (self.agenda or {}).get('products') or []
        lines = [{'product': None, 'description': "Guarnizione",
                'quantity': 1}]
        if products:
            lines.append({'product': random.choice(products)['id'],
                    'description': None, 'quantity': 2})
        key = f'{TAG.lower()}-{uuid.uuid4().hex}'
        payload = {
            'key': key,
            'appointment': appointment['id'],
            'version': appointment['version'],
            'force': False,
            'start_time': appointment['start_time'] or '08:30',
            'end_time': appointment['end_time'] or '09:30',
            'travel_minutes': random.randint(5, 40),
            'description': "Pulizia bruciatore e scambiatore, controllo "
            "tenuta gas, verifica dispositivi di sicurezza.",
            'outcome': 'resolved',
            'outcome_notes': '',
            'devices': devices,
            'lines': lines,
            'measurements': [],
            'photos': [],
            'privacy_accepted': True,
            'signer_name': (appointment['customer'] or {}).get('name')
            or "Mario Rossi",
            'signature': SIGNATURE,
            'seen': appointment,
            }
        if PHOTO and random.random() < PHOTO_SHARE:
            NOTES['photos'] += 1
            payload['photos'] = [{'name': 'foto-1.jpg',
                    'mimetype': 'image/jpeg', 'data': PHOTO}]
        self.sent.add(appointment['id'])
        result = self.api('POST', 'interventions', 'app: intervention save',
            expect=(201,), json=payload)
        if result is None:
            return
        ack('intervention', key, result['intervention']['id'],
            email=result.get('email'))
        if random.random() < RETRY_SHARE:
            NOTES['retries'] += 1
            with self.client.post(
                    f'/{DATABASE}/termogest/m/api/interventions',
                    json=payload, name='app: intervention retry (same key)',
                    headers={'Authorization': f'Bearer {self.key}'},
                    catch_response=True) as response:
                if (response.status_code != 200
                        or not response.json().get('duplicate')
                        or response.json()['intervention']['id']
                        != result['intervention']['id']):
                    response.failure(f"not the stored answer: HTTP "
                        f"{response.status_code} {response.text[:200]}")
        # the app refreshes its agenda after each sync
        self.refresh()
