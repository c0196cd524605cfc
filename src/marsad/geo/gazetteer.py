"""Read-only access to a gazetteer file built by ``marsad.geo.build``.

``Gazetteer.open()`` loads every matching key into memory (a frozenset), so ``has`` — called for
every n-gram of every document — never touches SQLite. ``lookup`` queries SQLite and caches the
result. One instance is shared by all threads of a process: the connection is opened with
``check_same_thread=False`` and queries are serialised by a lock.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from marsad.errors import GazetteerError
from marsad.models import GazetteerEntry
from marsad.text.normalize import name_key

PACKAGED_GAZETTEER = Path(__file__).parent / "data" / "gazetteer.sqlite"
_COLUMNS = "id, name_ar, name_en, country, admin1, admin2, lat, lon, kind, rank, population"


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


class Gazetteer:
    """A place-name index: ``has(key)`` in memory, ``lookup(key)`` from SQLite (cached).

    Keys are ``marsad.text.normalize.name_key`` of a name. Entries of one key come back most
    prominent first (by ``rank``).
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, keys: frozenset[str], meta: dict[str, str]):
        self.path = path
        self.meta = meta
        self._con = connection
        self._keys = keys
        self._lock = threading.Lock()
        self._cache: dict[str, list[GazetteerEntry]] = {}
        self._by_id: dict[str, GazetteerEntry | None] = {}
        self.max_key_words = max((k.count(" ") + 1 for k in keys), default=0)
        # first word of a key -> the most words a key starting with it has (recognisers skip
        # any token that starts no name with a single dictionary lookup)
        lengths: dict[str, set[int]] = {}
        for k in keys:
            head, _, _ = k.partition(" ")
            lengths.setdefault(head, set()).add(k.count(" ") + 1)
        # first word of a key -> the word counts of the keys starting with it, longest first
        self.first_words: dict[str, tuple[int, ...]] = {h: tuple(sorted(v, reverse=True)) for h, v in lengths.items()}
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
            keys = frozenset(row[0] for row in con.execute("SELECT DISTINCT key FROM names"))
            con.execute(f"SELECT {_COLUMNS} FROM places LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            con.close()
            raise GazetteerError(f"not a marsad gazetteer (corrupt or wrong file): {path}: {exc}") from exc
        return cls(path, con, keys, meta)

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
                f"SELECT {_COLUMNS} FROM places WHERE id IN (SELECT place_id FROM names WHERE key = ?) "
                "ORDER BY rank DESC, id",
                (key,),
            ).fetchall()
        entries = [_entry(r) for r in rows]
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
