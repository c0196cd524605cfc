"""All data types that pass between the stages, in one place.

The flow (see ``pipeline.py``)::

    RawDocument ──prepare──► Document ──recognise──► spans ──assemble/geoparse/code──► ExtractResult

Every record is an immutable dataclass. ``to_dict`` methods serialise to exactly the field names of
``spec/EVENTS.md`` (sections 3 and 4); nothing else is added to events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Literal, NamedTuple

EVENT_TYPES: dict[str, str] = {
    "armed_clash": "battles",
    "government_regains_territory": "battles",
    "non_state_actor_overtakes_territory": "battles",
    "chemical_weapon": "explosions_remote_violence",
    "air_drone_strike": "explosions_remote_violence",
    "suicide_bomb": "explosions_remote_violence",
    "shelling_artillery_missile_attack": "explosions_remote_violence",
    "remote_explosive_landmine_ied": "explosions_remote_violence",
    "grenade": "explosions_remote_violence",
    "sexual_violence": "violence_against_civilians",
    "attack": "violence_against_civilians",
    "abduction_forced_disappearance": "violence_against_civilians",
    "peaceful_protest": "protests",
    "protest_with_intervention": "protests",
    "excessive_force_against_protesters": "protests",
    "violent_demonstration": "riots",
    "mob_violence": "riots",
    "agreement": "strategic_developments",
    "arrests": "strategic_developments",
    "change_to_group_activity": "strategic_developments",
    "disrupted_weapons_use": "strategic_developments",
    "headquarters_or_base_established": "strategic_developments",
    "looting_property_destruction": "strategic_developments",
    "non_violent_transfer_of_territory": "strategic_developments",
    "other": "strategic_developments",
}
"""sub_event_type -> event_type (ACLED taxonomy, spec section 2)."""

SOURCE_KINDS = frozenset(
    {"monitor", "news_agency", "official", "group", "activist", "witness", "correspondent", "unspecified"}
)
QUALIFIERS = frozenset({"exact", "at_least", "more_than", "about", "up_to"})
INTER_CODES = {
    1: "state forces",
    2: "rebel groups",
    3: "political militias",
    4: "identity militias",
    5: "rioters",
    6: "protesters",
    7: "civilians",
    8: "external/other forces",
}


# ---------------------------------------------------------------------------------------------
# Input and the prepared document
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One report as it arrives: text plus whatever metadata the input had."""

    doc_id: str
    text: str
    published: dt.date | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None


class Token(NamedTuple):
    """A word of the normalised text: ``start``/``end`` index ``Document.norm``. (A named tuple:
    reports have thousands of words, and tuples are built several times faster than frozen
    dataclasses.)"""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence: offsets into the original text and the range of its tokens."""

    start: int
    end: int
    first_token: int
    last_token: int  # exclusive


@dataclass(frozen=True, slots=True)
class Document:
    """A prepared report: the original text, its normalised form and the map between them.

    ``norm`` has one character per kept original character (diacritics, tatweel and invisible
    marks are dropped), and ``offsets[i]`` is the index in ``text`` of ``norm[i]``;
    ``offsets[len(norm)] == len(text)``.
    """

    raw: RawDocument
    norm: str
    offsets: tuple[int, ...]
    tokens: tuple[Token, ...]
    sentences: tuple[Sentence, ...]
    body_end: int  # original offset where page residue ("مشاركة :") starts; len(text) if none
    # per token, computed once by ``prepare`` for every recogniser: the matching key, the
    # clitic readings ((clitic length, key), …) and the index of the sentence holding it
    keys: tuple[str, ...] = ()
    readings: tuple[tuple[tuple[int, str], ...], ...] = ()
    token_sentence: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        return self.raw.text

    @property
    def published(self) -> dt.date | None:
        return self.raw.published

    def orig_span(self, norm_start: int, norm_end: int) -> tuple[int, int]:
        """Original-text offsets of a normalised range ``[norm_start, norm_end)``."""
        if norm_end <= norm_start:
            o = self.offsets[norm_start]
            return o, o
        return self.offsets[norm_start], self.offsets[norm_end - 1] + 1

    def token_span(self, first: int, last: int) -> tuple[int, int]:
        """Original offsets covering tokens ``first`` .. ``last - 1``."""
        return self.orig_span(self.tokens[first].start, self.tokens[last - 1].end)

    def sentence_of(self, token_index: int) -> int:
        """Index of the sentence that holds a token."""
        if self.token_sentence:
            return self.token_sentence[token_index]
        lo, hi = 0, len(self.sentences) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.sentences[mid].first_token <= token_index:
                lo = mid
            else:
                hi = mid - 1
        return lo


# ---------------------------------------------------------------------------------------------
# Output records (spec section 3)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Actor:
    name: str  # surface text as written
    canonical: str  # English name
    inter: int  # ACLED inter code
    country: str | None  # ISO 3166-1 alpha-2

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "canonical": self.canonical, "inter": self.inter, "country": self.country}


@dataclass(frozen=True, slots=True)
class Location:
    """Where an event happened. Coordinates are filled in by the geoparse stage."""

    name: str  # as written, without clitics and cue words
    geo_precision: int  # 1 town, 2 near / part of a region, 3 province or larger
    name_en: str | None = None
    gazetteer_id: str | None = None
    country: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "name_en": self.name_en,
            "gazetteer_id": self.gazetteer_id,
            "country": self.country,
            "admin1": self.admin1,
            "lat": self.lat,
            "lon": self.lon,
            "geo_precision": self.geo_precision,
        }


@dataclass(frozen=True, slots=True)
class Quantity:
    what: str
    value: int
    qualifier: str = "exact"

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "value": self.value, "qualifier": self.qualifier}


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    canonical: str
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "canonical": self.canonical, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class Evidence:
    """Character offsets of text that supports the event: a sentence that tells it, or (``field``
    set) the phrase behind one field's value, with how that value came about — for a reviewer.
    ``{"start", "end", "field": "fatalities", "value": 5, "rule": "refers back", "reading":
    "number before the death word"}``: the toll was read from the phrase at ``start:end`` and
    belongs to this event because the phrase's sentence refers back to it."""

    start: int
    end: int
    field: str | None = None
    value: int | None = None
    rule: str | None = None  # why the value belongs to this event
    reading: str | None = None  # how the value was read from the phrase

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end}
        if self.field is not None:
            out.update(field=self.field, value=self.value, rule=self.rule, reading=self.reading)
        return out


