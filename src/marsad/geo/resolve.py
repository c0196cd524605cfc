"""Toponym resolution: choose one gazetteer entry per place name, using the whole report as context.

Each candidate gets a score that is a sum of named parts, and every part leaves an English reason,
so a choice can always be explained (``marsad geocode`` prints them)::

    prior        0.02 x rank                     prominence: admin level, population, feature class
    big city     +1.2 x log10(population / 100k) a city of millions over its hamlet namesakes
    kind         -1.0 admin1 / -0.3 admin2-3     a bare name "in" a place means the town, not the area
    country      +2.0                            a country named in the report (or its country hint)
    hint         +1.0                            the report's country passed by the caller
    province     +3.0                            an admin1 named in the report (محافظة X, ريف X, X alone)
    admin1 link  +1.0                            same admin1 as a place resolved earlier
    distance     +2.5 x exp(-km / 50)            the nearest place resolved earlier, within 150 km
    next to it   +3.0 admin / +2.0 country       a unit named right beside the name contains it
                 +2.5 x exp(-km / 20)            ("الرشاد في قضاء الخالص بمحافظة ديالى", "الخيام جنوب لبنان")
                                                 or a town named beside it is near it
    stated       +3.0 / -1.5                     "30 كلم جنوب غرب كركوك": the distance and bearing
                                                 between the candidates agree with the text (or not)

Order of work: countries, then provinces and countryside (ريف X), then names whose candidates all
lie within 25 km of each other (anchors), then the rest in document order; a confident choice
(margin ≥ 1) becomes an anchor for what follows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from marsad.geo.gazetteer import Gazetteer
from marsad.models import GazetteerEntry, Location, Toponym
from marsad.text.normalize import normalize

W_PRIOR = 0.02
W_COUNTRY = 2.0
W_HINT = 1.0
W_PROVINCE = 3.0
W_ADMIN1_LINK = 1.0
W_DISTANCE = 2.5
W_NEXT_ADMIN = 3.0
W_NEXT_COUNTRY = 2.0
W_NEXT_TOWN = 2.5
W_STATED = 3.0
W_DIRECTION = 1.5
W_PROMINENT = 1.2  # per tenfold population above PROMINENT_POPULATION
W_CAPITAL = 3.0  # "العاصمة صنعاء": the text says the place is a capital
CAPITAL_CUES = frozenset({"عاصمه"})
CAPITAL_FEATURES = frozenset({"PPLC", "PPLA"})
PROMINENT_POPULATION = 100_000
W_METRO = 2.0  # a city of a million or more: its name nearly always means it
METRO_POPULATION = 1_000_000
DIRECTION_SCALE_KM = 50.0
W_STATED_WRONG = -1.5
DISTANCE_SCALE_KM = 50.0
DISTANCE_MAX_KM = 150.0
GRID_DEG = 2.0  # a cell spans more than DISTANCE_MAX_KM both ways below GRID_FULL_LAT
GRID_FULL_LAT = 45.0  # further north or south, a row of cells is searched whole
NEXT_SCALE_KM = 20.0
NEXT_MAX_KM = 60.0
NEXT_ADMIN2_KM = 30.0
NEXT_MAX_CHARS = 40  # "X في قضاء Y بمحافظة Z": the names stand this close
NEXT_MAX_TOKENS = 6
NEXT_POOL = 40  # candidates of a neighbour considered (most prominent first)
SAME_PLACE_KM = 25.0
CONFIDENT_MARGIN = 1.0
KIND_PENALTY = {"admin1": -1.0, "admin2": -0.3, "admin3": -0.3, "neighbourhood": -0.5, "country": -2.0}
POINT_KINDS = frozenset({"city", "community", "neighbourhood"})
AREA_KINDS = frozenset({"admin1", "country"})
ADMIN_KINDS = frozenset({"admin1", "admin2", "admin3", "country"})

_BEARINGS = {"شمال": 0.0, "شرق": 90.0, "جنوب": 180.0, "غرب": 270.0}
_COMPASS = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")
_STATED = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(كلم|كم|كيلومترات|كيلومترا|كيلومتر|كيلو متر|كيلو|ميل|اميال)\s*"
    r"(?:(?:الي|نحو)\s+)?(?:(?:ال)?(شمال|جنوب)(?:ي|ا)?(?:\s*(?:ال)?(شرق|غرب)(?:ي|ا)?)?|(?:ال)?(شرق|غرب)(?:ي|ا)?)?"
)
_SENTENCE_END = re.compile(r"[.!?؟؛\n]")
# "… على حجة، كما استهدفت غارة أخرى صنعاء": a comma and a word that opens a new clause part two
# names that are not written beside each other (a list "حجة، صنعاء" or "X، قرب Y" stays)
_NEW_CLAUSE = re.compile(r"[،,]\s*(?:كما|فيما|بينما|في حين|حيث|ثم|وقد|كذلك)\s")


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
    """Distance between two entries in kilometres (equirectangular: within 0.5% of the great
    circle below 1,000 km, at a fraction of its cost; it is computed for every candidate pair)."""
    x = (b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2.0))
    y = b.lat - a.lat
    return 111.195 * math.sqrt(x * x + y * y)


def bearing_deg(frm: GazetteerEntry, to: GazetteerEntry) -> float:
    """Initial compass bearing from one entry to another, degrees clockwise from north."""
    p1, p2 = math.radians(frm.lat), math.radians(to.lat)
    dl = math.radians(to.lon - frm.lon)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360.0


def compass(bearing: float) -> str:
    return _COMPASS[int(((bearing + 22.5) % 360.0) // 45.0)]


@dataclass(frozen=True, slots=True)
class Stated:
    """What the text says about where one place lies from another: "30 كلم جنوب غرب كركوك"."""

    km: float
    bearing: float | None

    def describe(self) -> str:
        where = f" {compass(self.bearing)}" if self.bearing is not None else ""
        return f"{self.km:.0f} km{where}"


def parse_stated(gap: str) -> Stated | None:
    """A distance (and bearing) in the text between two names, or None."""
    m = _STATED.search(normalize(gap))
    if m is None:
        return None
    value = float(m.group(1).replace(",", "."))
    if m.group(2) in ("ميل", "اميال"):
        value *= 1.609
    ns, ew, alone = m.group(3), m.group(4), m.group(5)
    bearing: float | None = None
    if ns and ew:
        a, b = _BEARINGS[ns], _BEARINGS[ew]
        bearing = ((a + b) / 2.0) if not (ns == "شمال" and ew == "غرب") else 315.0
    elif ns or alone:
        bearing = _BEARINGS[ns or alone]
    return Stated(value, bearing)


class _Anchors:
    """Places the report has settled, in the order settled. The nearest anchor of a candidate is
    kept from one question to the next and brought up to date with the anchors settled since, and
    only anchors in the neighbouring cells of a GRID_DEG grid are measured: a long report asks
    about the same candidates again and again (a 300 KB report settles hundreds of places)."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._settled: list[tuple[GazetteerEntry, str, tuple[int, int]]] = []
        self._known: dict[str, tuple[int, tuple[float, str]]] = {}  # id -> (anchors seen, nearest)

    def __bool__(self) -> bool:
        return bool(self._settled)

    def add(self, entry: GazetteerEntry, name: str) -> None:
        if entry.id not in self._ids:
            self._ids.add(entry.id)
            self._settled.append((entry, name, _cell(entry)))

    def nearest(self, e: GazetteerEntry) -> tuple[float, str]:
        """Distance to the nearest other anchor and its name, or (inf, "") when none lies
        within DISTANCE_MAX_KM."""
        seen, best = self._known.get(e.id, (0, (math.inf, "")))
        row, col = _cell(e)
        reach = 1 if abs(e.lat) < GRID_FULL_LAT else int(360 / GRID_DEG)
        for a, name, (r, c) in self._settled[seen:]:
            if abs(r - row) <= 1 and abs(c - col) <= reach and a.id != e.id:
                best = min(best, (distance_km(e, a), name))
        self._known[e.id] = (len(self._settled), best)
        return best if best[0] <= DISTANCE_MAX_KM else (math.inf, "")


