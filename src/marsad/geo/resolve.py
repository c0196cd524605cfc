"""Toponym resolution: choose one gazetteer entry per place name, using the whole report as context.

Each candidate gets a score that is a sum of named parts, and every part leaves an English reason,
so a choice can always be explained (``marsad geocode`` prints them)::

    prior        0.02 x rank                     prominence: admin level and population
    kind         -1.0 admin1 / -0.3 admin2-3     a bare name "in" a place means the town, not the area
    country      +2.0                            a country named in the report (or its country hint)
    hint         +1.0                            the report's country passed by the caller
    province     +3.0                            an admin1 named in the report (محافظة X, ريف X, X alone)
    admin1 link  +1.0                            same admin1 as a place resolved earlier
    distance     +2.5 x exp(-km / 50)            the nearest place resolved earlier, within 150 km

Order of work: countries, then provinces and countryside (ريف X), then names whose candidates all
lie within 25 km of each other (anchors), then the rest in document order; a confident choice
(margin ≥ 1) becomes an anchor for what follows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from marsad.geo.gazetteer import Gazetteer
from marsad.models import GazetteerEntry, Location, Toponym

W_PRIOR = 0.02
W_COUNTRY = 2.0
W_HINT = 1.0
W_PROVINCE = 3.0
W_ADMIN1_LINK = 1.0
W_DISTANCE = 2.5
DISTANCE_SCALE_KM = 50.0
DISTANCE_MAX_KM = 150.0
SAME_PLACE_KM = 25.0
CONFIDENT_MARGIN = 1.0
KIND_PENALTY = {"admin1": -1.0, "admin2": -0.3, "admin3": -0.3, "neighbourhood": -0.5, "country": -2.0}
POINT_KINDS = frozenset({"city", "community", "neighbourhood"})
AREA_KINDS = frozenset({"admin1", "country"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A gazetteer entry considered for a toponym, its score and why."""

    entry: GazetteerEntry
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome for one toponym: the chosen entry (None if not in the gazetteer) and the
    candidates considered, best first."""

    toponym: Toponym
    entry: GazetteerEntry | None
    candidates: tuple[Candidate, ...] = ()
    warning: str | None = None

    @property
    def geo_precision(self) -> int:
        """ACLED geo precision: 3 when only a province or country is known."""
        if self.entry is not None and self.entry.kind in AREA_KINDS:
            return 2 if self.toponym.relation in ("countryside", "near") else 3  # "ريف إدلب": part of a province
        return self.toponym.precision

    def location(self) -> Location:
        """The ``Location`` record of this resolution (coordinates None when unresolved)."""
        e = self.entry
        if e is None:
            return Location(name=self.toponym.name, geo_precision=self.geo_precision)
        return Location(
            name=self.toponym.name,
            geo_precision=self.geo_precision,
            name_en=e.name_en,
            gazetteer_id=e.id,
            country=e.country,
            admin1=e.admin1 or None,
            lat=e.lat,
            lon=e.lon,
        )


def distance_km(a: GazetteerEntry, b: GazetteerEntry) -> float:
    """Great-circle distance between two entries, in kilometres."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(min(1.0, h)))


@dataclass
class _Context:
    """What the report has established so far."""

    hint: str | None
    countries: dict[str, str]  # ISO2 -> how the report names it ("'لبنان'", "through province 'درعا'")
    provinces: dict[tuple[str, str], str]  # (country, admin1 English) -> name as written
    anchors: list[tuple[GazetteerEntry, str]]  # resolved places and their names as written


