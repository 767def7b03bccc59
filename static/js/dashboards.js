// Dashboards: draw each chart from its json_script block, the same numbers as the table beside it.
// <canvas data-source="ID" data-type="bar|line|doughnut" [data-horizontal="1"]> reads
// {labels, datasets: [{label, data, color | colors}], stacked} from <script id="ID">.
(function () {
  "use strict";
  var PALETTE = {
    primary: "#0d6efd", success: "#198754", danger: "#dc3545", warning: "#ffc107",
    info: "#0dcaf0", secondary: "#adb5bd"
  };
  var LABEL_LENGTH = 32;

  function shorten(label) {
    label = String(label);
    return label.length > LABEL_LENGTH ? label.slice(0, LABEL_LENGTH - 1) + "…" : label;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var type = canvas.dataset.type || "bar";
    var across = canvas.dataset.horizontal === "1";
    if (across) {
      // One bar a row: the box grows with the rows and scrolls past its maximum.
      var inner = document.createElement("div");
      inner.style.position = "relative";
      inner.style.height = Math.max(160, data.labels.length * 26 + 70) + "px";
      canvas.parentNode.insertBefore(inner, canvas);
      inner.appendChild(canvas);
      canvas.parentNode.parentNode.style.height = "auto";
    }
    var datasets = data.datasets.map(function (set) {
      var color = set.colors ? set.colors.map(function (c) { return PALETTE[c]; }) : PALETTE[set.color];
      return {
        label: set.label, data: set.data, backgroundColor: color, borderColor: color,
        borderWidth: type === "line" ? 2 : 0, tension: 0.2, fill: false
      };
    });
    var options = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: "bottom" } }
    };
    if (type !== "doughnut") {
      var values = { stacked: !!data.stacked, beginAtZero: true, ticks: { precision: 0 } };
      var labels = { stacked: !!data.stacked, ticks: { callback: function (value) {
        return shorten(this.getLabelForValue(value));
      } } };
      options.indexAxis = across ? "y" : "x";
      options.scales = across ? { x: values, y: labels } : { x: labels, y: values };
    }
    canvas.chart = new window.Chart(canvas, {
      type: type, data: { labels: data.labels, datasets: datasets }, options: options
    });
    canvas.dataset.drawn = "1";
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-source]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
