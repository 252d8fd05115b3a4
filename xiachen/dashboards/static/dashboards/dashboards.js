// Dashboard charts: read every chart's data from the json_script tag, draw it with the vendored
// ECharts, let a click on a bar of a unit drill down to that unit's dashboard, and save a chart
// as PNG (getDataURL) from its 下载图片 button. No inline script: CSP forbids it.
(function () {
  "use strict";
  var data = document.getElementById("dashboard-data");
  if (!data || typeof echarts === "undefined") return;
  var charts = {};

  function options(spec) {
    var percent = spec.unit === "%";
    var tooltip = { trigger: spec.kind === "pie" ? "item" : "axis" };
    if (spec.kind === "pie") {
      return {
        tooltip: tooltip, legend: { bottom: 0 },
        series: [{ type: "pie", radius: "65%", data: spec.x.map(function (name, i) {
          return { name: name, value: spec.series[0].data[i] };
        }) }],
      };
    }
    var many = spec.x.length > 12;
    return {
      tooltip: tooltip,
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: many ? 48 : 8, containLabel: true },
      xAxis: { type: "category", data: spec.x, axisLabel: { rotate: many ? 45 : 0, hideOverlap: true } },
      yAxis: { type: "value", minInterval: percent ? 0 : 1, max: percent ? 100 : null,
               axisLabel: { formatter: percent ? "{value}%" : "{value}" } },
      dataZoom: spec.x.length > 48 ? [{ type: "inside" }, { type: "slider", height: 16, bottom: 0 }] : [],
      series: spec.series.map(function (serie) {
        return {
          name: serie.name, data: serie.data, type: spec.kind === "line" ? "line" : "bar",
          stack: spec.kind === "stack" ? "total" : undefined, showSymbol: false,
          cursor: spec.links ? "pointer" : "default",
        };
      }),
    };
  }

  function draw(spec) {
    var element = document.getElementById("chart-" + spec.id);
    if (!element || spec.empty) return;
    var chart = echarts.init(element);
    chart.setOption(options(spec));
    if (spec.links) {
      chart.on("click", function (event) {
        var link = spec.links[event.dataIndex];
        if (link) window.location.href = link + window.location.search;
      });
    }
    charts[spec.id] = chart;
  }

  function savePng(button) {
    var chart = charts[button.dataset.png];
    if (!chart) return;
    var link = document.createElement("a");
    link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    link.download = button.dataset.filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  JSON.parse(data.textContent).forEach(draw);
  document.querySelectorAll("[data-png]").forEach(function (button) {
    button.addEventListener("click", function () { savePng(button); });
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });
  document.body.dataset.dashboardReady = "1";
})();