@dataclass(frozen=True, slots=True)
class Event:
    sub_event_type: str
    date: dt.date | None
    time_precision: int
    location: Location
    actor1: Actor | None = None
    actor2: Actor | None = None
    assoc_actors1: tuple[Actor, ...] = ()
    assoc_actors2: tuple[Actor, ...] = ()
    fatalities: int | None = None
    injured: int | None = None
    quantities: tuple[Quantity, ...] = ()
    sources: tuple[Source, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    notes: str = ""
    confidence: float = 0.5

    @property
    def event_type(self) -> str:
        return EVENT_TYPES[self.sub_event_type]

    def with_(self, **changes: Any) -> Event:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "date": self.date.isoformat() if self.date else None,
            "time_precision": self.time_precision,
            "location": self.location.to_dict(),
            "actor1": self.actor1.to_dict() if self.actor1 else None,
            "actor2": self.actor2.to_dict() if self.actor2 else None,
            "assoc_actors1": [a.to_dict() for a in self.assoc_actors1],
            "assoc_actors2": [a.to_dict() for a in self.assoc_actors2],
            "fatalities": self.fatalities,
            "injured": self.injured,
            "quantities": [q.to_dict() for q in self.quantities],
            "sources": [s.to_dict() for s in self.sources],
            "evidence": [e.to_dict() for e in self.evidence],
            "notes": self.notes,
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True, slots=True)
class ExtractResult:
    """What ``extract`` returns for one report (spec section 4)."""

    doc_id: str
    published: dt.date | None
    title: str | None
    events: tuple[Event, ...]
    warnings: tuple[str, ...] = ()
    language: str = "ar"
    produced_by: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
            "title": self.title,
            "events": [e.to_dict() for e in self.events],
            "warnings": list(self.warnings),
            "produced_by": dict(self.produced_by),
        }


# ---------------------------------------------------------------------------------------------
# Places (shared by extraction and the geo package)
# ---------------------------------------------------------------------------------------------

Relation = Literal["in", "near", "countryside", "province"]


@dataclass(frozen=True, slots=True)
class Toponym:
    """A place name found in the text.

    ``name`` is the surface form without clitics or cue words (``صيدا`` for ``وصيدا``,
    ``درعا`` for ``مدينة درعا``); ``key`` its normalised matching form. ``start``/``end`` are
    original-text offsets of ``name``. ``cue`` is the normalised cue word that introduced it
    (``بلده``, ``مدينه``, ``ريف``, ``محافظه`` …) or ``""``. ``relation`` says how the text relates
    an event to it: ``in`` the place itself, ``near`` (directional phrase: جنوب، محيط، قرب …),
    ``countryside`` (ريف X), ``province`` (محافظة X, or a province name standing alone).
    ``country_hint`` is set for country names (``SY``) so the resolver can use them as context.
    """

    name: str
    key: str
    start: int
    end: int
    token_index: int
    cue: str = ""
    relation: Relation = "in"
    is_country: bool = False
    country_hint: str | None = None

    @property
    def precision(self) -> int:
        if self.relation == "in":
            return 1
        if self.relation == "province":
            return 3
        return 2


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One place of the packaged gazetteer."""

    id: str  # stable source id: "ocha:C5995", "geonames:268064", "ocha-adm1:SY12" …
    name_ar: str
    name_en: str
    country: str  # ISO2
    admin1: str  # English
    admin2: str
    lat: float
    lon: float
    kind: str  # "country" | "admin1" | "admin2" | "admin3" | "community" | "city" | "neighbourhood" | …
    rank: float  # larger = more prominent (admin level, population)
    population: int | None = None
