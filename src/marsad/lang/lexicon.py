"""The language data of one language, loaded once and shared read-only by every stage.

Each table under ``lang/<language>/`` becomes typed entries; all of them go into one
``PhraseMatcher`` so a document is scanned once (``Lexicons.scan``) and each recogniser picks the
matches of its own entry type.

| file            | entry          | columns                                          |
|-----------------|----------------|--------------------------------------------------|
| triggers.tsv    | ``Trigger``    | phrase, class, weight, meaning                   |
| cues.tsv        | ``Cue``        | phrase, cue, meaning                             |
| actors.tsv      | ``ActorEntry`` | phrase, canonical, inter, country, scope, meaning |
| sources.tsv     | ``SourceEntry``| phrase, canonical, kind, meaning                 |
| countries.tsv   | ``CountryWord``| phrase, country, name_en, meaning                |
| numbers.tsv     | ``NumberWord`` | phrase, value, kind, meaning                     |
| time.tsv        | ``TimeWord``   | phrase, value, kind, meaning                     |
| units.tsv       | ``Unit``       | phrase, what, meaning                            |
| words.tsv       | word classes   | phrase, role, meaning (``Lexicons.words[role]``) |
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from marsad.errors import LexiconError
from marsad.lang.tables import Checker, fingerprint, float_in, int_in, lexicon_dir, one_of, read_table
from marsad.models import EVENT_TYPES, SOURCE_KINDS, Document
from marsad.text.match import Match, PhraseMatcher
from marsad.text.normalize import normalize, strip_article

TRIGGER_CLASSES = (*EVENT_TYPES, "@bombard", "@clash", "@control", "@kill", "@protest")
CUE_KINDS = (
    "place", "places", "province", "countryside", "direction", "container", "air", "artillery",
    "suicide", "ied", "negation", "threat", "plan", "condemn", "hypothetical", "background",
    "intervention", "lethal_force", "rioting", "attribution", "property", "kill", "injure",
    "victim_civilian", "ally", "target", "offtopic", "failure", "claim", "background_sentence", "landmark",
    "toward", "denial", "genre_history", "genre_court", "genre_exercise", "genre_statistic", "genre_funeral",
)  # fmt: skip
NUMBER_KINDS = (
    "cardinal", "dual", "vague", "scale", "ordinal", "more_than", "at_least", "about", "up_to",
    "between", "range_to", "from", "fraction", "duration",
)  # fmt: skip
TIME_KINDS = (
    "month", "weekday", "relative", "part", "night", "past", "current", "ago", "days", "weeks", "months", "phase",
    "range",
)  # fmt: skip
WORD_ROLES = (
    "not_place", "function_word", "ambiguous_place", "direction_adjective", "direction_noun", "name_adjective",
    "preposition", "unknown_name_cue", "town_cue", "quarter_cue", "victim_singular", "victim_plural", "count_noun",
    "combined_toll", "victim_stop", "property_verb", "explosion_word", "weak_hit", "date_joiner", "future_marker",
    "missile_word", "attack_word", "affiliation_word", "speaker_noun", "distance_unit", "institution_noun",
    "origin_noun", "pluperfect_verb", "name_head", "person_word", "victim_kin", "victim_kin_plural",
    "injury_noun", "agent_marker",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Trigger:
    cls: str
    weight: float
    phrase: str


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str
    phrase: str
    key: str = ""  # normalised first word without the article ("مدينه" for "مدينة*")


@dataclass(frozen=True, slots=True)
class ActorEntry:
    canonical: str  # may hold {country} / {iso}
    inter: int
    country: str  # ISO2 or "@" (the report's country)
    scope: frozenset[str]  # report countries where this reading holds; empty = anywhere
    phrase: str


@dataclass(frozen=True, slots=True)
class SourceEntry:
    canonical: str
    kind: str
    phrase: str


@dataclass(frozen=True, slots=True)
class CountryWord:
    country: str
    name_en: str
    phrase: str


@dataclass(frozen=True, slots=True)
class NumberWord:
    value: int
    kind: str  # one of NUMBER_KINDS (numbers.tsv says what each means)


@dataclass(frozen=True, slots=True)
class TimeWord:
    value: int
    kind: str  # one of TIME_KINDS (time.tsv says what each means)


@dataclass(frozen=True, slots=True)
class Unit:
    what: str


Entry = Trigger | Cue | ActorEntry | SourceEntry | CountryWord | NumberWord | TimeWord | Unit

_ISO2 = re.compile(r"^[A-Z]{2}$")


def _iso_or_here(cell: str) -> str:
    if cell != "@" and not _ISO2.match(cell):
        raise ValueError(f"'{cell}' is neither an ISO 3166 alpha-2 code nor '@'")
    return cell


def _scope(cell: str) -> frozenset[str]:
    if cell == "*":
        return frozenset()
    codes = [c.strip() for c in cell.split(",")]
    for c in codes:
        if not _ISO2.match(c):
            raise ValueError(f"scope '{cell}' must be '*' or ISO2 codes separated by commas")
    return frozenset(codes)


def _iso(cell: str) -> str:
    if not _ISO2.match(cell):
        raise ValueError(f"'{cell}' is not an ISO 3166 alpha-2 code")
    return cell


class Lexicons:
    """All lexicons of a language. Build with ``Lexicons.load()``; immutable afterwards."""

    def __init__(self, directory: Path, matcher: PhraseMatcher[Entry], files: list[Path]) -> None:
        self.directory = directory
        self.matcher = matcher
        self.country_names: dict[str, str] = {}
        self.words: dict[str, frozenset[str]] = {role: frozenset() for role in WORD_ROLES}
        self.version = fingerprint(files)

    @classmethod
    def load(cls, directory: Path | None = None) -> Lexicons:
        directory = directory or lexicon_dir("ar")
        matcher: PhraseMatcher[Entry] = PhraseMatcher()
        files: list[Path] = []
        country_names: dict[str, str] = {}

        def table(name: str, columns: tuple[str, ...], checkers: dict[str, Checker]) -> list[dict[str, object]]:
            path = directory / name
            files.append(path)
            return [dict(r.values) for r in read_table(path, columns, checkers)]

        for r in table("triggers.tsv", ("phrase", "class", "weight", "meaning"),
                       {"class": one_of(*TRIGGER_CLASSES), "weight": float_in(0, 1)}):  # fmt: skip
            matcher.add(str(r["phrase"]), Trigger(str(r["class"]), float(r["weight"]), str(r["phrase"])))  # type: ignore[arg-type]
        for r in table("cues.tsv", ("phrase", "cue", "meaning"), {"cue": one_of(*CUE_KINDS)}):
            phrase = str(r["phrase"])
            key = strip_article(normalize(phrase.split()[0].rstrip("*")))
            matcher.add(phrase, Cue(str(r["cue"]), phrase, key))
        for r in table("actors.tsv", ("phrase", "canonical", "inter", "country", "scope", "meaning"),
                       {"inter": int_in(1, 8), "country": _iso_or_here, "scope": _scope}):  # fmt: skip
            entry = ActorEntry(str(r["canonical"]), r["inter"], str(r["country"]), r["scope"], str(r["phrase"]))  # type: ignore[arg-type]
            matcher.add(str(r["phrase"]), entry)
        for r in table("sources.tsv", ("phrase", "canonical", "kind", "meaning"), {"kind": one_of(*SOURCE_KINDS)}):
            matcher.add(str(r["phrase"]), SourceEntry(str(r["canonical"]), str(r["kind"]), str(r["phrase"])))
        for r in table("countries.tsv", ("phrase", "country", "name_en", "meaning"), {"country": _iso}):
            iso, name_en = str(r["country"]), str(r["name_en"])
            if country_names.setdefault(iso, name_en) != name_en:
                raise LexiconError(str(directory / "countries.tsv"), 0, f"{iso} has two English names")
            matcher.add(str(r["phrase"]), CountryWord(iso, name_en, str(r["phrase"])))
        number_kinds = one_of(*NUMBER_KINDS)
        for r in table("numbers.tsv", ("phrase", "value", "kind", "meaning"),
                       {"value": int_in(0, 10**9), "kind": number_kinds}):  # fmt: skip
            matcher.add(str(r["phrase"]), NumberWord(r["value"], str(r["kind"])))  # type: ignore[arg-type]
        time_kinds = one_of(*TIME_KINDS)
        for r in table("time.tsv", ("phrase", "value", "kind", "meaning"),
                       {"value": int_in(0, 31), "kind": time_kinds}):  # fmt: skip
            matcher.add(str(r["phrase"]), TimeWord(r["value"], str(r["kind"])))  # type: ignore[arg-type]
        for r in table("units.tsv", ("phrase", "what", "meaning"), {}):
            matcher.add(str(r["phrase"]), Unit(str(r["what"])))
        words: dict[str, set[str]] = {role: set() for role in WORD_ROLES}
        for r in table("words.tsv", ("phrase", "role", "meaning"), {"role": one_of(*WORD_ROLES)}):
            word = normalize(str(r["phrase"]))
            words[str(r["role"])].update((word, strip_article(word)))  # with and without the article
        lex = cls(directory, matcher, files)
        lex.country_names = country_names
        lex.words = {role: frozenset(ws) for role, ws in words.items()}
        return lex

    def scan(self, doc: Document) -> list[Match[Entry]]:
        """Every lexicon match in the document, in token order."""
        return self.matcher.find_all(doc)
