"""``marsad geocode``: output formats, with a stand-in recogniser so the test does not depend on
the recognition rules (a second test runs the real one when it exists)."""

from __future__ import annotations

import json
import sys
import types
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from marsad.cli import _register, app
from marsad.cli.geo import render_table, resolution_dict, visual_reorder
from marsad.geo.gazetteer import Gazetteer
from marsad.geo.resolve import Geoparser
from marsad.models import Document, Toponym
from marsad.text.normalize import name_key

_register()
TEXT = "قصف مدفعي على بلدة صيدا في محافظة درعا"


def fake_find_toponyms(doc: Document, gazetteer: Gazetteer, **_: Any) -> list[Toponym]:
    """One-word toponyms; a word after محافظه is a province."""
    found = []
    for i, token in enumerate(doc.tokens):
        key = name_key(token.text)
        if len(key) > 2 and gazetteer.has(key):
            start, end = doc.orig_span(token.start, token.end)
            after_province = i > 0 and doc.tokens[i - 1].text == "محافظه"
            found.append(
                Toponym(doc.text[start:end], key, start, end, i, relation="province" if after_province else "in")
            )
    return found


@pytest.fixture
def fake_recogniser(monkeypatch: pytest.MonkeyPatch) -> None:
    module: Any = types.ModuleType("marsad.geo.toponyms")
    module.find_toponyms = fake_find_toponyms
    monkeypatch.setitem(sys.modules, "marsad.geo.toponyms", module)


def test_geocode_json(fake_recogniser: None) -> None:
    result = CliRunner().invoke(app, ["geocode", TEXT, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    by_name = {r["name"]: r for r in rows}
    assert by_name["صيدا"]["chosen"]["id"] == "ocha:C5995"
    assert TEXT[slice(*by_name["صيدا"]["span"])] == "صيدا"
    assert by_name["درعا"]["chosen"]["id"] == "ocha-adm1:SY12"
    assert any("Dar'a" in reason for reason in by_name["صيدا"]["candidates"][0]["reasons"])


def test_geocode_table(fake_recogniser: None) -> None:
    result = CliRunner().invoke(app, ["geocode", TEXT])
    assert result.exit_code == 0, result.output
    assert "ocha:C5995" in result.output and "Sayda" in result.output


def test_geocode_bad_gazetteer(fake_recogniser: None, tmp_path: Any) -> None:
    result = CliRunner().invoke(app, ["geocode", TEXT, "--gazetteer", str(tmp_path / "missing.sqlite")])
    assert result.exit_code == 1
    assert "gazetteer file not found" in result.output and "Traceback" not in result.output


def test_formatting_functions() -> None:
    geoparser = Geoparser(Gazetteer.open())
    text = "اشتباكات في الطيبة وقرية مجهولة"
    tops = [Toponym("الطيبة", name_key("الطيبة"), 12, 18, 2), Toponym("مجهولة", "مجهوله", 25, 31, 4)]
    resolutions = geoparser.resolve(tops, context_country="SY")
    first = resolution_dict(resolutions[0], text)
    assert first["text"] == "الطيبة" and first["chosen"]["country"] == "SY" and len(first["candidates"]) > 3
    second = resolution_dict(resolutions[1], text)
    assert second["chosen"] is None and "not in gazetteer" in second["warning"]
    console = Console(record=True, width=200)
    render_table(resolutions, console)
    out = console.export_text()
    assert "more" in out and "not in gazetteer" in out
    visual = Console(record=True, width=200)
    render_table(resolutions, visual, reorder=visual_reorder())
    assert "ةبيطلا" in visual.export_text()  # right-to-left for terminals without bidi


def test_geocode_table_bidi(fake_recogniser: None) -> None:
    logical = CliRunner().invoke(app, ["geocode", TEXT, "--bidi", "logical"])
    visual = CliRunner().invoke(app, ["geocode", TEXT, "--bidi", "visual"])
    assert logical.exit_code == visual.exit_code == 0
    assert "صيدا" in logical.output and "اديص" not in logical.output
    assert "اديص" in visual.output
    bad = CliRunner().invoke(app, ["geocode", TEXT, "--bidi", "sideways"])
    assert bad.exit_code == 2


def test_geocode_with_real_recogniser() -> None:
    pytest.importorskip("marsad.geo.toponyms")
    result = CliRunner().invoke(app, ["geocode", "قصف على بلدة صيدا في ريف درعا الشرقي", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.output), list)
