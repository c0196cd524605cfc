"""``marsad geocode --input docs.jsonl --output places.jsonl``: one JSON line of places per report,
with the real recogniser and the packaged gazetteer (sentences of our own)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from marsad.cli import _register, app

_register()

DOCS = [
    {"doc_id": "a", "text": "قصف مدفعي على بلدة صيدا في ريف درعا الشرقي"},
    {"doc_id": "b", "text": "غارة إسرائيلية على بلدة الخيام في جنوب لبنان"},
    {"doc_id": "c", "text": ""},
    {"doc_id": "d", "text": "لا مكان هنا"},
]


def write_docs(path: Path, docs: list[dict[str, str]], broken: bool = False) -> Path:
    lines = [json.dumps(d, ensure_ascii=False) for d in docs]
    if broken:
        lines.insert(1, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_batch_writes_one_line_per_report(tmp_path: Path) -> None:
    src = write_docs(tmp_path / "docs.jsonl", DOCS)
    out = tmp_path / "places.jsonl"
    result = CliRunner().invoke(app, ["geocode", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 1  # the empty report failed, with one line on stderr
    assert "Traceback" not in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in rows] == ["a", "b", "d"]
    by_name = {p["name"]: p for p in rows[0]["places"]}
    sayda = by_name["صيدا"]
    assert sayda["chosen"]["id"] == "ocha:C5995" and sayda["geo_precision"] == 1
    assert DOCS[0]["text"][slice(*sayda["span"])] == "صيدا"
    assert sayda["reasons"] and len(sayda["candidates"]) <= 5 and sayda["candidates_considered"] >= 2
    khiam = {p["name"]: p for p in rows[1]["places"]}["الخيام"]
    assert khiam["chosen"]["country"] == "LB"
    assert rows[2]["places"] == []


def test_batch_reads_stdin_and_reports_broken_lines(tmp_path: Path) -> None:
    src = write_docs(tmp_path / "docs.jsonl", DOCS[:2], broken=True)
    result = CliRunner().invoke(app, ["geocode", "--input", "-"], input=src.read_text(encoding="utf-8"))
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert [json.loads(line)["doc_id"] for line in lines] == ["a", "b"]


def test_batch_usage_errors(tmp_path: Path) -> None:
    src = write_docs(tmp_path / "docs.jsonl", DOCS[:1])
    both = CliRunner().invoke(app, ["geocode", "صيدا", "--input", str(src)])
    assert both.exit_code == 2
    alone = CliRunner().invoke(app, ["geocode", "صيدا", "--output", str(tmp_path / "x.jsonl")])
    assert alone.exit_code == 2
    missing = CliRunner().invoke(app, ["geocode", "--input", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 1 and "Traceback" not in missing.output
