// Renders /openapi.json as a list of endpoints, parameters and examples (no CDN, no inline script).
// Every value from the schema is inserted as text (textContent), never as HTML.
"use strict";
(function () {
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function examplesOf(content) {
    var out = [];
    Object.keys(content || {}).forEach(function (media) {
      var c = content[media] || {};
      if (c.example !== undefined) out.push([media, c.example]);
      Object.keys(c.examples || {}).forEach(function (name) { out.push([media + " (" + name + ")", c.examples[name].value]); });
    });
    return out;
  }
  function render(spec) {
    var root = document.getElementById("endpoints");
    root.textContent = "";
    Object.keys(spec.paths).sort().forEach(function (path) {
      var ops = spec.paths[path];
      Object.keys(ops).forEach(function (method) {
        var op = ops[method];
        var section = el("section");
        var h = el("h2");
        h.appendChild(el("span", method.toUpperCase(), "method"));
        h.appendChild(document.createTextNode(" " + path));
        section.appendChild(h);
        if (op.summary) section.appendChild(el("p", op.summary));
        var params = op.parameters || [];
        if (params.length) {
          var table = el("table");
          var head = el("tr");
          ["parameter", "in", "description"].forEach(function (t) { head.appendChild(el("th", t)); });
          table.appendChild(head);
          params.forEach(function (p) {
            var row = el("tr");
            row.appendChild(el("td", p.name + (p.required ? " *" : "")));
            row.appendChild(el("td", p["in"]));
            row.appendChild(el("td", p.description || ""));
            table.appendChild(row);
          });
          section.appendChild(table);
        }
        var body = op.requestBody && op.requestBody.content;
        examplesOf(body).forEach(function (ex) {
          section.appendChild(el("p", "Request body, " + ex[0] + ":"));
          section.appendChild(el("pre", JSON.stringify(ex[1], null, 2)));
        });
        var ok = op.responses && op.responses["200"] && op.responses["200"].content;
        examplesOf(ok).forEach(function (ex) {
          section.appendChild(el("p", "Response, " + ex[0] + ":"));
          section.appendChild(el("pre", JSON.stringify(ex[1], null, 2)));
        });
        root.appendChild(section);
      });
    });
  }
  fetch("/openapi.json", { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(render)
    .catch(function (err) { document.getElementById("endpoints").textContent = "Cannot load /openapi.json: " + err; });
})();
