// The dashboard in headless Chromium (run by run.sh): sign in, open every
// page, compare every chart's data and table with the API's numbers, no
// console errors, no CSP violations, a hostile story body stays text, the
// token only in sessionStorage and the Authorization header, 360 px wide,
// dark mode, the keyboard; then the exported site from file:// with the same
// values. Screenshots of each page into $PP_OUT.
import puppeteer from "puppeteer-core";
import path from "node:path";

const URL_ = process.env.PP_URL, TOKEN = process.env.PP_TOKEN, OUT = process.env.PP_OUT;
const SITE = process.env.PP_SITE;
const WIN = "from=2024-01-01&to=2024-02-04&as_of=2024-02-04";
let failures = 0;
function fail(msg) { failures++; console.error("FAIL: " + msg); }
function check(cond, msg) { if (!cond) fail(msg); }
function same(got, want, msg) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) fail(`${msg}\n  page: ${g}\n  API:  ${w}`);
}
async function api(p) {
  const res = await fetch(URL_ + p, { headers: { Authorization: "Bearer " + TOKEN } });
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
  return res.json();
}
async function all(p) {
  let items = [], cursor = null;
  do {
    const b = await api(p + (cursor ? (p.includes("?") ? "&" : "?") + "cursor=" + cursor : ""));
    items = items.concat(b.items); cursor = b.next_cursor;
  } while (cursor);
  return items;
}

const browser = await puppeteer.launch({
  executablePath: process.env.PP_CHROMIUM, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const problems = [];
async function newPage(label) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warn") problems.push(`${label}: console ${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`${label}: page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`${label}: request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.evaluateOnNewDocument(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
  });
  return page;
}
async function ready(page) {
  await page.waitForFunction(() => document.body.getAttribute("data-ready"), { timeout: 30000 });
  const r = await page.evaluate(() => document.body.getAttribute("data-ready"));
  check(r === "1", "the page ended in state " + r + ": " + (await page.evaluate(() => document.querySelector("main").innerText)).slice(0, 400));
  await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => res())));
  const csp = await page.evaluate(() => window.__csp);
  check(csp.length === 0, "CSP violations: " + csp.join("; "));
}
// Opens a page. When the machine's network changes under Chromium (another
// container starting: net::ERR_NETWORK_CHANGED), its requests fail; that is
// the machine, not the page: once, forget those failures and load again.
async function go(page, hash, again) {
  const before = problems.length;
  await page.evaluate(() => document.body.removeAttribute("data-ready"));
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction(() => document.body.getAttribute("data-ready"), { timeout: 30000 });
  if (!again && problems.slice(before).some((p) => p.includes("ERR_NETWORK_CHANGED"))) {
    console.error("note: the network changed while loading " + hash + ": loading it again");
    problems.splice(before);
    await page.evaluate(() => { location.hash = "#/__reload"; });
    return go(page, hash, true);
  }
  await ready(page);
}
async function shot(page, name) { await page.screenshot({ path: path.join(OUT, name + ".png"), fullPage: true }); }

// Every figure: its chart's labels and datasets, and its table (raw values).
async function figures(page) {
  return page.evaluate(() => {
    const out = {};
    document.querySelectorAll("figure.chart").forEach((fig) => {
      const chart = Chart.getChart(fig.querySelector("canvas"));
      const t = fig.querySelector(":scope > details.numbers > .table-wrap table");
      const heads = [...t.querySelectorAll("thead th")].map((th) => th.textContent);
      const rows = [...t.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((td) => td.getAttribute("data-value")));
      const foot = [...t.querySelectorAll("tfoot tr")].map((tr) => [...tr.children].map((td) => td.getAttribute("data-value")));
      out[fig.getAttribute("data-chart")] = {
        drawn: !!chart && chart.canvas.width > 0,
        labels: chart ? chart.data.labels : null,
        datasets: chart ? Object.fromEntries(chart.data.datasets.map((d) => [d.label, d.data])) : {},
        heads, rows, foot,
        text: fig.innerText,
      };
    });
    return out;
  });
}
function column(f, head) {
  const i = f.heads.indexOf(head);
  if (i < 0) { fail(`no column "${head}" in [${f.heads}]`); return []; }
  return f.rows.map((r) => r[i]);
}
const s = (v) => (v == null ? "" : String(v));
const n = (v) => (v == null ? null : Number(v));

