/* Service worker of the gate page: the page and its static files come from the cache when offline.
 * Pages: network first (fresh CSRF token and session), cache as fallback. Static files: cache first.
 * API calls are never cached here; the page keeps its own dated copy in IndexedDB. */
"use strict";
var CACHE = "xiachen-gate-v3";
var STATIC = [
  "/static/gate/gate.css", "/static/gate/gate.js", "/static/gate/verifier.js",
  "/static/vendor/tweetnacl-1.0.3/nacl-fast.min.js", "/static/vendor/qr-scanner-1.4.2/qr-scanner.umd.min.js",
  "/static/vendor/qr-scanner-1.4.2/qr-scanner-worker-body.js",
  "/static/vendor/qr-scanner-1.4.2/qr-scanner-worker.min.js"
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(STATIC); }).then(function () { return self.skipWaiting(); }));
});

/* The page that registered the worker loaded before the worker existed, so the fetch handler never saw
 * it: on the first visit the page asks for its own address to be cached ("cache-page"), and the worker
 * fetches and keeps it. An offline reload after that first visit then finds the page. */
function cachePage(url) {
  var target = new URL(url, self.location.origin);
  if (target.origin !== self.location.origin || target.pathname.indexOf("/gate/") !== 0) return Promise.resolve();
  return fetch(target.href, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok || response.redirected) return;
    return caches.open(CACHE).then(function (cache) { return cache.put(target.href, response); });
  }).catch(function () {});
}

self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "cache-page") return;
  var reply = event.ports && event.ports[0];
  event.waitUntil(cachePage(event.data.url).then(function () { if (reply) reply.postMessage("cached"); }));
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(event.request).then(function (hit) {
      return hit || fetch(event.request).then(function (response) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(event.request, copy); });
        return response;
      });
    }));
    return;
  }
  if (url.pathname.indexOf("/gate/") === 0) {
    event.respondWith(fetch(event.request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(event.request, copy); });
      }
      return response;
    }).catch(function () {
      // ignoreVary: a page kept on request ("cache-page") was stored under a plain request, while the
      // response varies on headers (Cookie, Accept-Language) that a navigation sets differently.
      return caches.match(event.request, { ignoreVary: true });
    }));
  }
});
