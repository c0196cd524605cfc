"""The ingest loop: readers -> extraction -> near-duplicate link -> store (one transaction each).

The extractor is passed in (``Pipeline.run`` in the CLI, a fake in tests). A report that cannot be
read, extracted or stored is reported through ``on_failure`` and skipped; the batch goes on. A
store error that is not about one document (the database is gone, the disk is full) stops the
batch: every later document would fail the same way.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from marsad.batch import Located, check_doc_id
from marsad.errors import InputError, MarsadError, StoreError
from marsad.ingest.dedup import NearDuplicates
from marsad.ingest.readers import UNDATED, ReadFailure
from marsad.models import ExtractResult, RawDocument
from marsad.store.base import DocumentError, DocumentRecord, Store

log = logging.getLogger(__name__)

Extractor = Callable[[RawDocument], ExtractResult]
Input = RawDocument | Located | ReadFailure


@dataclass(slots=True)
class IngestReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    mentions: int = 0
    undated: int = 0  # documents stored without a publication date
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
    items: Iterable[Input],
    extract: Extractor,
    *,
    dedup: NearDuplicates | None = None,
    on_item: Callable[[], None] | None = None,
    on_failure: Callable[[str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> IngestReport:
    """Store every report of ``items`` not stored yet, extracting and merging its events.

    ``on_warning`` receives one line per warning about a stored document (``where: message``):
    an encoding other than UTF-8, a missing publication date."""
    if dedup is None:
        dedup = NearDuplicates()
        dedup.load(store.signatures())
    report = IngestReport()
    for item in items:
        try:
            if isinstance(item, ReadFailure):
                _fail(report, str(item), on_failure)
            else:
                located = item if isinstance(item, Located) else Located(item.doc_id, item)
                _one(store, located, extract, dedup, report, on_failure, on_warning)
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
    located: Located,
    extract: Extractor,
    dedup: NearDuplicates,
    report: IngestReport,
    on_failure: Callable[[str], None] | None,
    on_warning: Callable[[str], None] | None,
) -> None:
    raw = located.doc
    try:
        check_doc_id(raw.doc_id)
    except InputError as exc:
        _fail(report, f"{located.where}: {exc}", on_failure)
        return
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
    warnings = tuple(located.warnings)
    if raw.published is None and UNDATED not in warnings:
        warnings += (UNDATED,)
    sig = dedup.signature(raw.text)
    group, dup_of = dedup.find(raw.doc_id, sig)
    record = DocumentRecord(
        raw=raw,
        content_hash=digest,
        dup_group=group,
        dup_of=dup_of,
        minhash=dedup.to_bytes(sig),
        warnings=warnings,
    )
    try:
        outcome = store.add(record, result)
    except DocumentError as exc:  # this document only (a concurrent writer, a bad value): go on
        _fail(report, f"{located.where}: {exc}", on_failure)
        return
    dedup.add(raw.doc_id, group, sig)
    if outcome == "unchanged":
        report.unchanged += 1
        return
    if outcome == "replaced":
        report.replaced += 1
    else:
        report.added += 1
    report.mentions += len(result.events)
    if raw.published is None:
        report.undated += 1
    if on_warning is not None:
        for warning in warnings:
            on_warning(f"{located.where}: {warning}")
