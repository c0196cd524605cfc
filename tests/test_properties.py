"""Hypothesis properties of the text layer and the pipeline: normalisation is idempotent, offset
maps are monotone and faithful, prepare and the pipeline never raise on odd text."""

from __future__ import annotations

import datetime as dt
import itertools
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.errors import InputError
from marsad.models import RawDocument
from marsad.pipeline import Pipeline
from marsad.text.normalize import _fold_char, normalize, normalize_with_offsets
from marsad.text.prepare import prepare

# Arabic letters, hamza forms, ta marbuta, alef maqsura, diacritics, tatweel, Eastern Arabic
# digits, invisible marks, punctuation that ends sentences, spaces and line breaks.
ARABIC_ALPHABET = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآؤئةى"
    "\u064b\u064e\u064f\u0650\u0651\u0652\u0670\u0640"
    "٠١٢٣٤٥٦٧٨٩0123456789"
    "\u200c\u200d\u200f\ufeff\u00a0"
    " .،,؛؟!:«»()\n\t-/"
)
WORDS = [
    "قصفت", "الطائرات", "بلدة", "صيدا", "وصيدا", "بريف", "درعا", "مدينة", "بصرى", "الشام", "جنوب",
    "مقتل", "وإصابة", "قتيلين", "خمسة", "مدنيين", "عشرات", "ألف", "أكثر", "من", "على", "الأقل",
    "أمس", "اليوم", "ليل", "الخميس", "المقبل", "منذ", "19", "حزيران", "18/08/2020", "الخامس", "تموز",
    "قوات", "النظام", "المرصد", "السوري", "بحسب", "مشاركة", ":", "9.75", "(الخميس).وأحصى", "،", ".",
    "\n", "غارة", "برميلين", "600", "ضربة", "امرأة", "وأطفالها", "الأربعة", "القتلى", "والجرحى",
]  # fmt: skip

arabic_text = st.text(alphabet=ARABIC_ALPHABET, max_size=80)
any_text = st.text(max_size=60)
news_text = st.lists(st.sampled_from(WORDS), max_size=25).map(" ".join)
mixed_text = st.one_of(arabic_text, news_text, st.tuples(news_text, any_text).map("".join))


pipeline_text = mixed_text
published = st.one_of(st.none(), st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)))


@cache
def _pipeline() -> Pipeline:
    """One pipeline for the module (a lazy cache: Hypothesis and function-scoped fixtures don't mix)."""
    return Pipeline.from_settings()


@settings(max_examples=200, deadline=None)
@given(st.one_of(arabic_text, any_text))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=200, deadline=None)
@given(st.one_of(arabic_text, any_text))
def test_offsets_are_monotone_in_bounds_and_faithful(text: str) -> None:
    norm, offsets = normalize_with_offsets(text)
    assert len(offsets) == len(norm) + 1
    assert offsets[-1] == len(text)
    assert all(a < b for a, b in itertools.pairwise(offsets))
    assert all(0 <= o < len(text) for o in offsets[:-1])
    for ch, o in zip(norm, offsets, strict=False):
        assert _fold_char(text[o]) == ch


@settings(max_examples=200, deadline=None)
@given(arabic_text)
def test_offsets_text_matches_normalize_on_arabic(text: str) -> None:
    assert normalize_with_offsets(text)[0] == normalize(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(mixed_text, any_text))
def test_prepare_never_raises_and_sentences_are_ordered(text: str) -> None:
    doc = prepare(RawDocument("p", text))
    assert 0 <= doc.body_end <= len(text)
    previous_end = 0
    previous_last = 0
    for s in doc.sentences:
        assert previous_end <= s.start < s.end <= len(text)
        assert s.end <= doc.body_end
        assert previous_last <= s.first_token < s.last_token <= len(doc.tokens)
        previous_end, previous_last = s.end, s.last_token
    for t in doc.tokens:
        assert doc.norm[t.start : t.end] == t.text


@settings(max_examples=100, deadline=None)
@given(pipeline_text, published)
def test_pipeline_raises_only_input_errors_and_evidence_is_in_the_text(text: str, day: dt.date | None) -> None:
    try:
        result = _pipeline().run(RawDocument("p", text, day))
    except InputError:
        return
    for event in result.events:
        assert event.evidence
        for ev in event.evidence:
            assert 0 <= ev.start < ev.end <= len(text)
        assert event.to_dict()["event_type"] == event.event_type
