/* The side-by-side view of a conflicting save: "采用同事的版本" puts the colleague's value
   into the field at once, "保留我的修改" puts the editor's own back; typing in the field
   again means keeping one's own. The server honours the choice either way (no script
   needed for it to be right); this only shows it. */
(function () {
  "use strict";

  function setUp(box) {
    var input = box.form && box.form.elements[box.getAttribute("data-merge-input")];
    var theirs = box.querySelector("[data-merge-theirs]");
    if (!input || !theirs || !input.tagName) {
      return;
    }
    var mine = input.value;
    input.classList.add("merge-field"); // the field the choice above concerns
    var radios = box.querySelectorAll('input[type="radio"]');
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (!radio.checked) {
          return;
        }
        input.value = radio.value === "theirs" ? theirs.value : mine;
        input.dispatchEvent(new Event("input", { bubbles: true })); // the body editor's preview follows
      });
    });
    input.addEventListener("input", function (event) {
      if (!event.isTrusted) {
        return;
      }
      mine = input.value;
      radios.forEach(function (radio) {
        radio.checked = radio.value === "mine";
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".merge-conflict[data-merge-input]").forEach(function (box) {
      box.form = box.closest("form");
      setUp(box);
    });
  });
})();
