// formgen interview: autosave each answer and show the state's rules and the loader's
// problems as the user types. Plain JS, no build step. Server HTML is already escaped;
// problem messages are set with textContent.
(function () {
  "use strict";
  var form = document.getElementById("step-form");
  if (!form) return;
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var step = form.dataset.step;
  var saved = document.getElementById("saved");
  var timer = null;
  var seq = 0;
  var queue = Promise.resolve();  // the autosaves, one after the other
  var busy = 0;  // autosaves queued or in flight
  var resubmitting = false;

  function showProblems(problems) {
    form.querySelectorAll("[data-error-for]").forEach(function (box) {
      var messages = problems[box.dataset.errorFor] || [];
      box.textContent = "";
      messages.forEach(function (m) {
        var span = document.createElement("span");
        span.textContent = m;
        box.appendChild(span);
      });
      var holder = box.closest(".field");
      if (holder) holder.classList.toggle("has-error", messages.length > 0);
    });
  }

  // Autosaves go one at a time, in order: two in flight could reach the server in the wrong
  // order and leave an older answer saved. Each reads the form when it is sent, so a queued
  // one that is no longer the latest is skipped (the latest carries its answers too).
  function send(mine) {
    if (mine !== seq) return null;
    var body = new FormData(form);
    body.delete("action");
    return fetch("/api/check/" + encodeURIComponent(step), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": token }
    }).then(function (r) { return r.json(); }).then(function (data) {
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
      if (saved) saved.textContent = "Saved";
    }).catch(function () {
      if (saved) saved.textContent = "Not saved: is formgen serve still running?";
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
    if (saved) saved.textContent = "Saving…";  // "Saved" only once the last answer is stored
    clearTimeout(timer);
    timer = setTimeout(check, delay);
  }
  // A button (Next, Add, Remove) waits for the autosave on its way, so that an older autosave
  // never lands after the button's own save.
  form.addEventListener("submit", function (event) {
    if (resubmitting) return;
    var pending = timer !== null;
    clearTimeout(timer);
    timer = null;
    if (!pending && busy === 0) return;
    event.preventDefault();
    var submitter = event.submitter;
    var wait = pending ? check() : queue;
    wait.then(function () {
      resubmitting = true;
      form.requestSubmit(submitter || undefined);
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
})();
