"""``marsad import``: small ACLED and UCDP GED files written for the tests; rows validated with line
numbers, idempotent re-import, kept apart from Marsad's events, our own ACLED export round-trips,
Marsad's events next to the dataset's, and an imported history that lengthens the alert baseline."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "store"))
import store_helpers
from fake_extractor import extract

from marsad.alerts import Scope, compute
from marsad.errors import ConfigError
from marsad.ingest import ingest
from marsad.ingest.readers import record_to_document
from marsad.models import RawDocument
from marsad.store import EventQuery, SqlStore, export, open_store
from marsad.store.acled import ACLED_COLUMNS
from marsad.store.external import import_file, imported, side_by_side

FIXTURES = Path(__file__).parents[1] / "fixtures"
db_url = store_helpers.db_url_fixture()
ACLED = FIXTURES / "live" / "acled.csv"
UCDP = FIXTURES / "live" / "ucdp_ged.csv"


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    s = open_store(db_url)
    yield s
    s.close()


def test_acled_rows_are_validated_and_stored_apart(store: SqlStore) -> None:
    report = import_file(store.engine, ACLED, "acled-csv")
    assert (report.read, report.stored, report.replaced) == (6, 3, 0)
    assert report.bad == [
        f"{ACLED}:5: event_date is not a date (2018-07-05 or 05 July 2018): '31 June 2018'",
        f"{ACLED}:6: unknown sub_event_type 'Carpet bombing'",
        f"{ACLED}:7: latitude 132.5 is outside -90..90",
    ]
    rows = {r["id"]: r for r in imported(store.engine)}
    assert set(rows) == {"SYR30011", "SYR30012", "SYR30013"}
    tafas = rows["SYR30011"]
    assert (tafas["source"], tafas["date"], tafas["country"], tafas["admin1"], tafas["location"]) == (
        "acled",
        "2018-07-05",
        "SY",
        "Dara",
        "Tafas",
    )
    assert (tafas["sub_event_type"], tafas["family"], tafas["fatalities"]) == ("air_drone_strike", "air_strikes", 3)
    assert rows["SYR30012"]["date"] == "2018-07-05"  # ISO dates too
    # never mixed into Marsad's own tables
    counts = store.counts()
    assert counts["events"] == counts["mentions"] == 0
    # a province filter uses the loose key: Daraa = Dar'a = Dara
    assert [r["id"] for r in imported(store.engine, admin1=["Daraa"])] == ["SYR30011", "SYR30012"]


def test_reimport_replaces_the_same_ids(store: SqlStore, tmp_path: Path) -> None:
    import_file(store.engine, ACLED, "acled-csv")
    again = import_file(store.engine, ACLED, "acled-csv")
    assert (again.stored, again.replaced) == (0, 3)
    assert len(list(imported(store.engine))) == 3
    # a corrected file: the same id, another toll
    text = ACLED.read_text(encoding="utf-8").replace('killing 3 civilians.",3,', 'killing 4 civilians.",4,')
    fixed = tmp_path / "acled-fixed.csv"
    fixed.write_text(text, encoding="utf-8")
    import_file(store.engine, fixed, "acled-csv")
    assert next(r for r in imported(store.engine) if r["id"] == "SYR30011")["fatalities"] == 4
    # another source name keeps its own copy
    import_file(store.engine, ACLED, "acled-csv", source="acled-2018")
    assert len(list(imported(store.engine))) == 6
    assert len(list(imported(store.engine, source="acled-2018"))) == 3


def test_as_mentions_only_when_asked_merging_with_our_events(store: SqlStore) -> None:
    tafas = "شن الطيران الروسي غارة على بلدة طفس صباح اليوم وأسفرت عن مقتل 4 مدنيين، بحسب المرصد."
    ingest(store, [RawDocument("daraa24-101", tafas, dt.date(2018, 7, 5), outlet="daraa24.example")], extract)
    assert store.counts()["events"] == 1
    report = import_file(store.engine, ACLED, "acled-csv", as_mentions_into=store)
    assert report.stored == 3 and report.mentions is not None
    assert (report.mentions.added, report.mentions.failed) == (3, 0)
    by_place = {e["location"]["name_en"]: e for e in store.events(EventQuery())}
    assert set(by_place) == {"Tafas", "Nawa", "Saraqab"}
    strike = by_place["Tafas"]  # ACLED's row joined the event Marsad read from the Arabic report
    assert sorted(m["doc_id"] for m in strike["mentions"]) == ["acled:SYR30011", "daraa24-101"]
    assert by_place["Nawa"]["location"]["admin1"] == "Dar'a"  # ACLED's "Dara" takes the store's name
    assert [m["doc_id"] for m in by_place["Saraqab"]["mentions"]] == ["acled:SYR30013"]
    assert by_place["Saraqab"]["fatalities"] == 4
    again = import_file(store.engine, ACLED, "acled-csv", as_mentions_into=store)
    assert (again.mentions.added, again.mentions.unchanged) == (0, 3)  # idempotent
    assert store.counts()["events"] == 3
    with pytest.raises(ConfigError, match="--as-mentions works with --format acled-csv only"):
        import_file(store.engine, UCDP, "ucdp-ged", as_mentions_into=store)


def test_ucdp_ged_rows(store: SqlStore) -> None:
    report = import_file(store.engine, UCDP, "ucdp-ged")
    assert (report.read, report.stored) == (5, 3)
    assert report.bad == [
        f"{UCDP}:5: type_of_violence must be 1, 2 or 3, not '4'",
        f"{UCDP}:6: date_end 2018-07-05 is before date_start 2018-07-09",
    ]
    rows = {r["id"]: r for r in imported(store.engine, source="ucdp")}
    assert rows["244101"]["admin1"] == "Dar'a"  # "Dar'a governorate" without the suffix
    assert rows["244101"]["admin2"] == "Dar'a"
    assert (rows["244101"]["family"], rows["244101"]["fatalities"]) == ("state_based", 3)
    assert (rows["244102"]["family"], rows["244103"]["family"]) == ("one_sided", "non_state")
    assert rows["244101"]["date"] == "2018-07-05"


def test_files_that_are_not_the_format_said(store: SqlStore, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a ucdp-ged file: no column id, date_start, type_of_violence"):
        import_file(store.engine, ACLED, "ucdp-ged")
    with pytest.raises(ConfigError, match="no such file"):
        import_file(store.engine, tmp_path / "none.csv", "acled-csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(ACLED.read_bytes().replace(b"Tafas", b"T\xe4fas"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        import_file(store.engine, latin, "acled-csv")
    with pytest.raises(ConfigError, match="--source must be"):
        import_file(store.engine, ACLED, "acled-csv", source="My Source!")


def test_our_own_acled_export_round_trips(store: SqlStore, tmp_path: Path) -> None:
    items = [record_to_document(d) for d in store_helpers.load_docs()]
    ingest(store, items, extract)
    ours = [e for e in store.events(EventQuery()) if e.get("date")]
    out = io.StringIO()
    export.write_csv(iter(ours), out)
    buffer = out.getvalue()
    header = next(csv.reader(io.StringIO(buffer)))
    assert tuple(header) == ACLED_COLUMNS
    csv_file = tmp_path / "ours.csv"
    csv_file.write_text(buffer, encoding="utf-8")
    report = import_file(store.engine, csv_file, "acled-csv", source="marsad-export")
    assert report.bad == []
    assert report.stored == len(ours)
    back = {r["id"]: r for r in imported(store.engine, source="marsad-export")}
    by_row = {row["event_id_cnty"]: row for row in csv.DictReader(io.StringIO(buffer))}
    assert set(back) == set(by_row)
    for ev in ours:
        row = next(
            r
            for r in back.values()
            if r["date"] == ev["date"]
            and r["sub_event_type"] == ev["sub_event_type"]
            and r["location"] in (ev["location"].get("name_en"), ev["location"].get("name"))
        )
        assert row["country"] == ev["location"]["country"]


def test_marsad_events_next_to_the_dataset(store: SqlStore) -> None:
    docs = [
        {"doc_id": "t1", "published": "2018-07-05", "text": "شن الطيران الروسي غارة على بلدة طفس صباح اليوم."},
        {"doc_id": "t2", "published": "2018-07-05", "text": "قصف قوات النظام مدينة نوى بالمدفعية صباح اليوم."},
        {"doc_id": "t3", "published": "2018-07-05", "text": "غارة على بصرى الشام أسفرت عن مقتل 2 من المدنيين."},
    ]
    ingest(store, [record_to_document(d) for d in docs], extract)
    import_file(store.engine, ACLED, "acled-csv")
    rows = side_by_side(store.engine, source="acled", admin1=["Daraa"])
    assert rows == [
        {
            "country": "SY",
            "admin1": "Dar'a",
            "date": "2018-07-05",
            "marsad_events": 3,
            "marsad_fatalities": 2,
            "their_events": 2,
            "their_fatalities": 3,
        }
    ]


def test_an_imported_history_lengthens_the_alert_baseline(store: SqlStore, tmp_path: Path) -> None:
    """Marsad's data begins on 1 June with one strike a week in Daraa, then five on 20 July: a
    surge against Marsad's short history. ACLED's May, with four strikes a day, says it is not."""
    docs = []
    for i in range(0, 49, 7):
        day = dt.date(2018, 6, 1) + dt.timedelta(days=i)
        docs.append({"doc_id": f"w{i}", "published": day.isoformat(), "text": "غارة على بلدة طفس صباح اليوم."})
    for town, n in (("طفس", 1), ("نوى", 2), ("بصرى الشام", 3), ("درعا", 4), ("إدلب", 0)):
        if n:
            docs.append({"doc_id": f"s{n}", "published": "2018-07-20", "text": f"غارة على {town} صباح اليوم."})
    docs.append({"doc_id": "s5", "published": "2018-07-20", "text": "غارات على بلدة طفس مساء اليوم."})
    ingest(store, [record_to_document(d) for d in docs], extract)
    alone = compute(store.engine, scope=Scope(since=dt.date(2018, 7, 20)))
    assert [(a.key.area, a.value) for a in alone] == [("Dar'a", 4)]
    may = tmp_path / "acled-may.csv"
    with may.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ACLED_COLUMNS)
        w.writeheader()
        for d in range(31):
            for k in range(4):
                w.writerow(
                    {
                        "event_id_cnty": f"SYR9{d:02d}{k}",
                        "event_date": f"{d + 1:02d} May 2018",
                        "event_type": "Explosions/Remote violence",
                        "sub_event_type": "Air/drone strike",
                        "country": "Syria",
                        "iso": "760",
                        "admin1": "Dara",
                        "fatalities": "0",
                    }
                )
    assert import_file(store.engine, may, "acled-csv").stored == 124
    longer = compute(store.engine, scope=Scope(since=dt.date(2018, 7, 20)), baseline_from="acled")
    assert longer == []


def test_import_and_imported_commands(tmp_path: Path) -> None:
    from marsad.cli import _register, app

    _register()
    runner = CliRunner()
    db = str(tmp_path / "m.sqlite")
    out = runner.invoke(app, ["import", "--format", "acled-csv", str(ACLED), "--db", db])
    assert out.exit_code == 1  # bad rows were skipped
    assert "acled.csv:6: unknown sub_event_type 'Carpet bombing'" in out.stderr
    assert "6 rows read: 3 stored, 0 replaced, 3 bad" in out.stderr
    listed = runner.invoke(app, ["imported", "--db", db, "--format", "json", "--since", "2018-07-06"])
    assert listed.exit_code == 0, listed.output
    assert [r["id"] for r in json.loads(listed.stdout)] == ["SYR30013"]
    table = runner.invoke(app, ["imported", "--db", db, "--country", "Syria"])
    assert "SYR30011" in table.stdout and "3 rows" in table.stdout
    compare = runner.invoke(app, ["imported", "--db", db, "--compare", "--dataset", "acled", "--format", "json"])
    assert compare.exit_code == 0, compare.output
    side = {
        (r["admin1"], r["date"]): (r["marsad_events"], r["their_events"], r["their_fatalities"])
        for r in json.loads(compare.stdout)
    }
    assert side == {("Dara", "2018-07-05"): (0, 2, 3), ("Idleb", "2018-07-06"): (0, 1, 4)}  # no Marsad events yet
    nodata = runner.invoke(app, ["imported", "--db", db, "--compare"])
    assert nodata.exit_code == 2 and "--compare needs --dataset" in nodata.stderr
    mixed = runner.invoke(app, ["import", "--format", "acled-csv", str(ACLED), "--as-mentions", "--db", db])
    assert "as reports of their own: 3 added, 0 replaced, 0 unchanged, 0 failed" in mixed.stderr
    listed = runner.invoke(app, ["events", "--db", db, "--format", "json"])
    assert sorted(m["doc_id"] for e in json.loads(listed.stdout) for m in e["mentions"]) == [
        "acled:SYR30011",
        "acled:SYR30012",
        "acled:SYR30013",
    ]
    ucdp = runner.invoke(app, ["import", "--format", "ucdp-ged", str(UCDP), "--as-mentions", "--db", db])
    assert ucdp.exit_code == 2 and "acled-csv only" in ucdp.stderr
    wrong = runner.invoke(app, ["import", "--format", "gdelt", str(ACLED), "--db", db])
    assert wrong.exit_code == 2 and "--format must be one of acled-csv, ucdp-ged" in wrong.stderr
