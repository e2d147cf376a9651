/*
 * api.js: every request of the page, through the public /v1 API with
 * "Authorization: Bearer TOKEN". The token lives in sessionStorage only
 * (gone when the tab closes; never in a URL, never logged). In static mode
 * (a site written by `planpipe export site`, whose data.js sets
 * window.PP_STATIC) the same paths are read from that data instead.
 */
"use strict";
(function (PP) {
  var KEY = "planpipe.token";
  var staticData = window.PP_STATIC || null;

  function token() {
    try { return sessionStorage.getItem(KEY); } catch (e) { return null; }
  }
  function setToken(t) { sessionStorage.setItem(KEY, t); }
  function signOut() { try { sessionStorage.removeItem(KEY); } catch (e) { /* nothing kept */ } }

  function ApiError(status, problem, path) {
    this.status = status;
    this.problem = problem || {};
    this.path = path;
    this.message = (this.problem.title || "HTTP " + status) + (this.problem.detail ? ": " + this.problem.detail : "");
  }

  /* GET path (with its query) -> parsed JSON; rejects with ApiError. */
  function get(path) {
    if (staticData) {
      if (Object.prototype.hasOwnProperty.call(staticData.responses, path))
        return Promise.resolve(JSON.parse(JSON.stringify(staticData.responses[path])));
      return Promise.reject(new ApiError(404, { title: "Not in this export", detail: path }, path));
    }
    var t = token();
    if (!t) return Promise.reject(new ApiError(401, { title: "Not signed in" }, path));
    return fetch(path, {
      headers: { "Authorization": "Bearer " + t, "Accept": "application/json" },
      credentials: "omit", cache: "no-cache", referrerPolicy: "no-referrer"
    }).then(function (res) {
      return res.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        if (!res.ok) throw new ApiError(res.status, body, path);
        return body;
      });
    });
  }

  /* Every item of a paged list (items, next_cursor), up to max items. */
  function all(path, max) {
    var items = [];
    function page(p) {
      return get(p).then(function (body) {
        items = items.concat(body.items || []);
        if (staticData || !body.next_cursor || items.length >= (max || 1000)) return items;
        return page(path + (path.indexOf("?") < 0 ? "?" : "&") + "cursor=" + encodeURIComponent(body.next_cursor));
      });
    }
    return page(path);
  }

  function q(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v == null || v === "") return;
      (Array.isArray(v) ? v : [v]).forEach(function (x) { parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(x)); });
    });
    return parts.length ? "?" + parts.join("&") : "";
  }
  function report(name, params) { return get("/v1/reports/" + name + q(params || {})); }
  function seg(s) { return encodeURIComponent(s); }

  PP.api = {
    get: get, all: all, report: report, q: q, seg: seg,
    token: token, setToken: setToken, signOut: signOut, ApiError: ApiError,
    isStatic: function () { return !!staticData; },
    staticInfo: function () { return staticData; }
  };
})(window.PP = window.PP || {});
