// Progressive enhancement for the console: every page works without it.
// Copy button, confirm modal (focus trap, Esc), step 2 that follows the partner's
// verification in place, the export list that follows a running export, the small-screen
// menu, and focus on the first invalid field.
(function () {
  "use strict";

  var POLL_INTERVAL = 2000;
  var POLL_RETRY_INTERVAL = 5000;
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), " +
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  document.documentElement.classList.add("js");

  // -- copy button -------------------------------------------------------------------

  function setupCopyButtons(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var feedback = button.parentElement.querySelector(".copy-feedback");
      var timer = null;
      button.addEventListener("click", function () {
        var text = document.getElementById(button.dataset.copyTarget).textContent.trim();
        var done = function () {
          // Emptied first so that a second click is announced again.
          if (feedback) { feedback.textContent = ""; }
          window.setTimeout(function () {
            if (feedback) { feedback.textContent = button.dataset.copiedText; }
          }, 50);
          button.classList.add("copied");
          window.clearTimeout(timer);
          timer = window.setTimeout(function () {
            if (feedback) { feedback.textContent = ""; }
            button.classList.remove("copied");
          }, 4000);
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

  // -- confirm modal -----------------------------------------------------------------

  function trapFocus(dialog, event) {
    if (event.key !== "Tab") { return; }
    var items = Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null;
    });
    if (!items.length) { return; }
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  }

  // A form with data-confirm-dialog="<id>" opens that dialog instead of submitting; the
  // dialog's own form does the POST. Without JavaScript the form submits as it is: to the
  // confirmation page (the wizard's /confirm/, the sandbox's GET pages).
  // data-confirm-text and data-confirm-post let one dialog serve every row of a list.
  function setupConfirmDialog(root) {
    root.querySelectorAll("form[data-confirm-dialog]").forEach(function (form) {
      var dialog = document.getElementById(form.dataset.confirmDialog);
      if (form.dataset.confirmReady || !dialog || typeof dialog.showModal !== "function") { return; }
      form.dataset.confirmReady = "true";
      setupDialog(dialog);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        openDialog(dialog, form);
      });
    });
    root.querySelectorAll("dialog[data-auto-open]").forEach(function (dialog) {
      if (dialog.dataset.autoOpened || typeof dialog.showModal !== "function") { return; }
      dialog.dataset.autoOpened = "true";
      setupDialog(dialog);
      openDialog(dialog, root.querySelector("form[data-confirm-dialog='" + dialog.id + "']"));
    });
  }

  function setupDialog(dialog) {
    if (dialog.dataset.dialogReady) { return; }
    dialog.dataset.dialogReady = "true";
    dialog.querySelectorAll("[data-close-dialog]").forEach(function (cancel) {
      cancel.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.close();
      });
    });
    dialog.addEventListener("keydown", function (event) { trapFocus(dialog, event); });
    dialog.addEventListener("close", function () {
      var opener = dialog.confirmOpener;
      if (opener && document.contains(opener)) { opener.focus(); }
      if (dialog.hasAttribute("data-auto-open") && window.location.pathname.endsWith("/confirm/")) {
        // The no-JS confirm page became the wizard again: keep the address honest.
        var back = dialog.querySelector("[data-close-dialog]");
        if (back) { window.history.replaceState(null, "", back.getAttribute("href")); }
      }
    });
  }

  function openDialog(dialog, form) {
    dialog.confirmOpener = form ? form.querySelector("button") : null;
    if (form && form.dataset.confirmText) {
      dialog.querySelector(".modal-text").textContent = form.dataset.confirmText;
    }
    if (form && form.dataset.confirmPost) {
      dialog.querySelector("form").setAttribute("action", form.dataset.confirmPost);
    }
    if (dialog.open) { dialog.close(); }
    dialog.showModal();
    // The safe choice first, as the seed's キャンセル comes before OK.
    var cancel = dialog.querySelector("[data-close-dialog]");
    if (cancel) { cancel.focus(); }
  }

  // -- step 2 follows the partner ------------------------------------------------------

  function setupPolling(root) {
    var wizard = root.querySelector("[data-poll-url]");
    if (!wizard) { return; }
    var step = wizard.dataset.step;
    var poll = function () {
      if (!document.contains(wizard)) { return; }
      fetch(wizard.dataset.pollUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && String(data.step) !== step) { return replaceWizard(wizard); }
          window.setTimeout(poll, POLL_INTERVAL);
        })
        .catch(function () { window.setTimeout(poll, POLL_RETRY_INTERVAL); });
    };
    window.setTimeout(poll, POLL_INTERVAL);
  }

  // Fetch the wizard page again and swap the steps in place: no reload, no lost scroll.
  function replaceWizard(wizard) {
    return fetch(wizard.dataset.pageUrl || window.location.pathname, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var next = page.getElementById("wizard");
        if (!next) { throw new Error("no #wizard"); }
        var hadFocus = wizard.contains(document.activeElement);
        var fresh = document.importNode(next, true);
        wizard.replaceWith(fresh);
        initWizard(fresh.parentElement);
        var heading = fresh.querySelector(".step.current .step-title");
        if (heading && hadFocus) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
        announce(fresh);
      })
      .catch(function () { window.location.reload(); });
  }

  function announce(wizard) {
    var status = document.getElementById("wizard-status");
    if (!status) { return; }
    var source = wizard.querySelector("[data-announce]") || wizard.querySelector(".step.current .step-title");
    status.textContent = source ? source.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function initWizard(root) {
    setupCopyButtons(root);
    setupConfirmDialog(root);
    setupPolling(root);
  }

  // -- 監査 > CSVエクスポート: the list follows a running export -------------------------

  function setupExportRefresh() {
    var list = document.querySelector("[data-refresh-while-running]");
    if (!list) { return; }
    var refresh = function () {
      fetch(window.location.pathname, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, "text/html").getElementById("export-list");
          if (!next) { return; }
          list.innerHTML = next.innerHTML;
          if (next.hasAttribute("data-refresh-while-running")) {
            window.setTimeout(refresh, POLL_INTERVAL);
          } else {
            list.removeAttribute("data-refresh-while-running");
          }
        })
        .catch(function () { window.setTimeout(refresh, POLL_RETRY_INTERVAL); });
    };
    window.setTimeout(refresh, POLL_INTERVAL);
  }

  // -- small screens: the menu folds away ----------------------------------------------

  function setupMenuToggle() {
    var toggle = document.querySelector(".menu-toggle");
    if (!toggle) { return; }
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", !open);
    });
  }

  // -- forms: after a refused submit, start where the first error is -----------------------

  function focusFirstInvalidField() {
    var field = document.querySelector("main [aria-invalid=true]");
    if (field && !document.querySelector("dialog[open]")) { field.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    initWizard(document);
    setupExportRefresh();
    setupMenuToggle();
    focusFirstInvalidField();
  });
})();
