"""Numbers, casualty figures and counted things.

Numbers come as digits (``600``, ``٦٠٠``), number words (``ستة``, ``ثلاثة عشر``), a number with
a scale (``50 ألف``), vague quantities (``عشرات`` = 10, ``مئات`` = 100, ACLED's rule) or dual nouns
(``برميلين`` = 2). A qualifier before (``أكثر من``, ``نحو``, ``ما لا يقل عن``) or after
(``على الأقل``) is kept.

Casualties: a death word (``مقتل``, ``قتلى``, ``استشهاد``, ``راح ضحيتها`` …) with the number next
to it, or the victims it names (``مقتل مدني`` = 1, ``امرأة وأطفالها الأربعة`` = 5; a breakdown
after ``بينهم`` is not added). ``القتلى والجرحى`` together is not a death count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from marsad.lang.lexicon import Cue, Entry, NumberWord, Unit
from marsad.models import Document
from marsad.text.match import Match, word_key

_QUALIFIER_KINDS = ("more_than", "at_least", "about", "up_to")


@dataclass(frozen=True, slots=True)
class Number:
    first: int
    last: int
    value: int
    qualifier: str = "exact"
    vague: bool = False


@dataclass(frozen=True, slots=True)
class Casualty:
    first: int  # token of the death/injury word
    last: int
    kind: str  # "kill" | "injure"
    value: int | None  # None: casualties named without a count
    qualifier: str


class Numbers:
    """Number spans of one document, indexed by their first token."""

    def __init__(self, doc: Document, matches: Sequence[Match[Entry]], words: dict[str, frozenset[str]]) -> None:
        self.doc = doc
        self.w = words
        self.victim_nouns = words["victim_singular"] | words["victim_plural"]
        number_words: dict[int, tuple[int, NumberWord]] = {}
        for m in matches:
            if isinstance(m.payload, NumberWord):
                prev = number_words.get(m.first)
                if prev is None or m.last > prev[0]:
                    number_words[m.first] = (m.last, m.payload)
        self.words = number_words
        # "50 ألف": the same word is a number alone and a multiplier after a number
        self.scales = {
            m.first: (m.last, m.payload)
            for m in matches
            if isinstance(m.payload, NumberWord) and m.payload.kind == "scale"
        }
        self.by_first: dict[int, Number] = {}
        n = len(doc.tokens)
        i = 0
        while i < n:
            num = self._parse(i)
            if num is None:
                i += 1
                continue
            self.by_first[num.first] = num
            i = max(num.last, i + 1)

    def _parse(self, i: int) -> Number | None:
        tokens = self.doc.tokens
        n = len(tokens)
        qualifier = "exact"
        start = i
        w = self.words.get(i)
        if w is not None and w[1].kind in _QUALIFIER_KINDS:
            qualifier = w[1].kind
            i = w[0]
            if i >= n:
                return None
            w = self.words.get(i)
        text = tokens[i].text
        vague = False
        if text.isascii() and (
            text.isdecimal() or (text.replace(".", "", 1).replace(",", "").isdecimal() and text[0].isdecimal())
        ):
            try:
                value = int(float(text.replace(",", "")))
            except ValueError:
                return None
            last = i + 1
        elif w is not None and w[1].kind in ("cardinal", "dual", "vague"):
            value = w[1].value
            vague = w[1].kind == "vague"
            last = w[0]
            # "خمسة وعشرون": units before tens
            if w[1].kind == "cardinal" and last < n and tokens[last].text.startswith("و"):
                nxt = self.words.get(last)
                if nxt is None:
                    pass
                elif nxt[1].kind == "cardinal" and 20 <= nxt[1].value < 100 and value < 10:
                    value += nxt[1].value
                    last = nxt[0]
        else:
            return None
        if start == i and qualifier == "exact" and w is not None and w[1].kind == "dual":
            return Number(start, last, value, qualifier, vague)
        scale = self.scales.get(last)
        if scale is not None and not vague:
            value *= scale[1].value
            last = scale[0]
        # "على الأقل" after the number (possibly after the counted noun)
        for k in (last, last + 1):
            after = self.words.get(k)
            if after is not None and after[1].kind == "at_least":
                qualifier = "at_least"
        if text.isdigit() and len(text) == 4 and 1900 <= value <= 2100 and qualifier == "exact":
            return None  # a year
        return Number(start, last, value, qualifier, vague)

    def at(self, i: int) -> Number | None:
        return self.by_first.get(i)

    def ending_at(self, i: int) -> Number | None:
        """The number whose span ends right before token i."""
        for num in self.by_first.values():
            if num.last == i:
                return num
        return None

    def victims(self, i: int, limit: int) -> tuple[int, int] | None:
        """Count of the victims named from token i, items joined by و: (value, last token).
        ``مدني`` = 1, ``امرأة وأطفالها الأربعة`` = 1 + 4, ``ستة مدنيين`` = 6."""
        tokens = self.doc.tokens
        singular, plural, stop = self.w["victim_singular"], self.w["victim_plural"], self.w["victim_stop"]
        total, j, found = 0, i, False
        while j < limit:
            text = tokens[j].text
            joined = found and text.startswith("و") and len(text) > 1
            if found and not joined:
                break
            key = word_key(text[1:]) if joined else word_key(text)
            num = self.at(j)
            if num is not None:
                total += num.value
                j = num.last
                if j < limit and word_key(tokens[j].text) in self.victim_nouns:
                    j += 1
            elif key in singular:
                j += 1
                after = self.at(j)  # "الأربعة" after the noun
                total += after.value if after is not None else 1
                j = after.last if after is not None else j
            elif key in plural and self.at(j + 1) is not None:
                after = self.at(j + 1)
                assert after is not None
                total += after.value
                j = after.last
            else:
                break
            found = True
            if j < limit and word_key(tokens[j].text) in stop:
                break
        return (total, j) if found else None


def find_casualties(doc: Document, matches: Sequence[Match[Entry]], numbers: Numbers) -> list[Casualty]:
    """Death and injury figures, each at the token of its death/injury word."""
    tokens = doc.tokens
    w = numbers.w
    cues = sorted(
        (m for m in matches if isinstance(m.payload, Cue) and m.payload.kind in ("kill", "injure")),
        key=lambda m: (m.first, -m.last),
    )
    out: list[Casualty] = []
    used_until = -1
    for m in cues:
        if m.first < used_until:
            continue
        assert isinstance(m.payload, Cue)
        kind = m.payload.kind
        sent = doc.sentences[doc.sentence_of(m.first)]
        # "القتلى والجرحى": a combined toll, not a death count
        combined = [k for k in range(m.last, min(m.last + 4, sent.last_token)) if tokens[k].text in w["combined_toll"]]
        if combined:
            used_until = combined[0] + 1
            continue
        value: int | None = None
        qualifier = "exact"
        own = numbers.at(m.first)
        if own is not None and own.last == m.last:  # "قتيلين": the dual noun counts itself
            out.append(Casualty(m.first, m.last, kind, own.value, "exact"))
            used_until = m.last
            continue
        noun = (
            word_key(tokens[m.first].text) in w["count_noun"] or word_key(tokens[m.first].text[1:]) in w["count_noun"]
        )
        before = numbers.ending_at(m.first) if noun else None
        if noun and before is None and m.first >= 2:
            before_noun = numbers.ending_at(m.first - 1)  # "30 شخصا مصرعهم"
            if before_noun is not None and word_key(tokens[m.first - 1].text) in numbers.victim_nouns:
                before = before_noun
        if before is not None and before.first >= sent.first_token:
            value, qualifier = before.value, before.qualifier
            start = _victims_start(numbers, before.first, sent.first_token)
            counted = numbers.victims(start, m.first) if start < before.first else None
            if counted is not None and counted[1] >= before.last and counted[0] > value:
                value = counted[0]  # "امرأة وأطفالها الأربعة قتلوا": all the victims named
        else:
            for k in range(m.last, min(m.last + 4, sent.last_token)):
                num = numbers.at(k)
                if num is not None:
                    value, qualifier = num.value, num.qualifier
                    break
                if word_key(tokens[k].text) in numbers.victim_nouns:
                    counted = numbers.victims(k, sent.last_token)
                    if counted is not None:
                        value = counted[0]
                    break
        out.append(Casualty(m.first, m.last, kind, value, qualifier))
        used_until = m.last
    return out


def _victims_start(numbers: Numbers, i: int, floor: int) -> int:
    """Walk back from token i over the victims joined by و ("امرأة وأطفالها الأربعة")."""
    tokens = numbers.doc.tokens
    k = i
    while k - 1 >= floor:
        prev = tokens[k - 1].text
        key = word_key(prev)
        bare = word_key(prev[1:]) if prev.startswith("و") else key
        here = word_key(tokens[k].text)
        before_noun = numbers.at(k - 1) is not None and (
            here in numbers.victim_nouns or word_key(tokens[k].text[1:]) in numbers.victim_nouns
        )
        if key in numbers.victim_nouns or bare in numbers.victim_nouns or before_noun:
            k -= 1
            continue
        break
    return k


@dataclass(frozen=True, slots=True)
class Counted:
    first: int
    value: int
    what: str
    qualifier: str


def find_counts(doc: Document, matches: Sequence[Match[Entry]], numbers: Numbers) -> list[Counted]:
    """Numbers followed by a counted noun (``600 ضربة``, ``مئات الضربات``, ``برميلين``)."""
    units: dict[int, str] = {}
    for m in matches:
        if isinstance(m.payload, Unit):
            units.setdefault(m.first, m.payload.what)
    out: list[Counted] = []
    for num in numbers.by_first.values():
        what = units.get(num.last)
        if (
            what is None
            and num.last - num.first == 1
            and num.first in units
            and doc.tokens[num.first].text.isdigit() is False
        ):
            what = units.get(num.first)  # a dual noun counts itself
        if what is not None:
            out.append(Counted(num.first, num.value, what, "at_least" if num.vague else num.qualifier))
    return out
