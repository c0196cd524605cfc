"""Toponym recognition: which words of a report name places, and how the text relates to them.

A place name is recognised when
- a cue word introduces it (``بلدة صيدا``, ``مدينة درعا``, ``ريف إدلب``, ``محافظة درعا``,
  ``حي الجابريات``), whether or not the gazetteer knows it (unknown names after a strong cue
  are kept, to be reported without coordinates);
- it continues a list (``بلدات كفرنبل وحاس والبارة``, ``حاس، البارة``);
- it is in the gazetteer and either prominent (a country, a province, a large city) or follows
  a locative preposition (``في``, ``ب``, ``على``, ``قرب`` …).

Words that the lexicons claim for something else (an actor, a trigger, a source, a date, a cue)
are not read as place names unless a cue introduces them. Directional phrases (``جنوب``,
``محيط``, ``أطراف``, ``قرب``) make the relation ``near`` (precision 2), ``ريف X`` makes it
``countryside`` (precision 2), ``محافظة X`` or a name that is only a province makes it
``province`` (precision 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from marsad.geo.wordlist import CommonWords
from marsad.lang.lexicon import CountryWord, Cue, Entry, Lexicons, SourceEntry
from marsad.models import Document, GazetteerEntry, Relation, Toponym
from marsad.text.match import POSSESSIVE_SUFFIXES, Match, is_definite, token_readings, word_key
from marsad.text.normalize import fold_final_hamza

_STRONG_CUES = {"place", "places", "province", "countryside"}
_CLITIC_PREPOSITIONS = ("ب", "وب", "فب", "ل", "ول")
Words = dict[str, frozenset[str]]
_HEADS_CACHE_LIMIT = 200_000
# A one-word name this common in general Arabic (Zipf: log10 occurrences per billion words; 4.0 =
# 10 per million: ``محطة``، ``الواقعة``; small towns ``سراقب`` 2.9, ``الجرف`` 3.7) that names only
# small places needs an indefinite cue right before it to be read as a place.
FREQUENT_ZIPF = 4.0
_SIZED_KINDS = frozenset({"country", "admin1", "admin2", "admin3"})
_APPOSITION = frozenset({"هي", "هو", "وهي", "وهو"})
_AREA_PLURALS = frozenset({"بلدات", "قري", "مناطق"})  # not "مدن": "مدن الخرطوم وأم درمان" lists cities


def _known(e: GazetteerEntry) -> bool:
    """A place a report may name without a cue word: an administrative area, a place with a
    known population, or a community of the UN's lists (every Syrian village is one)."""
    return e.kind in ("country", "admin1", "admin2", "admin3") or (e.population or 0) >= 1000 or e.id.startswith("ocha")


_PRONOUN_PREPOSITIONS = frozenset(
    {"عليها", "عليه", "عليهم", "فيها", "فيه", "فيهم", "منها", "منه", "بها", "به", "لها", "له", "اليها", "اليه"}
)
_TIME_WORDS = frozenset({"يوم", "اليوم", "امس", "غدا", "صباح", "مساء", "فجر", "ليل", "ليله"})


class PlaceIndex(Protocol):
    """What recognition needs from a gazetteer (``marsad.geo.gazetteer.Gazetteer`` has it)."""

    max_key_words: int
    first_words: dict[str, tuple[int, ...]]

    def has(self, key: str) -> bool: ...

    def common_words(self) -> CommonWords: ...

    def lookup(self, key: str) -> list[GazetteerEntry]: ...


def find_toponyms(
    doc: Document,
    gazetteer: PlaceIndex,
    lexicons: Lexicons | None = None,
    matches: Sequence[Match[Entry]] | None = None,
) -> list[Toponym]:
    """All place names of a document, in text order (pure given the gazetteer and lexicons)."""
    lexicons = lexicons or Lexicons.load()
    if matches is None:
        matches = lexicons.scan(doc)
    return _Recogniser(doc, gazetteer, matches, lexicons.words).run()


