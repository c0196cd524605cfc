/* Marsad dashboard: helpers shared by the pages (no build step, no framework).
 *
 * Every piece of report data (text, titles, outlets, URLs, names) goes into the page through
 * textContent or attribute setters, never as HTML; links are made only from http(s) URLs. */
"use strict";

(function () {
  const M = (window.Marsad = window.Marsad || {});
  M.lang = document.documentElement.lang === "en" ? "en" : "ar";
  M.t = JSON.parse(document.getElementById("marsad-i18n").textContent);
  M.timing = { start: performance.now() };

  /* A string of the interface, with {name} placeholders filled in. */
  M.tr = function (key, values) {
    let text = Object.prototype.hasOwnProperty.call(M.t, key) ? M.t[key] : key;
    for (const [name, value] of Object.entries(values || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  };

  /* Build an element: attributes set one by one, children appended as nodes or text. */
  M.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = String(value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (key === "href") {
        const safe = M.safeUrl(value);
        if (safe) node.setAttribute("href", safe);
      } else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };

  /* A URL we may link to: http(s) only (a relative path resolves to this site). */
  M.safeUrl = function (value) {
    if (typeof value !== "string" || !value) return null;
    try {
      const url = new URL(value, window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  };

  /* Text whose direction follows its own letters (Arabic names inside the English page). */
  M.bdi = function (text, cls) {
    return M.el("bdi", { dir: "auto", class: cls || null }, text == null ? "" : String(text));
  };

  const numbers = new Intl.NumberFormat(M.lang === "ar" ? "ar-u-nu-latn" : "en");
  M.num = (n) => (n === null || n === undefined ? "" : numbers.format(n));
  /* "before → after" in the reading direction: the arrow points from the old value to the new. */
  M.arrow = M.lang === "ar" ? " ← " : " → ";

  M.TYPES = [
    ["battles", "#c0392b"],
    ["explosions_remote_violence", "#e67e22"],
    ["violence_against_civilians", "#8e44ad"],
    ["protests", "#2980b9"],
    ["riots", "#16a085"],
    ["strategic_developments", "#7f8c8d"],
  ];
  M.COLOR = Object.fromEntries(M.TYPES);
  M.typeLabel = (code) => M.tr("type." + code);
  M.subLabel = (code) => (code ? M.tr("sub." + code) : "");
  /* ACLED's English label (GeoJSON/CSV exports) to the spec's code. */
  M.typeCode = (label) => M.t["label." + label] || label;

  /* Fatalities, "low–high" where sources differ, in an LTR isolate (stays low–high in RTL). */
  M.fatalities = function (ev) {
    if (ev.fatalities === null || ev.fatalities === undefined) return null;
    const low = ev.fatalities_min, high = ev.fatalities_max;
    const text = low !== null && high !== null && low !== undefined && high !== undefined && low !== high ? M.num(low) + "–" + M.num(high) : M.num(ev.fatalities);
    return M.el("bdi", { dir: "ltr", class: "fatalities" }, text);
  };

  M.actorName = function (actor) {
    if (!actor) return "";
    return actor.canonical || actor.name || "";
  };

  /* Query string of the non-empty values of an object. */
  M.query = function (params) {
    const q = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== null && value !== undefined && value !== "") q.set(key, String(value));
    }
    return q.toString();
  };

  async function answer(response) {
    let body = null;
    const type = response.headers.get("content-type") || "";
    if (type.includes("json")) body = await response.json();
    if (!response.ok) {
      const detail = body && body.detail ? (typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail)) : response.statusText;
      const error = new Error(detail || String(response.status));
      error.status = response.status;
      error.body = body;
      throw error;
    }
    return body;
  }

  M.get = async function (path, params) {
    const qs = params ? M.query(params) : "";
    const response = await fetch(path + (qs ? "?" + qs : ""), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    return answer(response);
  };

  M.post = async function (path, body) {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": (M.session && M.session.csrf_token) || "",
      },
      body: JSON.stringify(body),
    });
    return answer(response);
  };

  M.status = function (message, isError) {
    const node = document.getElementById("status");
    if (!node) return;
    node.textContent = message || "";
    node.classList.toggle("error", Boolean(isError));
  };

  M.showError = function (error) {
    M.status(M.tr("error", { msg: error && error.message ? error.message : String(error) }), true);
  };

  /* The language switch keeps the page's query (filters) and changes only lang. */
  function langSwitch() {
    const link = document.getElementById("lang-switch");
    if (!link) return;
    const update = () => {
      const url = new URL(window.location.href);
      url.searchParams.set("lang", link.dataset.lang);
      link.setAttribute("href", url.pathname + "?" + url.searchParams.toString());
    };
    update();
    link.addEventListener("mouseenter", update);
    link.addEventListener("focus", update);
    link.addEventListener("click", update);
  }

  /* Who is logged in: the login link, or the user's name and a logout form (with CSRF token). */
  M.loadSession = async function () {
    M.session = await M.get("/api/v1/session");
    const area = document.getElementById("user-area");
    if (!area) return M.session;
    area.replaceChildren();
    if (M.session.user) {
      const form = M.el(
        "form",
        { method: "post", action: "/logout", class: "logout" },
        M.el("input", { type: "hidden", name: "csrf_token", value: M.session.csrf_token }),
        M.el("button", { type: "submit", text: M.tr("logout") })
      );
      area.append(M.bdi(M.session.user, "user-name"), " (", M.tr("role_" + M.session.role), ") ", form);
    } else {
      const next = window.location.pathname + window.location.search;
      area.append(M.el("a", { href: "/login?next=" + encodeURIComponent(next), id: "login-link", text: M.tr("login") }));
    }
    return M.session;
  };

  /* Countries filled (the land of the offline map) unless tiles are drawn under them. */
  function baseStyle(feature, tiles) {
    return feature.properties.level === 0
      ? { color: "#6b6b6b", weight: 1, fillColor: "#f4f1ea", fillOpacity: tiles ? 0 : 1 }
      : { color: "#9a9a9a", weight: 0.7, dashArray: "3 3", fill: false };
  }

  /* The offline base layer: countries and provinces shipped in static/data. */
  M.baseLayer = async function (map) {
    const response = await fetch("/static/data/boundaries.geojson", { credentials: "same-origin" });
    if (!response.ok) return null;
    const data = await response.json();
    const layer = L.geoJSON(data, { interactive: false, style: (feature) => baseStyle(feature, map.marsadTiles) });
    map.marsadBase = layer;
    layer.addTo(map);
    layer.bringToBack();
    map.attributionControl.addAttribution(M.tr("map_attribution"));
    document.body.dataset.baseLayer = String(data.features.length);
    return layer;
  };

  /* An optional tile layer (only when `marsad serve --tiles URL` is set). */
  M.tiles = function (map) {
    if (M.session && M.session.tile_url) {
      // Leaflet writes attributions as HTML: a fixed text, never the configured URL.
      L.tileLayer(M.session.tile_url, { maxZoom: 18, attribution: "© map tiles: see the tile server" }).addTo(map);
      map.marsadTiles = true;
      if (map.marsadBase) map.marsadBase.setStyle((feature) => baseStyle(feature, true));
      return true;
    }
    return false;
  };

  M.newMap = function (id, options) {
    const map = L.map(id, Object.assign({ zoomSnap: 0.5, minZoom: 3, maxZoom: 18, worldCopyJump: false }, options || {}));
    map.attributionControl.setPrefix(false);
    // the map is left to right (coordinates, controls); its credits are in the page's language
    map.attributionControl.getContainer().setAttribute("dir", M.lang === "ar" ? "rtl" : "ltr");
    return map;
  };

  document.addEventListener("DOMContentLoaded", langSwitch);
})();
