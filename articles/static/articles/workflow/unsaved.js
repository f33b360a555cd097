/* Nothing typed on a change page is lost without asking: leaving it with unsaved changes
   (or with the input of a refused save still on it) asks first. Saving, and the workflow
   buttons, which save with their step, leave without asking. Static file, no libraries: the
   admin runs under a Content-Security-Policy without inline script. */
(function () {
  "use strict";

  // Bookkeeping the admin's own scripts change as they set up inline rows.
  var IGNORED = /(^csrfmiddlewaretoken$|-TOTAL_FORMS$|-INITIAL_FORMS$|-MIN_NUM_FORMS$|-MAX_NUM_FORMS$|__prefix__)/;

  function state(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, key) {
      if (IGNORED.test(key)) {
        return;
      }
      pairs.push(key + "=" + (typeof value === "string" ? value : value.name));
    });
    return pairs.join("&");
  }

  function guard(form) {
    var opened = state(form);
    // A page sent back with errors carries input that is not saved yet.
    var unsaved = document.querySelector(".errornote") !== null;
    var submitting = false;
    form.addEventListener("submit", function () {
      submitting = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || (!unsaved && state(form) === opened)) {
        return;
      }
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    });
  }

  // After "load": the admin's scripts (inline rows, autocompletes) have set the form up.
  window.addEventListener("load", function () {
    // The change form of the page (the admin names it "<model>_form").
    var form = document.querySelector("#content-main form[id$='_form']");
    if (form) {
      guard(form);
    }
  });
})();
