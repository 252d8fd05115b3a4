/* The phone form of a door-to-door survey (入户摸排, ADR 2021).
 * - household: compound → building → entrance → flat, cascading, from the register JSON;
 * - one block per registered member for per-member questions (repeat group);
 * - calculations, skip logic, constraints with their messages: XiachenExpr (expressions.js), the same
 *   language and order the server applies again on submission;
 * - GPS from navigator.geolocation; photos redrawn through a canvas (at most 1280 px, JPEG): the
 *   re-encoding drops EXIF (position, camera, time) before anything leaves the phone.
 * Delivery: online, a JSON POST (deliver) with a client UUID kept until the server answers, so a retry
 * is never stored twice; without signal, the same payload under the same UUID goes into the shared
 * offline engine's queue (offline.js, kind "survey.visit") and is synced when the signal returns. The
 * engine's service worker keeps this page and the register, so it reopens offline (ADR 2001, 2021). */
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  var specNode = document.getElementById("visit-spec");
  if (!form || !specNode || !self.XiachenExpr) return;
  var spec = JSON.parse(specNode.textContent);
  var T = spec.texts;
  var X = self.XiachenExpr;
  var questions = spec.questions;
  var byId = {};
  questions.forEach(function (q) {
    byId[q.id] = q;
    q.calcTree = q.calculation ? X.parse(q.calculation) : null;
    q.constraintTree = q.constraint ? X.parse(q.constraint) : null;
  });
  var PHOTO_SIDE = 1280;
  var compounds = [];
  var pendingUuid = null;
  var members = [];
  var el = function (id) { return document.getElementById(id); };
  var picks = { compound: el("pick-compound"), building: el("pick-building"), entrance: el("pick-entrance"), flat: el("pick-flat") };

  function make(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function fill(select, items, label) {
    select.textContent = "";
    select.appendChild(make("option", { value: "" }, T.choose));
    items.forEach(function (item, i) { select.appendChild(make("option", { value: String(i) }, label(item))); });
    select.disabled = items.length === 0;
  }
  function chosen(select, items) { return select.value === "" ? null : items[Number(select.value)]; }
  function currentCompound() { return chosen(picks.compound, compounds); }
  function currentBuilding() { var c = currentCompound(); return c ? chosen(picks.building, c.buildings) : null; }
  function currentEntrance() { var b = currentBuilding(); return b ? chosen(picks.entrance, b.entrances) : null; }
  function currentFlat() { var e = currentEntrance(); return e ? chosen(picks.flat, e.flats) : null; }

  picks.compound.addEventListener("change", function () {
    var c = currentCompound();
    fill(picks.building, c ? c.buildings : [], function (b) { return b.name; });
    picks.building.dispatchEvent(new Event("change"));
  });
  picks.building.addEventListener("change", function () {
    var b = currentBuilding();
    fill(picks.entrance, b ? b.entrances : [], function (e) { return e.name || "—"; });
    if (b && b.entrances.length === 1) picks.entrance.value = "0";
    picks.entrance.dispatchEvent(new Event("change"));
  });
  picks.entrance.addEventListener("change", function () {
    var e = currentEntrance();
    fill(picks.flat, e ? e.flats : [], function (f) { return f.room + (f.reached ? T.reached : ""); });
    picks.flat.dispatchEvent(new Event("change"));
  });
  picks.flat.addEventListener("change", function () {
    var f = currentFlat();
    el("flat-note").textContent = f && f.reached ? T.already : "";
    members = f ? f.members : [];
    pendingUuid = null;
    renderMembers();
    update(false);
  });

  // --- questions ---
  function fieldFor(q, member) {
    var wrap = make("div", { "class": "field", "data-q": q.id, "data-member": member ? member.id : "" });
    var base = "q-" + q.id + (member ? "-" + member.id : "");
    var label = make("label", { "for": base }, q.position + ". " + q.text + (q.required ? " *" : ""));
    var input;
    wrap.appendChild(label);
    if (q.kind === "single" || q.kind === "multiple") {
      label.removeAttribute("for");
      var list = make("ul", { id: base });
      q.choices.forEach(function (choice, i) {
        var li = make("li"), id = base + "-" + i;
        var box = make("input", { type: q.kind === "single" ? "radio" : "checkbox", name: base, value: choice, id: id });
        li.appendChild(box);
        li.appendChild(make("label", { "for": id }, choice));
        list.appendChild(li);
      });
      wrap.appendChild(list);
    } else if (q.kind === "rating") {
      input = make("select", { id: base });
      input.appendChild(make("option", { value: "" }, T.choose));
      for (var n = 1; n <= q.rating_max; n += 1) input.appendChild(make("option", { value: String(n) }, String(n)));
      wrap.appendChild(input);
    } else if (q.kind === "number") {
      wrap.appendChild(make("input", { id: base, type: "text", inputmode: "decimal", autocomplete: "off" }));
    } else if (q.kind === "date") {
      wrap.appendChild(make("input", { id: base, type: "date" }));
    } else if (q.kind === "text") {
      wrap.appendChild(make("textarea", { id: base, rows: "2", maxlength: "1000" }));
    } else if (q.kind === "calculated") {
      wrap.appendChild(make("output", { id: base, "class": "calculated", "aria-label": T.calculated }, "—"));
    } else if (q.kind === "gps") {
      var button = make("button", { type: "button", id: base, "class": "button secondary" }, T.locate);
      var where = make("span", { "class": "hint gps-value" });
      button.addEventListener("click", function () {
        if (!navigator.geolocation) { where.textContent = T.locFailed; return; }
        navigator.geolocation.getCurrentPosition(function (pos) {
          wrap.gps = { lat: pos.coords.latitude, lng: pos.coords.longitude, accuracy: pos.coords.accuracy };
          where.textContent = T.located + " " + pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
          update(false);
        }, function () { where.textContent = T.locFailed; }, { enableHighAccuracy: true, timeout: 15000 });
      });
      wrap.appendChild(button);
      wrap.appendChild(where);
    } else if (q.kind === "photo") {
      var file = make("input", { id: base, type: "file", accept: "image/*", capture: "environment" });
      var state = make("span", { "class": "hint photo-state" });
      file.addEventListener("change", function () {
        wrap.photo = null;
        if (!file.files || !file.files[0]) { update(false); return; }
        shrink(file.files[0]).then(function (dataUrl) {
          wrap.photo = dataUrl;
          state.textContent = T.photoReady + "（" + Math.round(dataUrl.length * 3 / 4 / 1024) + " KB）";
          update(false);
        }, function () { state.textContent = T.photoFailed; update(false); });
      });
      wrap.appendChild(file);
      wrap.appendChild(state);
    }
    wrap.appendChild(make("p", { "class": "errors field-message", role: "alert" }));
    return wrap;
  }

  /* Redraw the photo on a canvas, at most PHOTO_SIDE px on the longer side, as JPEG: the canvas holds
   * pixels only, so EXIF (GPS position, device, time) is gone from what is sent. */
  function shrink(blob) {
    var load = self.createImageBitmap
      ? createImageBitmap(blob, { imageOrientation: "from-image" })
      : new Promise(function (resolve, reject) {
        var img = new Image();
        img.onload = function () { resolve(img); };
        img.onerror = reject;
        img.src = URL.createObjectURL(blob);
      });
    return load.then(function (image) {
      var w = image.width, h = image.height, scale = Math.min(1, PHOTO_SIDE / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      var url = canvas.toDataURL("image/jpeg", 0.8);
      if (url.length > 700000) url = canvas.toDataURL("image/jpeg", 0.6);
      return url;
    });
  }

  function renderMembers() {
    var box = el("member-blocks");
    box.textContent = "";
    var perMember = questions.filter(function (q) { return q.per_member; });
    if (!perMember.length || !currentFlat()) return;
    if (!members.length) { box.appendChild(make("p", { "class": "muted" }, T.noMembers)); return; }
    members.forEach(function (m, i) {
      var block = make("section", { "class": "card member-block", "data-member": m.id });
      block.appendChild(make("h2", {}, T.members + " " + (i + 1) + "：" + m.label));
      perMember.forEach(function (q) { block.appendChild(fieldFor(q, m)); });
      box.appendChild(block);
    });
  }
  var householdBox = el("household-questions");
  questions.filter(function (q) { return !q.per_member; }).forEach(function (q) { householdBox.appendChild(fieldFor(q, null)); });

  function wrapOf(q, member) {
    return form.querySelector('.field[data-q="' + q.id + '"][data-member="' + (member ? member.id : "") + '"]');
  }
  function raw(q, wrap) {
    if (q.kind === "single" || q.kind === "multiple") {
      return Array.prototype.map.call(wrap.querySelectorAll("input:checked"), function (i) { return i.value; });
    }
    if (q.kind === "gps") return wrap.gps || null;
    if (q.kind === "photo") return wrap.photo || null;
    if (q.kind === "calculated") return null;
    var input = wrap.querySelector("input, select, textarea");
    return input && input.value.trim() ? [input.value.trim()] : [];
  }
  /* The typed value of a raw answer, as the server's _parse gives it (null: empty; undefined: invalid). */
  function typed(q, r) {
    if (q.kind === "gps" || q.kind === "photo") return r;
    if (!r || !r.length) return null;
    if (q.kind === "single") return r[0];
    if (q.kind === "multiple") return q.choices.filter(function (c) { return r.indexOf(c) >= 0; });
    if (q.kind === "rating") return Number(r[0]);
    if (q.kind === "number") return /^-?\d+(\.\d+)?$/.test(r[0]) ? r[0] : undefined;
    return r[0];
  }
  function envValue(q, v) {
    if (v === null || v === undefined) return null;
    if (q.kind === "number" || q.kind === "rating") return Number(v);
    if (q.kind === "gps" || q.kind === "photo") return true;
    return v;
  }

  /* One pass in question order, as fieldwork.check_household does; returns the problems found. */
  function update(showRequired) {
    var env = {}, household = {}, memberEnv = {}, memberValues = {}, problems = [];
    members.forEach(function (m) { memberEnv[m.id] = {}; memberValues[m.id] = {}; });
    function one(q, wrap, scope, values) {
      if (!wrap) return null;
      var shown = !q.show_if || values[q.show_if] === q.show_if_value;
      wrap.hidden = !shown;
      var message = wrap.querySelector(".field-message");
      message.textContent = "";
      wrap.classList.remove("field-invalid");
      if (!shown) return null;
      var value;
      if (q.kind === "calculated") {
        value = X.evaluate(q.calcTree, scope);
        if (Array.isArray(value)) value = null;
        wrap.querySelector("output").textContent = value === null ? "—" : String(value);
      } else {
        value = typed(q, raw(q, wrap));
      }
      var problem = null;
      if (value === undefined) { problem = T.fix; value = null; }
      else if (value === null || (Array.isArray(value) && !value.length)) {
        value = null;
        if (q.required && showRequired) problem = T.required;
      } else if (q.constraintTree) {
        var s = Object.assign({}, scope);
        s["."] = envValue(q, value);
        if (!X.truthy(X.evaluate(q.constraintTree, s))) { problem = q.constraint_message; value = null; }
      }
      if (problem) {
        message.textContent = problem;
        wrap.classList.add("field-invalid");
        problems.push(wrap);
      }
      return value;
    }
    questions.forEach(function (q) {
      var name = "q" + q.position;
      if (q.per_member) {
        env[name] = members.map(function (m) {
          var v = one(q, wrapOf(q, m), Object.assign({}, env, memberEnv[m.id]), Object.assign({}, household, memberValues[m.id]));
          if (v !== null) memberValues[m.id][q.id] = v;
          memberEnv[m.id][name] = envValue(q, v);
          return envValue(q, v);
        });
      } else {
        var v = one(q, wrapOf(q, null), env, household);
        if (v !== null) household[q.id] = v;
        env[name] = envValue(q, v);
      }
    });
    return problems;
  }
  form.addEventListener("input", function () { update(false); });
  form.addEventListener("change", function () { update(false); });

  function collect() {
    var flat = currentFlat(), answers = {}, perMember = {};
    questions.forEach(function (q) {
      if (q.kind === "calculated") return;
      if (q.per_member) {
        members.forEach(function (m) {
          var wrap = wrapOf(q, m);
          if (wrap && !wrap.hidden) (perMember[m.id] = perMember[m.id] || {})[q.id] = raw(q, wrap);
        });
      } else {
        var wrap = wrapOf(q, null);
        if (wrap && !wrap.hidden) answers[q.id] = raw(q, wrap);
      }
    });
    if (!pendingUuid) pendingUuid = self.crypto.randomUUID();
    return { client_uuid: pendingUuid, household: flat.household, filled_at: new Date().toISOString(),
             answers: answers, members: perMember };
  }

  function csrf() { return form.querySelector("input[name=csrfmiddlewaretoken]").value; }

  /* The one place a submission leaves the page. The offline engine replaces this with its queue
   * (same payload, same URL; the client_uuid makes replays harmless). */
  function deliver(payload) {
    return fetch(spec.submit, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(payload)
    }).then(function (response) { return response.json(); });
  }

  function showProgress(progress) {
    Object.keys(progress || {}).forEach(function (key) {
      var row = document.querySelector('#visit-progress [data-compound="' + key + '"]');
      if (!row) return;
      row.querySelector(".reached").textContent = progress[key].reached;
      row.querySelector(".total").textContent = progress[key].total;
      row.querySelector(".rate").textContent = progress[key].rate;
    });
  }
  // --- the shared offline engine (xiachen/static/offline/offline.js) ---
  var O = self.XiachenOffline, outbox = null, syncSoon = function () {};
  function fillText(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, n) { return String(values[n]); });
  }
  function showWaiting() {
    if (!outbox) return Promise.resolve();
    return outbox.count().then(function (n) {
      var node = el("visit-waiting");
      node.dataset.count = String(n);
      node.textContent = n ? fillText(T.waiting, { n: n }) : "";
    });
  }
  function onSynced(result, record) {
    if (result.status === "applied") {
      if (result.data && result.data.progress) showProgress(result.data.progress);
      return;
    }
    var label = record && record.data ? record.data.label : "";
    el("visit-sync-problems").appendChild(make("p", {}, fillText(T.syncProblem, { label: label, message: result.message })));
  }
  function queue(payload, label) {
    return outbox.add({
      client_uuid: payload.client_uuid, kind: "survey.visit", at: Math.floor(Date.now() / 1000),
      data: Object.assign({ survey: spec.survey, label: label }, payload)
    }).then(showWaiting);
  }
  if (O) {
    O.open("xiachen-surveys", 1, function (database, oldVersion) {
      if (oldVersion < 1) database.createObjectStore("visits", { keyPath: "client_uuid" });
    }).then(function (db) {
      outbox = O.outbox(db, "visits", { url: spec.sync, field: "changes", onResult: onSynced });
      syncSoon = O.retrying(function () { return outbox.flush().then(function (r) { return showWaiting().then(function () { return r; }); }); });
      window.addEventListener("online", function () { syncSoon(); });
      return showWaiting().then(function () { if (navigator.onLine) syncSoon(); });
    });
    O.worker(spec.worker, spec.scope, [spec.register]);
  }

  function showServerErrors(errors) {
    var list = el("visit-errors");
    (errors || []).forEach(function (e) {
      var wrap = form.querySelector('.field[data-q="' + e.question + '"][data-member="' + (e.member || "") + '"]');
      if (wrap) {
        wrap.querySelector(".field-message").textContent = e.message;
        wrap.classList.add("field-invalid");
      } else {
        list.appendChild(make("p", {}, e.message));
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var status = el("visit-status");
    el("visit-errors").textContent = "";
    if (!currentFlat()) { status.textContent = T.pickFlat; return; }
    var problems = update(true);
    if (problems.length) {
      status.textContent = T.fix;
      problems[0].scrollIntoView({ block: "center" });
      return;
    }
    var button = el("visit-submit");
    button.disabled = true;
    status.textContent = T.saving;
    var flat = currentFlat();
    var label = [currentCompound().name, currentBuilding().name, currentEntrance().name, flat.room].join(" ");
    var payload = collect();
    function done(message) {
      pendingUuid = null;
      flat.reached = true;
      status.textContent = message;
      form.querySelectorAll("#household-questions input, #household-questions textarea, #household-questions select")
        .forEach(function (input) {
          if (input.type === "radio" || input.type === "checkbox") input.checked = false; else input.value = "";
        });
      form.querySelectorAll(".field").forEach(function (wrap) { wrap.gps = null; wrap.photo = null; });
      form.querySelectorAll(".gps-value, .photo-state").forEach(function (node) { node.textContent = ""; });
      picks.entrance.dispatchEvent(new Event("change"));
    }
    function keepOnPhone() {
      return queue(payload, label).then(function () { button.disabled = false; done(T.queued); });
    }
    if (outbox && !navigator.onLine) { keepOnPhone(); return; }
    deliver(payload).then(function (result) {
      button.disabled = false;
      showProgress(result.progress);
      if (result.ok) {
        done(result.status === "duplicate" ? T.duplicate : T.saved);
      } else {
        if (result.status !== "invalid") pendingUuid = null;  // a conflict is final for this UUID
        status.textContent = result.message || T.failed;
        showServerErrors(result.errors);
      }
    }, function () {
      if (outbox) { keepOnPhone(); return; }  // no answer: queued under the same UUID, stored once
      button.disabled = false;
      status.textContent = T.failed;  // pendingUuid kept: the retry is the same submission
    });
  });

  fetch(spec.register, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    compounds = data.compounds;
    fill(picks.compound, compounds, function (c) { return c.name; });
    if (compounds.length === 1) picks.compound.value = "0";
    picks.compound.dispatchEvent(new Event("change"));
    document.body.dataset.ready = "1";
  });
  update(false);
})();
