"""What users type into ``--type``, ``--country`` and ``--admin1``, as the values the store holds.

- types: snake_case (``air_drone_strike``) or ACLED's labels (``Air/drone strike``,
  ``Explosions/Remote violence``), in any case;
- countries: ISO 3166-1 alpha-2 or alpha-3 codes, English (ACLED's spelling and common variants)
  or Arabic names (``SY``, ``SYR``, ``Syria``, ``سوريا``);
- provinces: English in any spelling the loose key folds (``Daraa`` = ``Dar'a``), or any name the
  gazetteer knows for a first-level division, Arabic included (``درعا``).

An unknown value is a ``ConfigError`` that names the closest valid values (rapidfuzz), never a
silent empty result. Values are compared whole: ``%`` and ``_`` are characters, not wildcards.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from marsad.errors import ConfigError, GazetteerError
from marsad.store.acled import AdminLookup, countries, known_types
from marsad.store.base import EventQuery, Store
from marsad.store.merge import admin1_key
from marsad.text.normalize import name_key

if TYPE_CHECKING:
    from marsad.geo.gazetteer import Gazetteer

GazetteerFactory = Callable[[], "Gazetteer | None"]
_NON_WORD = re.compile(r"[^0-9a-z]+")


def closest(value: str, choices: Iterable[str], limit: int = 3) -> list[str]:
    """The ``limit`` choices nearest ``value`` (case-insensitive)."""
    pool = sorted(set(choices))
    found = process.extract(value.lower(), [c.lower() for c in pool], scorer=fuzz.WRatio, limit=limit)
    return [pool[idx] for _, _, idx in found]


def _unknown(option: str, value: str, choices: Iterable[str]) -> ConfigError:
    near = closest(value, choices)
    hint = f"; closest: {', '.join(near)}" if near else ""
    return ConfigError(f"{option}: unknown value {value!r}{hint}")


def type_key(value: str) -> str:
    """``Air/drone strike`` -> ``air_drone_strike``."""
    return _NON_WORD.sub("_", value.strip().lower()).strip("_")


def resolve_type(value: str) -> str:
    """A snake_case event or sub-event type for a name or ACLED label."""
    names = known_types()
    key = type_key(value)
    if key in names:
        return key
    labels = {type_key(label): name for name, label in names.items()}
    if key in labels:
        return labels[key]
    raise _unknown("--type", value, [*names, *names.values()])


def resolve_country(value: str, stored: Iterable[str] = ()) -> str:
    """An ISO 3166-1 alpha-2 code for a code or an English or Arabic country name (or a code
    that events in the store carry)."""
    text = value.strip()
    table = countries()
    by_name: dict[str, str] = {}
    for c in table.values():
        for name in (c.iso2, c.iso3, c.name, *c.variants):
            by_name[name.lower()] = c.iso2
        for name in (c.name_ar, *c.variants):
            by_name[name_key(name)] = c.iso2
    found = by_name.get(text.lower()) or by_name.get(name_key(text))
    if found:
        return found
    if text.upper() in {s.upper() for s in stored}:
        return text.upper()  # a country outside the table, but events have it
    raise _unknown("--country", value, [n for c in table.values() for n in (c.iso2, c.name, c.name_ar)])


def resolve_admin1(
    value: str, stored: Iterable[str], gazetteer: GazetteerFactory, country: str | None
) -> tuple[str, ...]:
    """Province names to filter on: the stored ones ``value`` spells (loose key), else the English
    names of the gazetteer's first-level divisions called ``value`` (in ``country`` when given)."""
    key = admin1_key(value)
    if not key or any(ch in value for ch in "%_*?"):
        raise ConfigError(f"--admin1: {value!r} is not a province name (no wildcards: give a whole name)")
    stored = list(stored)
    same = tuple(sorted({s for s in stored if admin1_key(s) == key}))
    if same:
        return same
    gaz = gazetteer()
    units: list[str] = []
    if gaz is not None:
        found = [e for e in gaz.lookup(name_key(value)) if e.kind == "admin1"]
        found = [e for e in found if country is None or e.country == country.upper()]
        if found:
            return tuple(sorted({e.name_en for e in found}))
        for iso2 in [country.upper()] if country else sorted(countries()):
            units.extend(e.name_en for e in gaz.admin1_units(iso2))
    raise _unknown("--admin1", value, [*stored, *units])


