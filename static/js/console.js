// Progressive enhancement for the console: copy button, confirm modal, live step 2, menu.
(function () {
  "use strict";

  function setupCopyButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var feedback = button.parentElement.querySelector(".copy-feedback");
      button.addEventListener("click", function () {
        var text = document.getElementById(button.dataset.copyTarget).textContent.trim();
        var done = function () {
          if (feedback) { feedback.textContent = button.dataset.copiedText; }
          button.classList.add("copied");
          window.setTimeout(function () {
            if (feedback) { feedback.textContent = ""; }
            button.classList.remove("copied");
          }, 2500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
        } else {
          fallbackCopy(text);
          done();
        }
      });
    });
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* the code stays selectable */ }
    document.body.removeChild(area);
  }

  function setupConfirmDialog() {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    var opener = null;
    dialog.querySelectorAll("[data-close-dialog]").forEach(function (cancel) {
      cancel.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.close();
      });
    });
    dialog.addEventListener("close", function () {
      if (opener) { opener.focus(); }
      if (window.location.pathname.endsWith("/confirm/")) {
        window.history.replaceState(null, "", dialog.querySelector("[data-close-dialog]").getAttribute("href"));
      }
    });
    document.querySelectorAll("form[data-confirm-dialog]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        opener = form.querySelector("button");
        dialog.showModal();
      });
    });
    if (dialog.hasAttribute("data-auto-open")) {
      dialog.close();
      dialog.showModal();
    }
  }

  function setupPolling() {
    var panel = document.querySelector("[data-poll-url]");
    if (!panel) { return; }
    var step = panel.dataset.step;
    var poll = function () {
      fetch(panel.dataset.pollUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && String(data.step) !== step) { window.location.reload(); return; }
          window.setTimeout(poll, 2000);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 2000);
  }

  function setupMenuToggle() {
    var toggle = document.querySelector(".menu-toggle");
    if (!toggle) { return; }
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", !open);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCopyButtons();
    setupConfirmDialog();
    setupPolling();
    setupMenuToggle();
  });
})();
