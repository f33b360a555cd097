/* The body editor: as the editor types, the reader's view and the 字数 follow (debounced),
   read by the server with the same grammar that saves the text. No libraries. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form && form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function setUp(box) {
    var textarea = box.querySelector("textarea");
    var url = box.getAttribute("data-preview-url");
    if (!textarea || !url || textarea.disabled) {
      return;
    }
    var preview = box.querySelector("[data-preview]");
    var count = box.querySelector("[data-count]");
    var errors = box.querySelector("[data-errors]");
    var state = box.querySelector("[data-state]");
    var timer = null;
    var sent = 0;

    function show(data) {
      preview.innerHTML = data.html; // rendered and escaped by the server's template
      count.textContent = data.characters;
      errors.textContent = "";
      data.errors.forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        errors.appendChild(item);
      });
      state.textContent = "";
    }

    function refresh() {
      var mine = ++sent;
      state.textContent = "（更新中…）";
      var body = new URLSearchParams();
      body.set("text", textarea.value);
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form) },
        body: body
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (data) {
          if (mine === sent) {
            show(data);
          }
        })
        .catch(function () {
          if (mine === sent) {
            state.textContent = "（预览暂时无法更新，不影响保存）";
          }
        });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 250);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".body-editor").forEach(setUp);
  });
})();
