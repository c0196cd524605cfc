"""The ingest loop: readers -> extraction -> near-duplicate link -> store.

Two stages. **Preparing** a report (checking its id, its content hash, extracting its events, its
MinHash signature) is pure: it runs wherever an engine puts it (in this process, in worker
processes, on Dask workers: ``marsad.engine``), in chunks. **Storing** runs here, in input order,
in batches of documents per transaction (``batch_size``; also committed after ``max_wait``
seconds): near-duplicate linking against the persisted index, merging, writing. Because the order
of storing is the order of the input, the database is the same whatever the engine and the number
of workers. A killed run leaves whole documents (a batch is one transaction); a re-run finds them
unchanged and stores the rest.

A report that cannot be read, extracted or stored is reported through ``on_failure`` and skipped;
the batch goes on. A store error that is not about one document (the database is gone, the disk
is full) stops the run: every later document would fail the same way.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from marsad.batch import Located, check_doc_id
from marsad.errors import InputError, MarsadError, StoreError
from marsad.ingest.dedup import NearDuplicates
from marsad.ingest.readers import UNDATED, ReadFailure
from marsad.models import ExtractResult, RawDocument
from marsad.store.base import DocumentError, DocumentRecord, Store

log = logging.getLogger(__name__)

Extractor = Callable[[RawDocument], ExtractResult]
Input = RawDocument | Located | ReadFailure
CHUNK = 16  # reports sent to a worker at a time
BATCH_SIZE = 200  # documents per transaction in batch runs (``marsad ingest``)
MAX_WAIT_S = 1.0  # a batch is committed at the latest this long after its first document


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


@dataclass(frozen=True, slots=True)
class Prepared:
    """A report after the pure work: its extraction and signature, or why it failed."""

    doc_id: str
    signature: bytes = b""
    result: ExtractResult | None = None
    failure: str | None = None  # a line for ``on_failure``


class Engine(Protocol):
    """Runs ``prepare`` over chunks of reports and gives the results back **in input order**.

    ``imap`` takes ``(tag, reports)`` pairs and yields ``(tag, prepared)`` pairs in the same order;
    it may read a few chunks ahead (that is how workers stay busy) but never the whole input."""

    def imap(self, chunks: Iterable[tuple[object, list[RawDocument]]]) -> Iterator[tuple[object, list[Prepared]]]: ...


def content_hash(raw: RawDocument) -> str:
    """SHA-256 over the text and the metadata that changes what is extracted."""
    key = [raw.text, raw.published.isoformat() if raw.published else None, raw.title, raw.url, raw.outlet]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()


_SIGNER: list[NearDuplicates] = []


def signature(text: str) -> bytes:
    """The MinHash signature of a report (``NearDuplicates.signature``) as stored."""
    if not _SIGNER:
        _SIGNER.append(NearDuplicates())
    signer = _SIGNER[0]
    return signer.to_bytes(signer.signature(text))


def prepare(raw: RawDocument, extract: Extractor) -> Prepared:
    """Extract one report and compute its signature: pure, so it may run on any worker."""
    try:
        result = extract(raw)
        if result.doc_id != raw.doc_id:
            raise InputError(f"the extractor returned doc_id {result.doc_id!r}")
    except StoreError:
        raise
    except MarsadError as exc:
        return Prepared(raw.doc_id, failure=f"{raw.doc_id}: {exc}")
    except Exception as exc:  # a bug in one document's extraction must not end the batch
        log.debug("extraction of %s failed", raw.doc_id, exc_info=True)
        return Prepared(raw.doc_id, failure=f"{raw.doc_id}: extraction failed: {type(exc).__name__}: {exc}")
    return Prepared(raw.doc_id, signature(raw.text), result)


class InProcess:
    """The engine of ``--jobs 1``: every report prepared here, one after the other."""

    def __init__(self, extract: Extractor) -> None:
        self.extract = extract

    def imap(self, chunks: Iterable[tuple[object, list[RawDocument]]]) -> Iterator[tuple[object, list[Prepared]]]:
        for tag, docs in chunks:
            yield tag, [prepare(raw, self.extract) for raw in docs]

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def ingest(
    store: Store,
    items: Iterable[Input],
    extract: Extractor,
    *,
    dedup: NearDuplicates | None = None,
    on_item: Callable[[], None] | None = None,
    on_failure: Callable[[str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    batch_size: int = 1,
) -> IngestReport:
    """Store every report of ``items`` not stored yet, extracting and merging its events, in this
    process. ``batch_size`` documents per transaction (1: each report is committed, hence
    queryable, as soon as it is read, which live input needs).

    Near-duplicates are linked through the index persisted in the store; an explicit ``dedup``
    (an in-memory index the caller keeps) is used instead when given.

    ``on_warning`` receives one line per warning about a stored document (``where: message``):
    an encoding other than UTF-8, a missing publication date."""
    if dedup is not None or not hasattr(store, "add_batch"):
        if dedup is None:  # a store without a persisted index: one in memory, of its signatures
            dedup = NearDuplicates()
            dedup.load(store.signatures())
        return _ingest_with(store, items, extract, dedup, on_item, on_failure, on_warning)
    return run(
        store,
        items,
        InProcess(extract),
        batch_size=batch_size,
        on_item=on_item,
        on_failure=on_failure,
        on_warning=on_warning,
    )


@dataclass(slots=True)
class _Pending:
    """One input item on its way: what the parent knows before preparing it."""

    located: Located | None
    digest: str = ""
    failure: str | None = None
    unchanged: bool = False

    @property
    def todo(self) -> bool:
        return self.located is not None and self.failure is None and not self.unchanged


def run(
    store: Store,
    items: Iterable[Input],
    engine: Engine,
    *,
    batch_size: int = BATCH_SIZE,
    max_wait: float = MAX_WAIT_S,
    chunk: int = CHUNK,
    on_item: Callable[[], None] | None = None,
    on_failure: Callable[[str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> IngestReport:
    """Prepare ``items`` with ``engine`` and store them in input order, ``batch_size`` documents
    per transaction. The store must offer ``document_hashes`` and ``add_batch`` (``SqlStore``)."""
    if batch_size < 1:
        raise InputError(f"the batch size must be at least 1, got {batch_size}")
    report = IngestReport()
    batch: list[tuple[_Pending, Prepared]] = []
    started = 0.0

    def done(n: int = 1) -> None:
        if on_item is not None:
            for _ in range(n):
                on_item()

    def flush() -> None:
        if batch:
            _store_batch(store, batch, report, on_failure, on_warning)
            done(len(batch))
            batch.clear()

    for pending, prepared in _prepared(store, items, engine, chunk):
        if prepared is None:
            if pending.failure is not None:
                _fail(report, pending.failure, on_failure)
            else:
                report.unchanged += 1
            done()
            continue
        if prepared.failure is not None:
            _fail(report, prepared.failure, on_failure)
            done()
            continue
        if not batch:
            started = time.monotonic()
        batch.append((pending, prepared))
        if len(batch) >= batch_size or time.monotonic() - started >= max_wait:
            flush()
    flush()
    return report


def _prepared(
    store: Store, items: Iterable[Input], engine: Engine, chunk: int
) -> Iterator[tuple[_Pending, Prepared | None]]:
    """Each input item in order with its prepared report (``None`` when it needs no preparing:
    a read failure, a bad doc_id, a report stored unchanged)."""

    def chunks() -> Iterator[tuple[object, list[RawDocument]]]:
        group: list[_Pending] = []
        for item in items:
            group.append(_pending(item))
            if len(group) >= chunk:
                yield _plan(store, group)
                group = []
        if group:
            yield _plan(store, group)

    for tag, results in engine.imap(chunks()):
        group = tag if isinstance(tag, list) else []
        ready = deque(results)
        for pending in group:
            yield pending, (ready.popleft() if pending.todo else None)


def _pending(item: Input) -> _Pending:
    if isinstance(item, ReadFailure):
        return _Pending(None, failure=str(item))
    located = item if isinstance(item, Located) else Located(item.doc_id, item)
    try:
        check_doc_id(located.doc.doc_id)
    except InputError as exc:
        return _Pending(located, failure=f"{located.where}: {exc}")
    return _Pending(located, digest=content_hash(located.doc))


def _plan(store: Store, group: list[_Pending]) -> tuple[object, list[RawDocument]]:
    """Mark the reports of ``group`` stored unchanged (one query), and list those to prepare."""
    ids = [p.located.doc.doc_id for p in group if p.located is not None and p.failure is None]
    stored = _stored_hashes(store, ids)
    for p in group:
        if p.located is not None and p.failure is None and stored.get(p.located.doc.doc_id) == p.digest:
            p.unchanged = True
    return group, [p.located.doc for p in group if p.todo and p.located is not None]


def _stored_hashes(store: Store, ids: Sequence[str]) -> dict[str, str]:
    hashes = getattr(store, "document_hashes", None)
    if hashes is not None:
        found: dict[str, str] = hashes(ids)
        return found
    return {i: h for i in ids if (h := store.document_hash(i)) is not None}


def _store_batch(
    store: Store,
    batch: list[tuple[_Pending, Prepared]],
    report: IngestReport,
    on_failure: Callable[[str], None] | None,
    on_warning: Callable[[str], None] | None,
) -> None:
    entries: list[tuple[DocumentRecord, ExtractResult]] = []
    for pending, prepared in batch:
        assert pending.located is not None and prepared.result is not None
        raw = pending.located.doc
        record = DocumentRecord(
            raw=raw,
            content_hash=pending.digest,
            dup_group=raw.doc_id,  # linked by the store, through its persisted index
            minhash=prepared.signature,
            warnings=_warnings(pending.located),
        )
        entries.append((record, prepared.result))
    add_batch = getattr(store, "add_batch", None)
    if add_batch is None:
        raise StoreError("this store cannot store documents in batches")
    outcomes = add_batch(entries)
    for (record, result), outcome, (pending, _) in zip(entries, outcomes, batch, strict=True):
        assert pending.located is not None
        if isinstance(outcome, DocumentError):
            _fail(report, f"{pending.located.where}: {outcome}", on_failure)
        else:
            _count(report, record, result, outcome, pending.located.where, on_warning)


def _warnings(located: Located) -> tuple[str, ...]:
    warnings = tuple(located.warnings)
    if located.doc.published is None and UNDATED not in warnings:
        warnings += (UNDATED,)
    return warnings


def _count(
    report: IngestReport,
    record: DocumentRecord,
    result: ExtractResult,
    outcome: str,
    where: str,
    on_warning: Callable[[str], None] | None,
) -> None:
    if outcome == "unchanged":
        report.unchanged += 1
        return
    if outcome == "replaced":
        report.replaced += 1
    else:
        report.added += 1
    report.mentions += len(result.events)
    if record.raw.published is None:
        report.undated += 1
    if on_warning is not None:
        for warning in record.warnings:
            on_warning(f"{where}: {warning}")


def _fail(report: IngestReport, line: str, on_failure: Callable[[str], None] | None) -> None:
    report.failed += 1
    report.failures.append(line)
    log.debug("failed: %s", line)
    if on_failure is not None:
        on_failure(line)


# -- with a caller's in-memory near-duplicate index --------------------------------------------


def _ingest_with(
    store: Store,
    items: Iterable[Input],
    extract: Extractor,
    dedup: NearDuplicates,
    on_item: Callable[[], None] | None,
    on_failure: Callable[[str], None] | None,
    on_warning: Callable[[str], None] | None,
) -> IngestReport:
    """One document per transaction, near-duplicates linked through ``dedup``."""
    report = IngestReport()
    for item in items:
        try:
            pending = _pending(item)
            if pending.failure is not None or pending.located is None:
                _fail(report, pending.failure or str(item), on_failure)
                continue
            raw = pending.located.doc
            if store.document_hash(raw.doc_id) == pending.digest:
                report.unchanged += 1
                continue
            prepared = prepare(raw, extract)
            if prepared.failure is not None or prepared.result is None:
                _fail(report, prepared.failure or raw.doc_id, on_failure)
                continue
            sig = dedup.from_bytes(prepared.signature)
            group, dup_of = dedup.find(raw.doc_id, sig)
            record = DocumentRecord(
                raw=raw,
                content_hash=pending.digest,
                dup_group=group,
                dup_of=dup_of,
                minhash=prepared.signature,
                warnings=_warnings(pending.located),
            )
            try:
                outcome = store.add(record, prepared.result)
            except DocumentError as exc:  # this document only (a concurrent writer, a bad value): go on
                _fail(report, f"{pending.located.where}: {exc}", on_failure)
                continue
            dedup.add(raw.doc_id, group, sig)
            _count(report, record, prepared.result, outcome, pending.located.where, on_warning)
        finally:
            if on_item is not None:
                on_item()
    return report
