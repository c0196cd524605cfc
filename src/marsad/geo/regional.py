"""Readers for the village-level sources outside Syria (``SOURCES.md`` §6–9 of the gazetteer folder).

Each reader turns one file format into plain ``Record`` objects; merging them with each other and
with the OCHA/GeoNames places is ``marsad.geo.merge``'s job. Every reader is deterministic (rows
in file order, names in first-seen order) and reads gzipped CSV as stored::

    read_wof(path)              Who's On First admin CSV (one country): regions, counties,
                                localities, neighbourhoods; deprecated/superseded rows dropped
    read_hotosm(path)           HOT OpenStreetMap populated places of Sudan (named points only)
    read_osm_places(path, cc)   OpenStreetMap place nodes (ObiWanLansi GeoData extracts)
    read_ocha_sudan(root)       OCHA COD-AB Sudan states and localities, with their polygons

Arabic names are taken by script, never by language tag: ``name:ara_*`` values written in Latin
letters go to the Latin names.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

csv.field_size_limit(1 << 28)  # WOF ``names_all_json`` cells are long

_ARABIC_LETTERS = re.compile(r"[\u0621-\u063a\u0641-\u064a]")
_ARABIC_ONLY = re.compile(r"^[\u0621-\u063a\u0640-\u0652\u0670\s'\-.()]+$")
# Arabic-script languages whose names are Arabic (not Persian, Kurdish, Urdu, Pashto …)
_ARABIC_LANGS = ("ara", "arz", "apc", "ajp", "acm", "ary", "aeb", "arq", "ayl", "afb")


def is_arabic_name(name: str) -> bool:
    """True for a name written in Arabic letters only (not Persian/Kurdish-specific letters)."""
    return bool(_ARABIC_LETTERS.search(name)) and bool(_ARABIC_ONLY.match(name))


def is_latin_name(name: str) -> bool:
    """A name in Latin letters (ASCII or with diacritics): ``Al Khiyām``, ``Dar'a``."""
    return any(c.isalpha() for c in name) and all(ord(c) < 0x0250 or c in "ʿʾ‘’" for c in name)


@dataclass
class Record:
    """One place as a source gives it (before merging).

    ``kind`` is the gazetteer kind (``admin1``, ``admin2``, ``city``, ``neighbourhood``);
    ``feature`` the source's own class (GeoNames feature code ``PPLA2``, OSM ``village`` …);
    ``admin*_code`` the source's ids for the parents, resolved to names by the builder.
    """

    source_id: str  # "wof:1226640497", "osm:n3395842948", "ocha-sd-adm2:SD07090"
    kind: str
    feature: str
    country: str
    lat: float
    lon: float
    arabic: list[str] = field(default_factory=list)
    latin: list[str] = field(default_factory=list)
    population: int = 0
    gn_id: int | None = None
    admin1_en: str = ""
    admin1_ar: str = ""
    admin2_en: str = ""
    admin2_ar: str = ""
    region_id: str = ""  # WOF: the record's region (named through its GeoNames id)
    gn_admin1: str = ""  # WOF: the GeoNames admin1 code of a locality ("07")


def split_names(values: list[str]) -> tuple[list[str], list[str]]:
    """(Arabic-script names, Latin names) of a list of raw names, first-seen order, no repeats."""
    arabic: dict[str, None] = {}
    latin: dict[str, None] = {}
    for raw in values:
        name = raw.strip()
        if not name:
            continue
        if is_arabic_name(name):
            arabic.setdefault(name)
        elif is_latin_name(name):
            latin.setdefault(name)
    return list(arabic), list(latin)


