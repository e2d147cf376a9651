/*
 * app.js: sign-in and the hash router: #/ (projects), #/p/KEY[?from=&to=
 * &as_of=&sprint=] (a project), #/s/PROJECT/KEY (a story).
 */
"use strict";
(function (PP) {
  var el = PP.el, api = PP.api;
  var main = document.getElementById("main");

  function crumbs(parts) {
    var nav = PP.clear(document.getElementById("crumbs"));
    parts.forEach(function (p, i) {
      if (i) nav.appendChild(el("span", { "aria-hidden": "true", text: "/" }));
      nav.appendChild(p.href ? el("a", { href: p.href, text: p.text }) : el("span", { "aria-current": "page", text: p.text }));
    });
  }

  function signIn(message) {
    crumbs([{ text: "Sign in" }]);
    PP.clear(main);
    var input = el("input", { id: "token", name: "token", type: "password", autocomplete: "off", required: true, spellcheck: "false" });
    var err = el("p", { class: "error", role: "alert", hidden: !message, text: message || "" });
    var form = el("form", { class: "signin card", onsubmit: function (e) {
      e.preventDefault();
      api.setToken(input.value.trim());
      input.value = "";
      api.get("/v1/me").then(function () { route(); }, function (x) {
        api.signOut();
        err.hidden = false;
        err.textContent = x.status === 401 ? "That token was not accepted." : x.message;
      });
    } }, el("h1", { text: "Sign in" }),
      el("p", { class: "muted", text: "Paste an API token (planpipe user add / user token). It is kept in this tab only (sessionStorage) and sent as a Bearer header." }),
      el("label", { for: "token", text: "API token" }), input, el("button", { type: "submit", text: "Sign in" }), err);
    main.appendChild(form);
    input.focus();
  }

  function parse() {
    var h = location.hash.replace(/^#/, "") || "/";
    var qi = h.indexOf("?"), path = qi < 0 ? h : h.slice(0, qi), params = {};
    if (qi >= 0) new URLSearchParams(h.slice(qi + 1)).forEach(function (v, k) { params[k] = v; });
    return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), params: params };
  }

  var seq = 0;
  function route() {
    var r = parse(), my = ++seq, done;
    document.getElementById("signout").hidden = api.isStatic() || !api.token();
    if (!api.isStatic() && !api.token()) { signIn(); return; }
    document.body.removeAttribute("data-ready");
    PP.clear(main).appendChild(el("p", { class: "loading", text: "Loading…" }));
    if (r.parts[0] === "p" && r.parts[1]) {
      crumbs([{ href: "#/", text: "Projects" }, { text: r.parts[1] }]);
      document.title = r.parts[1] + " · planpipe";
      done = PP.pages.project(main, r.parts[1], r.params);
    } else if (r.parts[0] === "s" && r.parts[2]) {
      crumbs([{ href: "#/", text: "Projects" }, { href: "#/p/" + api.seg(r.parts[1]), text: r.parts[1] }, { text: r.parts[2] }]);
      document.title = r.parts[1] + ":" + r.parts[2] + " · planpipe";
      done = PP.story(main, r.parts[1], r.parts[2]);
    } else {
      crumbs([{ text: "Projects" }]);
      document.title = "planpipe";
      done = PP.pages.projects(main);
    }
    Promise.resolve(done).then(function () {
      if (my !== seq) return;
      document.body.setAttribute("data-ready", "1");
      main.focus({ preventScroll: true });
    }, function (e) {
      if (my !== seq) return;
      if (e && e.status === 401 && !api.isStatic()) { api.signOut(); signIn("Your token was not accepted; sign in again."); return; }
      PP.clear(main).appendChild(PP.pages.errorCard("Error", e));
      document.body.setAttribute("data-ready", "error");
    });
  }

  document.getElementById("tz").textContent = PP.timeZone;
  document.getElementById("signout").addEventListener("click", function () { api.signOut(); location.hash = "#/"; signIn(); });
  if (api.isStatic()) document.getElementById("mode").textContent = "static export";
  window.addEventListener("hashchange", route);
  route();
})(window.PP = window.PP || {});
