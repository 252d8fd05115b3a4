// Skip logic on the answer page: a question with data-show-if is shown only while the named
// single-choice question has the value in data-show-value. The server applies the same rule.
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) return;
  function valueOf(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : null;
  }
  function update() {
    form.querySelectorAll("fieldset[data-show-if]").forEach(function (fieldset) {
      var shown = valueOf(fieldset.dataset.showIf) === fieldset.dataset.showValue;
      fieldset.hidden = !shown;
      fieldset.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !shown; });
    });
  }
  form.addEventListener("change", update);
  update();
})();
