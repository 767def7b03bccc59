// Verdict entry, saved unit by unit with htmx (see templates/assessments/assess_unit.html).
(function () {
  function unitOf(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.closest ? elt.closest("[data-assess]") : null;
  }
  function setStatus(unit, state, text) {
    var status = unit.querySelector(".assess-status");
    if (!status) { return; }
    status.dataset.state = state;
    status.textContent = text;
    if (state === "error") { status.classList.add("text-danger"); } else { status.classList.remove("text-danger"); }
  }
  // A refusal (403) or bad input (422) comes with the unit's status saying why: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 403 || status === 422) && unitOf(event)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var unit = unitOf(event);
    if (unit) { setStatus(unit, "saving", unit.dataset.savingText); }
  });
  // No signal at the site: say so, so the assessor knows this unit is not saved.
  function offline(event) {
    var unit = unitOf(event);
    if (unit) { setStatus(unit, "error", unit.dataset.offlineText); }
  }
  document.addEventListener("htmx:sendError", offline);
  document.addEventListener("htmx:timeout", offline);
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status !== 403 && status !== 422) { offline(event); }
  });
})();
