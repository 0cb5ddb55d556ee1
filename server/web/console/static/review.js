// Keyboard-friendly selection on the review queue: the checkboxes are ordinary inputs (Tab
// reaches each, Space toggles); Shift+click or Shift+Space ticks or clears the range from the
// last one touched; ↑/↓ move between rows; a select-all box; the count of selected is shown.
(function () {
  var table = document.querySelector("table[data-selectable]");
  if (!table) return;
  var picks = Array.prototype.slice.call(table.querySelectorAll("input.pick"));
  var all = document.getElementById("select-all");
  var out = document.getElementById("selected-count");
  var template = document.currentScript.getAttribute("data-count");
  var last = null, shift = false;

  function refresh() {
    var n = picks.filter(function (p) { return p.checked; }).length;
    out.textContent = template.replace("{n}", n);
    all.checked = n > 0 && n === picks.length;
    all.indeterminate = n > 0 && n < picks.length;
    picks.forEach(function (p) { p.closest("tr").classList.toggle("picked", p.checked); });
  }
  document.addEventListener("keydown", function (e) { if (e.key === "Shift") shift = true; });
  document.addEventListener("keyup", function (e) { if (e.key === "Shift") shift = false; });
  window.addEventListener("blur", function () { shift = false; });

  picks.forEach(function (box, i) {
    box.addEventListener("click", function (e) {
      if ((e.shiftKey || shift) && last !== null && last !== i) {
        var lo = Math.min(last, i), hi = Math.max(last, i);
        for (var k = lo; k <= hi; k++) picks[k].checked = box.checked;
      }
      last = i;
      refresh();
    });
    box.addEventListener("keydown", function (e) {
      var next = e.key === "ArrowDown" ? i + 1 : e.key === "ArrowUp" ? i - 1 : null;
      if (next !== null && next >= 0 && next < picks.length) { e.preventDefault(); picks[next].focus(); }
    });
  });
  all.addEventListener("change", function () {
    picks.forEach(function (p) { p.checked = all.checked; });
    last = null;
    refresh();
  });
  refresh();
})();
