/*
 * charts.js: a chart (Chart.js, vendored in vendor/) with its numbers as a
 * table beside it and a CSV download. Each figure carries data-chart=NAME;
 * its canvas's Chart.js instance holds exactly the numbers of the table
 * (the browser test compares both with the API's).
 */
"use strict";
(function (PP) {
  var el = PP.el;

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
  }
  var palette = ["--c-todo", "--c-active", "--c-done", "--c-cancelled", "--c-4", "--c-5"];
  function color(i) { return css(palette[i % palette.length]); }
  function categoryColor(cat) {
    return css({ todo: "--c-todo", active: "--c-active", done: "--c-done", cancelled: "--c-cancelled" }[cat] || "--c-4");
  }

  function baseOptions(extra) {
    var fg = css("--fg"), line = css("--line");
    var o = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { labels: { color: fg } }, tooltip: { enabled: true } },
      scales: {
        x: { ticks: { color: fg }, grid: { color: line } },
        y: { ticks: { color: fg }, grid: { color: line }, beginAtZero: true }
      }
    };
    return Object.assign(o, extra || {});
  }

  /*
   * figure({name, title, caption, config: Chart.js config, table: PP.table(...)})
   * -> a <figure> with the chart, the table and the CSV button.
   */
  function figure(f) {
    var canvas = el("canvas", { role: "img", "aria-label": f.title + " (the numbers are in the table below)" });
    var fig = el("figure", { class: "chart card", "data-chart": f.name },
      el("h2", { text: f.title }),
      f.caption ? el("figcaption", { text: f.caption }) : null,
      f.extra || null,
      el("div", { class: "chart-box" }, canvas),
      el("div", { class: "tools" }, f.table.button),
      el("details", { class: "numbers", open: true }, el("summary", { text: "Numbers" }), f.table.table));
    fig._pp = { canvas: canvas, config: f.config };
    return fig;
  }

  /* Draws the charts of figures now in the document (Chart.js needs their size). */
  function draw(root) {
    if (!window.Chart) throw new Error("Chart.js did not load");
    Array.prototype.forEach.call(root.querySelectorAll("figure.chart"), function (fig) {
      if (!fig._pp || fig._pp.chart) return;
      fig._pp.chart = new window.Chart(fig._pp.canvas, fig._pp.config);
    });
  }

  PP.charts = { figure: figure, draw: draw, color: color, categoryColor: categoryColor, options: baseOptions, css: css };
})(window.PP = window.PP || {});
