"""The whole flow on short reports: errors, warnings, evidence offsets, determinism, output keys."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from marsad.errors import EmptyDocumentError, InputError, NotArabicError
from marsad.models import ExtractResult, RawDocument
from marsad.pipeline import Pipeline

THURSDAY = dt.date(2021, 6, 24)
REPORT = (
    "قصفت طائرات حربية روسية بلدة كفرنبل في ريف إدلب الجنوبي، أمس الأربعاء، ما أسفر عن مقتل خمسة مدنيين "
    "بينهم طفلان، بحسب المرصد السوري لحقوق الإنسان.\nمشاركة :"
)
RESULT_KEYS = {"doc_id", "published", "language", "title", "events", "warnings", "produced_by"}
EVENT_KEYS = {
    "event_type", "sub_event_type", "date", "time_precision", "location", "actor1", "actor2",
    "assoc_actors1", "assoc_actors2", "fatalities", "injured", "quantities", "sources", "evidence",
    "notes", "confidence",
}  # fmt: skip
LOCATION_KEYS = {"name", "name_en", "gazetteer_id", "country", "admin1", "lat", "lon", "geo_precision"}


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.from_settings()


def _run(pipeline: Pipeline, text: str, published: dt.date | None = THURSDAY) -> ExtractResult:
    return pipeline.run(RawDocument("doc-1", text, published, title="عنوان"))


def test_air_strike_report(pipeline: Pipeline) -> None:
    result = _run(pipeline, REPORT)
    [event] = result.events
    assert event.sub_event_type == "air_drone_strike"
    assert event.event_type == "explosions_remote_violence"
    assert event.date == dt.date(2021, 6, 23)
    assert event.location.name == "كفرنبل"
    assert event.location.country == "SY"
    assert event.location.geo_precision == 1
    assert event.fatalities == 5
    assert event.actor1 is not None and event.actor1.canonical == "Military Forces of Russia"
    assert [s.canonical for s in event.sources] == ["Syrian Observatory for Human Rights"]
    assert result.warnings == ()


def test_evidence_is_the_sentence_holding_the_place(pipeline: Pipeline) -> None:
    text = "هدأت الجبهات صباحا. " + REPORT
    [event] = _run(pipeline, text).events
    assert event.evidence
    for ev in event.evidence:
        assert 0 <= ev.start < ev.end <= len(text)
        if ev.field is None:  # a sentence; a field's phrase lies inside one
            assert event.location.name in text[ev.start : ev.end]
    assert text[event.evidence[0].start :].startswith("قصفت")
    assert "مشاركة" not in text[event.evidence[-1].start : event.evidence[-1].end]


def test_evidence_offsets_survive_diacritics_and_tatweel(pipeline: Pipeline) -> None:
    text = "قَصَفَتْ قوات النظام بلدة الطـيبة بريف درعا الشرقي اليوم، وقُتل مدنيان."
    result = _run(pipeline, text)
    assert result.events
    for event in result.events:
        for ev in event.evidence:
            if ev.field is None:
                assert event.location.name in text[ev.start : ev.end]
            else:
                assert (ev.field, text[ev.start : ev.end]) == ("fatalities", "وقُتل مدنيان")


def test_empty_text(pipeline: Pipeline) -> None:
    with pytest.raises(EmptyDocumentError):
        _run(pipeline, "")
    with pytest.raises(EmptyDocumentError):
        _run(pipeline, "  123 ... \n")


def test_english_text(pipeline: Pipeline) -> None:
    with pytest.raises(NotArabicError, match=r"\[M106\]"):
        _run(pipeline, "Russian jets struck the town of Kafranbel in southern Idlib on Wednesday.")


def test_input_errors_share_one_base() -> None:
    assert issubclass(EmptyDocumentError, InputError)
    assert issubclass(NotArabicError, InputError)


def test_missing_publication_date_warns(pipeline: Pipeline) -> None:
    result = _run(pipeline, REPORT, None)
    assert any("published" in w for w in result.warnings)
    assert all(e.date is None for e in result.events)


def test_report_without_events(pipeline: Pipeline) -> None:
    result = _run(pipeline, "ارتفعت أسعار الخبز والمحروقات في الأسواق المحلية هذا الأسبوع.")
    assert result.events == ()


def test_result_is_deterministic(pipeline: Pipeline) -> None:
    first = _run(pipeline, REPORT).to_dict()
    assert _run(pipeline, REPORT).to_dict() == first
    assert Pipeline.from_settings().run(RawDocument("doc-1", REPORT, THURSDAY, title="عنوان")).to_dict() == first


def test_to_dict_has_exactly_the_spec_keys_and_is_json(pipeline: Pipeline) -> None:
    data = _run(pipeline, REPORT).to_dict()
    assert set(data) == RESULT_KEYS
    assert (data["doc_id"], data["published"], data["language"], data["title"]) == (
        "doc-1",
        "2021-06-24",
        "ar",
        "عنوان",
    )
    [event] = data["events"]
    assert set(event) == EVENT_KEYS
    assert set(event["location"]) == LOCATION_KEYS
    assert set(event["actor1"]) == {"name", "canonical", "inter", "country"}
    assert all(set(s) == {"name", "canonical", "kind"} for s in event["sources"])
    sentences = [e for e in event["evidence"] if "field" not in e]
    assert sentences and all(set(e) == {"start", "end"} for e in sentences)
    [toll] = [e for e in event["evidence"] if "field" in e]  # the phrase behind the death toll
    assert set(toll) == {"start", "end", "field", "value", "rule", "reading"}
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_produced_by_records_component_and_lexicon_version(pipeline: Pipeline) -> None:
    produced = _run(pipeline, REPORT).produced_by
    assert produced["component"] == "marsad.extract.rules.v1"
    assert produced["lexicons"] == pipeline.lexicons.version


def test_superscript_digit_does_not_crash(pipeline: Pipeline) -> None:
    assert _run(pipeline, "قصفت :¹").events == ()


def test_killed_people_are_not_a_detainee_quantity(pipeline: Pipeline) -> None:
    [event] = _run(pipeline, "لقي 30 شخصا مصرعهم في انفجار سيارة مفخخة في مدينة الباب اليوم.").events
    assert event.fatalities == 30
    assert [q.what for q in event.quantities] == []


def test_the_one_day_of_a_long_sentence_dates_its_later_clauses(pipeline: Pipeline) -> None:
    text = (
        "قصفت الطائرات الحربية الروسية بلدة حاس في ريف إدلب الجنوبي اليوم الخميس. "
        "وأفادت الشبكة السورية لحقوق الإنسان أمس في تقرير موسع نشرته على موقعها الرسمي ووزعته على "
        "وسائل الإعلام بأن ستة مدنيين قتلوا بقصف مدفعي طال بلدة كفرنبل."
    )
    events = {e.location.name: e for e in _run(pipeline, text).events}
    assert events["حاس"].date == THURSDAY
    assert events["كفرنبل"].date == THURSDAY - dt.timedelta(days=1)  # أمس, far before the trigger


@pytest.mark.parametrize(
    ("text", "perpetrator", "victim"),
    [
        ("قتل مدني برصاص مسلحين مجهولين في مدينة نوى بريف درعا اليوم.", "Unidentified Armed Group", "Civilians (SY)"),
        ("قتل مدني برصاص قوات النظام في مدينة نوى بريف درعا اليوم.", "Military Forces of Syria", "Civilians (SY)"),
        ("قتل شاب على يد عناصر من تنظيم الدولة في مدينة الميادين اليوم.", "Islamic State (Syria)", "Civilians (SY)"),
    ],
)
def test_the_group_named_after_by_the_bullets_of_did_it(
    pipeline: Pipeline, text: str, perpetrator: str, victim: str
) -> None:
    [event] = _run(pipeline, text).events
    assert event.sub_event_type == "attack"
    assert event.actor1 is not None and event.actor1.canonical == perpetrator
    assert event.actor2 is not None and event.actor2.canonical == victim
