"""The store's one small interface, and the records that cross it.

``Store`` is what ingest, merging, the CLI and (later) the API use; ``SqlStore`` implements it for
SQLite and PostgreSQL. A test can hand any object with these methods to ``marsad.ingest``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from marsad.models import ExtractResult, RawDocument

Outcome = Literal["added", "unchanged", "replaced"]


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A report ready to store: the document, its content hash and its near-duplicate link."""

    raw: RawDocument
    content_hash: str
    dup_group: str  # doc_id of the group's representative (itself when it has no near-duplicate)
    dup_of: str | None = None  # the most similar earlier document, if any
    minhash: bytes | None = None  # MinHash signature (``marsad.ingest.dedup``)


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Filters of ``marsad events`` / ``export``; ``None`` means no filter."""

    country: str | None = None
    admin1: str | None = None  # matched case-, accent- and punctuation-insensitively
    since: dt.date | None = None
    until: dt.date | None = None
    type: str | None = None  # a sub_event_type or an event_type
    limit: int | None = None


class Store(Protocol):
    def document_hash(self, doc_id: str) -> str | None:
        """The content hash stored for ``doc_id``, or ``None`` when it is not stored."""
        ...

    def signatures(self) -> Iterator[tuple[str, str, bytes]]:
        """``(doc_id, dup_group, minhash)`` of every stored document that has a signature."""
        ...

    def add(self, record: DocumentRecord, result: ExtractResult) -> Outcome:
        """Store a document and its mentions and merge them, atomically (one transaction)."""
        ...

    def events(self, query: EventQuery, *, mentions: bool = True) -> Iterator[dict[str, Any]]:
        """Merged events (spec §6 records), oldest first."""
        ...

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        ...

    def close(self) -> None: ...
