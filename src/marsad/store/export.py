"""Writers for merged events: spec §6 JSONL, ACLED-style CSV, GeoJSON and Parquet."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from marsad.errors import ConfigError

FORMATS = ("jsonl", "acled-csv", "geojson", "parquet")

ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "timestamp",
)

COUNTRY_NAMES = {
    "SY": "Syria",
    "LB": "Lebanon",
    "IQ": "Iraq",
    "YE": "Yemen",
    "JO": "Jordan",
    "PS": "Palestine",
    "IL": "Israel",
    "EG": "Egypt",
    "LY": "Libya",
    "SD": "Sudan",
    "SS": "South Sudan",
    "TR": "Turkey",
    "IR": "Iran",
    "SA": "Saudi Arabia",
    "TN": "Tunisia",
    "DZ": "Algeria",
    "MA": "Morocco",
    "SO": "Somalia",
    "ML": "Mali",
    "RU": "Russia",
    "US": "United States",
    "AE": "United Arab Emirates",
    "KW": "Kuwait",
    "QA": "Qatar",
    "BH": "Bahrain",
    "OM": "Oman",
    "MR": "Mauritania",
}

ACLED_EVENT_TYPES = {
    "battles": "Battles",
    "explosions_remote_violence": "Explosions/Remote violence",
    "violence_against_civilians": "Violence against civilians",
    "protests": "Protests",
    "riots": "Riots",
    "strategic_developments": "Strategic developments",
}

_SUB_NAMES = {
    "air_drone_strike": "Air/drone strike",
    "shelling_artillery_missile_attack": "Shelling/artillery/missile attack",
    "remote_explosive_landmine_ied": "Remote explosive/landmine/IED",
    "government_regains_territory": "Government regains territory",
    "non_state_actor_overtakes_territory": "Non-state actor overtakes territory",
    "abduction_forced_disappearance": "Abduction/forced disappearance",
    "headquarters_or_base_established": "Headquarters or base established",
    "looting_property_destruction": "Looting/property destruction",
    "excessive_force_against_protesters": "Excessive force against protesters",
}


def sub_event_name(sub: str | None) -> str:
    """ACLED's spelling of a sub-event type (``air_drone_strike`` -> ``Air/drone strike``)."""
    if not sub:
        return ""
    return _SUB_NAMES.get(sub) or sub.replace("_", " ").capitalize()


def interaction(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED's interaction code: the two inter codes, smaller first (``10`` for one actor alone)."""
    if inter1 is None:
        return None
    if inter2 is None:
        return inter1 * 10
    low, high = sorted((inter1, inter2))
    return low * 10 + high


def acled_row(ev: dict[str, Any]) -> dict[str, Any]:
    """One merged event as an ACLED CSV row."""
    loc = ev.get("location") or {}
    a1, a2 = ev.get("actor1") or {}, ev.get("actor2") or {}
    day = ev.get("date") or ""
    sources = [s.get("canonical") or s.get("name") for s in ev.get("sources") or []]
    outlets = sorted({m.get("outlet") for m in ev.get("mentions") or [] if m.get("outlet")})
    country = loc.get("country")
    return {
        "event_id_cnty": ev.get("event_id"),
        "event_date": day,
        "year": day[:4] if day else "",
        "time_precision": ev.get("time_precision"),
        "event_type": ACLED_EVENT_TYPES.get(ev.get("event_type") or "", ev.get("event_type")),
        "sub_event_type": sub_event_name(ev.get("sub_event_type")),
        "actor1": a1.get("canonical", ""),
        "assoc_actor_1": "; ".join(a.get("canonical", "") for a in ev.get("assoc_actors1") or []),
        "inter1": a1.get("inter", ""),
        "actor2": a2.get("canonical", ""),
        "assoc_actor_2": "; ".join(a.get("canonical", "") for a in ev.get("assoc_actors2") or []),
        "inter2": a2.get("inter", ""),
        "interaction": interaction(a1.get("inter"), a2.get("inter")) or "",
        "country": COUNTRY_NAMES.get(country or "", country or ""),
        "admin1": loc.get("admin1") or "",
        "location": loc.get("name_en") or loc.get("name") or "",
        "latitude": loc.get("lat") if loc.get("lat") is not None else "",
        "longitude": loc.get("lon") if loc.get("lon") is not None else "",
        "geo_precision": loc.get("geo_precision") or "",
        "source": "; ".join(dict.fromkeys([*(s for s in sources if s), *outlets])),
        "notes": ev.get("notes") or "",
        "fatalities": ev.get("fatalities") if ev.get("fatalities") is not None else 0,
        "timestamp": ev.get("timestamp"),
    }


def write_jsonl(events: Iterable[dict[str, Any]], out: IO[str]) -> int:
    n = 0
    for ev in events:
        rec = {k: v for k, v in ev.items() if k != "n_mentions"}
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(events: Iterable[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for ev in events:
        writer.writerow(acled_row(ev))
        n += 1
    return n


def write_geojson(events: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """A FeatureCollection, one Point per event (``null`` geometry when it has no coordinates)."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    n = 0
    for ev in events:
        loc = ev.get("location") or {}
        geometry = None
        if loc.get("lat") is not None and loc.get("lon") is not None:
            geometry = {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]}
        props = {k: v for k, v in ev.items() if k not in ("mentions", "n_mentions")}
        props["doc_ids"] = [m.get("doc_id") for m in ev.get("mentions") or []]
        feature = {"type": "Feature", "id": ev.get("event_id"), "geometry": geometry, "properties": props}
        out.write(("," if n else "") + json.dumps(feature, ensure_ascii=False) + "\n")
        n += 1
    out.write("]}\n")
    return n


def write_parquet(events: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    """ACLED columns plus ``fatalities_min/max``, ``independent_sources`` and ``mentions`` (JSON)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ConfigError("Parquet export needs pyarrow: pip install 'marsad[parquet]'") from exc
    rows = []
    for ev in events:
        row = acled_row(ev)
        row = {k: (None if v == "" else v) for k, v in row.items()}
        row.update(
            fatalities_min=ev.get("fatalities_min"),
            fatalities_max=ev.get("fatalities_max"),
            independent_sources=ev.get("independent_sources"),
            mentions=json.dumps(ev.get("mentions") or [], ensure_ascii=False),
        )
        rows.append(row)
    schema = pa.schema(
        [
            ("event_id_cnty", pa.string()),
            ("event_date", pa.string()),
            ("year", pa.string()),
            ("time_precision", pa.int64()),
            ("event_type", pa.string()),
            ("sub_event_type", pa.string()),
            ("actor1", pa.string()),
            ("assoc_actor_1", pa.string()),
            ("inter1", pa.int64()),
            ("actor2", pa.string()),
            ("assoc_actor_2", pa.string()),
            ("inter2", pa.int64()),
            ("interaction", pa.int64()),
            ("country", pa.string()),
            ("admin1", pa.string()),
            ("location", pa.string()),
            ("latitude", pa.float64()),
            ("longitude", pa.float64()),
            ("geo_precision", pa.int64()),
            ("source", pa.string()),
            ("notes", pa.string()),
            ("fatalities", pa.int64()),
            ("timestamp", pa.int64()),
            ("fatalities_min", pa.int64()),
            ("fatalities_max", pa.int64()),
            ("independent_sources", pa.int64()),
            ("mentions", pa.string()),
        ]
    )
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, out)
    return len(rows)
