"""Toponym recognition with the packaged gazetteer and lexicons."""

from __future__ import annotations

import pytest

from marsad.geo.gazetteer import Gazetteer
from marsad.geo.toponyms import find_toponyms
from marsad.lang.lexicon import Lexicons
from marsad.models import RawDocument, Toponym
from marsad.text.prepare import prepare


@pytest.fixture(scope="module")
def lexicons() -> Lexicons:
    return Lexicons.load()


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.open()


@pytest.fixture
def places(lexicons: Lexicons, gazetteer: Gazetteer):  # type: ignore[no-untyped-def]
    def find(text: str) -> list[Toponym]:
        doc = prepare(RawDocument("t", text))
        found = find_toponyms(doc, gazetteer, lexicons, lexicons.scan(doc))
        for t in found:
            assert text[t.start : t.end] == t.name
        return found

    return find


def _summary(found: list[Toponym]) -> list[tuple[str, str, str]]:
    return [(t.name, t.cue, t.relation) for t in found]


def test_cue_word_introduces_a_town(places) -> None:  # type: ignore[no-untyped-def]
    [t] = places("سقطت قذائف على بلدة صيدا")
    assert (t.name, t.key, t.cue, t.relation, t.precision) == ("صيدا", "صيدا", "بلده", "in", 1)


def test_list_after_a_plural_cue(places) -> None:  # type: ignore[no-untyped-def]
    assert _summary(places("قصفت الطائرات بلدات الطيبة والنعيمة وصيدا")) == [
        ("الطيبة", "بلدات", "in"),
        ("النعيمة", "بلدات", "in"),
        ("صيدا", "بلدات", "in"),
    ]


def test_list_with_arabic_commas(places) -> None:  # type: ignore[no-untyped-def]
    assert [t.name for t in places("قصفت الطائرات قرى الطيبة، النعيمة، صيدا")] == ["الطيبة", "النعيمة", "صيدا"]


def test_clitic_is_not_part_of_the_name(places) -> None:  # type: ignore[no-untyped-def]
    text = "سقطت قذائف على بلدة صيدا وصيدا"
    found = places(text)
    assert [t.name for t in found] == ["صيدا", "صيدا"]
    assert found[1].start == text.rindex("صيدا")


def test_countryside_with_clitic(places) -> None:  # type: ignore[no-untyped-def]
    [t] = places("قصفت الطائرات بريف درعا")
    assert (t.name, t.cue, t.relation, t.precision) == ("درعا", "ريف", "countryside", 2)


def test_countryside_with_direction_adjective(places) -> None:  # type: ignore[no-untyped-def]
    [t] = places("قصفت الطائرات ريف إدلب الجنوبي")
    assert (t.name, t.key, t.relation) == ("إدلب", "ادلب", "countryside")


def test_direction_makes_the_relation_near(places) -> None:  # type: ignore[no-untyped-def]
    [t] = places("تقدمت القوات جنوب مدينة بصرى الشام")
    assert (t.name, t.key, t.cue, t.relation, t.precision) == ("بصرى الشام", "بصري شام", "مدينه", "near", 2)


def test_a_name_ending_in_a_direction_before_another_place_is_split(places) -> None:  # type: ignore[no-untyped-def]
    found = places("قصفت طائرات حربية مدينة الباب شرقي حلب صباح اليوم")
    assert [(t.name, t.relation) for t in found] == [("الباب", "in"), ("حلب", "near")]  # not a quarter "Bab Sharqi"


def test_a_name_ending_in_a_direction_inside_a_list_is_kept(places) -> None:  # type: ignore[no-untyped-def]
    names = [t.name for t in places("استهدفت الغارات قرى الهبيط ودير شرقي وكفرسجنة")]
    assert "دير شرقي" in names


def test_outskirts_make_the_relation_near(places) -> None:  # type: ignore[no-untyped-def]
    assert _summary(places("قصف في محيط مدينة درعا")) == [("درعا", "مدينه", "near")]


def test_province(places) -> None:  # type: ignore[no-untyped-def]
    [t] = places("اشتباكات في محافظة درعا")
    assert (t.name, t.relation, t.precision) == ("درعا", "province", 3)


