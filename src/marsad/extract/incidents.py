"""Incidents: from candidate mentions to one coded event per place, kind and day.

The assembler proposes *candidate mentions*: every trigger with every place it could concern,
each flagged with what would make a careful coder drop it (told as negated or planned, a place
people came from, a container, the dateline …). This stage decides what the report asserts:

1. **Places.** Candidates and every other place the report names are grouped into *sites*: one
   per distinct place (the same gazetteer entry, or the same name when unknown).
2. **Which events.** For each site and event type, either the rules decide (an unflagged
   candidate of that type there) or a learned model does (``marsad.decide``), from features the
   pipeline already computed. Either way the result is a set of (site, event type) pairs.
3. **One sub-event type per site and event type**, from the precedence table
   ``lang/precedence.tsv`` (suicide bomb over IED and gunfire, an interception over the strike it
   stopped, a takeover over the fighting for it …), and one mention built from the candidates
   that told it (evidence joined, the lowest casualty figure).

Pure: the same inputs give the same events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import cast

from marsad.errors import LexiconError
from marsad.extract.assemble import Mention, lowest_toll
from marsad.geo.resolve import Resolution
from marsad.lang.tables import read_table
from marsad.models import EVENT_TYPES, Document
from marsad.text.normalize import name_key

EVENT_TYPE_NAMES = tuple(dict.fromkeys(EVENT_TYPES.values()))


@dataclass
class Site:
    """One distinct place of a report and everything that concerns it."""

    key: str
    place: Resolution  # the reading used for the event (a candidate's, else the first mention)
    occurrences: list[Resolution] = field(default_factory=list)  # every time the report names it
    candidates: list[Mention] = field(default_factory=list)

    @property
    def first_token(self) -> int:
        return min(r.toponym.token_index for r in self.occurrences) if self.occurrences else 0


def site_key(place: Resolution) -> str:
    """One key per place: the gazetteer entry, else the name as read."""
    e = place.entry
    if e is not None and place.toponym.relation == "countryside" and e.kind not in ("admin1", "country"):
        return f"countryside:{e.id}"  # "ريف حلب" is not the city of Aleppo
    if e is not None:
        return e.id  # "جنوب درعا" and "درعا": one place, told more or less precisely
    return name_key(place.toponym.name)


def sites(candidates: Sequence[Mention], places: Sequence[Resolution]) -> list[Site]:
    """Group candidates and the report's places into sites, in order of first mention."""
    out: dict[str, Site] = {}
    for m in candidates:
        key = site_key(m.place)
        site = out.get(key)
        if site is None:
            site = out[key] = Site(key, m.place)
        site.candidates.append(m)
    for r in places:
        key = site_key(r)
        site = out.get(key)
        if site is None:
            site = out[key] = Site(key, r)
        site.occurrences.append(r)
    for site in out.values():
        if not site.occurrences:
            site.occurrences.append(site.place)
    return sorted(out.values(), key=lambda s: s.first_token)


class Precedence:
    """Which sub-event type an incident gets when several describe it (``precedence.tsv``).

    Each row ranks one sub-event type within its event type; the smaller the rank, the stronger.
    """

    def __init__(self, ranks: dict[str, int], absorbs: dict[str, frozenset[str]]) -> None:
        self.ranks = ranks
        self.absorbs = absorbs

    @classmethod
    def load(cls, path: Path | None = None) -> Precedence:
        path = path or Path(str(resources.files("marsad.lang") / "precedence.tsv"))
        rows = read_table(
            path,
            ("sub_event_type", "rank", "absorbs", "meaning"),
            {"sub_event_type": _sub_event_type, "rank": int, "absorbs": _absorbed},
        )
        ranks = {str(r["sub_event_type"]): int(cast(int, r["rank"])) for r in rows}
        absorbs = {str(r["sub_event_type"]): cast(frozenset[str], r["absorbs"]) for r in rows}
        missing = sorted(set(EVENT_TYPES) - set(ranks))
        if missing:
            raise LexiconError(str(path), 0, f"no rank for {', '.join(missing)}")
        return cls(ranks, absorbs)

    def strongest(self, subs: Sequence[str]) -> str:
        """The reading an incident takes among the sub-event types (of one event type) that tell it."""
        return min(subs, key=lambda s: (self.ranks[s], list(subs).index(s)))

    def absorbed(self, subs: Sequence[str]) -> set[str]:
        """The sub-event types that one incident at one place does not add as events of their own."""
        out: set[str] = set()
        for s in subs:
            out |= self.absorbs.get(s, frozenset()) & set(subs)
        return out


