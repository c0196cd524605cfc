"""Every common written form of an Arabic date, read in a sentence of its own.

The cases are ``tests/unit/date_cases.tsv``: short strike and clash sentences we wrote, each with a
publication date and the day (and time precision) a coder would give the event, grouped by form.
Each goes through the real path — ``prepare``, the packaged lexicons, ``find_times`` — and the
expression that dates the event is chosen as the assembler chooses it: in the trigger's sentence,
not a plan, the nearest to the trigger within ten words. A few reports also go through the whole
pipeline.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from marsad.extract.times import TimeExpr, find_times
from marsad.lang.lexicon import Lexicons, TimeWord
from marsad.lang.tables import lexicon_dir, read_table
from marsad.models import Document, RawDocument
from marsad.pipeline import Pipeline
from marsad.text.normalize import normalize
from marsad.text.prepare import prepare

CASES_PATH = Path(__file__).with_name("date_cases.tsv")
COLUMNS = ("group", "published", "sentence", "expression", "trigger", "date", "precision", "note")
GROUPS = {
    "numeric_dmy", "numeric_ymd", "numeric_no_year", "two_digit_year", "months_levantine", "months_gregorian",
    "months_maghreb", "yearless_boundary", "ordinal_days", "weekday_bare", "weekday_past", "relative_days",
    "days_back", "spans", "ranges", "parts_of_day", "negative",
}  # fmt: skip
REACH = 10  # words: as far as the assembler looks for a day (assemble._TIME_REACH)
# weekday names as written in the cases (normalised), for the calendar check
WEEKDAYS = {"الاثنين": 0, "الثلاثاء": 1, "الاربعاء": 2, "الخميس": 3, "الجمعه": 4, "السبت": 5, "الاحد": 6}


@dataclass(frozen=True, slots=True)
class Case:
    line: int
    group: str
    published: dt.date
    sentence: str
    expression: str
    trigger: str
    date: dt.date | None
    precision: int | None
    note: str

    @property
    def id(self) -> str:
        return f"{self.group}-{self.line}"


def _load() -> list[Case]:
    cases: list[Case] = []
    header: list[str] | None = None
    for number, line in enumerate(CASES_PATH.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            assert tuple(header) == COLUMNS, header
            continue
        assert len(cells) == len(COLUMNS), f"date_cases.tsv:{number}: {len(cells)} cells"
        row = dict(zip(COLUMNS, cells, strict=True))
        cases.append(
            Case(
                number,
                row["group"],
                dt.date.fromisoformat(row["published"]),
                row["sentence"],
                row["expression"],
                row["trigger"],
                None if row["date"] == "-" else dt.date.fromisoformat(row["date"]),
                None if row["precision"] == "-" else int(row["precision"]),
                row["note"],
            )
        )
    return cases


CASES = _load()


@pytest.fixture(scope="module")
def lexicons() -> Lexicons:
    return Lexicons.load()


def _trigger_token(doc: Document, trigger: str) -> int:
    word = normalize(trigger)
    return next(k for k, t in enumerate(doc.tokens) if t.text == word)


def _dating(doc: Document, times: list[TimeExpr], trigger: int) -> TimeExpr | None:
    """The expression that dates the event, chosen as the assembler does (``_Assembler._date``)."""
    sentence = doc.sentence_of(trigger)
    here = [
        x for x in times if doc.sentence_of(x.first) == sentence and not x.future and abs(x.first - trigger) <= REACH
    ]
    return min(here, key=lambda x: abs(x.first - trigger)) if here else None


def read_case(lexicons: Lexicons, case: Case) -> tuple[dt.date | None, int | None]:
    """(day, precision) the reader gives the case's event; (None, None) when it gives none."""
    doc = prepare(RawDocument("case", case.sentence, case.published))
    x = _dating(doc, find_times(doc, lexicons.scan(doc), lexicons.words), _trigger_token(doc, case.trigger))
    if x is None or x.date is None:
        return None, None
    return x.date, x.precision


# ---------------------------------------------------------------------------------- the table
def test_table_covers_every_form() -> None:
    counts = Counter(c.group for c in CASES)
    assert len(CASES) >= 100
    assert set(counts) == GROUPS
    assert min(counts.values()) >= 5, counts


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_is_well_formed(case: Case) -> None:
    assert case.expression in case.sentence
    assert normalize(case.trigger) in normalize(case.sentence).split()
    assert (case.date is None) == (case.precision is None)
    assert (case.date is None) == (case.group == "negative")
    if case.date is not None:
        assert case.precision in (1, 2, 3)
        assert case.date <= case.published, "an event is not dated after its report"


