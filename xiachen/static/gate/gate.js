/* The gate page: scan → verify offline → big green/red answer → queue in IndexedDB → sync in batches.
 * Cached data (trust list, revocations, policy) lives in IndexedDB with the time it was fetched; the
 * queue (the shared offline engine, static/offline/offline.js) keeps scans by client UUID until the server has acknowledged them (stored or duplicate), so
 * dropped, repeated or interrupted uploads lose nothing and duplicate nothing. Switching the signed-in
 * user keeps the queue (it is per device, not per user). No identity data is stored: tokens hold ids. */
(function () {
  "use strict";
  var body = document.body, GATE = body.dataset.gate, API = body.dataset.api;
  var BATCH = 500, SYNC_EVERY_MS = 15000, REPEAT_MS = 3000;
  // Every text comes translated from the server (xiachen/gate/messages.py), in the page as JSON.
  var TEXT = JSON.parse(document.getElementById("gate-messages").textContent), REASONS = TEXT.reasons;
  var cache = {}, lastToken = "", lastAt = 0, syncing = false;

  var O = window.XiachenOffline, store = null, scans = null, registrations = null;

  function openDb() {  // the same database as before the shared engine: queues on phones survive the update
    return O.open("xiachen-gate", 2, function (database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore("cache");
        database.createObjectStore("queue", { keyPath: "client_uuid" });
        database.createObjectStore("outs", { keyPath: "client_uuid" });
      }
      // v2: checkpoint registrations of people without a pass, queued until the server acknowledges
      if (oldVersion < 2) database.createObjectStore("checkpoint", { keyPath: "client_uuid" });
    }, ["cache"]);  // forgotten at sign-out: keys, revocations and policy; the queues stay
  }

  function tx(name, mode, work) { return store.tx(name, mode, work); }

  var uuid4 = O.uuid4;

  async function getJson(path) {
    var response = await fetch(API + path, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  async function refresh() {
    try {
      var results = await Promise.all([
        getJson("gates/" + GATE + "/trust-list"), getJson("gates/" + GATE + "/revocations"), getJson("gates/" + GATE + "/policy")
      ]);
      cache = { trust: results[0], revocations: results[1], policy: results[2], fetched_at: Date.now() };
      await tx("cache", "readwrite", function (store) { return store.put(cache, GATE); });
      await pruneOuts();
    } catch (error) { /* offline or signed out: keep the cached data, the banner shows its age */ }
    render();
  }

  /* This phone's outings older than the longest interval (31 days) matter to no rule: dropped. */
  async function pruneOuts() {
    var horizon = Math.floor(Date.now() / 1000) - 31 * 86400;
    var outs = await tx("outs", "readonly", function (store) { return store.getAll(); }) || [];
    var old = outs.filter(function (o) { return o.at < horizon; });
    if (old.length) await tx("outs", "readwrite", function (store) { old.forEach(function (o) { store.delete(o.client_uuid); }); });
  }

  function isStale() {
    if (!cache.fetched_at) return true;
    return Date.now() - cache.fetched_at > cache.trust.stale_after_seconds * 1000;
  }

  async function snapshot() {
    var outs = await tx("outs", "readonly", function (store) { return store.getAll(); }) || [];
    var keys = {};
    ((cache.trust && cache.trust.keys) || []).forEach(function (k) { keys[k.key_id] = k.public_key; });
    var policy = cache.policy && cache.policy.rules ? Object.assign({ version: cache.policy.version }, cache.policy.rules) : null;
    // this phone's own outings, stored as {household, pass_id, at} (older versions stored "pass")
    var own = outs.map(function (o) { return { household: o.household, pass_id: o.pass_id || o.pass, at: o.at }; });
    return {
      keys: keys,
      revoked_keys: (cache.revocations && cache.revocations.keys) || [],
      revoked_passes: (cache.revocations && cache.revocations.passes) || [],
      audiences: (cache.trust && cache.trust.audiences) || [],
      policy: policy,
      held_passes: (cache.policy && cache.policy.held_passes) || [],
      designated_passes: (cache.policy && cache.policy.designated_passes) || [],
      recent_outs: ((cache.policy && cache.policy.recent_outs) || []).concat(own)
    };
  }

  function fill(template, values) {  // Django's %(name)s placeholders
    return template.replace(/%\((\w+)\)s/g, function (_match, name) { return String(values[name]); });
  }

  function direction() { return document.querySelector("input[name=direction]:checked").value; }

  function temperature() {
    var value = parseFloat(document.getElementById("temperature").value);
    return isNaN(value) ? null : Math.round(value * 10) / 10;
  }

  function show(verdict) {
    var box = document.getElementById("verdict");
    var warned = verdict.valid && verdict.reason !== "valid";  // let through, with a warning
    box.className = "verdict " + (warned ? "warn" : verdict.valid ? "ok" : "bad");
    box.dataset.reason = verdict.reason;
    document.getElementById("verdict-text").textContent = warned ? TEXT.warn : verdict.valid ? TEXT.pass : TEXT.refuse;
    document.getElementById("verdict-reason").textContent = REASONS[verdict.reason] || verdict.reason;
    var item = document.createElement("li");
    item.textContent = new Date().toLocaleTimeString() + " " + (verdict.valid ? "✔" : "✘") + " " + (REASONS[verdict.reason] || verdict.reason);
    var list = document.getElementById("recent-scans");
    list.insertBefore(item, list.firstChild);
    while (list.children.length > 10) list.removeChild(list.lastChild);
  }

  async function handleToken(token, manualReason) {
    var now = Date.now();
    if (token === lastToken && now - lastAt < REPEAT_MS) return null;
    lastToken = token; lastAt = now;
    var scan = { now: Math.floor(now / 1000), direction: direction(), temperature: temperature() };
    var verdict = await XiachenVerifier.verify(token, await snapshot(), scan);
    show(verdict);
    var record = {
      client_uuid: uuid4(), gate: GATE, scanned_at: scan.now, token: typeof token === "string" ? token.slice(0, 400) : "",
      direction: scan.direction, temperature: scan.temperature, client_valid: verdict.valid, client_reason: verdict.reason,
      manual_reason: manualReason || ""
    };
    await tx("queue", "readwrite", function (store) { return store.put(record); });
    if (verdict.valid && scan.direction === "out") {
      await tx("outs", "readwrite", function (store) {
        return store.put({ client_uuid: record.client_uuid, household: verdict.household_id, pass_id: verdict.pass_id, at: scan.now });
      });
    }
    render();
    if (navigator.onLine) setTimeout(sync, 0);
    return verdict;
  }

  async function sync() {
    if (syncing || !navigator.onLine) return { ok: true };
    syncing = true;
    var ok = true;
    try {
      ok = (await scans.flush()).ok && ok;
      ok = (await registrations.flush()).ok && ok;
      await refresh();
    } catch (error) { ok = false; /* network gone mid-upload: the queue still holds every unacknowledged scan */ }
    syncing = false;
    render();
    return { ok: ok };
  }

  async function render() {
    var count = await tx("queue", "readonly", function (store) { return store.count(); });
    document.getElementById("queue-count").textContent = String(count || 0);
    var registrations = await tx("checkpoint", "readonly", function (store) { return store.count(); });
    document.getElementById("checkpoint-count").textContent = String(registrations || 0);
    document.getElementById("stale-banner").hidden = !isStale();
    document.getElementById("net-state").textContent = navigator.onLine ? TEXT.online : TEXT.offline;
    var policy = cache.policy;
    document.getElementById("policy-line").textContent = policy && policy.version
      ? fill(TEXT.policy, { version: policy.version, hours: policy.rules.hours.join("–"), days: policy.rules.out_every_days, threshold: policy.rules.fever_threshold })
      : "";
  }

  function startCamera() {
    var video = document.getElementById("camera");
    // the vendored worker runs from our origin: CSP forbids qr-scanner's default blob: worker
    QrScanner.createQrEngine = function () { return Promise.resolve(new Worker(body.dataset.qrWorker)); };
    var scanner = new QrScanner(video, function (result) { handleToken(result.data || result); },
      { returnDetailedScanResult: true, maxScansPerSecond: 10, onDecodeError: function () {} });
    scanner.start();
    window.XiachenGate.scanner = scanner;
  }

  async function manualLookup(event) {
    event.preventDefault();
    var params = new URLSearchParams({
      reason: document.getElementById("manual-reason").value, building: document.getElementById("manual-building").value,
      room: document.getElementById("manual-room").value, phone_last4: document.getElementById("manual-phone").value
    });
    var list = document.getElementById("manual-results");
    list.textContent = "";
    try {
      var found = await getJson("gates/" + GATE + "/lookup?" + params.toString());
      found.forEach(function (row) {
        var button = document.createElement("button");
        button.type = "button"; button.textContent = row.name;
        button.addEventListener("click", function () { handleToken(row.token, params.get("reason")); });
        var item = document.createElement("li"); item.appendChild(button); list.appendChild(item);
      });
      if (!found.length) list.textContent = TEXT.not_found;
    } catch (error) { list.textContent = TEXT.lookup_needs_network; }
  }

  /* The same rule as the server's checkpoint.admission, under the cached policy (defaults without one). */
  function admission(entry) {
    var rules = cache.policy && cache.policy.rules ? cache.policy.rules : { fever_threshold: 37.3, visitors_allowed: false };
    if (entry.temperature !== null && entry.temperature >= rules.fever_threshold) return "fever";
    if (entry.kind === "visitor" && !rules.visitors_allowed) return "visitors_not_allowed";
    return "";
  }

  async function register(event) {
    event.preventDefault();
    var value = function (id) { return document.getElementById(id).value.trim(); };
    var temp = parseFloat(value("cp-temperature"));
    var entry = {
      client_uuid: uuid4(), gate: GATE, registered_at: Math.floor(Date.now() / 1000), name: value("cp-name"),
      phone: value("cp-phone"), id_number: value("cp-id-number").toUpperCase(), coming_from: value("cp-from"),
      going_to: value("cp-to"), temperature: isNaN(temp) ? null : Math.round(temp * 10) / 10, reason: value("cp-reason"),
      kind: document.getElementById("cp-kind").value
    };
    var status = document.getElementById("checkpoint-status");
    if (!entry.name || !(entry.phone || entry.id_number)) { status.textContent = TEXT.name_and_contact; return; }
    await tx("checkpoint", "readwrite", function (store) { return store.put(entry); });
    event.target.reset();
    var refusal = admission(entry);
    status.textContent = refusal === "fever" ? TEXT.registered_fever
      : refusal === "visitors_not_allowed" ? TEXT.registered_no_visitors : TEXT.registered_ok;
    status.dataset.state = "queued";
    status.dataset.refusal = refusal;
    render();
    if (navigator.onLine) setTimeout(sync, 0);
  }

  async function start() {
    store = await openDb();
    scans = O.outbox(store, "queue", { url: API + "scans", field: "scans", batch: BATCH });
    registrations = O.outbox(store, "checkpoint", { url: API + "checkpoint", field: "entries", batch: BATCH });
    var retry = O.retrying(sync);
    cache = (await tx("cache", "readonly", function (store) { return store.get(GATE); })) || {};
    document.getElementById("camera-start").addEventListener("click", startCamera);
    document.getElementById("sync-now").addEventListener("click", sync);
    document.getElementById("manual-form").addEventListener("submit", manualLookup);
    document.getElementById("checkpoint-form").addEventListener("submit", register);
    document.getElementById("token-form").addEventListener("submit", function (event) {
      event.preventDefault(); handleToken(document.getElementById("token-input").value);
    });
    window.addEventListener("online", retry);
    window.addEventListener("offline", render);
    setInterval(retry, SYNC_EVERY_MS);
    setInterval(render, 30000);
    O.worker(body.dataset.sw, "/gate/");  // keeps this page: it opens offline after this very first visit
    render();
    await refresh();
    await sync();
    body.dataset.ready = "1";
  }

  window.XiachenGate = { handleToken: handleToken, sync: sync, refresh: refresh, startCamera: startCamera, register: register };
  start();
})();
