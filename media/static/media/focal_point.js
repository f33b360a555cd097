/* The focal-point picker on the photo page: click the picture (or use the arrow keys) to
   set where the 16:9, 4:3 and 1:1 crops centre; the dashed boxes show what each keeps.
   The crop arithmetic mirrors media/specs.py focal_crop(). No libraries. */
"use strict";
(function () {
  function clamp(value) { return Math.min(1, Math.max(0, value)); }

  function crop(width, height, ratio, fx, fy) {
    var parts = ratio.split(":"), target = parts[0] / parts[1];
    var w = width, h = height;
    if (width / height > target) { w = Math.max(1, Math.min(width, Math.round(height * target))); }
    else { h = Math.max(1, Math.min(height, Math.round(width / target))); }
    var left = Math.min(Math.max(0, Math.round(fx * width - w / 2)), width - w);
    var top = Math.min(Math.max(0, Math.round(fy * height - h / 2)), height - h);
    return { left: left / width, top: top / height, width: w / width, height: h / height };
  }

  function setUp(picker) {
    var frame = picker.querySelector(".focal-picker__frame");
    var image = picker.querySelector(".focal-picker__image");
    var marker = picker.querySelector(".focal-picker__marker");
    var inputX = document.getElementById(picker.dataset.focalX);
    var inputY = document.getElementById(picker.dataset.focalY);
    var fileInput = document.getElementById("id_image");
    if (!frame || !image || !inputX || !inputY) { return; }

    function value(input) {
      var number = parseFloat(input.value);
      return isNaN(number) ? 0.5 : clamp(number);
    }

    function draw() {
      var fx = value(inputX), fy = value(inputY);
      marker.style.left = (fx * 100) + "%";
      marker.style.top = (fy * 100) + "%";
      if (!image.naturalWidth) { return; }
      picker.querySelectorAll(".focal-picker__crop").forEach(function (box) {
        var c = crop(image.naturalWidth, image.naturalHeight, box.dataset.ratio, fx, fy);
        box.style.left = (c.left * 100) + "%";
        box.style.top = (c.top * 100) + "%";
        box.style.width = (c.width * 100) + "%";
        box.style.height = (c.height * 100) + "%";
      });
    }

    function set(fx, fy) {
      inputX.value = clamp(fx).toFixed(4);
      inputY.value = clamp(fy).toFixed(4);
      inputX.dispatchEvent(new Event("change", { bubbles: true }));
      draw();
    }

    frame.addEventListener("click", function (event) {
      var rect = image.getBoundingClientRect();
      set((event.clientX - rect.left) / rect.width, (event.clientY - rect.top) / rect.height);
    });
    frame.addEventListener("keydown", function (event) {
      var step = event.shiftKey ? 0.1 : 0.01;
      var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      var move = moves[event.key];
      if (!move) { return; }
      event.preventDefault();
      set(value(inputX) + move[0], value(inputY) + move[1]);
    });
    [inputX, inputY].forEach(function (input) { input.addEventListener("input", draw); });
    image.addEventListener("load", draw);
    if (fileInput) {
      // A newly chosen file is previewed at once, so its focal point can be set before saving.
      fileInput.addEventListener("change", function () {
        var file = fileInput.files && fileInput.files[0];
        if (!file || !/^image\/(jpeg|png|webp|gif)$/.test(file.type)) { return; }
        image.src = URL.createObjectURL(file);
        frame.hidden = false;
        var help = picker.querySelector(".focal-picker__help");
        if (help && help.dataset.ready) { help.textContent = help.dataset.ready; }
        set(0.5, 0.5);
      });
    }
    draw();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".focal-picker").forEach(setUp);
  });
})();
