"""The store, the same tests on SQLite and PostgreSQL (a fresh schema per test)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "store"))
import store_helpers
from fake_extractor import extract

from marsad.errors import StoreError
from marsad.ingest import ingest
from marsad.ingest.readers import record_to_document
from marsad.store import EventQuery, SqlStore, export, open_store
from marsad.store.schema import metadata

db_url = store_helpers.db_url_fixture()


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    s = open_store(db_url)
    yield s
    s.close()


def fill(store: SqlStore, docs: list[dict] | None = None) -> None:
    items = [record_to_document(d) for d in (docs or store_helpers.load_docs())]
    report = ingest(store, items, extract)
    assert report.failed == 0


def test_migrations_match_the_metadata(store: SqlStore) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []


def test_reopen_is_a_no_op(db_url: str) -> None:
    open_store(db_url).close()
    s = open_store(db_url)
    assert s.counts()["documents"] == 0
    s.close()


def test_ingest_merges_reports_of_one_strike(store: SqlStore) -> None:
    fill(store)
    counts = store.counts()
    assert counts["documents"] == 6
    assert counts["runs"] == 1
    # c1 (AFP, 8 killed) is dated 6 July by the fake extractor, which ignores "أمس": a day after
    # a1/b1 (SOHR, 5 killed) with no shared source or figure, it stays apart
    busra = [e for e in store.events(EventQuery()) if e["location"]["name"] == "بصرى الشام"]
    assert sorted(e["date"] for e in busra) == ["2018-07-05", "2018-07-06", "2018-07-12"]
    # the same day, AFP's own report of the strike joins the SOHR rewrites
    afp = {
        "doc_id": "g1",
        "outlet": "eta.example",
        "published": "2018-07-05",
        "text": "قالت فرانس برس إن غارة للطيران الروسي استهدفت بصرى الشام وأسفرت عن مقتل 8 أشخاص.",
    }
    ingest(store, [record_to_document(afp)], extract)
    events = list(store.events(EventQuery()))
    first = next(e for e in events if e["location"]["name"] == "بصرى الشام" and e["date"] == "2018-07-05")
    assert sorted(m["doc_id"] for m in first["mentions"]) == ["a1", "b1", "g1"]
    assert (first["fatalities"], first["fatalities_min"], first["fatalities_max"]) == (5, 5, 8)
    assert first["independent_sources"] == 2  # a1 and b1 rewrite one SOHR text; g1 is AFP
    assert {m["outlet"] for m in first["mentions"]} == {"alpha.example", "beta.example", "eta.example"}
    assert isinstance(first["timestamp"], int)


def test_claims_keep_each_sources_figure(store: SqlStore) -> None:
    from marsad.store.schema import claims

    fill(store)
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(claims.c.doc_id, claims.c.source, claims.c.fatalities)
            .where(claims.c.fatalities.is_not(None))
            .order_by(claims.c.doc_id)
        ).all()
    figures = {(r.doc_id, r.source, r.fatalities) for r in rows}
    assert ("c1", "Agence France-Presse", 8) in figures
    assert ("a1", "Syrian Observatory for Human Rights", 5) in figures


def test_event_ids_stay_when_more_reports_arrive(store: SqlStore) -> None:
    docs = store_helpers.load_docs()
    fill(store, docs[:1])
    before = {e["location"]["name"]: e["event_id"] for e in store.events(EventQuery())}
    fill(store, docs[1:])
    after = {(e["location"]["name"], e["date"]): e["event_id"] for e in store.events(EventQuery())}
    assert after[("بصرى الشام", "2018-07-05")] == before["بصرى الشام"]
    assert after[("طفس", "2018-07-05")] == before["طفس"]


def test_reingest_changes_nothing(store: SqlStore) -> None:
    fill(store)
    snap = store.snapshot(volatile=True)
    report = ingest(store, [record_to_document(d) for d in store_helpers.load_docs()], extract)
    assert (report.added, report.unchanged) == (0, 6)
    assert store.snapshot(volatile=True) == snap


def test_changed_document_replaces_its_mentions(store: SqlStore) -> None:
    docs = store_helpers.load_docs()
    fill(store, docs)
    # dated the next day by the fake extractor, so it joins through the shared source (SOHR)
    changed = dict(docs[2], text="قال المرصد إن غارة للطيران الروسي استهدفت بصرى الشام وأسفرت عن مقتل 9 أشخاص.")
    report = ingest(store, [record_to_document(changed)], extract)
    assert report.replaced == 1
    busra = next(
        e for e in store.events(EventQuery()) if e["location"]["name"] == "بصرى الشام" and e["date"] == "2018-07-05"
    )
    assert busra["fatalities_max"] == 9
    assert store.counts()["documents"] == 6


def test_filters(store: SqlStore) -> None:
    fill(store)

    def ids(**kw: object) -> set[str]:
        return {e["location"]["name"] for e in store.events(EventQuery(**kw), mentions=False)}  # type: ignore[arg-type]

    assert ids(admin1="Daraa") == ids(admin1="dar'a") == {"بصرى الشام", "طفس", "درعا"}
    assert ids(admin1="Idlib") == {"إدلب"}
    assert ids(type="armed_clash") == {"إدلب"}
    assert ids(type="battles") == {"إدلب"}
    assert ids(country="sy", since=dt.date(2018, 7, 6)) == {"بصرى الشام"}
    assert ids(until=dt.date(2018, 7, 4)) == set()
    assert len(list(store.events(EventQuery(limit=2)))) == 2


def test_exports(store: SqlStore, tmp_path: Path) -> None:
    fill(store)
    buf = io.StringIO()
    n = export.write_jsonl(store.events(EventQuery()), buf)
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert n == len(lines) == len(list(store.events(EventQuery())))
    for rec in lines:
        for key in (
            "event_id",
            "event_type",
            "sub_event_type",
            "date",
            "location",
            "actor1",
            "fatalities",
            "fatalities_min",
            "fatalities_max",
            "independent_sources",
            "mentions",
            "timestamp",
        ):
            assert key in rec
        for m in rec["mentions"]:
            assert set(m) == {
                "doc_id",
                "outlet",
                "url",
                "published",
                "event_type",
                "sub_event_type",
                "date",
                "location",
                "fatalities",
                "sources",
                "evidence",
            }

    buf = io.StringIO()
    export.write_csv(store.events(EventQuery()), buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert tuple(rows[0]) == export.ACLED_COLUMNS
    busra = next(r for r in rows if r["location"] == "Busra Esh-Sham" and r["event_date"] == "05 July 2018")
    assert busra["country"] == "Syria" and busra["fatalities"] == "5" and busra["year"] == "2018"
    assert busra["sub_event_type"] == "Air/drone strike" and busra["interaction"] == "External/Other forces only"
    assert busra["iso"] == "760" and busra["region"] == "Middle East" and busra["event_id_cnty"].startswith("SYR")

    buf = io.StringIO()
    export.write_geojson(store.events(EventQuery()), buf)
    geo = json.loads(buf.getvalue())
    assert geo["type"] == "FeatureCollection" and geo["features"][0]["geometry"]["type"] == "Point"

    import pyarrow.parquet as pq

    path = tmp_path / "events.parquet"
    with path.open("wb") as f:
        export.write_parquet(store.events(EventQuery()), f)
    table = pq.read_table(path)
    assert table.num_rows == len(rows) and "independent_sources" in table.column_names


def test_unreachable_database_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open database"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")


def test_unwritable_sqlite_path_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError):
        open_store(str(blocker / "sub" / "db.sqlite"))
