"""The dashboard in a real headless Chromium, against the real app over the seed reports:
the map, the timeline brush, the event page's evidence, a reviewer's edit, and script injection."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

from .conftest import REVIEWER, SEED, LiveServer

DARAA = (32.62, 36.10)  # Daraa city; the seed's strikes are on towns around it
SEED_DOCS = {json.loads(line)["doc_id"]: json.loads(line) for line in SEED.read_text(encoding="utf-8").splitlines()}


def _events(live: LiveServer, page: Any, **params: str) -> list[dict[str, Any]]:
    answer = page.request.get(f"{live.url}/api/v1/events", params=params)
    assert answer.ok, answer.text()
    return list(answer.json()["events"])


def _event_at(live: LiveServer, page: Any, name_en: str) -> dict[str, Any]:
    found = [e for e in _events(live, page, limit="100") if e["location"]["name_en"] == name_en]
    assert len(found) == 1, f"expected one event at {name_en}"
    return found[0]


def _reviewer_on_event_page(live: LiveServer, page: Any, event_id: str) -> None:
    """Log in as the reviewer through the form and land on the event's page, ready."""
    page.goto(f"{live.url}/login?next=/events/{event_id}")
    page.fill("input[name=username]", REVIEWER[0])
    page.fill("input[name=password]", REVIEWER[1])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"**/events/{event_id}")
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=15000)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians(a[0]))
    return 6371 * math.hypot(dlat, dlon)


def _open_dashboard(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-map-ready='1']", state="attached", timeout=15000)
    page.wait_for_selector("#events-table tbody tr[data-event-id]", timeout=15000)


def test_map_shows_the_daraa_strikes_at_daraa(live: LiveServer, page: Any, shots: Path) -> None:
    _open_dashboard(page, live.url + "/")
    daraa = {e["event_id"] for e in _events(live, page, admin1="Dar'a")}
    assert len(daraa) >= 3, "the seed's strikes around Daraa were not extracted"
    drawn = {m["id"]: m for m in page.evaluate("Marsad.dashboard.visible()")}
    assert daraa <= set(drawn), "a Daraa event is missing from the map"
    for event_id in daraa:
        spot = drawn[event_id]
        assert spot["shown"], f"{event_id} is neither a marker nor inside a cluster on the map"
        assert _km((spot["lat"], spot["lon"]), DARAA) < 45, f"{event_id} is drawn at {spot}, not around Daraa"
    icons = page.locator(".leaflet-marker-pane .leaflet-marker-icon")
    assert icons.count() >= 2  # Daraa's cluster (or markers) and Idlib's marker
    assert page.locator(".leaflet-marker-pane .marker-cluster, .leaflet-marker-pane .mk").count() == icons.count()
    # coloured by event type, sized by fatalities
    styled = page.evaluate(
        "Marsad.dashboard.markers.map(m => [m.options.eventType, m.options.props.fatalities,"
        " m.options.icon.options.className, m.options.icon.options.iconSize[0]])"
    )
    for kind, _, cls, _ in styled:
        assert cls == f"mk mk-{kind}"
    by_toll = sorted((deaths or 0, size) for _, deaths, _, size in styled)
    assert [size for _, size in by_toll] == sorted(size for _, size in by_toll)
    assert by_toll[0][1] < by_toll[-1][1], "more dead, bigger marker"
    colour = page.locator(".leaflet-marker-pane .mk").first.evaluate("n => getComputedStyle(n).backgroundColor")
    assert colour == "rgb(230, 126, 34)"  # explosions / remote violence
    # a marker opens a popup that links to its event page
    page.locator(".leaflet-marker-pane .mk").first.click()
    link = page.locator(".leaflet-popup a[href*='/events/MRS']")
    link.wait_for(timeout=5000)
    assert link.inner_text() == "فتح الحدث"
    assert any(link.get_attribute("href") == f"{live.url}/events/{event_id}" for event_id in drawn)
    page.evaluate("() => { Marsad.dashboard.map.closePopup(); }")
    # the offline base layer (countries, provinces) is drawn from the package, and no tile is loaded
    page.wait_for_selector("body[data-base-layer]", state="attached", timeout=10000)
    assert int(page.get_attribute("body", "data-base-layer")) > 20
    assert page.locator(".leaflet-overlay-pane canvas").count() == 1
    assert page.locator(".leaflet-tile").count() == 0
    assert page.errors == []
    page.screenshot(path=str(shots / "dashboard-seed.png"), full_page=True)


