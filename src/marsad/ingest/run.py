"""The ingest loop: readers -> extraction -> near-duplicate link -> store (one transaction each).

The extractor is passed in (``Pipeline.run`` in the CLI, a fake in tests). A report that cannot be
read or extracted is reported through ``on_failure`` and skipped; the batch goes on. A store error
(the database is gone) stops the batch: every later document would fail the same way.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from marsad.errors import InputError, MarsadError, StoreError
from marsad.ingest.dedup import NearDuplicates
from marsad.ingest.readers import Item, ReadFailure
from marsad.models import ExtractResult, RawDocument
from marsad.store.base import DocumentRecord, Store

log = logging.getLogger(__name__)

Extractor = Callable[[RawDocument], ExtractResult]


@dataclass(slots=True)
class IngestReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    mentions: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.added + self.replaced + self.unchanged + self.failed


def content_hash(raw: RawDocument) -> str:
    """SHA-256 over the text and the metadata that changes what is extracted."""
    key = [raw.text, raw.published.isoformat() if raw.published else None, raw.title, raw.url, raw.outlet]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()


def ingest(
    store: Store,
    items: Iterable[Item],
    extract: Extractor,
    *,
    dedup: NearDuplicates | None = None,
    on_item: Callable[[], None] | None = None,
    on_failure: Callable[[str], None] | None = None,
) -> IngestReport:
    """Store every report of ``items`` not stored yet, extracting and merging its events."""
    if dedup is None:
        dedup = NearDuplicates()
        dedup.load(store.signatures())
    report = IngestReport()
    for item in items:
        try:
            if isinstance(item, ReadFailure):
                _fail(report, str(item), on_failure)
            else:
                _one(store, item, extract, dedup, report, on_failure)
        finally:
            if on_item is not None:
                on_item()
    return report


def _fail(report: IngestReport, line: str, on_failure: Callable[[str], None] | None) -> None:
    report.failed += 1
    report.failures.append(line)
    log.debug("failed: %s", line)
    if on_failure is not None:
        on_failure(line)


def _one(
    store: Store,
    raw: RawDocument,
    extract: Extractor,
    dedup: NearDuplicates,
    report: IngestReport,
    on_failure: Callable[[str], None] | None,
) -> None:
    digest = content_hash(raw)
    if store.document_hash(raw.doc_id) == digest:
        report.unchanged += 1
        return
    try:
        result = extract(raw)
        if result.doc_id != raw.doc_id:
            raise InputError(f"the extractor returned doc_id {result.doc_id!r}")
    except StoreError:
        raise
    except MarsadError as exc:
        _fail(report, f"{raw.doc_id}: {exc}", on_failure)
        return
    except Exception as exc:  # a bug in one document's extraction must not end the batch
        log.debug("extraction of %s failed", raw.doc_id, exc_info=True)
        _fail(report, f"{raw.doc_id}: extraction failed: {type(exc).__name__}: {exc}", on_failure)
        return
    sig = dedup.signature(raw.text)
    group, dup_of = dedup.find(raw.doc_id, sig)
    record = DocumentRecord(raw=raw, content_hash=digest, dup_group=group, dup_of=dup_of, minhash=dedup.to_bytes(sig))
    outcome = store.add(record, result)
    dedup.add(raw.doc_id, group, sig)
    if outcome == "unchanged":
        report.unchanged += 1
        return
    if outcome == "replaced":
        report.replaced += 1
    else:
        report.added += 1
    report.mentions += len(result.events)
