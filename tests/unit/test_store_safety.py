"""The store refuses what would break it, on every backend, with one-line errors: ids with control
characters, unknown URL schemes, missing databases for queries; exports replace files atomically."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "store"))
import store_helpers
from fake_extractor import extract

from marsad.errors import StoreError
from marsad.ingest import ingest
from marsad.models import RawDocument
from marsad.store import DocumentError, DocumentRecord, EventQuery, open_store
from marsad.store.export import atomic_output, write_jsonl

db_url = store_helpers.db_url_fixture()
TEXT = "غارة على بلدة طفس صباح اليوم."


@pytest.mark.parametrize("doc_id", ["nul\x00id", "line\nbreak", "bell\x07", "del\x7f"])
def test_ids_with_control_characters_are_refused(db_url: str, doc_id: str) -> None:
    store = open_store(db_url)
    try:
        raw = RawDocument(doc_id, TEXT)
        with pytest.raises(DocumentError, match="control character"):
            store.add(DocumentRecord(raw, "h", doc_id), extract(raw))
        # through ingest, the document fails alone and the next one is stored
        report = ingest(store, [raw, RawDocument("fine", TEXT)], extract)
        assert (report.added, report.failed) == (1, 1) and "control character" in report.failures[0]
        assert store.counts()["documents"] == 1
    finally:
        store.close()


@pytest.mark.parametrize("url", ["mysql://root@localhost/db", "mssql+pyodbc://x", "oracle://a@b", "redis://x"])
def test_unknown_schemes_are_unsupported(url: str) -> None:
    with pytest.raises(StoreError, match="unsupported database"):
        open_store(url)


def test_queries_refuse_a_database_that_is_not_there(db_url: str, tmp_path: Path) -> None:
    if db_url.startswith("sqlite"):
        with pytest.raises(StoreError, match="no database at"):
            open_store(str(tmp_path / "missing.sqlite"), create=False, readonly=True)
        assert not (tmp_path / "missing.sqlite").exists()
    with pytest.raises(StoreError, match="--create"):
        open_store(db_url, create=False, readonly=True)  # SQLite: a new empty file; PostgreSQL: no tables
    open_store(db_url).close()
    store = open_store(db_url, create=False, readonly=True)
    assert store.count(EventQuery()) == 0
    with pytest.raises(StoreError, match="queries only"):
        raw = RawDocument("x", TEXT)
        store.add(DocumentRecord(raw, "h", "x"), extract(raw))
    store.close()


def test_failed_export_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    out.write_text("previous export\n", encoding="utf-8")

    def events() -> object:
        yield {"event_id": "MRS000000000001", "date": "2018-07-05"}
        raise RuntimeError("the database went away mid-export")

    with pytest.raises(RuntimeError), atomic_output(out) as f:
        write_jsonl(events(), f)  # type: ignore[arg-type]
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.jsonl"]
    with atomic_output(out) as f:
        write_jsonl(iter([{"event_id": "MRS000000000002"}]), f)
    assert out.read_text(encoding="utf-8") == '{"event_id": "MRS000000000002"}\n'


def test_another_applications_sqlite_file_is_left_alone(tmp_path: Path) -> None:
    """A mistyped --db naming another program's SQLite file: Marsad's tables are not added to it."""
    import sqlite3

    path = tmp_path / "contacts.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE contacts (id INTEGER, name TEXT)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match=r"not a Marsad database: it holds other tables \(contacts\)"):
        open_store(str(path))
    con = sqlite3.connect(path)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["contacts"]
    con.close()


def test_a_schema_revision_this_version_does_not_know_is_one_error(db_url: str) -> None:
    """A database written by a newer Marsad (or holding another application's alembic_version):
    a StoreError, not Alembic's traceback, and nothing written."""
    import sqlalchemy as sa

    open_store(db_url).close()
    from marsad.store import migrate

    engine = sa.create_engine(migrate.normalize_url(db_url))
    with engine.begin() as conn:
        (head,) = conn.execute(sa.text("SELECT version_num FROM alembic_version")).one()
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    try:
        with pytest.raises(StoreError, match="schema revision 'f00dfeed', which this version of Marsad does not know"):
            open_store(db_url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "f00dfeed"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        engine.dispose()
