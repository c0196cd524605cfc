"""The store's one small interface, and the records that cross it.

``Store`` is what ingest, merging, the CLI and (later) the API use; ``SqlStore`` implements it for
SQLite and PostgreSQL. A test can hand any object with these methods to ``marsad.ingest``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from marsad.errors import StoreError
from marsad.models import ExtractResult, RawDocument

Outcome = Literal["added", "unchanged", "replaced"]
EVENT_COLUMNS = ("country", "admin1", "event_type", "sub_event_type")
"""Columns of merged events whose distinct values ``Store.values`` lists (for filter suggestions)."""


class DocumentError(StoreError):
    """One document could not be stored (a concurrent ingest stored a conflicting version, a value
    the database refuses); the database itself is fine and the next document may be stored."""


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A report ready to store: the document, its content hash and its near-duplicate link."""

    raw: RawDocument
    content_hash: str
    dup_group: str  # doc_id of the group's representative (itself when it has no near-duplicate)
    dup_of: str | None = None  # the most similar earlier document, if any
    minhash: bytes | None = None  # MinHash signature (``marsad.ingest.dedup``)
    warnings: tuple[str, ...] = ()  # the reader's (encoding used, no publication date …)


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Filters of ``marsad events`` / ``export``; ``None`` means no filter.

    Values are matched as given (``marsad.store.filters.resolve`` turns what a user types, such as
    "Syria" or "Air/drone strike", into these)."""

    country: str | None = None  # ISO 3166-1 alpha-2
    admin1: str | tuple[str, ...] | None = None  # names, matched case-, accent- and punctuation-insensitively
    since: dt.date | None = None
    until: dt.date | None = None
    type: str | None = None  # a sub_event_type or an event_type (snake_case)
    limit: int | None = None
    dated: bool | None = None  # True: only dated events; False: only undated ones
    review: str | None = None  # a review state (marsad.store.review.STATES) or "all"; None: all but rejected

    def admin1_names(self) -> tuple[str, ...]:
        if self.admin1 is None:
            return ()
        return (self.admin1,) if isinstance(self.admin1, str) else tuple(self.admin1)


class Store(Protocol):
    def document_hash(self, doc_id: str) -> str | None:
        """The content hash stored for ``doc_id``, or ``None`` when it is not stored."""
        ...

    def signatures(self) -> Iterator[tuple[str, str, bytes]]:
        """``(doc_id, dup_group, minhash)`` of every stored document that has a signature."""
        ...

    def add(self, record: DocumentRecord, result: ExtractResult) -> Outcome:
        """Store a document and its mentions and merge them, atomically (one transaction).
        Raises ``DocumentError`` when only this document cannot be stored."""
        ...

    def events(self, query: EventQuery, *, mentions: bool = True) -> Iterator[dict[str, Any]]:
        """Merged events (spec §6 records) by date, undated last; streamed in pages, so memory
        does not grow with the number of events."""
        ...

    def count(self, query: EventQuery) -> int:
        """How many merged events ``query`` selects (its ``limit`` ignored)."""
        ...

    def values(self, column: str) -> list[str]:
        """The distinct non-empty values of one of ``EVENT_COLUMNS`` among the merged events."""
        ...

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        ...

    def close(self) -> None: ...
