// formgen's pages: autosave each answer and show the state's rules and the checks of the step
// as the user types; busy forms that cannot be sent twice; a page that keeps what was typed
// when the server cannot be reached. Plain JS, no build step. Server HTML is already escaped;
// problem messages are set with textContent.
(function () {
  "use strict";
  var offline = document.getElementById("offline");

  // Long work (generate, regenerate, open a packet): show progress, refuse a second press.
  document.querySelectorAll("form[data-busy]").forEach(function (busyForm) {
    busyForm.addEventListener("submit", function (event) {
      if (busyForm.dataset.sent === "1") { event.preventDefault(); return; }
      busyForm.dataset.sent = "1";
      busyForm.setAttribute("aria-busy", "true");
      busyForm.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-disabled", "true"); b.classList.add("busy"); });
      var note = document.createElement("p");
      note.className = "progress";
      note.setAttribute("role", "status");
      note.textContent = busyForm.dataset.busy;
      busyForm.appendChild(note);
    });
  });
  document.querySelectorAll("a[data-busy]").forEach(function (link) {
    link.addEventListener("click", function () {
      link.textContent = link.dataset.busy;
      link.setAttribute("aria-busy", "true");
    });
  });

  var form = document.getElementById("step-form");
  if (!form) return;
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var saved = document.getElementById("saved");
  var banner = document.getElementById("errors");
  var version = document.getElementById("version");
  var showAll = /[?&]checked=1/.test(location.search);
  var timer = null;
  var seq = 0;
  var queue = Promise.resolve();  // the autosaves, one after the other
  var busy = 0;  // autosaves queued or in flight
  var resubmitting = false;
  var unreachable = false;
  var stale = false;

  function say(text) { if (saved) saved.textContent = text; }

  function showProblems(problems) {
    var count = 0;
    form.querySelectorAll("[data-error-for]").forEach(function (box) {
      var messages = problems[box.dataset.errorFor] || [];
      count += messages.length ? 1 : 0;
      box.textContent = "";
      messages.forEach(function (m) {
        var span = document.createElement("span");
        span.textContent = m;
        box.appendChild(span);
      });
      var holder = box.closest(".field");
      if (holder) {
        holder.classList.toggle("has-error", messages.length > 0);
        holder.querySelectorAll("input, select").forEach(function (i) {
          if (messages.length) i.setAttribute("aria-invalid", "true"); else i.removeAttribute("aria-invalid");
        });
      }
    });
    if (banner) {  // the banner follows the answers as they are now
      banner.hidden = count === 0;
      banner.textContent = count ? "Please fix " + count + " answer" + (count === 1 ? "" : "s") + " marked below." : "";
    }
  }

  function setOffline(on) {
    unreachable = on;
    if (!offline) return;
    offline.hidden = !on;
    offline.textContent = on ? "formgen serve cannot be reached. What you typed stays on this page; " +
      "it is saved as soon as the server answers again (keep this tab open)." : "";
  }

  // Autosaves go one at a time, in order: two in flight could reach the server in the wrong
  // order and leave an older answer saved. Each reads the form when it is sent, so a queued
  // one that is no longer the latest is skipped (the latest carries its answers too).
  function send(mine) {
    if (mine !== seq || stale) return null;
    var body = new FormData(form);
    body.delete("action");
    if (showAll) body.append("_all", "1");
    return fetch(form.dataset.check, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": token }
    }).then(function (r) {
      if (r.status === 403) {  // the session was replaced: a matter was started or opened in another tab
        return { status: 403, data: { stale: true, message: "This page's session has ended: a matter was started or " +
          "opened in another tab or window, so what you typed here was not saved. Copy what you need, then reload the page." } };
      }
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    }).then(function (reply) {
      setOffline(false);
      var data = reply.data;
      if ((reply.status === 409 || reply.status === 403) && data.stale) {
        stale = true;
        say("");
        if (banner) { banner.hidden = false; banner.textContent = data.message; banner.focus(); }
        return;
      }
      if (reply.status !== 200) { say("Not saved: " + (data.error || "the server refused the answers")); return; }
      if (version && data.version) version.value = data.version;
      if (mine !== seq) return; // a later answer is on its way
      showProblems(data.problems || {});
      var live = document.getElementById("live");
      if (live && typeof data.live_html === "string") live.innerHTML = data.live_html;
      var hint = form.querySelector('[data-live="designations"]');
      var suffixes = document.getElementById("live-suffixes");
      var stateName = document.querySelector("#live h2");
      if (hint && suffixes && stateName) {
        hint.textContent = stateName.textContent.replace(/ rules$/, "") +
          " requires the name to end with one of: " + suffixes.textContent;
      }
      say("Saved");
    }).catch(function () {
      setOffline(true);
      say("Not saved yet: the server cannot be reached");
      setTimeout(function () { if (unreachable) soon(0); }, 4000);
    });
  }

  function check() {
    timer = null;
    var mine = ++seq;
    busy += 1;
    queue = queue.then(function () { return send(mine); }).then(function () { busy -= 1; });
    return queue;
  }

  function soon(delay) {
    say("Saving…");  // "Saved" only once the last answer is stored
    clearTimeout(timer);
    timer = setTimeout(check, delay);
  }
  // A button (Next, Add, Remove) waits for the autosave on its way, so that an older autosave
  // never lands after the button's own save; while the server cannot be reached the page stays.
  form.addEventListener("submit", function (event) {
    if (stale) { event.preventDefault(); return; }
    if (resubmitting) return;
    var pending = timer !== null;
    clearTimeout(timer);
    timer = null;
    event.preventDefault();
    var submitter = event.submitter;
    var wait = pending ? check() : queue;
    wait.then(function () {
      if (unreachable || stale) return;  // what was typed stays on the page
      // a task later: while this submit event is being handled the form ignores a new submit
      setTimeout(function () {
        resubmitting = true;
        form.requestSubmit(submitter || undefined);
      }, 0);
    });
  });
  var nameBox = form.querySelector('[name="deal.name"]');
  var header = document.querySelector("header .deal");
  if (nameBox && header) nameBox.addEventListener("input", function () { header.textContent = nameBox.value; });
  // Only the amount field of the chosen fee basis is asked for (the model allows no other).
  var basis = form.querySelector('[name="fees.basis"]');
  function showFeeField() {
    form.querySelectorAll("[data-only-for-basis]").forEach(function (box) {
      var on = box.dataset.onlyForBasis === basis.value;
      box.hidden = !on;
      box.querySelectorAll("input").forEach(function (i) { i.disabled = !on; });
    });
  }
  if (basis) {
    basis.addEventListener("change", showFeeField);
    showFeeField();
  }
  form.addEventListener("input", function () { soon(400); });
  form.addEventListener("change", function () { soon(50); });
  // After a blocked Next: focus the first answer to fix (its message is read with it).
  if (showAll && banner && !banner.hidden) {
    var first = form.querySelector('[aria-invalid="true"]');
    if (!first) {  // a problem of a whole list (a sum): its first share, else its first answer
      var box = form.querySelector("[data-error-for] span");
      var holder = box && box.closest("fieldset, .field");
      first = holder && (holder.querySelector('input[name$="].percent"]') || holder.querySelector("input, select"));
    }
    (first || banner).focus();
  } else if (document.getElementById("undo")) {
    document.getElementById("undo").focus();
  }
  // Small screens: the rules panel starts folded, above the form.
  var liveBox = document.getElementById("live-box");
  if (liveBox && window.matchMedia("(max-width: 700px)").matches) liveBox.open = false;
  var stepsMenu = document.querySelector(".steps-menu");
  if (stepsMenu && window.matchMedia("(max-width: 700px)").matches) stepsMenu.open = false;
})();
