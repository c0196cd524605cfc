"""The whole flow from one report to its events, readable on one screen.

::

    RawDocument ─ prepare ─► Document ─ scan lexicons ─► matches
        ─ toponyms ─► places ─ geoparse (whole report as context) ─► resolved places
        ─ actors, sources, times, numbers ─► spans ─ assemble ─► mentions ─ code ─► ExtractResult

Places are resolved before assembly (not after) because the report's country, which the
resolved places reveal, decides how actor phrases read (``قوات النظام`` is Syria's army in a
Syrian report). Everything here is pure given the lexicons and the gazetteer, which are loaded
once and passed in: the same ``Pipeline`` runs in the CLI, a server or a worker process.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from marsad import __version__
from marsad.errors import EmptyDocumentError, NotArabicError
from marsad.extract import incidents
from marsad.extract.actors import find_actors, find_sources, report_country
from marsad.extract.assemble import Mention, Spans, assemble
from marsad.extract.code import merge_mentions, to_event
from marsad.extract.quantities import Numbers, find_casualties, find_counts
from marsad.extract.times import find_times
from marsad.geo.gazetteer import Gazetteer
from marsad.geo.resolve import Geoparser, Resolution
from marsad.geo.toponyms import find_toponyms
from marsad.lang.lexicon import ActorEntry, CountryWord, Lexicons
from marsad.models import Document, ExtractResult, RawDocument
from marsad.settings import Settings
from marsad.text.prepare import WordCache, prepare

if TYPE_CHECKING:
    from marsad.decide.model import Decisions

log = logging.getLogger(__name__)

COMPONENT = "marsad.extract.rules.v1"
_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff\u0750-\u077f]")
MIN_ARABIC_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class Analysis:
    """One report as the recognisers and the assembler see it: the prepared text, every span,
    the candidate mentions (flagged where the rules would drop them) and the sites they concern."""

    doc: Document
    spans: Spans
    candidates: list[Mention]
    sites: list[incidents.Site]


class Pipeline:
    def __init__(self, lexicons: Lexicons, gazetteer: Gazetteer, decisions: Decisions | None = None) -> None:
        self.lexicons = lexicons
        self.gazetteer = gazetteer
        self.geoparser = Geoparser(gazetteer)
        self.precedence = incidents.Precedence.load()
        self.words = WordCache()  # words repeat across reports: their readings are computed once
        self.decisions = decisions
        self.produced_by = {
            "component": COMPONENT,
            "marsad": __version__,
            "lexicons": lexicons.version,
            "gazetteer": gazetteer.meta.get("build_date", "") if hasattr(gazetteer, "meta") else "",
        }
        if decisions is not None:
            self.produced_by["models"] = decisions.version

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, decisions: Decisions | str | None = "settings"
    ) -> Pipeline:
        """The pipeline with the packaged lexicons, the settings' gazetteer and decision models
        (``settings.models``, else the packaged ones; none with ``settings.rules_only``).
        ``decisions`` overrides the settings: a ``Decisions`` object, or ``None`` for the rules alone."""
        from marsad.decide.model import Decisions

        settings = settings or Settings()
        if isinstance(decisions, str):
            if settings.rules_only:
                decisions = None
            elif settings.models is not None:
                decisions = Decisions.load(settings.models)
            else:
                decisions = Decisions.packaged()
        return cls(Lexicons.load(), Gazetteer.open(settings.gazetteer), decisions)

    def analyse(self, raw: RawDocument) -> Analysis:
        """Everything the recognisers and the assembler find in one report, before deciding
        which events it asserts. Raises ``InputError`` for unusable text."""
        check_text(raw)
        doc = prepare(raw, self.words)
        matches = self.lexicons.scan(doc)
        toponyms = find_toponyms(doc, self.gazetteer, self.lexicons, matches)
        in_actor = {t for m in matches if isinstance(m.payload, ActorEntry) for t in range(m.first, m.last)}
        named = [m.payload.country for m in matches if isinstance(m.payload, CountryWord) and m.first not in in_actor]
        hint = max(named, key=named.count) if named else None  # ties: the first named
        places = self.geoparser.resolve(toponyms, context_country=hint, text=doc.text)
        capital_keys = {"عاصمه"}  # "العاصمة طرابلس": a capital names the report's country outright
        votes = [
            r.entry.country
            for r in places
            if r.entry is not None
            for _ in range(2 if r.toponym.cue in capital_keys else 1)
        ]
        country = report_country(doc, named, votes)
        places = [r for r in places if not _stray(r, country)]
        numbers = Numbers(doc, matches, self.lexicons.words)
        spans = Spans(
            matches=matches,
            places=places,
            actors=find_actors(doc, matches, country, self.lexicons.country_names, toponyms),
            sources=find_sources(doc, matches),
            times=find_times(doc, matches, self.lexicons.words),
            casualties=find_casualties(doc, matches, numbers),
            counts=find_counts(doc, matches, numbers),
            country=country,
            country_names=self.lexicons.country_names,
            words=self.lexicons.words,
        )
        candidates = assemble(doc, spans)
        return Analysis(doc, spans, candidates, incidents.sites(candidates, places))

    def run(self, raw: RawDocument) -> ExtractResult:
        """Extract the events of one report. Raises ``InputError`` for unusable text."""
        analysis = self.analyse(raw)
        if self.decisions is not None:
            mentions = self.decisions.choose(analysis, self.precedence)
        else:
            mentions = merge_mentions([m for m in analysis.candidates if not m.flags])
        return self.result(raw, mentions)

    def result(self, raw: RawDocument, mentions: list[Mention]) -> ExtractResult:
        warnings: list[str] = []
        if raw.published is None:
            warnings.append("published date missing: relative dates (today, yesterday, weekdays) are left unresolved")
        events = tuple(to_event(m) for m in mentions)
        for m in mentions:
            if m.place.warning and m.place.warning not in warnings:
                warnings.append(m.place.warning)
        return ExtractResult(
            doc_id=raw.doc_id,
            published=raw.published,
            title=raw.title,
            events=events,
            warnings=tuple(warnings),
            produced_by=dict(self.produced_by),
        )


def check_text(raw: RawDocument) -> None:
    """Refuse text that cannot be a report: empty, or with (almost) no Arabic."""
    letters = len(_LETTER.findall(raw.text))
    if not letters:
        raise EmptyDocumentError(f"document {raw.doc_id!r} has no text")
    arabic = len(_ARABIC_LETTER.findall(raw.text))
    if arabic / letters < MIN_ARABIC_SHARE:
        raise NotArabicError(f"document {raw.doc_id!r} is not Arabic text ({arabic} of {letters} letters)")


def _stray(r: Resolution, country: str | None) -> bool:
    """An uncued name that resolved to a small place in another country is a common word
    ("جمال", "خرج"), not a place of this report."""
    e = r.entry
    if e is None or country is None or r.toponym.cue or e.country == country:
        return False
    return e.kind not in ("country", "admin1") and (e.population or 0) < 500_000
