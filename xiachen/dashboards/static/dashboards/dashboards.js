// Dashboard charts: read every chart's data from the json_script tag, draw it with the vendored
// ECharts, let a click on a bar of a unit drill down to that unit's dashboard, and save a chart
// as PNG (getDataURL) from its 下载图片 button. No inline script: CSP forbids it.
(function () {
  "use strict";
  var data = document.getElementById("dashboard-data");
  if (!data || typeof echarts === "undefined") return;
  var charts = {};

  function options(spec, width) {
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
    // Every category gets its label (interval 0): a bar without a name cannot be read. Labels that
    // do not fit side by side are turned 45° and cut at 8 characters (the tooltip has the full name).
    var count = spec.x.length;
    var longest = spec.x.reduce(function (most, name) { return Math.max(most, String(name).length); }, 0);
    var slot = (width || 600) / Math.max(count, 1);
    var turned = longest * 13 > slot;
    var zoomed = count > 48;
    return {
      tooltip: tooltip,
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: zoomed ? 28 : 8, containLabel: true },
      xAxis: { type: "category", data: spec.x, axisLabel: {
        interval: zoomed ? "auto" : 0, rotate: turned ? 45 : 0, width: turned ? 110 : undefined,
        overflow: turned ? "truncate" : "break", hideOverlap: zoomed,
      } },
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
    chart.setOption(options(spec, element.clientWidth));
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
