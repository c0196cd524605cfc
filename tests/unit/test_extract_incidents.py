"""The incident stage: the precedence table, sites (one per place), and candidates flagged with
the reasons the rules drop them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from marsad.errors import LexiconError
from marsad.extract.incidents import Precedence, site_key
from marsad.models import EVENT_TYPES, RawDocument
from marsad.pipeline import Pipeline

THURSDAY = dt.date(2021, 6, 24)


@pytest.fixture(scope="module")
def rules() -> Pipeline:
    return Pipeline.from_settings(decisions=None)


def test_precedence_table_ranks_every_sub_event_type() -> None:
    p = Precedence.load()
    assert set(p.ranks) == set(EVENT_TYPES)
    assert p.strongest(["remote_explosive_landmine_ied", "suicide_bomb"]) == "suicide_bomb"
    assert p.strongest(["armed_clash", "government_regains_territory"]) == "government_regains_territory"
    assert p.strongest(["peaceful_protest", "excessive_force_against_protesters"]) == (
        "excessive_force_against_protesters"
    )
    assert p.absorbed(["disrupted_weapons_use", "air_drone_strike"]) == {"air_drone_strike"}
    assert p.absorbed(["suicide_bomb", "armed_clash", "attack"]) == {"armed_clash", "attack"}
    assert p.absorbed(["armed_clash", "shelling_artillery_missile_attack"]) == set()


def test_precedence_table_errors_name_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "precedence.tsv"
    bad.write_text("sub_event_type\trank\tabsorbs\tmeaning\nair_strike\t1\t-\tnot a type\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"precedence\.tsv:2"):
        Precedence.load(bad)
    partial = tmp_path / "partial.tsv"
    partial.write_text("sub_event_type\trank\tabsorbs\tmeaning\nattack\t1\t-\tx\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="no rank for"):
        Precedence.load(partial)


def _analyse(rules: Pipeline, text: str):  # type: ignore[no-untyped-def]
    return rules.analyse(RawDocument("i", text, THURSDAY))


def test_one_site_per_place_however_often_it_is_named(rules: Pipeline) -> None:
    a = _analyse(
        rules,
        "قصفت القوات بلدة طفس بريف درعا الغربي اليوم الخميس. وقال ناشطون إن القصف على طفس استمر ساعات، "
        "وإن جنوب طفس شهد اشتباكات.",
    )
    tafas = [s for s in a.sites if s.place.toponym.name == "طفس"]
    assert len(tafas) == 1 and len(tafas[0].occurrences) == 3
    assert len({site_key(r) for r in tafas[0].occurrences}) == 1  # "جنوب طفس" is Tafas too


def test_a_countryside_is_not_its_city(rules: Pipeline) -> None:
    a = _analyse(rules, "قصفت الطائرات مدينة حلب وريف حلب الغربي اليوم الخميس.")
    keys = {s.key for s in a.sites}
    assert len(keys) == 2


def test_a_negated_strike_is_a_flagged_candidate(rules: Pipeline) -> None:
    a = _analyse(rules, "نفى الجيش أن تكون طائراته قد قصفت بلدة كفرنبل اليوم الخميس.")
    assert a.candidates and all(m.flags for m in a.candidates)
    assert any(f.startswith("modal:") for m in a.candidates for f in m.flags)
    assert rules.run(RawDocument("i", a.doc.text, THURSDAY)).events == ()


def test_where_people_fled_to_is_a_flagged_candidate(rules: Pipeline) -> None:
    a = _analyse(rules, "انسحبت الفصائل من بلدة اللطامنة باتجاه بلدة كفرزيتا اليوم الخميس.")
    flags = {m.place.toponym.name: m.flags for m in a.candidates}
    assert flags.get("كفرزيتا"), "where they went is proposed only as a flagged candidate"
    assert not flags.get("اللطامنة"), "where they left is the place that changed hands"


def test_a_planned_offensive_carries_nothing_to_later_sentences(rules: Pipeline) -> None:
    """What the rules drop does not become the acting side of the sentences after it."""
    text = (
        "هددت قوات النظام باقتحام بلدة اللطامنة خلال الأيام المقبلة. وقتل مدنيان في قصف على بلدة كفرزيتا اليوم الخميس."
    )
    result = rules.run(RawDocument("i", text, THURSDAY))
    [event] = result.events
    assert event.location.name == "كفرزيتا"
