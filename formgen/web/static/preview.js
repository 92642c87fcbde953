// The preview page while its document is being made: asks the server for news (a long poll:
// the answer comes as soon as something changed), adds each page as it is drawn and says what
// is happening in a live region. Plain JS, no build step.
(function () {
  "use strict";
  var pages = document.getElementById("pages");
  var progress = document.getElementById("preview-progress");
  if (!pages || !progress || pages.dataset.state === "ready") return;
  var key = pages.dataset.key;
  var version = Number(pages.dataset.version);
  var drawn = Number(pages.dataset.drawn);
  var failures = 0;

  function addPages(upTo, total) {
    for (var i = drawn + 1; i <= upTo; i++) {
      var img = document.createElement("img");
      img.src = pages.dataset.pageUrl + i;
      img.alt = pages.dataset.name + " page " + i + (total ? " of " + total : "");
      if (i > 2) img.loading = "lazy";
      pages.appendChild(img);
    }
    drawn = Math.max(drawn, upTo);
  }

  function poll() {
    fetch(pages.dataset.statusUrl + "?v=" + version, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("status " + r.status);
        return r.json();
      })
      .then(function (s) {
        failures = 0;
        if (s.key !== key || s.state === "text" || s.state === "gone") {
          progress.textContent = s.message;
          location.reload();  // the document changed, or its text is shown instead: the server draws that page
          return;
        }
        version = s.version;
        addPages(s.drawn, s.pages);
        progress.textContent = s.message;
        if (s.state === "ready") {
          pages.setAttribute("aria-busy", "false");
          progress.className = "muted";
          return;
        }
        poll();
      })
      .catch(function () {
        failures += 1;
        progress.textContent = "The server did not answer; trying again…";
        setTimeout(poll, Math.min(10000, 1000 * failures));
      });
  }
  poll();
})();
