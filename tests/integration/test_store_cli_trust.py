"""``marsad ingest`` / ``events`` / ``export`` when things go wrong: damaged and read-only databases,
mistyped ``--db``, unknown schemes, hostile lines, concurrent ingests, interrupted exports. Each is
one line on stderr and nothing lost, never a traceback. Subprocesses, with the fake extractor."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "store"
sys.path.insert(0, str(FIXTURES))
import store_helpers  # noqa: E402

from marsad.store import open_store  # noqa: E402

db_url = store_helpers.db_url_fixture()
FAKE = ["--extractor", "fake_extractor:extract", "--no-progress"]


def env(delay: float = 0.0) -> dict[str, str]:
    paths = [str(ROOT / "src"), str(FIXTURES), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p), "MARSAD_FAKE_DELAY": str(delay)}


def command(*args: str, prefix: tuple[str, ...] = ()) -> list[str]:
    return [*prefix, sys.executable, "-m", "marsad", *args]


def marsad(
    *args: str, delay: float = 0.0, prefix: tuple[str, ...] = (), environ: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args, prefix=prefix), capture_output=True, text=True, env=environ or env(delay), timeout=180
    )


def one_line_error(done: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    db = tmp_path / "db.sqlite"
    done = marsad("ingest", str(FIXTURES / "docs.jsonl"), "--db", str(db), *FAKE)
    assert done.returncode == 0, done.stderr
    return db


# -- ingest ------------------------------------------------------------------------------------


def test_ingest_summary_names_merged_events_and_database(filled: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "nawa.txt").write_text("قصف مدفعي على بلدة نوى صباح اليوم بحسب المرصد.", encoding="utf-8")
    (folder / "tafas-2018-07-09.txt").write_text("اشتباكات في بلدة طفس بين فصائل محلية.", encoding="utf-8")
    done = marsad("ingest", str(folder), "--db", str(filled), *FAKE)
    assert done.returncode == 0, done.stderr
    summary = done.stderr.strip().splitlines()[-1]
    assert "2 added" in summary and f"merged events in {filled}" in summary
    assert "1 without a publication date" in summary
    assert any(line.startswith("warning: ") and "nawa.txt" in line for line in done.stderr.splitlines())
    store = open_store(str(filled), readonly=True)
    try:
        assert f"{store.counts()['events']} merged events" in summary
    finally:
        store.close()
    con = sqlite3.connect(filled)
    published = dict(
        con.execute("SELECT doc_id, published FROM documents WHERE doc_id IN ('nawa', 'tafas-2018-07-09')")
    )
    con.close()
    assert published == {"nawa": None, "tafas-2018-07-09": "2018-07-09"}

    again = marsad("ingest", str(folder), "--db", str(filled), "--published", "2018-07-08", *FAKE)
    assert "1 replaced" in again.stderr and "1 unchanged" in again.stderr  # nawa now dated; tafas kept its own


def test_ingest_of_a_folder_without_reports_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    (folder / ".hidden").mkdir(parents=True)
    (folder / ".hidden" / "a.txt").write_text("قصف مدفعي على بلدة نوى.", encoding="utf-8")
    done = marsad("ingest", str(folder), "--db", str(tmp_path / "db.sqlite"), *FAKE)
    assert done.returncode == 0, done.stderr
    warning, summary = done.stderr.strip().splitlines()
    assert warning == f"warning: no reports found in {folder} (hidden files and folders are skipped)"
    assert summary.startswith("0 added")


def test_a_database_inside_the_ingested_folder_is_not_read_as_a_report(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "nawa.txt").write_text("قصف مدفعي على بلدة نوى صباح اليوم بحسب المرصد.", encoding="utf-8")
    db = folder / "marsad.sqlite"
    for run in range(2):
        done = marsad("ingest", str(folder), "--db", str(db), "--published", "2018-07-05", *FAKE)
        assert done.returncode == 0, done.stderr
        assert "marsad.sqlite" not in done.stderr.replace(f"in {db}", "")  # no failure naming its files
        assert ("1 added" if run == 0 else "1 unchanged") in done.stderr


def test_nested_json_line_fails_alone(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    good = [json.dumps(d, ensure_ascii=False) for d in store_helpers.load_docs()[:2]]
    nested = '{"doc_id": "deep", "text": ' + "[" * 200_000 + "]" * 200_000 + "}"
    src.write_text("\n".join([good[0], nested, good[1]]) + "\n", encoding="utf-8")
    done = marsad("ingest", str(src), "--db", str(tmp_path / "db.sqlite"), *FAKE)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{src}:2: JSON nested deeper than" in done.stderr
    assert "2 added" in done.stderr and "1 failed" in done.stderr


def test_control_characters_in_ids_fail_their_line_on_every_backend(db_url: str, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    good = store_helpers.load_docs()[:2]
    bad = [dict(good[0], doc_id="nul\u0000id"), dict(good[0], doc_id="tab\tid"), dict(good[0], title="a\u0000b")]
    src.write_text("\n".join(json.dumps(d) for d in [good[0], *bad, good[1]]) + "\n", encoding="utf-8")
    done = marsad("ingest", str(src), "--db", db_url, *FAKE)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "2 added" in done.stderr and "3 failed" in done.stderr
    assert "control character (U+0000)" in done.stderr and "control character (U+0009)" in done.stderr


def test_concurrent_ingests_of_the_same_documents(db_url: str, tmp_path: Path) -> None:
    """Two processes ingesting one folder into one database at once: each document is stored once,
    neither run aborts, and the result equals a single run's documents and mentions."""
    docs = FIXTURES / "docs.jsonl"
    procs = [
        subprocess.Popen(
            command("ingest", str(docs), "--db", db_url, *FAKE),
            env=env(0.05),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=180) for p in procs]
    clean = tmp_path / "clean.sqlite"
    assert marsad("ingest", str(docs), "--db", str(clean), *FAKE).returncode == 0
    expected = open_store(str(clean)).counts()
    for proc, (_, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    summaries = [err.strip().splitlines()[-1] for _, err in outs]
    added = sum(int(s.split(" added")[0]) for s in summaries)
    assert added == 6, summaries
    store = open_store(db_url)
    try:
        counts = store.counts()
    finally:
        store.close()
    assert counts["documents"] == 6 and counts["mentions"] == expected["mentions"]


# -- databases that must not be used -----------------------------------------------------------


def _damage(db: Path) -> None:
    con = sqlite3.connect(db)
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events'").fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with db.open("r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xff" * 64)


def test_damaged_database_is_refused_and_left_alone(filled: Path, tmp_path: Path) -> None:
    _damage(filled)
    before = filled.read_bytes()
    line = one_line_error(marsad("ingest", str(FIXTURES / "docs.jsonl"), "--db", str(filled), *FAKE))
    assert "damaged" in line and "nothing was written" in line
    assert filled.read_bytes() == before
    assert "malformed" in one_line_error(marsad("events", "--db", str(filled)))
    assert "malformed" in one_line_error(marsad("export", "--db", str(filled), "-o", str(tmp_path / "x.jsonl")))
    assert not (tmp_path / "x.jsonl").exists()


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database at all, just some notes\n" * 200)
    assert "not a SQLite database" in one_line_error(
        marsad("ingest", str(FIXTURES / "docs.jsonl"), "--db", str(junk), *FAKE)
    )
    assert "not a database" in one_line_error(marsad("events", "--db", str(junk)))


@pytest.mark.parametrize("command_", ["events", "export"])
def test_query_commands_refuse_a_missing_database(command_: str, tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite"
    line = one_line_error(marsad(command_, "--db", str(missing)))
    assert "no database at" in line and "--create" in line
    assert not missing.exists()
    created = marsad(command_, "--db", str(missing), "--create")
    assert created.returncode == 0, created.stderr
    assert missing.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--encoding", "klingon-8"], "unknown encoding"), (["--published", "05/07/2018"], "YYYY-MM-DD")],
)
def test_bad_ingest_options_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    done = marsad("ingest", str(FIXTURES / "docs.jsonl"), "--db", str(tmp_path / "db.sqlite"), *args, *FAKE)
    assert message in one_line_error(done)
    assert not (tmp_path / "db.sqlite").exists()


def test_unsupported_database_scheme() -> None:
    done = marsad("ingest", str(FIXTURES / "docs.jsonl"), "--db", "mysql://root@localhost/x", *FAKE)
    line = one_line_error(done)
    assert "unsupported database mysql://" in line and "MySQLdb" not in done.stderr


@pytest.fixture
def read_only_copy(filled: Path) -> Iterator[Path]:
    """A copy of the database in a folder nobody may write (as on read-only media): when the tests
    run as root, the reader runs as ``nobody`` so that the permissions hold."""
    folder = Path(tempfile.mkdtemp(prefix="marsad-ro-"))
    db = folder / "db.sqlite"
    shutil.copy(filled, db)
    os.chmod(db, 0o444)
    os.chmod(folder, 0o555)
    try:
        yield db
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


def as_reader() -> tuple[str, ...]:
    """A command prefix under which the folder's permissions hold: root without its capabilities."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file permissions cannot be enforced")
    return ("setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--")


def test_queries_on_read_only_media(read_only_copy: Path) -> None:
    listing = sorted(os.listdir(read_only_copy.parent))
    listed = marsad("events", "--db", str(read_only_copy), "--format", "json", prefix=as_reader())
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 6
    exported = marsad("export", "--db", str(read_only_copy), "--format", "acled-csv", prefix=as_reader())
    assert exported.returncode == 0, exported.stderr
    assert len(exported.stdout.strip().splitlines()) == 7
    here = marsad(
        "export", "--db", str(read_only_copy), "-o", str(read_only_copy.parent / "out.csv"), prefix=as_reader()
    )
    assert "cannot write" in one_line_error(here)
    assert sorted(os.listdir(read_only_copy.parent)) == listing


# -- exports -----------------------------------------------------------------------------------


def _wait_for_temp(folder: Path, proc: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.name.startswith(f".{name}.") for p in folder.iterdir()):
            return
        time.sleep(0.002)
    proc.kill()
    _, err = proc.communicate(timeout=60)
    pytest.fail(f"the export ended (status {proc.returncode}) before it could be interrupted: {err!r}")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_interrupted_export_leaves_the_old_file_intact(tmp_path: Path, sig: signal.Signals) -> None:
    db = tmp_path / "big.sqlite"
    store_helpers.bulk_events(str(db), 30_000)
    out = tmp_path / "events.geojson"
    out.write_text('{"type": "FeatureCollection", "features": []}\n', encoding="utf-8")
    old = out.read_bytes()
    proc = subprocess.Popen(
        command("export", "--format", "geojson", "--db", str(db), "-o", str(out)),
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _wait_for_temp(tmp_path, proc, out.name)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert out.read_bytes() == old
    assert json.loads(out.read_text(encoding="utf-8"))["features"] == []
    if sig != signal.SIGKILL:  # a signal that can be handled also removes the temporary file
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".events.geojson.")]
        assert b"Traceback" not in err


def test_parquet_is_not_written_to_a_terminal(filled: Path) -> None:
    import pty

    leader, follower = pty.openpty()  # stdout is a terminal, as when nothing is redirected
    try:
        done = subprocess.run(
            command("export", "--format", "parquet", "--db", str(filled)),
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
            timeout=180,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2 and "parquet is binary" in done.stderr and "Traceback" not in done.stderr
    piped = subprocess.run(
        command("export", "--format", "parquet", "--db", str(filled)), capture_output=True, env=env()
    )
    assert piped.returncode == 0 and piped.stdout.startswith(b"PAR1")  # to a pipe it streams


def test_ingest_summary_counts_in_words(tmp_path: Path) -> None:
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps({"doc_id": "one", "text": "قصف على مدينة صيدا.", "published": "2024-03-12"}) + "\n")
    done = marsad("ingest", str(src), "--db", str(tmp_path / "one.sqlite"), *FAKE)
    assert done.returncode == 0, done.stderr
    assert "; 1 mention; 1 merged event in " in done.stderr.strip().splitlines()[-1]


def test_complete_export_replaces_the_file_keeping_its_permissions(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    out.write_text("old\n", encoding="utf-8")
    os.chmod(out, 0o640)
    done = marsad("export", "--format", "acled-csv", "--db", str(filled), "-o", str(out), "--bom")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbfevent_id_cnty,event_date,year,")
    assert os.stat(out).st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_undated_events_left_out_are_counted(filled: Path, tmp_path: Path) -> None:
    src = tmp_path / "undated.jsonl"
    src.write_text(
        json.dumps({"doc_id": "u", "text": "قصف على مدينة صيدا."}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    assert marsad("ingest", str(src), "--db", str(filled), *FAKE).returncode == 0
    done = marsad("export", "--format", "acled-csv", "--db", str(filled))
    assert done.returncode == 0
    assert "1 undated event left out" in done.stderr
    assert len(done.stdout.strip().splitlines()) == 1 + 6
    parquet = marsad("export", "--format", "parquet", "--db", str(filled), "-o", str(tmp_path / "e.parquet"))
    assert "1 undated event left out" in parquet.stderr
    jsonl = marsad("export", "--format", "jsonl", "--db", str(filled))
    assert len(jsonl.stdout.strip().splitlines()) == 7 and "left out" not in jsonl.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "parquet", "--bom"], "--bom applies to text formats"),
        (["--format", "jsonl", "--inter", "numbers"], "--inter applies to ACLED columns"),
        (["--format", "geojson", "--inter", "numbers"], "--inter applies to ACLED columns"),
        (["--format", "parquet", "--extra-columns"], "--extra-columns applies to --format acled-csv"),
    ],
)
def test_export_options_that_would_be_ignored_are_errors(
    filled: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    assert message in one_line_error(marsad("export", "--db", str(filled), "-o", str(out), *args))
    assert not out.exists()


def test_export_refuses_to_write_over_its_own_database(filled: Path) -> None:
    before = filled.read_bytes()
    link = filled.parent / "link.sqlite"
    link.symlink_to(filled)
    for output in (str(filled), str(link)):
        line = one_line_error(marsad("export", "--db", str(filled), "-o", output))
        assert "is the database itself" in line
    assert filled.read_bytes() == before and link.is_symlink()


def test_flat_geojson_takes_numeric_inter_codes(filled: Path) -> None:
    done = marsad("export", "--db", str(filled), "--format", "geojson", "--flat", "--inter", "numbers")
    assert done.returncode == 0, done.stderr
    props = [f["properties"] for f in json.loads(done.stdout)["features"]]
    assert props and all(isinstance(p["inter1"], int) for p in props)


def test_parquet_streams_to_stdout(filled: Path) -> None:
    import io

    import pyarrow.parquet as pq

    done = subprocess.run(
        command("export", "--format", "parquet", "--db", str(filled)), capture_output=True, env=env(), timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert pq.read_table(io.BytesIO(done.stdout)).num_rows == 6


# -- events ------------------------------------------------------------------------------------


def test_events_shows_the_first_rows_and_the_count(tmp_path: Path) -> None:
    db = tmp_path / "big.sqlite"
    store_helpers.bulk_events(str(db), 120)
    table = marsad("events", "--db", str(db), "--bidi", "logical")
    assert table.returncode == 0, table.stderr
    assert table.stdout.count("MRS0000") == 50
    assert table.stdout.strip().splitlines()[-1].startswith("50 of 120 events")
    every = marsad("events", "--db", str(db), "--limit", "0")
    assert every.stdout.count("MRS0000") == 120 and "120 of 120 events" in every.stdout
    listed = marsad("events", "--db", str(db), "--format", "json", "--limit", "7")
    assert len(json.loads(listed.stdout)) == 7 and "7 of 120 events" in listed.stderr
    empty = marsad("events", "--db", str(db), "--format", "json", "--since", "2030-01-01")
    assert json.loads(empty.stdout) == [] and "0 of 0 events" in empty.stderr


def test_events_table_arabic_order(filled: Path, tmp_path: Path) -> None:
    src = tmp_path / "village.jsonl"
    doc = {"doc_id": "v", "text": "غارة على قرية النخيل.", "published": "2018-07-05"}
    src.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    assert marsad("ingest", str(src), "--db", str(filled), *FAKE).returncode == 0
    visual = marsad("events", "--db", str(filled), "--bidi", "visual", "--country", "SY")
    logical = marsad("events", "--db", str(filled), "--bidi", "logical", "--country", "SY")
    assert visual.returncode == logical.returncode == 0
    # the village has no English name: its Arabic name is shown, reordered for the terminal or not
    assert "قرية النخيل" in logical.stdout and "ليخنلا ةيرق" in visual.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "Air strike"], "Air/drone strike"),
        (["--country", "Syira"], "Syria"),
        (["--admin1", "%"], "not a province name"),
    ],
)
def test_filter_errors_are_one_line(filled: Path, args: list[str], message: str) -> None:
    assert message in one_line_error(marsad("events", "--db", str(filled), *args))


@pytest.mark.parametrize(
    ("args", "count"),
    [
        (["--type", "Air/drone strike"], 4),
        (["--country", "Syria"], 6),
        (["--country", "سوريا", "--admin1", "درعا"], 5),
    ],
)
def test_filters_return_the_right_rows(filled: Path, args: list[str], count: int) -> None:
    done = marsad("events", "--db", str(filled), "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == count


# -- help --------------------------------------------------------------------------------------


COMMANDS = [
    *([c] for c in ("ingest", "events", "export", "extract", "geocode", "train", "eval", "watch", "poll")),
    *([c] for c in ("alerts", "import", "imported", "serve")),
    *(["gazetteer", c] for c in ("build", "info")),
    *(["users", c] for c in ("add", "list", "remove", "passwd", "token")),
]


@pytest.mark.parametrize("args", [[], *COMMANDS])
def test_help_has_no_type_labels_nor_missing_files(args: list[str]) -> None:
    done = marsad(*args, "--help", environ={**env(), "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    for label in ("<bool>", "<int>", "<str>", "<list", "<int range>", "spec/EVENTS.md", "spec §"):
        assert label not in done.stdout, (label, args)
    assert done.stdout.lstrip().startswith("Usage: marsad")
