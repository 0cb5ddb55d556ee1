// The dashboard's charts (Chart.js, served locally): the numbers come from the page's
// #chart-data, the same figures as the tables beside each chart.
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  if (typeof Chart === "undefined") { return; }       // the tables still say everything
  Chart.defaults.font.family = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif';
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;     // the box (.chart) sets the size
  var percent = function (v) { return v === null ? "—" : Math.round(v * 1000) / 10 + "%"; };

  function bars(id, labels, values, color, horizontal) {
    var el = document.getElementById(id);
    if (!el || !labels.length) { return; }
    new Chart(el, {
      type: "bar",
      data: { labels: labels, datasets: [{ data: values, backgroundColor: color }] },
      options: { indexAxis: horizontal ? "y" : "x", plugins: { legend: { display: false } },
                 scales: { x: { beginAtZero: true }, y: { beginAtZero: true } } }
    });
  }

  var p = data.participation;
  var el = document.getElementById("chart-participation");
  if (el && p.labels.length) {
    new Chart(el, {
      data: {
        labels: p.labels,
        datasets: [
          { type: "bar", label: p.rateLabel, data: p.rate, backgroundColor: "#3b82f6" },
          { type: "line", label: p.targetLabel, data: p.target, borderColor: "#dc2626", backgroundColor: "#dc2626",
            showLine: false, pointStyle: "line", pointRadius: 14, pointBorderWidth: 3 }
        ]
      },
      options: {
        scales: { y: { beginAtZero: true, max: 1, ticks: { callback: percent } } },
        plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + " " + percent(c.raw); } } } }
      }
    });
  }
  var pr = data.promotions;
  var prEl = document.getElementById("chart-promotions");
  if (prEl && pr.labels.length) {
    new Chart(prEl, {
      type: "bar",
      data: { labels: pr.labels, datasets: [
        { label: pr.confirmedLabel, data: pr.confirmed, backgroundColor: "#8b5cf6" },
        { label: pr.fromReportsLabel, data: pr.fromReports, backgroundColor: "#c4b5fd" }
      ] },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  bars("chart-funnel", data.funnel.labels, data.funnel.values, "#0ea5e9", true);
  bars("chart-category", data.category.labels, data.category.values, "#10b981", false);
  bars("chart-industry", data.industry.labels, data.industry.values, "#f59e0b", false);
})();