// One chart against the API: labels, each dataset, each table column.
function chart(figs, name, want) {
  const f = figs[name];
  if (!f) { fail(`no chart ${name} (have ${Object.keys(figs)})`); return; }
  check(f.drawn, `${name}: the chart is not drawn`);
  if (want.labels) same(f.labels, want.labels, `${name}: labels`);
  for (const [label, values] of Object.entries(want.datasets || {})) same(f.datasets[label], values, `${name}: dataset ${label}`);
  for (const [head, values] of Object.entries(want.table || {})) same(column(f, head), values.map(s), `${name}: table column ${head}`);
}

async function checkProjects(page, sum) {
  const figs = await figures(page);
  const bp = sum.by_project;
  chart(figs, "projects-status", {
    labels: bp.map((p) => p.project),
    datasets: Object.fromEntries(["todo", "active", "done", "cancelled"].map((c) => [c, bp.map((p) => p.categories[c].stories)])),
    table: { project: bp.map((p) => p.project), stories: bp.map((p) => p.stories), points: bp.map((p) => p.points), done: bp.map((p) => p.categories.done.stories) },
  });
  same(figs["projects-status"]?.foot[0].slice(2, 4), [s(sum.total.stories), s(sum.total.points)], "projects: the total row");
}

async function checkProject(page, d) {
  const figs = await figures(page);
  const sums = Object.fromEntries(d.summary.by_project[0].statuses.map((x) => [x.status, x]));
  chart(figs, "board", {
    labels: d.statuses.map((x) => x.key),
    datasets: { stories: d.statuses.map((x) => sums[x.key].stories) },
    table: { stories: d.statuses.map((x) => sums[x.key].stories), points: d.statuses.map((x) => sums[x.key].points) },
  });
  const cf = d.cfd;
  chart(figs, "cumulative-flow", {
    labels: cf.days.map((x) => x.day),
    datasets: Object.fromEntries(cf.categories.map((c) => [c, cf.days.map((x) => x[c])])),
    table: Object.fromEntries(cf.categories.map((c) => [c, cf.days.map((x) => x[c])])),
  });
  chart(figs, "throughput", {
    labels: d.tp.weeks.map((w) => w.week),
    datasets: { stories: d.tp.weeks.map((w) => w.stories), points: d.tp.weeks.map((w) => w.points) },
    table: { week: d.tp.weeks.map((w) => w.week), stories: d.tp.weeks.map((w) => w.stories), points: d.tp.weeks.map((w) => w.points) },
  });
  const ctp = d.ct.stories.filter((x) => x.cycle_days != null);
  chart(figs, "cycle-time", {
    datasets: { stories: ctp.map((x) => ({ x: Date.parse(x.done_at), y: x.cycle_days })) },
    table: { "cycle days": d.ct.stories.map((x) => x.cycle_days), "lead days": d.ct.stories.map((x) => x.lead_days) },
  });
  const o = d.ct.overall.cycle_time;
  const pct = await page.$$eval("[data-percentiles] strong", (xs) => xs.map((x) => x.textContent));
  same(pct, [o.median, o.p85, o.p95].map((v) => String(Math.round(v * 100) / 100)), "cycle-time: p50/p85/p95");
  check(o.n > 0, "the fixture has cycle times");
  const vp = d.vel.by_project[0];
  chart(figs, "velocity", {
    labels: vp.sprints.map((x) => x.backlog),
    datasets: { "committed points": vp.sprints.map((x) => x.committed.points), "done points": vp.sprints.map((x) => x.done.points) },
    table: { "done stories": vp.sprints.map((x) => x.done.stories), "committed stories": vp.sprints.map((x) => x.committed.stories) },
  });
  const fc = await page.$eval("[data-forecast-sprints]", (x) => x.textContent);
  check(fc.startsWith(String(vp.forecast_sprints) + " "), `velocity: forecast "${fc}", API ${vp.forecast_sprints}`);
  chart(figs, "burndown", {
    labels: d.bd.days.map((x) => x.day),
    datasets: { remaining: d.bd.days.map((x) => x.remaining), done: d.bd.days.map((x) => x.done), scope: d.bd.days.map((x) => x.scope) },
    table: { added: d.bd.days.map((x) => x.added), removed: d.bd.days.map((x) => x.removed), completed: d.bd.days.map((x) => x.completed), reopened: d.bd.days.map((x) => x.reopened) },
  });
  chart(figs, "time-in-status", {
    labels: d.tis.statuses.map((x) => x.status),
    datasets: { p50: d.tis.statuses.map((x) => x.days.median), p85: d.tis.statuses.map((x) => x.days.p85), p95: d.tis.statuses.map((x) => x.days.p95) },
    table: { visits: d.tis.statuses.map((x) => x.visits) },
  });
  chart(figs, "aging", {
    labels: d.aging.buckets.map((x) => x.bucket),
    datasets: { stories: d.aging.buckets.map((x) => x.stories) },
    table: { points: d.aging.buckets.map((x) => x.points) },
  });
  chart(figs, "epics", {
    labels: d.epics.by_epic.map((x) => (x.epic == null ? "(no epic)" : x.epic)),
    datasets: { "done % points": d.epics.by_epic.map((x) => x.done_percent_points) },
    table: { stories: d.epics.by_epic.map((x) => x.stories), blocked: d.epics.by_epic.map((x) => x.blocked) },
  });
  const blocked = await page.$$eval('[data-table="blocked"] tbody tr', (trs) => trs.map((tr) => tr.children[0].getAttribute("data-value")));
  same(blocked, d.blocked.stories.map((x) => x.project + ":" + x.key), "blocked stories");
  check(d.blocked.stories.length > 0, "the fixture has blocked stories");
}

