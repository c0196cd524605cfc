"""Time expressions resolved against the publication date (Thursday 24 June 2021 below)."""

from __future__ import annotations

import datetime as dt

import pytest

from marsad.extract.times import TimeExpr, find_times
from marsad.lang.lexicon import Lexicons
from marsad.models import Document, RawDocument
from marsad.text.prepare import prepare

THURSDAY = dt.date(2021, 6, 24)


@pytest.fixture(scope="module")
def lexicons() -> Lexicons:
    return Lexicons.load()


def _times(lexicons: Lexicons, text: str, published: dt.date | None = THURSDAY) -> tuple[Document, list[TimeExpr]]:
    doc = prepare(RawDocument("t", text, published))
    return doc, find_times(doc, lexicons.scan(doc), lexicons.words)


def _one(lexicons: Lexicons, text: str, published: dt.date | None = THURSDAY) -> TimeExpr:
    _, found = _times(lexicons, text, published)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("قصفت الطائرات البلدة اليوم", dt.date(2021, 6, 24)),
        ("قصفت الطائرات البلدة أمس", dt.date(2021, 6, 23)),
        ("قصفت الطائرات البلدة أول أمس", dt.date(2021, 6, 22)),
        ("قصفت الطائرات البلدة ليل أمس", dt.date(2021, 6, 23)),
        ("قصفت الطائرات البلدة الليلة الماضية", dt.date(2021, 6, 23)),
        ("قصفت الطائرات البلدة صباح اليوم", dt.date(2021, 6, 24)),
        ("قصفت الطائرات البلدة أمس الأربعاء", dt.date(2021, 6, 23)),
        ("قصفت الطائرات البلدة اليوم (الخميس)", dt.date(2021, 6, 24)),
    ],
)
def test_relative_days(lexicons: Lexicons, text: str, date: dt.date) -> None:
    expr = _one(lexicons, text)
    assert expr.date == date
    assert not expr.explicit and not expr.since and not expr.future


@pytest.mark.parametrize(
    ("weekday", "date"),
    [
        ("الخميس", dt.date(2021, 6, 24)),  # the publication day itself
        ("الأربعاء", dt.date(2021, 6, 23)),
        ("الجمعة", dt.date(2021, 6, 18)),  # the most recent Friday, not the next one
        ("السبت", dt.date(2021, 6, 19)),
        ("الإثنين", dt.date(2021, 6, 21)),
    ],
)
def test_weekday_is_the_most_recent_such_day(lexicons: Lexicons, weekday: str, date: dt.date) -> None:
    assert _one(lexicons, f"قصفت الطائرات البلدة يوم {weekday}").date == date


def test_yawm_before_a_weekday_is_not_today(lexicons: Lexicons) -> None:
    doc, found = _times(lexicons, "قصفت الطائرات البلدة يوم السبت")
    assert [doc.tokens[t.first].text for t in found] == ["السبت"]


def test_night_of_a_weekday(lexicons: Lexicons) -> None:
    assert _one(lexicons, "قصف ليلة الأربعاء").date == dt.date(2021, 6, 23)


@pytest.mark.parametrize(
    ("phrase", "date"),
    [
        ("بعد منتصف ليل الاثنين", dt.date(2021, 6, 22)),  # the small hours of Tuesday
        ("منتصف ليل الاثنين", dt.date(2021, 6, 21)),  # midnight itself stays on the day named
        ("بعد منتصف ليل الاثنين – الثلاثاء", dt.date(2021, 6, 22)),  # the later day is named already
    ],
)
def test_after_midnight_of_a_weekday_is_the_next_day(lexicons: Lexicons, phrase: str, date: dt.date) -> None:
    assert _one(lexicons, f"قصفت الطائرات البلدة {phrase}").date == date


@pytest.mark.parametrize("month", ["حزيران", "يونيو"])
def test_day_and_month_in_both_month_series(lexicons: Lexicons, month: str) -> None:
    doc, found = _times(lexicons, f"وقع الهجوم في 19 {month}")
    assert len(found) == 1
    assert found[0].date == dt.date(2021, 6, 19)
    assert found[0].explicit
    assert doc.tokens[found[0].first].text == "19"


def test_ordinal_day_of_month(lexicons: Lexicons) -> None:
    expr = _one(lexicons, "وقع الهجوم في الخامس من أيار")
    assert (expr.date, expr.explicit) == (dt.date(2021, 5, 5), True)


def test_date_far_after_publication_is_last_year(lexicons: Lexicons) -> None:
    # 5 July 2021 would be 11 days after publication: it must mean 5 July 2020
    assert _one(lexicons, "وقع الهجوم في الخامس من تموز").date == dt.date(2020, 7, 5)


def test_date_within_a_week_after_publication_stays_this_year(lexicons: Lexicons) -> None:
    assert _one(lexicons, "يبدأ الإضراب في 30 حزيران").date == dt.date(2021, 6, 30)


def test_explicit_year_wins(lexicons: Lexicons) -> None:
    expr = _one(lexicons, "قصف الإثنين 5 ديسمبر 2016")
    assert (expr.date, expr.explicit) == (dt.date(2016, 12, 5), True)