def _cell(e: GazetteerEntry) -> tuple[int, int]:
    return math.floor(e.lat / GRID_DEG), math.floor(e.lon / GRID_DEG)


@dataclass
class _Context:
    """What the report has established so far."""

    hint: str | None
    countries: dict[str, str]  # ISO2 -> how the report names it ("'لبنان'", "through province 'درعا'")
    provinces: dict[tuple[str, str], str]  # (country, admin1 English) -> name as written
    anchors: _Anchors  # resolved places and their names as first written
    linked: dict[tuple[str, str], str] = field(default_factory=dict)  # (country, admin1) of an anchor -> its name
    done: dict[int, GazetteerEntry | None] = field(default_factory=dict)


class Geoparser:
    """Resolves the toponyms of one report against a gazetteer (pure given the gazetteer)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def resolve(
        self, toponyms: Sequence[Toponym], context_country: str | None = None, text: str | None = None
    ) -> list[Resolution]:
        """Resolve every toponym; the result is in the same order as ``toponyms``. With the
        report's ``text``, a stated distance and direction between two names ("30 كلم جنوب
        كركوك") is checked against each candidate's coordinates, and names across a sentence
        end are not "next to" each other."""
        ctx = _Context(
            hint=context_country.upper() if context_country else None, countries={}, provinces={}, anchors=_Anchors()
        )
        pools = [self._candidates(t) for t in toponyms]
        near = _neighbours(toponyms, text)
        directions = {i: d for i, t in enumerate(toponyms) if (d := _direction_before(t, text)) is not None}
        done: dict[int, Resolution] = {}

        def settle(i: int, confident_only: bool = False) -> None:
            res = self._choose(i, toponyms, pools, near, directions, ctx)
            done[i] = res
            ctx.done[i] = res.entry
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
                ctx.anchors.add(res.entry, toponyms[i].name)
                ctx.linked.setdefault((res.entry.country, res.entry.admin1), toponyms[i].name)

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

    def _choose(
        self,
        i: int,
        toponyms: Sequence[Toponym],
        pools: list[list[GazetteerEntry]],
        near: dict[int, list[tuple[int, Stated | None]]],
        directions: dict[int, float],
        ctx: _Context,
    ) -> Resolution:
        t, pool = toponyms[i], pools[i]
        if not pool:
            return Resolution(t, None, (), f"place '{t.name}' not in gazetteer: kept without coordinates")
        beside = [
            _Beside(
                toponyms[j].name,
                [e] if (e := ctx.done.get(j)) is not None else pools[j][:NEXT_POOL],
                stated,
                directions.get(j) if toponyms[j].relation == "near" else None,
            )
            for j, stated in near.get(i, [])
            if toponyms[j].key != t.key and (j not in ctx.done or ctx.done[j] is not None)
        ]
        scored = sorted(
            (self._score(t, e, ctx, beside) for e in pool), key=lambda c: (-c.score, -c.entry.rank, c.entry.id)
        )
        return Resolution(t, scored[0].entry, tuple(scored))

    def _score(
        self,
        t: Toponym,
        e: GazetteerEntry,
        ctx: _Context,
        beside: list[_Beside],
    ) -> Candidate:
        score = W_PRIOR * e.rank
        reasons = [self._describe(e)]
        if e.population and e.population > PROMINENT_POPULATION and e.kind not in AREA_KINDS:
            big = W_PROMINENT * math.log10(e.population / PROMINENT_POPULATION)
            big += W_METRO if e.population >= METRO_POPULATION else 0.0
            score += big  # a city of millions is meant over its hamlet namesakes unless the text says otherwise
            reasons.append(f"a city of {e.population:,} people")
        if t.cue in CAPITAL_CUES and e.kind not in AREA_KINDS and self._capital(e):
            score += W_CAPITAL
            reasons.append("a capital or a city of its size, as the text calls it one")
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
            linked = ctx.linked.get((e.country, e.admin1))
            if linked is not None and e.admin1:
                score += W_ADMIN1_LINK
                reasons.append(f"in admin1 {e.admin1}, like '{linked}' resolved earlier")
        if ctx.anchors and e.kind not in AREA_KINDS:
            km, name = ctx.anchors.nearest(e)
            if km <= DISTANCE_MAX_KM:
                score += W_DISTANCE * math.exp(-km / DISTANCE_SCALE_KM)
                reasons.append(f"{km:.0f} km from {name}, resolved earlier")
        for b in beside:
            part, why = _beside(e, b)
            if why:
                score += part
                reasons.append(why)
        return Candidate(e, round(score, 3), tuple(reasons))

    def _capital(self, e: GazetteerEntry) -> bool:
        """A seat of government (GeoNames PPLC/PPLA) or a city big enough to be one."""
        return (e.population or 0) >= PROMINENT_POPULATION or self.gazetteer.feature(e.id) in CAPITAL_FEATURES

    def _describe(self, e: GazetteerEntry) -> str:
        where = ", ".join(x for x in (e.admin2, e.admin1, e.country) if x)
        feature = self.gazetteer.feature(e.id)
        what = f"{e.kind} ({feature})" if feature and feature not in ("ADM1", "ADM2", "ADM3") else e.kind
        if e.population:
            return f"{what} in {where}, population {e.population:,}"
        return f"{what} in {where} (rank {e.rank:.0f})"


@dataclass(frozen=True, slots=True)
class _Beside:
    """A name written right beside the one being resolved: its candidates (or its choice), a
    distance the text states between them, and the bearing of a direction word before it."""

    name: str
    others: list[GazetteerEntry]
    stated: Stated | None
    direction: float | None  # "جنوب لبنان": 180


def cue_bearing(cue: str) -> float | None:
    """The compass bearing of a direction cue (``جنوب``, ``شمال غربي`` …), or None."""
    words = [w.removesuffix("ي").removeprefix("ال") for w in cue.split()]
    ns = next((w for w in words if w in ("شمال", "جنوب")), None)
    ew = next((w for w in words if w in ("شرق", "غرب")), None)
    if ns and ew:
        return 315.0 if (ns, ew) == ("شمال", "غرب") else (_BEARINGS[ns] + _BEARINGS[ew]) / 2.0
    if ns or ew:
        return _BEARINGS[ns or ew or ""]
    return None


def _beside(e: GazetteerEntry, b: _Beside) -> tuple[float, str | None]:
    """The best agreement between candidate ``e`` and a name written right beside it: a unit
    that contains it, a town near it, a stated distance and bearing, or the part of a country
    or province that a direction word names ("جنوب لبنان")."""
    name, others, stated = b.name, b.others, b.stated
    best: tuple[float, str | None] = (0.0, None)
    for a in others:
        if a.id == e.id:
            continue
        part, why = 0.0, None
        if stated is not None and a.kind not in ADMIN_KINDS and e.kind not in AREA_KINDS:
            km = distance_km(a, e)
            agrees = abs(km - stated.km) <= max(8.0, 0.35 * stated.km)
            if stated.bearing is not None:
                turn = abs((bearing_deg(a, e) - stated.bearing + 180.0) % 360.0 - 180.0)
                agrees = agrees and turn <= 50.0
            if agrees:
                part = W_STATED
                why = (
                    f"{km:.0f} km {compass(bearing_deg(a, e))} of '{name}', as the report states ({stated.describe()})"
                )
            elif km > 2 * stated.km + 20:
                part = W_STATED_WRONG
                why = f"{km:.0f} km from '{name}', the report says {stated.describe()}"
        elif a.country != e.country:
            continue
        elif (
            b.direction is not None
            and a.kind in AREA_KINDS
            and e.kind not in AREA_KINDS
            and (a.kind == "country" or a.admin1 == e.admin1)
        ):
            toward = distance_km(a, e) * math.cos(math.radians(bearing_deg(a, e) - b.direction))
            part = W_NEXT_COUNTRY + W_DIRECTION * max(0.0, min(1.0, toward / DIRECTION_SCALE_KM))
            why = f"{toward:.0f} km {compass(b.direction)} of the centre of {a.name_en}, as '{name}' is qualified"
        elif a.kind == "country":
            part, why = W_NEXT_COUNTRY, f"in {a.country}, named next to it ('{name}')"
        elif a.kind == "admin1":
            if e.admin1 == a.admin1 and e.kind != "admin1":
                part, why = W_NEXT_ADMIN, f"in admin1 {a.admin1}, named next to it ('{name}')"
        elif a.kind in ("admin2", "admin3"):
            if e.kind not in AREA_KINDS and (
                (e.admin2 and e.admin2 == a.admin2) or distance_km(a, e) <= NEXT_ADMIN2_KM
            ):
                part, why = W_NEXT_ADMIN, f"in {a.kind} {a.name_en or a.admin2}, named next to it ('{name}')"
        elif e.kind not in AREA_KINDS:
            km = distance_km(a, e)
            if km <= NEXT_MAX_KM:
                part = W_NEXT_TOWN * math.exp(-km / NEXT_SCALE_KM)
                why = f"{km:.0f} km from '{name}', named next to it"
        if why is not None and (part > best[0] or best[1] is None):
            best = (part, why)
    return best


_DIRECTION_BEFORE = re.compile(r"(?:ال)?(شمال|جنوب|شرق|غرب)(?:ي)?(?:\s+(?:ال)?(شرق|غرب)(?:ي)?)?\s*$")


def _direction_before(t: Toponym, text: str | None) -> float | None:
    """The bearing of a direction word right before a name ("جنوب لبنان", "شمال غربي حلب"):
    from the text when there is one, else from the toponym's cue."""
    if t.relation != "near":
        return None
    if text is None or t.start > len(text):
        return cue_bearing(t.cue)
    m = _DIRECTION_BEFORE.search(normalize(text[max(0, t.start - 24) : t.start]))
    return cue_bearing(" ".join(g for g in m.groups() if g)) if m else cue_bearing(t.cue)


def _neighbours(toponyms: Sequence[Toponym], text: str | None) -> dict[int, list[tuple[int, Stated | None]]]:
    """For each toponym, the toponyms written right beside it (within a few words, same
    sentence), with any distance the text states between them."""
    out: dict[int, list[tuple[int, Stated | None]]] = {}
    order = sorted(range(len(toponyms)), key=lambda k: toponyms[k].start)
    for pos, i in enumerate(order):
        a = toponyms[i]
        for j in order[pos + 1 :]:
            b = toponyms[j]
            if b.start - a.end > NEXT_MAX_CHARS or b.token_index - a.token_index > NEXT_MAX_TOKENS:
                break
            gap = text[a.end : b.start] if text is not None and b.start >= a.end else ""
            if gap and (_SENTENCE_END.search(gap) or _NEW_CLAUSE.search(gap)):
                break
            stated = parse_stated(gap) if gap else None
            out.setdefault(i, []).append((j, stated))  # "X, 30 km south of Y": X placed from Y
            out.setdefault(j, []).append((i, None))
    return out


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
