"""The ACLED CSV, Parquet and GeoJSON exports: ACLED's 31 columns and formats, one row per merged
event written the same way in every format, undated events left out of ACLED rows and counted."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "store"))
import store_helpers
from fake_extractor import extract

from marsad.ingest import ingest
from marsad.ingest.readers import record_to_document
from marsad.models import Actor, Event, Evidence, ExtractResult, Location, RawDocument, Source
from marsad.store import EventQuery, SqlStore, open_store
from marsad.store.acled import ACLED_COLUMNS, acled_record
from marsad.store.export import ExportStats, atomic_output, write_csv, write_geojson, write_jsonl, write_parquet
from marsad.store.filters import gazetteer_admin_lookup

db_url = store_helpers.db_url_fixture()

# ACLED's published header, written out here on purpose (not imported from the code under test)
ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,"
    "admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,"
    "tags,timestamp"
)
REGIME = Actor("قوات النظام", "Military Forces of Syria", 1, "SY")
CIVILIANS = Actor("مدنيين", "Civilians (Syria)", 7, "SY")
NAWA = Location("نوى", 1, "Nawa", "ocha:C5975", "SY", "Dar'a", 32.8899, 36.0431)
SOHR = Source("المرصد السوري", "Syrian Observatory for Human Rights", "monitor")


def _attack(doc_id: str, published: dt.date | None, actor2: Actor) -> tuple[RawDocument, ExtractResult]:
    text = "قال المرصد إن قوات النظام أعدمت مدنيين في مدينة نوى."
    raw = RawDocument(doc_id, text, published, outlet="omega.example")
    event = Event(
        sub_event_type="attack",
        date=published,
        time_precision=1,
        location=NAWA,
        actor1=REGIME,
        actor2=actor2,
        fatalities=3,
        sources=(SOHR,),
        evidence=(Evidence(0, len(text)),),
        notes="an extraction note that the merged record does not keep",
    )
    return raw, ExtractResult(doc_id, published, None, (event,), produced_by={"fake": "v1"})


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    s = open_store(db_url)
    docs = store_helpers.load_docs()
    undated = {"doc_id": "u1", "text": "قصف عنيف على مدينة صيدا مساء أمس.", "outlet": "nu.example"}
    report = ingest(s, [record_to_document(d) for d in [*docs, undated]], extract)
    assert report.failed == 0
    made = dict([_attack("v1", dt.date(2018, 7, 5), CIVILIANS), _attack("v2", dt.date(2018, 7, 5), REGIME)])
    ingest(s, list(made), lambda raw: made[raw])
    yield s
    s.close()


def _csv(store: SqlStore, **kw: Any) -> tuple[str, ExportStats]:
    buf, stats = io.StringIO(), ExportStats()
    write_csv(store.events(EventQuery()), buf, stats=stats, **kw)
    return buf.getvalue(), stats


def test_header_is_acleds_and_undated_events_are_left_out(store: SqlStore) -> None:
    text, stats = _csv(store)
    assert text.splitlines()[0] == ACLED_HEADER and len(ACLED_COLUMNS) == 31
    rows = list(csv.DictReader(io.StringIO(text)))
    total = len(list(store.events(EventQuery(), mentions=False)))
    assert stats.undated == 1 and stats.rows == len(rows) == total - 1
    assert all(r["event_date"] and r["year"] for r in rows)


def test_csv_loads_with_pandas_with_acleds_dtypes(store: SqlStore) -> None:
    pd = pytest.importorskip("pandas")
    from pandas.api import types

    labels = pd.read_csv(io.StringIO(_csv(store)[0]))
    for col in ("year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp"):
        assert types.is_integer_dtype(labels[col]), col
    for col in ("latitude", "longitude"):
        assert types.is_float_dtype(labels[col]), col
    for col in ("event_id_cnty", "event_date", "event_type", "inter1", "interaction", "country", "notes"):
        assert types.is_string_dtype(labels[col]) or labels[col].dtype == object, col
    assert pd.to_datetime(labels["event_date"], format="%d %B %Y").notna().all()
    numbers = pd.read_csv(io.StringIO(_csv(store, inter="numbers")[0]))
    for col in ("inter1", "inter2", "interaction"):
        assert types.is_integer_dtype(numbers[col]), col
    assert set(numbers["inter2"]) >= {0, 7}


def test_acled_values(store: SqlStore) -> None:
    rows = list(csv.DictReader(io.StringIO(_csv(store)[0])))
    attack = next(r for r in rows if r["sub_event_type"] == "Attack")
    assert attack["event_type"] == "Violence against civilians" and attack["disorder_type"] == "Political violence"
    assert (attack["inter1"], attack["inter2"], attack["interaction"]) == (
        "State forces",
        "Civilians",
        "State forces-Civilians",
    )
    assert attack["civilian_targeting"] == "Civilian targeting"
    assert attack["iso"] == "760" and attack["region"] == "Middle East" and attack["country"] == "Syria"
    assert attack["source_scale"] == "Other" and "omega.example" in attack["source"]
    assert attack["event_id_cnty"].startswith("SYR") and len(attack["event_id_cnty"]) == 15
    clash = next(r for r in rows if r["sub_event_type"] == "Armed clash")
    assert clash["fatalities"] == "0" and clash["interaction"] == ""  # no actor, no figure
    numbers = list(csv.DictReader(io.StringIO(_csv(store, inter="numbers")[0])))
    attack_n = next(r for r in numbers if r["sub_event_type"] == "Attack")
    assert (attack_n["inter1"], attack_n["inter2"], attack_n["interaction"]) == ("1", "7", "17")


def test_one_actor_is_never_both_sides(store: SqlStore) -> None:
    """v1 names civilians as the second side, v2 the regime (as the first side already is)."""
    (attack,) = [e for e in store.events(EventQuery(type="attack"))]
    assert {m["doc_id"] for m in attack["mentions"]} == {"v1", "v2"}
    assert attack["actor1"]["canonical"] == "Military Forces of Syria"
    assert attack["actor2"]["canonical"] == "Civilians (Syria)"


def test_notes_agree_with_the_merged_fields(store: SqlStore) -> None:
    events = list(store.events(EventQuery()))
    for ev in events:
        assert ev["notes"] and "extraction note" not in ev["notes"]
        if ev["fatalities"]:
            assert f"{ev['fatalities']} reported killed" in ev["notes"]
        else:
            assert "reported killed" not in ev["notes"]
    busra = next(e for e in events if e["location"]["name"] == "بصرى الشام" and e["date"] == "2018-07-05")
    assert busra["fatalities"] == 5
    assert busra["notes"].startswith("On 5 July 2018, Military Forces of Russia carried out air or drone strikes")
    undated = next(e for e in events if e["date"] is None)
    assert undated["flags"] == ["no_publication_date"] and not undated["notes"].startswith("On ")


def _strings(row: dict[str, Any]) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in row.items()}


def test_the_same_event_is_the_same_in_every_format(store: SqlStore, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    csv_rows = {r["event_id_cnty"]: r for r in csv.DictReader(io.StringIO(_csv(store)[0]))}
    buf = io.StringIO()
    write_geojson(store.events(EventQuery()), buf, flat=True)
    flat = {f["properties"]["event_id_cnty"]: f["properties"] for f in json.loads(buf.getvalue())["features"]}
    path = tmp_path / "e.parquet"
    with path.open("wb") as f:
        write_parquet(store.events(EventQuery()), f)
    table = pq.read_table(path)
    parquet = {r["event_id_cnty"]: r for r in table.to_pylist()}
    buf = io.StringIO()
    write_jsonl(store.events(EventQuery()), buf)
    jsonl = {json.loads(x)["event_id"]: json.loads(x) for x in buf.getvalue().splitlines()}

    assert set(parquet) == set(csv_rows) and set(flat) > set(csv_rows)  # GeoJSON keeps the undated event
    for key, row in csv_rows.items():
        assert {c: _strings(flat[key])[c] for c in ACLED_COLUMNS} == row
        p = dict(parquet[key])
        p["event_date"] = f"{p['event_date']:%d %B %Y}"
        assert {c: _strings(p)[c] for c in ACLED_COLUMNS} == row
        ev = jsonl[p["event_id"]]
        assert row["notes"] == ev["notes"] and int(row["fatalities"]) == (ev["fatalities"] or 0)
        assert p["fatalities_min"] == ev["fatalities_min"]  # null in both when no report gives a figure
    assert all(isinstance(v, str | int | float | type(None)) for props in flat.values() for v in props.values())


def test_parquet_has_real_types(store: SqlStore, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "e.parquet"
    with path.open("wb") as f:
        write_parquet(store.events(EventQuery()), f)
    schema = pq.read_schema(path)
    assert schema.field("event_date").type == pa.date32()
    assert pa.types.is_integer(schema.field("year").type) and pa.types.is_integer(schema.field("fatalities").type)
    assert schema.field("latitude").type == pa.float64()
    rows = pq.read_table(path).to_pylist()
    clash = next(r for r in rows if r["sub_event_type"] == "Armed clash")
    assert clash["fatalities"] == 0 and clash["fatalities_min"] is None
    assert isinstance(clash["event_date"], dt.date) and clash["year"] == 2018


def test_bom_for_spreadsheets(store: SqlStore, tmp_path: Path) -> None:
    path = tmp_path / "acled.csv"
    with atomic_output(path, bom=True) as out:
        write_csv(store.events(EventQuery()), out)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + b"event_id_cnty,")
    assert data.count(b"\xef\xbb\xbf") == 1


def test_admin2_and_admin3_from_the_gazetteer() -> None:
    lookup = gazetteer_admin_lookup()
    assert lookup("ocha:C6002") == ("Dar'a", "Busra Esh-Sham")  # the seat of its sub-district
    admin2, admin3 = lookup("ocha:C5995")  # Sayda: a town the gazetteer gives no sub-district
    assert admin2 == "Dar'a" and admin3 is None
    assert lookup("ocha-adm1:SY12") == (None, None) and lookup(None) == (None, None)
    ev = {
        "event_id": "MRS0123456789AB",
        "date": "2018-07-05",
        "location": {"gazetteer_id": "ocha:C6002", "country": "SY"},
        "event_type": "battles",
        "sub_event_type": "armed_clash",
    }
    row = acled_record(ev, admin=lookup)
    assert (row["admin2"], row["admin3"], row["event_id_cnty"]) == ("Dar'a", "Busra Esh-Sham", "SYR0123456789AB")


def test_text_a_spreadsheet_would_run_as_a_formula_is_quoted(db_url: str) -> None:
    hostile = Source('=HYPERLINK("http://evil.example";"المرصد")', "@SUM(1+1)*cmd|' /C calc'!A0", "monitor")
    raw, result = _attack("f1", dt.date(2018, 7, 5), CIVILIANS)
    result = ExtractResult(
        result.doc_id, result.published, None, (dataclasses.replace(result.events[0], sources=(hostile,)),), {}
    )
    s = open_store(db_url)
    try:
        ingest(s, [raw], lambda _raw: result)
        buf = io.StringIO()
        write_csv(s.events(EventQuery()), buf)
    finally:
        s.close()
    (row,) = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert row["source"].startswith("'")
    assert not any(v.startswith(("=", "+", "@")) for v in row.values())
    assert float(row["latitude"]) == pytest.approx(32.8899)  # numbers are left alone


def test_export_through_a_symbolic_link_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "acled.csv"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    with atomic_output(link) as out:
        out.write("new\n")
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in target.parent.iterdir()] == ["acled.csv"]  # the temporary file was beside the target


def test_export_into_a_named_pipe_writes_through_it(tmp_path: Path) -> None:
    """A pipe (like /dev/null or /dev/stdout) is written as it is, not replaced by a regular file."""
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    with atomic_output(fifo, bom=True) as out:
        out.write("سطر\n")
    reader.join(timeout=10)
    assert received == ["\ufeffسطر\n".encode()]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_source_scale_of_named_and_unnamed_sources() -> None:
    from marsad.store.acled import source_scale

    def src(canonical: str, kind: str) -> dict[str, str]:
        return {"name": canonical, "canonical": canonical, "kind": kind}

    assert source_scale([src("Syrian Observatory for Human Rights", "monitor")]) == "Other"
    assert source_scale([src("Local sources", "unspecified")]) == "Local"
    assert source_scale([src("Social media", "unspecified"), src("AFP", "news_agency")]) == "New media-International"
    assert source_scale([src("Informed sources", "unspecified")]) == "Other"  # its reach is not said
    assert source_scale([src("Israeli media", "unspecified"), src("Gaza Ministry of Health", "official")]) == "National"
    assert source_scale([]) == ""
