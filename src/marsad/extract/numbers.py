"""Reading Arabic numbers as a careful reader means them (``Numbers``, one per document).

Numbers are read as a careful reader means them:

- figures in any digits (``600``, ``٦٠٠``, ``۶۰۰``), with thousands separators (``1,200``,
  ``١٬٢٠٠``) or a decimal part before a scale (``1.5 مليون``, ``١٫٥ مليون``);
- number words of either gender, with or without the article (``ثلاث``, ``الثلاثة``, ``الخمسة
  عشر``), teens in two words (``ثلاث عشرة``), hundreds in one or two words (``ثلاثمائة``, ``ثلاث
  مائة``), thousands and millions in every case and number (``ألف``, ``آلاف``, ``ألفا``, ``ألفين``,
  ``مليون``, ``ملايين``), a dozen (``دستة``);
- compounds joined by ``و`` in either order (``مائة وستة عشر``, ``واحد وستون``, ``ستون وواحد``),
  across scales (``ثلاثة آلاف وخمسمائة``), mixing figures and words (``٤ آلاف و٣ مائة`` = 4300),
  with a fraction of a scale (``مليون ونصف``, ``نصف مليون``);
- vague quantities by ACLED's rule (``عشرات`` = 10, ``مئات`` = 100, ``آلاف`` = 1000; ``عشرات
  الآلاف`` = 10000), dual nouns (``برميلين`` = 2);
- ranges, of which the lower end is kept with the qualifier ``at_least`` (``بين 20 و30``,
  ``20 إلى 30``, ``20-30``, ``خمسة أو ستة``), and a figure that changed, of which the current one is
  kept (``من 20 إلى 30`` = 30);
- a qualifier before (``أكثر من``, ``نحو``, ``ما لا يقل عن``, ``حتى``) or after (``على الأقل``,
  ``تقريبا``, ``أو أكثر``).

Not counts: a year (``2018``) unless a counted noun follows it, a day before a month (``20 أيار``,
``العشرين من أيار``, ``الثاني والعشرين``), a weekday (``الاثنين``), parts of a date or a clock time
(``5/7``, ``10:30``), a percentage. A number before a noun of time or distance (``عشرين عاما``) is
a number but not a toll.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from marsad.lang.lexicon import Entry, NumberWord, TimeWord, Unit
from marsad.models import Document
from marsad.text.match import POSSESSIVE_SUFFIXES, Match, is_definite, word_key

_QUALIFIER_KINDS = frozenset({"more_than", "at_least", "about", "up_to"})
_AFTER_KINDS = frozenset({"more_than", "at_least", "about"})  # may also stand after the number
_COUNTING = frozenset({"more_than", "at_least", "about"})  # "أكثر من 2000" is a count, not a year
_NUMBER_KINDS = frozenset({"cardinal", "vague", "dual", "fraction"})
_STARTS = _NUMBER_KINDS | _QUALIFIER_KINDS | {"between", "from"}  # kinds of word a number span may begin with
_DIGITS = frozenset("0123456789")
_AND = "و"  # the conjunction written apart ("مائة و ستة عشر"); joined, it is a proclitic
_DASHES = frozenset("-–—")  # "20-30"
_NOT_COUNT_MARKS = frozenset("/:%٪")  # "5/7", "10:30", "20%"
_ARABIC_THOUSANDS = "\u066c"  # ٬ (the tokeniser splits "١٬٢٠٠" at it)
_ARABIC_DECIMAL = "\u066b"  # ٫
_NO_SCALE = 10.0**18  # "no scale yet": any scale may follow
_MAX_FIGURE = 20  # characters: longer runs of digits are identifiers

# The places of a number below a thousand that a word fills; two words joined by و must fill
# different places ("مائة وعشرون" but not "عشرون وثلاثون", which are two numbers).
_U, _T, _H = 1, 2, 4
_ALL = _U | _T | _H  # a figure fills every place: "20 و30" is two numbers


@dataclass(frozen=True, slots=True)
class Number:
    first: int
    last: int
    value: int
    qualifier: str = "exact"
    vague: bool = False
    upper: int | None = None  # the higher end of a range ("بين 20 و30": 30)


@dataclass(frozen=True, slots=True)
class _Part:
    """One figure or number word of a compound."""

    value: float
    last: int
    kind: str  # figure | word | big (a word of 1000 or more alone) | vague | dual | fraction
    places: int = 0
    magnitude: float = 1.0  # of a "big" word: ألفين = 2 × 1000
    plain: bool = False  # a figure of plain digits in one token (years and days are written so)


@dataclass(frozen=True, slots=True)
class _Reading:
    """A number without its qualifiers: the value, where it ends and how it was built."""

    value: float
    last: int
    vague: bool = False
    dual: bool = False
    scaled: float = 1.0  # the largest scale applied
    plain: bool = False  # one plain figure and nothing else
    splits: tuple[tuple[int, float], ...] = ()  # (first token of a part joined by و, value before it)


class Numbers:
    """Number spans of one document, indexed by their first token."""

    def __init__(self, doc: Document, matches: Sequence[Match[Entry]], words: dict[str, frozenset[str]]) -> None:
        self.doc = doc
        self.w = words
        self.victim_nouns = words["victim_singular"] | words["victim_plural"]
        self._counted_nouns = self.victim_nouns | words["count_noun"]
        self._plural_nouns = words["victim_plural"]
        self._distance = words["distance_unit"]
        self._date_joiners = words["date_joiner"]
        self._prepositions = words["preposition"]
        tokens = doc.tokens
        self.n = n = len(tokens)
        self._sent = doc.token_sentence or tuple(doc.sentence_of(k) for k in range(n))
        number_words: dict[int, tuple[int, NumberWord]] = {}
        scales: dict[int, tuple[int, NumberWord]] = {}
        joined: set[int] = set()  # number words read through the proclitic و ("وستون")
        clitic: set[int] = set()  # number words read through any proclitic ("بالمائة")
        ordinals: list[tuple[int, int]] = []
        self._months: set[int] = set()
        self._units: set[int] = set()
        weekdays: list[int] = []
        for m in matches:
            p = m.payload
            kind = type(p)
            if kind is NumberWord:
                assert isinstance(p, NumberWord)
                if p.kind == "ordinal":
                    ordinals.append((m.first, m.last))
                    continue
                if p.value == 2000 and "الف" not in tokens[m.first].text:
                    continue  # lexicon keys drop a leading "ال": "ألفان" would also match "فإن"
                if p.kind == "scale":
                    if not m.clitic:  # "4 بالمائة" is a percentage, not 400
                        scales.setdefault(m.first, (m.last, p))
                    continue
                prev = number_words.get(m.first)
                if prev is None or m.last > prev[0]:
                    number_words[m.first] = (m.last, p)
                    joined.discard(m.first)
                    clitic.discard(m.first)
                    if m.clitic:
                        clitic.add(m.first)
                        if m.clitic == _AND:
                            joined.add(m.first)
            elif kind is TimeWord:
                assert isinstance(p, TimeWord)
                if p.kind == "month":
                    self._months.add(m.first)
                elif p.kind == "weekday":
                    weekdays.append(m.first)
            elif kind is Unit:
                self._units.add(m.first)
        self.words = number_words
        self.scales = scales  # "50 ألف": the same word is a number alone and a multiplier after a number
        self._joined = joined
        self._clitic = clitic
        self._blocked = self._not_numbers(ordinals, weekdays)
        self.by_first: dict[int, Number] = {}
        self._prev_end = -1  # where the number read last ends
        starts = [k for k, (_, w) in number_words.items() if w.kind in _STARTS]
        starts += [k for k, t in enumerate(tokens) if "0" <= t.text[0] <= "9"]
        starts.sort()
        for i in starts:
            if i < self._prev_end:
                continue
            num = self._parse(i)
            if num is not None:
                self.by_first[num.first] = num
                self._prev_end = num.last
        self._by_last = {num.last: num for num in self.by_first.values()}

    # ------------------------------------------------------------------ public
    def at(self, i: int) -> Number | None:
        return self.by_first.get(i)

    def ending_at(self, i: int) -> Number | None:
        """The number whose span ends right before token i."""
        return self._by_last.get(i)

    def is_month(self, k: int) -> bool:
        """Token k begins a month name (``آب`` is August here, not "father")."""
        return k in self._months

    def is_measure(self, num: Number) -> bool:
        """A number before a noun of time or distance (``عشرين عاما``, ``5 كيلومترات``): a
        duration, an age or a distance, not a count of people."""
        k = num.last
        if k >= self.n:
            return False
        w = self.words.get(k)
        return (w is not None and w[1].kind == "duration") or word_key(self.doc.tokens[k].text) in self._distance

    def dual_victim(self, key: str) -> bool:
        """A nominative dual of a victim noun or of a nisba (``طفلان``, ``امرأتان``, ``فلسطينيان``,
        ``سوريان``): two victims. Only the ``ان`` ending: ``ين`` is also the plural (``مدنيين``).
        Read only where a victim is expected (after a death or injury word)."""
        if len(key) < 5 or not key.endswith("ان"):
            return False
        stem = key[:-2]
        singular = self.w["victim_singular"]
        if stem in singular or (stem.endswith("ت") and stem[:-1] + "ه" in singular):
            return True
        return len(stem) >= 4 and stem.endswith("ي")  # a nisba: فلسطيني, سوري, لبناني

    def victims(self, i: int, limit: int) -> tuple[int, int] | None:
        """Count of the victims named from token i, items joined by و: (value, last token).
        ``مدني`` = 1, ``امرأة وأطفالها الأربعة`` = 1 + 4, ``ستة مدنيين`` = 6."""
        tokens = self.doc.tokens
        singular, plural, stop = self.w["victim_singular"], self.w["victim_plural"], self.w["victim_stop"]
        total, j, found = 0, i, False
        while j < limit:
            text = tokens[j].text
            apart = found and text == _AND and j + 1 < limit  # "امرأة و 4 أطفال": the conjunction written apart
            if apart:
                j += 1
                text = tokens[j].text
            joined = found and not apart and text.startswith("و") and len(text) > 1
            if found and not (joined or apart):
                break
            key = word_key(text[1:]) if joined else word_key(text)
            num = self.at(j)
            kin = None if num is not None or key in singular or key in plural else self._kin(key)
            if num is not None:
                if found and num.last < limit and word_key(tokens[num.last].text) in self.w["injury_noun"]:
                    break  # "مقتل مدني و3 جرحى": the wounded are not counted with the dead
                total += num.value
                j = num.last
                if j < limit and word_key(tokens[j].text) in self.victim_nouns:
                    j += 1
            elif self.dual_victim(key):  # "استشهد فلسطينيان", "قتل سوريان"
                total += 2
                j += 1
            elif key in singular or kin == "one":
                j += 1
                after = self.at(j)  # "الأربعة" after the noun
                total += after.value if after is not None else 1
                j = after.last if after is not None else j
            elif (key in plural or kin == "many") and self.at(j + 1) is not None:
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

    def _kin(self, key: str) -> str | None:
        """``زوجته``, ``ابنها``: a relative named with a possessive pronoun ("one"); ``أبنائهما``:
        relatives in the plural ("many"); None for any other word."""
        for suffix in POSSESSIVE_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                base = key[: -len(suffix)]
                if base in self.w["victim_kin"]:
                    return "one"
                if base in self.w["victim_kin_plural"]:
                    return "many"
        return None

    # ------------------------------------------------------------------ what is not a number
    def _not_numbers(self, ordinals: list[tuple[int, int]], weekdays: list[int]) -> frozenset[int]:
        """Tokens that look like numbers but name a day: the inside of an ordinal day
        (``الثاني والعشرين``), a day before a month (``العشرين من أيار``), a weekday
        (``الاثنين``)."""
        tokens = self.doc.tokens
        blocked: set[int] = set()
        for first, last in ordinals:
            blocked.update(range(first + 1, last))
            if "ال" not in tokens[first].text:
                continue  # "عشرين عاما" is a number; the day is "العشرين"
            w = self.words.get(last)
            if last in self._months:
                blocked.add(first)  # "العشرين أيار"
            elif w is not None and w[1].kind == "from":  # "العشرين من أيار", "العشرين من الشهر"
                after = self.words.get(w[0])
                if w[0] in self._months or (after is not None and after[1].kind == "duration"):
                    blocked.add(first)
        blocked.update(k for k in weekdays if "ال" in tokens[k].text)
        # "4 بالمائة", "4 في المائة": per cent; neither the hundred nor the figure is a count
        self._percent = {
            k
            for k, (_, w) in self.words.items()
            if w.kind == "cardinal" and w.value == 100 and is_definite(tokens[k].text) and self._after_figure(k)
        }
        blocked.update(self._percent)
        return frozenset(blocked)

    def _not_a_count(self, r: _Reading, i: int, qualifier: str) -> bool:
        """A lone figure that is a year, a day of a month, part of a date or a clock time, or a
        percentage."""
        if not r.plain:
            return False
        tok = self.doc.tokens[i]
        norm = self.doc.norm
        before = norm[tok.start - 1] if tok.start > 0 else " "
        after = norm[tok.end] if tok.end < len(norm) else " "
        if before in _NOT_COUNT_MARKS or after in _NOT_COUNT_MARKS or (len(tok.text) > 1 and tok.text[0] == "0"):
            return True  # "5/7", "10:30", "20%", "08"
        if 1 <= r.value <= 31 and r.last in self._months:
            return True
        k = r.last
        if k in self._percent or (k + 1 in self._percent and self.doc.tokens[k].text in self._prepositions):
            return True
        return (
            len(tok.text) == 4
            and 1900 <= r.value <= 2100
            and qualifier not in _COUNTING
            and (not self._counted_after(r.last) or (i > 0 and self.doc.tokens[i - 1].text in self._date_joiners))
        )  # "عام 2018", "في 2018 قتل مدني" are years; "2000 قتيل" is a count

    def _after_figure(self, k: int) -> bool:
        """Token k follows a figure, directly or after a preposition (``4 في المائة``)."""
        tokens = self.doc.tokens
        if k >= 1 and tokens[k - 1].text[0] in _DIGITS:
            return True
        return k >= 2 and tokens[k - 1].text in self._prepositions and tokens[k - 2].text[0] in _DIGITS

    def _days_follow(self, a: _Reading, end: tuple[int, _Reading] | None) -> bool:
        """``بين 5 و7 تموز``, ``5 إلى 7 تموز``, ``5-7 تموز``: the first of two days (``end``: the
        higher end of a range after ``a``)."""
        if not a.plain or not 1 <= a.value <= 31:
            return False
        if end is not None:
            return self._is_day(end[1])
        j = self._and_next(a.last)
        b = self._read(j) if j is not None else None
        return b is not None and self._is_day(b)

    def _after_dash(self, i: int) -> bool:
        """The middle or end of ``2018-07-05`` (a range's higher end is read with its lower end)."""
        norm, start = self.doc.norm, self.doc.tokens[i].start
        return start > 1 and norm[start - 1] in _DASHES and norm[start - 2] in _DIGITS

    def _counted_after(self, k: int) -> bool:
        """A counted noun right after a number: "2000 قتيل" counts, "عام 2018" is a year."""
        return k < self.n and (k in self._units or word_key(self.doc.tokens[k].text) in self._counted_nouns)

    def _is_day(self, r: _Reading) -> bool:
        return r.plain and 1 <= r.value <= 31 and r.last in self._months

    # ------------------------------------------------------------------ reading
    def _parse(self, i: int) -> Number | None:
        start = i
        qualifier = "exact"
        w = self.words.get(i)
        if w is not None and w[1].kind in _QUALIFIER_KINDS:
            qualifier = w[1].kind
            i = w[0]
            if not self._number_starts(i) and not self._opens(i) and start - self._prev_end <= 1:
                return None  # "27 قتيلا على الأقل وستة جرحى": the qualifier closes the figure before
            w = self.words.get(i)
        opener = None
        if w is not None and w[1].kind in ("between", "from"):
            opener = w[1].kind
            i = w[0]
            if not self._number_starts(i):
                return None
        a = self._read(i)
        if a is None or self._not_a_count(a, i, qualifier) or (a.plain and self._after_dash(i)):
            return None
        if a.dual:
            return Number(start, a.last, 2, qualifier)
        end = None if a.vague else self._range_end(a)
        if self._days_follow(a, end):
            return None
        if opener == "from":
            return self._change(start, a)
        if opener == "between":
            return self._between(start, qualifier, a)
        if end is not None and not is_definite(self.doc.tokens[i].text):  # not "الدولار الواحد إلى 600"
            j, b = end
            if self._is_day(b) or self._date_follows(b) or self._not_a_count(b, j, "exact"):
                return None  # "من 5 إلى 10 تموز", "5-2022", "5-7-2018": dates, not counts
            low = self._low_end(a, b)
            if b.value > low:
                q = qualifier if qualifier != "exact" else "at_least"
                return Number(start, b.last, _to_int(low, a, b), q, upper=_to_int(b.value, b))
        qualifier = self._qualifier_after(a.last, qualifier)
        return Number(start, a.last, _to_int(a.value, a), qualifier, a.vague)

    def _read(self, i: int) -> _Reading | None:
        """The number starting at token i, without qualifiers or ranges."""
        part = self._part(i)
        if part is None:
            return None
        if part.kind == "dual":
            return _Reading(2, part.last, dual=True)
        if part.kind == "vague":
            return self._vague(part)
        total, group, places, scale, scaled = 0.0, 0.0, 0, _NO_SCALE, 1.0
        splits: list[tuple[int, float]] = []
        last = part.last
        while True:
            if part.kind == "big":  # "ألفين": a word that is its own scaled group
                total += part.value
                scale = part.magnitude
                scaled = max(scaled, scale)
                last = part.last
            elif part.kind == "fraction":
                multiplier = self.scales.get(part.last)
                if multiplier is not None and multiplier[1].value < scale:  # "نصف مليون"
                    scale = float(multiplier[1].value)
                    total += scale * part.value / 100
                    scaled = max(scaled, scale)
                    last = multiplier[0]
                elif splits:  # "مليون ونصف", "مليون ونصف المليون"
                    total += scale * part.value / 100
                    last = multiplier[0] if multiplier is not None and multiplier[1].value == scale else part.last
                    break
                else:
                    return None  # "نصف" alone is not a number
            else:
                group += part.value
                places |= part.places
                last = part.last
                multiplier = self.scales.get(last)
                if multiplier is not None and group < multiplier[1].value < scale:
                    scale = float(multiplier[1].value)
                    total += group * scale
                    group, places, scaled, last = 0.0, 0, max(scaled, scale), multiplier[0]
            j = self._and_next(last)
            if j is None:
                break
            nxt = self._part(j)
            if nxt is None or not self._joins(nxt, group, places, scale):
                break
            splits.append((j, total + group))
            part = nxt
        plain = part.plain and not splits and scaled == 1.0
        return _Reading(total + group, last, scaled=scaled, plain=plain, splits=tuple(splits))

    def _vague(self, part: _Part) -> _Reading:
        """``عشرات`` = 10; ``عشرات الآلاف`` = 10 × 1000; ``بضع مئات`` = 3 × 100."""
        value, last, scaled = part.value, part.last, 1.0
        nxt = self.words.get(last)
        if nxt is not None and nxt[1].kind == "vague" and nxt[1].value > value and last not in self._clitic:
            value *= nxt[1].value
            last = nxt[0]
        multiplier = self.scales.get(last)
        if multiplier is not None and multiplier[1].value > value:
            scaled = float(multiplier[1].value)
            value *= scaled
            last = multiplier[0]
        return _Reading(value, last, vague=True, scaled=scaled)

    def _joins(self, nxt: _Part, group: float, places: int, scale: float) -> bool:
        """May ``nxt``, after a و, continue the number read so far?"""
        if nxt.kind in ("vague", "dual"):
            return False
        if nxt.kind == "fraction":
            return group == 0 and scale != _NO_SCALE  # "مليون ونصف"
        if nxt.kind == "figure" and places == _H:
            return nxt.plain and nxt.value < 100  # "مائة و20"
        if nxt.kind in ("figure", "big"):
            # "ألف و500", "مليون وألفان"; but "20 و30" are two numbers
            top = nxt.magnitude if nxt.kind == "big" else nxt.value
            return group == 0 and scale != _NO_SCALE and top < scale
        if nxt.value >= scale or nxt.places & places:
            return False
        if nxt.places == _U and places & _T and not places & _U:
            # tens before units ("ستون وواحد") is unusual: "عشرون وثلاثة جرحى" is two figures
            k = nxt.last
            if k < self.n and word_key(self.doc.tokens[k].text) in self._plural_nouns:
                return False
        return True

    def _part(self, i: int) -> _Part | None:
        """The figure or number word at token i (``ثلاث مائة`` and ``ثلاث عشرة`` are one part)."""
        if i >= self.n or i in self._blocked:
            return None
        if self.doc.tokens[i].text[0] in _DIGITS:
            return self._figure(i)
        w = self.words.get(i)
        if w is None:
            return None
        last, word = w
        if word.kind in ("vague", "dual", "fraction"):
            return _Part(word.value, last, word.kind)
        if word.kind != "cardinal":
            return None
        v = word.value
        if v >= 1000:
            magnitude = 10.0 ** (3 * ((len(str(v)) - 1) // 3))
            if v == magnitude and self.doc.tokens[i].text.endswith("ا") and self._counted_after(last):
                v *= 2  # "ألفا شخص": the dual in construct (the accusative "ألفا" takes no noun)
            return _Part(v, last, "big", _ALL, magnitude)
        if 1 <= v <= 9:
            nxt = self.words.get(last)
            if nxt is not None and nxt[1].kind == "cardinal" and last not in self._clitic and last not in self._blocked:
                if nxt[1].value == 100:  # "ثلاث مائة"
                    return _Part(v * 100, nxt[0], "word", _H)
                if nxt[1].value == 10 and v >= 3:  # "ثلاث عشرة"
                    return _Part(10 + v, nxt[0], "word", _T | _U)
        return _Part(v, last, "word", _places(v))

    def _figure(self, i: int) -> _Part | None:
        """A number in digits: ``1,200``, ``1.5`` (before a scale), ``1٬200``, ``١٫٥``."""
        tokens, norm = self.doc.tokens, self.doc.norm
        text = tokens[i].text
        last = i + 1
        if len(text) > _MAX_FIGURE:
            return None  # a serial number or an identifier, not a count
        if text.isdecimal():
            value = float(int(text))
            plain = True
            # Arabic separators split the figure into several tokens
            while last < self.n and tokens[last].start == tokens[last - 1].end + 1 and tokens[last].text.isdecimal():
                sep = norm[tokens[last - 1].end]
                digits = tokens[last].text
                if not value.is_integer():
                    break
                if sep == _ARABIC_THOUSANDS and len(digits) == 3:
                    value = value * 1000 + int(digits)
                elif sep == _ARABIC_DECIMAL:
                    value += int(digits) / 10 ** len(digits)
                else:
                    break
                plain = False
                last += 1
        else:
            separated = _separated(text, before_scale=last in self.scales)
            if separated is None:
                return None
            value, plain = separated, False
        if plain and 1 <= value <= 9 and last not in self._clitic:
            hundred = self.words.get(last)
            if hundred is not None and hundred[1].kind == "cardinal" and hundred[1].value == 100:  # "٣ مائة"
                return _Part(value * 100, hundred[0], "word", _H)
        return _Part(value, last, "figure", _ALL, plain=plain)

    def _and_next(self, k: int) -> int | None:
        """Where the number continues after a و at token k (``و ستة``, ``وستة``, ``و300``)."""
        if k >= self.n:
            return None
        if self.doc.tokens[k].text == _AND:
            j = k + 1
        elif k in self._joined:
            j = k
        else:
            return None
        return j if j < self.n and self._sent[j] == self._sent[k] else None

    # ------------------------------------------------------------------ ranges and qualifiers
    def _range_end(self, a: _Reading) -> tuple[int, _Reading] | None:
        """The higher end of ``20 إلى 30``, ``خمسة أو ستة``, ``20-30``, and its first token."""
        k = a.last
        if k >= self.n or self._sent[k] != self._sent[a.last - 1]:
            return None
        w = self.words.get(k)
        j = None
        if w is not None and w[1].kind == "range_to":
            j = w[0]
        else:
            tokens = self.doc.tokens
            if tokens[k - 1].text[0] in _DIGITS and tokens[k].text[0] in _DIGITS:
                gap = self.doc.norm[tokens[k - 1].end : tokens[k].start].strip()
                if len(gap) == 1 and gap in _DASHES:
                    j = k
        b = self._read(j) if j is not None else None
        return (j, b) if j is not None and b is not None else None

    def _date_follows(self, b: _Reading) -> bool:
        """``5-7-2018``: a third figure after the range is a date."""
        tokens, norm = self.doc.tokens, self.doc.norm
        end = tokens[b.last - 1].end
        return end + 1 < len(norm) and norm[end] in "-/." and norm[end + 1] in _DIGITS

    def _between(self, start: int, qualifier: str, a: _Reading) -> Number | None:
        """``بين 20 و30``, ``ما بين عشرين إلى ثلاثين``, ``بين خمسة وعشرين`` (5 to 20)."""
        q = qualifier if qualifier != "exact" else "at_least"
        j = self._and_next(a.last)
        if j is None and a.last < self.n:
            w = self.words.get(a.last)
            j = w[0] if w is not None and w[1].kind == "range_to" else None
        b = self._read(j) if j is not None else None
        if b is not None and not b.vague and not b.dual and not self._is_day(b):
            low = self._low_end(a, b)
            if b.value > low:
                return Number(start, b.last, _to_int(low, a, b), q, upper=_to_int(b.value, b))
        if a.splits:  # the و of the compound joins the two ends
            _, before = a.splits[-1]
            high = a.value - before
            if high > before:
                return Number(start, a.last, _to_int(before, a), q, upper=_to_int(high, a))
        return None

    def _change(self, start: int, a: _Reading) -> Number | None:
        """``من 20 إلى 30``, ``من 20 قتيلا إلى 30``: a figure that rose or fell; the current one
        counts."""
        k = a.last
        w = self.words.get(k) if k < self.n else None
        if (w is None or w[1].kind != "range_to") and self._counted_after(k):
            k += 1
            w = self.words.get(k)
        if w is None or w[1].kind != "range_to" or self._sent[k] != self._sent[start]:
            return None
        b = self._read(w[0])
        if b is None or b.dual or self._is_day(b) or self._not_a_count(b, w[0], "exact"):
            return None
        return Number(start, b.last, _to_int(b.value, b), self._qualifier_after(b.last, "exact"), b.vague)

    def _low_end(self, a: _Reading, b: _Reading) -> float:
        """``بين 3 و5 آلاف``: the scale of the higher end applies to the lower one too."""
        if a.scaled == 1.0 and b.scaled > 1.0 and a.value * b.scaled <= b.value:
            return a.value * b.scaled
        return a.value

    def _qualifier_after(self, last: int, qualifier: str) -> str:
        """``20 على الأقل``, ``20 مدنيا على الأقل``, ``20 تقريبا``, ``عشرون ونيف``; a qualifier
        followed by a number qualifies that one (``5 مدنيين ونحو 20``)."""
        for k in (last, last + 1):
            w = self.words.get(k)
            if (
                w is not None
                and w[1].kind in _AFTER_KINDS
                and not self._number_starts(w[0])
                and (qualifier == "exact" or w[1].kind == "at_least")  # "نحو 60 قتيلا على الأقل"
            ):
                return w[1].kind
        return qualifier

    def _opens(self, k: int) -> bool:
        w = self.words.get(k)
        return w is not None and w[1].kind in ("between", "from")

    def _number_starts(self, k: int) -> bool:
        """A number begins at token k (not one joined by و: "27 قتيلا على الأقل وستة جرحى")."""
        if k >= self.n or k in self._joined or self.doc.tokens[k].text == _AND:
            return False
        if self.doc.tokens[k].text[0] in _DIGITS:
            return True
        w = self.words.get(k)
        return w is not None and w[1].kind in _NUMBER_KINDS


def _places(v: int) -> int:
    if v < 10:
        return _U
    if v < 20 or v % 10:
        return _T | _U
    if v < 100:
        return _T
    return _H if v % 100 == 0 else _ALL


def _separated(text: str, before_scale: bool) -> float | None:
    """``1,200`` = 1200; ``1.5`` = 1.5; ``1.200`` = 1200 unless a scale follows; ``5.7.2018`` is
    not a number."""
    if "," in text and "." in text:
        try:
            return float(text.replace(",", ""))
        except ValueError:
            return None
    sep = "," if "," in text else "."
    groups = text.split(sep)
    if all(len(g) == 3 for g in groups[1:]) and (sep == "," or not before_scale or len(groups) > 2):
        return float("".join(groups))
    if len(groups) == 2:
        return float(f"{groups[0]}.{groups[1]}")
    return None


def _to_int(value: float, *readings: _Reading) -> int:
    """A whole count: a scaled decimal is rounded (``1.15 مليون``), a bare one truncated."""
    if any(r.scaled > 1.0 for r in readings):
        return round(value)
    return int(value)
