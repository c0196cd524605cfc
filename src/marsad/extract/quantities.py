"""Casualty figures and counted things, read with the number reader of ``numbers.py``.

Casualties: a death word (``مقتل``, ``قتلى``, ``استشهاد``, ``راح ضحيتها`` …) with the number next
to it, or the victims it names (``مقتل مدني`` = 1, ``امرأة وأطفالها الأربعة`` = 5; a breakdown
after ``بينهم`` is not added). ``القتلى والجرحى`` together is not a death count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from marsad.extract.numbers import Number, Numbers
from marsad.lang.lexicon import Cue, Entry, Unit
from marsad.models import Document
from marsad.text.match import Match, word_key

__all__ = ["Casualty", "Counted", "Number", "Numbers", "find_casualties", "find_counts"]


@dataclass(frozen=True, slots=True)
class Casualty:
    first: int  # token of the death/injury word
    last: int
    kind: str  # "kill" | "injure"
    value: int | None  # None: casualties named without a count
    qualifier: str
    lo: int = -1  # token range of the whole phrase read (number, victims and death word); -1: first/last
    hi: int = -1
    reading: str = ""  # how the figure was read, for a reviewer ("number before the death word", …)

    @property
    def phrase(self) -> tuple[int, int]:
        """Token range ``[lo, hi)`` of the phrase that gives the figure."""
        return (self.lo if self.lo >= 0 else self.first, self.hi if self.hi >= 0 else self.last)


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
    read_until = 0  # the end of the figures read so far: a later cue does not read them again
    # "مقتل وإصابة 7", "قتلوا وأصيب خمسة": a number after an injury word counts the wounded (or
    # both together), never the dead; the forward search for a death word's number stops there
    injury = {k for c in cues if c.payload.kind == "injure" for k in range(c.first, c.last)}  # type: ignore[union-attr]
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
        lo, hi, reading = m.first, m.last, ""
        own = numbers.at(m.first)
        if own is not None and own.last == m.last:  # "قتيلين": the dual noun counts itself
            out.append(Casualty(m.first, m.last, kind, own.value, "exact", m.first, m.last, "dual death noun"))
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
            lo, reading = before.first, "number before the death word"
            start = _victims_start(numbers, before.first, sent.first_token)
            counted = numbers.victims(start, m.first) if start < before.first else None
            if counted is not None and counted[1] >= before.last and counted[0] > value:
                value = counted[0]  # "امرأة وأطفالها الأربعة قتلوا": all the victims named
                lo, reading = start, "victims named before the death word, added up"
        else:
            for k in range(m.last, min(m.last + 4, sent.last_token)):
                if k in injury:
                    break
                num = numbers.at(k)
                if num is not None:
                    if numbers.is_measure(num):
                        continue  # "قتل قبل عشرين عاما": a duration, not the toll
                    value, qualifier = num.value, num.qualifier
                    hi, reading = num.last, "number after the death word"
                    break
                if numbers.is_month(k):
                    continue
                key = word_key(tokens[k].text)
                if key in numbers.victim_nouns or numbers.dual_victim(key):
                    counted = numbers.victims(k, sent.last_token)
                    if counted is not None:
                        value = counted[0]
                        hi, reading = max(counted[1], k + 1), "victims named after the death word"
                    break
            if value is None:
                # "مقتل أربعة مدنيين وإصابة آخرين": the four are the dead, the wounded are uncounted
                found = _counted_before(numbers, m.first, max(sent.first_token, read_until))
                if found is not None:
                    value, qualifier, lo = found  # "213 شخصا على الأقل لقوا مصرعهم"
                    reading = "number and victim noun before the death verb"
        out.append(Casualty(m.first, m.last, kind, value, qualifier, lo, hi, reading))
        used_until = m.last
        if value is not None:
            read_until = max(read_until, hi)
    return out


def _counted_before(numbers: Numbers, cue: int, floor: int) -> tuple[int, str, int] | None:
    """A number with its victim noun just before a death verb ("213 شخصا على الأقل لقوا
    مصرعهم", "خمسة مدنيين قتلوا"): the noun within four words before the verb, the number right
    before the noun, both in the verb's sentence."""
    tokens = numbers.doc.tokens
    for j in range(cue - 1, max(floor, cue - 5) - 1, -1):
        if word_key(tokens[j].text) not in numbers.victim_nouns:
            continue
        num = numbers.ending_at(j)  # the number whose last token is right before the noun
        if num is not None and num.first >= floor and not numbers.is_measure(num):
            return num.value, num.qualifier, num.first
        return None
    return None


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
