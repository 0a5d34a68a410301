/* TermoGest Tecnici service worker: precaches the app shell and serves it
 * cache first (updating it in the background).  The API (api/...) is never
 * intercepted: the page's own fetches reach the network untouched. */
'use strict';

const VERSION = 'v1';
const CACHE_PREFIX = 'termogest-mobile-';
const CACHE = `${CACHE_PREFIX}${VERSION}`;
const SHELL = [
  './',
  'index.html',
  'app.js',
  'app.css',
  'manifest.webmanifest',
  'icon.svg',
  'icon-192.png',
  'icon-512.png',
];
const SCOPE_PATH = new URL('./', self.location.href).pathname;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SHELL.map((path) => new Request(path, {cache: 'reload'})));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

function shellKey(url) {
  // the cache entry for a GET of the shell, or null when not ours
  if (url.origin !== self.location.origin) return null;
  if (!url.pathname.startsWith(SCOPE_PATH)) return null;
  const name = url.pathname.slice(SCOPE_PATH.length);
  if (name.startsWith('api/') || name === 'api') return null;
  if (name === '' || name === 'index.html') return './';
  return SHELL.includes(name) ? name : null;
}

async function refresh(cache, key) {
  const response = await fetch(new Request(key, {cache: 'no-cache'}));
  if (response && response.ok) await cache.put(key, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  let key = shellKey(url);
  if (!key && request.mode === 'navigate' && url.origin === self.location.origin
      && url.pathname.startsWith(SCOPE_PATH)
      && !url.pathname.slice(SCOPE_PATH.length).startsWith('api/')) {
    key = './';
  }
  if (!key) return; // api/ and anything else: straight to the network
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const cached = await cache.match(key);
    const update = refresh(cache, key).catch(() => null);
    if (cached) {
      event.waitUntil(update);
      return cached;
    }
    const response = await update;
    if (response) return response;
    return new Response('Offline: app non ancora salvata sul telefono.', {
      status: 503, headers: {'Content-Type': 'text/plain; charset=utf-8'},
    });
  })());
});