async function checkStory(page, st, tokyo) {
  const pwned = await page.evaluate(() => window.__pp_pwned);
  check(pwned === undefined, "the story body's markup ran: window.__pp_pwned = " + pwned);
  const body = await page.$eval('[data-section="body"]', (x) => ({
    text: x.innerText, scripts: x.querySelectorAll("script, img, iframe").length,
    links: [...x.querySelectorAll("a")].map((a) => a.getAttribute("href")),
    h: x.querySelector(".markdown h2")?.textContent, strong: x.querySelector(".markdown strong")?.textContent,
  }));
  check(body.text.includes("<script>window.__pp_pwned = 1</script>"), "the <script> of the body shows as text");
  check(body.text.includes('<img src=x onerror="window.__pp_pwned = 2">'), "the <img> of the body shows as text");
  same(body.scripts, 0, "no element made from the body's markup");
  same(body.links, ["https://example.com/d"], "only the safe link is a link");
  same([body.h, body.strong], ["Login page", "bold"], "the markdown is rendered");
  const hist = await page.$$eval('[data-section="history"] time', (xs) => xs.map((x) => x.getAttribute("datetime")));
  same(hist, st.history.map((h) => h.changed_at), "story history");
  if (tokyo) {
    // 2024-01-09T10:00:00Z is 19:00 in Tokyo.
    const shown = await page.$$eval('[data-section="history"] time', (xs) => xs.map((x) => x.textContent));
    check(/Jan 9, 2024,? 7:00\s?PM/.test(shown[0]), "the history's first time in Tokyo: " + shown[0]);
    same(await page.$eval("#tz", (x) => x.textContent), "Asia/Tokyo", "the time zone named in the footer");
  }
  const deps = await page.$eval('[data-section="dependencies"]', (x) => x.innerText);
  for (const dd of st.deps.depends_on.concat(st.deps.dependents)) check(deps.includes(dd.ref), "dependency " + dd.ref + " is shown");
  const down = await page.$$eval('[data-graph="down"] a', (xs) => [...new Set(xs.map((x) => x.textContent))].sort());
  same(down, [...new Set(st.down.nodes.filter((x) => x.ref !== st.down.root).map((x) => x.ref))].sort(), "graph down");
  // The picture: one box per story of both graphs, one line per distinct edge.
  const pic = await page.$eval('[data-section="graph"]', (x) => ({
    refs: [...x.querySelectorAll("svg.graph g[data-ref]")].map((g) => g.getAttribute("data-ref")).sort(),
    lines: x.querySelectorAll("svg.graph line.edge").length,
  }));
  const nodes = [...new Set(st.down.nodes.concat(st.up.nodes).map((x) => x.ref))].sort();
  const edges = new Set(st.down.edges.concat(st.up.edges).map((e) => e.from + ">" + e.to));
  if (nodes.length > 1) same(pic, { refs: nodes, lines: edges.size }, "the dependency picture");
}

