"""Time expressions and their resolution against the publication date.

An expression lies inside one sentence and is resolved with ``published`` as day 0. The words are
data (``lang/ar/time.tsv``: months of every series, weekdays, relative days, durations, spans);
the forms read are

- **explicit days**: a day number or an ordinal with a month name, with or without a year
  (``19 حزيران``, ``الإثنين 5 ديسمبر 2016``, ``الخامس من تموز``, ``يناير الثاني والعشرين، 2018``,
  ``تموز من عام 2018``), or with ``الشهر الجاري/الماضي`` (``العاشر من الشهر الماضي``);
- **numeric dates** with ``/ - .``: day-month-year and year-month-day, four- or two-digit years
  (``18/08/2020``, ``2016/02/22``, ``18-9-15``) and day-month without a year (``22/04``, ``4/22``);
  a yearless one needs a date word before it (``في``, ``يوم``, ``بتاريخ``, a weekday) or a zero
  (``04``), so that scores and fractions are not dates;
- **weekdays**: the most recent such day on or before publication (``الخميس`` on a Thursday is
  that Thursday); with ``الماضي/الفائت/المنصرم/الأخير`` the most recent one strictly before; with
  ``المقبل`` the next one (a plan);
- **relative days**: ``اليوم`` 0, ``أمس``/``الليلة الماضية`` 1, ``أول أمس``/``أمس الأول`` 2;
  ``ليل``/``ليلة`` before a day is the night of that day (``ليل أمس`` is yesterday); a part of a
  day (``فجر``, ``صباح``, ``مساء`` …) does not move it, and alone only its adverb (``صباحا``)
  names the report's day (``فجر انتحاري نفسه`` is a verb);
- **durations back**: ``قبل يومين``, ``منذ ثلاثة أيام`` (days), ``قبل أسبوع`` (precision 2),
  ``منذ شهرين`` (precision 3); not ``قبل يومين من الهجوم``, which counts from another day, nor
  ``منذ يوم السبت``; with ``منذ`` the day is also ``since`` (``المعارك الدائرة منذ يومين``);
- **spans**: ``الأسبوع الماضي`` (the seven days before publication), ``مطلع الأسبوع``,
  ``نهاية الأسبوع الماضي`` (precision 2), ``الشهر الماضي``, ``مطلع الشهر الجاري``, ``أواخر حزيران``
  (precision 3); a week runs from Saturday, as Arabic calendars print it;
- **ranges of days**: ``بين الأحد والثلاثاء``, ``من 5 إلى 7 تموز``, ``5-7 تموز``.

A span or a range resolves to its first day; ``precision`` is ACLED's time precision (1 the day,
2 within a week, 3 only the month) and a range also gives its last day (``end``).

Choosing a year or a reading:

- a day and month without a year take the latest year that puts them no more than a week after
  publication: ``2 أكتوبر`` is this year in a report of 20 October and last year in one of
  5 January; ``30 حزيران`` in a report of 24 June is an announced day of this year;
- a numeric date is read day-month(-year) or year-month-day, whichever lands closest before
  publication; month-day (``4/22``, ``05/03/2021`` = 3 May) only when no other reading fits or
  when it falls in the week before publication and the day-first reading does not; a weekday
  next to it decides between readings (``الأحد 03/05``);
- a day more than one day after publication (a day of slack for time zones) is ``future``: a plan
  or an announcement, not an event.

Without a publication date only dates with a year resolve. ``منذ`` before a day or a duration
marks it as the start of a period that may still be going on (``since``).

dateparser was measured for this job (``benchmarks/bench_extract.py --dateparser`` and the
cases of ``tests/unit/date_cases.tsv``) and is not used: it needs ~0.5 ms per span against a
5 ms budget per document, reads no ordinal days and fewer of the cases than these rules.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from marsad.lang.lexicon import Entry, NumberWord, TimeWord
from marsad.models import Document
from marsad.text.match import Match, is_definite

# a, separator, b[, separator, c]: not inside a longer run of numbers (phone numbers, 1/2/3/4),
# not a percentage; a dash before it may join a dateline ("مالي-8-9-2023")
_NUMERIC = re.compile(r"(?<!\d)(?<!\d[/.\-])(\d{1,4})([/.\-])(\d{1,2})(?:\2(\d{4}|\d{1,2}))?(?!\d|[/.\-]\d|\s?[%٪])")
_YEAR = re.compile(r"^(19|20)\d\d$")
_SLACK = dt.timedelta(days=1)  # a day after publication is still the report's day (time zones)
_PLAN_WINDOW = dt.timedelta(days=7)  # a yearless day up to a week ahead is announced, not last year's
_RECENT = dt.timedelta(days=7)  # a month-first reading (05/03 = 3 May) is taken only this close
_WEEK_START = 5  # Saturday (Python weekday)
_WEEK_PHASES = (0, 2, 5)  # first day of a week's start (Saturday), middle (Monday), end (Thursday)
_SINCE = ("منذ", "ومنذ")
_RUN_KINDS = frozenset({"month", "weekday", "relative", "part", "night", "past"})
_UNIT_KINDS = frozenset({"days", "weeks", "months"})
_QUALIFIERS = frozenset({"more_than", "at_least", "about", "up_to"})
_DAY_KINDS = frozenset({"weekday", "relative"})


@dataclass(frozen=True, slots=True)
class TimeExpr:
    first: int  # token range of the expression
    last: int
    date: dt.date | None  # resolved day (a span's first day), None when it cannot be resolved
    since: bool = False  # "منذ X": the start of an ongoing period
    future: bool = False  # "الخميس المقبل", a day after publication: a plan, not an event
    explicit: bool = False  # names a day and month
    precision: int = 1  # ACLED time precision: 1 the day, 2 within a week, 3 only the month
    end: dt.date | None = None  # the last day of a range ("بين الأحد والثلاثاء")


@dataclass(frozen=True, slots=True)
class _Numeric:
    last: int  # token after the date
    readings: tuple[tuple[int | None, int, int, bool], ...]  # (year or None, month, day, month-first)
    yearless: bool


def find_times(
    doc: Document, matches: Sequence[Match[Entry]], word_classes: dict[str, frozenset[str]]
) -> list[TimeExpr]:
    """All time expressions of a document, in text order, resolved against ``doc.published``."""
    return _Reader(doc, matches, word_classes).read()


class _Reader:
    """The time words of one document, indexed by first token, and the readers over them."""

    def __init__(self, doc: Document, matches: Sequence[Match[Entry]], word_classes: dict[str, frozenset[str]]) -> None:
        self.doc = doc
        self.tokens = doc.tokens
        self.n = len(doc.tokens)
        self.published = doc.published
        self.joiners = word_classes["date_joiner"]
        self.future_words = word_classes["future_marker"]
        self.words: dict[int, tuple[int, TimeWord, str]] = {}  # first -> (last, word, clitic)
        self.units: dict[int, tuple[int, TimeWord]] = {}
        self.phases: dict[int, tuple[int, int]] = {}
        self.current: dict[int, int] = {}
        self.ago: set[int] = set()
        self.openers: set[int] = set()
        self.joins: set[int] = set()
        self.ordinals: dict[int, tuple[int, int]] = {}
        self.cardinals: dict[int, tuple[int, int]] = {}
        self.qualifiers: dict[int, int] = {}
        for m in matches:
            p = m.payload
            if type(p) is TimeWord:
                self._add_word(m, p)
            elif type(p) is NumberWord:
                if p.kind == "ordinal" or p.kind == "cardinal":
                    table = self.ordinals if p.kind == "ordinal" else self.cardinals
                    if m.first not in table or m.last > table[m.first][0]:
                        table[m.first] = (m.last, p.value)
                elif p.kind in _QUALIFIERS:
                    self.qualifiers[m.first] = max(m.last, self.qualifiers.get(m.first, 0))
        self.word_ends = {last for last, _, _ in self.words.values()}
        self.numeric = self._numeric_dates()

    def _add_word(self, m: Match[Entry], word: TimeWord) -> None:
        kind = word.kind
        text = self.tokens[m.first].text
        if kind in _RUN_KINDS:
            if kind == "relative" and word.value == 0 and "اليوم" not in text:
                return  # "يوم السبت" is "on Saturday", not "today"
            if kind == "weekday" and "ال" not in text:
                return  # weekday names take the article: "مدنيين اثنين" is "two civilians", not Monday
            prev = self.words.get(m.first)
            if prev is None or m.last > prev[0]:
                self.words[m.first] = (m.last, word, m.clitic)
        elif kind in _UNIT_KINDS:
            if m.first not in self.units or m.last > self.units[m.first][0]:
                self.units[m.first] = (m.last, word)
        elif kind == "phase":
            self.phases[m.first] = (m.last, word.value)
        elif kind == "current":
            self.current[m.first] = m.last
        elif kind == "ago":
            self.ago.add(m.first)
        elif kind == "range":
            (self.openers if word.value == 0 else self.joins).add(m.first)

    # ------------------------------------------------------------------ driver
    def read(self) -> list[TimeExpr]:
        starts = set(self.words) | set(self.numeric) | set(self.units) | set(self.phases) | set(self.current)
        starts |= self.ago | self.openers | set(self.ordinals)
        for first, (_, word, _) in self.words.items():  # a day number before a month: "5 تموز", "5-7 تموز"
            if word.kind == "month":
                starts.update(range(max(0, first - 3), first))
        for first, (_, word) in self.units.items():  # "5 من الشهر الجاري"
            if word.kind == "months":
                starts.update(range(max(0, first - 2), first))
        out: list[TimeExpr] = []
        done = 0  # tokens before this one belong to an expression already read
        for i in sorted(starts):
            if i < done:
                continue
            expr = self._range(i) or self._duration(i) or self._span(i) or self._run(i)
            if expr is not None:
                out.append(expr)
                done = expr.last
        return out

    # ------------------------------------------------------------------ helpers
    def _same_sentence(self, a: int, b: int) -> bool:
        return b < self.n and self.doc.sentence_of(a) == self.doc.sentence_of(b)

    def _text(self, k: int) -> str:
        return self.tokens[k].text if k < self.n else ""

    def _kind_at(self, k: int) -> str | None:
        w = self.words.get(k)
        return w[1].kind if w is not None else None

    def _joiner(self, k: int) -> bool:
        return k < self.n and any(key in self.joiners for _, key in self.doc.readings[k])

    def _since(self, i: int) -> bool:
        """``منذ`` before the expression, maybe with a joiner between (``منذ يوم السبت``)."""
        k = i - 1
        if k >= 0 and self.tokens[k].text not in _SINCE and self._joiner(k):
            k -= 1
        return k >= 0 and self.tokens[k].text in _SINCE

    def _future_after(self, k: int) -> bool:
        return self._text(k) in self.future_words

    def _month_ref(self, k: int) -> tuple[int, int | None, int] | None:
        """(month, year or None, token after) for a month named at ``k`` (after an optional
        ``من``): a month name, or ``الشهر الجاري`` / ``الشهر الماضي``."""
        if self._text(k) == "من":
            k += 1
        w = self.words.get(k)
        if w is not None and w[1].kind == "month":
            return w[1].value, None, w[0]
        unit = self.units.get(k)
        pub = self.published
        if pub is None or unit is None or unit[1].kind != "months" or not is_definite(self._text(k)):
            return None
        after = unit[0]
        if after in self.current:
            return pub.month, pub.year, self.current[after]
        if self._kind_at(after) == "past":
            prev = _add_months(pub, -1)
            return prev.month, prev.year, self.words[after][0]
        return None

    def _day(self, j: int, after_month: bool) -> tuple[int, int] | None:
        """(day of month, token after) when token ``j`` is the day of a date: a number or an
        ordinal before a month, or after a month name (then an ordinal, or a number and a year)."""
        if j in self.ordinals:
            last, value = self.ordinals[j]
            if j > 0 and j - 1 in self.units and self.units[j - 1][1].kind != "days":
                return None  # "الأسبوع الأول من آذار" is a week, not the first of March
        else:
            text = self._text(j)
            if not (text.isdecimal() and text.isascii() and len(text) <= 2):
                return None
            value, last = int(text), j + 1
        if not 1 <= value <= 31:
            return None
        if self._month_ref(last) is not None:
            return value, last
        if after_month and (j in self.ordinals or _YEAR.match(self._text(last))):
            return value, last  # "يناير الثاني والعشرين، 2018", "تموز 5، 2018"
        return None

    # ------------------------------------------------------------------ numeric dates
    def _numeric_dates(self) -> dict[int, _Numeric]:
        out: dict[int, _Numeric] = {}
        starts: list[int] | None = None
        norm = self.doc.norm
        for at in _numeric_starts(norm):
            found = _NUMERIC.match(norm, at)
            if found is None:
                continue
            a, sep, b, c = found.groups()
            if c is None and (sep == "." or len(a) > 2):
                continue  # "9.75", "10.30" are numbers and times
            if c is not None and len(c) == 2 and len(a) != 4 and sep == ".":
                continue  # "1.12.10" is a version or a section number
            readings = _numeric_readings(a, b, c)
            if not readings:
                continue
            if starts is None:
                starts = [t.start for t in self.tokens]
            first = bisect_left(starts, found.start())
            if first >= self.n or starts[first] != found.start():
                continue
            last = bisect_left(starts, found.end())
            if c is None and not self._yearless_numeric_ok(first, last, a, b):
                continue
            out[first] = _Numeric(last, readings, c is None)
        return out

    def _yearless_numeric_ok(self, first: int, last: int, a: str, b: str) -> bool:
        """``22/04`` is a date after a date word or with a leading zero; ``5-7 تموز`` is a range."""
        if self._month_ref(last) is not None:
            return False
        if len(a) == 2 and len(b) == 2 and "0" in (a[0], b[0]):
            return True
        k = first - 1
        return k >= 0 and (self._joiner(k) or k in self.ago or first in self.word_ends)

    def _pick_numeric(self, num: _Numeric, weekday: int | None) -> dt.date | None:
        pub = self.published
        cands: list[tuple[dt.date, bool]] = []
        for year, month, day, month_first in num.readings:
            if year is None:
                date = _yearless(month, day, pub) if pub is not None else None
            else:
                date = _make_date(year, month, day)
            if date is not None:
                cands.append((date, month_first))
        if weekday is not None and any(d.weekday() == weekday for d, _ in cands):
            cands = [c for c in cands if c[0].weekday() == weekday]
        if not cands:
            return None
        if pub is None:
            return cands[0][0]
        latest = pub + _SLACK
        recent = pub - _RECENT

        def rank(cand: tuple[dt.date, bool]) -> tuple[bool, bool, int, bool]:
            # not after publication; a month-first reading only when it is recent; the closest
            date, month_first = cand
            return date > latest, month_first and date < recent, abs((pub - date).days), month_first

        return min(cands, key=rank)[0]

    # ------------------------------------------------------------------ readers
    def _run(self, i: int) -> TimeExpr | None:
        """A run of time words, a day, a month, a year and joiners (``مساء أمس الأربعاء``,
        ``الإثنين 5 ديسمبر 2016``, ``الأحد الماضي``, ``الخميس 22/04/2016``)."""
        if i not in self.words and i not in self.numeric and self._day(i, False) is None:
            return None
        if self._kind_at(i) == "past":
            return None  # "الجولة الأخيرة عصر الأربعاء": "last" belongs to the word before it
        tokens, n = self.tokens, self.n
        parts: list[TimeWord] = []
        month: int | None = None
        year: int | None = None
        day: int | None = None
        numeric: _Numeric | None = None
        after_month = False
        j = end = i
        while j < n and self._same_sentence(i, j):
            if j in self.numeric and numeric is None and day is None:
                numeric = self.numeric[j]
                j = end = numeric.last
                after_month = False
                continue
            found = self._day(j, after_month) if day is None and numeric is None else None
            if found is not None:
                day, j = found
                end = j
                ref = self._month_ref(j)
                if ref is not None and month is None:
                    month, year, j = ref
                    end = j
                    after_month = True
                continue
            w = self.words.get(j)
            if w is not None:
                last, word, _ = w
                if word.kind == "month":
                    month = month if month is not None else word.value
                    after_month = True
                else:
                    parts.append(word)
                    after_month = False
                j = end = last
                continue
            if year is None and month is not None and _YEAR.match(tokens[j].text):
                year = int(tokens[j].text)
                j = end = j + 1
                after_month = False
                continue
            k = j
            while k < n and k - j < 2 and self._joiner(k):
                k += 1
            if k > j and self._same_sentence(i, k) and self._continues(k, after_month, month is not None):
                j = k
                continue
            break
        first_future = max(0, i - 2)
        marked = self._future_after(end) or any(
            tokens[k].text in self.future_words or tokens[k].text == "غد" for k in range(first_future, end)
        )
        date, explicit = self._resolve(parts, month, day, year, numeric, marked)
        if date is not None and not explicit and self._after_midnight(i, parts):
            date += dt.timedelta(days=1)  # "بعد منتصف ليل الاثنين": the small hours of Tuesday
        kinds = {p.kind for p in parts}
        alone = any(p.kind == "part" and p.value == 1 for p in parts)
        if not (explicit or date is not None or month is not None or kinds & {"weekday", "relative", "night"} or alone):
            return None  # "فجر" alone is a verb, "الماضي" alone dates nothing
        since = self._since(i)
        return TimeExpr(i, end, date, since, marked or self._after(date), explicit)

    def _after_midnight(self, i: int, parts: list[TimeWord]) -> bool:
        """``بعد منتصف ليل الاثنين``: after the middle of a weekday's night (its midnight), which
        is the next day. Without ``بعد`` the midnight itself stays on the weekday named."""
        kinds = {p.kind for p in parts}
        if "night" not in kinds or sum(p.kind == "weekday" for p in parts) != 1:
            return False  # "ليل الاثنين – الثلاثاء" already names the later day
        k = i - 1 if i > 0 and self._text(i - 1) == "منتصف" else i  # the run starts at ليل or at منتصف
        return k > 0 and self._text(k - 1) == "بعد" and (k < i or any(p.kind == "phase" for p in parts))

    def _continues(self, k: int, after_month: bool, has_month: bool) -> bool:
        return (
            k in self.words
            or k in self.numeric
            or (has_month and bool(_YEAR.match(self._text(k))))
            or self._day(k, after_month) is not None
        )

    def _resolve(
        self,
        parts: list[TimeWord],
        month: int | None,
        day: int | None,
        year: int | None,
        numeric: _Numeric | None,
        future: bool,
    ) -> tuple[dt.date | None, bool]:
        pub = self.published
        weekdays = [p.value for p in parts if p.kind == "weekday"]
        weekday = weekdays[0] if weekdays else None
        if len(weekdays) > 1 and any(p.kind == "night" for p in parts):
            weekday = weekdays[-1]  # "ليل الاثنين – الثلاثاء": the night that ends on Tuesday
        if numeric is not None:
            return self._pick_numeric(numeric, weekday), True
        if month is not None and day is not None:
            if year is not None:
                return _make_date(year, month, day), True
            return (_yearless(month, day, pub) if pub is not None else None), True
        if pub is None:
            return None, False
        relative = [p.value for p in parts if p.kind == "relative"]
        if relative:
            return pub - dt.timedelta(days=max(relative)), False
        if weekday is not None:
            if future:
                return pub + dt.timedelta(days=(weekday - pub.weekday()) % 7 or 7), False
            back = (pub.weekday() - weekday) % 7
            if back == 0 and any(p.kind == "past" for p in parts):
                back = 7  # "الخميس الماضي" on a Thursday is a week ago
            return pub - dt.timedelta(days=back), False
        if any(p.kind == "night" for p in parts):
            return pub - dt.timedelta(days=1), False
        if any(p.kind == "part" and p.value == 1 for p in parts):
            return pub, False
        return None, False

    def _duration(self, i: int) -> TimeExpr | None:
        """``قبل يومين``, ``منذ ثلاثة أيام``, ``قبل نحو أسبوعين``, ``منذ شهر``."""
        pub = self.published
        if i not in self.ago or pub is None:
            return None
        k = i + 1
        while k in self.qualifiers:
            k = self.qualifiers[k]
        count: int | None = None
        text = self._text(k)
        if k in self.cardinals:
            k, count = self.cardinals[k]
        elif text.isdecimal() and text.isascii() and len(text) <= 3:
            count, k = int(text), k + 1
        unit = self.units.get(k)
        if unit is None or is_definite(self._text(k)) or not self._same_sentence(i, k):
            return None
        last, word = unit
        count = count if count is not None else word.value
        if count <= 0 or self._text(last) == "من":
            return None  # "منذ أيام" says no number; "قبل يومين من الهجوم" counts from another day
        if last in self.words or self._day(last, False) is not None:
            return None  # "منذ يوم السبت", "منذ شهر أكتوبر": a day or a month named, not a duration
        if word.kind == "days":
            date, precision = pub - dt.timedelta(days=count), 1
        elif word.kind == "weeks":
            date, precision = pub - dt.timedelta(days=7 * count), 2
        else:
            date, precision = _add_months(pub, -count), 3
        # "منذ يومين" is "two days ago" and as often "for two days" (المعارك الدائرة منذ يومين):
        # like "منذ الخميس", the start of a period that may still be going on
        return TimeExpr(i, last, date, since=self._text(i).endswith("منذ"), precision=precision)

    def _span(self, i: int) -> TimeExpr | None:
        """A week or a month before or around publication (``الأسبوع الماضي``, ``مطلع الأسبوع``,
        ``الشهر الماضي``, ``هذا الشهر``), or a part of a named month (``أواخر حزيران``)."""
        pub = self.published
        if pub is None:
            return None
        k = i
        phase: int | None = None
        if k in self.phases:
            k, phase = self.phases[k]
        this = k in self.current
        if this:
            k = self.current[k]
        unit = self.units.get(k)
        date: dt.date | None
        if unit is not None and unit[1].kind in ("weeks", "months") and unit[1].value == 1:
            if not is_definite(self._text(k)):
                return None
            weeks = unit[1].kind == "weeks"
            k = unit[0]
            past = future = False
            if self._kind_at(k) == "past":
                past, k = True, self.words[k][0]
            elif k in self.current:
                this, k = True, self.current[k]
            elif self._future_after(k):
                future, k = True, k + 1
            if phase is None and not (past or this or future):
                return None  # "الأسبوع" alone dates nothing
            date = (_week if weeks else _month)(pub, phase, past, future, this)
            precision = 2 if weeks else 3
        elif phase is not None and self._kind_at(k) == "month":
            last, word, _ = self.words[k]
            k = last
            year: int | None = None
            if _YEAR.match(self._text(k)):
                year, k = int(self._text(k)), k + 1
            elif self._kind_at(k) == "past":
                k = self.words[k][0]
            day = (1, 11, 21)[phase]
            date = _make_date(year, word.value, day) if year is not None else _yearless(word.value, day, pub)
            precision, future = 3, False
        else:
            return None
        if date is None or not self._same_sentence(i, k - 1):
            return None
        since = self._since(i)
        return TimeExpr(i, k, date, since, future or self._after(date), precision=precision)

    def _range(self, i: int) -> TimeExpr | None:
        """``بين الأحد والثلاثاء``, ``من 5 إلى 7 تموز``, ``5-7 تموز``: the first day, up to ``end``."""
        opener = i in self.openers
        a = self._point(i + 1 if opener else i)
        if a is None or (not opener and a[0] != "day"):
            return None
        kind_a, value_a, k = a
        ref_a = self._month_ref(k) if kind_a == "day" else None
        if ref_a is not None:
            k = ref_a[2]
        if k >= self.n:
            return None
        dash = self._dash_before(k)
        glued = k in self.words and self.words[k][2].startswith("و")  # "والثلاثاء"
        if k in self.joins and not dash:
            k += 1
        elif not (dash or (glued and opener)):
            return None
        if not opener and not dash:
            return None  # "5-7 تموز" needs no opener; "الأحد والثلاثاء" are two days
        b = self._point(k)
        if b is None or (b[0] == "day") != (kind_a == "day"):
            return None
        kind_b, value_b, k = b
        pub = self.published
        first: dt.date | None
        last: dt.date | None
        if kind_a == "day":
            first, last, k = self._day_range(value_a, ref_a, value_b, k)
        else:
            if pub is None:
                return None
            last = _point_date(pub, pub, kind_b, value_b)
            first = _point_date(pub, last, kind_a, value_a)
        if first is None or last is None or first > last or not self._same_sentence(i, k - 1):
            return None
        precision = 2 if (last - first).days <= 6 else 3
        since = self._since(i)
        return TimeExpr(i, k, first, since, self._after(last), kind_a == "day", precision, last)

    def _day_range(
        self, day_a: int, ref_a: tuple[int, int | None, int] | None, day_b: int, k: int
    ) -> tuple[dt.date | None, dt.date | None, int]:
        ref_b = self._month_ref(k)
        if ref_b is None:
            return None, None, k
        month, year, k = ref_b
        if year is None and _YEAR.match(self._text(k)):
            year, k = int(self._text(k)), k + 1
        pub = self.published
        if year is not None:
            last = _make_date(year, month, day_b)
        else:
            last = _yearless(month, day_b, pub) if pub is not None else None
        if last is None:
            return None, None, k
        first = _make_date(last.year, ref_a[0] if ref_a is not None else month, day_a)
        if first is not None and first > last and ref_a is not None:
            first = _make_date(last.year - 1, ref_a[0], day_a)  # "بين 28 كانون الأول و2 كانون الثاني"
        return first, last, k

    def _point(self, k: int) -> tuple[str, int, int] | None:
        """One end of a range: ("weekday" | "relative" | "day", value, token after)."""
        w = self.words.get(k)
        if w is not None and w[1].kind in _DAY_KINDS:
            return w[1].kind, w[1].value, w[0]
        if k in self.ordinals:
            last, value = self.ordinals[k]
            return "day", value, last
        text = self._text(k)
        if text.isdecimal() and text.isascii() and len(text) <= 2 and 1 <= int(text) <= 31:
            return "day", int(text), k + 1
        return None

    def _dash_before(self, k: int) -> bool:
        if k <= 0 or k >= self.n:
            return False
        return self.doc.norm[self.tokens[k - 1].end : self.tokens[k].start].strip() in ("-", "–")

    def _after(self, date: dt.date | None) -> bool:
        """A day after publication (beyond the day of slack) is not a past event."""
        pub = self.published
        return date is not None and pub is not None and date > pub + _SLACK


def _numeric_starts(norm: str) -> list[int]:
    """Where a number that a separator joins to another starts (``22`` of ``22/04``), found with
    ``str.find``: scanning the whole text with ``_NUMERIC`` costs more than the rest of the reader."""
    at: set[int] = set()
    end = len(norm) - 1
    for sep in "/-.":
        p = norm.find(sep, 1)
        while 0 < p < end:
            if norm[p - 1].isdigit() and norm[p + 1].isdigit():
                k = p - 1
                while k > 0 and norm[k - 1].isdigit():
                    k -= 1
                at.add(k)
            p = norm.find(sep, p + 1)
    return sorted(at)


# ---------------------------------------------------------------------- calendar arithmetic
def _make_date(year: int, month: int, day: int) -> dt.date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _yearless(month: int, day: int, published: dt.date) -> dt.date | None:
    """The latest such day no more than a week after publication (29 February: the last leap year)."""
    for year in range(published.year + 1, published.year - 5, -1):
        date = _make_date(year, month, day)
        if date is not None and date <= published + _PLAN_WINDOW:
            return date
    return None


def _add_months(date: dt.date, months: int) -> dt.date:
    year, month0 = divmod(date.month - 1 + months, 12)
    year += date.year
    return dt.date(year, month0 + 1, min(date.day, calendar.monthrange(year, month0 + 1)[1]))


def _century(yy: int) -> int:
    return 2000 + yy if yy < 70 else 1900 + yy


def _numeric_readings(a: str, b: str, c: str | None) -> tuple[tuple[int | None, int, int, bool], ...]:
    """The readings of ``a/b[/c]``, preferred first; the flag marks month-first readings."""
    x, y = int(a), int(b)
    readings: list[tuple[int | None, int, int, bool]]
    if c is None:
        readings = [(None, y, x, False), (None, x, y, True)]
    elif len(a) == 4:
        readings = [(x, y, int(c), False)] if len(c) <= 2 else []
    elif len(a) == 3 or len(c) == 1:
        readings = []
    elif len(c) == 4:
        readings = [(int(c), y, x, False), (int(c), x, y, True)]
    else:
        z = int(c)
        readings = [(_century(z), y, x, False)]  # 18-9-15: day-month-year …
        if len(a) == 2:
            readings.append((_century(x), y, z, False))  # … or year-month-day
        readings.append((_century(z), x, y, True))
    # a day that exists (2000 is a leap year: 29/02 without a year is a day)
    return tuple(r for r in readings if _make_date(r[0] or 2000, r[1], r[2]) is not None)


def _week(pub: dt.date, phase: int | None, past: bool, future: bool, this: bool) -> dt.date:
    """First day of a part of a week: phase 0 its start, 1 its middle, 2 its end."""
    if past and phase is None:
        return pub - dt.timedelta(days=7)  # "الأسبوع الماضي": the seven days before publication
    start = pub - dt.timedelta(days=(pub.weekday() - _WEEK_START) % 7)
    date = start + dt.timedelta(days=_WEEK_PHASES[phase or 0])
    if past:
        return date - dt.timedelta(days=7)
    if future:
        return date + dt.timedelta(days=7)
    if date > pub and not this:
        return date - dt.timedelta(days=7)  # "نهاية الأسبوع" in a report of Monday: the one before
    return date


def _month(pub: dt.date, phase: int | None, past: bool, future: bool, this: bool) -> dt.date:
    """First day of a part of a month: phase 0 from the 1st, 1 from the 11th, 2 from the 21st."""
    base = _add_months(pub.replace(day=1), -1 if past else 1 if future else 0)
    date = base.replace(day=(1, 11, 21)[phase or 0])
    if date > pub and not (this or future):
        date = _add_months(date, -1)
    return date


def _point_date(pub: dt.date, before: dt.date, kind: str, value: int) -> dt.date:
    """A weekday (the most recent on or before ``before``) or a relative day."""
    if kind == "relative":
        return pub - dt.timedelta(days=value)
    return before - dt.timedelta(days=(before.weekday() - value) % 7)