def test_arabic_layout_is_mirrored_and_english_is_not(live: LiveServer, page: Any) -> None:
    _open_dashboard(page, live.url + "/?lang=ar")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    map_x = page.locator(".map-panel").bounding_box()["x"]
    timeline_x = page.locator(".timeline-panel").bounding_box()["x"]
    assert map_x > timeline_x, "in Arabic the map (first in reading order) sits on the right"
    _open_dashboard(page, live.url + "/?lang=en")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["en", "ltr"]
    assert page.locator(".map-panel").bounding_box()["x"] < page.locator(".timeline-panel").bounding_box()["x"]
    # Arabic place names inside the English page keep their own direction
    name = page.locator("#events-table bdi.ar-name").first
    assert name.get_attribute("dir") == "auto"
    assert name.evaluate("n => getComputedStyle(n).direction") == "rtl"
    assert page.locator("th button.sort[data-sort='date']").inner_text() == "Date"


def test_brushing_the_timeline_filters_the_table_and_the_map(live: LiveServer, page: Any) -> None:
    _open_dashboard(page, live.url + "/?lang=en")
    assert page.locator("#events-table tbody tr[data-event-id]").count() == 5
    first = page.locator(".timeline-svg g.bin[data-from='2024-05-15'] rect").first.bounding_box()
    last = page.locator(".timeline-svg g.bin[data-from='2024-05-16'] rect").first.bounding_box()
    page.mouse.move(first["x"] + first["width"] / 2, first["y"] + first["height"] / 2)
    page.mouse.down()
    page.mouse.move(last["x"] + last["width"] / 2, last["y"] + last["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_function(
        "() => document.querySelectorAll('#events-table tbody tr[data-event-id]').length === 2", timeout=10000
    )
    page.wait_for_selector("body[data-map-ready='1']", state="attached")
    dates = page.locator("#events-table tbody tr[data-event-id]").evaluate_all("rows => rows.map(r => r.dataset.date)")
    assert sorted(dates) == ["2024-05-15", "2024-05-16"]
    assert "date_from=2024-05-15" in page.url and "date_to=2024-05-16" in page.url
    assert page.input_value("input[name=date_from]") == "2024-05-15"
    assert page.get_attribute("body", "data-markers") == "2"
    assert page.locator(".timeline-svg rect.brush").get_attribute("visibility") == "visible"
    # the export links carry exactly the same filter
    href = page.get_attribute("#export-csv", "href")
    assert "date_from=2024-05-15" in href and "date_to=2024-05-16" in href and "format=csv" in href
    exported = page.request.get(live.url + href).text()
    assert len(list(csv.DictReader(io.StringIO(exported)))) == 2


def test_event_page_highlights_the_evidence_right_to_left(live: LiveServer, page: Any, shots: Path) -> None:
    busra = _event_at(live, page, "Busra Esh-Sham")
    page.goto(f"{live.url}/events/{busra['event_id']}")
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=15000)
    cards = page.locator("article.report")
    assert cards.count() == 2, "both reports of the Busra strike are shown side by side"
    boxes = [cards.nth(i).bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 5 and boxes[0]["x"] > boxes[1]["x"]  # side by side, RTL order
    detail = page.request.get(f"{live.url}/api/v1/events/{busra['event_id']}").json()
    for i, mention in enumerate(detail["mentions"]):
        card = page.locator(f"article.report[data-mention-id='{mention['mention_id']}']")
        text = card.locator(".report-text")
        assert text.get_attribute("dir") == "rtl"
        assert text.evaluate("n => getComputedStyle(n).direction") == "rtl"
        marked = "".join(text.locator("mark.ev").all_inner_texts())
        sentence = next(e["text"] for e in mention["evidence"] if "field" not in e)
        assert sentence in marked
        assert text.inner_text().replace("\n", "") == SEED_DOCS[mention["doc_id"]]["text"].replace("\n", "")
        assert card.locator(".claim").inner_text().count(str(mention["fatalities"])) >= 1, f"claim {i}"
    assert page.locator("#note").inner_text() == detail["notes"]
    # the range of tolls reads low to high, left to right, inside the Arabic page
    low, high = detail["fatalities_min"], detail["fatalities_max"]
    assert low < high
    shown = page.locator("#summary bdi.fatalities")
    assert shown.inner_text() == f"{low}–{high}"
    xs = shown.evaluate(
        """n => { const t = n.firstChild, r = document.createRange(), at = (i) => { r.setStart(t, i);
        r.setEnd(t, i + 1); return r.getBoundingClientRect().x; }; return [at(0), at(t.length - 1)]; }"""
    )
    assert xs[0] < xs[1], "the low figure is drawn left of the high one"
    assert page.get_attribute("#note", "lang") == "en"
    assert page.get_attribute("body", "data-places") == "1"
    assert page.errors == []
    page.screenshot(path=str(shots / "event-seed.png"), full_page=True)


def test_offsets_after_an_emoji_still_highlight_the_right_words(live: LiveServer, page: Any) -> None:
    tafas = _event_at(live, page, "Tafas")
    assert SEED_DOCS["seed/daraa-2"]["text"].startswith("🔴")  # two UTF-16 units, one code point
    page.goto(f"{live.url}/events/{tafas['event_id']}")
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=15000)
    detail = page.request.get(f"{live.url}/api/v1/events/{tafas['event_id']}").json()
    evidence = [e for e in detail["mentions"][0]["evidence"] if "field" not in e]
    marks = page.locator(".report-text mark.ev").all_inner_texts()
    assert "".join(marks) == "".join(e["text"] for e in evidence)


