// Switchboard dev server: live updates and actions without a reload.
// Plain script, no build step. Without it the page still works: forms post
// and come back, and reloading shows the latest state.
(function () {
  "use strict";

  var state = document.getElementById("live-state");

  function setState(name, text) {
    if (!state) return;
    state.dataset.state = name;
    state.textContent = text;
  }

  // Redraw one region, keeping what the person was doing in it: the
  // element that had focus, what they typed, and which details were open.
  function redraw(region, html) {
    var el = document.querySelector('[data-region="' + region + '"]');
    if (!el) return;
    var active = document.activeElement;
    var focusID = active && el.contains(active) ? active.id : "";
    var values = {};
    el.querySelectorAll("input[id], textarea[id], select[id]").forEach(function (f) {
      if (f.type !== "hidden") values[f.id] = f.value;
    });
    var open = {};
    el.querySelectorAll("details[open][id]").forEach(function (d) { open[d.id] = true; });
    el.innerHTML = html;
    Object.keys(values).forEach(function (id) {
      var f = document.getElementById(id);
      if (f && el.contains(f)) f.value = values[id];
    });
    Object.keys(open).forEach(function (id) {
      var d = document.getElementById(id);
      if (d) d.open = true;
    });
    if (focusID) {
      // The element may be gone (a Scan button once scanned): keep the
      // keyboard where it was rather than at the top of the page.
      var f = document.getElementById(focusID) || el;
      f.focus();
    }
  }

  function connect() {
    if (!window.EventSource) {
      setState("off", "Live updates need a newer browser: reload to see changes.");
      return;
    }
    setState("connecting", "Connecting to live updates…");
    var es = new EventSource("/events");
    es.onopen = function () { setState("live", "Live: changes appear as they happen."); };
    es.onerror = function () { setState("retrying", "Live updates interrupted: reconnecting…"); };
    document.querySelectorAll("[data-region]").forEach(function (el) {
      var region = el.dataset.region;
      es.addEventListener(region, function (ev) { redraw(region, ev.data); });
    });
  }

  // Post a form with fetch and show the answer next to it; the live
  // regions show what it changed.
  function resultFor(form) {
    var out = form.querySelector(".result");
    if (out) return out;
    var section = form.closest("section");
    return section ? section.querySelector(".result") : null;
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("action")) return;
    ev.preventDefault();
    var submitter = ev.submitter || null;
    var action = submitter && submitter.hasAttribute("formaction") ? submitter.formAction : form.action;
    var body = new URLSearchParams(new FormData(form, submitter));
    var out = resultFor(form);
    if (out) {
      out.dataset.ok = "";
      out.textContent = "Working…";
    }
    if (submitter) submitter.setAttribute("aria-busy", "true");
    fetch(action, {
      method: "POST",
      body: body,
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (resp) {
      return resp.json().catch(function () {
        return { ok: false, message: "The dev server answered " + resp.status + "." };
      });
    }).then(function (res) {
      if (!out) return;
      out.dataset.ok = res.ok ? "yes" : "no";
      out.textContent = res.message;
    }).catch(function () {
      if (!out) return;
      out.dataset.ok = "no";
      out.textContent = "The dev server did not answer: is it still running?";
    }).finally(function () {
      if (submitter) submitter.removeAttribute("aria-busy");
    });
  });

  connect();
})();
