// The report form (/bao-cao/{meeting}): when "Không dự" is chosen with nobody going
// instead, no team can have been visited, so the visit boxes are unticked and disabled
// (the server refuses visits when nobody went); choosing again gives back what was ticked.
// Without script the server's message says the same beside the boxes.
(function () {
  "use strict";
  document.querySelectorAll("form[data-report]").forEach(function (form) {
    var radios = form.querySelectorAll('input[name="attended"]');
    var substitute = form.querySelector('select[name="substitute"]');
    var hint = form.querySelector("[data-nobody]");
    var boxes = form.querySelectorAll('input[name="visits"]');
    function nobody() {
      var absent = form.querySelector('input[name="attended"][value="0"]:checked') !== null;
      return absent && (!substitute || substitute.value === "");
    }
    function update() {
      var none = nobody();
      boxes.forEach(function (box) {
        if (none && !box.disabled) {
          box.dataset.was = box.checked ? "1" : "0";
          box.checked = false;
          box.disabled = true;
        } else if (!none && box.disabled) {
          box.disabled = false;
          box.checked = box.dataset.was === "1";
        }
      });
      if (hint) hint.hidden = !none;
      form.dataset.ready = "1"; // the browser test waits for this
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    if (substitute) substitute.addEventListener("change", update);
    update();
  });
})();
