/* Konnect Admin: the small amount of behaviour that HTML and htmx do not give us.
   No inline handlers anywhere (the CSP forbids them); everything is wired here. */
(function () {
  "use strict";

  function dismissLater(toast) {
    if (toast.dataset.timer) return;
    toast.dataset.timer = "1";
    var ms = toast.classList.contains("toast-error") ? 12000 : 6000;
    setTimeout(function () { toast.remove(); }, ms);
  }

  function wireToasts(root) {
    (root || document).querySelectorAll(".toast").forEach(dismissLater);
  }

  document.addEventListener("click", function (event) {
    var close = event.target.closest(".toast-close");
    if (close) { close.closest(".toast").remove(); return; }
    // Select-all checkboxes: <input type=checkbox data-select-all="name">
    var all = event.target.closest("[data-select-all]");
    if (all) {
      var name = all.getAttribute("data-select-all");
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        if (!box.disabled) { box.checked = all.checked; box.dispatchEvent(new Event("change", { bubbles: true })); }
      });
    }
  });

  document.addEventListener("DOMContentLoaded", function () { wireToasts(document); });
  document.body && document.body.addEventListener("htmx:afterSettle", function (e) { wireToasts(e.target); });
  document.addEventListener("htmx:afterSettle", function () { wireToasts(document.getElementById("toasts")); });

  // Confirmation dialogs without inline script: <button data-confirm="Delete this?">
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);

  window.KonnectAdmin = { wireToasts: wireToasts };
})();
