/* Marsad dashboard (GET /): filters, map, timeline, table, export.
 *
 * The filters live in the page's URL (shareable); every change reloads the map (every filtered
 * event with a place, from /api/v1/points), the table (/api/v1/events, cursor paging) and the
 * timeline (/api/v1/stats without the date filters, so the brush keeps its context). When the markers are drawn the body gets
 * data-map-ready="1" and Marsad.timing.markers (performance.now()), which the benchmark reads. */
"use strict";

(function () {
  const M = window.Marsad;
  const FILTERS = ["country", "admin1", "event_type", "sub_event_type", "date_from", "date_to", "actor", "q", "min_sources", "review", "bbox"];
  const PAGE = 50;
  const D = (M.dashboard = { generation: 0, sort: "-date", cursors: [null], page: 0, markers: [], fitted: false });

  // -- filters --------------------------------------------------------------------------------

  const form = () => document.getElementById("filters");

  function readForm() {
    const data = new FormData(form());
    const out = {};
    for (const name of FILTERS) {
      const value = (data.get(name) || "").toString().trim();
      if (value) out[name] = value;
    }
    if (!data.get("use_bbox")) delete out.bbox;
    return out;
  }

  function writeForm(filters) {
    const f = form();
    for (const name of FILTERS) {
      const input = f.elements.namedItem(name);
      if (!input) continue;
      const value = filters[name] || "";
      if (input.tagName === "SELECT" && value && !Array.from(input.options).some((o) => o.value === value)) {
        input.append(M.el("option", { value: value, text: value }));
      }
      input.value = value;
    }
    f.elements.namedItem("use_bbox").checked = Boolean(filters.bbox);
  }

  function fromUrl() {
    const params = new URLSearchParams(window.location.search);
    const out = {};
    for (const name of FILTERS) if (params.get(name)) out[name] = params.get(name);
    const sort = params.get("sort");
    if (["date", "-date", "fatalities", "-fatalities"].includes(sort)) D.sort = sort;
    return out;
  }

  function toUrl(filters) {
    const params = Object.assign({}, filters);
    if (D.sort !== "-date") params.sort = D.sort;
    const qs = M.query(params);
    window.history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : ""));
    const link = document.getElementById("lang-switch");
    if (link) link.dispatchEvent(new Event("focus"));
  }

  async function fillDropdowns() {
    const values = await M.get("/api/v1/filters");
    const f = form();
    const label = (item) => (M.lang === "ar" && item.label_ar ? item.label_ar : item.label || item.value);
    const fill = (name, items, text) => {
      const select = f.elements.namedItem(name);
      const keep = select.value;
      select.replaceChildren(M.el("option", { value: "", text: M.tr("any") }));
      for (const item of items || []) select.append(M.el("option", { value: item.value, text: text(item) }));
      select.value = keep;
    };
    fill("country", values.country, label);
    fill("admin1", values.admin1, label);
    fill("event_type", values.event_type, (item) => M.typeLabel(item.value));
    fill("sub_event_type", values.sub_event_type, (item) => M.subLabel(item.value));
    // "any" is the API's default (every state but rejected); "all" shows the rejected too
    fill("review", [...(values.review || []), { value: "all" }], (item) => M.tr("review_" + item.value));
  }

  function apply(filters) {
    writeForm(filters);
    toUrl(filters);
    D.cursors = [null];
    D.page = 0;
    loadAll(filters);
  }

  // -- map ------------------------------------------------------------------------------------

  const iconCache = new Map();
  function iconFor(type, fatalities) {
    const size = Math.round(12 + Math.min(26, 4 * Math.sqrt(fatalities || 0)));
    const key = type + ":" + size;
    if (!iconCache.has(key)) {
      iconCache.set(
        key,
        L.divIcon({ className: "mk mk-" + type, iconSize: [size, size], html: "" })
      );
    }
    return iconCache.get(key);
  }

  function clusterIcon(cluster) {
    const n = cluster.getChildCount();
    const size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 50;
    const counts = {};
    for (const marker of cluster.getAllChildMarkers()) counts[marker.options.eventType] = (counts[marker.options.eventType] || 0) + 1;
    const main = Object.entries(counts).sort((a, b) => b[1] - a[1])[0][0];
    const span = document.createElement("span");
    span.textContent = M.num(n);
    return L.divIcon({ html: span, className: "marker-cluster cl cl-" + main, iconSize: L.point(size, size) });
  }

  function popupFor(props, id) {
    return M.el(
        "div",
        { class: "popup" },
        M.el("strong", {}, M.subLabel(props.sub)),
        M.el("br"),
        props.date,
        " · ",
        M.bdi(props.location),
        props.fatalities !== null && props.fatalities !== undefined ? [" · ", M.num(props.fatalities), " ", M.tr("killed")] : null,
        M.el("br"),
        M.el("a", { href: "/events/" + encodeURIComponent(id), text: M.tr("open_event") })
      );
  }

  /* One popup for the whole map, filled when a marker is clicked (no popup object per marker). */
  function openPopup(event) {
    const marker = event.layer;
    if (!marker || !marker.options.eventId) return;
    D.popup.setLatLng(marker.getLatLng()).setContent(popupFor(marker.options.props, marker.options.eventId)).openOn(D.map);
  }

  function initMap() {
    const map = (D.map = M.newMap("map", { preferCanvas: true }));
    map.setView([34.8, 38.5], 6);
    D.cluster = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 45,
      // single markers from zoom 12 (a town): fewer zoom levels to cluster 10,000 events into
      disableClusteringAtZoom: 12,
      iconCreateFunction: clusterIcon,
    });
    D.popup = L.popup();
    D.cluster.on("click", openPopup);
    map.addLayer(D.cluster);
    M.baseLayer(map).catch(() => null);
    let timer = null;
    map.on("moveend", () => {
      if (!form().elements.namedItem("use_bbox").checked) return;
      clearTimeout(timer);
      timer = setTimeout(() => apply(Object.assign(readForm(), { bbox: bboxOf(map) })), 300);
    });
    legend();
  }

  function bboxOf(map) {
    const b = map.getBounds();
    const r = (x) => Math.round(x * 1e4) / 1e4;
    return [r(Math.max(-180, b.getWest())), r(Math.max(-90, b.getSouth())), r(Math.min(180, b.getEast())), r(Math.min(90, b.getNorth()))].join(",");
  }

  function legend() {
    const list = document.getElementById("legend");
    list.replaceChildren(
      ...M.TYPES.map(([code]) => M.el("li", {}, M.el("span", { class: "swatch mk-" + code, "aria-hidden": "true" }), M.typeLabel(code)))
    );
  }

  let drawnGeneration = -1;
  function markersDrawn() {
    const generation = D.mapGeneration;
    if (drawnGeneration === generation) return;
    drawnGeneration = generation;
    requestAnimationFrame(() => {
      M.timing.markers = performance.now();
      document.body.dataset.mapReady = "1";
      document.body.dataset.markers = String(D.markers.length);
    });
  }

  /* Every filtered event with a place, in one compact answer (/api/v1/points: rows of id, lat,
   * lon, type index, fatalities, date, name). On the first load the map is fitted to the events
   * before they are clustered (clustering once, at the zoom shown). */
  const MAP_SLICE = 2500;
  async function loadMap(filters, generation, points) {
    document.body.dataset.mapReady = "0";
    D.mapGeneration = generation;
    const body = await points;
    if (generation !== D.generation) return;
    M.timing.fetched = performance.now();
    D.cluster.clearLayers();
    const types = body.types || [];
    const markers = [];
    let south = 90, west = 180, north = -90, east = -180;
    for (const [id, lat, lon, kind, fatalities, date, name] of body.points || []) {
      const [type, sub] = types[kind] || ["", ""];
      const props = { sub: sub, date: date, location: name, fatalities: fatalities };
      markers.push(L.marker([lat, lon], { icon: iconFor(type, fatalities), eventType: type, title: name, eventId: id, props: props }));
      south = Math.min(south, lat);
      north = Math.max(north, lat);
      west = Math.min(west, lon);
      east = Math.max(east, lon);
    }
    D.markers = markers;
    D.total = body.total;
    if (!D.fitted && markers.length && !filters.bbox) {
      D.fitted = true;
      D.map.fitBounds(L.latLngBounds([south, west], [north, east]).pad(0.25), { maxZoom: 9, animate: false });
    }
    // in slices, yielding to the browser between them; a newer filter stops an older load
    for (let i = 0; i < markers.length; i += MAP_SLICE) {
      if (i) await new Promise((resolve) => setTimeout(resolve, 0));
      if (generation !== D.generation) return;
      D.cluster.addLayers(markers.slice(i, i + MAP_SLICE));
    }
    markersDrawn();
  }

  /* For tests and the benchmark: where each event is drawn (its marker or the cluster holding it). */
  D.visible = function () {
    return D.markers.map((marker) => {
      const shown = D.cluster.getVisibleParent(marker);
      const at = (shown || marker).getLatLng();
      return { id: marker.options.eventId, lat: at.lat, lon: at.lng, shown: Boolean(shown), clustered: Boolean(shown && shown !== marker) };
    });
  };

  // -- timeline -------------------------------------------------------------------------------

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const DAY = 86400000;
  const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
  const parse = (text) => Date.parse(text + "T00:00:00Z");

  /* Buckets of days, weeks or months, by the span shown. */
  function buckets(first, last) {
    const span = (last - first) / DAY + 1;
    const out = [];
    if (span <= 370) {
      for (let t = first; t <= last; t += DAY) out.push([t, t]);
    } else if (span <= 366 * 4) {
      const monday = first - ((new Date(first).getUTCDay() + 6) % 7) * DAY;
      for (let t = monday; t <= last; t += 7 * DAY) out.push([t, t + 6 * DAY]);
    } else {
      const d = new Date(first);
      let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
      while (t <= last) {
        const n = new Date(t);
        const next = Date.UTC(n.getUTCFullYear(), n.getUTCMonth() + 1, 1);
        out.push([t, next - DAY]);
        t = next;
      }
    }
    return out;
  }

  async function loadTimeline(filters, generation) {
    const params = Object.assign({}, filters);
    delete params.date_from;
    delete params.date_to;
    const stats = await M.get("/api/v1/stats", params);
    if (generation !== D.generation) return;
    D.stats = stats;
    drawTimeline(filters);
  }

  function drawTimeline(filters) {
    const box = document.getElementById("timeline");
    box.replaceChildren();
    const daily = (D.stats && D.stats.daily) || [];
    if (!daily.length) {
      box.append(M.el("p", { class: "empty", text: M.tr("no_events") }));
      return;
    }
    const times = daily.map((d) => parse(d.date));
    const first = Math.min(...times), last = Math.max(...times);
    const bins = buckets(first, last);
    const index = (t) => {
      let lo = 0, hi = bins.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (bins[mid][0] <= t) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const stacks = bins.map(() => ({}));
    for (const d of daily) {
      const s = stacks[index(parse(d.date))];
      s[d.event_type] = (s[d.event_type] || 0) + d.count;
    }
    const totals = stacks.map((s) => Object.values(s).reduce((a, b) => a + b, 0));
    const max = Math.max(1, ...totals);
    const width = Math.max(300, box.clientWidth || 600), height = 150, top = 8, bottom = 22;
    const bw = width / bins.length;
    const y = (n) => ((height - top - bottom) * n) / max;
    const root = svg("svg", { width: width, height: height, viewBox: `0 0 ${width} ${height}`, class: "timeline-svg", role: "img" });
    root.append(svg("title", {}, M.tr("timeline")));
    const bars = svg("g", { class: "bars" });
    bins.forEach(([from, to], i) => {
      let base = height - bottom;
      const group = svg("g", { "data-from": iso(from), "data-to": iso(to), class: "bin" });
      for (const [code] of M.TYPES) {
        const n = stacks[i][code] || 0;
        if (!n) continue;
        const h = Math.max(1, y(n));
        base -= h;
        const rect = svg("rect", { x: i * bw + (bw > 4 ? 1 : 0), y: base, width: Math.max(1, bw - (bw > 4 ? 2 : 0)), height: h, class: "bar mk-fill-" + code, "data-type": code, "data-count": n });
        rect.append(svg("title", {}, `${iso(from)}${to !== from ? " – " + iso(to) : ""}: ${M.typeLabel(code)} ${M.num(n)}`));
        group.append(rect);
      }
      bars.append(group);
    });
    root.append(bars);
    const axis = svg("g", { class: "axis" });
    const ticks = Math.min(bins.length, Math.max(2, Math.floor(width / 110)));
    for (let k = 0; k < ticks; k++) {
      const i = Math.round((k * (bins.length - 1)) / Math.max(1, ticks - 1));
      const x = i * bw + bw / 2;
      const anchor = k === 0 ? "start" : k === ticks - 1 ? "end" : "middle";
      axis.append(svg("text", { x: k === 0 ? i * bw : k === ticks - 1 ? (i + 1) * bw : x, y: height - 6, "text-anchor": anchor }, iso(bins[i][0])));
    }
    root.append(axis);
    const brush = svg("rect", { class: "brush", x: 0, y: top, width: 0, height: height - top - bottom, visibility: "hidden" });
    root.append(brush);
    box.append(root);

    const showRange = (from, to) => {
      if (from === null) {
        brush.setAttribute("visibility", "hidden");
        return;
      }
      brush.setAttribute("x", String(Math.min(from, to) * bw));
      brush.setAttribute("width", String((Math.abs(to - from) + 1) * bw));
      brush.setAttribute("visibility", "visible");
    };
    if (filters.date_from || filters.date_to) {
      const a = filters.date_from ? index(Math.max(first, parse(filters.date_from))) : 0;
      const b = filters.date_to ? index(Math.min(last, parse(filters.date_to))) : bins.length - 1;
      if (b >= a) showRange(a, b);
    }
    const binAt = (event) => {
      const rect = root.getBoundingClientRect();
      const x = ((event.clientX - rect.left) / rect.width) * width;
      return Math.max(0, Math.min(bins.length - 1, Math.floor(x / bw)));
    };
    let start = null;
    root.addEventListener("pointerdown", (event) => {
      start = binAt(event);
      root.setPointerCapture(event.pointerId);
      showRange(start, start);
      event.preventDefault();
    });
    root.addEventListener("pointermove", (event) => {
      if (start !== null) showRange(start, binAt(event));
    });
    root.addEventListener("pointerup", (event) => {
      if (start === null) return;
      const end = binAt(event);
      const a = Math.min(start, end), b = Math.max(start, end);
      start = null;
      apply(Object.assign(readForm(), { date_from: iso(bins[a][0]), date_to: iso(bins[b][1]) }));
    });
  }

  // -- table ----------------------------------------------------------------------------------

  async function loadTable(filters, generation) {
    const cursor = D.cursors[D.page];
    const body = await M.get("/api/v1/events", Object.assign({}, filters, { sort: D.sort, limit: PAGE, cursor: cursor }));
    if (generation !== D.generation) return;
    D.cursors[D.page + 1] = body.next_cursor;
    const tbody = document.querySelector("#events-table tbody");
    tbody.replaceChildren(...body.events.map(row));
    if (!body.events.length) {
      tbody.append(M.el("tr", {}, M.el("td", { colspan: 9, class: "empty", text: M.tr("no_events") })));
    }
    document.getElementById("total").textContent = "(" + M.tr("n_events", { n: M.num(body.total) }) + ")";
    const from = body.events.length ? D.page * PAGE + 1 : 0;
    document.getElementById("page-info").textContent = M.tr("page_range", { from: M.num(from), to: M.num(D.page * PAGE + body.events.length), n: M.num(body.total) });
    document.getElementById("prev-page").disabled = D.page === 0;
    document.getElementById("next-page").disabled = !body.next_cursor;
    for (const button of document.querySelectorAll("button.sort")) {
      const key = button.dataset.sort;
      const th = button.closest("th");
      if (D.sort === key) th.setAttribute("aria-sort", "ascending");
      else if (D.sort === "-" + key) th.setAttribute("aria-sort", "descending");
      else th.removeAttribute("aria-sort");
    }
    document.body.dataset.tableReady = String(generation);
  }

  function row(ev) {
    const loc = ev.location || {};
    const place = M.el(
      "a",
      { href: "/events/" + encodeURIComponent(ev.event_id), class: "place" },
      M.bdi(loc.name, "ar-name"),
      loc.name_en && loc.name_en !== loc.name ? [" · ", M.bdi(loc.name_en)] : null
    );
    return M.el(
      "tr",
      { dataset: { eventId: ev.event_id, date: ev.date || "" } },
      M.el("td", { class: "date" }, ev.date || ""),
      M.el("td", {}, M.el("span", { class: "swatch mk-" + ev.event_type, "aria-hidden": "true" }), M.subLabel(ev.sub_event_type)),
      M.el("td", {}, place),
      M.el("td", {}, M.bdi(loc.admin1 || "")),
      M.el("td", {}, M.bdi(M.actorName(ev.actor1))),
      M.el("td", {}, M.bdi(M.actorName(ev.actor2))),
      M.el("td", { class: "num" }, M.fatalities(ev)),
      M.el("td", { class: "num" }, M.num(ev.independent_sources)),
      M.el("td", { class: "review-" + ev.review_state }, M.tr("review_" + ev.review_state))
    );
  }

  // -- export ---------------------------------------------------------------------------------

  function exportLinks(filters) {
    const base = Object.assign({}, filters);
    if (D.sort !== "-date") base.sort = D.sort;
    document.getElementById("export-csv").setAttribute("href", "/api/v1/events?" + M.query(Object.assign({}, base, { format: "csv" })));
    document.getElementById("export-geojson").setAttribute("href", "/api/v1/events?" + M.query(Object.assign({}, base, { format: "geojson" })));
  }

  // -- loading --------------------------------------------------------------------------------

  function loadAll(filters, withMap) {
    const generation = ++D.generation;
    D.filters = filters;
    exportLinks(filters);
    M.status(M.tr("loading"));
    // The map's points are asked for first, the table's page once they have arrived (while the
    // markers are built), the timeline's statistics once the map is drawn: the server is shared.
    const points = withMap === false ? null : M.get("/api/v1/points", filters);
    D.arrived = points ? points.then(() => null, () => null) : Promise.resolve(null);
    const map = points ? loadMap(filters, generation, points) : Promise.resolve();
    const jobs = [D.arrived.then(() => loadTable(filters, generation)), map.then(() => loadTimeline(filters, generation))];
    return Promise.all(jobs).then(
      () => {
        if (generation === D.generation) M.status("");
      },
      (error) => {
        if (generation === D.generation) M.showError(error);
      }
    );
  }

  async function start() {
    const filters = fromUrl();
    writeForm(filters);
    initMap();
    form().addEventListener("submit", (event) => {
      event.preventDefault();
      const filters = readForm();
      if (form().elements.namedItem("use_bbox").checked) filters.bbox = bboxOf(D.map);
      apply(filters);
    });
    for (const name of ["country", "admin1", "event_type", "sub_event_type", "review"]) {
      form().elements.namedItem(name).addEventListener("change", () => form().requestSubmit());
    }
    form().elements.namedItem("use_bbox").addEventListener("change", () => form().requestSubmit());
    document.getElementById("reset-filters").addEventListener("click", () => {
      form().reset();
      apply({});
    });
    document.getElementById("clear-dates").addEventListener("click", () => {
      const filters = readForm();
      delete filters.date_from;
      delete filters.date_to;
      apply(filters);
    });
    document.getElementById("prev-page").addEventListener("click", () => {
      if (D.page > 0) {
        D.page -= 1;
        loadTable(D.filters, D.generation).catch(M.showError);
      }
    });
    document.getElementById("next-page").addEventListener("click", () => {
      if (D.cursors[D.page + 1]) {
        D.page += 1;
        loadTable(D.filters, D.generation).catch(M.showError);
      }
    });
    for (const button of document.querySelectorAll("button.sort")) {
      button.addEventListener("click", () => {
        const key = button.dataset.sort;
        D.sort = D.sort === "-" + key ? key : "-" + key;
        D.cursors = [null];
        D.page = 0;
        toUrl(D.filters);
        exportLinks(D.filters);
        loadTable(D.filters, D.generation).catch(M.showError);
      });
    }
    const loading = loadAll(filters);
    await D.arrived;
    fillDropdowns().then(() => writeForm(D.filters || filters), M.showError);
    try {
      await M.loadSession();
      M.tiles(D.map);
    } catch (error) {
      M.showError(error);
    }
    await loading;
  }

  document.addEventListener("DOMContentLoaded", start);
})();
