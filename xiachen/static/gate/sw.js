/* Service worker of the gate page: the page and its static files come from the cache when offline.
 * Pages: network first (fresh CSRF token and session), cache as fallback. Static files: cache first.
 * API calls are never cached here; the page keeps its own dated copy in IndexedDB. */
"use strict";
var CACHE = "xiachen-gate-v2";
var STATIC = [
  "/static/gate/gate.css", "/static/gate/gate.js", "/static/gate/verifier.js",
  "/static/vendor/tweetnacl-1.0.3/nacl-fast.min.js", "/static/vendor/qr-scanner-1.4.2/qr-scanner.umd.min.js",
  "/static/vendor/qr-scanner-1.4.2/qr-scanner-worker-body.js",
  "/static/vendor/qr-scanner-1.4.2/qr-scanner-worker.min.js"
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(STATIC); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

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
    }).catch(function () { return caches.match(event.request); }));
  }
});
