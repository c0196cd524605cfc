"""Death tolls attached to the events a report asserts, by the role of the sentence that states them.

A toll (``مقتل خمسة مدنيين``, ``أسفر القصف عن سقوط 12 قتيلا``) belongs to

1. the one event told in its sentence;
2. among several events of its sentence, the one whose place is named right after the toll
   (``بمقتل مدني في بلدة X``) or, failing that, closest before it in the same clause; when the
   toll is stated for several places together it is nobody's (ACLED does not split tolls);
3. in a sentence that tells no event, the one event of the sentence before it, which it refers
   back to (``وأسفر القصف عن …``, ``ما أدى إلى مقتل …``);
4. in a report that asserts one event only, that event, wherever the toll is stated.

A toll is never taken from a sentence that is background or cumulative (``منذ بدء الهجوم``,
``خلال الشهر``, a statistic, an anniversary), nor counted since a day before the report
(``ارتفعت الحصيلة إلى … منذ العاشر من حزيران``; ``منذ ليل أمس`` is the reporting window).
Where a report gives several tolls for one event the highest is kept: within one report a later
figure updates an earlier one (tolls rise); the
lowest across *reports* is what merging keeps (``fatalities_min``). Extraction uses these tolls
for events whose own sentence gives none (measured by cross-validation: replacing the figures
the assembler attaches in the event's own sentence does worse).

Each attached toll records why (``Toll.rule``), for a reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from marsad.extract.assemble import Mention, Spans, TollBasis, basis_of
from marsad.extract.quantities import Casualty
from marsad.lang.lexicon import Cue
from marsad.models import Document

_NOT_NEWS = frozenset({"background", "background_sentence", "genre_statistic", "genre_history", "genre_court"})
_CLAUSE_BREAK = frozenset("،,؛;")
_SINCE_DAYS = 3  # "since" a day at least this many days before publication: a cumulative period
_SINCE_REACH = 12  # tokens between a toll and a "since" expression of its clause


@dataclass(frozen=True, slots=True)
class Toll:
    value: int
    sentence: int
    rule: str  # "own sentence" | "place after the toll" | "place before the toll" | "refers back" | "only event"
    casualty: Casualty | None = None  # the phrase it was read from

    def basis(self, doc: Document) -> TollBasis | None:
        return basis_of(doc, self.casualty, self.rule) if self.casualty is not None else None


def attach(doc: Document, spans: Spans, mentions: Sequence[Mention]) -> list[list[Toll]]:
    """For each mention, the tolls that belong to it (possibly none)."""
    out: list[list[Toll]] = [[] for _ in mentions]
    if not mentions:
        return out
    sentence_of = doc.token_sentence or tuple(doc.sentence_of(i) for i in range(len(doc.tokens)))
    starts = {s.start: k for k, s in enumerate(doc.sentences)}
    told: list[set[int]] = []
    for m in mentions:
        sents = {starts[start] for start, _ in m.evidence if start in starts}
        sents.add(m.sentence)
        told.append(sents)
    not_news = {
        sentence_of[c.first] for c in spans.matches if isinstance(c.payload, Cue) and c.payload.kind in _NOT_NEWS
    }
    since = _since_days_ago(doc, spans)
    for c in spans.casualties:
        if c.kind != "kill" or c.value is None:
            continue
        s = sentence_of[c.first]
        if s in not_news or any(abs(first - c.last) <= _SINCE_REACH for first in since.get(s, ())):
            continue
        here = [k for k, sents in enumerate(told) if s in sents]
        if len(here) == 1:
            out[here[0]].append(Toll(c.value, s, "own sentence", c))
        elif len(here) > 1:
            k, rule = _owner(doc, c.first, c.last, [mentions[j] for j in here], sentence_of)
            if k is not None:
                out[here[k]].append(Toll(c.value, s, rule, c))
        else:
            before = [k for k, sents in enumerate(told) if s - 1 in sents]
            if len(before) == 1:
                out[before[0]].append(Toll(c.value, s, "refers back", c))
            elif len(mentions) == 1:
                out[0].append(Toll(c.value, s, "only event", c))
    return out


def _since_days_ago(doc: Document, spans: Spans) -> dict[int, list[int]]:
    """Per sentence, the first tokens of ``منذ <day>`` expressions whose day lies days before
    publication (``ارتفعت الحصيلة إلى … منذ السابع من أكتوبر``): a toll stated with one counts
    a period, not an event. ``منذ ليل أمس`` is the reporting window and does not count."""
    out: dict[int, list[int]] = {}
    if doc.published is None:
        return out
    for x in spans.times:
        if x.since and x.date is not None and (doc.published - x.date).days >= _SINCE_DAYS:
            out.setdefault(doc.sentence_of(x.first), []).append(x.first)
    return out


def _owner(
    doc: Document, first: int, last: int, events: Sequence[Mention], sentence_of: Sequence[int]
) -> tuple[int | None, str]:
    """Which of several events of one sentence a toll at tokens ``first..last`` belongs to."""
    after = [
        (m.place.toponym.token_index - last, k)
        for k, m in enumerate(events)
        if 0 <= m.place.toponym.token_index - last <= 8 and not _broken(doc, last, m.place.toponym.token_index)
    ]
    if after:
        return min(after)[1], "place after the toll"
    before = [
        (first - m.place.toponym.token_index, k)
        for k, m in enumerate(events)
        if 0 < first - m.place.toponym.token_index <= 12 and not _broken(doc, m.place.toponym.token_index, first)
    ]
    if len(before) == 1:
        return before[0][1], "place before the toll"
    return None, ""


def _broken(doc: Document, a: int, b: int) -> bool:
    """A clause break (comma, semicolon) between tokens a and b."""
    lo, hi = sorted((a, b))
    if hi >= len(doc.tokens):
        return True
    return bool(_CLAUSE_BREAK & set(doc.norm[doc.tokens[lo].end : doc.tokens[hi].start]))


def fatalities(tolls: Sequence[Toll]) -> int | None:
    """The event's death toll: the highest of its tolls (later figures update earlier ones)."""
    return max((t.value for t in tolls), default=None)


def highest(tolls: Sequence[Toll]) -> Toll | None:
    """The toll that gives the event's figure (the first of the highest)."""
    best = fatalities(tolls)
    return next((t for t in tolls if t.value == best), None)
