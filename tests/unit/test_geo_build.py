"""The gazetteer builder on a tiny extract of every source format (tests/fixtures/gazetteer)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.errors import GazetteerError
from marsad.geo.build import BuildSources, build_gazetteer, is_arabic_name
from marsad.geo.gazetteer import Gazetteer
from marsad.text.normalize import name_key

FIXTURES = Path(__file__).parent.parent / "fixtures" / "gazetteer"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gaz") / "g.sqlite"
    sources = BuildSources(FIXTURES, (FIXTURES / "JO.txt",), FIXTURES / "alternateNamesV2.txt")
    build_gazetteer(sources, out)
    return out


@pytest.fixture(scope="module")
def gaz(built: Path) -> Gazetteer:
    return Gazetteer.open(built)


def ids(gaz: Gazetteer, name: str) -> set[str]:
    return {e.id for e in gaz.lookup(name_key(name))}


def test_tables_and_meta(built: Path) -> None:
    con = sqlite3.connect(built)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"places", "names", "meta"} <= tables
    meta = dict(con.execute("SELECT key, value FROM meta"))
    assert meta["schema_version"] == "2"
    assert "sha256:ocha_syria_locations/Locations.csv" in meta
    assert "sha256:geonames-dump:JO.txt" in meta
    assert int(meta["places"]) == con.execute("SELECT count(*) FROM places").fetchone()[0]
    assert int(meta["count:community"]) == 8


def test_ocha_community(gaz: Gazetteer) -> None:
    sayda = gaz.get("ocha:C5995")
    assert sayda is not None
    assert (sayda.name_ar, sayda.name_en, sayda.admin1, sayda.kind) == ("صيدا", "Sayda", "Dar'a", "community")
    assert sayda.lat == pytest.approx(32.63, abs=0.01)
    assert ids(gaz, "صيدا - مركز درعا") == set()  # the " - X" display suffix is stripped, not indexed
    assert "ocha:C5995" in ids(gaz, "Sayda")


def test_admin_levels(gaz: Gazetteer) -> None:
    daraa = gaz.get("ocha-adm1:SY12")
    assert daraa is not None and daraa.kind == "admin1" and daraa.admin1 == "Dar'a"
    assert gaz.admin1("SY", "محافظة درعا") == daraa  # OpenSyria alias
    assert gaz.get("ocha-adm2:SY1200") is not None
    assert gaz.get("ocha-adm3:SY120001") is not None
    assert gaz.get("ocha-nbh:N0502") is not None
    assert gaz.country("SY") is not None and gaz.country("IR") is not None


def test_spelling_variants(gaz: Gazetteer) -> None:
    assert "ocha:C6002" in ids(gaz, "بصر الشام")  # curated misspelling
    assert ids(gaz, "الغارية الغربية") == ids(gaz, "الغارية الغريبة") == {"ocha:C6010"}
    assert ids(gaz, "إنخل") == ids(gaz, "انخل") == {"ocha:C6058"}


def test_geonames_city_and_admin1(gaz: Gazetteer) -> None:
    assert "geonames:268064" in ids(gaz, "صيدا")
    mosul = gaz.get("geonames:99072")
    assert mosul is not None and mosul.admin1 == "Nineveh" and mosul.population
    nineveh = gaz.admin1("IQ", "نينوى")  # curated Arabic name, placed on its biggest town
    assert nineveh is not None and nineveh.id == "geonames:92877"


def test_syrian_geonames_town_merges_into_ocha(gaz: Gazetteer) -> None:
    assert gaz.get("geonames:170905") is None
    daraa_city = gaz.get("ocha:C5993")
    assert daraa_city is not None and daraa_city.population


def test_persian_names_not_indexed(gaz: Gazetteer) -> None:
    for pid in ("geonames:12", "geonames:38", "geonames:753"):
        place = gaz.get(pid)
        assert place is not None and place.name_ar == ""
    assert not is_arabic_name("تخت قیصر")
    assert is_arabic_name("الموصل")


def test_yemen_governorate(gaz: Gazetteer) -> None:
    taiz = gaz.get("yemen-gov:12")
    assert taiz is not None and taiz.name_ar == "تعز" and taiz.kind == "admin1" and taiz.admin1 == "Ta'izz"


def test_geonames_dump_and_alternate_names(gaz: Gazetteer) -> None:
    assert ids(gaz, "إربد") >= {"geonames:250441", "geonames:248944"}
    assert gaz.get("geonames:248944").kind == "admin1"  # type: ignore[union-attr]
    assert ids(gaz, "كفر تجربة") == {"geonames:9999992"}  # Arabic name from alternateNamesV2 only
    assert gaz.get("geonames:9999991") is None  # a mountain: not a populated place or admin unit
    assert not gaz.has(name_key("مكان غير موجود"))


def test_dump_only_build(tmp_path: Path) -> None:
    out = tmp_path / "jo.sqlite"
    report = build_gazetteer(BuildSources(None, (FIXTURES / "JO.txt",), FIXTURES / "alternateNamesV2.txt"), out)
    assert report.counts["city"] == 2
    with Gazetteer.open(out) as g:
        irbid = g.admin1("JO", "Irbid")
        assert irbid is not None and irbid.name_ar == "إربد"


def test_build_is_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    build_gazetteer(BuildSources(FIXTURES), a)
    build_gazetteer(BuildSources(FIXTURES), b)
    assert a.read_bytes() == b.read_bytes()


def test_missing_source_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match=r"Locations\.csv") as info:
        build_gazetteer(BuildSources(tmp_path), tmp_path / "out.sqlite")
    assert "\n" not in str(info.value)
    with pytest.raises(GazetteerError, match="nothing to build"):
        build_gazetteer(BuildSources(), tmp_path / "out.sqlite")


def test_cli_build(tmp_path: Path) -> None:
    from marsad.cli import _register, app

    _register()
    runner = CliRunner()
    out = tmp_path / "cli.sqlite"
    ok = runner.invoke(app, ["gazetteer", "build", "--source-dir", str(FIXTURES), "--output", str(out)])
    assert ok.exit_code == 0, ok.output
    assert out.is_file() and "places" in ok.output
    bad = runner.invoke(app, ["gazetteer", "build", "--source-dir", str(tmp_path / "nope"), "-o", str(out)])
    assert bad.exit_code == 1
    assert "Traceback" not in bad.output and "gazetteer source missing" in bad.output
