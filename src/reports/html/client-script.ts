/**
 * The page's own script, inlined as text: reads the report data, draws each chart with uPlot,
 * switches per-command views, toggles light/dark (and redraws, since canvases keep their colours),
 * and redraws light before printing. Written in plain ES2019 so any current browser runs it as is.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var root = document.documentElement;
  var plots = [];
  var PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];

  function css(name) { return getComputedStyle(root).getPropertyValue(name).trim(); }

  function pctLabel(x) {
    var p = 100 - 100 / x;
    if (x <= 1) return "0";
    return (Math.round(p * 1000) / 1000) + "";
  }

  function markerPlugin(spec) {
    return { hooks: { draw: function (u) {
      var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
      ctx.save();
      var drawn = 0;
      if (spec.timeAxis) {
        data.markers.forEach(function (m) {
          drawn++;
          var x0 = u.valToPos(m.fromS, "x", true), x1 = u.valToPos(m.toS, "x", true);
          var color = m.kind === "alert" ? css("--alert") : m.kind === "fault" ? css("--fault") : css("--failover");
          if (x1 - x0 > 1) {
            ctx.globalAlpha = 0.15; ctx.fillStyle = color; ctx.fillRect(x0, top, x1 - x0, height);
          }
          ctx.globalAlpha = 0.9; ctx.strokeStyle = color; ctx.lineWidth = 2;
          ctx.beginPath(); ctx.moveTo(x0, top); ctx.lineTo(x0, top + height); ctx.stroke();
        });
      }
      (spec.vlines || []).forEach(function (v) {
        var x = u.valToPos(v.x, "x", true);
        ctx.globalAlpha = 0.9; ctx.strokeStyle = css("--mark"); ctx.lineWidth = 2; ctx.setLineDash([6, 4]);
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
        ctx.setLineDash([]); ctx.fillStyle = css("--fg"); ctx.font = (12 * devicePixelRatio) + "px sans-serif";
        ctx.fillText(v.label, x + 4, top + 14 * devicePixelRatio);
      });
      ctx.restore();
      var figure = u.root.closest("figure");
      if (figure) figure.setAttribute("data-markers", String(drawn));
    } } };
  }

  function build(spec, box, variantName) {
    var variant = spec.variants[variantName];
    var axis = { stroke: css("--fg"), grid: { stroke: css("--grid") }, ticks: { stroke: css("--grid") } };
    var xAxis = Object.assign({}, axis, { label: spec.xLabel });
    if (spec.percentileAxis) {
      xAxis.splits = function () { return [1, 10, 100, 1000, 10000, 100000, 1000000]; };
      xAxis.values = function (u, vals) { return vals.map(function (v) { return v >= 1000000 ? "max" : pctLabel(v) + "%"; }); };
    }
    var xScale = { time: false, distr: spec.percentileAxis ? 3 : 1 };
    if (spec.timeAxis && data.timeRange) { xScale.range = function () { return data.timeRange; }; }
    var opts = {
      width: Math.max(320, box.clientWidth || 800),
      height: 260,
      cursor: spec.timeAxis ? { sync: { key: "time" } } : {},
      scales: { x: xScale, y: { distr: spec.logY ? 3 : 1 } },
      axes: [xAxis, Object.assign({}, axis, { label: spec.yLabel, size: 60 })],
      series: [{ label: spec.xLabel, value: spec.percentileAxis ? function (u, v) { return v == null ? "" : pctLabel(v) + " %"; } : undefined }]
        .concat(variant.series.map(function (s, i) {
          return { label: s.label, stroke: PALETTE[i % PALETTE.length], width: 2, dash: s.dashed ? [6, 4] : undefined, spanGaps: false, points: { show: variant.x.length < 60 } };
        })),
      plugins: [markerPlugin(spec)],
    };
    var rows = [variant.x].concat(variant.series.map(function (s) { return s.values; }));
    var points = 0;
    variant.series.forEach(function (s) { s.values.forEach(function (v) { if (v !== null && isFinite(v)) points++; }); });
    box.innerHTML = "";
    box.parentNode.setAttribute("data-points", String(points));
    box.parentNode.setAttribute("data-variant", variantName);
    return new uPlot(opts, rows, box);
  }

  function drawAll() {
    plots.forEach(function (p) { if (p.plot) p.plot.destroy(); });
    plots.forEach(function (p) { p.plot = build(p.spec, p.box, p.variant); });
  }

  data.charts.forEach(function (spec) {
    var holder = document.querySelector('[data-chart="' + spec.id + '"]');
    if (!holder) return;
    var box = holder.querySelector(".plot");
    var entry = { spec: spec, box: box, variant: Object.keys(spec.variants)[0], plot: null };
    var select = holder.querySelector("select");
    if (select) select.addEventListener("change", function () {
      entry.variant = select.value;
      entry.plot.destroy();
      entry.plot = build(spec, box, entry.variant);
    });
    plots.push(entry);
  });

  var toggle = document.getElementById("theme-toggle");
  if (toggle) toggle.addEventListener("click", function () {
    var dark = root.getAttribute("data-theme") === "dark" ||
      (!root.getAttribute("data-theme") && matchMedia("(prefers-color-scheme: dark)").matches);
    root.setAttribute("data-theme", dark ? "light" : "dark");
    drawAll();
  });
  var savedTheme = null;
  addEventListener("beforeprint", function () { savedTheme = root.getAttribute("data-theme"); root.setAttribute("data-theme", "light"); drawAll(); });
  addEventListener("afterprint", function () {
    if (savedTheme) root.setAttribute("data-theme", savedTheme); else root.removeAttribute("data-theme");
    drawAll();
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", drawAll);
  // Print preview and headless PDF switch media without a beforeprint event: redraw with print colours.
  matchMedia("print").addEventListener("change", drawAll);
  var resizeTimer = 0;
  addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawAll, 150); });
  drawAll();
  root.setAttribute("data-charts-ready", String(plots.length));
})();
`;
