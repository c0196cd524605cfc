"""Golden test on the founding report (``../shared/seeds/000_…``), published 2018-07-05.

Skipped where ``../shared`` is absent; every behaviour it checks also has a fixture of our own in
``tests/golden/records.jsonl``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from marsad.text.normalize import name_key

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "000_98dd004e73fecbeb.txt"
TOWNS = ["الطيبة", "النعيمة", "صيدا", "أم المياذن", "اليادودة", "درعا"]

pytestmark = pytest.mark.skipif(not SEED.is_file(), reason="../shared/seeds is not present")


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    from marsad.models import RawDocument
    from marsad.pipeline import Pipeline

    text = SEED.read_text(encoding="utf-8")
    return Pipeline.from_settings().run(RawDocument("seed-000", text, dt.date(2018, 7, 5)))


def test_six_air_strikes_one_per_town(result) -> None:  # type: ignore[no-untyped-def]
    strikes = [e for e in result.events if e.sub_event_type == "air_drone_strike"]
    assert sorted(name_key(e.location.name) for e in strikes) == sorted(name_key(t) for t in TOWNS)
    for e in strikes:
        assert e.actor1 is not None and (e.actor1.inter, e.actor1.country) == (1, "SY")
        assert ("RU", 8) in {(a.country, a.inter) for a in e.assoc_actors1}
        assert "Syrian Observatory for Human Rights" in {s.canonical for s in e.sources}
        assert e.date in (dt.date(2018, 7, 5), dt.date(2018, 7, 4))
        assert e.location.lat is not None and e.location.country == "SY"
        text = SEED.read_text(encoding="utf-8")
        assert any(e.location.name in text[ev.start : ev.end] for ev in e.evidence)


def test_regime_takes_a_point_south_of_busra(result) -> None:  # type: ignore[no-untyped-def]
    taken = [e for e in result.events if e.sub_event_type == "government_regains_territory"]
    assert len(taken) == 1
    assert name_key(taken[0].location.name) == name_key("بصرى الشام")
    assert taken[0].location.geo_precision == 2
    assert taken[0].date == dt.date(2018, 7, 5)


def test_background_is_not_an_event(result) -> None:  # type: ignore[no-untyped-def]
    text = SEED.read_text(encoding="utf-8")
    background = text.index("وتشن قوات النظام بدعم روسي منذ 19 يونيو")
    end = text.index("من مساحة المحافظة الحدودية مع الأردن")
    for e in result.events:
        for ev in e.evidence:
            assert not (ev.start <= background < ev.end or ev.start < end <= ev.end), e
        assert e.date is not None and e.date >= dt.date(2018, 7, 4)