def _sub_event_type(cell: str) -> str:
    if cell not in EVENT_TYPES:
        raise ValueError(f"unknown sub-event type {cell!r}")
    return cell


def _absorbed(cell: str) -> frozenset[str]:
    if cell == "-":
        return frozenset()
    subs = frozenset(c.strip() for c in cell.split(","))
    for s in subs:
        _sub_event_type(s)
    return subs


def build(site: Site, event_type: str, sub_event_type: str, pool: Sequence[Mention], doc: Document) -> Mention:
    """One mention for ``event_type`` at ``site``: the candidates of that type there joined
    (evidence, lowest casualties), else a candidate at the site, else ``pool``'s nearest, retyped;
    with no candidate at all, the place's sentence on the publication day."""
    own = [m for m in site.candidates if EVENT_TYPES[m.sub_event_type] == event_type]
    base_pool = own or list(site.candidates) or list(pool)
    if not base_pool:
        return _bare(site, sub_event_type, doc)
    first = site.first_token  # once: it scans the site's occurrences
    base = min(
        base_pool,
        key=lambda m: (bool(m.flags), m.sub_event_type != sub_event_type, abs(m.trigger_first - first)),
    )
    out = Mention(
        sub_event_type=sub_event_type,
        place=site.place if not own else base.place,
        date=base.date,
        time_precision=base.time_precision,
        actor1=base.actor1,
        assoc1=base.assoc1,
        actor2=base.actor2,
        fatalities=base.fatalities if own else None,
        toll=base.toll if own else None,
        injured=base.injured if own else None,
        quantities=list(base.quantities),
        sources=list(base.sources),
        evidence=list(base.evidence),
        weight=base.weight,
        fallback_place=base.fallback_place if own else False,
        carried_actor=base.carried_actor,
        own_date=base.own_date,
        trigger_text=base.trigger_text,
        trigger_first=base.trigger_first,
        trigger_last=base.trigger_last,
        sentence=base.sentence,
        trigger_cls=base.trigger_cls,
    )
    have_evidence, have_quantities = set(out.evidence), set(out.quantities)  # sets: a long report may join thousands
    for m in own:
        if m is base:
            continue
        for e in m.evidence:
            if e not in have_evidence:
                have_evidence.add(e)
                out.evidence.append(e)
        if not m.flags:
            lowest_toll(out, m)
            out.injured = _lowest(out.injured, m.injured)
        for q in m.quantities:
            if q not in have_quantities:
                have_quantities.add(q)
                out.quantities.append(q)
        if out.actor1 is None and m.actor1 is not None:
            out.actor1, out.assoc1 = m.actor1, m.assoc1
        if out.actor2 is None:
            out.actor2 = m.actor2
    return out


def _bare(site: Site, sub_event_type: str, doc: Document) -> Mention:
    token = site.place.toponym.token_index
    sentence = doc.sentence_of(token)
    s = doc.sentences[sentence]
    return Mention(
        sub_event_type=sub_event_type,
        place=site.place,
        date=doc.published,
        time_precision=2,
        actor1=None,
        assoc1=(),
        actor2=None,
        fatalities=None,
        injured=None,
        quantities=[],
        sources=[],
        evidence=[(s.start, s.end)],
        weight=0.3,
        own_date=False,
        trigger_first=token,
        trigger_last=token + 1,
        sentence=sentence,
    )


def _lowest(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def same_day(a: dt.date | None, b: dt.date | None) -> bool:
    return a == b or a is None or b is None
