"""``marsad ingest`` / ``events`` / ``export`` end to end, in subprocesses, with the fake extractor."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "store"
sys.path.insert(0, str(FIXTURES))
import store_helpers  # noqa: E402

from marsad.store import open_store  # noqa: E402

db_url = store_helpers.db_url_fixture()
PLACES = ["بصرى الشام", "طفس", "نوى", "إدلب", "درعا"]
TRIGGERS = ["غارات", "قصف", "اشتباكات"]


def marsad(*args: str, delay: float = 0.0, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), capture_output=True, text=True, env=env(delay), timeout=120, check=check)


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from marsad.cli import main; main()", *args]


def env(delay: float = 0.0) -> dict[str, str]:
    paths = [str(ROOT / "src"), str(FIXTURES), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p), "MARSAD_FAKE_DELAY": str(delay)}


def many_docs(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            place, trig = PLACES[i % len(PLACES)], TRIGGERS[(i // 5) % 3]
            text = (
                f"أفادت مصادر محلية بأن {trig} عنيفة استهدفت {place} صباح اليوم وأدت إلى مقتل {i % 7 + 1} "
                f"أشخاص بحسب المرصد. وذكر التقرير رقم {i} أن الأهالي نزحوا نحو القرى المجاورة."
            )
            day = f"2018-07-{1 + i // 8:02d}"
            rec = {"doc_id": f"k{i:03d}", "text": text, "published": day, "outlet": f"outlet{i % 4}.example"}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def snapshot(url: str) -> dict:
    store = open_store(url)
    try:
        return store.snapshot()
    finally:
        store.close()


def test_ingest_twice_gives_the_same_database(db_url: str) -> None:
    first = marsad("ingest", str(FIXTURES / "docs.jsonl"), "--db", db_url, "--extractor", "fake_extractor:extract")
    assert first.returncode == 0, first.stderr
    assert "6 added" in first.stderr
    before = snapshot(db_url)
    second = marsad("ingest", str(FIXTURES / "docs.jsonl"), "--db", db_url, "--extractor", "fake_extractor:extract")
    assert second.returncode == 0, second.stderr
    assert "0 added" in second.stderr and "6 unchanged" in second.stderr
    assert snapshot(db_url) == before


def test_bad_documents_are_reported_and_skipped(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    good = store_helpers.load_docs()[:2]
    lines = [
        json.dumps(good[0], ensure_ascii=False),
        "{broken",
        json.dumps({"doc_id": "boom", "text": "نص فيه انفجار_داخلي"}, ensure_ascii=False),
        json.dumps(good[1], ensure_ascii=False),
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "db.sqlite"
    done = marsad("ingest", str(src), "--db", str(db), "--extractor", "fake_extractor:extract", "--no-progress")
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "in.jsonl:2" in line or line.startswith("boom:")]
    assert len(errors) == 2 and "Traceback" not in done.stderr
    assert "2 added" in done.stderr and "2 failed" in done.stderr


def test_kill_mid_run_then_rerun_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    total = 120  # ≥ 6 s of work at 0.05 s a document: room to kill it part-way on a slow machine
    docs = many_docs(tmp_path / "many.jsonl", total)
    clean, killed = tmp_path / "clean.sqlite", tmp_path / "killed.sqlite"
    args = ["--extractor", "fake_extractor:extract", "--no-progress"]
    assert marsad("ingest", str(docs), "--db", str(clean), *args).returncode == 0

    proc = subprocess.Popen(
        command("ingest", str(docs), "--db", str(killed), *args),
        env=env(0.05),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and stored < 8:
        time.sleep(0.1)
        if killed.exists():
            try:
                stored = open_store(str(killed)).counts()["documents"]
            except Exception:  # the schema may not be there yet
                stored = 0
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = open_store(str(killed)).counts()["documents"]
    assert 0 < partial < total, "the run should have been killed part-way"

    rerun = marsad("ingest", str(docs), "--db", str(killed), *args)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{partial} unchanged" in rerun.stderr
    assert snapshot(str(killed)) == snapshot(str(clean))


def test_events_and_exports(tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite")
    marsad("ingest", str(FIXTURES / "docs.jsonl"), "--db", db, "--extractor", "fake_extractor:extract", check=True)

    listed = marsad("events", "--db", db, "--admin1", "DARAA", "--since", "2018-07-05", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    events = json.loads(listed.stdout)
    assert {e["location"]["admin1"] for e in events} == {"Dar'a"}
    table = marsad("events", "--db", db, "--type", "armed_clash")
    assert table.returncode == 0 and "armed_clash" in table.stdout

    out = tmp_path / "events.jsonl"
    assert marsad("export", "--format", "jsonl", "--db", db, "--output", str(out)).returncode == 0
    merged = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    # c1 (AFP, 8 killed) is dated a day after a1/b1 (SOHR, 5 killed) by the fake extractor, which
    # ignores "أمس": a day apart with no shared source or figure it is an event of its own
    assert len(merged) == 6 and all(e["mentions"] for e in merged)

    csv_out = marsad("export", "--format", "acled-csv", "--db", db)
    rows = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert len(rows) == 6 and rows[0]["event_id_cnty"].startswith("SYR")

    geo = marsad("export", "--format", "geojson", "--db", db, "--country", "SY")
    assert len(json.loads(geo.stdout)["features"]) == 6

    parquet = tmp_path / "e.parquet"
    assert marsad("export", "--format", "parquet", "--db", db, "-o", str(parquet)).returncode == 0
    assert parquet.stat().st_size > 0


@pytest.mark.parametrize(
    "args",
    [
        ["events", "--since", "July"],
        ["export", "--format", "xml"],
        ["events", "--db", "postgresql://nobody@127.0.0.1:1/none"],
    ],
)
def test_errors_are_one_line(args: list[str], tmp_path: Path) -> None:
    if "--db" not in args:
        args = [*args, "--db", str(tmp_path / "db.sqlite")]
    done = marsad(*args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("error: ")
