"""Death tolls attached to the events of a report by the role of the sentence that states them."""

from __future__ import annotations

import datetime as dt

import pytest

from marsad.extract import tolls
from marsad.extract.code import merge_mentions
from marsad.models import RawDocument
from marsad.pipeline import Pipeline

THURSDAY = dt.date(2021, 6, 24)


@pytest.fixture(scope="module")
def rules() -> Pipeline:
    return Pipeline.from_settings(decisions=None)


def _tolls(rules: Pipeline, text: str) -> dict[str, list[tolls.Toll]]:
    a = rules.analyse(RawDocument("t", text, THURSDAY))
    mentions = merge_mentions([m for m in a.candidates if not m.flags])
    found = tolls.attach(a.doc, a.spans, mentions)
    return {m.place.toponym.name: f for m, f in zip(mentions, found, strict=True)}


def test_a_toll_in_the_next_sentence_refers_back(rules: Pipeline) -> None:
    found = _tolls(rules, "قصفت الطائرات بلدة كفرنبل اليوم الخميس. وأسفر القصف عن مقتل أربعة مدنيين.")
    assert [(t.value, t.rule) for t in found["كفرنبل"]] == [(4, "refers back")]


def test_a_toll_stated_for_several_places_together_is_nobodys(rules: Pipeline) -> None:
    found = _tolls(rules, "قصفت الطائرات بلدتي كفرنبل وحاس اليوم الخميس ما أسفر عن مقتل ستة مدنيين.")
    assert found["كفرنبل"] == [] and found["حاس"] == []


def test_a_cumulative_toll_is_not_the_events(rules: Pipeline) -> None:
    text = (
        "قصفت الطائرات بلدة كفرنبل اليوم الخميس. "
        "ومنذ بدء الحملة العسكرية قتل أكثر من 300 مدني في المنطقة، بحسب إحصائية للمرصد."
    )
    assert _tolls(rules, text)["كفرنبل"] == []


@pytest.mark.parametrize(
    ("since", "kept"),
    [
        ("منذ العاشر من حزيران", False),  # two weeks before publication: the count of a period
        ("منذ مطلع الشهر الجاري", False),
        ("منذ ليل أمس", True),  # the reporting window: the event's own toll
    ],
)
def test_a_toll_counted_since_a_day_before_the_report_is_a_period(rules: Pipeline, since: str, kept: bool) -> None:
    text = f"قصفت الطائرات بلدة كفرنبل اليوم الخميس. وقال الدفاع المدني إن 40 مدنيا قتلوا في المنطقة {since}."
    found = _tolls(rules, text)["كفرنبل"]
    assert [t.value for t in found] == ([40] if kept else [])


def test_the_only_event_of_a_report_takes_its_toll_and_the_update_wins(rules: Pipeline) -> None:
    text = (
        "انفجرت سيارة مفخخة في سوق مدينة الباب ظهر اليوم الخميس. "
        "وقال مصدر طبي إن 12 شخصا لقوا مصرعهم. "
        "وفي وقت لاحق قال الدفاع المدني إن عدد القتلى ارتفع إلى 19 قتيلا."
    )
    found = _tolls(rules, text)["الباب"]
    assert {t.value for t in found} == {12, 19}
    assert tolls.fatalities(found) == 19


def test_extraction_gives_the_toll_stated_apart_from_the_place() -> None:
    pipeline = Pipeline.from_settings()
    text = "انفجرت سيارة مفخخة في سوق مدينة الباب ظهر اليوم الخميس. وقال مصدر طبي إن 12 شخصا لقوا مصرعهم."
    [event] = pipeline.run(RawDocument("t", text, THURSDAY)).events
    assert event.location.name == "الباب" and event.fatalities == 12


def _toll_evidence(pipeline: Pipeline, text: str) -> dict[str, tuple[int | None, list[dict[str, object]]]]:
    result = pipeline.run(RawDocument("t", text, THURSDAY))
    out = {}
    for event in result.events:
        found = [e.to_dict() | {"text": text[e.start : e.end]} for e in event.evidence if e.field == "fatalities"]
        out[event.location.name] = (event.fatalities, found)
    return out


def test_a_toll_is_explained_by_its_phrase_its_rule_and_its_reading() -> None:
    pipeline = Pipeline.from_settings()
    text = (
        "قصفت طائرات حربية بلدة الحراك في ريف درعا الشرقي صباح اليوم الخميس. "
        "وأسفر القصف عن مقتل امرأة وأطفالها الأربعة، بحسب ناشطين محليين."
    )
    fatalities, [why] = _toll_evidence(pipeline, text)["الحراك"]
    assert fatalities == 5
    assert why["value"] == 5 and why["rule"] == "refers back"
    assert why["reading"] == "victims named after the death word"
    assert why["text"] == "مقتل امرأة وأطفالها الأربعة"


def test_a_toll_in_the_events_own_sentence_names_the_number_it_read() -> None:
    pipeline = Pipeline.from_settings()
    text = "قتل سبعة مدنيين اليوم الخميس في قصف مدفعي استهدف بلدة كفرنبل بريف إدلب الجنوبي."
    fatalities, [why] = _toll_evidence(pipeline, text)["كفرنبل"]
    assert fatalities == 7 and why["field"] == "fatalities"
    assert why["text"] == "قتل سبعة" and why["reading"] == "number after the death word"


def test_a_toll_shared_by_several_places_has_no_explanation_on_any() -> None:
    pipeline = Pipeline.from_settings()
    text = "قصفت الطائرات بلدتي كفرنبل وحاس اليوم الخميس ما أسفر عن مقتل ستة مدنيين."
    found = _toll_evidence(pipeline, text)
    assert found and all(f == (None, []) for f in found.values())
