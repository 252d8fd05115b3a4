// Survey result charts: read the results from the json_script tag, draw one bar chart per
// choice, rating or date question with the vendored ECharts, and refresh from the JSON endpoint
// every 15 seconds while the page is open ("live"). No inline script: CSP forbids it.
(function () {
  "use strict";
  var holder = document.getElementById("survey-results");
  var data = document.getElementById("survey-results-data");
  if (!holder || !data || typeof echarts === "undefined") return;
  var charts = {};

  function draw(results) {
    results.forEach(function (row) {
      if (!row.labels) return;
      var element = document.getElementById("chart-" + row.id);
      if (!element) return;
      element.style.height = Math.max(160, 40 * row.labels.length) + "px";
      var chart = charts[row.id] || (charts[row.id] = echarts.init(element));
      chart.setOption({
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: row.labels, inverse: true },
        series: [{ type: "bar", data: row.counts, label: { show: true, position: "right" } }],
        tooltip: {},
      });
    });
  }

  function refresh() {
    fetch(holder.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) return;
        draw(body.results);
        var rate = document.getElementById("survey-rate");
        if (rate) rate.textContent = body.rate.answered + " / " + body.rate.residents + "（" + body.rate.rate + "%）";
      })
      .catch(function () {});
  }

  draw(JSON.parse(data.textContent));
  window.setInterval(refresh, 15000);
  window.addEventListener("resize", function () { Object.values(charts).forEach(function (c) { c.resize(); }); });
})();
