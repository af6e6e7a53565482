// The flow editor shows only the fields that matter: a step's fields for its kind, and the
// trigger filters that apply to the chosen event. Hidden fields are disabled, so they are not
// sent. Without JavaScript every field is shown and the server ignores the ones that do not apply.
(function () {
  "use strict";
  var STEP_FIELDS = {
    "": [],
    wait: ["wait_days", "wait_hours", "wait_anchor"],
    condition: ["condition", "else_position"],
    email: ["template_key"],
    sms: ["template_key"],
  };
  var ALWAYS = ["type", "DELETE"];

  function show(box, visible) {
    box.hidden = !visible;
    box.querySelectorAll("input, select, textarea").forEach(function (control) {
      control.disabled = !visible;
    });
  }

  function updateStep(fieldset) {
    var type = fieldset.querySelector("select[name$='-type']");
    if (!type) return;
    var wanted = ALWAYS.concat(STEP_FIELDS[type.value] || []);
    fieldset.querySelectorAll(".field[data-field]").forEach(function (box) {
      show(box, wanted.indexOf(box.dataset.field) !== -1 || box.querySelector(".errorlist"));
    });
  }

  function updateFilters(form) {
    var trigger = form.querySelector("select[name='trigger_type']");
    if (!trigger) return;
    form.querySelectorAll(".field[data-events]").forEach(function (box) {
      var events = box.dataset.events.split(" ");
      var filled = box.querySelector("select, input");
      var keep = filled && filled.value && box.querySelector(".errorlist");
      show(box, events.indexOf(trigger.value) !== -1 || keep);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("flow-editor");
    if (!form) return;
    form.querySelectorAll("fieldset.step-form").forEach(function (fieldset) {
      updateStep(fieldset);
      fieldset.addEventListener("change", function (event) {
        if (event.target.name && /-type$/.test(event.target.name)) updateStep(fieldset);
      });
    });
    updateFilters(form);
    form.addEventListener("change", function (event) {
      if (event.target.name === "trigger_type") updateFilters(form);
    });
  });
})();