def test_a_reviewer_edit_reaches_the_audit_log_and_the_export(live: LiveServer, page: Any, shots: Path) -> None:
    tafas = _event_at(live, page, "Tafas")
    assert tafas["fatalities"] == 2
    _reviewer_on_event_page(live, page, tafas["event_id"])
    assert page.locator("#user-area .user-name").inner_text() == REVIEWER[0]
    page.fill("#review-reason", "تصحيح: المرصد أفاد لاحقاً بمقتل أربعة")
    page.locator("details.edit summary").click()
    page.fill("#edit-form input[name=fatalities]", "4")
    page.fill("#edit-form input[name=fatalities_max]", "4")
    page.click("#save-edit")
    row = page.locator("#history tr.history-row[data-action='edit']")
    row.wait_for(timeout=10000)
    text = row.inner_text()
    assert REVIEWER[0] in text and "تصحيح: المرصد أفاد لاحقاً بمقتل أربعة" in text
    assert "fatalities" in text and "2" in text and "4" in text
    assert "2 ← 4" in row.locator("li", has_text="fatalities_max").inner_text()  # from 2 to 4, read right to left
    assert page.locator("#review-state").inner_text() == "معدّل"  # edited
    page.screenshot(path=str(shots / "event-review.png"), full_page=True)
    exported = page.request.get(f"{live.url}/api/v1/events", params={"format": "csv"}).text()
    rows = {r["event_id_cnty"][3:]: r for r in csv.DictReader(io.StringIO(exported))}
    edited = rows[tafas["event_id"][3:]]
    assert edited["fatalities"] == "4"
    if "review_state" in edited:
        assert edited["review_state"] == "edited"
    assert int(edited["timestamp"]) >= int(tafas["timestamp"])