@pytest.mark.parametrize("text", ["وقع الهجوم في 18/08/2020", "وقع الهجوم في 18-08-2020", "وقع الهجوم في ١٨/٠٨/٢٠٢٠"])
def test_numeric_dates(lexicons: Lexicons, text: str) -> None:
    expr = _one(lexicons, text)
    assert (expr.date, expr.explicit) == (dt.date(2020, 8, 18), True)
    assert expr.last - expr.first == 3


def test_impossible_numeric_date_is_ignored(lexicons: Lexicons) -> None:
    assert _times(lexicons, "وقع الهجوم في 31/02/2020")[1] == []


def test_since_marks_an_ongoing_period(lexicons: Lexicons) -> None:
    expr = _one(lexicons, "تحاصر القوات البلدة منذ الخميس")
    assert expr.since
    assert expr.date == THURSDAY


def test_next_weekday_is_future(lexicons: Lexicons) -> None:
    assert _one(lexicons, "سيعقد الاجتماع الخميس المقبل").future


def test_tomorrow_nearby_is_future(lexicons: Lexicons) -> None:
    assert _one(lexicons, "يعقد الاجتماع غدا الجمعة").future


def test_month_alone_has_no_day(lexicons: Lexicons) -> None:
    expr = _one(lexicons, "قتل 19 مدنيا في حزيران")
    assert expr.date is None
    assert not expr.explicit


def test_number_before_a_non_month_is_not_a_date(lexicons: Lexicons) -> None:
    assert _times(lexicons, "قتل 19 مدنيا في القصف")[1] == []


def test_expression_stays_inside_its_sentence(lexicons: Lexicons) -> None:
    doc, found = _times(lexicons, "قصف اليوم. الخميس هدأت الجبهة")
    assert [(doc.sentence_of(t.first), doc.sentence_of(t.last - 1)) for t in found] == [(0, 0), (1, 1)]


def test_results_are_in_text_order(lexicons: Lexicons) -> None:
    _, found = _times(lexicons, "قصف في 18/08/2020 ثم قصف أمس ثم اليوم")
    assert [t.first for t in found] == sorted(t.first for t in found)
    assert [t.date for t in found] == [dt.date(2020, 8, 18), dt.date(2021, 6, 23), dt.date(2021, 6, 24)]


class TestWithoutPublicationDate:
    @pytest.mark.parametrize("text", ["قصف اليوم", "قصف أمس", "قصف الخميس", "قصف ليل أمس", "وقع في 19 حزيران"])
    def test_relative_and_yearless_dates_stay_unresolved(self, lexicons: Lexicons, text: str) -> None:
        assert _one(lexicons, text, None).date is None

    def test_yearless_date_is_still_explicit(self, lexicons: Lexicons) -> None:
        assert _one(lexicons, "وقع في الخامس من تموز", None).explicit

    def test_fully_explicit_dates_resolve(self, lexicons: Lexicons) -> None:
        assert _one(lexicons, "وقع في 19 حزيران 2019", None).date == dt.date(2019, 6, 19)
        assert _one(lexicons, "وقع في 18/08/2020", None).date == dt.date(2020, 8, 18)


def test_superscript_digit_does_not_crash(lexicons: Lexicons) -> None:
    assert _times(lexicons, "قصفت :¹")[1] == []


def test_explicit_day_after_publication_is_future(lexicons: Lexicons) -> None:
    expr = _one(lexicons, "يعقد الاجتماع في 20/07/2021")
    assert (expr.date, expr.future) == (dt.date(2021, 7, 20), True)


def test_day_after_publication_is_still_the_reports_day(lexicons: Lexicons) -> None:
    assert not _one(lexicons, "قصف في 25/06/2021").future  # one day of slack for time zones


def test_since_a_duration_is_a_period_start(lexicons: Lexicons) -> None:
    expr = _one(lexicons, "تدور المعارك منذ يومين")
    assert (expr.date, expr.since, expr.precision) == (dt.date(2021, 6, 22), True, 1)
    assert not _one(lexicons, "قصف قبل يومين").since


def test_spans_and_ranges_carry_their_precision(lexicons: Lexicons) -> None:
    assert _one(lexicons, "قصف قبل أسبوع").precision == 2
    assert _one(lexicons, "قصف الشهر الماضي").precision == 3
    expr = _one(lexicons, "قصف بين الإثنين والأربعاء")
    assert (expr.date, expr.end, expr.precision) == (dt.date(2021, 6, 21), dt.date(2021, 6, 23), 2)


def test_part_of_day_alone_is_a_verb_not_a_time(lexicons: Lexicons) -> None:
    assert _times(lexicons, "فجر انتحاري نفسه في السوق")[1] == []
    assert _one(lexicons, "قصفت الطائرات البلدة فجرا").date == THURSDAY


def test_dateline_dash_before_a_numeric_date(lexicons: Lexicons) -> None:
    assert _one(lexicons, "حلب-20-6-2021 قصفت الطائرات البلدة").date == dt.date(2021, 6, 20)


def test_weekday_decides_between_numeric_readings(lexicons: Lexicons) -> None:
    # 03/05 is 3 May (a Monday) or 5 March (a Friday)
    assert _one(lexicons, "قصف يوم الجمعة 03/05/2021").date == dt.date(2021, 3, 5)
    assert _one(lexicons, "قصف يوم الإثنين 03/05/2021").date == dt.date(2021, 5, 3)


def test_no_date_without_publication_for_relative_spans(lexicons: Lexicons) -> None:
    assert _times(lexicons, "قصف قبل أسبوع", None)[1] == []
