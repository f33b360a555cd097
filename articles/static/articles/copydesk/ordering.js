/* Drag-and-drop reading order, written into the 版序 / 顺序 fields the forms already have.

   On an issue page the articles, page photos and timelines share one sequence: a
   "版面顺序" list above the inlines gathers them, and dragging (or the ↑ ↓ buttons)
   numbers them 1, 2, 3 … On a timeline page the items' rows are dragged in the table.
   Without JavaScript the numbers can still be typed. No libraries. */
(function () {
  "use strict";

  var PART_GROUPS = [
    { prefix: "articles", type: "稿件" },
    { prefix: "issue_photos", type: "图片" },
    { prefix: "timelines", type: "大事记" }
  ];

  function positionInput(row) {
    return row.querySelector('input[name$="-position"]');
  }

  function isRealRow(row) {
    return row.id && !row.classList.contains("empty-form") && positionInput(row);
  }

  function rowLabel(row, type) {
    var headline = row.querySelector("td.field-headline");
    if (headline) {
      return headline.textContent.trim();
    }
    var select = row.querySelector('select[name$="-photo"]');
    if (select && select.selectedIndex >= 0 && select.value) {
      return select.options[select.selectedIndex].textContent.trim();
    }
    var title = row.querySelector('input[name$="-title"]');
    if (title && title.value) {
      return title.value;
    }
    return "（新" + type + "）";
  }

  /* A list whose items can be dragged, or moved with buttons (keyboard users). */
  function makeSortable(list, onChange) {
    var dragged = null;
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("li");
      if (dragged) {
        dragged.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", "");
      }
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("li");
      if (!dragged || !over || over === dragged) {
        return;
      }
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("dragend", function () {
      if (dragged) {
        dragged.classList.remove("dragging");
        dragged = null;
        onChange();
      }
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-move]");
      if (!button) {
        return;
      }
      event.preventDefault();
      var item = button.closest("li");
      if (button.getAttribute("data-move") === "up" && item.previousElementSibling) {
        list.insertBefore(item, item.previousElementSibling);
      } else if (button.getAttribute("data-move") === "down" && item.nextElementSibling) {
        list.insertBefore(item.nextElementSibling, item);
      }
      onChange();
      button.focus();
    });
  }

  function issueParts() {
    var groups = PART_GROUPS.map(function (group) {
      return { group: group, element: document.getElementById(group.prefix + "-group") };
    }).filter(function (found) {
      return found.element;
    });
    if (groups.length < 2) {
      return;
    }
    var panel = document.createElement("fieldset");
    panel.className = "module reading-order";
    panel.innerHTML =
      "<h2>版面顺序（拖动或用 ↑ ↓ 调整，保存后生效）</h2>" +
      '<p class="help">稿件、专题图片和大事记共用一套版序；调整后下方各表的“版序”会自动改为 1、2、3……</p>';
    var list = document.createElement("ol");
    panel.appendChild(list);
    groups[0].element.parentNode.insertBefore(panel, groups[0].element);

    function build() {
      var items = [];
      groups.forEach(function (found) {
        found.element.querySelectorAll("tr.form-row").forEach(function (row) {
          if (isRealRow(row)) {
            var input = positionInput(row);
            items.push({ row: row, input: input, type: found.group.type, position: parseInt(input.value, 10) || 0 });
          }
        });
      });
      items.sort(function (a, b) {
        return a.position - b.position;
      });
      list.textContent = "";
      items.forEach(function (entry) {
        var item = document.createElement("li");
        item.draggable = true;
        item.inputRef = entry.input;
        item.innerHTML =
          '<span class="handle" aria-hidden="true">⠿</span><span class="number"></span><span class="type"></span>' +
          '<span class="label"></span><button type="button" data-move="up" aria-label="上移">↑</button>' +
          '<button type="button" data-move="down" aria-label="下移">↓</button>';
        item.querySelector(".number").textContent = entry.input.value;
        item.querySelector(".type").textContent = entry.type;
        item.querySelector(".label").textContent = rowLabel(entry.row, entry.type);
        list.appendChild(item);
      });
    }

    function renumber() {
      Array.prototype.forEach.call(list.children, function (item, index) {
        item.inputRef.value = String(index + 1);
        item.querySelector(".number").textContent = String(index + 1);
      });
    }

    build();
    makeSortable(list, renumber);
    document.addEventListener("formset:added", build);
    groups.forEach(function (found) {
      found.element.addEventListener("change", function (event) {
        if (event.target.matches('input[name$="-position"], input[name$="-title"], select[name$="-photo"]')) {
          build();
        }
      });
    });
  }

  /* Rows of one tabular inline dragged in place (timeline items). */
  function tableRows(prefix) {
    var group = document.getElementById(prefix + "-group");
    var body = group && group.querySelector("table tbody");
    if (!body) {
      return;
    }
    var headRow = group.querySelector("table thead tr");
    if (headRow) {
      var th = document.createElement("th");
      th.textContent = "拖动";
      headRow.insertBefore(th, headRow.firstChild);
    }
    function prepare(row) {
      if (row.classList.contains("sortable-row") || row.tagName !== "TR") {
        return;
      }
      var cell = document.createElement("td");
      cell.className = "drag-handle";
      cell.textContent = "⠿";
      cell.title = "拖动以调整顺序";
      row.insertBefore(cell, row.firstChild);
      if (isRealRow(row)) {
        row.classList.add("sortable-row");
        row.draggable = true;
      }
    }
    body.querySelectorAll("tr").forEach(prepare);
    document.addEventListener("formset:added", function (event) {
      var row = event.target.closest ? event.target.closest("tr") : null;
      if (row && body.contains(row)) {
        prepare(row);
      }
    });
    var dragged = null;
    body.addEventListener("dragstart", function (event) {
      if (event.target.closest("input, textarea, select")) {
        return;
      }
      dragged = event.target.closest("tr.sortable-row");
      if (dragged) {
        dragged.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", "");
      }
    });
    body.addEventListener("dragover", function (event) {
      var over = event.target.closest("tr.sortable-row");
      if (!dragged || !over || over === dragged) {
        return;
      }
      event.preventDefault();
      var box = over.getBoundingClientRect();
      body.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
    });
    body.addEventListener("dragend", function () {
      if (!dragged) {
        return;
      }
      dragged.classList.remove("dragging");
      dragged = null;
      var n = 0;
      body.querySelectorAll("tr.sortable-row").forEach(function (row) {
        var text = row.querySelector('textarea, input[name$="-text"]');
        var kept = row.querySelector('input[name$="-id"]');
        if ((kept && kept.value) || (text && text.value.trim())) {
          n += 1;
          positionInput(row).value = String(n);
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    issueParts();
    tableRows("items");
  });
})();
