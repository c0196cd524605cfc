"""Read-only access to a gazetteer file built by ``marsad.geo.build``.

``Gazetteer.open()`` loads every matching key into memory (a frozenset), so ``has`` — called for
every n-gram of every document — never touches SQLite, and with it the first words of the keys
and the word counts of the names they start (both precomputed by the build, stored compressed in
the ``blobs`` table). ``lookup`` queries SQLite and caches the result; ``details`` gives what
``GazetteerEntry`` does not carry (Arabic admin names, feature class, the source ids merged into
the entry). One instance is shared by all threads of a process: the connection is opened with
``check_same_thread=False`` and queries are serialised by a lock.
"""

from __future__ import annotations

import sqlite3
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marsad.errors import GazetteerError
from marsad.geo.wordlist import CommonWords
from marsad.models import GazetteerEntry
from marsad.text.normalize import name_key

PACKAGED_GAZETTEER = Path(__file__).parent / "data" / "gazetteer.sqlite"
SCHEMA_VERSION = "2"
_COLUMNS = "id, name_ar, name_en, country, admin1, admin2, lat, lon, kind, rank, population"
_DETAILS = "admin1_ar, admin2_ar, feature, sources"


@dataclass(frozen=True, slots=True)
class PlaceDetails:
    """What a gazetteer row holds beyond ``GazetteerEntry``."""

    admin1_ar: str
    admin2_ar: str
    feature: str  # GeoNames feature code (PPLA2 …), OSM place value (village …), ADM1/ADM2
    sources: tuple[str, ...]  # source ids merged into the entry ("wof:…", "osm:n…", "geonames:…")


def _entry(row: tuple[Any, ...]) -> GazetteerEntry:
    return GazetteerEntry(
        id=row[0],
        name_ar=row[1],
        name_en=row[2],
        country=row[3],
        admin1=row[4],
        admin2=row[5],
        lat=row[6],
        lon=row[7],
        kind=row[8],
        rank=row[9],
        population=row[10],
    )


def _details(row: tuple[Any, ...]) -> PlaceDetails:
    return PlaceDetails(row[0], row[1], row[2], tuple(s for s in row[3].split("|") if s))


