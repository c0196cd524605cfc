"""Arabic normalisation: folding, dropped marks, the offset map, article stripping, name keys."""

from __future__ import annotations

import pytest

from marsad.text.normalize import name_key, normalize, normalize_with_offsets, strip_article


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("أحمد", "احمد"),
        ("إدلب", "ادلب"),
        ("آمنة", "امنه"),
        ("مدرسة", "مدرسه"),
        ("مستشفى", "مستشفي"),
        ("مؤسسة", "موسسه"),
        ("رئيس", "رييس"),
        ("کرکوک", "كركوك"),
        ("٣٤", "34"),
        ("۱۲", "12"),
        ("ABC", "abc"),
    ],
)
def test_normalize_folds_letter_variants(raw: str, folded: str) -> None:
    assert normalize(raw) == folded


def test_normalize_drops_diacritics_tatweel_and_invisible_marks() -> None:
    assert normalize("قَصَفَتْ") == "قصفت"
    assert normalize("شدّة") == "شده"
    assert normalize("قـــصف") == "قصف"
    assert normalize("در\u200fعا\u200c") == "درعا"
    assert normalize("\ufeffحلب") == "حلب"


def test_normalize_folds_odd_spaces_to_plain_space() -> None:
    assert normalize("ريف\u00a0درعا\tالشرقي") == "ريف درعا الشرقي"


def test_normalize_is_idempotent_on_news_text() -> None:
    text = "قَصَفَتْ الطائراتُ «مستشفى» إدلب، وأُصيبَ ٣ أشخاص."
    once = normalize(text)
    assert normalize(once) == once


def test_offsets_map_each_output_char_to_its_source() -> None:
    assert normalize_with_offsets("وأحصى") == ("واحصي", [0, 1, 2, 3, 4, 5])


def test_offsets_skip_dropped_characters_and_close_with_length() -> None:
    text = "قَصف"  # the fatha at index 1 is dropped
    norm, offsets = normalize_with_offsets(text)
    assert norm == "قصف"
    assert offsets == [0, 2, 3, 4]


def test_offsets_of_empty_text() -> None:
    assert normalize_with_offsets("") == ("", [0])


def test_offsets_text_agrees_with_normalize_on_arabic() -> None:
    text = "أُصيبَ ٣ مدنيين في مدينة إدلب"
    assert normalize_with_offsets(text)[0] == normalize(text)


def test_offsets_text_agrees_with_normalize_on_latin_capitals() -> None:
    assert normalize_with_offsets("École")[0] == normalize("École")


@pytest.mark.parametrize(
    ("word", "stripped"),
    [("الطيبه", "طيبه"), ("الا", "الا"), ("الي", "الي"), ("صيدا", "صيدا"), ("البلده", "بلده")],
)
def test_strip_article(word: str, stripped: str) -> None:
    assert strip_article(word) == stripped


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("بصرى الشام", "بصري شام"),
        ("دير-الزور", "دير زور"),
        ("  الرقّة ", "رقه"),
        ("عيتا الشعب!", "عيتا شعب"),
        ("مدينة_الباب", "مدينه باب"),
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


def test_name_key_ignores_article_and_spelling_variants() -> None:
    assert name_key("الطيبة") == name_key("طيبه") == name_key("الطَّيبة")