def test_definite_cue_without_a_name(places) -> None:  # type: ignore[no-untyped-def]
    assert places("دخلت القوات المدينة وتقع قرب الحدود") == []


def test_unknown_two_word_name_after_a_cue(places) -> None:  # type: ignore[no-untyped-def]
    [t] = places("قصفت المدفعية بلدة عيتا الشعب")
    assert (t.name, t.key, t.cue) == ("عيتا الشعب", "عيتا شعب", "بلده")


def test_unknown_one_word_name_after_a_cue(places) -> None:  # type: ignore[no-untyped-def]
    assert [t.name for t in places("قصفت المدفعية بلدة كفرزيتا")] == ["كفرزيتا"]


def test_town_keeps_its_direction_adjective(places) -> None:  # type: ignore[no-untyped-def]
    assert [t.name for t in places("قصفت الطائرات بلدة الطيبة الشرقي")] == ["الطيبة الشرقي"]


def test_known_city_after_a_preposition(places) -> None:  # type: ignore[no-untyped-def]
    assert _summary(places("انفجرت عبوة ناسفة في حلب")) == [("حلب", "", "in")]


def test_diacritics_in_a_name(places) -> None:  # type: ignore[no-untyped-def]
    [t] = places("قصف في إِدْلِب")
    assert (t.name, t.key) == ("إِدْلِب", "ادلب")


def test_cued_town_then_countryside(places) -> None:  # type: ignore[no-untyped-def]
    assert _summary(places("قصفت الطائرات بلدات الطيبة والنعيمة في ريف درعا")) == [
        ("الطيبة", "بلدات", "in"),
        ("النعيمة", "بلدات", "in"),
        ("درعا", "ريف", "countryside"),
    ]


def test_token_index_points_at_the_name(places) -> None:  # type: ignore[no-untyped-def]
    [t] = places("قصفت الطائرات بريف درعا")
    assert t.token_index == 3


def test_text_without_places(places) -> None:  # type: ignore[no-untyped-def]
    assert places("ارتفعت أسعار الخبز مرة أخرى") == []


def test_loads_lexicons_itself_when_no_matches_given(gazetteer: Gazetteer) -> None:
    doc = prepare(RawDocument("t", "قصفت الطائرات بريف درعا"))
    assert [t.name for t in find_toponyms(doc, gazetteer)] == ["درعا"]


def test_country_after_a_preposition(places) -> None:  # type: ignore[no-untyped-def]
    [t] = places("قصف مدفعي في لبنان")
    assert (t.name, t.is_country, t.country_hint, t.relation) == ("لبنان", True, "LB", "province")


def test_a_common_word_that_names_only_hamlets_is_the_word(places) -> None:  # type: ignore[no-untyped-def]
    # محطة and اليوم are hamlets in the gazetteer, but far more often the words "station", "today"
    found = _summary(places("قتل ثلاثة عمال في محطة كهرباء اليوم بقصف على مدينة تعز"))
    assert [name for name, _, _ in found] == ["تعز"]


def test_an_indefinite_cue_makes_a_common_word_a_place(places) -> None:  # type: ignore[no-untyped-def]
    found = _summary(places("قصفت الطائرات بلدة الشعب شمالي بغداد"))
    assert ("الشعب", "بلده", "in") in found


def test_a_common_word_after_a_quarter_cue_is_a_quarter(places) -> None:  # type: ignore[no-untyped-def]
    names = [t.name for t in places("استعادت القوات حيي العربي والمهندسين في الموصل")]
    assert names[:2] == ["العربي", "المهندسين"]


def test_a_frequent_word_after_a_cue_is_not_an_unknown_name(places) -> None:  # type: ignore[no-untyped-def]
    names = [t.name for t in places("سقطت قذائف على منطقة تضم مدارس ومستشفيات في حمص")]
    assert "تضم" not in names
    assert "حمص" in names


def test_a_name_after_a_given_name_or_title_is_a_person(places) -> None:  # type: ignore[no-untyped-def]
    names = [t.name for t in places("وقال الرئيس الأسبق محمد مرسي في القاهرة إن الاعتصام سلمي")]
    assert "مرسي" not in names
    assert "القاهرة" in names
