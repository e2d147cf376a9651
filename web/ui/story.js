/*
 * story.js: one story: its fields, its body (markdown.js: text only), its
 * status history as a timeline, and its dependencies up (what waits for it)
 * and down (what it waits for), direct and transitive.
 */
"use strict";
(function (PP) {
  var el = PP.el, api = PP.api, pages = PP.pages;

  function pill(status, category) { return el("span", { class: "pill " + (category || ""), text: status }); }

  function fields(s) {
    var rows = [
      ["status", pill(s.status, s.category)], ["priority", s.priority], ["points", PP.num(s.estimate_points)],
      ["epic", s.epic], ["labels", (s.labels || []).join(", ")], ["owner", s.owner], ["author", s.author],
      ["branch", s.branch_name], ["checklist", s.checklist_total ? s.checklist_done + " of " + s.checklist_total : ""],
      ["source", s.source_path], ["created", PP.when(s.created_at)], ["started", PP.when(s.started_at)],
      ["completed", PP.when(s.completed_at)], ["updated", PP.when(s.updated_at)], ["archived", PP.when(s.archived_at)]
    ];
    return el("dl", { class: "kv" }, rows.filter(function (r) { return r[1] != null && r[1] !== ""; }).map(function (r) {
      return [el("dt", { text: r[0] }), el("dd", null, r[1])];
    }));
  }

  function timeline(h) {
    if (!h.length) return el("p", { class: "muted", text: "No status changes." });
    return el("ol", { class: "timeline", "data-section": "history" }, h.map(function (x) {
      return el("li", null, el("time", { datetime: x.changed_at, text: PP.when(x.changed_at) }), ": ",
        x.from ? [el("span", { text: x.from }), " \u2192 "] : "created as ", el("strong", { text: x.to }),
        x.changed_by ? " by " + x.changed_by : "", x.source ? el("span", { class: "muted", text: " (" + x.source + ")" }) : "",
        x.note ? el("div", { class: "muted", text: x.note }) : null);
    }));
  }

  function direct(list, empty) {
    if (!list.length) return el("p", { class: "muted", text: empty });
    return el("ul", null, list.map(function (d) {
      return el("li", null, pages.storyLink(d.project, d.key), " ", d.title || "", " ", pill(d.status || "?"), " ", el("span", { class: "muted", text: d.kind }));
    }));
  }

  /* The graph as a tree from the root (a node under its first parent; repeats say so). */
  function tree(g) {
    var nodes = {}, kids = {}, seen = {};
    g.nodes.forEach(function (n) { nodes[n.ref] = n; });
    g.edges.forEach(function (e) {
      var from = g.direction === "down" ? e.from : e.to, to = g.direction === "down" ? e.to : e.from;
      (kids[from] = kids[from] || []).push({ ref: to, kind: e.kind });
    });
    function item(ref, kind, depth) {
      var n = nodes[ref] || { ref: ref };
      var li = el("li", null, n.project ? pages.storyLink(n.project, n.key) : ref, " ", n.title || "", " ",
        n.status ? pill(n.status, n.category) : "", kind ? el("span", { class: "muted", text: " " + kind }) : "");
      if (seen[ref]) { li.appendChild(el("span", { class: "muted", text: " (shown above)" })); return li; }
      seen[ref] = true;
      var k = kids[ref] || [];
      if (k.length && depth < 20) li.appendChild(el("ul", null, k.map(function (c) { return item(c.ref, c.kind, depth + 1); })));
      return li;
    }
    var top = kids[g.root] || [];
    if (!top.length) return el("p", { class: "muted", text: "None." });
    seen[g.root] = true;
    return el("ul", { class: "tree", "data-graph": g.direction }, top.map(function (c) { return item(c.ref, c.kind, 1); }));
  }

  /*
   * Both graphs as one picture: what waits for the story on the left (up),
   * the story in the middle, what it waits for on the right (down); one
   * column per step, an arrow from each story to what it depends on.
   */
  function picture(down, up) {
    var NS = "http://www.w3.org/2000/svg", W = 150, H = 34, GX = 50, GY = 12;
    var cols = {}, pos = {}, refs = [];
    function place(n, col) {
      if (pos[n.ref]) return;
      (cols[col] = cols[col] || []).push(n);
      pos[n.ref] = { n: n, col: col };
      refs.push(n.ref);
    }
    (down ? down.nodes : []).forEach(function (n) { place(n, n.depth); });
    (up ? up.nodes : []).forEach(function (n) { place(n, -n.depth); });
    var keys = Object.keys(cols).map(Number).sort(function (a, b) { return a - b; });
    if (refs.length < 2) return null;
    var min = keys[0], rows = Math.max.apply(null, keys.map(function (k) { return cols[k].length; }));
    keys.forEach(function (k) { cols[k].forEach(function (n, i) { pos[n.ref].x = (k - min) * (W + GX); pos[n.ref].y = i * (H + GY); }); });
    var width = (keys[keys.length - 1] - min) * (W + GX) + W, height = rows * (H + GY) - GY;
    function svg(tag, attrs) {
      var e = document.createElementNS(NS, tag);
      Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      for (var i = 2; i < arguments.length; i++) if (arguments[i]) e.appendChild(arguments[i]);
      return e;
    }
    var root = svg("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img", class: "graph",
      "aria-label": "Dependency graph: " + refs.length + " stories; the lists below say the same" });
    root.appendChild(svg("defs", null, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse" },
      svg("path", { d: "M0 0L10 5L0 10z", class: "arrow" }))));
    var edges = {};
    (down ? down.edges : []).concat(up ? up.edges : []).forEach(function (e) {
      var a = pos[e.from], b = pos[e.to], id = e.from + ">" + e.to;
      if (!a || !b || edges[id]) return;
      edges[id] = true;
      var x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
      if (b.x <= a.x) { x1 = a.x + W / 2; x2 = b.x + W / 2; y1 = a.y + (b.y > a.y ? H : 0); y2 = b.y + (b.y > a.y ? 0 : H); }
      root.appendChild(svg("line", { x1: x1, y1: y1, x2: x2, y2: y2, class: "edge " + e.kind, "marker-end": "url(#arrow)" }));
    });
    refs.forEach(function (ref) {
      var p = pos[ref], n = p.n, label = svg("text", { x: p.x + 8, y: p.y + 14, class: "ref" });
      label.textContent = ref;
      var status = svg("text", { x: p.x + 8, y: p.y + 28, class: "status" });
      status.textContent = n.status || "";
      var box = svg("rect", { x: p.x, y: p.y, width: W, height: H, rx: 5, class: "node " + (n.category || "") + (p.col === 0 ? " root" : "") });
      var title = svg("title");
      title.textContent = ref + " " + (n.title || "");
      var g = svg("g", { "data-ref": ref }, title, box, label, status);
      root.appendChild(p.col === 0 || !n.project ? g : svg("a", { href: pages.storyHashOf(n.project, n.key) }, g));
    });
    return el("div", { class: "graph-wrap" }, root);
  }

  function story(main, project, key) {
    var base = "/v1/projects/" + api.seg(project) + "/stories/" + api.seg(key);
    return pages.settle([api.get(base), api.get(base + "/history"), api.get(base + "/dependencies"),
      api.get(base + "/graph?direction=down"), api.get(base + "/graph?direction=up")]).then(function (r) {
      PP.clear(main);
      if (!r[0].ok) { main.appendChild(pages.errorCard("Story " + project + ":" + key, r[0].error)); return; }
      var s = r[0].value;
      main.appendChild(el("h1", null, el("span", { class: "muted", text: s.ref + " " }), s.title));
      var grid = el("div", { class: "grid" });
      grid.appendChild(el("section", { class: "card", "data-section": "fields" }, el("h2", { text: "Fields" }), fields(s)));
      grid.appendChild(el("section", { class: "card", "data-section": "body" }, el("h2", { text: "Description" }),
        s.body ? PP.markdown(s.body) : el("p", { class: "muted", text: "No description." })));
      grid.appendChild(r[1].ok ? el("section", { class: "card" }, el("h2", { text: "History" }), timeline(r[1].value)) : pages.errorCard("History", r[1].error));
      if (r[2].ok) {
        var d = r[2].value;
        grid.appendChild(el("section", { class: "card", "data-section": "dependencies" }, el("h2", { text: "Dependencies" }),
          el("h3", { text: "Waits for (down)" }), direct(d.depends_on, "Depends on nothing."),
          el("h3", { text: "Waited for by (up)" }), direct(d.dependents, "Nothing depends on it."),
          d.unresolved && d.unresolved.length ? el("p", { class: "muted", text: "Unresolved references: " + d.unresolved.map(function (u) { return u.ref || JSON.stringify(u); }).join(", ") }) : null));
      } else grid.appendChild(pages.errorCard("Dependencies", r[2].error));
      grid.appendChild(el("section", { class: "card wide", "data-section": "graph" }, el("h2", { text: "Dependency graph" }),
        picture(r[3].ok ? r[3].value : null, r[4].ok ? r[4].value : null),
        el("h3", { text: "Everything it waits for" }), r[3].ok ? tree(r[3].value) : el("p", { class: "error", text: r[3].error.message }),
        el("h3", { text: "Everything waiting for it" }), r[4].ok ? tree(r[4].value) : el("p", { class: "error", text: r[4].error.message })));
      main.appendChild(grid);
    });
  }

  PP.story = story;
})(window.PP = window.PP || {});
