// The workspace's progress bar: follows a solve job's server-sent events (a month's, or
// a range of months') and, once the job ends, reloads the page so that the server writes
// the result. Without script the page still works (a reload link).
(function () {
  "use strict";
  var box = document.getElementById("tien-do");
  if (!box || box.dataset.finished === "1" || !window.EventSource) return;
  var hint = box.querySelector(".ws-nojs");
  if (hint) hint.hidden = true;
  var bar = document.getElementById("thanh-tien-do");
  function show(state) {
    ["status_label", "seconds_label", "planning_label", "best_score", "bound"].forEach(function (key) {
      var field = box.querySelector('[data-k="' + key + '"]');
      var value = state[key];
      if (field) field.textContent = value === null || value === undefined ? "—" : String(value);
    });
    // A range of months gives its bar's own scale (its joint solve's time); one month runs over its seconds.
    if (bar && state.bar_max) {
      bar.max = state.bar_max;
      bar.value = Math.min(state.bar_value || 0, state.bar_max);
    }
    else if (bar) bar.value = Math.min(state.seconds || 0, state.time_limit || 0);
  }
  var source = new EventSource(box.dataset.events);
  source.addEventListener("progress", function (event) {
    show(JSON.parse(event.data));
    box.dataset.live = "1"; // the page follows the job (the browser test waits for this)
  });
  source.addEventListener("end", function (event) {
    show(JSON.parse(event.data));
    source.close();
    window.location.reload();
  });
})();
