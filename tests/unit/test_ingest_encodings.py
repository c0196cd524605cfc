"""Encodings: UTF-8 with or without a byte-order mark, UTF-16 with or without one, windows-1256 and
ISO-8859-6 recognised, or named with ``encoding``; the encoding used is a warning on the document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from marsad.batch import Located, decode_bytes
from marsad.errors import EncodingError
from marsad.ingest.readers import ReadFailure, read_paths

ROOT = Path(__file__).parents[2]
# written for this test: a short wire-style report
REPORT = (
    "قتل ثلاثة مدنيين وأصيب خمسة آخرون اليوم الثلاثاء جراء قصف مدفعي لقوات النظام السوري على بلدة "
    "طفس في ريف درعا الغربي، بحسب ما أفاد المرصد السوري لحقوق الإنسان.\n"
    "وأضاف المرصد أن القصف طال أيضا الأحياء السكنية في مدينة نوى وألحق أضرارا بعدد من المنازل.\n"
)


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("cp1256", "windows-1256"),
        ("iso8859_6", "ISO-8859-6"),
        ("utf-16", "UTF-16LE"),  # Python writes a little-endian byte-order mark
        ("utf-16-le", "UTF-16LE"),  # no mark: recognised by where the NUL bytes fall
        ("utf-16-be", "UTF-16BE"),
    ],
)
def test_encodings_are_recognised_and_named(encoding: str, name: str) -> None:
    decoded = decode_bytes(REPORT.encode(encoding))
    assert decoded.text == REPORT
    assert decoded.note is not None and name in decoded.note


def test_utf8_with_or_without_mark_has_no_warning() -> None:
    assert decode_bytes(REPORT.encode("utf-8")).note is None
    assert decode_bytes(REPORT.encode("utf-8-sig")).note is None
    assert decode_bytes(REPORT.encode("utf-8-sig")).text == REPORT


def test_named_encoding_wins_and_wrong_one_is_an_error() -> None:
    assert decode_bytes(REPORT.encode("cp1256"), encoding="windows-1256").text == REPORT
    with pytest.raises(EncodingError, match="not valid UTF-8"):
        decode_bytes(REPORT.encode("cp1256"), encoding="utf-8")


def test_too_little_text_to_recognise_is_an_error() -> None:
    with pytest.raises(EncodingError, match="could not be recognised"):
        decode_bytes("قصف".encode("cp1256"))


def test_ingest_with_a_named_encoding(tmp_path: Path) -> None:
    (tmp_path / "short.txt").write_bytes("غارة على طفس".encode("cp1256"))  # too short to recognise
    (item,) = read_paths([tmp_path], encoding="windows-1256")
    assert isinstance(item, Located) and item.doc.text == "غارة على طفس"
    assert item.warnings[0] == "read as windows-1256 (as asked)"
    (failure,) = read_paths([tmp_path])
    assert isinstance(failure, ReadFailure) and "could not be recognised" in str(failure)


def test_ingest_reads_legacy_files_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(REPORT.encode("cp1256"))
    (tmp_path / "b.txt").write_bytes(REPORT.encode("utf-16"))
    page = f'<html><head><meta charset="windows-1256"><title>تقرير</title></head><body><article><p>{REPORT}</p>'
    (tmp_path / "c.html").write_bytes((page + f"<p>{REPORT}</p></article></body></html>").encode("cp1256"))
    a, b, c = read_paths([tmp_path])
    assert isinstance(a, Located) and a.doc.text == REPORT and any("windows-1256" in w for w in a.warnings)
    assert isinstance(b, Located) and b.doc.text == REPORT and any("UTF-16" in w for w in b.warnings)
    assert isinstance(c, Located) and "طفس" in c.doc.text
    assert not any("UTF-8" in w for w in c.warnings)  # the page declares its charset: nothing to warn


def test_jsonl_in_utf16_is_a_clear_failure(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(json.dumps({"doc_id": "a", "text": REPORT}, ensure_ascii=False).encode("utf-16"))
    (item,) = read_paths([path])
    assert isinstance(item, ReadFailure) and "UTF-16" in str(item) and "UTF-8" in str(item)


def test_cp1256_report_extracts_the_same_events_as_its_utf8_copy(tmp_path: Path) -> None:
    """The real pipeline, through ``python -m marsad extract``: the same events either way, and a
    warning naming the encoding."""
    (tmp_path / "utf8").mkdir()
    (tmp_path / "legacy").mkdir()
    (tmp_path / "utf8" / "tafas.txt").write_bytes(REPORT.encode("utf-8"))
    (tmp_path / "legacy" / "tafas.txt").write_bytes(REPORT.encode("cp1256"))

    def extract(folder: str) -> tuple[list[dict[str, object]], str]:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "marsad",
                "extract",
                str(tmp_path / folder / "tafas.txt"),
                "--published",
                "2018-07-03",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["events"], done.stderr

    utf8_events, utf8_err = extract("utf8")
    legacy_events, legacy_err = extract("legacy")
    assert utf8_events and legacy_events == utf8_events
    assert "windows-1256" in legacy_err and "windows-1256" not in utf8_err


def test_extract_with_a_named_encoding_and_a_bad_name(tmp_path: Path) -> None:
    """``marsad extract --encoding`` reads a report too short to recognise; an unknown codec is a
    usage error (exit 2), not a traceback."""
    from typer.testing import CliRunner

    from marsad.cli import _register, app

    _register()
    path = tmp_path / "short.txt"
    path.write_bytes("غارة على طفس".encode("cp1256"))  # too short to recognise
    runner = CliRunner()
    without = runner.invoke(app, ["extract", str(path), "--published", "2018-07-03"])
    assert without.exit_code == 1
    done = runner.invoke(app, ["extract", str(path), "--published", "2018-07-03", "--encoding", "windows-1256"])
    assert done.exit_code == 0, done.output
    events = json.loads(done.stdout)["events"]
    assert events and events[0]["location"]["name"] == "طفس"
    bad = runner.invoke(app, ["extract", str(path), "--encoding", "klingon-8"])
    assert bad.exit_code == 2 and "unknown encoding" in bad.output and "Traceback" not in bad.output


def test_multiline_jsonl_in_utf16_is_one_failure_for_the_file(tmp_path: Path) -> None:
    """Not one "not JSON" failure per line after the first: the whole file is refused once."""
    path = tmp_path / "in.jsonl"
    lines = [json.dumps({"doc_id": f"d{i}", "text": REPORT}, ensure_ascii=False) for i in range(3)]
    for codec in ("utf-16", "utf-32"):
        path.write_bytes("\n".join(lines).encode(codec))
        (item,) = read_paths([path])
        assert isinstance(item, ReadFailure) and isinstance(item.error, EncodingError)
        assert item.where == str(path) and "must be UTF-8" in str(item)
