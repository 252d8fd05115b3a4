/* The phone app of cadres and community workers (ADR 2001): today's errands round, quarantine visits,
 * the masked household cards, my shifts and the post clock-in, all usable offline after the first visit.
 * Data: /field/data.json (kept by the service worker and in IndexedDB); changes: queued by the shared
 * offline engine (static/offline/offline.js) and sent in batches to /field/sync, which answers per change
 * (saved, duplicate, conflict, refused). Pending changes are laid over the data, so a reload offline shows
 * the work done; conflicts and refusals stay listed until the user dismisses them. */
(function () {
  "use strict";
  var O = window.XiachenOffline, body = document.body;
  var TEXT = JSON.parse(document.getElementById("field-messages").textContent);
  var match = location.pathname.match(/^\/field\/scan\/([^/]+)\/?$/);
  var TOKEN = match ? decodeURIComponent(match[1]) : "";
  var db = null, box = null, data = null, retry = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else if (k === "cls") node.className = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function fill(template, values) { return template.replace(/%\((\w+)\)s/g, function (_m, n) { return String(values[n]); }); }

  function openDb() {
    return O.open("xiachen-field", 1, function (database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore("changes", { keyPath: "client_uuid" });
        database.createObjectStore("problems", { keyPath: "client_uuid" });
        database.createObjectStore("cache");
      }
    }, ["cache"]);  // forgotten at sign-out: the copy of server data (the queue and its answers stay)
  }

  async function loadData() {
    if (!navigator.onLine) {  // no round trip through the worker: the copy kept in IndexedDB
      data = data || (await db.get("cache", "data")) || null;
      return;
    }
    try {
      var response = await fetch(body.dataset.data, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok && (response.headers.get("Content-Type") || "").indexOf("json") >= 0) {
        data = await response.json();
        await db.put("cache", data, "data");
        return;
      }
    } catch (error) { /* offline: the copy kept in IndexedDB below */ }
    data = data || (await db.get("cache", "data")) || null;
  }

  function queue(kind, base, payload, label) {
    return box.add({ kind: kind, base: base || null, at: Math.floor(Date.now() / 1000), data: payload, label: label })
      .then(function () { render(); if (navigator.onLine) retry(); });
  }

  async function onResult(result, record) {
    if (record && record.kind === "attendance.scan") {
      $("clock-status").textContent = result.status === "applied" ? (result.data && result.data.message) || "" : result.message;
      $("clock-status").dataset.state = result.status;
    }
    if (result.status === "conflict" || result.status === "rejected") {
      await db.put("problems", { client_uuid: result.client_uuid, status: result.status, message: result.message,
        kind: record ? record.kind : "", label: record ? record.label : "", at: Date.now() });
    }
  }

  async function sync() {
    if (!navigator.onLine) { render(); return { ok: true }; }
    var outcome = await box.flush();
    await loadData();
    await render();
    return outcome;
  }

  function errandRow(errand, pending) {
    var move = pending.filter(function (c) { return c.kind === "errand.move" && c.data.errand === errand.id; }).pop();
    var status = move ? move.data.to : errand.status;
    var next = TEXT.next[status];
    var address = el("button", { type: "button", cls: "link", "data-household": errand.household, text: errand.address });
    var state = el("span", { cls: "state" + (move ? " queued" : ""), text: TEXT.statuses[status] + (move ? TEXT.queued : "") });
    var item = el("li", { "data-errand": errand.id, "data-status": status, "data-version": errand.version }, [
      address, el("div", { text: errand.kind_label + " · " + errand.details }), state]);
    if (next) {
      var button = el("button", { type: "button", cls: "move", "data-to": next, text: TEXT.moves[next] });
      button.addEventListener("click", function () {
        queue("errand.move", errand.version, { errand: errand.id, to: next }, errand.address + " " + TEXT.moves[next]);
      });
      item.appendChild(el("div", {}, [button]));
    }
    return item;
  }

  function visitRow(visit, pending) {
    var queued = pending.some(function (c) { return c.kind === "visit.report" && c.data.visit === visit.id; });
    var item = el("li", { "data-visit": visit.id }, [
      el("button", { type: "button", cls: "link", "data-household": visit.household, text: visit.address }),
      el("div", { text: visit.resident + " · " + visit.day })]);
    if (visit.reported || queued) {
      item.appendChild(el("span", { cls: "state" + (queued ? " queued" : ""), text: TEXT.reported + (queued ? TEXT.queued : "") }));
      return item;
    }
    var temperature = el("input", { type: "number", step: "0.1", min: "34", max: "43", inputmode: "decimal", cls: "temperature", "aria-label": TEXT.temperature, placeholder: TEXT.temperature });
    var symptoms = el("input", { cls: "symptoms", maxlength: "200", "aria-label": TEXT.symptoms, placeholder: TEXT.symptoms });
    var button = el("button", { type: "button", cls: "report", text: TEXT.report });
    var note = el("small", { cls: "note" });
    button.addEventListener("click", function () {
      var value = parseFloat(temperature.value);
      if (isNaN(value) || value < 34 || value > 43) { note.textContent = TEXT.need_temperature; return; }
      queue("visit.report", visit.version, { visit: visit.id, temperature: value.toFixed(1), symptoms: symptoms.value.trim() },
        visit.address + " " + TEXT.report);
    });
    item.appendChild(el("div", {}, [temperature, symptoms, button, note]));
    return item;
  }

  function householdCard(household) {
    var members = el("ul", { cls: "members" }, household.members.map(function (m) {
      return el("li", { text: m.name + (m.phone ? " " + m.phone : "") });
    }));
    var card = el("div", { cls: "card", id: "household-" + household.id, "data-open": "0" }, [
      el("h3", { text: household.address }),
      household.quarantine ? el("p", { cls: "state", text: TEXT.quarantine + "：" + household.quarantine }) : null,
      members]);
    card.addEventListener("click", function () { card.dataset.open = card.dataset.open === "1" ? "0" : "1"; });
    return card;
  }

  function list(node, rows, empty) {
    node.textContent = "";
    if (!rows.length) node.appendChild(el("li", { cls: "muted", text: empty }));
    rows.forEach(function (r) { node.appendChild(r); });
  }

  async function render() {
    var pending = await box.pending();
    $("pending-count").textContent = String(pending.length);
    $("sync-now").setAttribute("aria-label", fill(TEXT.pending, { n: pending.length }));
    $("net-state").textContent = navigator.onLine ? TEXT.online : TEXT.offline;
    var problems = await db.all("problems");
    $("problems").hidden = !problems.length;
    list($("problem-list"), problems.map(function (p) {
      var dismiss = el("button", { type: "button", text: TEXT.dismiss });
      dismiss.addEventListener("click", function () { db.remove("problems", [p.client_uuid]).then(render); });
      return el("li", { "data-status": p.status }, [
        el("strong", { text: (p.status === "conflict" ? TEXT.conflict : TEXT.rejected) + "：" }),
        el("span", { text: (p.label ? p.label + " — " : "") + p.message + " " }), dismiss]);
    }), "");
    if (!data) { $("data-age").textContent = TEXT.no_data; return; }
    $("data-age").textContent = fill(TEXT.stale, { time: new Date(data.generated_at).toLocaleString() });
    list($("errand-list"), data.errands.map(function (e) { return errandRow(e, pending); }), TEXT.no_errands);
    list($("visit-list"), data.visits.map(function (v) { return visitRow(v, pending); }), TEXT.no_visits);
    var cards = $("household-list"); cards.textContent = "";
    data.households.forEach(function (h) { cards.appendChild(householdCard(h)); });
    if (!data.households.length) cards.textContent = TEXT.no_households;
    list($("shift-list"), data.shifts.map(function (s) {
      return el("li", { text: s.day + " " + s.name + " " + s.start + "–" + s.end + " · " + s.post });
    }), TEXT.no_shifts);
  }

  function openHousehold(event) {
    var id = event.target.dataset && event.target.dataset.household;
    if (!id) return;
    var card = $("household-" + id);
    if (!card) return;
    card.dataset.open = "1"; card.classList.add("highlight"); card.scrollIntoView();
  }

  function clockIn() {
    var status = $("clock-status");
    if (!navigator.geolocation) { status.textContent = TEXT.no_location; return; }
    status.textContent = TEXT.locating; status.dataset.state = "locating";
    navigator.geolocation.getCurrentPosition(function (position) {
      var c = position.coords;
      queue("attendance.scan", null, { token: TOKEN, latitude: c.latitude, longitude: c.longitude, accuracy: c.accuracy },
        TEXT.kind["attendance.scan"]).then(function () {
        if (!navigator.onLine) { status.textContent = TEXT.clock_queued; status.dataset.state = "queued"; }
      });
    }, function () { status.textContent = TEXT.no_location; status.dataset.state = "no_location"; },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  async function start() {
    db = await openDb();
    box = O.outbox(db, "changes", { url: body.dataset.sync, field: "changes", batch: 500, onResult: onResult });
    retry = O.retrying(sync);
    if (TOKEN) { $("clock").hidden = false; $("clock-in").addEventListener("click", clockIn); }
    $("sync-now").addEventListener("click", retry);
    document.addEventListener("click", openHousehold);
    window.addEventListener("online", retry);
    window.addEventListener("offline", render);
    setInterval(retry, 15000);
    O.worker(body.dataset.sw, "/field/", [body.dataset.data, "/field/"]);
    await loadData();
    await render();
    body.dataset.ready = "1";
    if (navigator.onLine) await retry();
  }

  window.XiachenField = { sync: function () { return retry(); }, render: function () { return render(); },
    outbox: function () { return box; } };
  start();
})();
