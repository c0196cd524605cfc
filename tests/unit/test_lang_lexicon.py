"""Loading the packaged lexicons, and the file:line errors for a malformed lexicon directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from marsad.errors import LexiconError
from marsad.lang.lexicon import ActorEntry, Cue, Lexicons, NumberWord, SourceEntry, TimeWord, Trigger, Unit
from marsad.lang.tables import lexicon_dir
from marsad.models import RawDocument
from marsad.text.prepare import prepare

FILES = (
    "triggers.tsv",
    "cues.tsv",
    "actors.tsv",
    "sources.tsv",
    "countries.tsv",
    "numbers.tsv",
    "time.tsv",
    "units.tsv",
)


@pytest.fixture(scope="module")
def lexicons() -> Lexicons:
    return Lexicons.load()


@pytest.fixture
def lexdir(tmp_path: Path) -> Path:
    for f in lexicon_dir("ar").glob("*.tsv"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def _append(path: Path, line: str) -> int:
    """Append a line and return its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def test_packaged_lexicons_have_every_file() -> None:
    assert set(FILES) <= {p.name for p in lexicon_dir("ar").glob("*.tsv")}


def test_load_gives_a_version_and_country_names(lexicons: Lexicons) -> None:
    assert len(lexicons.version) == 12
    assert lexicons.country_names["SY"] == "Syria"
    assert len(lexicons.matcher) > 100


def test_copied_directory_loads_with_the_same_version(lexicons: Lexicons, lexdir: Path) -> None:
    assert Lexicons.load(lexdir).version == lexicons.version


def test_version_changes_with_the_data(lexicons: Lexicons, lexdir: Path) -> None:
    _append(lexdir / "units.tsv", "قذيفة هاون\tshells\tmortar shells")
    assert Lexicons.load(lexdir).version != lexicons.version


def test_scan_returns_typed_entries(lexicons: Lexicons) -> None:
    doc = prepare(RawDocument("t", "قصفت قوات النظام بلدة صيدا أمس بثلاثة براميل، بحسب المرصد السوري"))
    kinds = {type(m.payload) for m in lexicons.scan(doc)}
    assert {Trigger, Cue, ActorEntry, SourceEntry, NumberWord, TimeWord, Unit} <= kinds


def test_new_entry_is_a_line_of_data(lexdir: Path) -> None:
    _append(lexdir / "units.tsv", "زورق\tboats\tboats (fictional test entry)")
    lex = Lexicons.load(lexdir)
    doc = prepare(RawDocument("t", "غرق زورق قبالة الساحل"))
    assert [m.payload for m in lex.scan(doc) if isinstance(m.payload, Unit)] == [Unit("boats")]


def test_bad_header_names_file_and_line(lexdir: Path) -> None:
    path = lexdir / "units.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("phrase\t"))
    lines[number - 1] = "phrase\twhat\tcomment"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        Lexicons.load(lexdir)
    assert info.value.line == number
    assert info.value.path.endswith("units.tsv")
    assert f"units.tsv:{number}:" in str(info.value)
    assert "meaning" in str(info.value)
    assert str(info.value).endswith("[M200]")


def test_bad_cell_names_file_line_and_column(lexdir: Path) -> None:
    number = _append(lexdir / "actors.tsv", "قوات وهمية\tFictional Forces\t9\tSY\t*\tout-of-range inter code")
    with pytest.raises(LexiconError, match=rf"actors\.tsv:{number}: column 'inter': 9 is outside 1\.\.8"):
        Lexicons.load(lexdir)


def test_unknown_trigger_class(lexdir: Path) -> None:
    number = _append(lexdir / "triggers.tsv", "تفجير وهمي\tbombing\t0.5\tnot a class")
    with pytest.raises(LexiconError, match=rf"triggers\.tsv:{number}: column 'class': 'bombing' is not one of"):
        Lexicons.load(lexdir)


def test_unknown_cue_kind(lexdir: Path) -> None:
    number = _append(lexdir / "cues.tsv", "زقاق\talley\tnot a cue kind")
    with pytest.raises(LexiconError, match=rf"cues\.tsv:{number}: column 'cue'"):
        Lexicons.load(lexdir)


def test_bad_scope_and_country(lexdir: Path) -> None:
    number = _append(lexdir / "actors.tsv", "قوات وهمية\tFictional Forces\t1\tSyria\t*\tbad country")
    with pytest.raises(LexiconError, match=rf"actors\.tsv:{number}: column 'country'"):
        Lexicons.load(lexdir)


def test_wrong_cell_count(lexdir: Path) -> None:
    number = _append(lexdir / "time.tsv", "البارحة\t1\trelative")
    with pytest.raises(LexiconError, match=rf"time\.tsv:{number}: expected 4 tab-separated cells, found 3"):
        Lexicons.load(lexdir)


def test_empty_required_cell(lexdir: Path) -> None:
    number = _append(lexdir / "sources.tsv", "مصدر وهمي\t\tmonitor\tempty canonical")
    with pytest.raises(LexiconError, match=rf"sources\.tsv:{number}: empty cell in column 'canonical'"):
        Lexicons.load(lexdir)


def test_number_value_must_be_whole(lexdir: Path) -> None:
    number = _append(lexdir / "numbers.tsv", "نصف\t0.5\tcardinal\thalf")
    with pytest.raises(LexiconError, match=rf"numbers\.tsv:{number}: column 'value': '0.5' is not a whole number"):
        Lexicons.load(lexdir)


def test_country_with_two_english_names(lexdir: Path) -> None:
    _append(lexdir / "countries.tsv", "القطر العربي السوري\tSY\tSyrian Arab Republic\tsecond name")
    with pytest.raises(LexiconError, match="SY has two English names"):
        Lexicons.load(lexdir)


def test_missing_file(lexdir: Path) -> None:
    (lexdir / "units.tsv").unlink()
    with pytest.raises(LexiconError, match=r"units\.tsv:0: lexicon file not found"):
        Lexicons.load(lexdir)


def test_file_that_is_not_utf8(lexdir: Path) -> None:
    (lexdir / "units.tsv").write_bytes(b"phrase\twhat\tmeaning\n" + "قذيفة".encode("cp1256") + b"\tshells\tx\n")
    with pytest.raises(LexiconError, match=r"units\.tsv:0: not UTF-8"):
        Lexicons.load(lexdir)


def test_file_with_only_comments(lexdir: Path) -> None:
    (lexdir / "units.tsv").write_text("# nothing here\n\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="empty lexicon"):
        Lexicons.load(lexdir)
