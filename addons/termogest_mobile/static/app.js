/* TermoGest Tecnici: the technicians' offline-first web app.
 * Plain ES2020, no dependencies.  See ../doc/contract.md for the API and
 * the DOM ids the tests rely on. */
'use strict';

(() => {
  // ---------------------------------------------------------------------
  // Constants
  const AGENDA_DAYS = 7;
  const SYNC_EVERY_MS = 15000;
  const AGENDA_MAX_AGE_MS = 60000;
  const PHOTO_MAX_SIDE = 1600;
  const PHOTO_QUALITY = 0.8;
  const OUTCOMES = [
    ['resolved', 'Risolto'],
    ['follow_up', 'Da ricontrollare'],
    ['quote', 'Serve preventivo'],
    ['not_resolved', 'Non risolto'],
  ];
  const STATUS_LABELS = {
    pending: 'In attesa di invio',
    sending: 'Invio in corso',
    conflict: 'Conflitto',
    error: 'Errore',
  };
  const REE_FIELDS = [
    ['measured_efficiency', 'Rendimento misurato (%)'],
    ['co_corrected', 'CO corretto (ppm)'],
    ['flue_temperature', 'Temperatura fumi (°C)'],
    ['air_temperature', 'Temperatura aria (°C)'],
    ['o2', 'O₂ (%)'],
    ['co2', 'CO₂ (%)'],
  ];
  const BACHARACH = ['bacharach1', 'bacharach2', 'bacharach3'];

  // ---------------------------------------------------------------------
  // Small helpers
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [name, value] of Object.entries(attrs)) {
        if (value === null || value === undefined || value === false) continue;
        if (name === 'class') el.className = value;
        else if (name.startsWith('on') && typeof value === 'function') {
          el.addEventListener(name.slice(2), value);
        } else if (name === 'value' || name === 'checked' || name === 'selected') {
          el[name] = value;
        } else if (value === true) el.setAttribute(name, '');
        else el.setAttribute(name, String(value));
      }
    }
    appendAll(el, children);
    return el;
  }
  function appendAll(el, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
  }

  const pad2 = (n) => String(n).padStart(2, '0');
  function isoDate(d) {
    return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  }
  function parseIsoDate(s) {
    const [y, m, d] = s.split('-').map(Number);
    return new Date(y, m - 1, d);
  }
  function addDays(iso, n) {
    const d = parseIsoDate(iso);
    d.setDate(d.getDate() + n);
    return isoDate(d);
  }
  function capitalize(s) {
    return s ? s.charAt(0).toUpperCase() + s.slice(1) : s;
  }
  function fmtDate(iso) {
    if (!iso) return '';
    const [y, m, d] = iso.split('-');
    return `${d}/${m}/${y}`;
  }
  function fmtDateLong(iso) {
    return capitalize(parseIsoDate(iso).toLocaleDateString('it-IT',
      {weekday: 'long', day: 'numeric', month: 'long'}));
  }
  function fmtDateTime(ms) {
    const d = new Date(ms);
    const today = isoDate(new Date());
    const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    if (isoDate(d) === today) return `oggi alle ${time}`;
    return `${pad2(d.getDate())}/${pad2(d.getMonth() + 1)} alle ${time}`;
  }
  function fmtStamp(ms) {
    const d = new Date(ms);
    return `${pad2(d.getDate())}/${pad2(d.getMonth() + 1)} alle ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  }
  function fmtNum(value, digits) {
    if (value === null || value === undefined || value === '') return '';
    const opts = {useGrouping: false};
    if (digits !== undefined) {
      opts.minimumFractionDigits = digits;
      opts.maximumFractionDigits = digits;
    } else {
      opts.maximumFractionDigits = 6;
    }
    return Number(value).toLocaleString('it-IT', opts);
  }
  function nowRounded(step = 5) {
    const d = new Date();
    let mins = d.getHours() * 60 + d.getMinutes();
    mins = Math.round(mins / step) * step;
    if (mins >= 24 * 60) mins = 24 * 60 - step;
    return `${pad2(Math.floor(mins / 60))}:${pad2(mins % 60)}`;
  }
  function timeRange(a) {
    if (!a.start_time) return '';
    return a.end_time ? `${a.start_time}–${a.end_time}` : a.start_time;
  }
  function placeText(a) {
    // the address, and the city unless the address already names it
    const address = a.address || '';
    if (a.city && !address.toLowerCase().includes(String(a.city).toLowerCase())) {
      return [address, a.city].filter(Boolean).join(', ');
    }
    return address;
  }

  function telHref(number) {
    return 'tel:' + String(number).replace(/[^\d+]/g, '');
  }

  // Decimal input: "96,1" or "96.1"; exact arithmetic in millionths
  function parseDecimal(text) {
    const s = String(text === null || text === undefined ? '' : text)
      .trim().replace(/\s/g, '').replace(',', '.');
    if (s === '') return {empty: true, ok: true, value: null};
    if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(s)) return {empty: false, ok: false, value: null};
    return {empty: false, ok: true, value: Number(s), text: s};
  }
  function scaled(value) {
    // an integer number of millionths, from the decimal text (no float error)
    const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(String(value));
    if (!m) return Math.round(Number(value) * 1e6);
    const frac = ((m[3] || '') + '000000').slice(0, 6);
    const n = Number(m[2] || '0') * 1e6 + Number(frac);
    return m[1] === '-' ? -n : n;
  }
  function numText(value) {
    // a JSON number or a typed text as a plain decimal string
    if (typeof value === 'number') {
      return value.toLocaleString('en-US', {useGrouping: false, maximumFractionDigits: 6});
    }
    return String(value).replace(',', '.');
  }
  function reportedEfficiency(measured, tolerance) {
    // measured + tolerance, rounded half up to 2 decimals (as the server)
    const total = scaled(numText(measured)) + scaled(numText(tolerance || 0));
    const sign = total < 0 ? -1 : 1;
    const cents = Math.floor((Math.abs(total) + 5000) / 10000);
    return {cents: sign * cents, value: sign * cents / 100};
  }

  function newKey() {
    if (window.crypto && typeof crypto.randomUUID === 'function') {
      return crypto.randomUUID();
    }
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  const clone = (x) => (x === undefined ? undefined : JSON.parse(JSON.stringify(x)));

  // ---------------------------------------------------------------------
  // IndexedDB (with an in-memory fallback so the app still runs)
  const idb = (() => {
    let dbPromise = null;
    const memory = {kv: new Map(), queue: new Map(), drafts: new Map()};
    let useMemory = false;
    const keyPaths = {queue: 'key', drafts: 'appointment'};
    function open() {
      if (!dbPromise) {
        dbPromise = new Promise((resolve, reject) => {
          if (!('indexedDB' in window)) { reject(new Error('IndexedDB non disponibile')); return; }
          const req = indexedDB.open('termogest-mobile', 1);
          req.onupgradeneeded = () => {
            const db = req.result;
            if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
            if (!db.objectStoreNames.contains('queue')) db.createObjectStore('queue', {keyPath: 'key'});
            if (!db.objectStoreNames.contains('drafts')) db.createObjectStore('drafts', {keyPath: 'appointment'});
          };
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
          req.onblocked = () => reject(new Error('IndexedDB bloccato'));
        }).catch((err) => {
          console.warn('IndexedDB non disponibile, dati solo in memoria', err);
          useMemory = true;
          return null;
        });
      }
      return dbPromise;
    }
    async function run(store, mode, fn) {
      const db = await open();
      if (useMemory || !db) return fn(null, memory[store], store);
      return new Promise((resolve, reject) => {
        const tx = db.transaction(store, mode);
        let result;
        const req = fn(tx.objectStore(store));
        if (req) req.onsuccess = () => { result = req.result; };
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new Error('Transazione annullata'));
      });
    }
    return {
      get: (store, key) => run(store, 'readonly', (s, m) => (s ? s.get(key) : clone(m.get(key)))),
      put: (store, value, key) => run(store, 'readwrite', (s, m, name) => {
        if (s) return key === undefined ? s.put(value) : s.put(value, key);
        m.set(key === undefined ? value[keyPaths[name]] : key, clone(value));
        return undefined;
      }),
      del: (store, key) => run(store, 'readwrite', (s, m) => (s ? s.delete(key) : void m.delete(key))),
      all: (store) => run(store, 'readonly', (s, m) => (s ? s.getAll() : Array.from(m.values()).map(clone))),
    };
  })();

  // ---------------------------------------------------------------------
  // State
  const S = {
    session: null,        // {key, expires_at, user}
    agenda: null,         // the last api/agenda answer
    agendaAt: 0,          // when it was fetched (ms)
    agendaStale: false,   // the last refresh failed
    agendaLoading: null,
    extra: {},            // appointments fetched one by one {id: Appointment}
    queue: [],            // queued entries (mirror of IndexedDB)
    results: {},          // key -> server answer of entries sent this session
    netFailed: false,
    syncing: null,
    form: null,           // the open intervention form
    returnTo: null,
    loginMessage: '',
  };
  const view = () => $('#view');

  // ---------------------------------------------------------------------
  // Network
  class ApiError extends Error {
    constructor(status, data) {
      super((data && data.error) || `Errore ${status}`);
      this.status = status;
      this.data = data || {};
      this.code = this.data.code || '';
    }
  }
  class NetworkError extends Error {}

  async function api(path, {method = 'GET', body, auth = true} = {}) {
    const headers = {'Accept': 'application/json'};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth && S.session && S.session.key) headers['Authorization'] = `Bearer ${S.session.key}`;
    let response;
    try {
      response = await fetch(`api/${path}`, {
        method, headers, cache: 'no-store', credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      setNetFailed(true);
      throw new NetworkError('Connessione non disponibile');
    }
    setNetFailed(false);
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (!response.ok) {
      const error = new ApiError(response.status, data);
      if (response.status === 401 && auth && error.code !== 'login') {
        await sessionExpired(error.message);
      }
      throw error;
    }
    return {status: response.status, data: data || {}};
  }

  function isOffline() {
    return !navigator.onLine || S.netFailed;
  }
  function setNetFailed(value) {
    if (S.netFailed === value) return;
    S.netFailed = value;
    updateOnlineUi();
  }
  function updateOnlineUi() {
    $('#offline-banner').hidden = !isOffline();
    document.body.classList.toggle('is-offline', isOffline());
  }

  // ---------------------------------------------------------------------
  // Session
  async function loadSession() {
    S.session = (await idb.get('kv', 'session')) || null;
  }
  function loggedIn() {
    return Boolean(S.session && S.session.key);
  }
  function sessionExpiredLocally() {
    if (!loggedIn() || !S.session.expires_at) return false;
    const t = Date.parse(S.session.expires_at);
    return Number.isFinite(t) && t <= Date.now();
  }
  async function sessionExpired(message) {
    if (!S.session) return;
    S.session = {...S.session, key: null};
    await idb.put('kv', S.session, 'session');
    S.loginMessage = message || 'Sessione scaduta: accedi di nuovo.';
    if (!location.hash.startsWith('#/login')) {
      S.returnTo = location.hash || '#/';
    }
    updateHeader();
    route();
  }
  async function doLogin(login, password) {
    const {data} = await api('login', {method: 'POST', body: {login, password}, auth: false});
    const previous = S.session && S.session.user;
    S.session = {key: data.key, expires_at: data.expires_at, user: data.user};
    await idb.put('kv', S.session, 'session');
    if (previous && data.user && previous.id !== data.user.id) {
      // another technician on this phone: forget the other one's agenda
      S.agenda = null;
      S.extra = {};
      await idb.del('kv', 'agenda');
      await idb.del('kv', 'extra');
    }
    S.loginMessage = '';
  }
  async function doLogout() {
    const mine = myQueue().length;
    const message = mine
      ? `Ci sono ${mine} interventi non ancora inviati: restano sul telefono e verranno inviati al prossimo accesso. Uscire?`
      : 'Vuoi uscire da TermoGest?';
    if (!confirm(message)) return;
    if (S.session && S.session.key && !isOffline()) {
      try { await api('logout', {method: 'POST', body: {}}); } catch (err) { /* the key expires anyway */ }
    }
    S.session = S.session ? {...S.session, key: null, expires_at: null} : null;
    await idb.put('kv', S.session, 'session');
    S.agenda = null;
    S.extra = {};
    await idb.del('kv', 'agenda');
    await idb.del('kv', 'extra');
    S.loginMessage = '';
    S.returnTo = null;
    updateHeader();
    location.hash = '#/';
    route();
  }

  // ---------------------------------------------------------------------
  // Agenda cache
  async function loadCache() {
    const cached = await idb.get('kv', 'agenda');
    if (cached) {
      S.agenda = cached.data;
      S.agendaAt = cached.at;
    }
    S.extra = (await idb.get('kv', 'extra')) || {};
  }
  async function saveAgenda() {
    await idb.put('kv', {data: S.agenda, at: S.agendaAt}, 'agenda');
  }
  function refreshAgenda({quiet = false} = {}) {
    if (!loggedIn()) return Promise.resolve(false);
    if (S.agendaLoading) return S.agendaLoading;
    if (quiet && navigator.onLine === false) {
      // automatic refresh while offline: the 'online' event will do it
      S.agendaStale = true;
      return Promise.resolve(false);
    }
    setRefreshing(true);
    S.agendaLoading = (async () => {
      await null;
      try {
        const {data} = await api(`agenda?days=${AGENDA_DAYS}`);
        S.agenda = data;
        S.agendaAt = Date.now();
        S.agendaStale = false;
        applyLocalClosures();
        await saveAgenda();
        return true;
      } catch (err) {
        S.agendaStale = true;
        if (!quiet && !(err instanceof NetworkError) && err.status !== 401) {
          toast(err.message);
        }
        return false;
      } finally {
        S.agendaLoading = null;
        setRefreshing(false);
        rerenderPassive();
      }
    })();
    return S.agendaLoading;
  }
  function setRefreshing(on) {
    const btn = $('#sync-now');
    btn.classList.toggle('spinning', on || Boolean(S.syncing));
    const r = $('#agenda-refresh');
    if (r) r.disabled = on;
  }
  function today() {
    // the server's today, or the phone's when the cache is from another day
    const local = isoDate(new Date());
    const server = S.agenda && S.agenda.today;
    return server && server > local ? server : local;
  }
  function config() {
    return (S.agenda && S.agenda.config) || {
      co_limit: null, efficiency_tolerance: 0, privacy_notice: '', privacy_required: true, can_ree: true,
    };
  }
  function products() {
    return (S.agenda && S.agenda.products) || [];
  }
  function findAppointment(id) {
    id = Number(id);
    const list = (S.agenda && S.agenda.appointments) || [];
    return list.find((a) => a.id === id) || S.extra[id] || null;
  }
  async function storeAppointment(appt) {
    const list = (S.agenda && S.agenda.appointments) || [];
    const i = list.findIndex((a) => a.id === appt.id);
    if (i >= 0) {
      list[i] = appt;
      await saveAgenda();
    } else {
      S.extra[appt.id] = appt;
      await idb.put('kv', S.extra, 'extra');
    }
  }
  function isClosed(a) {
    if (a.state === 'done') return true;
    return Boolean(a.intervention && a.intervention.state && !['draft', 'cancelled'].includes(a.intervention.state));
  }
  function applyLocalClosures() {
    // keep "closed" the appointments sent this session whose agenda answer is older
    for (const res of Object.values(S.results)) {
      const a = findAppointment(res.appointment);
      if (a && !a.intervention && res.intervention) a.intervention = res.intervention;
    }
  }

  // ---------------------------------------------------------------------
  // Queue and synchronisation
  async function loadQueue() {
    S.queue = (await idb.all('queue')).sort((a, b) => a.created_at.localeCompare(b.created_at));
  }
  function myQueue() {
    const uid = S.session && S.session.user && S.session.user.id;
    return S.queue.filter((e) => !e.user || !uid || e.user === uid);
  }
  function queuedFor(appointmentId) {
    return myQueue().find((e) => e.appointment === Number(appointmentId)) || null;
  }
  async function putEntry(entry) {
    entry.updated_at = new Date().toISOString();
    await idb.put('queue', entry);
    const i = S.queue.findIndex((e) => e.key === entry.key);
    if (i >= 0) S.queue[i] = entry; else S.queue.push(entry);
    updateCounter();
  }
  async function removeEntry(key) {
    await idb.del('queue', key);
    S.queue = S.queue.filter((e) => e.key !== key);
    updateCounter();
  }
  function updateCounter() {
    const entries = myQueue();
    const n = entries.length;
    const el = $('#sync-counter');
    el.dataset.count = String(n);
    el.textContent = n ? `${n} in attesa di sincronizzazione` : 'Tutto sincronizzato';
    const box = el.closest('.sync-status');
    box.classList.toggle('pending', n > 0);
    box.classList.toggle('needs-review', entries.some((e) => e.status === 'conflict' || e.status === 'error'));
    box.setAttribute('aria-label', `${el.textContent}: apri la coda`);
  }

  function syncQueue() {
    if (S.syncing) {
      // an entry may have become pending meanwhile: one more pass afterwards
      S.syncAgain = true;
      return S.syncing;
    }
    S.syncAgain = false;
    S.syncing = (async () => {
      await null; // S.syncing is assigned before the finally below clears it
      setRefreshing(true);
      let sent = 0;
      try {
        if (!loggedIn()) return 0;
        for (const entry of myQueue().filter((e) => e.status === 'pending')) {
          const outcome = await sendEntry(entry);
          if (outcome === 'sent') sent += 1;
          if (outcome === 'stop') break;
        }
      } finally {
        S.syncing = null;
        setRefreshing(false);
      }
      if (sent) {
        await refreshAgenda({quiet: true});
      }
      rerenderPassive();
      if (S.syncAgain && loggedIn() && myQueue().some((e) => e.status === 'pending')) {
        S.syncAgain = false;
        return sent + await syncQueue();
      }
      return sent;
    })();
    return S.syncing;
  }

  async function sendEntry(entry) {
    if (!loggedIn()) return 'stop';
    entry.attempts = (entry.attempts || 0) + 1;
    entry.last_attempt = new Date().toISOString();
    let res;
    try {
      res = await api('interventions', {method: 'POST', body: entry.payload});
    } catch (err) {
      if (err instanceof NetworkError) {
        entry.message = 'Nessuna connessione: verrà inviato appena possibile.';
        await putEntry(entry);
        return 'stop';
      }
      const status = err.status;
      if (status === 401) {
        entry.message = 'Sessione scaduta: accedi di nuovo per inviarlo.';
        await putEntry(entry);
        return 'stop';
      }
      if (status === 409 && err.code === 'conflict') {
        entry.status = 'conflict';
        entry.message = err.message || "L'ufficio ha modificato l'appuntamento.";
        entry.changes = (err.data.changes && err.data.changes.length)
          ? err.data.changes : diffAppointments(entry.payload.seen, err.data.appointment);
        if (err.data.appointment) {
          entry.server_appointment = err.data.appointment;
          await storeAppointment(err.data.appointment);
        }
        await putEntry(entry);
        return 'next';
      }
      if (status >= 500 || !status) {
        entry.message = `Il server non risponde (errore ${status || '?'}): nuovo tentativo tra poco.`;
        await putEntry(entry);
        return 'stop';
      }
      // 400, 403, 404, 409 closed/key and any other refusal
      entry.status = 'error';
      entry.code = err.code;
      entry.message = err.message;
      await putEntry(entry);
      return 'next';
    }
    const data = res.data;
    S.results[entry.key] = {...data, appointment: entry.appointment};
    const appt = findAppointment(entry.appointment);
    if (appt && data.intervention) {
      appt.intervention = data.intervention;
      await storeAppointment(appt);
    }
    await removeEntry(entry.key);
    return 'sent';
  }

  function diffAppointments(seen, now) {
    // what the office changed, when the server did not list it
    if (!seen || !now) return [];
    const selected = (a) => (a.devices || []).filter((d) => d.selected).map((d) => d.name).join(', ');
    const fields = [
      ['Data', (a) => fmtDate(a.date)],
      ['Orario', (a) => timeRange(a)],
      ['Tipo', (a) => a.kind_label],
      ['Stato', (a) => a.state_label],
      ['Cliente', (a) => a.customer && a.customer.name],
      ['Indirizzo', (a) => placeText(a)],
      ['Impianto', (a) => a.plant && a.plant.name],
      ['Apparecchi', selected],
      ['Note dell\'ufficio', (a) => a.description],
    ];
    const changes = [];
    for (const [field, get] of fields) {
      const old = get(seen) || '';
      const value = get(now) || '';
      if (old !== value) changes.push({field, old, new: value});
    }
    return changes;
  }

  let syncTimer = null;
  function startSyncTimer() {
    if (syncTimer) return;
    syncTimer = setInterval(() => {
      if (loggedIn() && navigator.onLine && myQueue().some((e) => e.status === 'pending')) {
        syncQueue();
      }
    }, SYNC_EVERY_MS);
  }

  // ---------------------------------------------------------------------
  // Header, toast
  function updateHeader() {
    $('#logout').hidden = !loggedIn();
    const user = S.session && S.session.user;
    $('#sync-user').textContent = loggedIn() && user ? ((user.employee && user.employee.name) || user.name || '') : '';
    updateCounter();
    updateOnlineUi();
  }
  let toastTimer = null;
  function toast(message, action) {
    const el = $('#toast');
    el.replaceChildren(h('span', null, message));
    if (action) el.append(h('button', {type: 'button', onclick: () => { el.hidden = true; action.run(); }}, action.label));
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { el.hidden = true; }, action ? 12000 : 5000);
  }

  // ---------------------------------------------------------------------
  // Routing
  function parseRoute() {
    const hash = location.hash || '#/';
    let m;
    if (hash === '#/' || hash === '#' || hash === '') return {name: 'agenda'};
    if ((m = /^#\/a\/(\d+)\/intervento\/?$/.exec(hash))) return {name: 'form', id: Number(m[1])};
    if ((m = /^#\/a\/(\d+)\/?$/.exec(hash))) return {name: 'appointment', id: Number(m[1])};
    if (/^#\/coda\/?$/.test(hash)) return {name: 'queue'};
    if (/^#\/a\//.test(hash)) return {name: 'notfound'};
    return {name: 'agenda'};
  }
  let currentRoute = null;
  async function route() {
    const r = parseRoute();
    if (S.form && !(r.name === 'form' && S.form.id === r.id)) closeForm();
    if (!loggedIn()) {
      currentRoute = {name: 'login'};
      renderLogin();
      return;
    }
    currentRoute = r;
    if (r.name === 'agenda') renderAgenda();
    else if (r.name === 'appointment') await renderAppointment(r.id);
    else if (r.name === 'form') await renderForm(r.id);
    else if (r.name === 'queue') renderQueue();
    else renderNotFound();
  }
  function rerenderPassive() {
    // redraw read-only views after new data (never the form being typed)
    if (!currentRoute || !loggedIn()) return;
    const y = window.scrollY;
    if (currentRoute.name === 'agenda') renderAgenda();
    else if (currentRoute.name === 'queue') renderQueue();
    else if (currentRoute.name === 'appointment') {
      const a = findAppointment(currentRoute.id);
      if (a) renderAppointmentPage(a);
    } else return;
    window.scrollTo(0, y);
  }
  function setView(...nodes) {
    const v = view();
    v.replaceChildren(...nodes.flat().filter(Boolean));
  }
  function focusView(title) {
    document.title = title ? `${title} · TermoGest` : 'TermoGest Tecnici';
    window.scrollTo(0, 0);
  }

  // ---------------------------------------------------------------------
  // Login
  function renderLogin() {
    const lastLogin = (S.session && S.session.user && S.session.user.login) || '';
    const error = h('div', {id: 'login-error', class: 'error-box', role: 'alert', hidden: !S.loginMessage}, S.loginMessage);
    const user = h('input', {id: 'login-user', name: 'login', type: 'text', autocomplete: 'username',
      autocapitalize: 'none', autocorrect: 'off', spellcheck: 'false', required: true, value: lastLogin});
    const password = h('input', {id: 'login-password', name: 'password', type: 'password',
      autocomplete: 'current-password', required: true});
    const submit = h('button', {id: 'login-submit', type: 'submit', class: 'btn block big'}, 'Accedi');
    const pending = myQueue().length;
    const form = h('form', {class: 'login-card', novalidate: true, onsubmit: async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      const login = user.value.trim();
      if (!login || !password.value) {
        error.textContent = !login ? 'Inserisci il nome utente.' : 'Inserisci la password.';
        error.hidden = false;
        (!login ? user : password).focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = 'Accesso in corso…';
      try {
        await doLogin(login, password.value);
      } catch (err) {
        submit.disabled = false;
        submit.textContent = 'Accedi';
        error.textContent = err instanceof NetworkError
          ? 'Nessuna connessione: per accedere serve la rete. Riprova appena sei online.'
          : err.message;
        error.hidden = false;
        password.select();
        return;
      }
      updateHeader();
      const target = S.returnTo || '#/';
      S.returnTo = null;
      if (location.hash === target) await route(); else location.hash = target;
      startAfterLogin();
    }},
      h('div', {class: 'login-logo'}, h('img', {src: 'icon.svg', alt: '', width: 72, height: 72})),
      h('h1', null, 'TermoGest Tecnici'),
      h('p', {class: 'lead'}, 'Accedi con le credenziali del gestionale'),
      error,
      h('div', {class: 'field'}, h('label', {for: 'login-user'}, 'Nome utente'), user),
      h('div', {class: 'field'}, h('label', {for: 'login-password'}, 'Password'), password),
      submit,
      pending ? h('p', {class: 'warn-box'}, `${pending === 1 ? 'Un intervento è' : pending + ' interventi sono'} sul telefono in attesa di invio: verranno inviati dopo l'accesso.`) : null,
      h('p', {class: 'note'}, 'Le bozze e gli interventi non inviati restano salvati sul telefono.'));
    setView(h('section', {class: 'login', 'aria-labelledby': 'login-title'}, form));
    form.querySelector('h1').id = 'login-title';
    focusView('Accesso');
    (lastLogin ? password : user).focus();
  }

  // ---------------------------------------------------------------------
  // Agenda
  function renderAgenda() {
    focusView('Agenda');
    const toolbar = h('div', {class: 'toolbar'},
      h('h1', null, 'Agenda'),
      h('button', {type: 'button', id: 'agenda-refresh', class: 'btn secondary small',
        disabled: Boolean(S.agendaLoading), onclick: () => { refreshAgenda(); syncQueue(); }},
      refreshIcon(), 'Aggiorna'));
    if (!S.agenda) {
      setView(h('section', {id: 'agenda', 'aria-busy': S.agendaLoading ? 'true' : 'false'}, toolbar,
        h('div', {class: 'empty'}, S.agendaLoading
          ? [h('strong', null, 'Caricamento dell\'agenda…')]
          : [h('strong', null, 'Agenda non disponibile'),
            'Non ci sono dati salvati sul telefono: collegati alla rete e premi Aggiorna.'])));
      return;
    }
    const fresh = S.agendaStale || isOffline()
      ? h('p', {class: 'freshness stale', role: 'status'}, `Dati del ${fmtStamp(S.agendaAt)}: non aggiornati, sei offline o il server non risponde`)
      : h('p', {class: 'freshness'}, `Aggiornato ${fmtDateTime(S.agendaAt)}`);
    const t = today();
    const groups = new Map();
    const overdue = [];
    for (const a of S.agenda.appointments || []) {
      const pastOpen = a.date < t && !isClosed(a);
      if (a.overdue || pastOpen) { overdue.push(a); continue; }
      if (a.date < t) continue; // done, from an older cache
      if (!groups.has(a.date)) groups.set(a.date, []);
      groups.get(a.date).push(a);
    }
    const sections = [];
    if (overdue.length) {
      sections.push(renderGroup('Da completare', overdue, 'overdue', true));
    }
    if (!groups.has(t)) groups.set(t, []);
    for (const date of Array.from(groups.keys()).sort()) {
      let title;
      if (date === t) title = 'Oggi';
      else if (date === addDays(t, 1)) title = 'Domani';
      else title = fmtDateLong(date);
      sections.push(renderGroup(title, groups.get(date), date === t ? 'today' : '', false, date));
    }
    setView(h('section', {id: 'agenda', 'aria-labelledby': 'agenda-title'}, toolbar, fresh, sections));
    toolbar.querySelector('h1').id = 'agenda-title';
  }
  function renderGroup(title, list, cls, showDate, date) {
    const sub = date && (title === 'Oggi' || title === 'Domani') ? fmtDateLong(date) : '';
    return h('section', {class: `group ${cls}`, 'aria-label': sub ? `${title}, ${sub}` : title},
      h('h2', {class: 'group-title'}, h('span', {class: 'g-name'}, title, sub ? h('span', {class: 'g-date'}, sub.toLowerCase()) : null),
        h('span', {class: 'count'}, list.length === 1 ? '1 appuntamento' : `${list.length} appuntamenti`)),
      list.length
        ? list.map((a) => renderCard(a, showDate))
        : h('div', {class: 'empty'}, date === today() ? 'Nessun appuntamento per oggi.' : 'Nessun appuntamento.'));
  }
  function renderCard(a, showDate) {
    const c = a.customer || {};
    const queued = queuedFor(a.id);
    const closed = isClosed(a);
    const badges = h('span', {class: 'badges'},
      closed ? h('span', {class: 'badge badge-done'}, 'Chiuso') : null,
      queued ? h('span', {class: `badge badge-queued ${queued.status}`},
        queued.status === 'pending' ? 'In coda' : `In coda · ${STATUS_LABELS[queued.status]}`) : null);
    const actions = [];
    const telLink = (number, label, icon) => h('a', {class: 'tel', href: telHref(number), 'aria-label': `Chiama ${c.name || ''}: ${label.toLowerCase()} ${number}`},
      icon, h('span', {class: 'a-sub'}, number), h('span', {class: 'a-label'}, label === 'Cellulare' ? 'cell.' : ''));
    if (c.phone) actions.push(telLink(c.phone, 'Telefono', phoneIcon()));
    if (c.mobile && c.mobile !== c.phone) actions.push(telLink(c.mobile, 'Cellulare', mobileIcon()));
    if (a.maps_url) actions.push(h('a', {class: 'navigate', href: a.maps_url, target: '_blank', rel: 'noopener', 'aria-label': `Naviga verso ${placeText(a)}`}, navIcon(), 'Naviga'));
    return h('article', {class: `appointment-card kind-${a.kind || 'other'}${closed ? ' closed' : ''}`, 'data-id': a.id,
      onclick: (ev) => {
        // the whole card opens the appointment, except its own links
        if (!ev.target.closest('a')) location.hash = `#/a/${a.id}`;
      }},
      h('a', {class: 'card-main', href: `#/a/${a.id}`},
        h('div', {class: 'card-top'},
          h('span', {class: 'time'}, timeRange(a) || 'Senza orario'),
          a.kind_label ? h('span', {class: 'kind'}, a.kind_label) : null,
          badges),
        showDate ? h('div', {class: 'date-line'}, fmtDateLong(a.date)) : null,
        h('div', {class: 'customer'}, c.name || 'Cliente non indicato'),
        h('div', {class: 'where'},
          a.city ? h('span', {class: 'city'}, a.city) : null,
          a.city && a.address ? ' · ' : null,
          a.address ? h('span', {class: 'address'}, a.address) : null),
        c.attention ? h('div', {class: 'attention'}, h('span', null, 'Attenzione', c.attention_reason ? `: ${c.attention_reason}` : '')) : null),
      actions.length ? h('div', {class: 'card-actions'}, actions) : null);
  }

  // ---------------------------------------------------------------------
  // Appointment page
  async function loadAppointment(id) {
    let a = findAppointment(id);
    if (a) return {appointment: a};
    if (!S.agenda && S.agendaLoading) {
      await S.agendaLoading;
      a = findAppointment(id);
      if (a) return {appointment: a};
    }
    try {
      const {data} = await api(`appointment/${id}`);
      await storeAppointment(data.appointment);
      return {appointment: data.appointment};
    } catch (err) {
      if (err instanceof NetworkError) return {offline: true};
      if (err.status === 404 || err.status === 403) return {notFound: true, message: err.message};
      if (err.status === 401) return {auth: true};
      return {error: err.message};
    }
  }
  async function renderAppointment(id) {
    setView(h('p', {class: 'loading'}, 'Caricamento…'));
    const res = await loadAppointment(id);
    if (!currentRoute || currentRoute.id !== id || !loggedIn()) return;
    if (res.appointment) renderAppointmentPage(res.appointment);
    else if (res.notFound) renderNotFound(res.message);
    else if (res.offline) {
      setView(backLink(), h('div', {class: 'empty'}, h('strong', null, 'Appuntamento non disponibile offline'),
        'Non è nell\'agenda salvata sul telefono: riprova quando sei online.'));
    } else if (res.error) {
      setView(backLink(), h('div', {class: 'error-box', role: 'alert'}, res.error));
    }
  }
  function renderNotFound(message) {
    focusView('Non trovato');
    setView(backLink(), h('div', {id: 'not-found', role: 'alert'},
      h('strong', null, message || 'Appuntamento non trovato o non assegnato a te.'),
      h('a', {class: 'btn', href: '#/'}, 'Torna all\'agenda')));
  }
  function backLink(href = '#/', label = 'Agenda') {
    return h('a', {class: 'back', href}, h('span', {'aria-hidden': 'true'}, '‹'), label);
  }
  function renderAppointmentPage(a) {
    const c = a.customer || {};
    const t = today();
    focusView(c.name || 'Appuntamento');
    const queued = queuedFor(a.id);
    const closed = isClosed(a);
    const contact = [];
    if (c.phone) contact.push(h('a', {class: 'btn secondary tel', href: telHref(c.phone)}, phoneIcon(), c.phone));
    if (c.mobile && c.mobile !== c.phone) contact.push(h('a', {class: 'btn secondary tel', href: telHref(c.mobile)}, mobileIcon(), c.mobile));
    if (a.maps_url) contact.push(h('a', {class: 'btn navigate', href: a.maps_url, target: '_blank', rel: 'noopener'}, navIcon(), 'Naviga'));

    const status = [];
    if (a.intervention) {
      const i = a.intervention;
      status.push(h('div', {class: `status-box ${closed ? 'done' : 'pending'}`, id: 'intervention-status'},
        `Intervento ${i.number || ''}: ${i.state_label || i.state || ''}`,
        i.signed ? ' · firmato' : '',
        i.emailed_to ? h('div', {class: 'hint'}, `Rapportino inviato a ${i.emailed_to}`) : null));
    }
    if (queued) {
      status.push(h('div', {class: `status-box ${queued.status}`, id: 'queue-status', role: 'status'},
        queued.status === 'pending' ? 'Intervento compilato: in attesa di sincronizzazione.'
          : queued.status === 'conflict' ? `Intervento non inviato, conflitto: ${queued.message}`
            : `Intervento non inviato: ${queued.message}`,
        h('div', null, h('a', {href: '#/coda'}, 'Apri la coda di invio'))));
    }
    const devices = (a.devices || []);
    const cta = [];
    if (!closed && !queued && a.state !== 'cancelled') {
      cta.push(h('div', {class: 'sticky-cta'},
        h('a', {id: 'start-intervention', class: 'btn block big', href: `#/a/${a.id}/intervento`}, 'Compila intervento'),
        h('p', {class: 'saved-note', id: 'draft-note', hidden: true}, 'Bozza salvata sul telefono')));
      idb.get('drafts', a.id).then((d) => {
        const note = $('#draft-note');
        if (d && note) note.hidden = false;
      }).catch(() => {});
    }
    setView(h('article', {id: 'appointment', 'data-id': a.id},
      backLink(),
      h('section', {class: 'panel appt-head'},
        h('div', {class: 'card-top'},
          a.kind_label ? h('span', {class: 'kind'}, a.kind_label) : null,
          h('span', {class: 'badges'},
            closed ? h('span', {class: 'badge badge-done'}, 'Chiuso') : null,
            queued ? h('span', {class: `badge badge-queued ${queued.status}`}, 'In coda') : null)),
        h('h1', null, c.name || 'Cliente non indicato'),
        h('div', {class: 'when'}, `${a.date === t ? 'Oggi' : fmtDateLong(a.date)}${a.start_time ? ', ' + timeRange(a) : ''}`),
        h('div', {class: 'date-line'}, a.state_label || ''),
        c.attention ? h('div', {class: 'attention'}, h('span', null, 'Attenzione', c.attention_reason ? `: ${c.attention_reason}` : '')) : null,
        h('p', {class: 'where'}, placeText(a) || 'Indirizzo non indicato'),
        contact.length ? h('div', {class: 'contact-actions'}, contact) : null,
        c.email ? h('div', {class: 'date-line'}, `E-mail: ${c.email}`) : h('div', {class: 'date-line'}, 'Nessuna e-mail: il rapportino non potrà essere inviato al cliente.')),
      status,
      a.description ? h('section', {class: 'panel'}, h('h2', null, 'Note dell\'ufficio'), h('div', {class: 'pre'}, a.description)) : null,
      a.plant ? h('section', {class: 'panel'}, h('h2', null, 'Impianto'),
        h('dl', {class: 'facts'},
          fact('Impianto', a.plant.name),
          fact('Codice', a.plant.code),
          fact('Catasto', a.plant.catasto_code),
          fact('Indirizzo', a.plant.address)),
        a.plant.notes ? h('div', {class: 'pre', style: 'margin-top:8px'}, a.plant.notes) : null) : null,
      devices.length ? h('section', {class: 'panel'}, h('h2', null, `Apparecchi (${devices.length})`),
        devices.map((d) => renderDevice(d, t))) : null,
      cta));
  }
  function fact(label, value) {
    if (value === null || value === undefined || value === '') return null;
    return [h('dt', null, label), h('dd', null, value)];
  }
  function renderDevice(d, t) {
    const dues = [
      ['Prossima manutenzione', d.next_maintenance_date],
      ['Prossimo controllo efficienza', d.next_efficiency_check_date],
      ['Da sostituire entro', d.replacement_due_date],
    ].filter(([, v]) => v);
    const info = [d.brand, d.model].filter(Boolean).join(' ');
    const hist = d.history || [];
    return h('div', {class: 'device', 'data-device': d.id},
      h('h3', null, d.name || d.kind_label || 'Apparecchio', d.selected ? h('span', {class: 'badge badge-draft', style: 'margin-left:8px'}, 'da controllare') : null),
      h('div', {class: 'sub'}, [d.kind_label, info, d.serial_number ? `matricola ${d.serial_number}` : null].filter(Boolean).join(' · ')),
      h('dl', {class: 'facts'},
        fact('Combustibile', d.fuel),
        fact('Potenza', d.nominal_power ? `${fmtNum(d.nominal_power)} kW` : null),
        fact('Installato il', fmtDate(d.installation_date)),
        fact('Ultima manutenzione', fmtDate(d.last_maintenance_date)),
        fact('Ultimo controllo', fmtDate(d.last_efficiency_check_date)),
        d.ree && d.ree.minimum_efficiency !== null && d.ree.minimum_efficiency !== undefined
          ? fact('Rendimento minimo', `${fmtNum(d.ree.minimum_efficiency, 2)} %`) : null),
      dues.map(([label, v]) => h('div', {class: `due${v < t ? ' past' : ''}`},
        h('span', null, label), h('span', {class: 'v'}, fmtDate(v)))),
      hist.length ? h('details', {class: 'hist', open: true},
        h('summary', null, `Ultimi interventi (${hist.length})`),
        hist.map((x) => h('div', {class: 'history'},
          h('div', {class: 'h-head'}, [fmtDate(x.date), x.number, x.kind_label].filter(Boolean).join(' · ')),
          x.technician ? h('div', {class: 'date-line'}, x.technician) : null,
          x.description ? h('div', {class: 'h-desc pre'}, x.description) : null)))
        : h('div', {class: 'history-none date-line'}, 'Nessun intervento precedente registrato.'));
  }

  // ---------------------------------------------------------------------
  // Intervention form
  function defaultDraft(a) {
    return {
      appointment: a.id,
      start_time: a.start_time || '',
      end_time: defaultEnd(a),
      travel_minutes: '',
      description: '',
      outcome: 'resolved',
      outcome_notes: '',
      devices: (a.devices || []).filter((d) => d.selected).map((d) => d.id),
      lines: [],
      measurements: {},
      photos: [],
      privacy_accepted: false,
      signer_name: (a.customer && a.customer.name) || '',
      signature: null,
      replaces: null,
    };
  }
  function defaultEnd(a) {
    // now (rounded); before the start (form filled early) the planned end
    const now = nowRounded();
    if (a.start_time && now < a.start_time) return a.end_time || a.start_time;
    return now;
  }
  function closeForm() {
    if (!S.form) return;
    window.removeEventListener('resize', S.form.onResize);
    S.form = null;
  }

  async function renderForm(id) {
    setView(h('p', {class: 'loading'}, 'Caricamento…'));
    const res = await loadAppointment(id);
    if (!currentRoute || currentRoute.name !== 'form' || currentRoute.id !== id || !loggedIn()) return;
    if (!res.appointment) {
      if (res.notFound) renderNotFound(res.message); else await renderAppointment(id);
      return;
    }
    const a = res.appointment;
    const queued = queuedFor(a.id);
    if (isClosed(a) || (queued && queued.status !== 'error')) {
      renderAppointmentPage(a);
      toast(isClosed(a) ? 'Intervento già registrato per questo appuntamento.' : 'Intervento già compilato: è nella coda di invio.');
      return;
    }
    let draft = null;
    try { draft = await idb.get('drafts', a.id); } catch (err) { draft = null; }
    if (!draft && queued && queued.status === 'error') draft = draftFromEntry(queued);
    draft = {...defaultDraft(a), ...(draft || {})};
    S.form = {id: a.id, appointment: a, draft, sig: null, onResize: null};
    buildForm(a, draft);
  }
  function draftFromEntry(entry) {
    const p = entry.payload;
    const meas = {};
    for (const m of p.measurements || []) {
      const v = {};
      for (const [k, val] of Object.entries(m)) {
        if (k === 'device') continue;
        v[k] = val === null || val === undefined ? '' : (typeof val === 'number' ? fmtNum(val) : String(val));
      }
      meas[m.device] = v;
    }
    const prods = products();
    return {
      appointment: entry.appointment,
      start_time: p.start_time, end_time: p.end_time,
      travel_minutes: p.travel_minutes === null || p.travel_minutes === undefined ? '' : String(p.travel_minutes),
      description: p.description || '', outcome: p.outcome || 'resolved', outcome_notes: p.outcome_notes || '',
      devices: p.devices || [],
      lines: (p.lines || []).map((l) => {
        const prod = prods.find((x) => x.id === l.product);
        return {product: prod ? prod.name : '', description: l.description || '', quantity: fmtNum(l.quantity)};
      }),
      measurements: meas, photos: p.photos || [],
      privacy_accepted: Boolean(p.privacy_accepted), signer_name: p.signer_name || '',
      signature: p.signature || null, replaces: entry.key,
    };
  }

  async function saveDraft() {
    const f = S.form;
    if (!f) return;
    collectForm();
    f.draft.updated_at = new Date().toISOString();
    try {
      await idb.put('drafts', clone(f.draft));
      const note = $('#draft-saved');
      if (note) note.textContent = `Bozza salvata sul telefono alle ${new Date().toLocaleTimeString('it-IT', {hour: '2-digit', minute: '2-digit'})}`;
    } catch (err) {
      console.warn('Bozza non salvata', err);
    }
  }
  function collectForm() {
    const f = S.form;
    if (!f) return;
    const d = f.draft;
    const val = (sel) => { const el = $(sel); return el ? el.value : ''; };
    d.start_time = val('#f-start-time');
    d.end_time = val('#f-end-time');
    d.travel_minutes = val('#f-travel');
    d.description = val('#f-description');
    d.outcome = val('#f-outcome');
    d.outcome_notes = val('#f-outcome-notes');
    d.devices = $$('input.f-device').filter((x) => x.checked).map((x) => Number(x.value));
    d.lines = $$('.part').map((row) => ({
      product: $('.part-product', row).value,
      description: $('.part-description', row).value,
      quantity: $('.part-quantity', row).value,
    }));
    for (const block of $$('.ree')) {
      const id = block.dataset.device;
      const m = {};
      for (const input of $$('input[name], select[name]', block)) m[input.name] = input.value;
      d.measurements[id] = m;
    }
    const privacy = $('#f-privacy');
    d.privacy_accepted = privacy ? privacy.checked : false;
    d.signer_name = val('#f-signer');
  }

  function buildForm(a, d) {
    const c = a.customer || {};
    const cfg = config();
    focusView(`Intervento · ${c.name || ''}`);
    const prods = products();
    const datalist = h('datalist', {id: 'products-list'},
      prods.map((p) => h('option', {value: p.name}, [p.code, p.unit].filter(Boolean).join(' · '))));

    const devices = a.devices || [];
    const deviceBox = h('fieldset', {id: 'devices-fieldset'},
      h('legend', null, 'Apparecchi su cui hai lavorato'),
      devices.length ? devices.map((dev) => h('label', {class: 'check'},
        h('input', {type: 'checkbox', class: 'f-device', value: dev.id, checked: d.devices.includes(dev.id),
          onchange: () => { collectForm(); renderReeSection(); saveDraft(); }}),
        h('span', {class: 'check-text'}, dev.name || dev.kind_label || 'Apparecchio',
          h('span', {class: 'check-sub'}, [dev.kind_label, [dev.brand, dev.model].filter(Boolean).join(' '),
            dev.serial_number ? `matr. ${dev.serial_number}` : null].filter(Boolean).join(' · ')))))
        : h('p', {class: 'date-line'}, 'Nessun apparecchio registrato sull\'impianto.'));

    const partsList = h('div', {id: 'parts'});
    const partsBox = h('fieldset', null, h('legend', null, 'Ricambi e materiali usati'), partsList,
      h('button', {type: 'button', id: 'add-part', class: 'btn secondary block', onclick: () => {
        collectForm();
        S.form.draft.lines.push({product: '', description: '', quantity: '1'});
        renderParts();
        saveDraft();
        const rows = $$('.part');
        $('.part-product', rows[rows.length - 1]).focus();
      }}, '+ Aggiungi ricambio'));

    const photoInput = h('input', {type: 'file', id: 'f-photos', accept: 'image/*', capture: 'environment', multiple: true,
      onchange: (ev) => addPhotos(ev.target)});
    const photosBox = h('fieldset', null, h('legend', null, 'Foto'),
      h('div', {class: 'file-pick'},
        h('span', {class: 'btn secondary block', 'aria-hidden': 'true'}, cameraIcon(), 'Scatta o scegli foto'),
        h('label', {for: 'f-photos', class: 'sr-only'}, 'Aggiungi foto'),
        photoInput),
      h('div', {class: 'photos', id: 'photos', 'aria-live': 'polite'}));

    const privacyBox = h('fieldset', null, h('legend', null, 'Informativa privacy'),
      h('div', {id: 'privacy-text', tabindex: '0', 'aria-label': 'Testo dell\'informativa privacy'},
        cfg.privacy_notice || 'Informativa privacy non configurata: chiedi all\'ufficio.'),
      h('label', {class: 'check'},
        h('input', {type: 'checkbox', id: 'f-privacy', checked: d.privacy_accepted}),
        h('span', {class: 'check-text'}, 'Il cliente ha preso visione dell\'informativa privacy',
          cfg.privacy_required ? null : h('span', {class: 'check-sub'}, 'Facoltativo'))));

    const canvas = h('canvas', {id: 'signature-pad', 'aria-label': 'Spazio per la firma del cliente: firma con il dito', role: 'img'});
    const signBox = h('fieldset', null, h('legend', null, 'Firma del cliente'),
      h('div', {class: 'field'}, h('label', {for: 'f-signer'}, 'Nome di chi firma'),
        h('input', {type: 'text', id: 'f-signer', autocomplete: 'off', value: d.signer_name})),
      h('div', {class: 'sig-wrap', id: 'sig-wrap'}, canvas, h('div', {class: 'sig-line'}), h('div', {class: 'sig-ph'}, 'Firma qui')),
      h('div', {class: 'sig-tools'},
        h('span', {class: 'hint'}, 'Fai firmare il cliente con il dito'),
        h('button', {type: 'button', id: 'signature-clear', class: 'btn ghost small', onclick: () => {
          S.form.sig.clear();
          S.form.draft.signature = null;
          saveDraft();
        }}, 'Cancella firma')));

    const outcome = h('select', {id: 'f-outcome'}, OUTCOMES.map(([v, l]) => h('option', {value: v, selected: d.outcome === v}, l)));
    const form = h('form', {id: 'intervention-form', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); submitForm(); }},
      h('fieldset', null, h('legend', null, 'Orari'),
        h('div', {class: 'row2'},
          h('div', {class: 'field'}, h('label', {for: 'f-start-time'}, 'Inizio'),
            h('input', {type: 'time', id: 'f-start-time', value: d.start_time, required: true})),
          h('div', {class: 'field'}, h('label', {for: 'f-end-time'}, 'Fine'),
            h('input', {type: 'time', id: 'f-end-time', value: d.end_time, required: true}))),
        h('div', {class: 'field'}, h('label', {for: 'f-travel'}, 'Viaggio (minuti)'),
          h('input', {type: 'number', id: 'f-travel', inputmode: 'numeric', min: '0', step: '5', value: d.travel_minutes, placeholder: '0'}))),
      h('fieldset', null, h('legend', null, 'Lavoro svolto'),
        h('div', {class: 'field'}, h('label', {for: 'f-description'}, 'Descrizione del lavoro svolto'),
          h('textarea', {id: 'f-description', rows: 5, required: true, placeholder: 'Es. pulizia bruciatore, controllo tenuta, analisi fumi…', value: d.description})),
        h('div', {class: 'field'}, h('label', {for: 'f-outcome'}, 'Esito'), outcome),
        h('div', {class: 'field'}, h('label', {for: 'f-outcome-notes'}, 'Note sull\'esito (facoltative)'),
          h('textarea', {id: 'f-outcome-notes', rows: 2, value: d.outcome_notes, style: 'min-height:70px'}))),
      deviceBox,
      h('div', {id: 'ree-section'}),
      partsBox,
      photosBox,
      privacyBox,
      signBox,
      h('div', {id: 'form-error', class: 'error-box', role: 'alert', tabindex: '-1', hidden: true}),
      h('div', {class: 'form-cta'},
        h('button', {type: 'submit', id: 'f-close', class: 'btn block big ok'}, 'Chiudi e invia'),
        h('p', {class: 'saved-note', id: 'draft-saved', 'aria-live': 'polite'}, 'Quello che scrivi resta salvato sul telefono')));
    form.addEventListener('input', (ev) => {
      if (ev.target.closest('.ree')) updateRee(ev.target.closest('.ree'));
      if (ev.target.classList.contains('part-product')) updatePartUnit(ev.target.closest('.part'));
      if (ev.target.id !== 'f-photos') saveDraft();
    });
    form.addEventListener('change', (ev) => {
      if (ev.target.id === 'f-photos' || ev.target.classList.contains('f-device')) return;
      saveDraft();
    });

    setView(
      backLink(`#/a/${a.id}`, 'Appuntamento'),
      h('header', {class: 'panel form-head'},
        h('h1', null, 'Intervento'),
        h('div', {class: 'sub'}, `${c.name || ''} · ${a.date === today() ? 'oggi' : fmtDate(a.date)} ${a.start_time || ''} · ${a.kind_label || ''}`),
        d.replaces ? h('div', {class: 'warn-box'}, 'Stai correggendo un intervento rifiutato dal server: controlla i dati e invia di nuovo.') : null),
      datalist, form);
    renderParts();
    renderReeSection();
    renderPhotos();
    S.form.sig = signaturePad(canvas, $('#sig-wrap'), d.signature, (png) => {
      if (!S.form) return;
      S.form.draft.signature = png;
      saveDraft();
    });
    S.form.onResize = () => S.form && S.form.sig.resize();
    window.addEventListener('resize', S.form.onResize);
  }

  function renderParts() {
    const list = $('#parts');
    if (!list) return;
    const lines = S.form.draft.lines;
    list.replaceChildren(...lines.map((line, i) => {
      const n = i + 1;
      const row = h('div', {class: 'part', 'data-index': i},
        h('div', {class: 'part-head'}, h('span', null, `Ricambio ${n}`),
          h('button', {type: 'button', class: 'btn danger small part-remove', 'aria-label': `Togli il ricambio ${n}`, onclick: () => {
            collectForm();
            S.form.draft.lines.splice(i, 1);
            renderParts();
            saveDraft();
          }}, 'Togli')),
        h('div', {class: 'field'}, h('label', {for: `part-product-${i}`}, 'Articolo (dal listino)'),
          h('input', {type: 'text', id: `part-product-${i}`, class: 'part-product', list: 'products-list', autocomplete: 'off', value: line.product, placeholder: 'Cerca per nome o codice'})),
        h('div', {class: 'field'}, h('label', {for: `part-description-${i}`}, 'Descrizione'),
          h('input', {type: 'text', id: `part-description-${i}`, class: 'part-description', value: line.description, placeholder: 'Se vuota: il nome dell\'articolo'})),
        h('div', {class: 'qty-row'},
          h('div', {class: 'field'}, h('label', {for: `part-quantity-${i}`}, 'Quantità'),
            h('input', {type: 'text', id: `part-quantity-${i}`, class: 'part-quantity', inputmode: 'decimal', value: line.quantity})),
          h('span', {class: 'unit field'}, '')));
      updatePartUnit(row);
      return row;
    }));
  }
  function matchProduct(text) {
    const s = String(text || '').trim().toLowerCase();
    if (!s) return null;
    return products().find((p) => (p.name || '').toLowerCase() === s)
      || products().find((p) => p.code && p.code.toLowerCase() === s)
      || products().find((p) => p.code && `[${p.code}] ${p.name}`.toLowerCase() === s)
      || null;
  }
  function updatePartUnit(row) {
    if (!row) return;
    const p = matchProduct($('.part-product', row).value);
    $('.unit', row).textContent = p ? (p.unit || '') : '';
  }

  // REE type 1, live
  function reeDevices() {
    const f = S.form;
    if (!f || f.appointment.kind !== 'efficiency_check') return [];
    return (f.appointment.devices || []).filter((d) => d.ree && f.draft.devices.includes(d.id));
  }
  function renderReeSection() {
    const box = $('#ree-section');
    if (!box) return;
    const list = reeDevices();
    if (!list.length) {
      box.replaceChildren(S.form.appointment.kind === 'efficiency_check'
        ? h('fieldset', null, h('legend', null, 'Analisi di combustione (REE tipo 1)'),
          h('p', {class: 'date-line'}, 'Seleziona un generatore a combustione tra gli apparecchi per inserire le misure.'))
        : '');
      return;
    }
    const cfg = config();
    box.replaceChildren(h('fieldset', null, h('legend', null, 'Analisi di combustione (REE tipo 1)'),
      cfg.can_ree === false ? h('p', {class: 'warn-box'}, 'Il tuo utente non può registrare i rapporti di efficienza: le misure restano sull\'intervento.') : null,
      list.map((dev) => {
        const ree = dev.ree;
        const m = S.form.draft.measurements[dev.id] || {};
        const input = (name, label) => h('div', {class: 'field'},
          h('label', {for: `ree-${dev.id}-${name}`}, label),
          h('input', {type: 'text', inputmode: 'decimal', id: `ree-${dev.id}-${name}`, name, autocomplete: 'off', value: m[name] || ''}));
        const minimum = ree.efficiency_test === false
          ? 'Prova di rendimento non richiesta per questo combustibile'
          : (ree.minimum_efficiency === null || ree.minimum_efficiency === undefined
            ? 'Rendimento minimo di legge: non determinato (lo calcola l\'ufficio)'
            : `Rendimento minimo di legge: ${fmtNum(ree.minimum_efficiency, 2)} %`);
        const block = h('div', {class: 'ree', 'data-device': dev.id},
          h('h3', null, dev.name || 'Generatore', h('span', {class: 'date-line'}, ` · ${[dev.brand, dev.model].filter(Boolean).join(' ')}`)),
          h('div', {class: 'ree-minimum'}, minimum),
          h('div', {class: 'row2'}, REE_FIELDS.map(([n, l]) => input(n, l))),
          h('div', {class: 'row3'}, BACHARACH.map((n, i) => input(n, `Bacharach ${i + 1}${ree.bacharach_required ? '' : ' (facolt.)'}`))),
          h('div', {class: 'field'}, h('label', {for: `ree-${dev.id}-draught`}, 'Tiraggio'),
            h('select', {id: `ree-${dev.id}-draught`, name: 'draught'},
              h('option', {value: '', selected: !m.draught}, '—'),
              h('option', {value: 'F', selected: m.draught === 'F'}, 'Forzato'),
              h('option', {value: 'N', selected: m.draught === 'N'}, 'Naturale'))),
          h('ul', {class: 'ree-checks', 'aria-label': 'Verifiche'}),
          h('output', {class: 'ree-result', 'aria-live': 'polite'}, 'Da completare'));
        updateRee(block, dev);
        return block;
      })));
  }
  function reeCompute(values, ree, cfg) {
    const read = (n) => parseDecimal(values[n]);
    const out = {lines: [], result: null, invalid: []};
    for (const n of [...REE_FIELDS.map((x) => x[0]), ...BACHARACH]) if (!read(n).ok) out.invalid.push(n);
    const checks = [];
    const efficiencyTest = ree.efficiency_test !== false;
    if (efficiencyTest) {
      const measured = read('measured_efficiency');
      const min = ree.minimum_efficiency;
      let ok = null;
      if (measured.ok && !measured.empty) {
        const rep = reportedEfficiency(measured.text, cfg.efficiency_tolerance || 0);
        const tol = cfg.efficiency_tolerance ? ` (${fmtNum(measured.value)} + ${fmtNum(cfg.efficiency_tolerance)})` : '';
        if (min !== null && min !== undefined) {
          ok = rep.cents * 10000 >= scaled(numText(min));
          out.lines.push([ok, `Rendimento ${fmtNum(rep.value, 2)} %${tol} ${ok ? '≥' : '<'} ${fmtNum(min, 2)} % ${ok ? '✓' : '✗'}`]);
        } else {
          out.lines.push([null, `Rendimento ${fmtNum(rep.value, 2)} %${tol}: minimo di legge non determinato`]);
        }
      } else {
        out.lines.push([null, 'Rendimento: inserisci il rendimento misurato']);
      }
      checks.push(ok);
    }
    const co = read('co_corrected');
    let coOk = null;
    if (co.ok && !co.empty && cfg.co_limit !== null && cfg.co_limit !== undefined) {
      coOk = scaled(co.text) <= scaled(numText(cfg.co_limit));
      out.lines.push([coOk, `CO corretto ${fmtNum(co.value)} ppm ${coOk ? '≤' : '>'} ${fmtNum(cfg.co_limit)} ppm ${coOk ? '✓' : '✗'}`]);
    } else if (co.ok && !co.empty) {
      out.lines.push([null, `CO corretto ${fmtNum(co.value)} ppm: limite non configurato`]);
    } else {
      out.lines.push([null, 'CO corretto: inserisci il valore']);
    }
    checks.push(coOk);
    if (ree.bacharach_required) {
      const readings = BACHARACH.map(read).filter((r) => r.ok && !r.empty);
      let bOk = null;
      if (readings.length && ree.bacharach_max !== null && ree.bacharach_max !== undefined) {
        const max = readings.reduce((a, b) => (scaled(b.text) > scaled(a.text) ? b : a));
        bOk = scaled(max.text) <= scaled(numText(ree.bacharach_max));
        out.lines.push([bOk, `Bacharach ${fmtNum(max.value)} ${bOk ? '≤' : '>'} ${fmtNum(ree.bacharach_max)} ${bOk ? '✓' : '✗'}`]);
      } else {
        out.lines.push([null, 'Bacharach: inserisci le letture']);
      }
      checks.push(bOk);
    }
    if (checks.some((x) => x === false)) out.result = 'fail';
    else if (checks.some((x) => x === null)) out.result = null;
    else out.result = 'pass';
    return out;
  }
  function updateRee(block, dev) {
    if (!S.form) return;
    dev = dev || (S.form.appointment.devices || []).find((d) => String(d.id) === block.dataset.device);
    if (!dev || !dev.ree) return;
    const values = {};
    for (const input of $$('input[name]', block)) values[input.name] = input.value;
    const r = reeCompute(values, dev.ree, config());
    for (const input of $$('input[name]', block)) {
      if (r.invalid.includes(input.name)) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
    $('.ree-checks', block).replaceChildren(...r.lines.map(([ok, text]) =>
      h('li', {class: ok === true ? 'ok' : ok === false ? 'ko' : 'na'}, text)));
    const res = $('.ree-result', block);
    res.classList.remove('pass', 'fail', 'incomplete');
    if (r.result === 'pass') { res.textContent = 'Conforme'; res.classList.add('pass'); }
    else if (r.result === 'fail') { res.textContent = 'Non conforme'; res.classList.add('fail'); }
    else { res.textContent = 'Da completare'; res.classList.add('incomplete'); }
  }

  // Photos
  async function addPhotos(input) {
    const files = Array.from(input.files || []);
    input.value = '';
    if (!files.length || !S.form) return;
    const form = S.form;
    const box = $('#photos');
    const busy = h('p', {class: 'date-line', id: 'photos-busy'}, `Elaborazione di ${files.length} foto…`);
    box.after(busy);
    for (const file of files) {
      try {
        const photo = await preparePhoto(file, form.draft.photos.length + 1);
        if (S.form !== form) return;
        form.draft.photos.push(photo);
      } catch (err) {
        toast(`Foto "${file.name}" non leggibile: ${err.message || err}`);
      }
    }
    busy.remove();
    renderPhotos();
    saveDraft();
  }
  function readAsBase64(blob) {
    return new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result).split(',')[1] || '');
      r.onerror = () => reject(r.error);
      r.readAsDataURL(blob);
    });
  }
  function decodeImage(file) {
    if ('createImageBitmap' in window) {
      return createImageBitmap(file, {imageOrientation: 'from-image'}).catch(() => createImageBitmap(file));
    }
    return new Promise((resolve, reject) => {
      const url = URL.createObjectURL(file);
      const img = new Image();
      img.onload = () => { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = () => { URL.revokeObjectURL(url); reject(new Error('immagine non decodificabile')); };
      img.src = url;
    });
  }
  async function preparePhoto(file, n) {
    const raw = async () => {
      const ext = (file.name.split('.').pop() || 'bin').toLowerCase();
      return {name: `foto-${n}.${ext}`, mimetype: file.type || 'application/octet-stream', data: await readAsBase64(file)};
    };
    let img;
    try {
      img = await decodeImage(file);
    } catch (err) {
      return raw(); // not decodable here (e.g. HEIC): send it as it is
    }
    const w = img.width || img.naturalWidth;
    const hgt = img.height || img.naturalHeight;
    if (!w || !hgt) return raw();
    const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(w, hgt));
    if (scale === 1 && file.type === 'image/png') {
      if (img.close) img.close();
      return raw(); // small PNG (screenshot, drawing): keep it lossless
    }
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(hgt * scale);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    if (img.close) img.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', PHOTO_QUALITY));
    if (!blob) return raw();
    if (scale === 1 && file.type === 'image/jpeg' && file.size <= blob.size) return raw();
    return {name: `foto-${n}.jpg`, mimetype: 'image/jpeg', data: await readAsBase64(blob)};
  }
  function renderPhotos() {
    const box = $('#photos');
    if (!box || !S.form) return;
    box.replaceChildren(...S.form.draft.photos.map((p, i) => h('div', {class: 'photo'},
      h('img', {src: `data:${p.mimetype};base64,${p.data}`, alt: `Foto ${i + 1}`, onerror: (ev) => {
        ev.target.replaceWith(h('span', {class: 'photo-file'}, `Foto ${i + 1}`, h('small', null, 'anteprima non disponibile')));
      }}),
      h('button', {type: 'button', 'aria-label': `Togli la foto ${i + 1}`, onclick: () => {
        S.form.draft.photos.splice(i, 1);
        renderPhotos();
        saveDraft();
      }}, '×'))));
  }

  // Signature pad
  function signaturePad(canvas, wrap, initial, onChange) {
    const ctx = canvas.getContext('2d');
    let strokes = 0;
    let drawing = false;
    let last = null;
    let image = initial || null;
    function setup() {
      const rect = canvas.getBoundingClientRect();
      const dpr = Math.max(1, Math.min(window.devicePixelRatio || 1, 3));
      canvas.width = Math.max(1, Math.round(rect.width * dpr));
      canvas.height = Math.max(1, Math.round(rect.height * dpr));
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.strokeStyle = '#0b1f4d';
      ctx.lineWidth = 2.6;
      if (image) {
        const img = new Image();
        img.onload = () => {
          ctx.save();
          ctx.setTransform(1, 0, 0, 1, 0, 0);
          ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
          ctx.restore();
        };
        img.src = `data:image/png;base64,${image}`;
      }
      wrap.classList.toggle('signed', Boolean(image));
    }
    function point(ev) {
      const rect = canvas.getBoundingClientRect();
      return {x: ev.clientX - rect.left, y: ev.clientY - rect.top};
    }
    canvas.addEventListener('pointerdown', (ev) => {
      if (ev.button !== undefined && ev.button > 0) return;
      ev.preventDefault();
      try { canvas.setPointerCapture(ev.pointerId); } catch (err) { /* not capturable */ }
      drawing = true;
      last = point(ev);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fill();
      wrap.classList.add('signed');
    });
    canvas.addEventListener('pointermove', (ev) => {
      if (!drawing) return;
      ev.preventDefault();
      const events = ev.getCoalescedEvents ? ev.getCoalescedEvents() : [ev];
      for (const e of (events.length ? events : [ev])) {
        const p = point(e);
        ctx.beginPath();
        ctx.moveTo(last.x, last.y);
        const mid = {x: (last.x + p.x) / 2, y: (last.y + p.y) / 2};
        ctx.quadraticCurveTo(last.x, last.y, mid.x, mid.y);
        ctx.lineTo(p.x, p.y);
        ctx.stroke();
        last = p;
      }
    });
    const end = () => {
      if (!drawing) return;
      drawing = false;
      strokes += 1;
      image = canvas.toDataURL('image/png').split(',')[1];
      onChange(image);
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('lostpointercapture', end);
    setup();
    return {
      clear() {
        ctx.save();
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        ctx.restore();
        image = null;
        strokes = 0;
        wrap.classList.remove('signed');
      },
      resize() {
        const rect = canvas.getBoundingClientRect();
        const dpr = Math.max(1, Math.min(window.devicePixelRatio || 1, 3));
        if (Math.round(rect.width * dpr) !== canvas.width) setup();
      },
      get empty() { return !image; },
      get strokes() { return strokes; },
    };
  }

  // Validation and submission
  function validateForm() {
    const f = S.form;
    const d = f.draft;
    const cfg = config();
    const errors = [];
    const add = (selector, text) => errors.push({selector, text});
    if (!d.start_time) add('#f-start-time', 'Ora di inizio: inserisci l\'ora in cui hai iniziato.');
    if (!d.end_time) add('#f-end-time', 'Ora di fine: inserisci l\'ora in cui hai finito.');
    if (d.start_time && d.end_time && d.end_time < d.start_time) {
      add('#f-end-time', `Ora di fine: ${d.end_time} è prima dell'inizio (${d.start_time}); correggi gli orari.`);
    }
    if (d.travel_minutes !== '' && !/^\d+$/.test(String(d.travel_minutes).trim())) {
      add('#f-travel', 'Viaggio: indica i minuti con un numero intero (es. 25).');
    }
    if (!d.description.trim()) add('#f-description', 'Lavoro svolto: descrivi cosa hai fatto.');
    d.lines.forEach((l, i) => {
      if (!l.product.trim() && !l.description.trim()) return;
      const q = parseDecimal(l.quantity);
      if (!q.ok || q.empty || q.value <= 0) add(`#part-quantity-${i}`, `Ricambio ${i + 1}: la quantità deve essere un numero maggiore di zero.`);
    });
    for (const dev of reeDevices()) {
      const m = d.measurements[dev.id] || {};
      for (const [n, label] of [...REE_FIELDS, ...BACHARACH.map((b, i) => [b, `Bacharach ${i + 1}`])]) {
        if (!parseDecimal(m[n]).ok) {
          add(`#ree-${dev.id}-${n}`, `Misure di ${dev.name || 'generatore'}: "${label}" non è un numero (usa la virgola per i decimali).`);
        }
      }
    }
    if (cfg.privacy_required && !d.privacy_accepted) {
      add('#f-privacy', 'Privacy: spunta "Il cliente ha preso visione dell\'informativa privacy".');
    }
    if (!d.signer_name.trim()) add('#f-signer', 'Nome di chi firma: scrivi il nome del cliente che firma.');
    if (!d.signature) add('#signature-pad', 'Firma del cliente: fai firmare il cliente nello spazio della firma.');
    return errors;
  }
  function buildPayload(key) {
    const f = S.form;
    const d = f.draft;
    const a = f.appointment;
    const num = (t) => { const p = parseDecimal(t); return p.ok && !p.empty ? p.value : null; };
    const lines = d.lines.filter((l) => l.product.trim() || l.description.trim()).map((l) => {
      const p = matchProduct(l.product);
      const description = l.description.trim() || (p ? p.name : l.product.trim());
      return {product: p ? p.id : null, description, quantity: num(l.quantity)};
    });
    const measurements = reeDevices().map((dev) => {
      const m = d.measurements[dev.id] || {};
      const out = {device: dev.id};
      for (const n of [...REE_FIELDS.map((x) => x[0]), ...BACHARACH]) out[n] = num(m[n]);
      out.draught = m.draught || null;
      return out;
    });
    return {
      key,
      appointment: a.id,
      version: a.version,
      force: false,
      start_time: d.start_time,
      end_time: d.end_time,
      travel_minutes: d.travel_minutes === '' ? null : Number(d.travel_minutes),
      description: d.description.trim(),
      outcome: d.outcome || null,
      outcome_notes: d.outcome_notes.trim(),
      devices: d.devices,
      lines,
      measurements,
      photos: d.photos.map((p) => ({name: p.name, mimetype: p.mimetype, data: p.data})),
      privacy_accepted: d.privacy_accepted,
      signer_name: d.signer_name.trim(),
      signature: d.signature,
      seen: clone(a),
    };
  }
  async function submitForm() {
    const f = S.form;
    if (!f || f.submitting) return;
    collectForm();
    const box = $('#form-error');
    const errors = validateForm();
    if (errors.length) {
      box.replaceChildren(
        h('div', null, errors.length === 1 ? 'Manca un dato per chiudere l\'intervento:' : `Mancano ${errors.length} dati per chiudere l'intervento:`),
        h('ul', null, errors.map((e) => h('li', null, e.text))));
      box.hidden = false;
      const first = $(errors[0].selector);
      box.scrollIntoView({block: 'center'});
      if (first && first.focus) first.focus({preventScroll: true});
      return;
    }
    box.hidden = true;
    f.submitting = true;
    const button = $('#f-close');
    button.disabled = true;
    button.textContent = 'Salvataggio…';
    const a = f.appointment;
    const key = newKey();
    const entry = {
      key,
      appointment: a.id,
      user: S.session.user && S.session.user.id,
      status: 'pending',
      created_at: new Date().toISOString(),
      attempts: 0,
      message: '',
      label: {customer: (a.customer && a.customer.name) || '', date: a.date, start_time: a.start_time,
        number: a.number, kind_label: a.kind_label},
      payload: buildPayload(key),
    };
    try {
      await putEntry(entry);
      if (f.draft.replaces) await removeEntry(f.draft.replaces);
      await idb.del('drafts', a.id);
    } catch (err) {
      f.submitting = false;
      button.disabled = false;
      button.textContent = 'Chiudi e invia';
      box.replaceChildren(`Non riesco a salvare sul telefono (${err.message || err}): non chiudere la pagina e riprova.`);
      box.hidden = false;
      return;
    }
    closeForm();
    renderResult(entry, null);
    if (navigator.onLine) {
      await syncQueue();
      if (currentRoute && currentRoute.name === 'form' && currentRoute.id === a.id) {
        renderResult(entry, S.results[key] || null);
      }
    }
  }
  function renderResult(entry, result) {
    const still = S.queue.find((e) => e.key === entry.key);
    let box;
    if (result) {
      const i = result.intervention || {};
      box = h('section', {id: 'result', class: 'done', role: 'status', 'aria-live': 'polite'},
        h('div', {class: 'r-icon', 'aria-hidden': 'true'}, '✓'),
        h('div', {class: 'r-title'}, `Intervento ${i.number || ''} registrato`),
        (result.email || i.emailed_to) ? h('p', {class: 'r-email'}, `Il rapporto PDF è inviato per e-mail a ${result.email || i.emailed_to}.`) : null,
        (result.ree || []).length ? h('ul', null, result.ree.map((r) => h('li', null,
          `REE ${r.number || ''}: ${r.result_label || r.result || 'da completare'}`,
          r.reported_efficiency !== null && r.reported_efficiency !== undefined ? ` (rendimento ${fmtNum(r.reported_efficiency, 2)} %)` : ''))) : null,
        (result.warnings || []).length ? h('div', {class: 'warn-box'}, result.warnings.map((w) => h('div', null, w))) : null);
    } else if (still && still.status !== 'pending') {
      box = h('section', {id: 'result', class: 'problem', role: 'status', 'aria-live': 'polite'},
        h('div', {class: 'r-icon', 'aria-hidden': 'true'}, '!'),
        h('div', {class: 'r-title'}, still.status === 'conflict' ? 'Salvato sul telefono: l\'ufficio ha modificato l\'appuntamento' : 'Salvato sul telefono: il server non l\'ha accettato'),
        h('p', null, still.message),
        h('a', {class: 'btn', href: '#/coda'}, 'Apri la coda'));
    } else {
      box = h('section', {id: 'result', class: 'queued', role: 'status', 'aria-live': 'polite'},
        h('div', {class: 'r-icon', 'aria-hidden': 'true'}, '⇅'),
        h('div', {class: 'r-title'}, 'Salvato sul telefono: in attesa di sincronizzazione'),
        h('p', null, S.syncing ? 'Invio in corso…' : 'Verrà inviato automaticamente appena c\'è connessione.'));
    }
    setView(backLink(), box,
      h('a', {class: 'btn block big', href: '#/'}, 'Torna all\'agenda'));
    window.scrollTo(0, 0);
  }

  // ---------------------------------------------------------------------
  // Queue page
  function renderQueue() {
    focusView('Coda di invio');
    const entries = myQueue();
    const others = S.queue.length - entries.length;
    setView(backLink(),
      h('section', {id: 'queue', 'aria-labelledby': 'queue-title'},
        h('div', {class: 'toolbar'}, h('h1', {id: 'queue-title'}, 'Coda di invio'),
          h('button', {type: 'button', class: 'btn secondary small', disabled: !entries.length || Boolean(S.syncing), onclick: () => syncQueue()}, refreshIcon(), 'Invia ora')),
        entries.length ? entries.map(renderQueueItem)
          : h('div', {class: 'empty'}, h('strong', null, 'Tutto sincronizzato'), 'Non ci sono interventi in attesa di invio.'),
        others ? h('p', {class: 'info-box'}, `${others} interventi di un altro utente sono salvati su questo telefono: verranno inviati quando quell'utente accede.`) : null));
  }
  function renderQueueItem(e) {
    const l = e.label || {};
    const actions = [];
    if (e.status === 'conflict') {
      actions.push(h('button', {type: 'button', class: 'btn queue-force', onclick: () => forceEntry(e.key)}, 'Invia comunque'));
    }
    if (e.status === 'error') {
      actions.push(h('button', {type: 'button', class: 'btn queue-fix', onclick: () => fixEntry(e.key)}, 'Correggi'));
    }
    if (e.status === 'pending') {
      actions.push(h('button', {type: 'button', class: 'btn secondary queue-retry', onclick: () => syncQueue()}, 'Riprova ora'));
    }
    actions.push(h('button', {type: 'button', class: 'btn danger queue-discard', onclick: () => discardEntry(e.key)}, 'Scarta'));
    const changes = e.changes || [];
    return h('article', {class: `queue-item ${e.status}`, 'data-key': e.key, 'data-appointment': e.appointment},
      h('div', {class: 'q-head'},
        h('div', null,
          h('div', {class: 'q-title'}, l.customer || `Appuntamento ${e.appointment}`),
          h('div', {class: 'q-sub'}, [l.kind_label, l.date ? fmtDate(l.date) : null, l.start_time].filter(Boolean).join(' · ')),
          h('div', {class: 'q-sub'}, `Compilato ${fmtDateTime(Date.parse(e.created_at))}${e.attempts ? ` · tentativi: ${e.attempts}` : ''}`)),
        h('span', {class: 'q-status'}, STATUS_LABELS[e.status] || e.status)),
      e.message ? h('p', {class: 'q-msg'}, e.message) : null,
      e.status === 'conflict' ? h('ul', {class: 'conflict-details', 'aria-label': 'Modifiche dell\'ufficio'},
        changes.length ? changes.map((c) => h('li', null,
          h('span', {class: 'c-field'}, c.field),
          h('span', {class: 'c-old'}, displayValue(c.old)), ' → ', h('span', {class: 'c-new'}, displayValue(c.new))))
          : h('li', null, 'L\'ufficio ha modificato o chiuso l\'appuntamento dopo che lo hai scaricato.')) : null,
      e.status === 'conflict' ? h('p', {class: 'date-line'}, '"Invia comunque" registra il tuo intervento sull\'appuntamento aggiornato.') : null,
      h('div', {class: 'q-actions'}, actions),
      h('div', {style: 'margin-top:8px'}, h('a', {href: `#/a/${e.appointment}`}, 'Vedi appuntamento')));
  }
  function displayValue(v) {
    if (v === null || v === undefined || v === '') return '(vuoto)';
    return String(v);
  }
  async function forceEntry(key) {
    const e = S.queue.find((x) => x.key === key);
    if (!e) return;
    e.payload.force = true; // same key: a retry never creates a second one
    e.status = 'pending';
    e.message = 'Invio forzato in attesa.';
    await putEntry(e);
    renderQueue();
    await syncQueue();
  }
  async function discardEntry(key) {
    const e = S.queue.find((x) => x.key === key);
    if (!e) return;
    const who = (e.label && e.label.customer) || `appuntamento ${e.appointment}`;
    if (!confirm(`Scartare l'intervento per ${who}? I dati inseriti verranno cancellati dal telefono e non saranno inviati.`)) return;
    await removeEntry(key);
    renderQueue();
  }
  async function fixEntry(key) {
    const e = S.queue.find((x) => x.key === key);
    if (!e) return;
    // the entry stays in the queue until the corrected one replaces it
    await idb.put('drafts', draftFromEntry(e));
    location.hash = `#/a/${e.appointment}/intervento`;
  }

  // ---------------------------------------------------------------------
  // Icons
  const svg = (d, size = 20) => {
    const el = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    el.setAttribute('viewBox', '0 0 24 24');
    el.setAttribute('width', size);
    el.setAttribute('height', size);
    el.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('fill', 'currentColor');
    path.setAttribute('d', d);
    el.append(path);
    return el;
  };
  const phoneIcon = () => svg('M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1l-2.3 2.2Z');
  const mobileIcon = () => svg('M7 2h10a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2Zm0 3v13h10V5H7Zm5 14.2a1 1 0 1 0 0 2 1 1 0 0 0 0-2Z');
  const navIcon = () => svg('M21 3 3 10.5v1l7 2.5 2.5 7h1L21 3Z');
  const cameraIcon = () => svg('M9 3 7.2 5H4a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-3.2L15 3H9Zm3 5a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9Zm0 2a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5Z');
  const refreshIcon = () => svg('M12 4a8 8 0 0 1 7.4 5H17v2h6V5h-2v2.3A10 10 0 0 0 2.1 11h2A8 8 0 0 1 12 4Zm7.9 9A8 8 0 0 1 4.6 15H7v-2H1v6h2v-2.3A10 10 0 0 0 21.9 13h-2Z', 18);

  // ---------------------------------------------------------------------
  // Service worker
  function registerServiceWorker() {
    if (!('serviceWorker' in navigator)) return;
    const hadController = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker.register('sw.js', {scope: './'}).catch((err) => {
      console.warn('Service worker non registrato', err);
    });
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (hadController) {
        toast('È disponibile una nuova versione dell\'app.', {label: 'Ricarica', run: () => location.reload()});
      }
    });
  }

  // ---------------------------------------------------------------------
  // Start
  let started = false;
  function startAfterLogin() {
    refreshAgenda({quiet: true});
    if (navigator.onLine !== false) syncQueue();
    startSyncTimer();
    started = true;
  }
  async function init() {
    const t0 = performance.now();
    $('#sync-now').addEventListener('click', async () => {
      if (!loggedIn()) return;
      if (!navigator.onLine) { toast('Sei offline: sincronizzerò appena torna la connessione.'); }
      await syncQueue();
      await refreshAgenda();
    });
    $('#logout').addEventListener('click', doLogout);
    window.addEventListener('online', () => {
      S.netFailed = false;
      updateOnlineUi();
      if (loggedIn()) { syncQueue(); refreshAgenda({quiet: true}); }
    });
    window.addEventListener('offline', () => { updateOnlineUi(); rerenderPassive(); });
    window.addEventListener('hashchange', route);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && loggedIn() && navigator.onLine) {
        if (myQueue().some((e) => e.status === 'pending')) syncQueue();
        if (Date.now() - S.agendaAt > AGENDA_MAX_AGE_MS) refreshAgenda({quiet: true});
      }
    });
    try {
      await Promise.all([loadSession(), loadCache(), loadQueue()]);
    } catch (err) {
      console.error(err);
    }
    if (sessionExpiredLocally() && navigator.onLine) {
      S.session = {...S.session, key: null};
      S.loginMessage = 'Sessione scaduta: accedi di nuovo.';
      S.returnTo = location.hash || '#/';
    }
    updateHeader();
    await route();
    window.__tgFirstRender = performance.now() - t0;
    if (loggedIn()) startAfterLogin();
    registerServiceWorker();
    if (!started) startSyncTimer();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
