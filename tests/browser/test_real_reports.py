"""The dashboard over real reports, where ``../shared`` is present (skipped otherwise, with the
reason): the founding seed report (``shared/seeds``, 5 July 2018, air strikes on towns around
Daraa) ingested with the 356 development reports (``shared/eval/dev``). Its events must be on the
map at Daraa; the screenshots in ``docs/img`` of the dashboard on the seed and dev reports are
taken here (``MARSAD_SCREENSHOTS=docs/img``). No report text is copied into this file."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import LiveServer

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED = SHARED / "seeds" / "000_98dd004e73fecbeb.txt"
DEV = SHARED / "eval" / "dev" / "docs.jsonl"
DARAA = (32.62, 36.10)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SEED.is_file() and DEV.is_file()), reason="../shared (seed, dev reports) is not present"),
]


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians(a[0]))
    return 6371 * math.hypot(dlat, dlon)


@pytest.fixture(scope="module")
def real(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from typer.testing import CliRunner

    from marsad.cli import _register, app

    _register()
    db = tmp_path_factory.mktemp("real-store") / "marsad.db"
    runner = CliRunner()
    for args in ([str(DEV)], [str(SEED), "--published", "2018-07-05"]):
        result = runner.invoke(app, ["ingest", *args, "--db", str(db)])
        assert result.exit_code == 0, result.output
    with LiveServer(db) as server:
        yield server


def _seed_events(real: LiveServer, page: Any) -> set[str]:
    answer = page.request.get(f"{real.url}/api/v1/documents/{SEED.stem}")
    assert answer.ok, answer.text()
    return {s["event_id"] for s in answer.json()["spans"] if s.get("event_id")}


def test_the_seeds_strikes_are_on_the_map_at_daraa(real: LiveServer, page: Any, shots: Path) -> None:
    seed = _seed_events(real, page)
    assert len(seed) >= 4, "the seed's strikes on the towns around Daraa were not extracted"
    page.goto(real.url + "/")
    page.wait_for_selector("body[data-map-ready='1']", state="attached", timeout=30000)
    page.wait_for_selector("#events-table tbody tr[data-event-id]", timeout=15000)
    drawn = {m["id"]: m for m in page.evaluate("Marsad.dashboard.visible()")}
    assert len(drawn) > 200, "the development reports' events are on the map too"
    assert seed <= set(drawn), f"seed events missing from the map: {sorted(seed - set(drawn))}"
    for event_id in seed:
        answer = page.request.get(f"{real.url}/api/v1/events/{event_id}").json()
        place = (answer["location"]["lat"], answer["location"]["lon"])
        assert _km(place, DARAA) < 45, f"{event_id} is placed at {place}, not around Daraa"
        assert drawn[event_id]["shown"]
    assert page.errors == []
    page.screenshot(path=str(shots / "dashboard-dev.png"))
    # the seed's day in Daraa province: the table and the map hold exactly its events there
    page.goto(real.url + "/?lang=en&admin1=Daraa&date_from=2018-07-05&date_to=2018-07-05")
    page.wait_for_selector("body[data-map-ready='1']", state="attached", timeout=30000)
    page.wait_for_selector("#events-table tbody tr[data-event-id]", timeout=15000)
    rows = set(page.locator("#events-table tbody tr[data-event-id]").evaluate_all("r => r.map(x => x.dataset.eventId)"))
    assert seed <= rows
    assert {m["id"] for m in page.evaluate("Marsad.dashboard.visible()")} == rows
    page.screenshot(path=str(shots / "dashboard-seed-daraa.png"))


def test_a_seed_events_page_shows_its_evidence(real: LiveServer, page: Any, shots: Path) -> None:
    seed = _seed_events(real, page)
    details = [page.request.get(f"{real.url}/api/v1/events/{e}").json() for e in sorted(seed)]
    # an event reported by the seed alone (the dev set holds the seed again, as seed-000): the
    # screenshot must show no development report's text
    alone = [d for d in details if {m["doc_id"] for m in d["mentions"]} <= {SEED.stem, "seed-000"}]
    assert alone, "every seed event was merged with development reports"
    chosen = max(alone, key=lambda d: (len(d["mentions"]), d["location"]["name_en"] == "Dar'a"))
    page.goto(f"{real.url}/events/{chosen['event_id']}?lang=en")
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=15000)
    assert page.locator("article.report").count() == len(chosen["mentions"])
    assert page.locator(".report-text mark.ev").count() >= 1
    assert page.locator(".report-text").first.evaluate("n => getComputedStyle(n).direction") == "rtl"
    assert page.get_attribute("body", "data-places") in {"1", "2", "3"}
    assert page.errors == []
    page.screenshot(path=str(shots / "event-seed-daraa.png"), full_page=True)
