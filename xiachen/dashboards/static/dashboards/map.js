// Dashboard map (ADR 2012): fetch a unit's regions (GeoJSON from uploaded boundaries) and rollup
// measures as JSON, register them with ECharts' geo component (no tiles), colour the regions by the
// chosen measure; a click on a region drills down (city → district → street → communities) or opens
// the region's dashboard when it has no map below. No inline script: CSP forbids it.
(function () {
  "use strict";
  var element = document.getElementById("dash-map");
  if (!element || typeof echarts === "undefined") return;
  var title = document.getElementById("dash-map-title");
  var up = document.getElementById("dash-map-up");
  var empty = document.getElementById("dash-map-empty");
  var tools = document.getElementById("dash-map-measures");
  var query = window.location.search;
  var chart = echarts.init(element);
  var current = null;
  var measure = "deployed";

  function values(data) {
    var found = data.measures.filter(function (m) { return m.id === measure; })[0] || data.measures[0];
    return { label: found.label, items: Object.keys(found.values).map(function (name) {
      return { name: name, value: found.values[name] };
    }) };
  }

  function draw(data) {
    var shown = values(data);
    var numbers = shown.items.map(function (item) { return item.value || 0; });
    var top = Math.max.apply(null, numbers.concat([1]));
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (p) {
        return p.seriesType === "scatter" ? p.name : p.name + "<br>" + shown.label + "：" + (p.value == null || isNaN(p.value) ? "—" : p.value);
      } },
      visualMap: { min: 0, max: top, left: 8, bottom: 8, calculable: true, text: [String(top), "0"],
                   inRange: { color: ["#e0f3f8", "#fdae61", "#d73027"] } },
      geo: { map: "unit-" + data.id, roam: true, label: { show: true, fontSize: 11 } },
      series: [
        { type: "map", geoIndex: 0, name: shown.label, data: shown.items },
        { type: "scatter", coordinateSystem: "geo", symbolSize: 6, itemStyle: { color: "#1d4ed8" },
          data: data.points || [] },
      ],
    }, true);
  }

  function measureButtons(data) {
    tools.textContent = "";
    data.measures.forEach(function (m) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link" + (m.id === measure ? " active" : "");
      button.dataset.measure = m.id;
      button.textContent = m.label;
      button.addEventListener("click", function () { measure = m.id; measureButtons(data); draw(data); });
      tools.appendChild(button);
    });
  }

  function load(url) {
    element.dataset.mapReady = "";
    fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (data) {
        current = data;
        title.textContent = data.name;
        up.hidden = !data.up;
        up.dataset.url = data.up;
        var hasShapes = data.geojson.features.length > 0;
        empty.hidden = hasShapes;
        element.hidden = !hasShapes;
        measureButtons(data);
        if (hasShapes) {
          echarts.registerMap("unit-" + data.id, data.geojson);
          chart.resize();
          draw(data);
        }
        element.dataset.mapUnit = data.name;
        element.dataset.mapReady = "1";
      });
  }

  chart.on("click", function (event) {
    if (!current || event.seriesType !== "map" && event.componentType !== "geo") return;
    var region = current.regions[event.name];
    if (!region) return;
    if (region.map) load(region.map);
    else if (region.dashboard) window.location.href = region.dashboard + query;
  });
  up.addEventListener("click", function () { if (up.dataset.url) load(up.dataset.url); });
  window.addEventListener("resize", function () { chart.resize(); });
  load(element.dataset.url.split("?")[0]);
})();
