"""``SqlStore``: the store on SQLAlchemy Core, for SQLite (default) and PostgreSQL.

Every document is written in one transaction: the document row, its mentions, their claims and the
merged events they join. A crash or ``kill -9`` loses at most the document being written, and a
re-run stores it then. Write transactions are serialised across processes (SQLite ``BEGIN
IMMEDIATE``, a PostgreSQL advisory lock), so two ingests into one database wait for each other
instead of failing, and each document is merged seeing every document stored before it.

Opening for queries (``readonly=True``) never writes: a SQLite file is opened read-only (and as
immutable when its folder or file cannot be written, e.g. on read-only media). Opening for writing
checks an existing SQLite file with ``PRAGMA quick_check`` first and refuses a damaged one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import math
import os
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from marsad.batch import check_doc_id
from marsad.errors import InputError, StoreError
from marsad.models import ExtractResult
from marsad.store import merge, migrate, review
from marsad.store.base import EVENT_COLUMNS, DocumentError, DocumentRecord, EventQuery, Outcome
from marsad.store.schema import (
    VOLATILE_COLUMNS,
    claims,
    doc_bands,
    documents,
    event_reviews,
    events,
    mention_pins,
    mentions,
    metadata,
    runs,
)

log = logging.getLogger(__name__)

EVENT_FIELDS = (
    "event_type",
    "sub_event_type",
    "date",
    "time_precision",
    "location",
    "actor1",
    "actor2",
    "assoc_actors1",
    "assoc_actors2",
    "fatalities",
    "fatalities_min",
    "fatalities_max",
    "injured",
    "quantities",
    "sources",
    "evidence",
    "notes",
    "confidence",
    "independent_sources",
    "flags",
)
VIEW_CACHE_SIZE = 200_000  # mentions whose merge views are kept in memory (about 0.5 KB each)
MENTION_FIELDS = ("event_type", "sub_event_type", "date", "location", "fatalities", "sources", "evidence")
PAGE = 500  # events read per query while streaming
BUSY_TIMEOUT_S = 60.0  # how long a SQLite writer waits for another process's write to finish


def open_store(db: str, *, create: bool = True, readonly: bool = False) -> SqlStore:
    """Open the database at ``db`` (a path, ``sqlite:///…`` or ``postgresql://…``).

    ``create=False`` refuses a SQLite file that does not exist, and a database without Marsad's
    tables, instead of creating them (query commands: a mistyped path is an error, not an empty
    result). ``readonly=True`` opens for queries only (see the module docstring); otherwise the
    schema is migrated to the newest revision and an existing SQLite file is checked first."""
    url = migrate.normalize_url(db)
    path = migrate.sqlite_path(url)
    if path is not None:
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a database file")
        if not path.exists() and not create:
            raise StoreError(f"no database at {path}: `marsad ingest --db {path}` creates one (or pass --create)")
        if readonly and path.exists():
            return _open_sqlite_readonly(path, url, create)
    engine = _engine(url, path)
    try:
        with engine.connect():
            pass
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot open database {_safe(url)}: {migrate.first_line(exc)}") from exc
    revision = migrate.current_revision(engine)
    if not create and revision is None:
        engine.dispose()
        raise StoreError(f"{_safe(url)} holds no Marsad tables: `marsad ingest` creates them (or pass --create)")
    if revision is None and path is not None:
        _refuse_foreign_sqlite(engine, path)
    if readonly and migrate.current_revision(engine) == migrate.head_revision():
        return SqlStore(engine, writable=False)
    try:
        migrate.upgrade(engine)
    except BaseException:
        engine.dispose()  # a refused or failed migration leaves no connection open
        raise
    return SqlStore(engine)


def _refuse_foreign_sqlite(engine: sa.Engine, path: Path) -> None:
    """``StoreError`` for a SQLite file that holds another application's tables and none of
    Marsad's (a mistyped ``--db``): Marsad's tables are not added to it."""
    try:
        with engine.connect() as conn:
            tables = sorted(sa.inspect(conn).get_table_names())
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot read the database: {migrate.first_line(exc)}") from exc
    if tables:
        engine.dispose()
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise StoreError(
            f"{path} is not a Marsad database: it holds other tables ({shown}) and none of Marsad's; "
            "nothing was written to it (give a new file or a Marsad database as --db)"
        )


def _engine(url: str, path: Path | None) -> sa.Engine:
    """A writable engine; for a SQLite file, after checking it and creating its folder."""
    try:
        if path is None:
            server = sa.create_engine(url)
            # Rows inserted together (band keys, search words, claims) go as multi-row INSERTs, not
            # one statement per row (psycopg's executemany): 2-3x fewer round trips per document.
            server.dialect.use_insertmanyvalues_wo_returning = True
            return server
        if path.exists() and path.stat().st_size:
            quick_check(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
    except (sa.exc.SQLAlchemyError, ImportError, OSError, ValueError) as exc:
        raise StoreError(f"cannot open database {_safe(url)}: {exc}") from exc
    sa.event.listen(engine, "connect", _sqlite_connect)
    sa.event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _open_sqlite_readonly(path: Path, url: str, create: bool) -> SqlStore:
    """Queries on an existing SQLite file without writing to it (nor to its folder)."""
    can_write = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    uri = path.resolve().as_uri() + "?mode=ro" + ("" if can_write else "&immutable=1")

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)

    engine = sa.create_engine(f"sqlite:///{path}", creator=connect)
    revision = migrate.current_revision(engine)
    if revision == migrate.head_revision():
        return SqlStore(engine, writable=False)
    engine.dispose()
    if revision is None and not create:
        raise StoreError(f"{path} is not a Marsad database (no Marsad tables)")
    if not can_write:
        raise StoreError(f"{path} must be upgraded to this version of Marsad, and cannot be written here")
    return open_store(url, create=create)  # an older schema: migrate it, then query


def quick_check(path: Path) -> None:
    """``PRAGMA quick_check`` on a SQLite file; ``StoreError`` when it is damaged or not a database."""
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            rows = [str(r[0]) for r in con.execute("PRAGMA quick_check").fetchall()]
        finally:
            con.close()
    except sqlite3.OperationalError as exc:
        if "readonly" in str(exc) or "unable to open" in str(exc) or "locked" in str(exc):
            raise StoreError(f"cannot open {path} for writing: {exc}") from exc
        raise StoreError(f"{path} is damaged or not a SQLite database ({exc}); nothing was written to it") from exc
    except sqlite3.Error as exc:
        raise StoreError(f"{path} is damaged or not a SQLite database ({exc}); nothing was written to it") from exc
    if rows != ["ok"]:
        raise StoreError(
            f"{path} is damaged (PRAGMA quick_check: {rows[0]}); nothing was written to it: "
            f"restore a copy, or recover it with `sqlite3 {path} .recover`"
        )


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN IMMEDIATE instead
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across a process crash
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin_immediate(conn: sa.Connection) -> None:
    # Take the write lock at the start: a transaction that reads, then writes, would otherwise
    # fail with "database is locked" when another process wrote in between.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def run_id_of(produced_by: Mapping[str, str]) -> str:
    return hashlib.sha1(json.dumps(dict(produced_by), sort_keys=True).encode()).hexdigest()[:16]


def _document_error(exc: sa.exc.SQLAlchemyError) -> bool:
    """Whether a database error concerns the document being written rather than the database: a
    constraint or a value it refuses, or (SQLite) a lock held past the busy timeout."""
    if isinstance(exc, sa.exc.IntegrityError | sa.exc.DataError):
        return True
    text = migrate.first_line(exc).lower()
    return isinstance(exc, sa.exc.OperationalError) and ("database is locked" in text or "busy" in text)


class SqlStore:
    """The ``Store`` on one SQLAlchemy engine."""

    def __init__(self, engine: sa.Engine, *, writable: bool = True) -> None:
        self.engine = engine
        self.writable = writable
        # Merge views of stored mentions, keyed by (mention_id, content hash of its document): a
        # stored mention never changes unless its document is replaced, which changes the hash.
        self._views: dict[tuple[str, str], tuple[merge.MentionView, dict[str, Any]]] = {}
        self._runs: set[str] = set()
        self._batch: _Batch | None = None  # while a batch is written: what it defers to its end

    # -- documents --------------------------------------------------------------------------

    def document_hash(self, doc_id: str) -> str | None:
        with self._conn() as conn:
            row = conn.execute(sa.select(documents.c.content_hash).where(documents.c.doc_id == doc_id)).first()
        return row[0] if row else None

    def signatures(self) -> Iterator[tuple[str, str, bytes]]:
        query = (
            sa.select(documents.c.doc_id, documents.c.dup_group, documents.c.minhash)
            .where(documents.c.minhash.is_not(None))
            .order_by(documents.c.doc_id)
        )
        with self._conn() as conn:
            rows = conn.execute(query).all()
        for doc_id, group, sig in rows:
            yield doc_id, group, bytes(sig)

    def document_hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """The stored content hash of each of ``doc_ids`` that is stored (one query per 500)."""
        with self._conn() as conn:
            return _hashes(conn, doc_ids)

    def add(self, record: DocumentRecord, result: ExtractResult) -> Outcome:
        outcome = self.add_batch([(record, result)], link=False)[0]
        if isinstance(outcome, DocumentError):
            raise outcome
        return outcome

    def add_batch(
        self, entries: Sequence[tuple[DocumentRecord, ExtractResult]], *, link: bool = True
    ) -> list[Outcome | DocumentError]:
        """Store several documents in one transaction, in order, each merged seeing every
        document before it (as ``add`` one by one would). With ``link`` the near-duplicate group
        of each document is found in the persisted index (``doc_bands``), ignoring the record's
        ``dup_group``/``dup_of``. When one document cannot be stored the batch is rolled back and
        written again one document per transaction, so only that document fails."""
        if not self.writable:
            raise StoreError("the database was opened for queries only")
        checked: list[tuple[DocumentRecord, ExtractResult] | DocumentError] = []
        for record, result in entries:
            try:
                check_doc_id(record.raw.doc_id)
                checked.append((record, result))
            except InputError as exc:
                checked.append(DocumentError(f"cannot store document: {exc}"))
        todo = [e for e in checked if not isinstance(e, DocumentError)]
        done: Iterator[Outcome | DocumentError]
        try:
            done = iter(self._write_batch(todo, link))
        except DocumentError:
            if len(todo) == 1:
                raise
            done = iter([self._write_alone(entry, link) for entry in todo])
        return [e if isinstance(e, DocumentError) else next(done) for e in checked]

    def _write_alone(self, entry: tuple[DocumentRecord, ExtractResult], link: bool) -> Outcome | DocumentError:
        try:
            return self._write_batch([entry], link)[0]
        except DocumentError as exc:
            return exc

    def _write_batch(self, entries: Sequence[tuple[DocumentRecord, ExtractResult]], link: bool) -> list[Outcome]:
        if not entries:
            return []
        outcomes: list[Outcome] = []
        doc_id = entries[0][0].raw.doc_id
        try:
            with self.engine.begin() as conn:
                migrate.lock_for_writing(conn)
                if conn.dialect.name == "postgresql":
                    # The lookups of a write all have an index; statistics of tables growing during
                    # the run lag behind and would make the planner scan them whole.
                    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
                stored = _hashes(conn, [record.raw.doc_id for record, _ in entries])
                self._batch = batch = _Batch(pins=_any_row(conn, mention_pins), reviews=_any_row(conn, event_reviews))
                for record, result in entries:
                    doc_id = record.raw.doc_id
                    outcomes.append(self._write(conn, record, result, link, stored.get(doc_id)))
                    stored[doc_id] = record.content_hash
                # Events are recomputed once per batch: merging reads mentions, never events, so
                # the tables are those of one transaction per document.
                self._batch = None
                self._refresh_events(conn, batch.touched, reviews=batch.reviews)
        except sa.exc.SQLAlchemyError as exc:
            self._views.clear()  # it may hold rows of the rolled-back transaction
            self._runs.clear()
            error = DocumentError if _document_error(exc) else StoreError
            raise error(f"cannot store document {doc_id}: {migrate.first_line(exc)}") from exc
        finally:
            self._batch = None
        return outcomes

    def _write(
        self, conn: sa.Connection, record: DocumentRecord, result: ExtractResult, link: bool, old: str | None
    ) -> Outcome:
        """One document, its band rows, mentions, claims and the events they join."""
        raw = record.raw
        if old == record.content_hash:
            return "unchanged"
        if old is not None:
            self._remove_document(conn, raw.doc_id)
        keys = merge.band_keys(record.minhash or b"")
        group, dup_of = record.dup_group, record.dup_of
        if link:
            near = self._band_candidates(conn, keys)
            group, dup_of = merge.nearest_duplicate(raw.doc_id, record.minhash or b"", near)
            if group != record.dup_group or dup_of != record.dup_of:
                record = dataclasses.replace(record, dup_group=group, dup_of=dup_of)
        run_id = self._run(conn, result.produced_by) if result.produced_by else None
        conn.execute(
            documents.insert(),
            dict(
                doc_id=raw.doc_id,
                content_hash=record.content_hash,
                title=raw.title,
                url=raw.url,
                outlet=raw.outlet,
                published=raw.published,
                text=raw.text,
                dup_group=group,
                dup_of=dup_of,
                minhash=record.minhash,
                warnings=list(dict.fromkeys([*record.warnings, *result.warnings])),
                run_id=run_id,
                ingested_at=time.time(),
            ),
        )
        if keys:
            conn.execute(doc_bands.insert(), [{"band_key": key, "doc_id": raw.doc_id} for key in keys])
        touched: set[str] = set()  # also the events this report may not join twice
        for idx, event in enumerate(result.events):
            touched.add(self._add_mention(conn, record, idx, event.to_dict(), run_id, touched))
        self._refresh_later(conn, touched)
        return "added" if old is None else "replaced"

    def _band_candidates(self, conn: sa.Connection, keys: Sequence[int]) -> list[tuple[str, str, bytes]]:
        """``(doc_id, dup_group, signature)`` of the stored documents sharing a band with ``keys``."""
        if not keys:
            return []
        d = documents.c
        sharing = sa.select(doc_bands.c.doc_id).where(doc_bands.c.band_key.in_(list(keys))).distinct()
        query = sa.select(d.doc_id, d.dup_group, d.minhash).where(d.doc_id.in_(sharing))
        return [(doc_id, group, bytes(sig)) for doc_id, group, sig in conn.execute(query) if sig is not None]

    def _run(self, conn: sa.Connection, produced_by: Mapping[str, str]) -> str:
        run_id = run_id_of(produced_by)
        if run_id in self._runs:
            return run_id
        if conn.execute(sa.select(runs.c.run_id).where(runs.c.run_id == run_id)).first() is None:
            conn.execute(runs.insert(), dict(run_id=run_id, produced_by=dict(produced_by), first_seen=time.time()))
        else:
            self._runs.add(run_id)  # known committed: no need to look again
        return run_id

    def _remove_document(self, conn: sa.Connection, doc_id: str) -> None:
        """Drop a document whose content changed; the events it fed are recomputed."""
        affected = {r[0] for r in conn.execute(sa.select(mentions.c.event_id).where(mentions.c.doc_id == doc_id))}
        conn.execute(claims.delete().where(claims.c.doc_id == doc_id))
        conn.execute(mentions.delete().where(mentions.c.doc_id == doc_id))
        conn.execute(doc_bands.delete().where(doc_bands.c.doc_id == doc_id))
        conn.execute(documents.delete().where(documents.c.doc_id == doc_id))
        self._refresh_later(conn, affected)

    def _refresh_later(self, conn: sa.Connection, event_ids: set[str]) -> None:
        """Recompute these events at the end of the batch being written (now outside one)."""
        if self._batch is not None:
            self._batch.touched |= event_ids
        else:
            self._refresh_events(conn, event_ids)

    # -- merging ----------------------------------------------------------------------------

    def _add_mention(
        self,
        conn: sa.Connection,
        record: DocumentRecord,
        idx: int,
        event: dict[str, Any],
        run_id: str | None,
        taken: set[str],
    ) -> str:
        raw = record.raw
        mention_id = f"{raw.doc_id}#{idx}"
        event = json.loads(json.dumps(event))  # as it will be read back from the JSON column
        view = merge.view_of(mention_id, raw.doc_id, record.dup_group, event, record.minhash)
        pins = self._batch is None or self._batch.pins
        event_id = review.pinned(conn, mention_id) if pins else None  # a reviewer's merge, split or rejection
        if event_id is None:
            candidates = self._candidates(conn, view, taken)
            event_id = merge.choose_event(view, candidates) or merge.event_id_for(mention_id)
        loc = event.get("location") or {}
        conn.execute(
            mentions.insert(),
            dict(
                mention_id=mention_id,
                doc_id=raw.doc_id,
                idx=idx,
                event_id=event_id,
                event_type=view.event_type,
                sub_event_type=view.sub_event_type,
                date=view.date,
                country=view.country,
                admin1=loc.get("admin1"),
                admin1_key=view.admin1_key,
                location_name=loc.get("name"),
                name_key=view.name_key,
                gazetteer_id=view.gazetteer_id,
                lat=view.lat,
                lon=view.lon,
                geo_precision=view.geo_precision,
                fatalities=view.fatalities,
                data=event,
                evidence=event.get("evidence") or [],
                run_id=run_id,
            ),
        )
        if len(self._views) >= VIEW_CACHE_SIZE:
            self._views.clear()
        self._views[(mention_id, record.content_hash)] = (view, event)  # the next reports' candidate
        sources = event.get("sources") or []
        wire = merge.primary_wire(sources, record.dup_group)
        rows = [{"source": s.get("canonical") or s.get("name"), "source_kind": s.get("kind")} for s in sources]
        conn.execute(
            claims.insert(),
            [
                dict(
                    mention_id=mention_id,
                    source_idx=i,
                    event_id=event_id,
                    doc_id=raw.doc_id,
                    outlet=raw.outlet,
                    fatalities=event.get("fatalities"),
                    injured=event.get("injured"),
                    wire=wire,
                    **row,
                )
                for i, row in enumerate(rows or [{"source": None, "source_kind": None}])
            ],
        )
        return event_id

    def _candidates(
        self, conn: sa.Connection, view: merge.MentionView, taken: set[str]
    ) -> dict[str, list[merge.MentionView]]:
        """Stored mentions that might agree with ``view``, by event. Single-link merging needs only
        these: a mention outside the day window (or in another country, or farther than the widest
        radius) cannot agree. Events already holding a mention of this report (``taken``) are left out."""
        shape = (
            bool(view.gazetteer_id),
            bool(view.name_key),
            view.date is not None,
            bool(view.country),
            view.lat is not None and view.lon is not None,
        )
        query = _CANDIDATE_QUERIES.get(shape)
        if query is None:
            query = _CANDIDATE_QUERIES[shape] = _candidate_query(*shape)
        params: dict[str, Any] = {"event_type": view.event_type, "doc_id": view.doc_id}
        if view.gazetteer_id:
            params["gazetteer_id"] = view.gazetteer_id
        if view.name_key:
            params["name_key"] = view.name_key
        if view.date is not None:
            window = dt.timedelta(days=merge.DATE_WINDOW_DAYS)
            params.update(date_from=view.date - window, date_to=view.date + window)
        if view.country:
            params["country"] = view.country
        if view.lat is not None and view.lon is not None:
            deg = merge.RADIUS_KM[3] / 111.0
            lon_deg = deg / max(0.1, math.cos(math.radians(view.lat)))
            params.update(
                lat_from=view.lat - deg, lat_to=view.lat + deg, lon_from=view.lon - lon_deg, lon_to=view.lon + lon_deg
            )
        rows = [r for r in conn.execute(query, params) if r.event_id not in taken]
        out: dict[str, list[merge.MentionView]] = defaultdict(list)
        for r, (view_, _data) in zip(rows, self._load(conn, rows), strict=True):
            out[r.event_id].append(view_)
        return dict(out)

    def _load(self, conn: sa.Connection, rows: Sequence[Any]) -> list[tuple[merge.MentionView, dict[str, Any]]]:
        """The merge view and §3 dict of each row (``mention_id, doc_id, dup_group, content_hash,
        minhash``),
        from the cache or, for the rest, from the database in chunks."""
        m = mentions.c
        missing = [r for r in rows if (r.mention_id, r.content_hash) not in self._views]
        if len(self._views) + len(missing) > VIEW_CACHE_SIZE:
            self._views.clear()
        for i in range(0, len(missing), 500):
            chunk = {r.mention_id: r for r in missing[i : i + 500]}
            for mention_id, data in conn.execute(sa.select(m.mention_id, m.data).where(m.mention_id.in_(chunk))):
                r = chunk[mention_id]
                view = merge.view_of(mention_id, r.doc_id, r.dup_group, data, bytes(r.minhash) if r.minhash else None)
                self._views[(mention_id, r.content_hash)] = (view, data)
        return [self._views[(r.mention_id, r.content_hash)] for r in rows]

    def _mention_rows(self, conn: sa.Connection, event_ids: Sequence[str] | None) -> Sequence[Any]:
        query = (
            sa.select(
                mentions.c.mention_id,
                mentions.c.event_id,
                mentions.c.doc_id,
                mentions.c.data,
                documents.c.dup_group,
                documents.c.outlet,
                documents.c.url,
                documents.c.published,
            )
            .join(documents, documents.c.doc_id == mentions.c.doc_id)
            .order_by(mentions.c.event_id, mentions.c.mention_id)
        )
        if event_ids is not None:
            query = query.where(mentions.c.event_id.in_(list(event_ids)))
        return conn.execute(query).all()

    def _refresh_event(self, conn: sa.Connection, event_id: str) -> None:
        """Recompute an event's merged fields from its mentions (or drop it when none is left)."""
        self._refresh_events(conn, [event_id])

    def _refresh_events(self, conn: sa.Connection, event_ids: Iterable[str], *, reviews: bool = True) -> None:
        """Recompute the merged fields of events from their mentions (dropping those left without
        any), 500 events per query. ``reviews=False``: no event has a reviewer's edits."""
        ids = sorted(set(event_ids))
        m = mentions.c
        found: dict[str, list[Any]] = {event_id: [] for event_id in ids}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            query = (
                sa.select(
                    m.event_id,
                    m.mention_id,
                    m.doc_id,
                    documents.c.dup_group,
                    documents.c.content_hash,
                    documents.c.minhash,
                    documents.c.published,
                )
                .join(documents, documents.c.doc_id == m.doc_id)
                .where(m.event_id.in_(part))
                .order_by(m.event_id, m.mention_id)
            )
            for row in conn.execute(query):
                found[row.event_id].append(row)
            conn.execute(events.delete().where(events.c.event_id.in_(part)))
        rows_out: list[dict[str, Any]] = []
        indexed: list[tuple[str, dict[str, Any] | None]] = []
        for event_id in ids:
            rows = found[event_id]
            if not rows:
                indexed.append((event_id, None))
                continue
            loaded = self._load(conn, rows)
            rec = merge.merged_record(
                [d for _, d in loaded], [v for v, _ in loaded], [r.published is None for r in rows]
            )
            if reviews:
                rec = review.apply(conn, event_id, rec, len({r.doc_id for r in rows}))  # a reviewer's edits win
            indexed.append((event_id, rec))
            loc = rec["location"]
            rows_out.append(
                dict(
                    event_id=event_id,
                    event_type=rec["event_type"],
                    sub_event_type=rec["sub_event_type"],
                    date=_date(rec["date"]),
                    country=loc.get("country"),
                    admin1=loc.get("admin1"),
                    admin1_key=merge.admin1_key(loc.get("admin1")),
                    location_name=loc.get("name"),
                    lat=loc.get("lat"),
                    lon=loc.get("lon"),
                    geo_precision=loc.get("geo_precision"),
                    fatalities=rec["fatalities"],
                    fatalities_min=rec["fatalities_min"],
                    fatalities_max=rec["fatalities_max"],
                    independent_sources=rec["independent_sources"],
                    n_mentions=len(rows),
                    data=rec,
                    timestamp=int(time.time()),
                )
            )
        review.index_events(conn, indexed)  # the search words of the whole batch at once
        if rows_out:
            conn.execute(events.insert(), rows_out)

    # -- queries ----------------------------------------------------------------------------

    def _where(self, sel: Any, query: EventQuery) -> Any:
        e = events.c
        if query.country:
            sel = sel.where(sa.func.upper(e.country) == query.country.upper())
        names = query.admin1_names()
        if names:
            keys = sorted({k for k in (merge.admin1_key(n) for n in names) if k})
            sel = sel.where(e.admin1_key.in_(keys) if keys else sa.false())  # "%" is no province
        if query.since:
            sel = sel.where(e.date >= query.since)
        if query.until:
            sel = sel.where(e.date <= query.until)
        if query.type:
            sel = sel.where(sa.or_(e.sub_event_type == query.type, e.event_type == query.type))
        if query.dated is not None:
            sel = sel.where(e.date.is_not(None) if query.dated else e.date.is_(None))
        state = review.state_filter(query.review)
        if state is not None:
            sel = sel.where(state)
        return sel

    def events(self, query: EventQuery, *, mentions: bool = True) -> Iterator[dict[str, Any]]:
        try:
            yield from self._events(query, mentions)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot read the database: {migrate.first_line(exc)}") from exc

    def _events(self, query: EventQuery, with_mentions: bool) -> Iterator[dict[str, Any]]:
        """Pages of ``PAGE`` events in (date, event_id) order, dated ones first, each page with
        its mentions; one read transaction, so the pages are one snapshot."""
        e = events.c
        left = query.limit or None  # 0, like None: no limit
        with self._conn() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                for dated in (True, False):
                    if query.dated is not None and query.dated != dated:
                        continue
                    last: tuple[Any, str] | None = None
                    while left is None or left > 0:
                        sel = self._where(sa.select(e.event_id, e.date, e.data, e.timestamp, e.n_mentions), query)
                        sel = sel.where(e.date.is_not(None) if dated else e.date.is_(None))
                        if last is not None:
                            after = e.event_id > last[1]
                            if dated:
                                after = sa.or_(e.date > last[0], sa.and_(e.date == last[0], after))
                            sel = sel.where(after)
                        size = PAGE if left is None else min(PAGE, left)
                        rows = conn.execute(sel.order_by(e.date, e.event_id).limit(size)).all()
                        by_event = self._page_mentions(conn, [r.event_id for r in rows]) if with_mentions else {}
                        reviewed = review.states(conn, [r.event_id for r in rows])
                        for row in rows:
                            rec = _event_record(row, by_event.get(row.event_id, []) if with_mentions else None)
                            rec["review_state"] = reviewed.get(row.event_id, "unreviewed")
                            yield rec
                        if left is not None:
                            left -= len(rows)
                        if len(rows) < size:
                            break
                        last = (rows[-1].date, rows[-1].event_id)

    def _page_mentions(self, conn: sa.Connection, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        by_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
        if ids:
            for m in self._mention_rows(conn, ids):
                by_event[m.event_id].append(_mention_record(m))
        return by_event

    def count(self, query: EventQuery) -> int:
        try:
            with self._conn() as conn:
                sel = self._where(sa.select(sa.func.count()).select_from(events), query)
                return int(conn.execute(sel).scalar_one())
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot read the database: {migrate.first_line(exc)}") from exc

    def values(self, column: str) -> list[str]:
        if column not in EVENT_COLUMNS:
            raise ValueError(f"not a filter column: {column}")
        col = events.c[column]
        try:
            with self._conn() as conn:
                rows = conn.execute(sa.select(col).where(col.is_not(None)).distinct().order_by(col)).all()
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot read the database: {migrate.first_line(exc)}") from exc
        return [str(r[0]) for r in rows if r[0]]

    def counts(self) -> dict[str, int]:
        try:
            with self._conn() as conn:
                return {
                    t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
                    for t in metadata.sorted_tables
                }
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot read the database: {migrate.first_line(exc)}") from exc

    def snapshot(self, *, volatile: bool = False) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table in primary-key order (for tests and audits); wall-clock
        columns are left out unless ``volatile``."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        with self._conn() as conn:
            for table in metadata.sorted_tables:
                cols = [c for c in table.columns if volatile or (table.name, c.name) not in VOLATILE_COLUMNS]
                rows = conn.execute(sa.select(*cols).order_by(*table.primary_key.columns)).all()
                out[table.name] = [tuple(_plain(v) for v in r) for r in rows]
        return out

    def close(self) -> None:
        self.engine.dispose()

    def _conn(self) -> sa.Connection:
        try:
            return self.engine.connect()
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot reach the database: {migrate.first_line(exc)}") from exc


_CANDIDATE_QUERIES: dict[tuple[bool, ...], sa.Select[Any]] = {}


def _candidate_query(gazetteer: bool, name: bool, dated: bool, country: bool, located: bool) -> sa.Select[Any]:
    """The candidate query of ``SqlStore._candidates`` for one shape of mention, with bound
    parameters (built once per shape: building a statement costs more than running it)."""
    m = mentions.c
    same_place: sa.ColumnElement[bool] = sa.false()
    if gazetteer:
        same_place = sa.or_(same_place, m.gazetteer_id == sa.bindparam("gazetteer_id"))
    if name:
        same_place = sa.or_(same_place, m.name_key == sa.bindparam("name_key"))
    if dated:
        when = sa.or_(
            m.date.between(sa.bindparam("date_from", type_=sa.Date), sa.bindparam("date_to", type_=sa.Date)),
            sa.and_(m.date.is_(None), same_place),
        )
    else:
        when = same_place
    query = (
        sa.select(
            m.mention_id, m.event_id, m.doc_id, documents.c.content_hash, documents.c.dup_group, documents.c.minhash
        )
        .join(documents, documents.c.doc_id == m.doc_id)
        .where(m.event_type == sa.bindparam("event_type"), when, m.doc_id != sa.bindparam("doc_id"))
        .order_by(m.mention_id)
    )
    if country:
        query = query.where(sa.or_(m.country == sa.bindparam("country"), m.country.is_(None)))
    if located:
        near = sa.and_(
            m.lat.between(sa.bindparam("lat_from"), sa.bindparam("lat_to")),
            m.lon.between(sa.bindparam("lon_from"), sa.bindparam("lon_to")),
        )
        query = query.where(sa.or_(m.lat.is_(None), m.lon.is_(None), near, same_place))
    return query


@dataclasses.dataclass(slots=True)
class _Batch:
    """A batch being written: the events to recompute at its end, and whether any mention is
    pinned or any event reviewed (looked up once: a reviewer cannot act inside the transaction)."""

    pins: bool = True
    reviews: bool = True
    touched: set[str] = dataclasses.field(default_factory=set)


def _any_row(conn: sa.Connection, table: sa.Table) -> bool:
    return conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None


def _hashes(conn: sa.Connection, doc_ids: Sequence[str]) -> dict[str, str]:
    """``doc_id -> content_hash`` of those of ``doc_ids`` that are stored, 500 per query."""
    out: dict[str, str] = {}
    ids = sorted(set(doc_ids))
    for i in range(0, len(ids), 500):
        query = sa.select(documents.c.doc_id, documents.c.content_hash).where(documents.c.doc_id.in_(ids[i : i + 500]))
        out.update((doc_id, digest) for doc_id, digest in conn.execute(query))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _event_record(row: Any, event_mentions: list[dict[str, Any]] | None) -> dict[str, Any]:
    rec: dict[str, Any] = {"event_id": row.event_id}
    rec.update({k: row.data.get(k) for k in EVENT_FIELDS})
    rec["flags"] = rec["flags"] or []
    rec["n_mentions"] = row.n_mentions
    if event_mentions is not None:
        rec["mentions"] = event_mentions
    rec["timestamp"] = row.timestamp
    return rec


def _mention_record(row: Any) -> dict[str, Any]:
    data = row.data
    rec: dict[str, Any] = {
        "doc_id": row.doc_id,
        "outlet": row.outlet,
        "url": row.url,
        "published": row.published.isoformat() if row.published else None,
    }
    rec.update({k: data.get(k) for k in MENTION_FIELDS})
    return rec
