/* The one service worker of xiachen's offline pages (ADR 2001). Served by each offline page from its own
 * scope (the gate at /gate/, the phone app at /field/) with self.XIACHEN_OFFLINE = {cache, scope, files,
 * fallback} written before this code. Pages and their data: network first (fresh CSRF token and session),
 * the cache as fallback; static files: cache first. POSTs are never touched: the page's own queue
 * (offline.js, IndexedDB) keeps changes until the server acknowledges them. */
"use strict";
var CONFIG = self.XIACHEN_OFFLINE;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CONFIG.cache).then(function (cache) { return cache.addAll(CONFIG.files); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {  // older versions of this scope's cache
    var prefix = CONFIG.cache.replace(/-v\d+$/, "-v");
    return Promise.all(names.filter(function (n) { return n !== CONFIG.cache && n.indexOf(prefix) === 0; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function inScope(url) { return url.origin === self.location.origin && url.pathname.indexOf(CONFIG.scope) === 0; }

/* The page that registered the worker loaded before the worker existed, so the fetch handler never saw
 * it: on the first visit the page asks for its own address (and its data) to be cached ("cache-page"). */
function cachePage(address) {
  var target = new URL(address, self.location.origin);
  if (!inScope(target)) return Promise.resolve();
  return fetch(target.href, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok || response.redirected) return;
    return caches.open(CONFIG.cache).then(function (cache) { return cache.put(target.href, response); });
  }).catch(function () {});
}

self.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "cache-page") return;
  var reply = event.ports && event.ports[0];
  var urls = [event.data.url].concat(event.data.also || []);
  event.waitUntil(Promise.all(urls.map(cachePage)).then(function () { if (reply) reply.postMessage("cached"); }));
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(event.request).then(function (hit) {
      return hit || fetch(event.request).then(function (response) {
        var copy = response.clone();
        caches.open(CONFIG.cache).then(function (cache) { cache.put(event.request, copy); });
        return response;
      });
    }));
    return;
  }
  if (!inScope(url)) return;
  event.respondWith(fetch(event.request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CONFIG.cache).then(function (cache) { cache.put(event.request, copy); });
    }
    return response;
  }).catch(function () {
    // ignoreVary: a page kept on request ("cache-page") was stored under a plain request, while the
    // response varies on headers (Cookie, Accept-Language) that a navigation sets differently.
    return caches.match(event.request, { ignoreVary: true }).then(function (hit) {
      if (hit || !CONFIG.fallback || event.request.mode !== "navigate") return hit;
      return caches.match(CONFIG.fallback, { ignoreVary: true });  // e.g. a post's QR address, never opened before
    });
  }));
});
