"""Time expressions and their resolution against the publication date.

An expression is a run of time words close together (``صباح اليوم``, ``أمس الأربعاء``,
``ليل أمس``, ``اليوم (الخميس)``, ``الإثنين 5 ديسمبر 2016``, ``19 حزيران``), or a numeric date
(``18/08/2020``). Resolution, with ``published`` as day 0:

- an explicit day and month: that day, in the year given or the publication year (the year
  before when that would put it more than a week after publication);
- a weekday: the most recent such day on or before publication (``الخميس`` on a Thursday is
  that Thursday);
- a relative word: ``اليوم`` 0, ``أمس`` / ``الليلة الماضية`` 1, ``أول أمس`` 2;
- ``ليل``/``ليلة`` followed by a day is the night of that day (``ليل أمس`` is yesterday).

Without a publication date only fully explicit dates resolve. ``منذ`` before an expression marks
it as the start of an ongoing period (``since``).

dateparser was measured for this job (``benchmarks/bench_extract.py --dateparser``) and is not
used on the hot path: it needs ~1 ms per span against a 5 ms budget per document, and the
expressions that occur in reports are covered by the month and weekday tables in ``time.tsv``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from marsad.lang.lexicon import Entry, NumberWord, TimeWord
from marsad.models import Document
from marsad.text.match import Match

_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})(?!\d)")
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True, slots=True)
class TimeExpr:
    first: int  # token range of the expression
    last: int
    date: dt.date | None  # resolved day, None when it cannot be resolved
    since: bool = False  # "منذ X": the start of an ongoing period
    future: bool = False  # "الخميس المقبل": a plan, not an event
    explicit: bool = False  # names a day and month


def find_times(
    doc: Document, matches: Sequence[Match[Entry]], word_classes: dict[str, frozenset[str]]
) -> list[TimeExpr]:
    """All time expressions of a document, resolved against ``doc.published``."""
    joiners, future_words = word_classes["date_joiner"], word_classes["future_marker"]
    tokens = doc.tokens
    words: dict[int, tuple[int, TimeWord]] = {}  # first token -> (last token, word)
    ordinals: dict[int, tuple[int, int]] = {}
    for m in matches:
        if isinstance(m.payload, TimeWord):
            if m.payload.kind == "relative" and m.payload.value == 0 and "اليوم" not in doc.tokens[m.first].text:
                continue  # "يوم السبت" is "on Saturday", not "today"
            if m.payload.kind == "weekday" and "ال" not in doc.tokens[m.first].text:
                continue  # weekday names take the article: "مدنيين اثنين" is "two civilians", not Monday
            prev = words.get(m.first)
            if prev is None or m.last > prev[0]:
                words[m.first] = (m.last, m.payload)
        elif isinstance(m.payload, NumberWord) and m.payload.kind == "ordinal":
            ordinals[m.first] = (m.last, m.payload.value)
    out: list[TimeExpr] = []
    i = 0
    n = len(tokens)
    while i < n:
        if i in ordinals and ordinals[i][0] + 1 < n and tokens[ordinals[i][0]].text == "من":
            last, day = ordinals[i]
            month_word = words.get(last + 1)
            if month_word is not None and month_word[1].kind == "month":  # "الخامس من تموز"
                date, _ = _resolve([month_word[1]], [day], doc.published)
                out.append(TimeExpr(i, month_word[0], date, explicit=True))
                i = month_word[0]
                continue
        if i not in words and not _is_day_number(tokens[i].text, i, words):
            i += 1
            continue
        # grow a run of time words, day numbers, years and joiners
        first = i
        parts: list[TimeWord] = []
        numbers: list[int] = []
        j = i
        while j < n:
            if j in words:
                last, word = words[j]
                parts.append(word)
                j = last
            elif tokens[j].text.isdecimal() and (
                _is_day_number(tokens[j].text, j, words) or _YEAR.match(tokens[j].text)
            ):
                numbers.append(int(tokens[j].text))
                j += 1
            elif tokens[j].text in joiners and j + 1 < n and (j + 1 in words or tokens[j + 1].text.isdecimal()):
                j += 1
            else:
                break
            if j < n and doc.sentence_of(j) != doc.sentence_of(first):
                break
        future = (j < n and tokens[j].text in future_words) or any(
            tokens[k].text in future_words or tokens[k].text == "غد" for k in range(max(0, first - 2), j)
        )
        since = first > 0 and tokens[first - 1].text in ("منذ", "ومنذ")
        date, explicit = _resolve(parts, numbers, doc.published)
        if parts or explicit:
            out.append(TimeExpr(first, j, date, since, future, explicit))
        i = max(j, i + 1)
    for found in _NUMERIC_DATE.finditer(doc.norm):
        d, mo, y = int(found.group(1)), int(found.group(2)), int(found.group(3))
        try:
            numeric = dt.date(y, mo, d)
        except ValueError:
            continue
        tok = _token_at(doc, found.start())
        out.append(TimeExpr(tok, tok + 3, numeric, explicit=True))
    return sorted(out, key=lambda t: t.first)


def _token_at(doc: Document, norm_offset: int) -> int:
    for k, t in enumerate(doc.tokens):
        if t.end > norm_offset:
            return k
    return len(doc.tokens)


def _is_day_number(text: str, i: int, words: dict[int, tuple[int, TimeWord]]) -> bool:
    """A 1-31 number directly followed by a month name."""
    if not text.isdecimal() or not text.isascii() or not 1 <= int(text) <= 31:
        return False
    nxt = words.get(i + 1)
    return nxt is not None and nxt[1].kind == "month"


def _resolve(parts: list[TimeWord], numbers: list[int], published: dt.date | None) -> tuple[dt.date | None, bool]:
    month = next((p.value for p in parts if p.kind == "month"), None)
    day = next((x for x in numbers if 1 <= x <= 31), None)
    year = next((x for x in numbers if x >= 1900), None)
    if month is not None and day is not None:
        y = year or (published.year if published else None)
        if y is None:
            return None, True
        try:
            date = dt.date(y, month, day)
        except ValueError:
            return None, True
        if year is None and published and date > published + dt.timedelta(days=7):
            date = date.replace(year=y - 1)
        return date, True
    if published is None:
        return None, False
    relative = [p for p in parts if p.kind == "relative"]
    weekday = next((p.value for p in parts if p.kind == "weekday"), None)
    night = any(p.kind == "night" for p in parts)
    if relative:
        return published - dt.timedelta(days=max(r.value for r in relative)), False
    if weekday is not None:
        back = (published.weekday() - weekday) % 7
        return published - dt.timedelta(days=back), False
    if night:
        return published - dt.timedelta(days=1), False
    if any(p.kind == "part" for p in parts):
        return published, False
    return None, False
