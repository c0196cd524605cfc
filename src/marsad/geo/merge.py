"""Merging the village-level sources into the gazetteer: one entry per place, all its spellings.

A record joins an existing place when it carries the same GeoNames id, or when they share a
normalised name (Arabic or Latin) and lie within a few kilometres (``MERGE_KM``; more for towns
and cities, whose points differ between sources). Otherwise it becomes a new place. Sources are
merged in a fixed order (OCHA, GeoNames, Who's On First, HOT Sudan, OSM), so the earlier source
keeps the id, the display names and the coordinates, and the later ones add spellings,
population, feature class, admin names and their source ids.

Every place gets admin1/admin2 names in English and Arabic: from the record's own hierarchy (WOF
region and county, OCHA Sudan's polygons), else from the nearest placed neighbour in the same
country. First-level names are always the gazetteer's canonical ones (OCHA for Syria, GeoNames
elsewhere), so ``admin1`` compares equal across sources.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from marsad.geo.place import Place, arabic_keys, km, latin_keys
from marsad.geo.regional import Record, SudanAdmin

log = logging.getLogger(__name__)

MERGE_KM = 5.0
MERGE_TOWN_KM = 12.0
MERGE_ADMIN2_KM = 30.0  # district label points differ between sources
NEIGHBOUR_KM = 40.0
_TOWN_FEATURES = frozenset({"PPLC", "PPLA", "PPLA2", "city", "town"})


def record_keys(rec: Record) -> set[str]:
    keys: set[str] = set()
    for name in rec.arabic:
        keys |= arabic_keys(name)
    for name in rec.latin:
        keys |= latin_keys(name)
    return keys


class PlaceIndex:
    """Places by matching key and by 0.1-degree cell, kept current as places are added."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.by_key: dict[str, list[Place]] = defaultdict(list)
        self.cells: dict[tuple[str, int, int], list[Place]] = defaultdict(list)
        for p in places:
            self.add(p)

    def add(self, place: Place, keys: set[str] | None = None) -> None:
        for key in keys if keys is not None else place.match_keys():
            bucket = self.by_key[key]
            if place not in bucket:
                bucket.append(place)
        if place.kind not in ("country", "admin1"):
            self.cells[(place.country, int(place.lat * 10), int(place.lon * 10))].append(place)

    def match(self, rec: Record, keys: set[str]) -> Place | None:
        """The nearest place of the record's country that shares a key, within merge distance."""
        town = rec.feature in _TOWN_FEATURES or rec.population >= 20_000
        best: tuple[float, str, Place] | None = None
        for key in keys:
            for p in self.by_key.get(key, ()):
                if p.country != rec.country or (p.kind in ("country", "admin1")) != (rec.kind == "admin1"):
                    continue
                if (p.kind == "admin2") != (rec.kind == "admin2"):
                    continue
                d = km(rec.lat, rec.lon, p.lat, p.lon)
                limit = (
                    MERGE_TOWN_KM if town or p.feature in _TOWN_FEATURES or (p.population or 0) >= 20_000 else MERGE_KM
                )
                if d <= limit and (best is None or (d, p.id) < best[:2]):
                    best = (d, p.id, p)
        return best[2] if best else None

    def neighbours(self, country: str, lat: float, lon: float) -> Iterator[tuple[float, Place]]:
        """Places of ``country`` near a point (within about 40 km), ring of cells by ring of
        cells outwards, nearest first within a ring (callers stop at the first that serves)."""
        ci, cj = int(lat * 10), int(lon * 10)
        for ring in range(4):
            found = [
                (km(lat, lon, p.lat, p.lon), p.id, p)
                for i in range(ci - ring, ci + ring + 1)
                for j in range(cj - ring, cj + ring + 1)
                if max(abs(i - ci), abs(j - cj)) == ring
                for p in self.cells.get((country, i, j), ())
            ]
            for d, _, p in sorted(found, key=lambda x: (x[0], x[1])):
                if d <= NEIGHBOUR_KM:
                    yield d, p


@dataclass(frozen=True, slots=True)
class Admin1:
    """A canonical first-level division: English name (the ``admin1`` column) and Arabic name."""

    en: str
    ar: str


