/* The one offline engine of xiachen's pages (ADR 2001), used by the gate page and the phone app.
 *  - open(name, version, upgrade): an IndexedDB database with small promise helpers.
 *  - outbox(db, store, options): changes queued under client UUIDs, uploaded in batches to an idempotent
 *    endpoint, each deleted only once the server has answered for it (stored, duplicate, conflict or
 *    refused), so a dropped, repeated or interrupted upload loses nothing and duplicates nothing.
 *  - retrying(task): runs the task now and, after a failure, again with a growing delay (2 s … 5 min).
 *  - worker(url, scope, also): registers the page's service worker and asks it to keep this page (and
 *    `also`, e.g. its data) so the page opens offline after the very first visit.
 *  - forget(): run by the sign-in page (so after every sign-out): deletes what the pages keep to read
 *    offline (the stores each database named as `forget` when opened, and the workers' page caches), so
 *    the next person on the phone sees nothing of the last one's households; changes not yet synced stay
 *    queued and go out under the next sign-in (docs/security.md).
 * Plain script, no dependencies; CSP allows it as a static file of our origin. */
(function () {
  "use strict";

  function uuid4() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)); b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : document.body.dataset.csrf;
  }

  function deviceId() {  // per phone, not per user: a queue survives a change of the signed-in person
    var id = localStorage.getItem("xiachen-device");
    if (!id) { id = uuid4(); localStorage.setItem("xiachen-device", id); }
    return id;
  }

  function Db(raw) { this.raw = raw; }
  Db.prototype.tx = function (store, mode, work) {
    var raw = this.raw;
    return new Promise(function (resolve, reject) {
      var transaction = raw.transaction(store, mode), result;
      var request = work(transaction.objectStore(store));
      if (request) request.onsuccess = function () { result = request.result; };
      transaction.oncomplete = function () { resolve(result); };
      transaction.onerror = function () { reject(transaction.error); };
      transaction.onabort = function () { reject(transaction.error); };
    });
  };
  Db.prototype.all = function (store) { return this.tx(store, "readonly", function (s) { return s.getAll(); }).then(function (r) { return r || []; }); };
  Db.prototype.get = function (store, key) { return this.tx(store, "readonly", function (s) { return s.get(key); }); };
  Db.prototype.put = function (store, value, key) { return this.tx(store, "readwrite", function (s) { return key === undefined ? s.put(value) : s.put(value, key); }); };
  Db.prototype.count = function (store) { return this.tx(store, "readonly", function (s) { return s.count(); }).then(function (n) { return n || 0; }); };
  Db.prototype.remove = function (store, keys) {
    return this.tx(store, "readwrite", function (s) { keys.forEach(function (k) { s.delete(k); }); });
  };

  var FORGET_KEY = "xiachen-offline-forget", CACHE_PREFIX = "xiachen-";

  function forgettable() {
    try { return JSON.parse(localStorage.getItem(FORGET_KEY) || "{}"); } catch (error) { return {}; }
  }

  /* forget: the stores of this database that only hold copies of server data (never queued changes). */
  function open(name, version, upgrade, forget) {
    if (forget && forget.length) {
      var known = forgettable(); known[name] = forget; localStorage.setItem(FORGET_KEY, JSON.stringify(known));
    }
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(name, version);
      request.onupgradeneeded = function (event) { upgrade(request.result, event.oldVersion); };
      request.onsuccess = function () { resolve(new Db(request.result)); };
      request.onerror = function () { reject(request.error); };
    });
  }

  /* options: url, field (the batch's list name), batch (size, 500), extra() (more fields of the body),
   * onResult(result, record) for every answered change. flush() → {sent, ok}; throws when the network fails. */
  var sequence = 0;
  function byQueueOrder(a, b) { return (a.queued || 0) - (b.queued || 0); }

  function outbox(db, store, options) {
    var batch = options.batch || 500;
    return {
      add: function (record) {  // `queued` keeps the order of changes (keys are random UUIDs)
        record.client_uuid = record.client_uuid || uuid4();
        record.queued = Date.now() * 1000 + (sequence++ % 1000);
        return db.put(store, record).then(function () { return record; });
      },
      count: function () { return db.count(store); },
      pending: function () { return db.all(store).then(function (all) { return all.sort(byQueueOrder); }); },
      flush: async function () {
        var pending = (await db.all(store)).sort(byQueueOrder), sent = 0;
        for (var start = 0; start < pending.length; start += batch) {
          var chunk = pending.slice(start, start + batch);
          var body = Object.assign({ device_id: deviceId(), device_time: Math.floor(Date.now() / 1000) },
            options.extra ? options.extra() : {});
          body[options.field] = chunk;
          var response = await fetch(options.url, {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
            body: JSON.stringify(body)
          });
          if (!response.ok) return { sent: sent, ok: false };  // kept; retried with the same UUIDs
          var results = (await response.json()).results, byId = {};
          chunk.forEach(function (r) { byId[r.client_uuid] = r; });
          if (options.onResult) for (var i = 0; i < results.length; i++) await options.onResult(results[i], byId[results[i].client_uuid]);
          await db.remove(store, results.map(function (r) { return r.client_uuid; }).filter(Boolean));
          sent += results.length;
        }
        return { sent: sent, ok: true };
      }
    };
  }

  /* run() does the task now (once at a time); a failure (throw, or {ok: false}) retries it later with a
   * doubling delay, reset by a success. */
  function retrying(task, first, longest) {
    var delay = first || 2000, running = false, timer = null;
    async function run() {
      if (running) return;
      running = true; clearTimeout(timer);
      var failed = false;
      try { var outcome = await task(); failed = outcome && outcome.ok === false; } catch (error) { failed = true; }
      running = false;
      if (failed && navigator.onLine) {
        timer = setTimeout(run, delay + Math.floor(Math.random() * 500));
        delay = Math.min(delay * 2, longest || 300000);
      } else if (!failed) { delay = first || 2000; }
    }
    return run;
  }

  /* Register the scope's worker; once it is active, ask it to keep this page (and `also`). Resolves when
   * kept; sets body[data-offline-ready=1]. */
  function worker(url, scope, also) {
    if (!("serviceWorker" in navigator)) return Promise.resolve(false);
    navigator.serviceWorker.register(url, { scope: scope }).catch(function () {});
    return navigator.serviceWorker.ready.then(function (registration) {
      var active = registration.active;
      if (!active) return false;
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function () { document.body.dataset.offlineReady = "1"; resolve(true); };
        active.postMessage({ type: "cache-page", url: location.href, also: also || [] }, [channel.port2]);
      });
    });
  }

  function clearStores(name, stores) {  // opened without a version: never triggers an upgrade
    return new Promise(function (resolve) {
      var request = indexedDB.open(name);
      request.onerror = function () { resolve(false); };
      request.onsuccess = function () {
        var raw = request.result, present = stores.filter(function (s) { return raw.objectStoreNames.contains(s); });
        if (!present.length) { raw.close(); resolve(true); return; }
        var transaction = raw.transaction(present, "readwrite");
        present.forEach(function (s) { transaction.objectStore(s).clear(); });
        transaction.oncomplete = function () { raw.close(); resolve(true); };
        transaction.onerror = transaction.onabort = function () { raw.close(); resolve(false); };
      };
    });
  }

  /* Resolves when the copies are gone; sets body[data-offline-forgotten=1] for whoever waits on it. */
  function forget() {
    var known = forgettable(), work = Object.keys(known).map(function (name) { return clearStores(name, known[name]); });
    if (window.caches) {
      work.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf(CACHE_PREFIX) === 0; })
          .map(function (n) { return caches.delete(n); }));
      }));
    }
    return Promise.all(work).then(function () { document.body.dataset.offlineForgotten = "1"; });
  }

  window.XiachenOffline = { uuid4: uuid4, csrfToken: csrfToken, deviceId: deviceId, open: open, outbox: outbox,
    retrying: retrying, worker: worker, forget: forget };
})();
