"""Storage of documents, mentions and merged events behind one small interface.

``open_store(url)`` opens (and migrates) a SQLite file or a PostgreSQL database and returns a
``Store``. See ``docs/store.md``.
"""

from __future__ import annotations

from marsad.store.base import DocumentError, DocumentRecord, EventQuery, Outcome, Store
from marsad.store.migrate import normalize_url
from marsad.store.sql import SqlStore, open_store

__all__ = [
    "DocumentError",
    "DocumentRecord",
    "EventQuery",
    "Outcome",
    "SqlStore",
    "Store",
    "normalize_url",
    "open_store",
]
