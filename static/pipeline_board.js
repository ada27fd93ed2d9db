// Drag a card of the pipeline board onto another stage's column: the same POST as the card's
// own "Move to" form, sent with htmx so that the board is swapped in place (no page reload).
// The board carries the CSRF token; the answer is the re-rendered board (422 when refused).
(function () {
  "use strict";

  function column(event) {
    return event.target.closest ? event.target.closest("#board [data-stage]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".pipeline-card[data-move-url]");
    if (!card) { return; }
    event.dataTransfer.setData("text/plain", card.getAttribute("data-move-url"));
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
  });

  document.addEventListener("dragend", function (event) {
    if (event.target.classList) { event.target.classList.remove("dragging"); }
  });

  document.addEventListener("dragover", function (event) {
    var target = column(event);
    if (!target) { return; }
    event.preventDefault();
    target.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    var target = column(event);
    if (target && !target.contains(event.relatedTarget)) { target.classList.remove("drop-target"); }
  });

  document.addEventListener("drop", function (event) {
    var target = column(event);
    var url = event.dataTransfer.getData("text/plain");
    if (!target || !url) { return; }
    event.preventDefault();
    target.classList.remove("drop-target");
    var board = document.getElementById("board");
    htmx.ajax("POST", url, {
      target: "#board",
      swap: "outerHTML",
      values: { stage: target.getAttribute("data-stage") },
      headers: { "X-CSRFToken": board.getAttribute("data-csrf") }
    });
  });
})();
