"""The prepare stage: tokens, sentences and trailing page residue."""

from __future__ import annotations

from marsad.models import Document, RawDocument
from marsad.text.prepare import prepare


def _prepare(text: str) -> Document:
    return prepare(RawDocument("t", text))


def _sentences(doc: Document) -> list[str]:
    return [doc.text[s.start : s.end] for s in doc.sentences]


def test_tokens_are_normalised_words_and_numbers() -> None:
    doc = _prepare("قُتل ٣ مدنيين، وأُصيب 1,250 آخرون.")
    assert [t.text for t in doc.tokens] == ["قتل", "3", "مدنيين", "واصيب", "1,250", "اخرون"]
    for tok in doc.tokens:
        assert doc.norm[tok.start : tok.end] == tok.text


def test_document_offsets_close_with_text_length() -> None:
    text = "قَصفت الطائرات البلدة"
    doc = _prepare(text)
    assert len(doc.offsets) == len(doc.norm) + 1
    assert doc.offsets[-1] == len(text)


def test_sentences_split_at_stops_and_keep_their_punctuation() -> None:
    doc = _prepare("قصفت الطائرات البلدة. وقال مصدر محلي: انتهى القصف! هل توقف؟ نعم؛ ثم هدأ")
    assert _sentences(doc) == [
        "قصفت الطائرات البلدة.",
        "وقال مصدر محلي: انتهى القصف!",
        "هل توقف؟",
        "نعم؛",
        "ثم هدأ",
    ]


def test_full_stop_glued_to_next_word_ends_a_sentence() -> None:
    doc = _prepare("قتل مدنيان يوم (الخميس).وأحصى المرصد الضحايا")
    assert _sentences(doc) == ["قتل مدنيان يوم (الخميس).", "وأحصى المرصد الضحايا"]


def test_decimal_point_does_not_split() -> None:
    doc = _prepare("بلغت الخسائر 9.75 مليون دولار في المدينة.")
    assert _sentences(doc) == ["بلغت الخسائر 9.75 مليون دولار في المدينة."]
    assert "9.75" in [t.text for t in doc.tokens]


def test_line_breaks_end_sentences() -> None:
    doc = _prepare("قصف على البلدة\nاشتباكات في الريف")
    assert _sentences(doc) == ["قصف على البلدة", "اشتباكات في الريف"]


def test_sentence_is_trimmed_to_its_words_and_closing_quote() -> None:
    doc = _prepare("  «قصفت» الطائرات البلدة.   ")
    assert _sentences(doc) == ["قصفت» الطائرات البلدة."]


def test_sentence_token_ranges_cover_all_tokens_in_order() -> None:
    doc = _prepare("قصف على البلدة. قتل مدني. ونزح السكان")
    assert [(s.first_token, s.last_token) for s in doc.sentences] == [(0, 3), (3, 5), (5, 7)]
    assert [doc.sentence_of(i) for i in range(len(doc.tokens))] == [0, 0, 0, 1, 1, 2, 2]


def test_share_widget_line_is_residue() -> None:
    text = "قصفت الطائرات البلدة.\nمشاركة :"
    doc = _prepare(text)
    assert _sentences(doc) == ["قصفت الطائرات البلدة."]
    assert doc.body_end == text.index("\n")
    assert doc.text == text  # kept, so offsets stay valid
    assert all(not t.text.startswith("مشارك") for t in doc.tokens)


def test_several_residue_lines_are_all_excluded() -> None:
    text = "قصفت الطائرات البلدة.\nاقرأ أيضا\nمشاركة :\n"
    doc = _prepare(text)
    assert _sentences(doc) == ["قصفت الطائرات البلدة."]
    assert doc.body_end == text.index("\n")


def test_share_word_inside_the_body_is_not_residue() -> None:
    text = "مشاركة واسعة في التظاهرة.\nوقال المنظمون إن"
    doc = _prepare(text)
    assert doc.body_end == len(text)
    assert len(doc.sentences) == 2


def test_text_without_residue_ends_at_its_length() -> None:
    text = "قصفت الطائرات البلدة."
    assert _prepare(text).body_end == len(text)


def test_text_that_is_only_residue_has_no_sentences() -> None:
    doc = _prepare("مشاركة :")
    assert doc.sentences == ()
    assert doc.body_end == 0


def test_empty_and_punctuation_only_text() -> None:
    assert _prepare("").sentences == ()
    assert _prepare("... ؟؟ !!").sentences == ()


def test_prepare_precomputes_keys_readings_and_sentence_index() -> None:
    doc = _prepare("قصفت الطائرات وصيدا. ثم هدأ")
    assert doc.keys == ("قصفت", "طايرات", "وصيدا", "ثم", "هدا")
    assert (1, "صيدا") in doc.readings[2]
    assert doc.token_sentence == (0, 0, 0, 1, 1)
