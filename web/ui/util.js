/*
 * util.js: DOM building (text only: nothing here parses HTML), number and
 * date formatting, tables and their CSV download. Classic script: the
 * dashboard also opens from file://, where browsers refuse ES modules.
 */
"use strict";
(function (PP) {
  /* el("a", {href: "#/", class: "x"}, child, "text", ...): attributes and children, text as text. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key) || attrs[key] == null || attrs[key] === false) continue;
      if (key === "text") node.textContent = String(attrs[key]);
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key] === true ? "" : String(attrs[key]));
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, child) {
    if (child == null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  var tz = (Intl.DateTimeFormat().resolvedOptions().timeZone) || "local";
  var dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  /* An instant (ISO 8601 with offset) in the browser's time zone. */
  function when(iso) {
    if (iso == null || iso === "") return "";
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : dateTime.format(d);
  }
  function num(v) {
    if (v == null || v === "") return "";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
    return String(v);
  }

  /* RFC 4180 CSV of a header and rows (raw values, not formatted). */
  function csv(columns, rows) {
    function cell(v) {
      var s = v == null ? "" : String(v);
      return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    }
    var lines = [columns.map(function (c) { return cell(c.label); }).join(",")];
    rows.forEach(function (r) { lines.push(columns.map(function (c) { return cell(c.value(r)); }).join(",")); });
    return lines.join("\r\n") + "\r\n";
  }
  function download(name, text, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type || "text/csv;charset=utf-8" }));
    var a = el("a", { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  /*
   * A table: columns [{label, value(row), num: bool, show(row) -> node/text,
   * kind: "when"}], rows; foot: an optional last row. The CSV button
   * downloads the raw values as name.csv.
   */
  function table(name, columns, rows, opts) {
    opts = opts || {};
    var head = el("tr", null, columns.map(function (c) {
      return el("th", { scope: "col", class: c.num ? "num" : null, text: c.label });
    }));
    function row(r, tag) {
      return el("tr", null, columns.map(function (c) {
        var v = c.value(r);
        var shown = c.show ? c.show(r) : c.kind === "when" ? when(v) : c.num ? num(v) : (v == null ? "" : String(v));
        return el(tag || "td", { class: c.num ? "num" : null, "data-value": v == null ? "" : String(v) }, shown);
      }));
    }
    var t = el("table", { "data-table": name },
      opts.caption ? el("caption", { class: "muted", text: opts.caption }) : null,
      el("thead", null, head),
      el("tbody", null, rows.map(function (r) { return row(r); })),
      opts.foot ? el("tfoot", null, row(opts.foot)) : null);
    var all = opts.foot ? rows.concat([opts.foot]) : rows;
    var button = el("button", {
      type: "button", "data-csv": name, text: "Download CSV",
      "aria-label": "Download " + (opts.title || name) + " as CSV",
      onclick: function () { download(name + ".csv", csv(columns, all)); }
    });
    return { table: el("div", { class: "table-wrap" }, t), button: button, csv: function () { return csv(columns, all); } };
  }

  PP.el = el;
  PP.clear = clear;
  PP.when = when;
  PP.num = num;
  PP.csv = csv;
  PP.table = table;
  PP.download = download;
  PP.timeZone = tz;
})(window.PP = window.PP || {});
