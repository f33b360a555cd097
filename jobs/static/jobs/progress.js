// Keeps each job on the page current (state, bar, count, step) and reloads the page once a
// job ends, so what it made (renditions, a download link) shows. No inline script (CSP).
(function () {
  "use strict";
  const INTERVAL_MS = 1000;

  function watch(box) {
    const url = box.dataset.jobStatus;
    const bar = box.querySelector(".job-bar");
    const state = box.querySelector(".job-state");
    const count = box.querySelector(".job-count");
    const step = box.querySelector(".job-step");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (answer) { return answer.ok ? answer.json() : Promise.reject(answer.status); })
        .then(function (job) {
          if (job.finished) { window.location.reload(); return; }
          if (bar) { bar.value = job.percent; bar.textContent = job.percent + "%"; }
          if (state) { state.textContent = job.state_display; }
          if (count) { count.textContent = job.total ? job.done + "/" + job.total : ""; }
          if (step) { step.textContent = job.step; }
          window.setTimeout(poll, INTERVAL_MS);
        })
        .catch(function () { window.setTimeout(poll, INTERVAL_MS * 5); });
    }
    window.setTimeout(poll, INTERVAL_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job-status]").forEach(watch);
  });
})();
