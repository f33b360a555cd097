// Keeps each job on the page current (state, bar, count, step). When a job ends the page is
// reloaded to show what it made (renditions, a download link), unless the editor has
// changed something on it since it loaded: then the box says so and offers the reload, so
// no typing is thrown away. No inline script (CSP).
(function () {
  "use strict";
  const INTERVAL_MS = 1000;
  let edited = false;

  function finished(box, job) {
    if (!edited) { window.location.reload(); return; }
    const note = document.createElement("span");
    note.className = "job-finished";
    note.textContent = job.state === "done" ? "已完成。" : "失败：" + job.error + "。";
    const reload = document.createElement("a");
    reload.href = window.location.href;
    reload.textContent = "保存修改后刷新页面查看";
    box.replaceChildren(note, reload);
  }

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
          if (job.finished) { finished(box, job); return; }
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
    const boxes = document.querySelectorAll("[data-job-status]");
    if (!boxes.length) { return; }
    document.addEventListener("input", function () { edited = true; }, true);
    document.addEventListener("change", function () { edited = true; }, true);
    boxes.forEach(watch);
  });
})();