def resolve(
    store: Store,
    *,
    country: str | None = None,
    admin1: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    type_: str | None = None,
    limit: int | None = None,
    gazetteer: GazetteerFactory | None = None,
) -> EventQuery:
    """An ``EventQuery`` from what a user typed; ``ConfigError`` for a value that matches nothing."""
    iso2 = resolve_country(country, store.values("country")) if country else None
    names = None
    if admin1:
        names = resolve_admin1(admin1, store.values("admin1"), gazetteer or (lambda: None), iso2)
    if since and until and since > until:
        raise ConfigError(f"--since {since} is after --until {until}")
    return EventQuery(
        country=iso2,
        admin1=names,
        since=since,
        until=until,
        type=resolve_type(type_) if type_ else None,
        limit=limit,
    )


def open_gazetteer_factory(path: object = None) -> GazetteerFactory:
    """A function that opens the gazetteer once, on first use (``None`` when it cannot be opened:
    filters and exports then work without it)."""
    opened: list[Gazetteer | None] = []

    def factory() -> Gazetteer | None:
        if not opened:
            from pathlib import Path

            from marsad.geo.gazetteer import Gazetteer

            try:
                opened.append(Gazetteer.open(Path(str(path)) if path else None))
            except GazetteerError:
                opened.append(None)
        return opened[0]

    return factory


class GazetteerPlaces:
    """Read-only access to the ``places`` of a gazetteer file by id, without loading its name index
    (``Gazetteer.open`` holds every name key in memory, some 60 MB: too much for an export that
    only needs the districts of the places it writes). Any error reads as "not recorded"."""

    def __init__(self, path: object = None) -> None:
        import sqlite3
        from pathlib import Path

        from marsad.geo.gazetteer import PACKAGED_GAZETTEER

        file = Path(str(path)) if path else PACKAGED_GAZETTEER
        self._con: sqlite3.Connection | None = None
        if file.is_file():
            try:
                self._con = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            except sqlite3.Error:
                self._con = None

    def admin(self, gazetteer_id: str) -> tuple[str | None, str | None]:
        """``(admin2, admin3)`` of a place, as ``gazetteer_admin_lookup`` describes."""
        import sqlite3

        if self._con is None:
            return None, None
        try:
            row = self._con.execute(
                "SELECT kind, name_en, admin2, country FROM places WHERE id = ?", (gazetteer_id,)
            ).fetchone()
            if row is None:
                return None, None
            kind, name_en, admin2, country = row
            if kind == "admin3":
                return admin2 or None, name_en
            if kind == "admin2":
                return name_en, None
            if not admin2:
                return None, None
            seats = self._con.execute(
                "SELECT name_en FROM places WHERE kind = 'admin3' AND country = ? AND admin2 = ? "
                "AND lower(name_en) = lower(?)",
                (country, admin2, name_en),
            ).fetchall()
            return admin2, seats[0][0] if len(seats) == 1 else None
        except sqlite3.Error:
            return None, None


def gazetteer_admin_lookup(path: object = None) -> AdminLookup:
    """``gazetteer_id -> (admin2, admin3)`` from the gazetteer file at ``path`` (default: the
    packaged one): admin2 as the gazetteer records it; admin3 only where it is certain: the place
    is a sub-district itself, or the seat of the sub-district of the same name in its district (the
    gazetteer keeps no sub-district for other towns, and the nearest sub-district centre is wrong
    for one town in five)."""
    cache: dict[str, tuple[str | None, str | None]] = {}
    places: list[GazetteerPlaces] = []

    def lookup(gazetteer_id: str | None) -> tuple[str | None, str | None]:
        if not gazetteer_id:
            return None, None
        if gazetteer_id not in cache:
            if not places:
                places.append(GazetteerPlaces(path))
            cache[gazetteer_id] = places[0].admin(gazetteer_id)
        return cache[gazetteer_id]

    return lookup