@pytest.mark.parametrize("case", [c for c in CASES if c.date is not None], ids=lambda c: c.id)
def test_named_weekday_agrees_with_the_calendar(case: Case) -> None:
    """A weekday named in the expression is the weekday of the expected day (the first end of a
    range), so that a wrong hand-computed date cannot hide in the table."""
    assert case.date is not None
    words = [w.removeprefix("و") if w.startswith("وال") else w for w in normalize(case.expression).split()]
    named = [WEEKDAYS[w] for w in words if w in WEEKDAYS]
    if named:
        assert case.date.weekday() == named[0], (case.date, calendar.day_name[case.date.weekday()])


def test_weekday_words_of_the_lexicon_match_the_calendar() -> None:
    """Each weekday row of time.tsv names, in its meaning, the English day of its value."""
    rows = read_table(lexicon_dir("ar") / "time.tsv", ("phrase", "value", "kind", "meaning"))
    weekdays = [r for r in rows if r["kind"] == "weekday"]
    assert len({int(str(r["value"])) for r in weekdays}) == 7
    sunday = dt.date(2024, 3, 10)
    assert sunday.strftime("%A") == "Sunday"
    for r in weekdays:
        day = sunday + dt.timedelta(days=(int(str(r["value"])) - sunday.weekday()) % 7)
        assert str(r["meaning"]).startswith(calendar.day_name[day.weekday()]), r


# ---------------------------------------------------------------------------------- the reader
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_reader(lexicons: Lexicons, case: Case) -> None:
    assert read_case(lexicons, case) == (case.date, case.precision), case.note


def test_durations_and_spans_have_their_precision(lexicons: Lexicons) -> None:
    doc = prepare(RawDocument("t", "قصفت الطائرات البلدة بين الأحد والثلاثاء", dt.date(2024, 3, 14)))
    [x] = find_times(doc, lexicons.scan(doc), lexicons.words)
    assert (x.date, x.end, x.precision) == (dt.date(2024, 3, 10), dt.date(2024, 3, 12), 2)


def test_time_words_are_all_typed(lexicons: Lexicons) -> None:
    doc = prepare(RawDocument("t", "قصف منذ ثلاثة أيام مطلع الأسبوع الماضي", dt.date(2024, 3, 14)))
    kinds = {m.payload.kind for m in lexicons.scan(doc) if isinstance(m.payload, TimeWord)}
    assert {"ago", "days", "phase", "weeks", "past"} <= kinds


# ---------------------------------------------------------------------------------- whole pipeline
# (text, published, expected event day): reports of our own with a town the gazetteer knows,
# dated inside the week before publication (older days are background to the assembler)
WHOLE = [
    ("قصفت طائرات حربية روسية بلدة كفرنبل في ريف إدلب الجنوبي يوم الأحد الماضي.", "2024-03-14", "2024-03-10"),
    ("قصفت طائرات حربية بلدة كفرنبل في ريف إدلب الجنوبي في 2016/02/22.", "2016-02-23", "2016-02-22"),
    ("قصفت قوات النظام بالمدفعية بلدة كفرنبل في ريف إدلب في 21-04-2016.", "2016-04-22", "2016-04-21"),
    ("شنت طائرات حربية غارات على بلدة كفرنبل في ريف إدلب يوم 4/22.", "2016-04-23", "2016-04-22"),
    ("قصفت طائرات حربية بلدة كفرنبل في ريف إدلب في يناير الثاني والعشرين، 2018.", "2018-01-23", "2018-01-22"),
    ("قصفت قوات النظام بالمدفعية بلدة كفرنبل في ريف إدلب في الخامس من تموز.", "2019-07-06", "2019-07-05"),
    ("قصفت طائرات حربية بلدة كفرنبل في ريف إدلب أمس الأول.", "2023-11-09", "2023-11-07"),
    ("قصفت طائرات حربية بلدة كفرنبل في ريف إدلب منذ ثلاثة أيام.", "2022-08-10", "2022-08-07"),
]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.from_settings(decisions=None)


@pytest.mark.parametrize(("text", "published", "day"), WHOLE)
def test_whole_pipeline_dates_the_event(pipeline: Pipeline, text: str, published: str, day: str) -> None:
    result = pipeline.run(RawDocument("d", text, dt.date.fromisoformat(published)))
    assert [e.date for e in result.events] == [dt.date.fromisoformat(day)]
