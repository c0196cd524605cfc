"""ACLED's vocabulary and one merged event as an ACLED row (the 31 columns, in ACLED's order).

The row is built once (``acled_record``) and written as CSV, Parquet or flat GeoJSON properties,
so a merged event reads the same in every format. Values follow ACLED's published files:

- ``event_date`` ``05 July 2018``; ``year``, ``time_precision``, ``geo_precision``, ``iso``,
  ``fatalities`` and ``timestamp`` integers; ``latitude``/``longitude`` rounded to 4 decimals;
- ``inter1``/``inter2``/``interaction`` as ACLED's labels (``State forces``, ``State
  forces-Civilians``, ``Rebel group only``) or, with ``inter="numbers"``, as the older numeric codes
  (``1``, ``17``, ``20``; ``0`` for a missing actor);
- ``fatalities`` is ``0`` when no report gives a figure (ACLED's rule); ``fatalities_min`` /
  ``fatalities_max`` of the extended formats stay empty then, which is how "no figure" is told from
  "none killed";
- ``event_id_cnty`` is the country's ISO 3166-1 alpha-3 code and the 12 hex digits of the stable
  ``event_id`` (``MRS1A2B…`` in Syria is ``SYR1A2B…``; ``MRS…`` itself when the country is unknown);
- ``disorder_type``, ``civilian_targeting``, ``region``, ``source_scale`` and ``tags`` are derived
  as described in ``docs/store.md``; ``admin2``/``admin3`` come from the gazetteer entry of the
  location where it records them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from marsad.models import EVENT_TYPES

ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
"""ACLED's 31 columns, in the order of ACLED's own exports."""

EXTRA_COLUMNS = (
    "event_id",
    "fatalities_min",
    "fatalities_max",
    "injured",
    "independent_sources",
    "n_mentions",
    "flags",
    "review_state",
)
"""Marsad's columns after ACLED's in Parquet and flat GeoJSON (never in the ACLED CSV)."""

EVENT_TYPE_LABELS = {
    "battles": "Battles",
    "explosions_remote_violence": "Explosions/Remote violence",
    "violence_against_civilians": "Violence against civilians",
    "protests": "Protests",
    "riots": "Riots",
    "strategic_developments": "Strategic developments",
}
SUB_EVENT_LABELS = {
    "armed_clash": "Armed clash",
    "government_regains_territory": "Government regains territory",
    "non_state_actor_overtakes_territory": "Non-state actor overtakes territory",
    "chemical_weapon": "Chemical weapon",
    "air_drone_strike": "Air/drone strike",
    "suicide_bomb": "Suicide bomb",
    "shelling_artillery_missile_attack": "Shelling/artillery/missile attack",
    "remote_explosive_landmine_ied": "Remote explosive/landmine/IED",
    "grenade": "Grenade",
    "sexual_violence": "Sexual violence",
    "attack": "Attack",
    "abduction_forced_disappearance": "Abduction/forced disappearance",
    "peaceful_protest": "Peaceful protest",
    "protest_with_intervention": "Protest with intervention",
    "excessive_force_against_protesters": "Excessive force against protesters",
    "violent_demonstration": "Violent demonstration",
    "mob_violence": "Mob violence",
    "agreement": "Agreement",
    "arrests": "Arrests",
    "change_to_group_activity": "Change to group/activity",
    "disrupted_weapons_use": "Disrupted weapons use",
    "headquarters_or_base_established": "Headquarters or base established",
    "looting_property_destruction": "Looting/property destruction",
    "non_violent_transfer_of_territory": "Non-violent transfer of territory",
    "other": "Other",
}
INTER_LABELS = {
    1: "State forces",
    2: "Rebel group",
    3: "Political militia",
    4: "Identity militia",
    5: "Rioters",
    6: "Protesters",
    7: "Civilians",
    8: "External/Other forces",
}
POLITICAL_VIOLENCE = "Political violence"
_BOTH = "Political violence; Demonstrations"
_DISORDER_BY_SUB = {"excessive_force_against_protesters": _BOTH, "mob_violence": _BOTH}
_DISORDER_BY_TYPE = {
    "battles": POLITICAL_VIOLENCE,
    "explosions_remote_violence": POLITICAL_VIOLENCE,
    "violence_against_civilians": POLITICAL_VIOLENCE,
    "protests": "Demonstrations",
    "riots": "Demonstrations",
    "strategic_developments": "Strategic developments",
}
SOURCE_SCALES = {
    "witness": "Local",
    "correspondent": "Local",
    "official": "National",
    "news_agency": "International",
    "monitor": "Other",
    "activist": "New media",
    "group": "New media",
}
"""Source kind -> ACLED ``source_scale`` (an approximation: Marsad knows a source's kind, not its reach)."""
UNNAMED_SCALES = {
    "Local sources": "Local",
    "Local media": "Local",
    "Field sources": "Local",
    "Medical sources": "Local",
    "Tribal sources": "Local",
    "Palestinian media": "National",
    "Israeli media": "National",
    "Pro-government media": "National",
    "News agencies": "International",
    "Social media": "New media",
}
"""Unnamed sources (kind ``unspecified`` in ``lang/ar/sources.tsv``) whose canonical name says their
reach: "local sources" are Local; the others ("informed sources", "a private source") are Other."""
_SCALE_ORDER = ("Local partner", "Other", "New media", "Local", "Subnational", "National", "Regional", "International")

InterStyle = Literal["labels", "numbers"]
AdminLookup = Callable[[str | None], tuple[str | None, str | None]]
"""``gazetteer_id -> (admin2, admin3)`` (``marsad.store.filters.gazetteer_admin_lookup``)."""


@dataclass(frozen=True, slots=True)
class Country:
    iso2: str
    iso3: str
    iso_numeric: int
    name: str
    region: str
    name_ar: str
    variants: tuple[str, ...]


@functools.cache
def countries() -> dict[str, Country]:
    """ISO2 -> country, from ``store/data/countries.tsv``."""
    out: dict[str, Country] = {}
    path = Path(__file__).parent / "data" / "countries.tsv"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    for line in lines[1:]:
        iso2, iso3, num, name, region, name_ar, variants = (line.split("\t") + [""] * 7)[:7]
        out[iso2] = Country(iso2, iso3, int(num), name, region, name_ar, tuple(v for v in variants.split("|") if v))
    return out


def sub_event_label(sub: str | None) -> str:
    """ACLED's spelling of a sub-event type (``air_drone_strike`` -> ``Air/drone strike``)."""
    if not sub:
        return ""
    return SUB_EVENT_LABELS.get(sub) or sub.replace("_", " ").capitalize()


def event_type_label(event_type: str | None) -> str:
    return EVENT_TYPE_LABELS.get(event_type or "", event_type or "")


def disorder_type(event_type: str | None, sub: str | None) -> str:
    return _DISORDER_BY_SUB.get(sub or "") or _DISORDER_BY_TYPE.get(event_type or "", "")


def interaction(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED's numeric interaction code: the two inter codes, smaller first (``10`` for one actor alone)."""
    if inter1 is None:
        return None
    if inter2 is None:
        return inter1 * 10
    low, high = sorted((inter1, inter2))
    return low * 10 + high


def interaction_label(inter1: int | None, inter2: int | None) -> str:
    """ACLED's interaction label: ``State forces-Civilians``, ``Rebel group only``."""
    if inter1 is None or inter1 not in INTER_LABELS:
        return ""
    if inter2 is None or inter2 not in INTER_LABELS:
        return f"{INTER_LABELS[inter1]} only"
    low, high = sorted((inter1, inter2))
    return f"{INTER_LABELS[low]}-{INTER_LABELS[high]}"


def _inter_label(code: Any) -> str | None:
    return INTER_LABELS.get(code) if isinstance(code, int) else None


def civilian_targeting(ev: Mapping[str, Any]) -> str:
    """``Civilian targeting`` for political violence aimed at civilians (violence against
    civilians, or an event whose second actor is civilians), else empty."""
    if disorder_type(ev.get("event_type"), ev.get("sub_event_type")) != POLITICAL_VIOLENCE:
        return ""
    if ev.get("event_type") == "violence_against_civilians" or (ev.get("actor2") or {}).get("inter") == 7:
        return "Civilian targeting"
    return ""


def source_scale(sources: Any) -> str:
    """ACLED's ``source_scale`` from the kinds of the event's sources (``National-International``)."""
    scales = {_scale(s) for s in sources or [] if s}
    return "-".join(s for s in _SCALE_ORDER if s in scales)


def _scale(source: Any) -> str | None:
    kind = source.get("kind")
    if kind in SOURCE_SCALES:
        return SOURCE_SCALES[kind]
    if kind == "unspecified":
        return UNNAMED_SCALES.get(source.get("canonical"), "Other")
    return None


def acled_date(day: str | None) -> str | None:
    """``2018-07-05`` -> ``05 July 2018`` (ACLED's ``event_date``)."""
    if not day:
        return None
    d = dt.date.fromisoformat(day)
    return f"{d.day:02d} {d.strftime('%B')} {d.year}"


def event_id_cnty(event_id: str, iso2: str | None) -> str:
    country = countries().get((iso2 or "").upper())
    if country is None or not event_id.startswith("MRS"):
        return event_id
    return country.iso3 + event_id.removeprefix("MRS")


def _names(actors: Any) -> str:
    return "; ".join(str(a.get("canonical") or a.get("name")) for a in actors or [] if a)


def _tags(ev: Mapping[str, Any]) -> str:
    tags = []
    if ev.get("event_type") in ("protests", "riots"):
        tags.append("crowd size=no report")
    return "; ".join(tags)


def acled_record(
    ev: Mapping[str, Any], *, inter: InterStyle = "labels", admin: AdminLookup | None = None
) -> dict[str, Any]:
    """One merged event (a spec §6 record) as ACLED's 31 columns followed by ``EXTRA_COLUMNS``.
    Missing values are ``None``; the writers decide how to spell them."""
    loc = ev.get("location") or {}
    a1, a2 = ev.get("actor1") or {}, ev.get("actor2") or {}
    i1, i2 = a1.get("inter"), a2.get("inter")
    iso2 = (loc.get("country") or "").upper()
    country = countries().get(iso2)
    admin2, admin3 = admin(loc.get("gazetteer_id")) if admin is not None else (None, None)
    sources = [s.get("canonical") or s.get("name") for s in ev.get("sources") or []]
    outlets = sorted({m.get("outlet") for m in ev.get("mentions") or [] if m.get("outlet")})
    day = ev.get("date")
    lat, lon = loc.get("lat"), loc.get("lon")
    if inter == "numbers":
        inters: tuple[Any, Any, Any] = (i1 or 0, i2 or 0, interaction(i1, i2) or 0)
    else:
        inters = (_inter_label(i1), _inter_label(i2), interaction_label(i1, i2) or None)
    row: dict[str, Any] = {
        "event_id_cnty": event_id_cnty(str(ev.get("event_id")), iso2),
        "event_date": acled_date(day),
        "year": int(day[:4]) if day else None,
        "time_precision": ev.get("time_precision"),
        "disorder_type": disorder_type(ev.get("event_type"), ev.get("sub_event_type")) or None,
        "event_type": event_type_label(ev.get("event_type")) or None,
        "sub_event_type": sub_event_label(ev.get("sub_event_type")) or None,
        "actor1": a1.get("canonical") or None,
        "assoc_actor_1": _names(ev.get("assoc_actors1")) or None,
        "inter1": inters[0],
        "actor2": a2.get("canonical") or None,
        "assoc_actor_2": _names(ev.get("assoc_actors2")) or None,
        "inter2": inters[1],
        "interaction": inters[2],
        "civilian_targeting": civilian_targeting(ev) or None,
        "iso": country.iso_numeric if country else None,
        "region": country.region if country else None,
        "country": country.name if country else (iso2 or None),
        "admin1": loc.get("admin1") or None,
        "admin2": admin2 or None,
        "admin3": admin3 or None,
        "location": loc.get("name_en") or loc.get("name") or None,
        "latitude": round(float(lat), 4) if lat is not None else None,
        "longitude": round(float(lon), 4) if lon is not None else None,
        "geo_precision": loc.get("geo_precision"),
        "source": "; ".join(dict.fromkeys([*(s for s in sources if s), *outlets])) or None,
        "source_scale": source_scale(ev.get("sources")) or None,
        "notes": ev.get("notes") or None,
        "fatalities": ev.get("fatalities") or 0,
        "tags": _tags(ev) or None,
        "timestamp": ev.get("timestamp"),
        "event_id": ev.get("event_id"),
        "fatalities_min": ev.get("fatalities_min"),
        "fatalities_max": ev.get("fatalities_max"),
        "injured": ev.get("injured"),
        "independent_sources": ev.get("independent_sources"),
        "n_mentions": ev.get("n_mentions"),
        "flags": "; ".join(ev.get("flags") or []) or None,
        "review_state": ev.get("review_state") or "unreviewed",
    }
    return row


def known_types() -> dict[str, str]:
    """Every event and sub-event type: snake_case name -> ACLED label."""
    return {**EVENT_TYPE_LABELS, **{sub: SUB_EVENT_LABELS.get(sub, sub) for sub in EVENT_TYPES}}