class RegionalMerger:
    """Adds records to ``places`` (a builder's dict), merging or creating, in the order given."""

    def __init__(
        self,
        places: dict[str, Place],
        by_gn: dict[int, Place],
        admin1_by_gn: dict[int, Admin1],
        admin1_by_code: dict[str, Admin1],
    ) -> None:
        self.places = places
        self.by_gn = by_gn  # GeoNames id -> the place that holds it
        self.admin1_by_gn = admin1_by_gn  # GeoNames id of an admin1 feature -> its canonical names
        self.admin1_by_code = admin1_by_code  # GeoNames admin1 code ("LB.07") -> its canonical names
        self.index = PlaceIndex(p for p in places.values() if p.kind != "country")
        self.merged = 0
        self.created = 0

    def add_all(self, records: Iterable[Record], id_of: str = "source") -> None:
        for rec in records:
            self.add(rec, id_of)

    def add(self, rec: Record, id_of: str = "source") -> Place:
        keys = record_keys(rec)
        place = self.by_gn.get(rec.gn_id) if rec.gn_id else None
        if place is not None and place.country != rec.country:
            place = None
        if place is None:
            place = self.index.match(rec, keys)
        if place is not None:
            self._enrich(place, rec)
            self.index.add(place, keys)
            self.merged += 1
            return place
        pid = f"geonames:{rec.gn_id}" if id_of == "geonames" and rec.gn_id else rec.source_id
        if pid in self.places:
            pid = rec.source_id
        place = Place(
            pid,
            rec.arabic[0] if rec.arabic else "",
            rec.latin[0] if rec.latin else "",
            rec.country,
            rec.admin1_en,
            rec.admin2_en,
            rec.lat,
            rec.lon,
            rec.kind,
            rec.population or None,
            set(rec.arabic[1:]) | set(rec.latin[1:]),
            rec.feature,
            rec.admin1_ar,
            rec.admin2_ar,
            {rec.source_id} | ({f"geonames:{rec.gn_id}"} if rec.gn_id else set()),
            latin_variants=False,
        )
        self.places[pid] = place
        if rec.gn_id:
            self.by_gn.setdefault(rec.gn_id, place)
        self.index.add(place, keys | place.match_keys())
        self.created += 1
        return place

    def _enrich(self, place: Place, rec: Record) -> None:
        place.variants |= set(rec.arabic) | set(rec.latin)
        if not place.name_ar and rec.arabic:
            place.name_ar = rec.arabic[0]
        if not place.name_en and rec.latin:
            place.name_en = rec.latin[0]
        if rec.population and rec.population > (place.population or 0):
            place.population = rec.population
        if not place.feature or (place.feature in ("city", "town", "village") and rec.feature.startswith("PPL")):
            place.feature = rec.feature or place.feature
        if not place.admin2 and rec.admin2_en:
            place.admin2, place.admin2_ar = rec.admin2_en, rec.admin2_ar
        if not place.admin2_ar and rec.admin2_ar and rec.admin2_en == place.admin2:
            place.admin2_ar = rec.admin2_ar
        if not place.admin1 and rec.admin1_en:
            place.admin1, place.admin1_ar = rec.admin1_en, rec.admin1_ar
        place.sources.add(rec.source_id)
        if rec.gn_id:
            place.sources.add(f"geonames:{rec.gn_id}")
            self.by_gn.setdefault(rec.gn_id, place)

    # -- admin names ------------------------------------------------------------------------------

    def name_wof_admins(self, records: list[Record], region_gn: dict[str, int], country: str) -> None:
        """Give WOF records their canonical admin1 (the GeoNames admin1 of their region);
        Syrian ones are named by the nearest OCHA community instead (OCHA names Syria's
        governorates)."""
        for rec in records:
            admin = self.admin1_by_gn.get(region_gn.get(rec.region_id, 0))
            if admin is None and rec.gn_admin1:
                admin = self.admin1_by_code.get(f"{country}.{rec.gn_admin1}")
            if country == "SY":
                near = next(
                    (p for _, p in self.index.neighbours("SY", rec.lat, rec.lon) if p.kind == "community"), None
                )
                admin = Admin1(near.admin1, near.admin1_ar) if near is not None else None
            if admin is not None:
                rec.admin1_en, rec.admin1_ar = admin.en, admin.ar or rec.admin1_ar
            elif rec.kind != "admin1":
                rec.admin1_en = ""

    def name_sudan_admins(self, records: Iterable[Record], sudan: SudanAdmin, state_names: dict[str, Admin1]) -> None:
        """Sudanese points: state and locality from OCHA's polygons."""
        for rec in records:
            state, locality = sudan.locate(rec.lon, rec.lat)
            if state in state_names:
                rec.admin1_en, rec.admin1_ar = state_names[state].en, state_names[state].ar
            if locality:
                rec.admin2_en, rec.admin2_ar = sudan.names.get(locality, ("", ""))

    def fill_from_neighbours(self) -> int:
        """Places still without admin1/admin2 names take those of their nearest named neighbour
        of the same country (OSM nodes carry no hierarchy)."""
        filled = 0
        for pid in sorted(self.places):
            p = self.places[pid]
            if p.kind in ("country", "admin1") or (p.admin1 and p.admin2):
                continue
            for _, q in self.index.neighbours(p.country, p.lat, p.lon):
                if q is p or q.kind in ("admin1", "country"):
                    continue
                if not p.admin1 and q.admin1:
                    p.admin1, p.admin1_ar = q.admin1, q.admin1_ar
                    filled += 1
                if not p.admin2 and q.admin2 and q.admin1 == p.admin1 and p.kind != "admin2":
                    p.admin2, p.admin2_ar = q.admin2, q.admin2_ar
                if p.admin1 and (p.admin2 or p.kind == "admin2"):
                    break
        return filled


def sudan_state_map(sudan: SudanAdmin, towns: Iterable[tuple[float, float, str]]) -> dict[str, str]:
    """OCHA state pcode -> GeoNames admin1 code, by the vote of GeoNames towns inside each state."""
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for lat, lon, code in towns:
        state, _ = sudan.locate(lon, lat)
        if state and code:
            votes[state][code] += 1
    return {state: max(sorted(v), key=lambda c: v[c]) for state, v in sorted(votes.items())}