async function fetchProject(key) {
  const bl = (await api(`/v1/projects/${key}/backlogs`)).filter((b) => b.kind === "sprint");
  const sprint = bl.sort((a, b) => String(a.starts_on).localeCompare(String(b.starts_on))).pop();
  const P = `project=${key}`;
  const [win, asof] = [WIN.split("&").slice(0, 2).join("&"), WIN.split("&")[2]];
  return {
    statuses: await api(`/v1/projects/${key}/statuses`),
    summary: await api(`/v1/reports/status-summary?${P}`),
    cfd: await api(`/v1/reports/cumulative-flow?${P}&${win}`),
    tp: await api(`/v1/reports/throughput?${P}&${win}`),
    ct: await api(`/v1/reports/cycle-time?${P}&${win}`),
    vel: await api(`/v1/reports/velocity?${P}&${asof}`),
    bd: await api(`/v1/reports/burndown?${P}&backlog=${encodeURIComponent(sprint.name)}`),
    tis: await api(`/v1/reports/time-in-status?${P}&${win}`),
    aging: await api(`/v1/reports/aging?${P}&${asof}`),
    epics: await api(`/v1/reports/epics?${P}`),
    blocked: await api(`/v1/reports/blocked?${P}`),
  };
}
async function fetchStory(p, k) {
  const b = `/v1/projects/${p}/stories/${k}`;
  return { story: await api(b), history: await api(b + "/history"), deps: await api(b + "/dependencies"),
    down: await api(b + "/graph?direction=down"), up: await api(b + "/graph?direction=up") };
}

// ---- served by planpipe serve ----
const page = await newPage("served");
const requests = [];
page.on("request", (r) => requests.push({ url: r.url(), auth: r.headers()["authorization"] || null }));
// Instants in the browser's time zone: this browser is in Tokyo (UTC+9, no DST).
await page.emulateTimezone("Asia/Tokyo");
const first = await page.goto(URL_ + "/", { waitUntil: "load" });
const h = first.headers();
check(/default-src 'self'/.test(h["content-security-policy"]) && /frame-ancestors 'none'/.test(h["content-security-policy"]) &&
  !/unsafe-(inline|eval)/.test(h["content-security-policy"]), "the page's CSP: " + h["content-security-policy"]);
same(h["x-content-type-options"], "nosniff", "X-Content-Type-Options");
check(/^"[0-9a-f]{16}"$/.test(h["etag"] || ""), "the page has an ETag");
await page.waitForSelector("#token");
await shot(page, "signin");
// The keyboard reaches the token field and the button.
await page.keyboard.type(TOKEN);
await page.keyboard.press("Tab");
same(await page.evaluate(() => document.activeElement.textContent), "Sign in", "Tab goes from the token to the button");
await page.keyboard.press("Enter");
await ready(page);
const sum = await api("/v1/reports/status-summary");
await checkProjects(page, sum);
await shot(page, "projects");

// Keyboard: Tab from the top reaches the project link; Enter opens it.
await page.focus("body");
let reached = false;
for (let i = 0; i < 12 && !reached; i++) {
  await page.keyboard.press("Tab");
  reached = await page.evaluate(() => document.activeElement.getAttribute("href") === "#/p/PLAN");
}
check(reached, "Tab reaches the PLAN link");

