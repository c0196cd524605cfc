"""``marsad extract``: output shape, JSONL in/out, stdin/stdout, and every kind of bad input.

The extraction itself is judged by the golden records; here the real pipeline runs only where the
test needs a real result (the JSON shape, the table), and a stand-in extractor elsewhere.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import marsad.pipeline
from marsad.batch import Failure, Located, read_jsonl
from marsad.cli import _register, app
from marsad.models import ExtractResult, RawDocument

if not any(c.name == "extract" for c in app.registered_commands):
    _register()

FIXTURES = Path(__file__).parent.parent / "fixtures" / "extract"
STRIKE = FIXTURES / "airstrike.txt"
SPORTS = FIXTURES / "sports.txt"
DOCS = FIXTURES / "docs.jsonl"
DOC_KEYS = {"doc_id", "published", "language", "title", "events", "warnings"}
EVENT_KEYS = {
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
    "injured",
    "quantities",
    "sources",
    "evidence",
    "notes",
    "confidence",
}
LOCATION_KEYS = {"name", "name_en", "gazetteer_id", "country", "admin1", "lat", "lon", "geo_precision"}


def run(*args: str, stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(app, ["extract", *args], input=stdin)


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def assert_clean(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


class FakePipeline:
    """Returns an empty result per document; raises for a doc_id starting with ``boom``."""

    def run(self, raw: RawDocument) -> ExtractResult:
        if raw.doc_id.startswith("boom"):
            raise RuntimeError("kaboom")
        marsad.pipeline.check_text(raw)
        return ExtractResult(raw.doc_id, raw.published, raw.title, events=())


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(marsad.pipeline.Pipeline, "from_settings", classmethod(lambda cls, s=None: FakePipeline()))


# -- output shape ------------------------------------------------------------------------------


def test_file_gives_one_spec_document() -> None:
    result = run(str(STRIKE), "--published", "2019-05-02")
    assert result.exit_code == 0, result.output
    assert_clean(result)
    (doc,) = lines(result.stdout)
    assert set(doc) >= DOC_KEYS
    assert doc["doc_id"] == "airstrike"
    assert doc["published"] == "2019-05-02"
    assert doc["language"] == "ar"
    assert doc["events"], "an air strike report yields events"
    for event in doc["events"]:
        assert set(event) == EVENT_KEYS
        assert set(event["location"]) == LOCATION_KEYS
    assert any(e["location"]["name"] == "معرة النعمان" for e in doc["events"])
    assert "معرة" in result.stdout, "JSON is written with ensure_ascii=False"


def test_files_in_order_and_sport_has_no_events() -> None:
    result = run(str(SPORTS), str(STRIKE), "--published", "2019-05-02")
    assert result.exit_code == 0, result.output
    docs = lines(result.stdout)
    assert [d["doc_id"] for d in docs] == ["sports", "airstrike"]
    assert docs[0]["events"] == []


def test_missing_published_is_processed_with_a_warning() -> None:
    result = run(str(STRIKE))
    assert result.exit_code == 0
    (doc,) = lines(result.stdout)
    assert doc["published"] is None
    assert any("published" in w for w in doc["warnings"])


def test_report_on_stdin() -> None:
    result = run("-", "--published", "2019-05-02", stdin=STRIKE.read_bytes())
    assert result.exit_code == 0, result.output
    (doc,) = lines(result.stdout)
    assert doc["doc_id"] == "stdin" and doc["events"]


# -- JSONL -------------------------------------------------------------------------------------


def test_jsonl_in_and_out_keep_doc_ids_and_order(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run("--input", str(DOCS), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    docs = lines(out.read_text(encoding="utf-8"))
    assert [d["doc_id"] for d in docs] == ["strike-1", "sport-1", "shelling-1"]
    assert docs[0]["published"] == "2019-05-02" and docs[0]["title"] == "غارات على معرة النعمان"
    assert docs[0]["events"] and docs[1]["events"] == []
    assert docs[2]["published"] is None and any("published" in w for w in docs[2]["warnings"])


def test_jsonl_stdin_to_stdout() -> None:
    result = run("--input", "-", "--output", "-", stdin=DOCS.read_bytes())
    assert result.exit_code == 0, result.output
    assert [d["doc_id"] for d in lines(result.stdout)] == ["strike-1", "sport-1", "shelling-1"]


def test_jsonl_published_option_fills_missing_dates_only() -> None:
    result = run("--input", str(DOCS), "--published", "2020-01-01")
    assert [d["published"] for d in lines(result.stdout)] == ["2019-05-02", "2019-05-02", "2020-01-01"]


def test_thousands_of_lines_stream_in_order(tmp_path: Path, fake: None) -> None:
    src = tmp_path / "many.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for i in range(5000):
            f.write(json.dumps({"doc_id": f"d{i}", "text": "قصف على بلدة"}, ensure_ascii=False) + "\n")
    out = tmp_path / "out.jsonl"
    result = run("-i", str(src), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert [d["doc_id"] for d in lines(out.read_text(encoding="utf-8"))] == [f"d{i}" for i in range(5000)]


BROKEN_LINES = [
    ("not json", "{oops", "not JSON"),
    ("array", "[1, 2]", "not a JSON object"),
    ("no text", '{"doc_id": "x1"}', 'no "text"'),
    ("text not a string", '{"doc_id": "x2", "text": 42}', '"text" is not a string'),
    ("bad date", '{"doc_id": "x3", "text": "قصف", "published": "05/07/2018"}', "published"),
    ("duplicate", '{"doc_id": "ok-1", "text": "قصف مدفعي"}', "duplicate doc_id"),
    ("not arabic", '{"doc_id": "x4", "text": "hello world"}', "not Arabic"),
    ("empty text", '{"doc_id": "x5", "text": "   "}', "empty"),
]


@pytest.mark.parametrize(("case", "line", "message"), BROKEN_LINES, ids=[c[0] for c in BROKEN_LINES])
def test_broken_jsonl_line(tmp_path: Path, case: str, line: str, message: str, fake: None) -> None:
    src = tmp_path / "in.jsonl"
    good = '{"doc_id": "ok-%d", "text": "قصف مدفعي على بلدة"}'
    src.write_text("\n".join([good % 1, line, good % 2]) + "\n", encoding="utf-8")
    result = run("--input", str(src))
    assert result.exit_code == 1
    assert_clean(result)
    assert [d["doc_id"] for d in lines(result.stdout)] == ["ok-1", "ok-2"]
    (err,) = result.stderr.strip().splitlines()
    assert f"{src}:2" in err and message in err


def test_invalid_utf8_jsonl_line(tmp_path: Path, fake: None) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"doc_id": "a", "text": "\xe4\xf5"}\n{"doc_id": "b", "text": "\xd9\x82\xd8\xb5\xd9\x81"}\n')
    result = run("--input", str(src))
    assert result.exit_code == 1
    assert [d["doc_id"] for d in lines(result.stdout)] == ["b"]
    assert f"{src}:1" in result.stderr and "UTF-8" in result.stderr


def test_overlong_jsonl_line_is_skipped_unread() -> None:
    def line(doc_id: str, text: str) -> bytes:
        return json.dumps({"doc_id": doc_id, "text": text}, ensure_ascii=False).encode() + b"\n"

    # over the line limit (6 x max_bytes + 64 KiB): skipped without being parsed
    # over the text limit but not the line limit: parsed, then refused
    data = line("huge", "ق" * 40_000) + line("small", "قصف") + line("big", "ق" * 100)
    items = list(read_jsonl(io.BytesIO(data), "x", max_bytes=100))
    assert isinstance(items[0], Failure) and items[0].where == "x:1" and "limit" in items[0].message
    assert isinstance(items[1], Located) and items[1].doc.doc_id == "small"
    assert isinstance(items[2], Failure) and items[2].where == "x:3 (big)" and "limit" in items[2].message


def test_unexpected_error_is_one_line_per_document(tmp_path: Path, fake: None) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"doc_id": "boom", "text": "قصف"}\n{"doc_id": "fine", "text": "قصف"}\n', encoding="utf-8")
    result = run("--input", str(src))
    assert result.exit_code == 1
    assert_clean(result)
    assert [d["doc_id"] for d in lines(result.stdout)] == ["fine"]
    (err,) = result.stderr.strip().splitlines()
    assert "boom" in err and "RuntimeError" in err


# -- bad report files --------------------------------------------------------------------------


def _bad_file(tmp_path: Path, case: str) -> Path:
    path = tmp_path / f"{case}.txt"
    if case == "empty":
        path.write_bytes(b"")
    elif case == "blank":
        path.write_bytes(b"  \n\t\n")
    elif case == "english":
        path.write_text("The weather in London was mild today.", encoding="utf-8")
    elif case == "binary":
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    elif case == "latin1":
        path.write_bytes("قصف".encode("cp1256"))
    elif case == "huge":
        with path.open("wb") as f:  # a sparse 20 MB file: costs no disk, and must not be read
            f.truncate(20_000_000)
    elif case == "directory":
        path.mkdir()
    return path  # "missing": never created


BAD_FILES = [
    ("empty", "empty"),
    ("blank", "empty"),
    ("english", "not Arabic"),
    ("binary", "binary"),
    ("latin1", "UTF-8"),
    ("huge", "limit"),
    ("directory", "directory"),
    ("missing", "no such file"),
]


@pytest.mark.parametrize(("case", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_file_is_one_line_and_others_still_run(tmp_path: Path, case: str, message: str) -> None:
    bad = _bad_file(tmp_path, case)
    start = time.perf_counter()
    result = run(str(STRIKE), str(bad), str(SPORTS), "--published", "2019-05-02")
    assert time.perf_counter() - start < 5
    assert result.exit_code == 1
    assert_clean(result)
    assert [d["doc_id"] for d in lines(result.stdout)] == ["airstrike", "sports"]
    (err,) = result.stderr.strip().splitlines()
    assert str(bad) in err and message in err


# -- usage -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--published", "2024-13-01"],
        ["--published", "yesterday"],
        ["--format", "xml"],
        ["--input", str(DOCS)],  # with a FILE too
        ["--gazetteer", "/nonexistent/gaz.sqlite"],
    ],
)
def test_usage_errors_are_one_line_exit_2(args: list[str]) -> None:
    result = run(str(STRIKE), *args)
    assert result.exit_code == 2
    assert_clean(result)
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_explains_options_with_examples() -> None:
    result = CliRunner().invoke(app, ["extract", "--help"], env={"COLUMNS": "200", "TERM": "dumb"})
    assert result.exit_code == 0
    for option in ("--input", "--output", "--published", "--format", "--gazetteer"):
        assert option in result.output
    assert result.output.count("Example") >= 5


# -- table -------------------------------------------------------------------------------------


def test_table_shows_place_and_english_notes() -> None:
    result = run(str(STRIKE), str(SPORTS), "--published", "2019-05-02", "--format", "table")
    assert result.exit_code == 0, result.output
    assert "معرة النعمان" in result.stdout  # not a terminal: logical order
    assert "air_drone_strike" in result.stdout and "Military Forces of Syria" in result.stdout
    assert "no events" in result.stdout


def test_table_visual_order_for_terminals_without_bidi() -> None:
    pytest.importorskip("bidi")
    result = run(str(STRIKE), "--published", "2019-05-02", "--format", "table", "--bidi", "visual")
    assert result.exit_code == 0, result.output
    assert "معرة النعمان"[::-1] in result.stdout


# -- a real process ----------------------------------------------------------------------------


def test_real_process_with_bad_and_good_input(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "marsad"
    if not exe.exists():
        pytest.skip("marsad script not installed next to the interpreter")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\x01")
    proc = subprocess.run(
        [str(exe), "extract", str(bad), str(STRIKE), "--published", "2019-05-02"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr
    assert json.loads(proc.stdout.decode("utf-8"))["doc_id"] == "airstrike"
