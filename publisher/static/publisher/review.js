/* The review screen: page through, zoom and rotate the image; light up where a field was read;
   keyboard shortcuts so a reviewer never needs the mouse. */
(function () {
  "use strict";
  var stage = document.getElementById("stage");
  if (!stage) return;
  var pages = Array.prototype.slice.call(stage.querySelectorAll(".page"));
  var boxes = JSON.parse(document.getElementById("field-boxes").textContent || "{}");
  var form = document.getElementById("review-form");
  var state = { page: 1, zoom: 1, rotate: 0 };

  // Highlights: one absolutely placed box per word area, in percent of the page.
  Object.keys(boxes).forEach(function (field) {
    boxes[field].forEach(function (b) {
      var page = pages[b.page - 1];
      if (!page) return;
      var hl = document.createElement("div");
      hl.className = "hl";
      hl.dataset.field = field;
      hl.style.left = b.left + "%"; hl.style.top = b.top + "%";
      hl.style.width = b.width + "%"; hl.style.height = b.height + "%";
      page.appendChild(hl);
    });
  });

  function fitWidth() { return Math.max(200, stage.clientWidth - 32); }

  function render() {
    pages.forEach(function (p, i) {
      p.classList.toggle("current", i === state.page - 1);
      p.style.width = Math.round(fitWidth() * state.zoom) + "px";
      p.style.transform = state.rotate ? "rotate(" + state.rotate + "deg)" : "";
      // A quarter turn swaps width and height: leave room so nothing is cut off.
      p.style.margin = state.rotate % 180 ? "20% 0" : "0";
    });
    document.getElementById("page-label").textContent = "Page " + state.page + " of " + pages.length;
    document.getElementById("zoom-label").textContent = Math.round(state.zoom * 100) + "%";
  }

  var actions = {
    prev: function () { if (state.page > 1) state.page -= 1; },
    next: function () { if (state.page < pages.length) state.page += 1; },
    "in": function () { state.zoom = Math.min(4, state.zoom * 1.25); },
    out: function () { state.zoom = Math.max(0.3, state.zoom / 1.25); },
    fit: function () { state.zoom = 1; state.rotate = 0; },
    rotate: function () { state.rotate = (state.rotate + 90) % 360; }
  };
  document.querySelectorAll("[data-view]").forEach(function (button) {
    button.addEventListener("click", function () { actions[button.dataset.view](); render(); });
  });
  window.addEventListener("resize", render);
  render();

  function light(field, on) {
    var lit = stage.querySelectorAll('.hl[data-field="' + field + '"]');
    lit.forEach(function (hl) { hl.classList.toggle("on", on); });
    if (on && lit.length) {
      var page = pages.indexOf(lit[0].parentNode) + 1;
      if (page && page !== state.page) { state.page = page; render(); }
      lit[0].scrollIntoView({ block: "nearest", inline: "nearest", behavior: "smooth" });
    }
  }
  if (form) {
    form.querySelectorAll(".field[data-field]").forEach(function (wrap) {
      var field = wrap.dataset.field;
      var on = function () { wrap.classList.add("lit"); light(field, true); };
      var off = function () { wrap.classList.remove("lit"); light(field, false); };
      wrap.addEventListener("mouseenter", on);
      wrap.addEventListener("mouseleave", function () { if (!wrap.contains(document.activeElement)) off(); });
      wrap.addEventListener("focusin", on);
      wrap.addEventListener("focusout", off);
    });
  }

  // Supplier and customer pickers: the server sends the few names matching what is typed; the
  // hidden box holds the chosen record's id, and only a name picked from the list sets it.
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var box = picker.querySelector("[data-picker-search]");
    var id = picker.querySelector("[data-picker-id]");
    var list = picker.querySelector("datalist");
    var timer = null;
    function match() {
      var found = Array.prototype.find.call(list.options, function (o) { return o.value === box.value; });
      if (found) { id.value = found.dataset.id; box.dataset.chosen = box.value; }
      return found;
    }
    function load(then) {
      fetch(box.dataset.searchUrl + "?q=" + encodeURIComponent(box.value), { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) { list.innerHTML = html; if (then) then(); });
    }
    box.addEventListener("focus", function () { if (!list.options.length) load(); });
    box.addEventListener("input", function () {
      if (match()) return;
      clearTimeout(timer);
      timer = setTimeout(function () { load(match); }, 150);
    });
    box.addEventListener("change", function () {
      if (!box.value.trim()) { id.value = ""; box.dataset.chosen = ""; }
      else if (!match() && box.value !== box.dataset.chosen) {
        // Typed but not picked: ask once more, then leave it unchosen so the problem shows.
        load(function () { if (!match()) { id.value = ""; picker.closest(".field").classList.add("has-error"); } });
      }
    });
  });

  // "Did you mean" buttons fill the supplier or customer picker beside them.
  document.querySelectorAll("[data-pick-id]").forEach(function (button) {
    button.addEventListener("click", function () {
      var picker = button.closest(".suggestions").parentNode.querySelector("[data-picker]");
      picker.querySelector("[data-picker-id]").value = button.dataset.pickId;
      var box = picker.querySelector("[data-picker-search]");
      box.value = box.dataset.chosen = button.dataset.pickLabel;
      box.focus();
    });
  });

  // Expense claims need a claimant; other kinds hide the box.
  var kind = document.getElementById("id_kind");
  var claimant = document.getElementById("claimant-row");
  if (kind && claimant) kind.addEventListener("change", function () { claimant.hidden = kind.value !== "expense"; });

  // Line items: a new row from the formset's empty form, numbered after the last one.
  var addLine = document.getElementById("add-line");
  function newLine() {
    var total = document.getElementById("id_lines-TOTAL_FORMS");
    var html = document.getElementById("line-template").innerHTML.replace(/__prefix__/g, total.value);
    document.querySelector("#lines tbody").insertAdjacentHTML("beforeend", html);
    total.value = parseInt(total.value, 10) + 1;
    var rows = document.querySelectorAll("#lines tbody tr");
    rows[rows.length - 1].querySelector("input").focus();
  }
  if (addLine) addLine.addEventListener("click", newLine);

  var rejectOpen = document.getElementById("reject-open");
  var rejectForm = document.getElementById("reject-form");
  function openReject() {
    if (!rejectForm) return;
    rejectForm.hidden = false;
    rejectForm.querySelector("input[name=reason]").focus();
  }
  if (rejectOpen) rejectOpen.addEventListener("click", openReject);

  function press(id) { var b = document.getElementById(id); if (b) { b.click(); return true; } return false; }
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName));
  }
  document.addEventListener("keydown", function (e) {
    var mod = e.ctrlKey || e.metaKey;
    if (mod && e.key === "Enter") { if (press(e.shiftKey ? "approve" : "approve-next")) e.preventDefault(); return; }
    if (mod && (e.key === "s" || e.key === "S")) { if (press("save")) e.preventDefault(); return; }
    if (e.altKey && (e.key === "r" || e.key === "R" || e.code === "KeyR")) { e.preventDefault(); openReject(); return; }
    if (e.altKey && (e.key === "l" || e.key === "L" || e.code === "KeyL")) { if (addLine) { e.preventDefault(); newLine(); } return; }
    if (e.key === "Escape" && typing(e.target)) { e.target.blur(); return; }
    if (typing(e.target) || mod || e.altKey) return;
    var map = { "+": "in", "=": "in", "-": "out", "0": "fit", "r": "rotate", "[": "prev", "]": "next" };
    var action = map[e.key];
    if (action) { e.preventDefault(); actions[action](); render(); }
  });
})();
