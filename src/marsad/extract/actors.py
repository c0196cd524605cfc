"""Actors, sources and the report's country.

Actor phrases come from ``actors.tsv``. A phrase can have several readings for different report
countries (``scope``); the reading whose scope names the report's country wins over a ``*``
reading, and a reading scoped to other countries is dropped. ``@`` and the ``{country}``/``{iso}``
templates are filled in with the report's country.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from marsad.lang.lexicon import ActorEntry, Entry, SourceEntry
from marsad.models import Actor, Document, Source, Toponym
from marsad.text.match import Match, longest_first

ARMED = frozenset({1, 2, 3, 4, 8})


@dataclass(frozen=True, slots=True)
class ActorMention:
    first: int
    last: int
    actor: Actor
    clitic: str = ""  # "ل" in "للنظام": of / for the regime, not the regime acting


@dataclass(frozen=True, slots=True)
class SourceMention:
    first: int
    last: int
    source: Source


def report_country(doc: Document, named: Sequence[str], place_countries: Sequence[str]) -> str | None:
    """The country a report is about: resolved places count twice, country names once
    (names inside an actor phrase, "الجيش الإسرائيلي", do not vote)."""
    votes: Counter[str] = Counter()
    for c in place_countries:
        votes[c] += 2
    for c in named:
        votes[c] += 1
    if not votes:
        return None
    return votes.most_common(1)[0][0]


def find_actors(
    doc: Document,
    matches: Sequence[Match[Entry]],
    country: str | None,
    country_names: dict[str, str],
    places: Sequence[Toponym] = (),
) -> list[ActorMention]:
    """Actor mentions, longest phrase first, readings chosen for the report's country."""
    place_tokens = {t.token_index for t in places}
    by_span: dict[tuple[int, int], list[ActorEntry]] = {}
    for m in matches:
        if isinstance(m.payload, ActorEntry):
            by_span.setdefault((m.first, m.last), []).append(m.payload)
    spans = [m for m in matches if isinstance(m.payload, ActorEntry)]
    out: list[ActorMention] = []
    for m in longest_first(spans):
        if m.first in place_tokens:
            continue  # "ود مدني" is a place, not a civilian
        entry = _pick(by_span[(m.first, m.last)], country)
        if entry is None:
            continue
        actor = _instantiate(entry, doc.text[m.start : m.end], country, country_names)
        if actor is not None:
            out.append(ActorMention(m.first, m.last, actor, m.clitic))
    return out


def _pick(entries: list[ActorEntry], country: str | None) -> ActorEntry | None:
    scoped = [e for e in entries if e.scope and country in e.scope]
    if scoped:
        return scoped[0]
    anywhere = [e for e in entries if not e.scope]
    if anywhere:
        return anywhere[0]
    if country is None and entries:
        return entries[0]  # no idea where we are: take the first reading
    return None


def _instantiate(entry: ActorEntry, surface: str, country: str | None, names: dict[str, str]) -> Actor | None:
    iso = entry.country
    if iso == "@":
        if country is None:
            return None
        iso = country
    name_en = names.get(iso, iso)
    canonical = entry.canonical.replace("{country}", name_en).replace("{iso}", iso)
    return Actor(name=surface, canonical=canonical, inter=entry.inter, country=iso)


def find_sources(doc: Document, matches: Sequence[Match[Entry]]) -> list[SourceMention]:
    spans = [m for m in matches if isinstance(m.payload, SourceEntry)]
    out: list[SourceMention] = []
    for m in longest_first(spans):
        entry = m.payload
        assert isinstance(entry, SourceEntry)
        out.append(SourceMention(m.first, m.last, Source(doc.text[m.start : m.end], entry.canonical, entry.kind)))
    return out
