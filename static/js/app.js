// Show Django messages as Bootstrap toasts, also after htmx swaps.
(function () {
  function showToasts(root) {
    root.querySelectorAll(".toast:not(.showing):not(.show)").forEach(function (el) {
      bootstrap.Toast.getOrCreateInstance(el, { delay: 6000 }).show();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { showToasts(document); });
  document.addEventListener("htmx:afterSwap", function (e) { showToasts(e.target); });
})();
