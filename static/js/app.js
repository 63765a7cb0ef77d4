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

  // <button data-open-dialog="id"> opens a <dialog>; Escape and its form close it natively.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (!opener) return;
    var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
    if (dialog && !dialog.open) dialog.showModal();
  });

  // Formsets: <button data-formset-add="sizes"> clones <template id="sizes-empty-form">.
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-formset-add]");
    if (!add) return;
    var prefix = add.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty-form");
    var rows = document.getElementById(prefix + "-rows");
    if (!total || !template || !rows) return;
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = rows.lastElementChild && rows.lastElementChild.querySelector("input, select, textarea");
    if (first) first.focus();
    if (window.htmx) window.htmx.process(rows.lastElementChild);
    rows.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // Slug suggestion: while the slug is untouched, it follows the product name.
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.id === "id_slug") { target.dataset.touched = target.value ? "1" : ""; return; }
    if (target.id !== "id_name") return;
    var slug = document.getElementById("id_slug");
    if (!slug || slug.disabled || slug.dataset.touched === "1") return;
    slug.value = target.value.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    slug.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // "Use it" on the category's default HS code and tax rule.
  document.addEventListener("click", function (event) {
    var fill = event.target.closest("[data-fill-hs]");
    if (!fill) return;
    var hs = document.getElementById("id_hs_code");
    var rule = document.getElementById("id_tax_rule");
    if (hs) { hs.value = fill.getAttribute("data-fill-hs"); hs.dispatchEvent(new Event("change", { bubbles: true })); }
    var ruleId = fill.getAttribute("data-fill-rule");
    if (rule && ruleId) { rule.value = ruleId; rule.dispatchEvent(new Event("change", { bubbles: true })); }
  });

  // Keyboard: "/" focuses search, "g" then a letter opens a main list, "?" lists shortcuts,
  // "n" starts a new record where the page offers one. Typing in a field is never hijacked.
  var pendingG = false;
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var dialog = document.getElementById("shortcuts-dialog");
    if (event.key === "Escape") {
      if (typing(event.target) && event.target.type === "search" && event.target.value) {
        event.target.value = ""; event.target.dispatchEvent(new Event("input", { bubbles: true }));
      } else if (typing(event.target)) { event.target.blur(); }
      pendingG = false;
      return;
    }
    if (typing(event.target)) return;
    if (pendingG) {
      pendingG = false;
      var link = document.querySelector('.mainnav a[data-shortcut="' + event.key + '"]');
      if (link) { event.preventDefault(); window.location.href = link.href; }
      return;
    }
    if (event.key === "/") {
      var search = document.querySelector("[data-search]") || document.querySelector("main input[type=search]");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
    } else if (event.key === "g") {
      pendingG = true;
      setTimeout(function () { pendingG = false; }, 1500);
    } else if (event.key === "?") {
      if (dialog && !dialog.open) { event.preventDefault(); dialog.showModal(); }
    } else if (event.key === "n") {
      var create = document.querySelector("[data-shortcut-new]");
      if (create) { event.preventDefault(); create.click(); }
    }
  });

  window.KonnectAdmin = { wireToasts: wireToasts };
})();

/* Shipments: the scan-to-pack station (a barcode scanner types fast and ends with Enter). */
(function () {
  "use strict";
  var audio = null;
  function beep(kind) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.type = "square";
      osc.frequency.value = kind === "error" ? 220 : 880;
      gain.gain.value = 0.08;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + (kind === "error" ? 0.45 : 0.08));
    } catch (e) { /* no audio: the message and the red flash still show */ }
  }
  // A wrong scan beeps loudly (<p data-beep="error"> swapped in out of band).
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var el = event.target;
    if (el && el.getAttribute && el.getAttribute("data-beep")) beep(el.getAttribute("data-beep"));
  });
  // Item scans: a scanner types the next code while the last one is still being checked. Each
  // code is taken out of the field the moment Enter is pressed and sent after the previous one
  // (htmx's own queue drops requests whose form was swapped away); the field itself is kept
  // across swaps (hx-preserve) and given focus back at once, so no keystroke lands elsewhere.
  var scans = Promise.resolve();
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-scan-item-form]") || !window.htmx) return;
    event.preventDefault();
    var field = form.querySelector("[data-scan-item]");
    var code = field.value.trim();
    field.value = "";
    if (!code) return;
    var url = form.getAttribute("action");
    scans = scans.then(function () {
      return window.htmx.ajax("POST", url, {
        source: document.body, target: "#scan-panel", swap: "outerHTML", values: { sku: code }
      });
    }).catch(function () { /* htmx shows the error; the next scan still goes */ });
  });
  document.addEventListener("htmx:afterSwap", function () {
    var field = document.querySelector("[data-scan-item]");
    if (field && (!document.activeElement || document.activeElement === document.body)) {
      field.focus();
    }
  });
  // The lookup field selects its text on focus, so the next scan replaces the last one.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-scan-select]")) event.target.select();
  });
})();

// Upload form: fields that only apply to one kind of file (<div data-show-for-kind="products">)
// are shown while that kind is chosen in the form's kind radios.
(function () {
  "use strict";
  function sync(form) {
    var chosen = form.querySelector('input[name="kind"]:checked');
    form.querySelectorAll("[data-show-for-kind]").forEach(function (el) {
      el.hidden = !chosen || el.getAttribute("data-show-for-kind") !== chosen.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "kind" && event.target.form) sync(event.target.form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-show-for-kind]")) sync(form);
    });
  });
})();
