/*
 * markdown.js: a small markdown renderer that builds DOM nodes and never
 * parses HTML: every character of the source ends up as text, so markup in
 * a story body (<script>, <img onerror>) shows as text. Headings,
 * paragraphs, lists (task boxes too), fenced and indented code, quotes,
 * rules, inline code, bold, italic and links (http, https, mailto and
 * relative only; any other scheme shows as text).
 */
"use strict";
(function (PP) {
  var el = PP.el;

  function safeHref(href) {
    /*
     * Judged as a browser reads it: the URL standard drops control
     * characters and spaces at the ends and tabs and newlines anywhere, so
     * "\x01javascript:" and "java\tscript:" are javascript: links.
     */
    var h = href.replace(/[\u0000-\u0020\u007f]/g, "");
    if (/^(https?:|mailto:)/i.test(h)) return h;
    if (/^[a-z][a-z0-9+.-]*:/i.test(h)) return null; /* javascript:, data:, ... */
    return h;
  }

  /* Inline: `code`, **bold**, *em* / _em_, [text](href). */
  function inline(text) {
    var out = [];
    /* "_" emphasises only at word edges: snake_case_names stay as they are. */
    var re = /(`+)([\s\S]*?)\1|\*\*([^*]+)\*\*|(?<![A-Za-z0-9_])__([^_]+)__(?![A-Za-z0-9_])|\*([^*\s][^*]*)\*|(?<![A-Za-z0-9_])_([^_\s][^_]*)_(?![A-Za-z0-9_])|\[([^\]]+)\]\(([^)\s]+)\)/g;
    var last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) out.push(text.slice(last, m.index));
      if (m[1]) out.push(el("code", { text: m[2] }));
      else if (m[3] || m[4]) out.push(el("strong", null, inline(m[3] || m[4])));
      else if (m[5] || m[6]) out.push(el("em", null, inline(m[5] || m[6])));
      else {
        var href = safeHref(m[8]);
        out.push(href ? el("a", { href: href, rel: "noopener noreferrer nofollow", target: "_blank" }, inline(m[7])) : m[0]);
      }
      last = re.lastIndex;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  function render(src) {
    var lines = String(src || "").replace(/\r\n?/g, "\n").split("\n");
    var root = el("div", { class: "markdown" });
    var i = 0, para = [];
    function flush() {
      if (para.length) root.appendChild(el("p", null, inline(para.join(" "))));
      para = [];
    }
    while (i < lines.length) {
      var line = lines[i], m;
      if (/^\s*$/.test(line)) { flush(); i++; continue; }
      if ((m = /^(\s*)(```|~~~)/.exec(line))) {
        flush();
        var fence = m[2], code = [];
        for (i++; i < lines.length && lines[i].trim().indexOf(fence) !== 0; i++) code.push(lines[i]);
        i++;
        root.appendChild(el("pre", null, el("code", { text: code.join("\n") })));
        continue;
      }
      if ((m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line))) {
        flush();
        /* Story bodies sit under the page's h1: their levels start at h2. */
        root.appendChild(el("h" + Math.min(6, m[1].length + 1), null, inline(m[2])));
        i++;
        continue;
      }
      if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) { flush(); root.appendChild(el("hr")); i++; continue; }
      if (/^\s*>/.test(line)) {
        flush();
        var quote = [];
        for (; i < lines.length && /^\s*>/.test(lines[i]); i++) quote.push(lines[i].replace(/^\s*>\s?/, ""));
        root.appendChild(el("blockquote", null, render(quote.join("\n"))));
        continue;
      }
      if ((m = /^\s*([-*+]|\d+[.)])\s+/.exec(line))) {
        flush();
        var ordered = /\d/.test(m[1]);
        var list = el(ordered ? "ol" : "ul");
        for (; i < lines.length && (m = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i])); i++) {
          var item = m[2], box = /^\[([ xX])\]\s+(.*)$/.exec(item);
          if (box) {
            list.appendChild(el("li", null,
              el("input", { type: "checkbox", disabled: true, checked: box[1] !== " ", "aria-label": box[1] !== " " ? "done" : "not done" }),
              " ", inline(box[2])));
          } else {
            list.appendChild(el("li", null, inline(item)));
          }
        }
        root.appendChild(list);
        continue;
      }
      if (/^( {4}|\t)/.test(line) && para.length === 0) {
        var block = [];
        for (; i < lines.length && (/^( {4}|\t)/.test(lines[i]) || /^\s*$/.test(lines[i])); i++) block.push(lines[i].replace(/^( {4}|\t)/, ""));
        root.appendChild(el("pre", null, el("code", { text: block.join("\n").replace(/\n+$/, "") })));
        continue;
      }
      para.push(line.trim());
      i++;
    }
    flush();
    return root;
  }

  PP.markdown = render;
})(window.PP = window.PP || {});