def test_script_inside_an_article_does_not_run(live: LiveServer, page: Any) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    doc = SEED_DOCS["seed/xss"]
    assert "<script>" in doc["text"] and "<script>" in doc["title"] and doc["url"].startswith("javascript:")
    _open_dashboard(page, live.url + "/")
    idlib = _event_at(live, page, "Idleb")
    page.goto(f"{live.url}/events/{idlib['event_id']}")
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=15000)
    page.wait_for_timeout(300)  # an injected onerror would fire by now
    assert page.evaluate("window.__pwned") is None
    assert "pwned" not in page.title()
    assert dialogs == []
    card = page.locator("article.report")
    # the markup is shown as text, not parsed
    assert "<script>window.__pwned=1;" in card.locator(".report-text").inner_text()
    assert "<script>" in card.locator(".report-title").inner_text()
    assert "onerror" in card.locator(".outlet").inner_text()
    assert card.locator("script, img, iframe").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    assert card.locator("a.source-link").count() == 0 and card.locator(".no-url").count() == 1
    assert page.errors == []


def test_a_configured_tile_server_is_drawn_under_the_events(seeded_db: Path, page: Any) -> None:
    """``marsad serve --tiles URL``: the page loads the tiles (the CSP lets that origin in, no
    other) and keeps the markers on top; here the tile server is a local one that counts."""
    import base64
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    asked: list[str] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *_: Any) -> None:
            pass

    tiles = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=tiles.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{tiles.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        with LiveServer(seeded_db, tile_url=url) as server:
            _open_dashboard(page, server.url + "/?lang=en")
            page.wait_for_selector(".leaflet-tile-loaded", timeout=10000)
            assert page.locator(".leaflet-marker-pane .leaflet-marker-icon").count() >= 2
            # the offline layer's land no longer covers the tiles: outlines only
            page.wait_for_selector("body[data-base-layer]", state="attached", timeout=10000)
            fills = page.evaluate(
                "() => Marsad.dashboard.map.marsadBase.getLayers().map(l => l.options.fill ? l.options.fillOpacity : 0)"
            )
            assert fills and set(fills) == {0}
    finally:
        tiles.shutdown()
        tiles.server_close()
    assert asked and all(re.fullmatch(r"/\d+/\d+/\d+\.png", path) for path in asked)
    assert page.errors == []


def test_every_field_is_editable_and_rejected_events_can_be_listed(seeded_db: Path, page: Any, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "marsad.db"
    shutil.copy(seeded_db, db)  # its own store: this test rejects an event the others look at
    with LiveServer(db) as server:
        idlib = _event_at(server, page, "Idleb")
        _reviewer_on_event_page(server, page, idlib["event_id"])
        page.locator("details.edit summary").click()
        form = page.locator("#edit-form")
        # the API's editable fields the form lacked: injured, country, and both precisions
        for name in ("injured", "location.country", "time_precision", "location.geo_precision"):
            assert form.locator(f"[name='{name}']").count() == 1, name
        assert form.locator("[name='location.country']").input_value() == idlib["location"]["country"]
        form.locator("[name=injured]").fill("7")
        precision = 3 if idlib["location"]["geo_precision"] != 3 else 2
        form.locator("[name='location.geo_precision']").fill(str(precision))
        page.click("#save-edit")
        row = page.locator("#history tr.history-row[data-action='edit']")
        row.wait_for(timeout=10000)
        assert row.locator("li", has_text="injured").count() == 1
        assert row.locator("li", has_text="geo_precision").count() == 1
        assert row.locator("li", has_text="country").count() == 0  # unchanged fields are not sent
        edited = page.request.get(f"{server.url}/api/v1/events/{idlib['event_id']}").json()
        assert edited["injured"] == 7 and edited["location"]["geo_precision"] == precision
        page.click("#reject")
        page.locator("#history tr.history-row[data-action='reject']").wait_for(timeout=10000)

        _open_dashboard(page, server.url + "/")
        listed = page.locator("#events-table tbody tr[data-event-id]")
        assert idlib["event_id"] not in [listed.nth(i).get_attribute("data-event-id") for i in range(listed.count())]
        page.locator("select[name=review] option[value=all]").wait_for(state="attached", timeout=10000)
        page.select_option("select[name=review]", "all")
        page.wait_for_selector(f"#events-table tbody tr[data-event-id='{idlib['event_id']}']", timeout=10000)
        assert "review=all" in page.url and "review=all" in str(page.get_attribute("#export-csv", "href"))
        assert page.errors == []