def _open_csv(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {k: (v or "").strip() for k, v in row.items() if k is not None}


def _float(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: str) -> int:
    try:
        return max(0, int(float(value)))
    except (TypeError, ValueError):
        return 0


def _cells(*values: str) -> list[str]:
    return [v for value in values for v in value.split("|") if v]


# -- Who's On First ----------------------------------------------------------------------------

_WOF_KINDS = {"region": "admin1", "county": "admin2", "locality": "city", "neighbourhood": "neighbourhood"}
# feature class when the record has no GeoNames code (a WOF locality is a populated place)
_WOF_FEATURES = {"admin1": "ADM1", "admin2": "ADM2", "city": "PPL", "neighbourhood": "PPLX"}


def read_wof(path: Path, region_gn: dict[str, int] | None = None) -> Iterator[Record]:
    """Regions, counties, localities and neighbourhoods of one WOF country file. Rows with
    ``edtf_deprecated`` or ``wof_superseded_by`` set are dropped (SOURCES.md §6), after their
    region's GeoNames id is noted in ``region_gn`` (when given)."""
    for r in _open_csv(path):
        if region_gn is not None and r.get("wof_placetype") == "region" and r.get("gn_id"):
            region_gn[r["wof_id"]] = _int(r["gn_id"])
        if r.get("edtf_deprecated") or r.get("wof_superseded_by"):
            continue
        kind = _WOF_KINDS.get(r.get("wof_placetype", ""))
        lat, lon = _float(r.get("latitude", "")), _float(r.get("longitude", ""))
        if kind is None or lat is None or lon is None:
            continue
        if kind in ("admin1", "admin2") and r.get("lbl_latitude"):  # the label point lies inside
            lat = _float(r["lbl_latitude"]) or lat
            lon = _float(r["lbl_longitude"]) or lon
        # English and GeoNames romanisations first: the first Latin name is the English name
        raw = _cells(
            r.get("name_eng_preferred", ""),
            r.get("wof_name", ""),
            r.get("gn_name", ""),
            r.get("gn_asciiname", ""),
            r.get("name_eng_variant", ""),
            r.get("name_und_variant", ""),
        )
        raw += _cells(r.get("name_ara_preferred", ""), r.get("name_ara_variant", ""))
        if r.get("names_all_json"):
            try:
                every = json.loads(r["names_all_json"])
            except json.JSONDecodeError:
                every = {}
            for tag, names in sorted(every.items()):
                lang = tag.split(":", 1)[-1].split("_", 1)[0]
                if lang in _ARABIC_LANGS and isinstance(names, list):
                    raw.extend(n for n in names if isinstance(n, str))
        arabic, latin = split_names(raw)
        gn = _int(r.get("gn_id", "")) or None
        code = r.get("gn_admin1_code", "")
        if code.endswith(".0"):
            code = code[:-2]
        yield Record(
            source_id=f"wof:{r['wof_id']}",
            kind=kind,
            feature=r.get("gn_feature_code") or _WOF_FEATURES[kind],
            country=(r.get("iso_country") or r.get("wof_country", "")).upper(),
            lat=lat,
            lon=lon,
            arabic=arabic,
            latin=latin,
            population=max(_int(r.get("gn_population", "")), _int(r.get("wof_population", ""))),
            gn_id=gn,
            admin1_en=r.get("region_name", ""),
            admin1_ar=next(iter(split_names([r.get("region_name_ara", "")])[0]), ""),
            admin2_en=r.get("county_name", "") if kind != "admin2" else r.get("wof_name", ""),
            admin2_ar=next(iter(split_names([r.get("county_name_ara", "")])[0]), ""),
            region_id=r.get("region_id", ""),
            gn_admin1=code.zfill(2) if code.isdigit() else code,
        )


# -- OpenStreetMap -----------------------------------------------------------------------------

# OSM place=* values kept, and the gazetteer kind they become
_OSM_KINDS = {
    "city": "city",
    "town": "city",
    "village": "city",
    "hamlet": "city",
    "isolated_dwelling": "city",
    "locality": "city",
    "suburb": "neighbourhood",
    "quarter": "neighbourhood",
    "neighbourhood": "neighbourhood",
}


def read_hotosm(path: Path) -> Iterator[Record]:
    """Named populated places of the HOT Sudan export (unnamed hamlets are skipped)."""
    for r in _open_csv(path):
        place = r.get("place", "")
        kind = _OSM_KINDS.get(place)
        lat, lon = _float(r.get("latitude", "")), _float(r.get("longitude", ""))
        if kind is None or lat is None or lon is None:
            continue
        arabic, latin = split_names([r.get("name:ar", ""), r.get("name", ""), r.get("name:en", "")])
        if not arabic and not latin:
            continue
        yield Record(
            source_id=f"osm:{(r.get('osm_type') or 'n')[:1]}{r.get('osm_id', '')}",
            kind=kind,
            feature=place,
            country="SD",
            lat=lat,
            lon=lon,
            arabic=arabic,
            latin=latin,
            population=_int(r.get("population", "")),
        )


def read_osm_places(path: Path, country: str) -> Iterator[Record]:
    """Named OSM place nodes of one country (``tag = place``; islands and the like skipped)."""
    for r in _open_csv(path):
        place = r.get("value", "")
        kind = _OSM_KINDS.get(place)
        lat, lon = _float(r.get("latitude", "")), _float(r.get("longitude", ""))
        if r.get("tag") != "place" or kind is None or lat is None or lon is None:
            continue
        arabic, latin = split_names([r.get("name", ""), r.get("name_en", ""), r.get("name_de", "")])
        if not arabic and not latin:
            continue
        yield Record(
            source_id=f"osm:n{r.get('osm_node_id', '')}",
            kind=kind,
            feature=place,
            country=country,
            lat=lat,
            lon=lon,
            arabic=arabic,
            latin=latin,
            population=_int(r.get("population", "")),
        )


# -- OCHA Sudan --------------------------------------------------------------------------------

Ring = list[tuple[float, float]]  # (lon, lat)


@dataclass
class Area:
    """An admin polygon for point-in-polygon lookup: its rings and bounding box."""

    pcode: str
    rings: list[Ring]
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

    def contains(self, lon: float, lat: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            return False
        inside = False
        for ring in self.rings:  # even-odd rule over every ring (holes included)
            j = len(ring) - 1
            for i in range(len(ring)):
                xi, yi = ring[i]
                xj, yj = ring[j]
                if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
                    inside = not inside
                j = i
        return inside


def read_areas(path: Path, pcode_field: str) -> list[Area]:
    """Polygons of a gzipped GeoJSON file, one ``Area`` per feature, in file order."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    out: list[Area] = []
    for feature in data.get("features", []):
        geom = feature.get("geometry") or {}
        polys = geom.get("coordinates") or []
        if geom.get("type") == "Polygon":
            polys = [polys]
        rings = [[(float(p[0]), float(p[1])) for p in ring] for poly in polys for ring in poly]
        if not rings:
            continue
        xs = [p[0] for ring in rings for p in ring]
        ys = [p[1] for ring in rings for p in ring]
        pcode = str((feature.get("properties") or {}).get(pcode_field, ""))
        out.append(Area(pcode, rings, (min(xs), min(ys), max(xs), max(ys))))
    return out


@dataclass
class SudanAdmin:
    """OCHA COD-AB Sudan: states and localities (records), their polygons, and their names."""

    records: list[Record]
    states: list[Area]
    localities: list[Area]
    names: dict[str, tuple[str, str]]  # pcode -> (English, Arabic)
    parent: dict[str, str]  # locality pcode -> state pcode

    def locate(self, lon: float, lat: float) -> tuple[str, str]:
        """(state pcode, locality pcode) of a point; empty strings outside every polygon."""
        for area in self.localities:
            if area.contains(lon, lat):
                return self.parent.get(area.pcode, ""), area.pcode
        for area in self.states:
            if area.contains(lon, lat):
                return area.pcode, ""
        return "", ""


SUDAN_FILES = (
    "sdn_admin1.csv",
    "sdn_admin2.csv",
    "sdn_adminpoints.csv",
    "sdn_admin1.geojson.gz",
    "sdn_admin2.geojson.gz",
)


def read_ocha_sudan(root: Path) -> SudanAdmin:
    """States (admin1) and localities (admin2) with Arabic and English names, placed on OCHA's
    label point where there is one (else the polygon centre)."""
    points: dict[str, tuple[float, float]] = {}
    for r in _open_csv(root / "sdn_adminpoints.csv"):
        point_level = r.get("admin_level", "")
        pcode = r.get(f"adm{point_level}_pcode", "")
        lat, lon = _float(r.get("y_coord", "")), _float(r.get("x_coord", ""))
        if pcode and lat is not None and lon is not None:
            points[pcode] = (lat, lon)
    records: list[Record] = []
    names: dict[str, tuple[str, str]] = {}
    parent: dict[str, str] = {}
    for level, kind in ((1, "admin1"), (2, "admin2")):
        for r in _open_csv(root / f"sdn_admin{level}.csv"):
            pcode = r[f"adm{level}_pcode"]
            en, ar = r[f"adm{level}_name"], r[f"adm{level}_name1"]
            names[pcode] = (en, ar)
            centre = (_float(r.get("center_lat", "")), _float(r.get("center_lon", "")))
            lat, lon = points.get(pcode, centre)
            if lat is None or lon is None:
                continue
            arabic, latin = split_names([ar, en, r.get(f"adm{level}_ref_name", "")])
            rec = Record(f"ocha-sd-adm{level}:{pcode}", kind, f"ADM{level}", "SD", lat, lon, arabic, latin)
            if level == 2:
                parent[pcode] = r["adm1_pcode"]
                rec.admin2_en, rec.admin2_ar = en, ar
            rec.admin1_en, rec.admin1_ar = r["adm1_name"], r["adm1_name1"]
            records.append(rec)
    states = read_areas(root / "sdn_admin1.geojson.gz", "adm1_pcode")
    localities = read_areas(root / "sdn_admin2.geojson.gz", "adm2_pcode")
    return SudanAdmin(records, states, localities, names, parent)