await go(page, "#/p/PLAN?" + WIN);
await checkProject(page, await fetchProject("PLAN"));
await shot(page, "project-PLAN");

await go(page, "#/s/PLAN/A-3");
await checkStory(page, await fetchStory("PLAN", "A-3"), true);
await shot(page, "story-PLAN-A-3");
await go(page, "#/s/PLAN/A-5");
const a5 = await fetchStory("PLAN", "A-5");
const down5 = await page.$$eval('[data-graph="down"] a', (xs) => [...new Set(xs.map((x) => x.textContent))].sort());
same(down5, [...new Set(a5.down.nodes.filter((x) => x.ref !== "PLAN:A-5").map((x) => x.ref))].sort(), "A-5: graph down");

// The token: in sessionStorage only, never in a URL, on every /v1 request.
const storage = await page.evaluate(() => ({ s: sessionStorage.getItem("planpipe.token"), l: localStorage.length, href: location.href, cookie: document.cookie }));
same(storage, { s: TOKEN, l: 0, href: storage.href, cookie: "" }, "storage");
check(!storage.href.includes(TOKEN), "the token is not in the page's URL");
for (const r of requests) {
  check(!r.url.includes(TOKEN), "the token is in a URL: " + r.url);
  if (new URL(r.url).pathname.startsWith("/v1/")) same(r.auth, "Bearer " + TOKEN, "Authorization of " + r.url);
}
check(requests.some((r) => r.url.includes("/v1/reports/burndown")), "the page asked for a burndown");

// 360 px wide, light and dark.
await page.setViewport({ width: 360, height: 780 });
await go(page, "#/p/PLAN?" + WIN + "&sprint=Sprint%201");
const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
check(overflow <= 360, "the project page is " + overflow + " px wide at 360 px");
await shot(page, "project-PLAN-360px");
await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
await page.setViewport({ width: 1280, height: 900 });
await go(page, "#/");
const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
same(bg, "rgb(13, 17, 23)", "dark background");
await shot(page, "projects-dark");
await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);

// The CSV of a chart is its table.
const csv = await page.evaluate(() => {
  const t = document.querySelector('[data-table="projects-status"]');
  return t ? t.querySelectorAll("tbody tr").length : -1;
});
same(csv, sum.by_project.length, "projects table rows");

// ---- the exported site, from file:// ----
if (SITE) {
  const sp = await newPage("static");
  await sp.goto("file://" + path.join(SITE, "index.html"), { waitUntil: "load" });
  await ready(sp);
  check(await sp.evaluate(() => document.getElementById("mode").textContent === "static export"), "static mode is detected");
  // The export uses each report's default window: compare with the API's defaults.
  const sumS = await api("/v1/reports/status-summary");
  await checkProjects(sp, sumS);
  await shot(sp, "static-projects");
  await go(sp, "#/p/PLAN");
  const figs = await figures(sp);
  const cfd = await api("/v1/reports/cumulative-flow?project=PLAN");
  same(figs["cumulative-flow"]?.labels, cfd.days.map((x) => x.day), "static: cumulative flow days");
  const ep = await api("/v1/reports/epics?project=PLAN");
  same(figs["epics"]?.datasets["done % points"], ep.by_epic.map((x) => x.done_percent_points), "static: epics");
  const bd = await api("/v1/reports/burndown?project=PLAN&backlog=Sprint%201");
  same(figs["burndown"]?.datasets["remaining"], bd.days.map((x) => x.remaining), "static: burndown");
  await shot(sp, "static-project-PLAN");
  await go(sp, "#/s/PLAN/A-3");
  await checkStory(sp, await fetchStory("PLAN", "A-3"));
  await shot(sp, "static-story-PLAN-A-3");
}

for (const p of problems) fail(p);
await browser.close();
if (failures) { console.error(failures + " failure(s)"); process.exit(1); }
console.log("browser: every page checked; screenshots in " + OUT);
