/*
 * pages.js: the projects page and a project's page. Each report comes from
 * GET /v1/reports/NAME (docs/reports.md) and is drawn as it is: no figure is
 * computed here, only laid out.
 */
"use strict";
(function (PP) {
  var el = PP.el, api = PP.api, C = PP.charts;
  var CATS = ["todo", "active", "done", "cancelled"];

  function link(hash, text) { return el("a", { href: hash, text: text }); }
  function storyHash(project, key) { return "#/s/" + api.seg(project) + "/" + api.seg(key); }
  function storyLink(project, key, text) {
    if (project == null || key == null) return text || "(hidden)";
    return link(storyHash(project, key), text || project + ":" + key);
  }
  function errorCard(title, err) {
    return el("section", { class: "card", "data-error": title }, el("h2", { text: title }),
      el("p", { class: "error", role: "alert", text: err && err.message ? err.message : String(err) }));
  }
  /* Runs each loader; a failing one shows its error and the others still draw. */
  function settle(promises) {
    return Promise.all(promises.map(function (p) {
      return p.then(function (v) { return { ok: true, value: v }; }, function (e) { return { ok: false, error: e }; });
    }));
  }
  function col(label, value, opts) { return Object.assign({ label: label, value: value }, opts || {}); }
  function ncol(label, value) { return col(label, value, { num: true }); }

  /* ---- projects ---- */
  function projects(main) {
    return settle([api.all("/v1/projects"), api.report("status-summary")]).then(function (r) {
      PP.clear(main);
      main.appendChild(el("h1", { text: "Projects" }));
      if (!r[0].ok) { main.appendChild(errorCard("Projects", r[0].error)); return; }
      if (!r[1].ok) { main.appendChild(errorCard("Status summary", r[1].error)); return; }
      var names = {};
      r[0].value.forEach(function (p) { names[p.key] = p.name; });
      var sum = r[1].value;
      var rows = sum.by_project;
      var cols = [
        col("project", function (x) { return x.project; }, { show: function (x) { return x.project ? link("#/p/" + api.seg(x.project), x.project) : "TOTAL"; } }),
        col("name", function (x) { return x.project ? (names[x.project] || x.name || "") : ""; }),
        ncol("stories", function (x) { return x.stories; }),
        ncol("points", function (x) { return x.points; })
      ].concat(CATS.map(function (c) { return ncol(c, function (x) { return x.categories[c].stories; }); }))
        .concat([ncol("unestimated", function (x) { return x.unestimated; })]);
      var total = Object.assign({ project: null }, sum.total);
      var t = PP.table("projects-status", cols, rows, { foot: total, title: "status per project" });
      var fig = C.figure({
        name: "projects-status", title: "Stories per project and category",
        caption: "Open and finished work of each project you can see; the last row is the total.",
        table: t,
        config: {
          type: "bar",
          data: {
            labels: rows.map(function (x) { return x.project; }),
            datasets: CATS.map(function (c) {
              return { label: c, data: rows.map(function (x) { return x.categories[c].stories; }), backgroundColor: C.categoryColor(c) };
            })
          },
          options: C.options({ indexAxis: rows.length > 6 ? "y" : "x",
            scales: { x: { stacked: true, ticks: { color: C.css("--fg") } }, y: { stacked: true, beginAtZero: true, ticks: { color: C.css("--fg") } } } })
        }
      });
      main.appendChild(el("p", { class: "muted", text: rows.length + " project" + (rows.length === 1 ? "" : "s") + ", " + sum.total.stories + " stories, " + PP.num(sum.total.points) + " points." }));
      main.appendChild(el("div", { class: "grid" }, fig));
      C.draw(main);
    });
  }

  /* ---- a project ---- */
  function windowForm(key, params) {
    if (api.isStatic()) {
      var info = api.staticInfo();
      return el("p", { class: "muted", text: "Exported " + PP.when(info.generated_at) + " with each report's default window." });
    }
    function input(name, label) {
      return el("label", null, label + " ", el("input", { type: "date", name: name, value: params[name] || "" }));
    }
    var form = el("form", { class: "tools", "aria-label": "report window", onsubmit: function (e) {
      e.preventDefault();
      var p = {};
      ["from", "to", "as_of"].forEach(function (n) { var v = form.elements[n].value; if (v) p[n] = v; });
      if (params.sprint) p.sprint = params.sprint;
      location.hash = "#/p/" + api.seg(key) + api.q(p);
    } }, input("from", "From"), input("to", "To"), input("as_of", "As of"),
      el("button", { type: "submit", text: "Apply" }),
      el("span", { class: "muted", text: "Empty: each report's default (the last 30 days or 12 weeks; now)." }));
    return form;
  }

  function board(statuses, summary, aging) {
    var sums = {}, ages = {}, oldest = {};
    ((summary.by_project[0] || {}).statuses || []).forEach(function (s) { sums[s.status] = s; });
    (aging.by_status || []).forEach(function (s) { ages[s.status] = s; });
    (aging.oldest || []).forEach(function (s) { if (!oldest[s.status]) oldest[s.status] = s; });
    var rows = statuses.map(function (s) {
      var sum = sums[s.key] || { stories: 0, points: 0 }, a = ages[s.key], o = oldest[s.key];
      return { status: s.key, name: s.name, category: s.category, stories: sum.stories, points: sum.points,
        oldest_days: a ? a.oldest_days : null, oldest: o ? o.project + ":" + o.key : null, o: o };
    });
    var cols = [col("status", function (x) { return x.status; }), col("category", function (x) { return x.category; }),
      ncol("stories", function (x) { return x.stories; }), ncol("points", function (x) { return x.points; }),
      ncol("oldest days", function (x) { return x.oldest_days; }),
      col("oldest story", function (x) { return x.oldest; }, { show: function (x) { return x.o ? storyLink(x.o.project, x.o.key) : ""; } })];
    var columns = el("div", { class: "board", role: "list", "aria-label": "board columns" }, rows.map(function (x) {
      return el("div", { class: "column " + x.category, role: "listitem" },
        el("div", { text: x.name }), el("div", { class: "count", text: x.stories }),
        el("div", { class: "muted", text: PP.num(x.points) + " pts" }),
        x.o ? el("div", { class: "muted" }, "oldest: ", storyLink(x.o.project, x.o.key), " (" + PP.num(x.oldest_days) + " d)") : null);
    }));
    return C.figure({
      name: "board", title: "Board", caption: "Stories and points in each status of the workflow, and the open work that has waited longest in it (aging, as of " + PP.when(aging.as_of) + ").",
      extra: columns, table: PP.table("board", cols, rows, { title: "board" }),
      config: { type: "bar", data: { labels: rows.map(function (x) { return x.status; }),
        datasets: [{ label: "stories", data: rows.map(function (x) { return x.stories; }), backgroundColor: rows.map(function (x) { return C.categoryColor(x.category); }) }] },
        options: C.options({ plugins: { legend: { display: false } } }) }
    });
  }

  function cfd(r) {
    var cols = [col("day (UTC)", function (d) { return d.day; })].concat(r.categories.map(function (c) { return ncol(c, function (d) { return d[c]; }); }));
    return C.figure({ name: "cumulative-flow", title: "Cumulative flow",
      caption: "Stories in each category at the end of each day, " + r.from + " to " + r.to + ".",
      table: PP.table("cumulative-flow", cols, r.days),
      config: { type: "line", data: { labels: r.days.map(function (d) { return d.day; }),
        datasets: r.categories.slice().reverse().map(function (c) {
          return { label: c, data: r.days.map(function (d) { return d[c]; }), fill: true, pointRadius: 0,
            borderColor: C.categoryColor(c), backgroundColor: C.categoryColor(c) };
        }) },
        options: C.options({ scales: { x: { ticks: { color: C.css("--fg") } }, y: { stacked: true, beginAtZero: true, ticks: { color: C.css("--fg") } } } }) } });
  }

  function throughput(r) {
    var cols = [col("week", function (w) { return w.week; }), col("from", function (w) { return w.from; }), col("to", function (w) { return w.to; }),
      ncol("stories", function (w) { return w.stories; }), ncol("points", function (w) { return w.points; })];
    return C.figure({ name: "throughput", title: "Throughput",
      caption: "Stories and points first done per ISO week, " + r.from + " to " + r.to + ".",
      table: PP.table("throughput", cols, r.weeks, { foot: { week: "TOTAL", stories: r.total.stories, points: r.total.points } }),
      config: { type: "bar", data: { labels: r.weeks.map(function (w) { return w.week; }),
        datasets: [{ label: "stories", data: r.weeks.map(function (w) { return w.stories; }), backgroundColor: C.color(1) },
          { label: "points", data: r.weeks.map(function (w) { return w.points; }), backgroundColor: C.color(2) }] },
        options: C.options() } });
  }

  function cycleTime(r) {
    var ct = r.overall.cycle_time, pts = r.stories.filter(function (s) { return s.cycle_days != null; });
    var xs = pts.map(function (s) { return Date.parse(s.done_at); });
    var lo = Math.min.apply(null, xs.concat([Date.parse(r.from + "T00:00:00Z")])), hi = Math.max.apply(null, xs.concat([Date.parse(r.to + "T23:59:59Z")]));
    function level(name, v, i) {
      return { type: "line", label: name + " " + (v == null ? "-" : PP.num(v)) + " d", data: v == null ? [] : [{ x: lo, y: v }, { x: hi, y: v }],
        borderColor: C.color(i), borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 };
    }
    var cols = [col("story", function (s) { return s.project + ":" + s.key; }, { show: function (s) { return storyLink(s.project, s.key); } }),
      col("done at", function (s) { return s.done_at; }, { kind: "when" }),
      ncol("cycle days", function (s) { return s.cycle_days; }), ncol("lead days", function (s) { return s.lead_days; })];
    var pct = el("p", { class: "forecast", "data-percentiles": "cycle" },
      "Cycle time over " + ct.n + " stor" + (ct.n === 1 ? "y" : "ies") + ": p50 ", el("strong", { "data-p": "p50", text: PP.num(ct.median) }),
      ", p85 ", el("strong", { "data-p": "p85", text: PP.num(ct.p85) }), ", p95 ", el("strong", { "data-p": "p95", text: PP.num(ct.p95) }), " days.");
    return C.figure({ name: "cycle-time", title: "Cycle time",
      caption: "Each story completed " + r.from + " to " + r.to + ": days from first active to done; the lines are the percentiles.",
      extra: pct, table: PP.table("cycle-time", cols, r.stories),
      config: { type: "scatter", data: { datasets: [
        { label: "stories", data: pts.map(function (s) { return { x: Date.parse(s.done_at), y: s.cycle_days }; }), backgroundColor: C.color(1), pointRadius: 4 },
        level("p50", ct.median, 2), level("p85", ct.p85, 5), level("p95", ct.p95, 3)] },
        options: C.options({ scales: {
          x: { type: "linear", min: lo, max: hi, ticks: { color: C.css("--fg"), maxTicksLimit: 6, callback: function (v) { return new Date(v).toLocaleDateString(); } } },
          y: { beginAtZero: true, title: { display: true, text: "days" }, ticks: { color: C.css("--fg") } } } }) } });
  }

  function velocity(r) {
    var p = r.by_project[0] || { sprints: [], mean: {}, remaining: {} };
    var cols = [col("sprint", function (s) { return s.backlog; }), col("starts", function (s) { return s.starts_on; }), col("ends", function (s) { return s.ends_on; }),
      col("finished", function (s) { return s.finished ? "yes" : "no"; }),
      ncol("committed stories", function (s) { return s.committed.stories; }), ncol("committed points", function (s) { return s.committed.points; }),
      ncol("done stories", function (s) { return s.done.stories; }), ncol("done points", function (s) { return s.done.points; })];
    var fc = el("p", { class: "forecast", "data-forecast": "velocity" },
      "Mean of the last " + (p.mean.sprints || 0) + " finished sprint(s): ", el("strong", { text: PP.num(p.mean.points) }), " points, " + PP.num(p.mean.stories) + " stories. ",
      "Remaining open: " + PP.num(p.remaining.points) + " points in " + PP.num(p.remaining.stories) + " stories (" + PP.num(p.remaining.unestimated) + " unestimated). Forecast: ",
      el("strong", { "data-forecast-sprints": "", text: p.forecast_sprints == null ? "no estimate" : PP.num(p.forecast_sprints) + " sprint(s)" }), ".");
    return C.figure({ name: "velocity", title: "Velocity", caption: "Points committed and done per sprint (as of " + PP.when(r.as_of) + ").",
      extra: fc, table: PP.table("velocity", cols, p.sprints),
      config: { type: "bar", data: { labels: p.sprints.map(function (s) { return s.backlog; }),
        datasets: [{ label: "committed points", data: p.sprints.map(function (s) { return s.committed.points; }), backgroundColor: C.color(0) },
          { label: "done points", data: p.sprints.map(function (s) { return s.done.points; }), backgroundColor: C.color(2) }] },
        options: C.options() } });
  }

  function burndown(r, sprints, chosen, key, params) {
    var select = el("select", { id: "sprint", "aria-label": "sprint", onchange: function () {
      var p = Object.assign({}, params, { sprint: select.value });
      location.hash = "#/p/" + api.seg(key) + api.q(p);
    } }, sprints.map(function (b) { return el("option", { value: b.name, selected: b.name === chosen, text: b.name + (b.starts_on ? " (" + b.starts_on + " – " + (b.ends_on || "") + ")" : "") }); }));
    var cols = [col("day (UTC)", function (d) { return d.day; }), ncol("scope", function (d) { return d.scope; }), ncol("added", function (d) { return d.added; }),
      ncol("removed", function (d) { return d.removed; }), ncol("completed", function (d) { return d.completed; }), ncol("reopened", function (d) { return d.reopened; }),
      ncol("done", function (d) { return d.done; }), ncol("remaining", function (d) { return d.remaining; })];
    return C.figure({ name: "burndown", title: "Burndown and burnup",
      caption: "Points of " + r.backlog + " per day, " + r.from + " to " + r.to + ": remaining (burndown), done and scope (burnup); scope changes in the table.",
      extra: el("div", { class: "tools" }, el("label", { for: "sprint", text: "Sprint" }), select),
      table: PP.table("burndown", cols, r.days),
      config: { type: "line", data: { labels: r.days.map(function (d) { return d.day; }), datasets: [
        { label: "remaining", data: r.days.map(function (d) { return d.remaining; }), borderColor: C.color(3), backgroundColor: C.color(3) },
        { label: "done", data: r.days.map(function (d) { return d.done; }), borderColor: C.color(2), backgroundColor: C.color(2) },
        { label: "scope", data: r.days.map(function (d) { return d.scope; }), borderColor: C.color(0), backgroundColor: C.color(0), borderDash: [4, 4] }] },
        options: C.options() } });
  }

  function timeInStatus(r) {
    var cols = [col("status", function (s) { return s.status; }), col("category", function (s) { return s.category; }),
      ncol("visits", function (s) { return s.visits; }), ncol("stories", function (s) { return s.stories; }),
      ncol("p50 days", function (s) { return s.days.median; }), ncol("p85 days", function (s) { return s.days.p85; }), ncol("p95 days", function (s) { return s.days.p95; })];
    function ds(label, f, i) { return { label: label, data: r.statuses.map(function (s) { return s.days[f]; }), backgroundColor: C.color(i) }; }
    return C.figure({ name: "time-in-status", title: "Time in status", caption: "Days per visit to each status, visits that ended " + r.from + " to " + r.to + ".",
      table: PP.table("time-in-status", cols, r.statuses),
      config: { type: "bar", data: { labels: r.statuses.map(function (s) { return s.status; }),
        datasets: [ds("p50", "median", 1), ds("p85", "p85", 5), ds("p95", "p95", 3)] }, options: C.options() } });
  }

  function aging(r) {
    var cols = [col("bucket", function (b) { return b.bucket; }), ncol("stories", function (b) { return b.stories; }), ncol("points", function (b) { return b.points; })];
    var oc = [col("story", function (s) { return s.project + ":" + s.key; }, { show: function (s) { return storyLink(s.project, s.key); } }),
      col("title", function (s) { return s.title; }), col("status", function (s) { return s.status; }),
      col("since", function (s) { return s.since; }, { kind: "when" }), ncol("age days", function (s) { return s.age_days; }), ncol("points", function (s) { return s.points; })];
    var oldest = PP.table("aging-oldest", oc, r.oldest || [], { title: "oldest open work" });
    return C.figure({ name: "aging", title: "Aging of open work", caption: "Open stories by days in their current status, as of " + PP.when(r.as_of) + ".",
      extra: el("details", null, el("summary", { text: "Oldest open stories" }), oldest.table, el("div", { class: "tools" }, oldest.button)),
      table: PP.table("aging", cols, r.buckets, { foot: { bucket: "TOTAL", stories: r.stories, points: r.points } }),
      config: { type: "bar", data: { labels: r.buckets.map(function (b) { return b.bucket; }),
        datasets: [{ label: "stories", data: r.buckets.map(function (b) { return b.stories; }), backgroundColor: C.color(5) }] },
        options: C.options({ plugins: { legend: { display: false } } }) } });
  }

  function epics(r) {
    var rows = r.by_epic;
    function name(e) { return e.epic == null ? "(no epic)" : e.epic; }
    var cols = [col("epic", name), ncol("stories", function (e) { return e.stories; }), ncol("points", function (e) { return e.points; }),
      ncol("done stories", function (e) { return e.done_stories; }), ncol("done points", function (e) { return e.done_points; }),
      ncol("done % points", function (e) { return e.done_percent_points; }), ncol("done % stories", function (e) { return e.done_percent_stories; }),
      ncol("open", function (e) { return e.open; }), ncol("blocked", function (e) { return e.blocked; }), ncol("unestimated", function (e) { return e.unestimated; })];
    return C.figure({ name: "epics", title: "Epic progress", caption: "Done % by points per epic (cancelled stories left out).",
      table: PP.table("epics", cols, rows, { foot: Object.assign({ epic: "TOTAL" }, r.total) }),
      config: { type: "bar", data: { labels: rows.map(name),
        datasets: [{ label: "done % points", data: rows.map(function (e) { return e.done_percent_points; }), backgroundColor: C.color(2) }] },
        options: C.options({ indexAxis: "y", scales: { x: { min: 0, max: 100, ticks: { color: C.css("--fg") } }, y: { ticks: { color: C.css("--fg") } } } }) } });
  }

  function blocked(r) {
    var cols = [col("story", function (s) { return s.project + ":" + s.key; }, { show: function (s) { return storyLink(s.project, s.key); } }),
      col("title", function (s) { return s.title; }), col("status", function (s) { return s.status; }),
      col("blocked since", function (s) { return s.blocked_since; }, { kind: "when" }), ncol("depth", function (s) { return s.depth; }),
      col("blocked by", function (s) {
        return s.blockers.filter(function (b) { return b.depth === 1; }).map(function (b) { return b.hidden ? "(hidden)" : b.project + ":" + b.key; }).join(" ");
      }, { show: function (s) {
        return s.blockers.map(function (b) {
          return el("div", null, "\u2192".repeat(b.depth) + " ", b.hidden ? "(hidden) " + b.status : storyLink(b.project, b.key), b.hidden ? "" : " " + b.status);
        });
      } }),
      ncol("all blockers", function (s) { return s.blockers.length; })];
    var t = PP.table("blocked", cols, r.stories, { title: "blocked stories" });
    return el("section", { class: "card", "data-section": "blocked" }, el("h2", { text: "Blocked stories" }),
      el("p", { class: "muted", text: r.stories.length ? "Open stories with open blockers, oldest blockage first, each with its chain (up to three steps)." : "Nothing is blocked." }),
      t.table, el("div", { class: "tools" }, t.button));
  }

  function storyList(items) {
    var cols = [col("story", function (s) { return s.ref; }, { show: function (s) { return storyLink(s.project, s.key); } }),
      col("title", function (s) { return s.title; }), col("status", function (s) { return s.status; }),
      col("epic", function (s) { return s.epic; }), ncol("points", function (s) { return s.estimate_points; })];
    var t = PP.table("stories", cols, items, { title: "stories" });
    return el("section", { class: "card", "data-section": "stories" }, el("h2", { text: "Stories (" + items.length + ")" }),
      el("details", null, el("summary", { text: "Show the list" }), t.table, el("div", { class: "tools" }, t.button)));
  }

  function project(main, key, params) {
    var P = { project: key }, W = { project: key, from: params.from, to: params.to }, A = { project: key, as_of: params.as_of };
    var base = "/v1/projects/" + api.seg(key);
    return settle([
      api.get(base), api.get(base + "/statuses"), api.get(base + "/backlogs"),
      api.report("status-summary", P), api.report("aging", A), api.report("cumulative-flow", W),
      api.report("throughput", W), api.report("cycle-time", W), api.report("velocity", A),
      api.report("time-in-status", W), api.report("epics", P), api.report("blocked", P),
      api.all(base + "/stories")
    ]).then(function (r) {
      PP.clear(main);
      if (!r[0].ok) { main.appendChild(errorCard("Project " + key, r[0].error)); return; }
      var proj = r[0].value;
      main.appendChild(el("h1", { text: proj.name + " (" + proj.key + ")" }));
      if (proj.description) main.appendChild(el("p", { class: "muted", text: proj.description }));
      main.appendChild(windowForm(key, params));
      var grid = el("div", { class: "grid" });
      function add(i, title, f) { grid.appendChild(r[i].ok ? f(r[i].value) : errorCard(title, r[i].error)); }
      if (r[1].ok && r[3].ok && r[4].ok) grid.appendChild(board(r[1].value, r[3].value, r[4].value));
      else grid.appendChild(errorCard("Board", (r[1].error || r[3].error || r[4].error)));
      add(5, "Cumulative flow", cfd);
      add(6, "Throughput", throughput);
      add(7, "Cycle time", cycleTime);
      add(8, "Velocity", velocity);
      main.appendChild(grid);
      var sprints = r[2].ok ? r[2].value.filter(function (b) { return b.kind === "sprint"; }) : [];
      sprints.sort(function (a, b) { return String(a.starts_on || "").localeCompare(String(b.starts_on || "")) || a.name.localeCompare(b.name); });
      var chosen = params.sprint || (sprints.length ? sprints[sprints.length - 1].name : null);
      var slot = el("div", { class: "card", "data-slot": "burndown" }, el("h2", { text: "Burndown and burnup" }),
        el("p", { class: "muted", text: chosen ? "Loading…" : "This project has no sprint (a backlog of kind sprint)." }));
      grid.appendChild(slot);
      add(9, "Time in status", timeInStatus);
      add(4, "Aging", aging);
      add(10, "Epic progress", epics);
      main.appendChild(r[11].ok ? blocked(r[11].value) : errorCard("Blocked stories", r[11].error));
      main.appendChild(r[12].ok ? storyList(r[12].value) : errorCard("Stories", r[12].error));
      C.draw(main);
      if (!chosen) return null;
      return api.report("burndown", { project: key, backlog: chosen }).then(function (b) {
        var fig = burndown(b, sprints, chosen, key, params);
        slot.replaceWith(fig);
        C.draw(main);
      }, function (e) { slot.replaceWith(errorCard("Burndown and burnup", e)); });
    });
  }

  PP.pages = { projects: projects, project: project, storyLink: storyLink, storyHashOf: storyHash, errorCard: errorCard, settle: settle, link: link };
})(window.PP = window.PP || {});