class Gazetteer:
    """A place-name index: ``has(key)`` in memory, ``lookup(key)`` from SQLite (cached).

    Keys are ``marsad.text.normalize.name_key`` of a name. Entries of one key come back most
    prominent first (by ``rank``).
    """

    def __init__(
        self,
        path: Path,
        connection: sqlite3.Connection,
        keys: frozenset[str],
        meta: dict[str, str],
        first_words: dict[str, tuple[int, ...]] | None = None,
    ):
        self.path = path
        self.meta = meta
        self._con = connection
        self._keys = keys
        self._lock = threading.Lock()
        self._cache: dict[str, list[GazetteerEntry]] = {}
        self._by_id: dict[str, GazetteerEntry | None] = {}
        self._details: dict[str, PlaceDetails] = {}
        self._raw_details: dict[str, tuple[Any, ...]] = {}  # filled by lookup, parsed on demand
        self._common: CommonWords | None = None
        if first_words is None:
            lengths: dict[str, set[int]] = {}
            for k in keys:
                head, _, _ = k.partition(" ")
                lengths.setdefault(head, set()).add(k.count(" ") + 1)
            first_words = {h: tuple(sorted(v, reverse=True)) for h, v in lengths.items()}
        # first word of a key -> the word counts of the keys starting with it, longest first
        # (recognisers skip any token that starts no name with a single dictionary lookup)
        self.first_words: dict[str, tuple[int, ...]] = first_words
        self.max_key_words = max((n[0] for n in first_words.values() if n), default=0)
        # word as written -> the gazetteer names its readings can start (filled by toponym recognition)
        self.heads_cache: dict[str, list[tuple[int, str, tuple[int, ...]]]] = {}

    @classmethod
    def open(cls, path: Path | None = None) -> Gazetteer:
        """Open ``path`` (None: the gazetteer packaged with marsad). Raises ``GazetteerError``
        with a one-line message when the file is missing or is not a gazetteer."""
        path = Path(path) if path is not None else PACKAGED_GAZETTEER
        if not path.is_file():
            raise GazetteerError(f"gazetteer file not found: {path}")
        try:
            con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            raise GazetteerError(f"cannot open gazetteer {path}: {exc}") from exc
        try:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("schema_version") != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"schema version {meta.get('schema_version')!r}, this marsad reads {SCHEMA_VERSION!r}: rebuild it"
                )
            blobs = {name: zlib.decompress(value).decode() for name, value in con.execute("SELECT * FROM blobs")}
            keys = frozenset(blobs["keys"].split("\n"))
            counts: dict[str, tuple[int, ...]] = {}  # "3,2,1" -> (3, 2, 1), built once per distinct value
            heads: dict[str, tuple[int, ...]] = {}
            for line in blobs["heads"].split("\n"):
                word, _, lengths = line.partition("\t")
                found = counts.get(lengths)
                if found is None:
                    found = counts[lengths] = tuple(int(n) for n in lengths.split(","))
                heads[word] = found
            con.execute(f"SELECT {_COLUMNS} FROM places LIMIT 1").fetchall()
        except (sqlite3.Error, KeyError, zlib.error, UnicodeDecodeError) as exc:
            con.close()
            raise GazetteerError(f"not a marsad gazetteer (corrupt or wrong file): {path}: {exc}") from exc
        return cls(path, con, keys, meta, heads)

    # -- lookups -----------------------------------------------------------------------------

    def has(self, key: str) -> bool:
        """True when ``key`` (already a ``name_key``) names at least one place. In memory."""
        return key in self._keys

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def keys(self) -> frozenset[str]:
        """Every matching key (for recognisers that want their own index)."""
        return self._keys

    def lookup(self, key: str) -> list[GazetteerEntry]:
        """Every place called ``key``, most prominent first. Empty for an unknown key."""
        if key not in self._keys:
            return []
        cached = self._cache.get(key)
        if cached is not None:
            return list(cached)
        with self._lock:
            rows = self._con.execute(
                f"SELECT {_COLUMNS}, {_DETAILS} FROM places WHERE pid IN (SELECT pid FROM names WHERE key = ?) "
                "ORDER BY rank DESC, id",
                (key,),
            ).fetchall()
        entries = [_entry(r) for r in rows]
        for r in rows:
            self._raw_details.setdefault(r[0], r[11:])
        self._cache[key] = entries
        return list(entries)

    def lookup_name(self, name: str) -> list[GazetteerEntry]:
        """``lookup`` of a name as written (the key is computed here)."""
        return self.lookup(name_key(name))

    def get(self, place_id: str) -> GazetteerEntry | None:
        """The place with this id (``ocha:C5995``, ``geonames:70225`` …), or None."""
        if place_id in self._by_id:
            return self._by_id[place_id]
        with self._lock:
            row = self._con.execute(f"SELECT {_COLUMNS} FROM places WHERE id = ?", (place_id,)).fetchone()
        entry = _entry(row) if row else None
        self._by_id[place_id] = entry
        return entry

    def common_words(self) -> CommonWords:
        """The Arabic dictionary words that cannot be names (``marsad.geo.wordlist``), loaded
        on first use and shared by every report recognised with this gazetteer."""
        with self._lock:
            if self._common is None:
                self._common = CommonWords.load()
            return self._common

    def details(self, place_id: str) -> PlaceDetails | None:
        """Arabic admin names, feature class and merged source ids of a place, or None."""
        found = self._details.get(place_id)
        if found is not None:
            return found
        raw = self._raw_details.get(place_id)
        if raw is not None:
            found = self._details[place_id] = _details(raw)
            return found
        with self._lock:
            row = self._con.execute(f"SELECT {_DETAILS} FROM places WHERE id = ?", (place_id,)).fetchone()
        if row is None:
            return None
        found = self._details[place_id] = _details(row)
        return found

    def feature(self, place_id: str) -> str:
        """The feature class of a place (``PPLA2``, ``village`` …), "" when unknown."""
        found = self.details(place_id)
        return found.feature if found is not None else ""

    def admin1(self, country: str, name: str) -> GazetteerEntry | None:
        """The first-level division of ``country`` called ``name`` (Arabic or English, any
        spelling the gazetteer knows), or None."""
        for entry in self.lookup(name_key(name)):
            if entry.kind == "admin1" and entry.country == country.upper():
                return entry
        return None

    def admin1_units(self, country: str) -> list[GazetteerEntry]:
        """All first-level divisions of a country."""
        with self._lock:
            rows = self._con.execute(
                f"SELECT {_COLUMNS} FROM places WHERE kind = 'admin1' AND country = ? ORDER BY id", (country.upper(),)
            ).fetchall()
        return [_entry(r) for r in rows]

    def country(self, iso2: str) -> GazetteerEntry | None:
        """The country entry for an ISO 3166-1 alpha-2 code, or None."""
        return self.get(f"country:{iso2.upper()}")

    def close(self) -> None:
        """Close the SQLite connection; ``has`` keeps working, lookups of new keys fail."""
        with self._lock:
            self._con.close()

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Gazetteer({str(self.path)!r}, keys={len(self._keys)})"