class _Recogniser:
    def __init__(self, doc: Document, gaz: PlaceIndex, matches: Sequence[Match[Entry]], words: Words) -> None:
        self.doc = doc
        self.w = words
        self.gaz = gaz
        n = len(doc.tokens)
        # gazetteer keys are name keys: the final hamza of a name is folded (صنعاء = صنعا)
        keys = list(doc.keys or tuple(word_key(t.text) for t in doc.tokens))
        readings = list(doc.readings or tuple(tuple(token_readings(t.text)) for t in doc.tokens))
        for k, tok in enumerate(doc.tokens if "اء" in doc.norm else ()):
            if tok.text.endswith("اء"):  # only such words change (readings strip prefixes only)
                keys[k] = fold_final_hamza(keys[k])
                readings[k] = tuple((c, fold_final_hamza(r)) for c, r in readings[k])
        self.keys = tuple(keys)
        self.readings = tuple(readings)
        self.sent = doc.token_sentence or tuple(doc.sentence_of(i) for i in range(n))
        self.first_words = gaz.first_words
        common = getattr(gaz, "common_words", None)
        self.common: CommonWords = common() if callable(common) else CommonWords.empty()
        fw = gaz.first_words
        # per token, the readings that start a gazetteer name: (clitic, key, word counts)
        cache = getattr(gaz, "heads_cache", None)
        if cache is None:
            self.heads = [[(c, k, fw[k]) for c, k in word if k in fw] for word in self.readings]
        else:  # words repeat across reports: look each word's heads up once per gazetteer
            if len(cache) > _HEADS_CACHE_LIMIT:
                cache.clear()
            heads: list[list[tuple[int, str, tuple[int, ...]]]] = []
            for tok, word in zip(doc.tokens, self.readings, strict=True):
                found = cache.get(tok.text)
                if found is None:
                    found = cache[tok.text] = [(c, k, fw[k]) for c, k in word if k in fw]
                heads.append(found)
            self.heads = heads
        # cue ending right before token i: (cue kind, cue key, first token of the cue)
        self.cue_before: dict[int, tuple[str, str, int]] = {}
        self.blocked = [False] * n
        self.direction_start: set[int] = set()
        self.doc_names: set[str] = set()  # unknown names a cue introduced earlier in the report
        for m in matches:
            payload_type = type(m.payload)
            if payload_type is Cue:
                assert isinstance(m.payload, Cue)
                kind = m.payload.kind
                if kind in _STRONG_CUES or kind in ("direction", "container"):
                    prev = self.cue_before.get(m.last)
                    if prev is None or m.last - m.first > m.last - prev[2] or kind in _STRONG_CUES:
                        self.cue_before[m.last] = (kind, m.payload.key, m.first)
                if kind == "direction":
                    self.direction_start.add(m.first)
            elif payload_type is CountryWord:
                continue  # "غزة", "سوريا" are places too (the gazetteer knows the countries)
            elif payload_type is SourceEntry and m.first > 0 and self.keys[m.first - 1] in words["preposition"]:
                continue  # "في بغداد اليوم" is in Baghdad today, not the outlet "Baghdad Today"
            for t in range(m.first, m.last):
                self.blocked[t] = True
        # a word of the unknown_name_cue class that no cue phrase covers (محلية: the Sudanese
        # locality) opens a name like a cue when it is indefinite and not claimed
        for k, key in enumerate(self.keys[:-1]):
            if (
                key in words["unknown_name_cue"]
                and not self.blocked[k]
                and (k + 1) not in self.cue_before
                and not is_definite(doc.tokens[k].text)
                and self._same_sentence(k, k + 1)
                and self._may_follow_local(k + 1)
                and not self._agrees_with_noun_before(k)
            ):
                self.cue_before[k + 1] = ("place", key, k)
                self.blocked[k] = True
        # "بلدة هي المسيفرة": the name follows the pronoun that renames the place
        for end, cue in list(self.cue_before.items()):
            if (
                cue[0] in _STRONG_CUES
                and end < n - 1
                and doc.tokens[end].text in _APPOSITION
                and (end + 1) not in self.cue_before
            ):
                self.cue_before[end + 1] = cue
                self.blocked[end] = True
        # "العاصمة الليبية طرابلس": a nationality adjective may stand between a cue and its name
        adjectives = {m.first: m.last for m in matches if isinstance(m.payload, CountryWord)}
        for end, cue in list(self.cue_before.items()):
            if cue[0] in _STRONG_CUES and end in adjectives and adjectives[end] not in self.cue_before:
                self.cue_before[adjectives[end]] = cue

    # -- gazetteer matching -------------------------------------------------------------------
    def _gaz_match(self, i: int, cued: bool = False) -> tuple[int, int] | None:
        """Longest gazetteer name starting at token i: (end token, clitic length). After a
        strong cue ("مدينة الرقة", "محافظة إب") a common word or a short name is still a name."""
        heads = self.heads[i]
        if not heads:
            return None
        n = len(self.keys)
        best: tuple[int, int] | None = None
        for clitic, key, lengths in heads:
            for length in lengths:  # longest first
                if (best is not None and length <= best[0] - i) or i + length > n:
                    continue
                strong = cued and clitic == 0 and len(key) >= 2 and key not in self.w["function_word"]
                if length == 1 and not strong and (self._common(key) or len(key) < 3):
                    continue
                if length > 1 and not self._same_sentence(i, i + length - 1):
                    continue
                full = " ".join([key, *self.keys[i + 1 : i + length]]) if length > 1 else key
                if self.gaz.has(full):
                    best = (i + length, clitic)
                    break
        return best

    def _direction_split(self, i: int, gm: tuple[int, int]) -> tuple[int, int]:
        """A name whose last word is a direction with another place right after it is read as the
        shorter name and a direction: "الباب شرقي حلب" is al-Bab east of Aleppo, not a quarter
        called Bab Sharqi, when "الباب" is itself a name."""
        end, clitic = gm
        last = end - 1
        if (
            end - i < 2
            or last not in self.direction_start
            or end >= len(self.keys)
            or not self._same_sentence(last, end)
        ):
            return gm
        after = self._gaz_match(end)
        if after is None or after[1] != 0:
            return gm  # "ودير شرقي والتمانعة": a list goes on, no "east of" a place with a clitic
        return (last, clitic) if self.gaz.has(self._key(i, last, clitic)) else gm

    def _same_sentence(self, a: int, b: int) -> bool:
        return a == b or self.sent[a] == self.sent[b]

    def _gap(self, a: int, b: int) -> str:
        """Normalised text between token a's end and token b's start."""
        return self.doc.norm[self.doc.tokens[a].end : self.doc.tokens[b].start]

    def _name_like(self, i: int) -> bool:
        """An unknown word after a strong cue that can be a name: not a function word or an
        adjective ("حي \"العربي\"" is a name, although العربي is also a common word)."""
        key = self.keys[i]
        text = self.doc.tokens[i].text
        return (
            not self.blocked[i]
            and len(key) >= 2
            and key not in self.w["function_word"]
            and text not in self.w["function_word"]
            and text not in self.w["name_adjective"]
            and text not in self.w["direction_adjective"]
            and not (text.startswith(("و", "ف")) and len(text) > 3)
            and not text.isdigit()
            and all("\u0600" <= ch <= "\u06ff" for ch in text)
        )

    def _agrees_with_cue(self, i: int) -> bool:
        """An indefinite feminine word right after a feminine cue agrees with it as an adjective
        ("منطقة خطرة", "منطقة مفتوحة", "منطقة عسكرية"): a description of the area, not its name.
        Names after such cues are definite (منطقة الجراحي) or not feminine (منطقة بابا عمرو)."""
        text = self.doc.tokens[i].text
        return not text.startswith("ال") and text.endswith("ه") and len(text) >= 4

    # -- main loop ----------------------------------------------------------------------------
    def run(self) -> list[Toponym]:
        tokens = self.doc.tokens
        out: list[Toponym] = []
        i = 0
        n = len(tokens)
        list_state: tuple[int, str, Relation, bool] | None = None  # (end token, cue key, relation, plural)
        while i < n:
            cue = self.cue_before.get(i)
            cued = cue is not None and cue[0] in _STRONG_CUES
            if cued and cue is not None and cue[0] != "province" and i in self.direction_start:
                i += 1  # "أحياء جنوب الخرطوم": the direction word is not a name
                continue
            nested = self.cue_before.get(i + 1)
            if cued and nested is not None and nested[2] == i and nested[0] in _STRONG_CUES:
                i += 1  # "عاصمة محافظة درعا": the second cue introduces the name, not a name itself
                continue
            continues = list_state is not None and i == list_state[0] and self._continues_list(list_state[0], i)
            if (
                not cued
                and not continues
                and (not self.heads[i] or (self.blocked[i] and self.keys[i] not in self.w["name_head"]))
                and (not self.doc_names or self._named_before(i) is None)
            ):
                i += 1  # a claimed word (an actor, a cue) or one that starts no known name
                continue
            # a common word right after an indefinite cue is still a name ("مدينة الرقة"), but not
            # after a definite one ("القضاء على" is "eliminating", not the district of Ali)
            bare = cued and cue is not None and self._bare_cue(cue[2], i)
            gm = self._gaz_match(i, bare)
            if gm is not None:
                gm = self._direction_split(i, gm)
            # quarters are named after common words (حي العربي، أحياء الزراعي والمهندسين)
            quarter = (cued and cue is not None and cue[1] in self.w["quarter_cue"]) or (
                continues and list_state is not None and list_state[1] in self.w["quarter_cue"]
            )
            if (
                gm is not None
                and not cued
                and not continues
                and gm[0] == i + 1
                and self._key(i, gm[0], gm[1]) in self.w["ambiguous_place"]
            ):
                gm = None
            if gm is not None and not cued and not continues and self._after_person(i):
                gm = None  # "الرئيس المعزول محمد مرسي", "الفريق عبد الأمير رشيد": a person
            # a cue phrase itself ("مدينة", "ريف") is blocked: only a cue can open a name over it
            if self.blocked[i] and not cued and not continues and gm is None:
                i += 1
                continue
            if (
                self.blocked[i]
                and not cued
                and not continues
                and gm is not None
                and not self._head_of_longer_name(i, gm)
            ):
                gm = None
            accepted: tuple[int, int] | None = None
            if (
                gm is not None
                and (cued or continues or self._prominent_or_located(i, gm))
                and self._reads_as_name(i, gm, cued)
                and (bare or quarter or not self._frequent_small(i, gm))
            ):
                accepted = gm
            elif (
                cued
                and cue is not None
                and cue[1] in self.w["unknown_name_cue"]
                and self._bare_cue(cue[2], i)
                and self._name_like(i)
                and (cue[1] in self.w["quarter_cue"] or not self._common(self.keys[i]))
                and self._can_be_name(i, quarter=cue[1] in self.w["quarter_cue"])
                and not self._agrees_with_cue(i)
            ):
                accepted = (i + 1, self._article_clitic(i))
                nxt = i + 1
                if nxt < n and self._same_sentence(i, nxt) and self._second_word(nxt):
                    accepted = (nxt + 1, 0)  # "عيتا الشعب", "ميس الجبل"
            elif continues and list_state is not None and list_state[3] and self._list_word(i):
                accepted = (i + 1, len(self._list_clitic(i)))
            elif not self.blocked[i] and self._named_before(i) is not None:
                accepted = (i + 1, self._named_before(i) or 0)  # introduced with a cue earlier in the report
            if accepted is None:
                if not continues:
                    list_state = None if (list_state and i > list_state[0] + 1) else list_state
                i += 1
                continue
            end, clitic = accepted
            if self._head_only(i, end, clitic):
                end += 1  # "عين الحلوة", "أبو دواق", "بن قردان": a generic first word is not the name
            if end == i + 1 and self.gaz.has(self._key(i, end, clitic)) is False:
                self.doc_names.add(self._key(i, end, clitic))
            name_end = end
            if (
                cued
                and cue is not None
                and cue[1] in self.w["town_cue"]
                and end < n
                and tokens[end].text.startswith("ال")
                and tokens[end].text in self.w["direction_adjective"]
            ):
                name_end = end + 1  # "بلدة الكرك الشرقي": the adjective is part of the town's name
            relation, cue_key, plural = self._relation(i, cue if cued else None, list_state if continues else None)
            topo = self._make(i, end, clitic, cue_key, relation, name_end)
            out.append(topo)
            list_state = (name_end, cue_key, relation, plural)
            i = name_end
            # "ريف درعا الشرقي", "مدينة درعا البلد" — skip a trailing direction adjective
        return out

    def _agrees_with_noun_before(self, k: int) -> bool:
        """``عبوة ناسفة محلية الصنع``: the cue word agrees with the indefinite feminine word before
        it as an adjective ("locally made"); a cue opening a name follows a preposition, a verb or
        a definite word instead."""
        if k == 0 or not self._same_sentence(k - 1, k) or self._gap(k - 1, k).strip():
            return False
        before = self.doc.tokens[k - 1].text
        return not is_definite(before) and before.endswith("ه") and self.keys[k - 1] not in self.w["preposition"]

    def _may_follow_local(self, k: int) -> bool:
        """The word after a bare ``محلية``: a name rather than the phrase "locally made"
        (``محلية الصنع``): not a verb or common noun of the dictionary, definite or not."""
        text = self.doc.tokens[k].text
        bare = text[2:] if text.startswith("ال") and len(text) > 4 else text
        return not (self.common.cannot_be_name(bare) or self.common.cannot_be_name(text))

    def _head_of_longer_name(self, i: int, gm: tuple[int, int]) -> bool:
        """A claimed word that is the generic first word of a longer gazetteer name, whose other
        words nothing claims: ``بيت لاهيا`` (بيت is also "a house"), ``أم درمان`` (أم "a mother")."""
        end, clitic = gm
        return (
            end - i >= 2
            and word_key(self.doc.tokens[i].text[clitic:]) in self.w["name_head"]
            and not any(self.blocked[k] for k in range(i + 1, end))
        )

    def _reads_as_name(self, i: int, gm: tuple[int, int], cued: bool) -> bool:
        """A one-word gazetteer name that the sentence reads as something else: a verb between an
        indefinite noun and a claimed word (``بيان صدر اليوم``: "a statement issued today"), or a
        small place's name that is a noun governing ``إلى`` (``إشارة إلى``: "a reference to")."""
        end, clitic = gm
        n = len(self.doc.tokens)
        if end - i != 1 or clitic or end >= n or not self._same_sentence(i, end):
            return True
        words, text = self.common, self.doc.tokens[i].text
        after_claimed = self.blocked[end] or self.keys[end] in self.w["function_word"]
        if not cued and i > 0 and after_claimed and self._same_sentence(i - 1, i) and words.is_verb(text):
            before = self.doc.tokens[i - 1].text
            if words.is_common_noun(before) and self.cue_before.get(i) is None and self._gap(i - 1, i).strip() == "":
                return False
        if (
            not cued
            and i > 0
            and self.cue_before.get(i) is None
            and self._gap(i - 1, i).strip() == ""
            and self.blocked[end]
        ):
            before = self.doc.tokens[i - 1].text
            if not is_definite(before) and self.keys[i - 1] not in self.w["preposition"] and self._is_time(end):
                return False  # "بيان صدر اليوم": a verb between a noun and a day, not a place
        if self._governs_ila(i):
            entries = self.gaz.lookup(self._key(i, end, clitic))
            if not any(e.kind in ("country", "admin1") or (e.population or 0) >= 10_000 for e in entries):
                return False  # "منطقة إشارة إلى": a noun and its complement, unless a well-known place
        if words.is_common_noun(text) and self.keys[end] in ("الي", "الى"):
            entries = self.gaz.lookup(self._key(i, end, clitic))
            return any(e.kind in ("country", "admin1", "admin2") or (e.population or 0) >= 10_000 for e in entries)
        return True

    def _after_person(self, i: int) -> bool:
        """The word right after a title or a common given name (``الفريق``، ``محمد``، ``عبد
        الأمير``), with nothing but a space between them, continues a person's name."""
        if i == 0 or not self._same_sentence(i - 1, i) or self._gap(i - 1, i).strip():
            return False
        person = self.w["person_word"]
        if self.keys[i - 1] in person:
            return True
        return i >= 2 and self.keys[i - 2] == "عبد" and self._gap(i - 2, i - 1).strip() == ""

    def _frequent_small(self, i: int, gm: tuple[int, int]) -> bool:
        """A one-word name that is a common word of Arabic (``اليوم``، ``محطة``، ``أكد``، ``الواقعة``:
        Zipf frequency ≥ FREQUENT_ZIPF) and names only small places: the word, not the hamlet,
        unless an indefinite cue stands right before it (``بلدة الشعب``)."""
        end, clitic = gm
        if end - i != 1 or self.common.zipf(self.doc.tokens[i].text[clitic:]) < FREQUENT_ZIPF:
            return False
        entries = self.gaz.lookup(self._key(i, end, clitic))
        return not any(e.kind in _SIZED_KINDS or (e.population or 0) >= 10_000 for e in entries)

    def _can_be_name(self, i: int, quarter: bool = False) -> bool:
        """An unknown word after a cue is a name only if it can be one: not a verb form
        (``يسيطر``), a pronoun or particle (``هي``), nor an indefinite common noun (``إشارة``)
        unless a definite word completes it (``بستان القصر``). The words come from a real
        dictionary (``marsad.geo.wordlist``)."""
        words = self.common
        text = self.doc.tokens[i].text
        if words.is_function_word(text) or words.is_verb(text) or self._verb_of_clause(i):
            return False
        if self._governs_ila(i):
            return False  # "منطقة إشارة إلى …": a noun governing إلى, not a name
        frequent = (
            not quarter and self.keys[i] not in self.w["name_head"] and words.zipf(text) >= FREQUENT_ZIPF
        )  # "منطقة تضم", but "حي العربي" and "أبو دواق" (the generic first word of a name)
        if words.is_common_noun(text) or frequent:
            nxt = i + 1
            return nxt < len(self.doc.tokens) and self._same_sentence(i, nxt) and self._second_word(nxt)
        return True

    def _verb_of_clause(self, i: int) -> bool:
        """A word followed by a preposition carrying a pronoun (``منطقة يسيطر عليها``,
        ``بلدة تقع فيها``): the verb of a relative clause describing the place, not its name."""
        k = i + 1
        return (
            k < len(self.doc.tokens) and self._same_sentence(i, k) and self.doc.tokens[k].text in _PRONOUN_PREPOSITIONS
        )

    def _governs_ila(self, i: int) -> bool:
        """An indefinite word followed by إلى (``إشارة إلى``, ``دعوة إلى``): a noun and its
        complement, not a place name."""
        k = i + 1
        text = self.doc.tokens[i].text
        return (
            not is_definite(text)
            and k < len(self.doc.tokens)
            and self._same_sentence(i, k)
            and self.keys[k] in ("الي", "الى")
        )

    def _is_time(self, k: int) -> bool:
        return self.keys[k] in _TIME_WORDS

    def _article_clitic(self, i: int) -> int:
        """Length of a proclitic glued to an unknown definite name (``بالرشاد``, ``والرشاد``)."""
        text = self.doc.tokens[i].text
        for prefix in ("وبال", "وال", "فال", "بال", "كال", "ولل", "لل"):
            if text.startswith(prefix) and len(text) > len(prefix) + 2:
                return len(prefix) - (2 if prefix.endswith("ال") else 1)
        return 0

    def _head_only(self, i: int, end: int, clitic: int) -> bool:
        """A one-word name that is the first word of many names and rarely a name alone (عين،
        أبو، تل، دير …) followed, in the same sentence, by a word that can continue it."""
        n = len(self.doc.tokens)
        return (
            end == i + 1
            and end < n
            and word_key(self.doc.tokens[i].text[clitic:]) in self.w["name_head"]
            and self._same_sentence(i, end)
            and self._name_like(end)
            and self.cue_before.get(end) is None
        )

    def _common(self, key: str) -> bool:
        """A common word or function word rather than a name (with or without the article)."""
        bare = key[2:] if key.startswith("ال") and len(key) > 3 else key
        not_place = self.w["not_place"]
        if key in not_place or bare in not_place or key in self.w["function_word"]:
            return True
        # "منزله", "مدينتهم": a common noun with a possessive pronoun
        return any(bare.endswith(p) and bare[: -len(p)] in not_place for p in POSSESSIVE_SUFFIXES)

    def _named_before(self, i: int) -> int | None:
        """Clitic length when the word is an unknown place named earlier with a cue, else None."""
        if not self.doc_names:
            return None
        for clitic, key in self.readings[i]:
            if key in self.doc_names:
                return clitic
        return None

    def _second_word(self, k: int) -> bool:
        """The second word of an unknown two-word name: definite, not a common or claimed word."""
        text = self.doc.tokens[k].text
        key = self.keys[k]
        return (
            text.startswith("ال")
            and not self.blocked[k]
            and key not in self.w["function_word"]
            and key not in self.w["direction_adjective"]
            and text not in self.w["direction_adjective"]
            and text not in self.w["name_adjective"]
            and self._gap(k - 1, k).strip() == ""
        )

    def _bare_cue(self, cue_first: int, i: int) -> bool:
        """An indefinite cue word right before the name ("مدينة درعا", not "المدينة وتقع")."""
        definite = is_definite(self.doc.tokens[cue_first].text)
        gap = self._gap(i - 1, i) if i > 0 else ""
        return not definite and all(ch in " \"'«»“”(" for ch in gap)

    def _continues_list(self, prev_end: int, i: int) -> bool:
        if i != prev_end or i >= len(self.doc.tokens):
            return False
        gap = self._gap(i - 1, i)
        word = self.doc.tokens[i].text
        return (
            "،" in gap or "," in gap or (word.startswith("و") and len(word) > 2 and gap.strip() in ("", '"', "«", "“"))
        )

    def _list_clitic(self, i: int) -> str:
        word = self.doc.tokens[i].text
        return "و" if word.startswith("و") and len(word) > 3 else ""

    def _list_word(self, i: int) -> bool:
        word = self.doc.tokens[i].text
        key = word_key(word[1:]) if word.startswith("و") else self.keys[i]
        pronoun = key.endswith(("ها", "هم", "هما"))
        return not self._common(key) and not pronoun and len(key) >= 2 and not self.blocked[i]

    def _prominent_or_located(self, i: int, gm: tuple[int, int]) -> bool:
        end, clitic = gm
        key = self._key(i, end, clitic)
        entries = self.gaz.lookup(key)
        if any(e.kind in ("country", "admin1") or (e.population or 0) >= 50_000 for e in entries):
            return True
        if any(e.kind in ("admin2", "admin3") or (e.population or 0) >= 10_000 for e in entries):
            word = self.doc.tokens[i].text
            if clitic and word[:clitic] in _CLITIC_PREPOSITIONS:
                return True
        if i > 0 and self.keys[i - 1] in self.w["preposition"] and self._same_sentence(i - 1, i):
            if end - i == 1 and not any(_known(e) for e in entries):
                return False  # "في مكتب", "في محطة": one word naming only unsized hamlets needs a cue
            return len(key) >= 3 and not self._small_common_noun(i, clitic, entries)
        direction = self.cue_before.get(i)
        if direction is not None and direction[0] == "direction" and self._same_sentence(direction[2], i):
            return len(key) >= 3  # "في محيط سراقب", "جنوب داريا": a direction locates a place
        return False

    def _small_common_noun(self, i: int, clitic: int, entries: list[GazetteerEntry]) -> bool:
        """A one-word name that is also an indefinite common noun of the dictionary and names only
        small places (``على حافلة``: "on a bus", not the Somali hamlet): a preposition before it
        does not make it a place."""
        text = self.doc.tokens[i].text[clitic:]
        if not self.common.is_common_noun(text):
            return False
        return not any(e.kind in ("country", "admin1", "admin2") or (e.population or 0) >= 10_000 for e in entries)

    def _key(self, i: int, end: int, clitic: int) -> str:
        first = word_key(self.doc.tokens[i].text[clitic:])
        if clitic and self.doc.tokens[i].text[clitic - 1] == "ل" and first.startswith("ل"):
            first = word_key("ا" + first)
        return " ".join([fold_final_hamza(first), *self.keys[i + 1 : end]])

    def _relation(
        self,
        i: int,
        cue: tuple[str, str, int] | None,
        prev: tuple[int, str, Relation, bool] | None,
    ) -> tuple[Relation, str, bool]:
        if prev is not None:
            return prev[2], prev[1], prev[3]
        relation: Relation = "in"
        cue_key = ""
        plural = False
        start = i
        if cue is not None:
            kind, cue_key, start = cue
            plural = kind == "places" or cue_key in ("محافظات", "ولايات", "محافظتي")
            relation = {"province": "province", "countryside": "countryside"}.get(kind, "in")  # type: ignore[assignment]
        for back in (start, start - 1):  # "الأطراف الغربية لمدينة مأرب": one adjective may intervene
            if back != start and (back < 0 or self.doc.tokens[back].text not in self.w["direction_adjective"]):
                continue
            direction = self.cue_before.get(back)
            if direction is None or direction[0] != "direction":
                continue
            word = self.doc.tokens[direction[2]].text
            if not is_definite(word) or word_key(word) in self.w["direction_noun"]:
                relation = "near"  # "جنوب درعا", "أطراف المدينة", but not "الريف الغربي"
                break
        return relation, cue_key, plural

    def _make(self, i: int, end: int, clitic: int, cue_key: str, relation: Relation, name_end: int) -> Toponym:
        doc = self.doc
        tok = doc.tokens[i]
        skip = clitic
        if clitic and tok.text[clitic - 1] == "ل" and tok.text[clitic:].startswith("ل"):
            skip += 1  # "للرشاد" = ل + الرشاد: the second lam is the article's, not the name's
        start, stop = doc.orig_span(tok.start + skip, doc.tokens[name_end - 1].end)
        key = self._key(i, name_end, clitic)
        if not self.gaz.has(key):
            key = self._key(i, end, clitic)
        entries = self.gaz.lookup(key) if self.gaz.has(key) else []
        # a country, unless the name is also a province or a real city (الكويت، الجزائر); the
        # hamlets that share a country's name (a village لبنان in Nineveh) do not count
        countries = [e for e in entries if e.kind == "country"]
        is_country = bool(countries) and all(
            e.kind == "country" or (e.kind not in ("admin1", "admin2") and (e.population or 0) < 50_000)
            for e in entries
        )
        country_hint = countries[0].country if is_country else None
        if relation == "in" and entries and (is_country or all(e.kind in ("admin1", "country") for e in entries)):
            relation = "province"
        if relation == "in" and cue_key in _AREA_PLURALS and any(e.kind == "admin1" for e in entries):
            relation = "province"  # "بلدات درعا": the towns of the province, not the city
        name = doc.text[start:stop]
        return Toponym(
            name=name,
            key=key,
            start=start,
            end=stop,
            token_index=i,
            cue=cue_key,
            relation=relation,
            is_country=is_country,
            country_hint=country_hint,
        )
