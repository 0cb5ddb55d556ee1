// The archive job's progress: after "start", poll the small JSON state endpoint until the
// archive is ready (or failed), updating the status, the count and the progress bar, then show
// the download link. Without JavaScript the form still posts and the page shows the state.
(function () {
  var box = document.getElementById("archive");
  if (!box) return;
  var labels = JSON.parse(document.getElementById("archive-labels").textContent);
  var form = document.getElementById("archive-form");
  var startBtn = document.getElementById("archive-start");
  function show(s) {
    document.getElementById("archive-status").textContent = labels.states[s.status] || s.status;
    document.getElementById("archive-count").textContent =
      labels.progress.replace("{done}", s.done).replace("{total}", s.total);
    var bar = document.getElementById("archive-progress");
    bar.max = s.total || 1; bar.value = s.done;
    document.getElementById("archive-download").hidden = !s.ready;
    startBtn.disabled = (s.status === "queued" || s.status === "started");
  }
  function poll() {
    fetch(box.dataset.stateUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        show(s);
        if (!s.ready && (s.status === "queued" || s.status === "started")) setTimeout(poll, 1000);
      });
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    startBtn.disabled = true;
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (s) { show(s); if (!s.ready) setTimeout(poll, 500); });
  });
  var now = document.getElementById("archive-status").textContent;
  if (now === labels.states.queued || now === labels.states.started) poll();
})();
