"""Clitic-aware, article-insensitive phrase matching, on a small fictional lexicon."""

from __future__ import annotations

import pytest

from marsad.models import Document, RawDocument
from marsad.text.match import Match, PhraseMatcher, longest_first, phrase_keys, token_readings
from marsad.text.prepare import prepare

ENTRIES = [
    ("صيدا", "town"),
    ("ريف", "countryside"),
    ("درعا", "city"),
    ("المرصد", "monitor-short"),
    ("المرصد السوري", "monitor"),
    ("فرانس برس", "agency"),
    ("غارات*", "raids"),
]


@pytest.fixture(scope="module")
def matcher() -> PhraseMatcher[str]:
    return PhraseMatcher(ENTRIES)


def _doc(text: str) -> Document:
    return prepare(RawDocument("t", text))


def _found(doc: Document, matches: list[Match[str]]) -> list[tuple[str, str, str]]:
    return [(m.text(doc), m.clitic, m.payload) for m in matches]


@pytest.mark.parametrize(
    ("word", "clitic"),
    [
        ("وصيدا", "و"),
        ("فصيدا", "ف"),
        ("بصيدا", "ب"),
        ("لصيدا", "ل"),
        ("كصيدا", "ك"),
        ("وبصيدا", "وب"),
        ("فبصيدا", "فب"),
    ],
)
def test_proclitics_are_stripped_from_the_first_word(matcher: PhraseMatcher[str], word: str, clitic: str) -> None:
    doc = _doc(f"سقطت قذائف {word} أمس")
    assert _found(doc, matcher.find_all(doc)) == [("صيدا", clitic, "town")]


def test_clitic_match_offsets_exclude_the_clitic(matcher: PhraseMatcher[str]) -> None:
    text = "قصف وبريف درعا"
    doc = _doc(text)
    m = matcher.find_all(doc)[0]
    assert (text[m.start : m.end], m.clitic, m.first, m.last) == ("ريف", "وب", 1, 2)


def test_lil_is_read_as_lam_plus_article(matcher: PhraseMatcher[str]) -> None:
    doc = _doc("قال للمرصد السوري مصدر")
    assert ("لمرصد السوري", "ل", "monitor") in _found(doc, matcher.find_all(doc))


def test_wa_lil_is_read_as_wa_lam_plus_article(matcher: PhraseMatcher[str]) -> None:
    doc = _doc("وللمرصد السوري")
    assert ("لمرصد السوري", "ول", "monitor") in _found(doc, matcher.find_all(doc))


def test_matching_ignores_the_article_on_every_word(matcher: PhraseMatcher[str]) -> None:
    doc = _doc("قال مرصد سوري")
    assert ("مرصد سوري", "", "monitor") in _found(doc, matcher.find_all(doc))


def test_matching_folds_spelling_and_diacritics() -> None:
    m = PhraseMatcher([("مستشفى", "hospital")])
    doc = _doc("قصف المُستشفيَ")
    assert [x.payload for x in m.find_all(doc)] == ["hospital"]


def test_guillemets_between_clitic_and_name(matcher: PhraseMatcher[str]) -> None:
    doc = _doc("وقال مصدر لـ«فرانس برس»")
    assert _found(doc, matcher.find_all(doc)) == [("فرانس برس", "", "agency")]


def test_starred_word_matches_suffixed_forms(matcher: PhraseMatcher[str]) -> None:
    doc = _doc("شنت غاراتها وغاراته والغارات على درعا")
    assert _found(doc, matcher.find_all(doc)) == [
        ("غاراتها", "", "raids"),
        ("غاراته", "و", "raids"),
        ("الغارات", "و", "raids"),
        ("درعا", "", "city"),
    ]


def test_unstarred_word_does_not_take_suffixes(matcher: PhraseMatcher[str]) -> None:
    doc = _doc("صيداها درعاهم")
    assert matcher.find_all(doc) == []


def test_a_clitic_needs_two_letters_left() -> None:
    assert token_readings("وب") == [(0, "وب")]
    assert (1, "صيدا") in token_readings("وصيدا")


def test_token_readings_bare_first_then_clitics() -> None:
    assert token_readings("للمرصد") == [(0, "للمرصد"), (1, "لمرصد"), (1, "مرصد")]


def test_phrase_keys_drop_articles_and_expand_stars() -> None:
    assert phrase_keys("المرصد السوري") == [("مرصد", "سوري")]
    keys = phrase_keys("غارات* على")
    assert ("غارات", "علي") in keys
    assert ("غاراتها", "علي") in keys
    assert all(k[1] == "علي" for k in keys)


def test_find_all_reports_every_length_and_payload(matcher: PhraseMatcher[str]) -> None:
    doc = _doc("قال المرصد السوري إن")
    found = sorted((m.first, m.last, m.payload) for m in matcher.find_all(doc))
    assert found == [(1, 2, "monitor-short"), (1, 3, "monitor")]


def test_find_keeps_the_longest_match_per_token(matcher: PhraseMatcher[str]) -> None:
    doc = _doc("قال المرصد السوري إن المرصد")
    assert [(m.first, m.last, m.payload) for m in matcher.find(doc)] == [(1, 3, "monitor"), (4, 5, "monitor-short")]


def test_find_respects_the_token_window(matcher: PhraseMatcher[str]) -> None:
    doc = _doc("قال المرصد السوري إن المرصد")
    assert [(m.first, m.last, m.payload) for m in matcher.find(doc, 0, 2)] == [(1, 2, "monitor-short")]
    assert [(m.first, m.last) for m in matcher.find(doc, 2, 5)] == [(4, 5)]


def test_longest_first_keeps_non_overlapping_longest_in_text_order(matcher: PhraseMatcher[str]) -> None:
    doc = _doc("قال المرصد السوري إن درعا")
    chosen = longest_first(matcher.find_all(doc))
    assert [(m.first, m.last, m.payload) for m in chosen] == [(1, 3, "monitor"), (4, 5, "city")]


def test_len_counts_expanded_keys() -> None:
    assert len(PhraseMatcher([("صيدا", 1), ("درعا", 2)])) == 2
    assert len(PhraseMatcher([("غارات*", 1)])) == len(phrase_keys("غارات*"))


def test_no_match_in_unrelated_text(matcher: PhraseMatcher[str]) -> None:
    doc = _doc("ارتفعت أسعار الخبز في الأسواق")
    assert matcher.find_all(doc) == []
    assert matcher.find(doc) == []
