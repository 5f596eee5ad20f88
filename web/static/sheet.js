// Grade sheet page: each value is checked and saved by the API as soon as
// the teacher leaves its cell; Enter moves to the same column of the next
// student. Without this script the form's button saves everything at once.
(function () {
  "use strict";
  var form = document.getElementById("saisie");
  if (!form) return;
  var api = form.dataset.api, csrf = form.dataset.csrf;
  var inputs = function () { return Array.prototype.slice.call(form.querySelectorAll("input.entry:not([readonly])")); };
  var pending = 0;
  form.dataset.pending = "0";

  function text(entry) {
    if (!entry) return "";
    if (entry.code) return entry.code;
    return (entry.mark || "").replace(".", ",");
  }

  function remember(pos) {
    var m = document.cookie.match(/(?:^|; )gradelog_pos=(\d+)/);
    if (!pos || (m && Number(m[1]) >= pos)) return;
    document.cookie = "gradelog_pos=" + pos + "; path=/; SameSite=Lax";
  }

  function state(row, msg, cls) {
    var cell = row.querySelector("td.state");
    cell.textContent = msg;
    row.classList.remove("saved", "refused");
    if (cls) row.classList.add(cls);
  }

  function refresh() {
    return fetch(api, { credentials: "same-origin", headers: { "Accept": "application/json", "Accept-Language": "fr" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (sheet) {
        if (!sheet) return;
        Array.prototype.forEach.call(document.querySelectorAll(".missing-count"), function (el) { el.textContent = sheet.missing; });
        var incomplete = (sheet.rows || []).filter(function (r) { return r.missing && r.missing.length > 0; }).length;
        Array.prototype.forEach.call(document.querySelectorAll(".incomplete-count"), function (el) { el.textContent = incomplete; });
      });
  }

  function busy(delta) {
    pending += delta;
    form.dataset.pending = String(pending);
  }

  function save(input) {
    var value = input.value.trim();
    if (value === input.dataset.saved || value === input.dataset.sending) return;
    input.dataset.sending = value;
    var row = input.closest("tr");
    var motif = document.getElementById("motif");
    var entry = { student: row.dataset.student, activity: input.dataset.activity, value: value,
      version: Number(input.dataset.version || 0) };
    if (motif && motif.value.trim()) entry.reason = motif.value.trim();
    state(row, "enregistrement…");
    busy(1);
    fetch(api + "/entries", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "Accept-Language": "fr", "X-CSRF-Token": csrf,
        "Idempotency-Key": (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now() + Math.random()) },
      body: JSON.stringify({ source: "form", entries: [entry] })
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    }).then(function (a) {
      if (a.status === 200) {
        var res = a.body.results[0];
        input.dataset.version = res.version;
        input.dataset.saved = text(res.entry);
        input.value = input.dataset.saved;
        input.removeAttribute("aria-invalid");
        var hidden = form.querySelector('input[type=hidden][name="version:' + entry.student + ":" + entry.activity + '"]');
        if (hidden) hidden.value = res.version;
        remember(a.body.position);
        state(row, res.outcome === "saved" ? "enregistré : " + (input.value || "effacé") : "inchangé", "saved");
        return refresh();
      }
      // The rules only, in French (Accept-Language): the row and the
      // column already say which cell and value they are about.
      var problems = (a.body.problems || []).map(function (p) { return p.rule; });
      if (a.status === 409 && a.body.current) {
        problems.push("valeur actuelle : " + text(a.body.current.entry));
        input.dataset.version = a.body.current.version;
      }
      input.setAttribute("aria-invalid", "true");
      state(row, "refusé (rien n'est enregistré) — " + (problems.join(" ; ") || a.body.error), "refused");
    }).catch(function () {
      state(row, "pas de connexion : la valeur n'est pas enregistrée", "refused");
    }).then(function () { delete input.dataset.sending; busy(-1); });
  }

  form.addEventListener("change", function (e) {
    if (e.target.classList.contains("entry")) save(e.target);
  });
  // Enter in a cell never submits a form, not even the one its keydown
  // moved the focus to (some input methods send the keypress apart).
  var moved = false;
  document.addEventListener("keypress", function (e) {
    if (e.key !== "Enter") return;
    if (moved || e.target.classList.contains("entry")) e.preventDefault();
    moved = false;
  }, true);
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !e.target.classList.contains("entry")) return;
    e.preventDefault();
    var col = e.target.dataset.activity, all = inputs(), i = all.indexOf(e.target);
    for (var j = i + 1; j < all.length; j++) {
      if (all[j].dataset.activity === col) { all[j].focus(); all[j].select(); return; }
    }
    save(e.target);
    moved = true;
    setTimeout(function () { moved = false; }, 200);
    var submit = document.getElementById("remettre");
    if (submit) submit.closest("form").querySelector("input[name=confirmation]").focus();
  });
})();
