/* Marsad event page (GET /events/{id}): summary, places, every report with its evidence
 * highlighted in the original text (right to left), claims by source, review and its history.
 *
 * Offsets from the API count Unicode code points (Python); JavaScript strings count UTF-16 units,
 * so the report text is split with Array.from before slicing (an emoji before the evidence would
 * otherwise shift every highlight). */
"use strict";

(function () {
  const M = window.Marsad;
  const E = (M.eventPage = { id: document.body.dataset.eventId, documents: {} });

  const docPath = (docId) => "/api/v1/documents/" + String(docId).split("/").map(encodeURIComponent).join("/");

  /* The text with <mark> elements over the spans ({start, end, cls, title}, code point offsets). */
  M.highlight = function (text, spans) {
    const chars = Array.from(text || "");
    const cuts = new Set([0, chars.length]);
    const valid = spans.filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.start < s.end && s.start >= 0);
    for (const s of valid) {
      cuts.add(Math.min(s.start, chars.length));
      cuts.add(Math.min(s.end, chars.length));
    }
    const points = Array.from(cuts).sort((a, b) => a - b);
    const fragment = document.createDocumentFragment();
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const piece = chars.slice(a, b).join("");
      const covering = valid.filter((s) => s.start <= a && s.end >= b);
      if (!covering.length) {
        fragment.append(document.createTextNode(piece));
        continue;
      }
      const classes = Array.from(new Set(covering.map((s) => s.cls))).join(" ");
      const titles = covering.map((s) => s.title).filter(Boolean);
      fragment.append(M.el("mark", { class: classes, title: titles.length ? titles.join("; ") : null, dataset: { start: a, end: b } }, piece));
    }
    return fragment;
  };

  function term(label, ...value) {
    return [M.el("dt", { text: label }), M.el("dd", {}, ...value)];
  }

  function renderSummary(ev) {
    const loc = ev.location || {};
    document.getElementById("event-heading").textContent = M.subLabel(ev.sub_event_type) || M.tr("event");
    document.getElementById("summary").replaceChildren(
      ...term(M.tr("f_event_type"), M.el("span", { class: "swatch mk-" + ev.event_type, "aria-hidden": "true" }), M.typeLabel(ev.event_type)),
      ...term(M.tr("col_date"), ev.date || ""),
      ...term(M.tr("col_location"), M.bdi(loc.name, "ar-name"), loc.name_en ? [" · ", M.bdi(loc.name_en)] : null, loc.admin1 ? [" (", M.bdi(loc.admin1), ")"] : null),
      ...term(M.tr("col_actor1"), M.bdi(M.actorName(ev.actor1)), ev.actor1 && ev.actor1.name ? [" — ", M.bdi(ev.actor1.name)] : null),
      ...term(M.tr("col_actor2"), M.bdi(M.actorName(ev.actor2)), ev.actor2 && ev.actor2.name ? [" — ", M.bdi(ev.actor2.name)] : null),
      ...term(M.tr("fatalities_range"), M.fatalities(ev) || "—"),
      ...term(M.tr("independent_sources"), M.num(ev.independent_sources)),
      ...term(M.tr("col_review"), M.el("span", { id: "review-state", class: "review-" + ev.review_state, text: M.tr("review_" + ev.review_state) }))
    );
    document.getElementById("note").textContent = ev.notes || "";
  }

  function renderMap(ev) {
    if (!E.map) {
      E.map = M.newMap("event-map", {});
      M.tiles(E.map);
      M.baseLayer(E.map).catch(() => null);
      E.points = L.layerGroup().addTo(E.map);
    }
    E.points.clearLayers();
    const seen = new Set();
    const places = [ev.location, ...(ev.mentions || []).map((m) => m.location)].filter((l) => l && typeof l.lat === "number" && typeof l.lon === "number");
    const latlngs = [];
    for (const loc of places) {
      const key = loc.lat.toFixed(5) + "," + loc.lon.toFixed(5);
      if (seen.has(key)) continue;
      seen.add(key);
      const marker = L.circleMarker([loc.lat, loc.lon], { radius: 8, color: "#222", weight: 1.5, fillColor: M.COLOR[ev.event_type] || "#e67e22", fillOpacity: 0.9 });
      marker.bindTooltip(() => M.el("span", {}, M.bdi(loc.name), loc.name_en ? [" · ", M.bdi(loc.name_en)] : null));
      marker.addTo(E.points);
      latlngs.push([loc.lat, loc.lon]);
    }
    if (latlngs.length) E.map.fitBounds(L.latLngBounds(latlngs).pad(0.5), { maxZoom: 10 });
    else E.map.setView([34.8, 38.5], 6);
    document.body.dataset.places = String(latlngs.length);
  }

  function sourcesList(sources) {
    return M.el(
      "ul",
      { class: "sources" },
      (sources || []).map((s) => M.el("li", {}, M.bdi(s.name), s.canonical && s.canonical !== s.name ? [" — ", M.bdi(s.canonical)] : null, s.kind ? M.el("span", { class: "kind", text: " (" + s.kind + ")" }) : null))
    );
  }

  function reportCard(ev, mention, doc, canSplit) {
    const url = M.safeUrl(mention.url);
    const title = mention.title || (doc && doc.title) || mention.doc_id;
    const spans = [];
    for (const e of mention.evidence || []) {
      spans.push({ start: e.start, end: e.end, cls: e.field ? "ev ev-field" : "ev", title: e.field ? e.field + " = " + (e.value === undefined ? "" : String(e.value)) : null });
    }
    for (const s of (doc && doc.spans) || []) {
      if (s.event_id !== ev.event_id) spans.push({ start: s.start, end: s.end, cls: "other", title: M.subLabel(s.event_type) || s.event_type || null });
    }
    const text = M.el("div", { class: "report-text", dir: "rtl", lang: "ar" });
    if (doc) text.append(M.highlight(doc.text, spans));
    else text.append(...(mention.evidence || []).filter((e) => !e.field).map((e) => M.el("p", {}, M.el("mark", { class: "ev" }, e.text || ""))));
    const claim = M.el(
      "dl",
      { class: "claim" },
      ...term(M.tr("col_date"), mention.date || ""),
      ...term(M.tr("col_location"), M.bdi((mention.location || {}).name), (mention.location || {}).name_en ? [" · ", M.bdi(mention.location.name_en)] : null),
      ...term(M.tr("col_actor1"), M.bdi(mention.actor1 ? mention.actor1.name || mention.actor1.canonical : "")),
      ...term(M.tr("col_actor2"), M.bdi(mention.actor2 ? mention.actor2.name || mention.actor2.canonical : "")),
      ...term(M.tr("col_fatalities"), mention.fatalities === null || mention.fatalities === undefined ? "—" : M.num(mention.fatalities)),
      ...term(M.tr("sources_named"), sourcesList(mention.sources))
    );
    const head = M.el(
      "header",
      { class: "report-head" },
      M.el("h3", { class: "report-title", dir: "auto" }, title),
      M.el(
        "p",
        { class: "meta" },
        M.el("span", { class: "outlet" }, M.bdi(mention.outlet || (doc && doc.outlet) || "")),
        " · ",
        M.el("span", { class: "published", text: mention.published || "" }),
        " · ",
        url ? M.el("a", { href: url, rel: "noopener noreferrer nofollow", target: "_blank", class: "source-link", text: M.tr("original") }) : M.el("span", { class: "no-url", text: M.tr("no_url") })
      )
    );
    const card = M.el("article", { class: "report", dataset: { mentionId: mention.mention_id, docId: mention.doc_id } }, head, claim);
    if (canSplit) {
      card.append(M.el("label", { class: "split-pick" }, M.el("input", { type: "checkbox", class: "split-box", value: mention.mention_id }), " ", M.tr("split_pick")));
    }
    card.append(M.el("h4", { text: M.tr("report_text") }), text);
    return card;
  }

  function renderClaims(ev) {
    const rows = (ev.claims || []).map((c) =>
      M.el("tr", {}, M.el("td", {}, M.bdi(c.source)), M.el("td", {}, M.bdi(c.outlet || "")), M.el("td", {}, M.bdi(c.doc_id || "")), M.el("td", { class: "num" }, c.fatalities === null || c.fatalities === undefined ? "—" : M.num(c.fatalities)))
    );
    document.querySelector("#claims tbody").replaceChildren(...rows);
  }

  const show = (value) => (value === null || value === undefined ? "∅" : typeof value === "object" ? JSON.stringify(value) : String(value));

  function renderHistory(ev) {
    const rows = (ev.history || []).map((h) => {
      const keys = Array.from(new Set([...Object.keys(h.before || {}), ...Object.keys(h.after || {})]));
      const change = M.el("ul", { class: "changes" }, keys.map((k) => M.el("li", {}, M.el("code", { text: k }), ": ", M.bdi(show((h.before || {})[k])), M.arrow, M.bdi(show((h.after || {})[k])))));
      return M.el("tr", { class: "history-row", dataset: { action: h.action } }, M.el("td", { text: h.at }), M.el("td", {}, M.bdi(h.user || "")), M.el("td", { text: h.action }), M.el("td", {}, change), M.el("td", {}, M.bdi(h.reason || "")));
    });
    if (!rows.length) rows.push(M.el("tr", {}, M.el("td", { colspan: 5, class: "empty", text: M.tr("no_history") })));
    document.querySelector("#history tbody").replaceChildren(...rows);
  }

  // -- review ---------------------------------------------------------------------------------

  const canReview = () => M.session && (M.session.role === "reviewer" || M.session.role === "admin");

  /* Every editable field of the API (docs/api.md), the event type through its sub-event type. */
  const EDIT_FIELDS = [
    ["sub_event_type", "select"],
    ["date", "date"],
    ["time_precision", "precision"],
    ["fatalities", "int"],
    ["fatalities_min", "int"],
    ["fatalities_max", "int"],
    ["injured", "int"],
    ["location.name", "text"],
    ["location.name_en", "text"],
    ["location.country", "text"],
    ["location.admin1", "text"],
    ["location.lat", "float"],
    ["location.lon", "float"],
    ["location.geo_precision", "precision"],
    ["actor1", "actor"],
    ["actor2", "actor"],
    ["notes", "textarea"],
  ];

  function current(ev, key) {
    if (key.startsWith("location.")) return (ev.location || {})[key.slice(9)];
    if (key === "actor1" || key === "actor2") return ev[key] ? ev[key].canonical || ev[key].name || "" : "";
    return ev[key];
  }

  function editForm(ev) {
    const form = M.el("form", { id: "edit-form", class: "edit-form" });
    for (const [key, kind] of EDIT_FIELDS) {
      const value = current(ev, key);
      const name = "e_" + key.replace(".", "_");
      let input;
      if (kind === "select") {
        input = M.el("select", { name: key });
        for (const code of Object.keys(M.t).filter((k) => k.startsWith("sub.")).map((k) => k.slice(4))) {
          input.append(M.el("option", { value: code, text: M.subLabel(code) }));
        }
        input.value = value || "";
      } else if (kind === "textarea") {
        input = M.el("textarea", { name: key, rows: 3, dir: "ltr", lang: "en" });
        input.value = value || "";
      } else {
        const whole = kind === "int" || kind === "precision";
        const type = whole || kind === "float" ? "number" : kind === "date" ? "date" : "text";
        input = M.el("input", {
          name: key,
          type: type,
          step: kind === "float" ? "any" : whole ? "1" : null,
          min: kind === "int" ? "0" : kind === "precision" ? "1" : null,
          max: kind === "precision" ? "3" : null,
          dir: kind === "text" || kind === "actor" ? "auto" : null,
        });
        input.value = value === null || value === undefined ? "" : String(value);
      }
      form.append(M.el("label", { class: kind === "textarea" ? "wide" : null }, M.tr(name), input));
    }
    form.append(M.el("button", { type: "submit", id: "save-edit", text: M.tr("save_edit") }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const changes = {};
      for (const [key, kind] of EDIT_FIELDS) {
        const raw = form.elements.namedItem(key).value.trim();
        const before = current(ev, key);
        let value;
        if (kind === "int" || kind === "precision") value = raw === "" ? null : parseInt(raw, 10);
        else if (kind === "float") value = raw === "" ? null : parseFloat(raw);
        else if (kind === "actor") value = raw === "" ? null : raw;
        else value = raw === "" && (before === null || before === undefined) ? before : raw;
        const same = kind === "float" ? value !== null && before !== null && before !== undefined && Math.abs(value - before) < 1e-9 : (value ?? "") === (before ?? "");
        const blank = (kind === "float" || kind === "precision") && value === null; // left empty: unchanged
        if (!same && !blank) changes[key] = value;
      }
      if (!Object.keys(changes).length) {
        M.status(M.tr("nothing_changed"));
        return;
      }
      act(() => M.post(`/api/v1/events/${encodeURIComponent(E.id)}/review`, { action: "edit", changes: changes, reason: reason() }));
    });
    return form;
  }

  const reason = () => (document.getElementById("review-reason") || { value: "" }).value.trim();

  async function act(call, after) {
    const buttons = document.querySelectorAll("#review-tools button");
    buttons.forEach((b) => (b.disabled = true));
    try {
      const result = await call();
      if (after) after(result);
      else M.status(M.tr("done"));
      await load(false);
    } catch (error) {
      M.showError(error);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  function renderReview(ev) {
    const box = document.getElementById("review-tools");
    box.replaceChildren();
    if (!canReview()) {
      box.append(M.el("p", {}, M.tr("review_login"), " ", M.el("a", { href: "/login?next=" + encodeURIComponent(window.location.pathname + window.location.search), text: M.tr("login") })));
      return;
    }
    const id = encodeURIComponent(E.id);
    box.append(
      M.el("label", { class: "wide" }, M.tr("reason"), M.el("textarea", { id: "review-reason", rows: 2, maxlength: 2000, dir: "auto" })),
      M.el(
        "div",
        { class: "review-buttons" },
        M.el("button", { type: "button", id: "accept", text: M.tr("accept"), onclick: () => act(() => M.post(`/api/v1/events/${id}/review`, { action: "accept", reason: reason() })) }),
        M.el("button", { type: "button", id: "reject", class: "danger", text: M.tr("reject"), onclick: () => act(() => M.post(`/api/v1/events/${id}/review`, { action: "reject", reason: reason() })) })
      ),
      M.el("details", { class: "edit" }, M.el("summary", { text: M.tr("edit") }), editForm(ev))
    );
    const mergeInput = M.el("input", { id: "merge-ids", type: "text", dir: "ltr", placeholder: "MRS…", pattern: "[A-Za-z0-9_.:, -]+" });
    box.append(
      M.el(
        "form",
        {
          id: "merge-form",
          class: "inline-form",
          onsubmit: (event) => {
            event.preventDefault();
            const others = mergeInput.value.split(/[\s,]+/).filter(Boolean);
            if (!others.length) return;
            act(() => M.post("/api/v1/events/merge", { event_ids: [E.id, ...others], reason: reason() }));
          },
        },
        M.el("label", {}, M.tr("merge_ids"), mergeInput),
        M.el("button", { type: "submit", text: M.tr("merge") })
      )
    );
    if ((ev.mentions || []).length > 1) {
      box.append(
        M.el("button", {
          type: "button",
          id: "split",
          text: M.tr("split"),
          onclick: () => {
            const chosen = Array.from(document.querySelectorAll(".split-box:checked")).map((b) => b.value);
            if (!chosen.length) {
              M.status(M.tr("pick_mentions"), true);
              return;
            }
            act(
              () => M.post(`/api/v1/events/${id}/split`, { mention_ids: chosen, reason: reason() }),
              (created) => {
                const status = document.getElementById("status");
                status.classList.remove("error");
                status.replaceChildren(M.tr("split_done", { id: "" }), M.el("a", { href: "/events/" + encodeURIComponent(created.event_id), text: created.event_id }));
              }
            );
          },
        })
      );
    }
  }

  // -- loading --------------------------------------------------------------------------------

  async function load(first) {
    let ev;
    try {
      ev = await M.get(`/api/v1/events/${encodeURIComponent(E.id)}`);
    } catch (error) {
      if (error.status === 404 && error.body && error.body.merged_into) {
        const target = error.body.merged_into;
        const status = document.getElementById("status");
        status.replaceChildren(M.tr("merged_into", { id: "" }), M.el("a", { href: "/events/" + encodeURIComponent(target), text: target }));
      } else if (error.status === 404) {
        M.status(M.tr("not_found"), true);
      } else M.showError(error);
      document.body.dataset.ready = "1";
      return;
    }
    E.event = ev;
    const ids = Array.from(new Set((ev.mentions || []).map((m) => m.doc_id)));
    await Promise.all(
      ids.filter((d) => !(d in E.documents)).map((d) =>
        M.get(docPath(d)).then(
          (doc) => (E.documents[d] = doc),
          () => (E.documents[d] = null)
        )
      )
    );
    renderSummary(ev);
    const split = canReview() && (ev.mentions || []).length > 1;
    document.getElementById("reports").replaceChildren(...(ev.mentions || []).map((m) => reportCard(ev, m, E.documents[m.doc_id], split)));
    // a long report scrolls inside its box: show each one's first piece of evidence
    for (const text of document.querySelectorAll("#reports .report-text")) {
      const mark = text.querySelector("mark.ev");
      if (mark && mark.offsetTop + mark.offsetHeight > text.clientHeight) text.scrollTop = Math.max(0, mark.offsetTop - text.clientHeight / 3);
    }
    renderClaims(ev);
    renderHistory(ev);
    renderReview(ev);
    if (first) renderMap(ev);
    document.body.dataset.ready = "1";
    document.body.dataset.historyRows = String((ev.history || []).length);
  }

  async function start() {
    if (!E.id) return;
    try {
      await M.loadSession();
    } catch (error) {
      M.showError(error);
    }
    await load(true);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
