"""Actor readings chosen by the report's country; sources; the report-country vote."""

from __future__ import annotations

import pytest

from marsad.extract.actors import find_actors, find_sources, report_country
from marsad.lang.lexicon import Lexicons
from marsad.models import Actor, Document, RawDocument, Toponym
from marsad.text.prepare import prepare


@pytest.fixture(scope="module")
def lexicons() -> Lexicons:
    return Lexicons.load()


def _doc(text: str) -> Document:
    return prepare(RawDocument("t", text))


def _actors(lexicons: Lexicons, text: str, country: str | None) -> list[Actor]:
    doc = _doc(text)
    return [m.actor for m in find_actors(doc, lexicons.scan(doc), country, lexicons.country_names)]


def _one(lexicons: Lexicons, text: str, country: str | None) -> tuple[str, str, int, str | None]:
    [a] = _actors(lexicons, text, country)
    return a.name, a.canonical, a.inter, a.country


def test_scoped_reading_in_its_country(lexicons: Lexicons) -> None:
    assert _one(lexicons, "قصفت قوات النظام البلدة", "SY") == ("قوات النظام", "Military Forces of Syria", 1, "SY")


def test_reading_scoped_elsewhere_is_dropped(lexicons: Lexicons) -> None:
    assert _actors(lexicons, "قصفت قوات النظام البلدة", "YE") == []


def test_unknown_country_takes_the_first_reading(lexicons: Lexicons) -> None:
    assert _one(lexicons, "قصفت قوات النظام البلدة", None)[1] == "Military Forces of Syria"


@pytest.mark.parametrize(
    ("country", "canonical", "inter", "iso"),
    [("SY", "Military Forces of Syria", 1, "SY"), ("YE", "Saudi-led Coalition", 8, "SA")],
)
def test_same_phrase_reads_by_report_country(
    lexicons: Lexicons, country: str, canonical: str, inter: int, iso: str
) -> None:
    assert _one(lexicons, "قصف الطيران الحربي البلدة", country) == ("الطيران الحربي", canonical, inter, iso)


@pytest.mark.parametrize(("country", "inter"), [("PS", 1), ("LB", 8)])
def test_occupation_is_external_outside_its_own_territory(lexicons: Lexicons, country: str, inter: int) -> None:
    assert _one(lexicons, "داهم الاحتلال البلدة", country) == ("الاحتلال", "Military Forces of Israel", inter, "IL")


def test_template_is_filled_with_the_report_country(lexicons: Lexicons) -> None:
    assert _one(lexicons, "هاجم تنظيم داعش البلدة", "IQ") == ("تنظيم داعش", "Islamic State (Iraq)", 2, "IQ")
    assert _one(lexicons, "داهم الجيش البلدة", "LB") == ("الجيش", "Military Forces of Lebanon", 1, "LB")


def test_report_country_template_needs_a_country(lexicons: Lexicons) -> None:
    assert _actors(lexicons, "هاجم تنظيم داعش البلدة", None) == []


def test_longest_phrase_wins(lexicons: Lexicons) -> None:
    assert [a.name for a in _actors(lexicons, "قصفت قوات النظام السوري البلدة", "SY")] == ["قوات النظام السوري"]


def test_actor_surface_keeps_original_spelling_without_clitic(lexicons: Lexicons) -> None:
    assert [a.name for a in _actors(lexicons, "واستهدفت وقوات النِّظام البلدة", "SY")] == ["قوات النِّظام"]


def test_a_place_token_is_not_an_actor(lexicons: Lexicons) -> None:
    text = "داهم الجيش البلدة"
    doc = _doc(text)
    place = Toponym(name="الجيش", key="جيش", start=5, end=10, token_index=1)
    assert find_actors(doc, lexicons.scan(doc), "LB", lexicons.country_names, [place]) == []


def test_sources(lexicons: Lexicons) -> None:
    doc = _doc("بحسب المرصد السوري لحقوق الإنسان، وقال مصدر لـ«فرانس برس»")
    found = [(s.source.name, s.source.canonical, s.source.kind) for s in find_sources(doc, lexicons.scan(doc))]
    assert found == [
        ("المرصد السوري لحقوق الإنسان", "Syrian Observatory for Human Rights", "monitor"),
        ("فرانس برس", "Agence France-Presse", "news_agency"),
    ]


def test_source_longest_form_only(lexicons: Lexicons) -> None:
    doc = _doc("قال المرصد السوري إن")
    assert [s.source.name for s in find_sources(doc, lexicons.scan(doc))] == ["المرصد السوري"]


class TestReportCountry:
    def test_places_count_twice(self) -> None:
        assert report_country(_doc("ن"), ["SY"], ["LB"]) == "LB"

    def test_names_outvote_one_place(self) -> None:
        assert report_country(_doc("ن"), ["SY", "SY", "SY"], ["LB"]) == "SY"

    def test_no_votes(self) -> None:
        assert report_country(_doc("ن"), [], []) is None