class Geoparser:
    """Resolves the toponyms of one report against a gazetteer (pure given the gazetteer)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def resolve(self, toponyms: Sequence[Toponym], context_country: str | None = None) -> list[Resolution]:
        """Resolve every toponym; the result is in the same order as ``toponyms``."""
        ctx = _Context(
            hint=context_country.upper() if context_country else None, countries={}, provinces={}, anchors=[]
        )
        pools = [self._candidates(t) for t in toponyms]
        done: dict[int, Resolution] = {}

        def settle(i: int, confident_only: bool = False) -> None:
            res = self._choose(toponyms[i], pools[i], ctx)
            done[i] = res
            if res.entry is None:
                return
            margin = res.candidates[0].score - res.candidates[1].score if len(res.candidates) > 1 else math.inf
            kind = res.entry.kind
            if kind == "country":
                ctx.countries.setdefault(res.entry.country, f"'{toponyms[i].name}'")
            elif kind == "admin1":
                ctx.provinces.setdefault((res.entry.country, res.entry.admin1), toponyms[i].name)
                ctx.countries.setdefault(res.entry.country, f"through province '{toponyms[i].name}'")
            elif not confident_only or margin >= CONFIDENT_MARGIN:
                ctx.anchors.append((res.entry, toponyms[i].name))

        order = range(len(toponyms))
        for i in order:  # 1. countries
            if toponyms[i].is_country:
                settle(i)
        for i in order:  # 2. provinces and countryside, and names that only name areas
            if (
                i not in done
                and pools[i]
                and (toponyms[i].relation in ("province", "countryside") or all(e.kind in AREA_KINDS for e in pools[i]))
            ):
                settle(i)
        for i in order:  # 3. anchors: every candidate is (nearly) the same place
            if i not in done and _is_unambiguous(pools[i]):
                settle(i)
        for i in order:  # 4. the rest, in document order
            if i not in done:
                settle(i, confident_only=True)
        return [done[i] for i in order]

    # -- candidates ------------------------------------------------------------------------------

    def _candidates(self, t: Toponym) -> list[GazetteerEntry]:
        """Gazetteer entries a toponym may denote, filtered by what the text says it is."""
        g = self.gazetteer
        if t.is_country:
            entry = g.country(t.country_hint) if t.country_hint else None
            if entry is not None:
                return [entry]
            return [e for e in g.lookup(t.key) if e.kind == "country"] or g.lookup(t.key)
        found = g.lookup(t.key)
        if t.relation == "countryside":
            rural = [e for e in g.lookup(f"ريف {t.key}") if e.kind == "admin1"]  # ريف دمشق = Rural Damascus
            if rural:
                return rural
        if t.relation in ("province", "countryside"):
            areas = [e for e in found if e.kind == "admin1"]
            if areas:
                return areas
        found = [e for e in found if e.kind != "country"] or found
        return _drop_colocated_areas(found)

    # -- scoring ---------------------------------------------------------------------------------

    def _choose(self, t: Toponym, pool: list[GazetteerEntry], ctx: _Context) -> Resolution:
        if not pool:
            return Resolution(t, None, (), f"place '{t.name}' not in gazetteer: kept without coordinates")
        scored = sorted((self._score(t, e, ctx) for e in pool), key=lambda c: (-c.score, -c.entry.rank, c.entry.id))
        return Resolution(t, scored[0].entry, tuple(scored))

    def _score(self, t: Toponym, e: GazetteerEntry, ctx: _Context) -> Candidate:
        score = W_PRIOR * e.rank
        reasons = [_describe(e)]
        wants_area = t.is_country or t.relation in ("province", "countryside")
        if not wants_area and e.kind in KIND_PENALTY:
            score += KIND_PENALTY[e.kind]
            reasons.append(f"{e.kind} for a place named as a town")
        if e.country in ctx.countries and e.kind != "country":
            score += W_COUNTRY
            reasons.append(f"in {e.country}, named in the report ({ctx.countries[e.country]})")
        elif ctx.hint and e.country == ctx.hint:
            score += W_HINT
            reasons.append(f"in {e.country}, the report's country")
        if e.kind != "admin1" and (e.country, e.admin1) in ctx.provinces:
            score += W_PROVINCE
            reasons.append(f"in admin1 {e.admin1} mentioned in the report ('{ctx.provinces[e.country, e.admin1]}')")
        elif e.kind not in AREA_KINDS:
            linked = next((name for a, name in ctx.anchors if a.admin1 == e.admin1 and a.country == e.country), None)
            if linked is not None and e.admin1:
                score += W_ADMIN1_LINK
                reasons.append(f"in admin1 {e.admin1}, like '{linked}' resolved earlier")
        if ctx.anchors and e.kind not in AREA_KINDS:
            km, name = min(
                ((distance_km(e, a), name) for a, name in ctx.anchors if a.id != e.id), default=(math.inf, "")
            )
            if km <= DISTANCE_MAX_KM:
                score += W_DISTANCE * math.exp(-km / DISTANCE_SCALE_KM)
                reasons.append(f"{km:.0f} km from {name}, resolved earlier")
        return Candidate(e, round(score, 3), tuple(reasons))


def _describe(e: GazetteerEntry) -> str:
    where = ", ".join(x for x in (e.admin1, e.country) if x)
    if e.population:
        return f"{e.kind} in {where}, population {e.population:,}"
    return f"{e.kind} in {where} (rank {e.rank:.0f})"


def _is_unambiguous(pool: list[GazetteerEntry]) -> bool:
    """True when every candidate is (nearly) the same place: the towns and sub-districts lie
    within 25 km of each other, and any province among them is the one that holds them."""
    places = [e for e in pool if e.kind not in AREA_KINDS]
    if not places:
        return False
    first = places[0]
    return all(distance_km(first, e) <= SAME_PLACE_KM for e in places) and all(
        (e.country, e.admin1) == (first.country, first.admin1) for e in pool if e.kind in AREA_KINDS
    )


def _drop_colocated_areas(entries: list[GazetteerEntry]) -> list[GazetteerEntry]:
    """Drop admin2/admin3 units that share a name with a town within 25 km (the town is the
    better point: ``بصرى الشام`` the town, not the sub-district)."""
    points = [e for e in entries if e.kind in POINT_KINDS]
    if not points:
        return entries
    return [
        e
        for e in entries
        if e.kind not in ("admin2", "admin3")
        or not any(p.country == e.country and distance_km(p, e) <= SAME_PLACE_KM for p in points)
    ]
