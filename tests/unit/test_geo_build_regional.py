"""The village-level sources (Who's On First, HOT Sudan, OCHA Sudan, OSM places) on small fixtures
of our own in each source's format (tests/fixtures/gazetteer), and how their records merge."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from marsad.geo.build import BuildSources, build_gazetteer
from marsad.geo.gazetteer import Gazetteer
from marsad.geo.place import arabic_keys
from marsad.geo.regional import is_latin_name, read_hotosm, read_ocha_sudan, read_osm_places, read_wof, split_names
from marsad.text.normalize import name_key

FIXTURES = Path(__file__).parent.parent / "fixtures" / "gazetteer"
DATA = Path(__file__).parents[2] / "src" / "marsad" / "geo" / "data"


@pytest.fixture(scope="module")
def gaz(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    out = tmp_path_factory.mktemp("regional") / "g.sqlite"
    build_gazetteer(BuildSources(FIXTURES), out)
    return Gazetteer.open(out)


def ids(gaz: Gazetteer, name: str) -> set[str]:
    return {e.id for e in gaz.lookup(name_key(name))}


def test_wof_reader_drops_deprecated_and_superseded() -> None:
    rows = list(read_wof(FIXTURES / "whosonfirst_admin" / "wof_admin_ps.csv.gz"))
    assert [r.source_id for r in rows] == ["wof:890442661", "wof:85672931"]
    lb = {r.source_id: r for r in read_wof(FIXTURES / "whosonfirst_admin" / "wof_admin_lb.csv.gz")}
    assert "wof:85999901" not in lb  # edtf_deprecated set
    khiyam = lb["wof:1226640497"]
    assert (khiyam.kind, khiyam.feature, khiyam.gn_id, khiyam.admin2_en) == ("city", "PPL", 279727, "Marjaayoun")
    assert lb["wof:1108691437"].kind == "admin2"


def test_arabic_is_taken_by_script_not_by_tag() -> None:
    lb = {r.source_id: r for r in read_wof(FIXTURES / "whosonfirst_admin" / "wof_admin_lb.csv.gz")}
    aitaroun = lb["wof:1226640498"]
    assert aitaroun.arabic == ["عيترون"]
    assert aitaroun.latin[0] == "Aitaroun" and "Ayta ar Rus" in aitaroun.latin  # tagged Arabic, Latin script
    iq = {r.source_id: r for r in read_wof(FIXTURES / "whosonfirst_admin" / "wof_admin_iq.csv.gz")}
    assert "مووسڵ" not in iq["wof:421175361"].arabic  # a Kurdish spelling (ckb) is not Arabic
    assert split_names(["Al Khiyām", "الخيام", "تخت قیصر"]) == (["الخيام"], ["Al Khiyām"])
    assert is_latin_name("Dar'a") and not is_latin_name("درعا")


def test_osm_readers_keep_named_places_only() -> None:
    hot = list(read_hotosm(FIXTURES / "hotosm_sdn_populated_places" / "hotosm_sdn_populated_places_points.csv.gz"))
    assert [r.source_id for r in hot] == ["osm:n1002", "osm:n1003", "osm:n1004"]  # the unnamed hamlet skipped
    assert hot[0].population == 2395159 and hot[0].feature == "city"
    eg = list(read_osm_places(FIXTURES / "osm_geodata_obiwanlansi_2019" / "egypt_places.csv.gz", "EG"))
    assert [(r.arabic, r.kind) for r in eg] == [(["الجورة"], "city"), ([], "neighbourhood")]  # island skipped


def test_sudan_polygons_locate_points() -> None:
    sudan = read_ocha_sudan(FIXTURES / "ocha_sudan_cod_ab_v03")
    assert sudan.locate(32.4773, 15.6445) == ("SD01", "SD01002")
    assert sudan.locate(31.9, 15.2) == ("SD01", "")  # inside the state, outside its localities
    assert sudan.locate(40.0, 20.0) == ("", "")
    assert sudan.names["SD01002"] == ("Um Durman", "أم درمان")


def test_one_place_one_entry_by_geonames_id(gaz: Gazetteer) -> None:
    mosul = gaz.get("geonames:99072")
    assert mosul is not None and mosul.admin1 == "Nineveh"
    assert ids(gaz, "موصل الحدباء") == {"geonames:99072"}  # the WOF spelling joins the cities500 entry
    details = gaz.details("geonames:99072")
    assert details is not None and "wof:421175361" in details.sources and details.feature == "PPLA"
    assert not gaz.has(name_key("مووسڵ"))


def test_one_place_one_entry_by_name_and_distance(gaz: Gazetteer) -> None:
    # WOF has it in Latin only, HOT 2 km away in Arabic and Latin: one entry with both spellings
    assert ids(gaz, "أم روابة") - {"ocha-sd-adm2:SD10005"} == ids(gaz, "Umm Ruwaba") == {"geonames:367544"}
    details = gaz.details("geonames:367544")
    assert details is not None and set(details.sources) == {"wof:1108800001", "osm:n1003"}
    # the WOF copy of Sayda (Dar'a) joins the OCHA community 1 km away
    assert {"ocha:C5995", "geonames:268064", "geonames:281965"} <= ids(gaz, "صيدا")
    assert not any(i.startswith("wof:") or i == "geonames:170500" for i in ids(gaz, "صيدا"))
    assert "wof:1125800001" in gaz.details("ocha:C5995").sources  # type: ignore[union-attr]


def test_deprecated_duplicates_leave_one_entry(gaz: Gazetteer) -> None:
    assert ids(gaz, "بيت لاهيا") == {"geonames:281124"}
    assert not gaz.has(name_key("الخيام القديمة"))


def test_admin_names_in_both_scripts(gaz: Gazetteer) -> None:
    khiyam = gaz.get("geonames:279727")
    assert khiyam is not None and (khiyam.admin1, khiyam.admin2) == ("Nabatiye", "Marjaayoun")
    assert gaz.details("geonames:279727").admin1_ar == "النبطية"  # type: ignore[union-attr]
    omdurman = gaz.get("osm:n1002")
    assert omdurman is not None and (omdurman.admin1, omdurman.admin2) == ("Khartoum", "Um Durman")
    details = gaz.details("osm:n1002")
    assert details is not None and (details.admin1_ar, details.admin2_ar) == ("الخرطوم", "أم درمان")
    rashad = gaz.get("geonames:6835418")  # no WOF region: named through its GeoNames admin1 code
    assert rashad is not None and rashad.admin1 == "Diyala"
    assert gaz.admin1("IQ", "ديالى") is not None  # an admin1 placed on the WOF region's label point


def test_generic_first_word_and_space_insensitive_keys(gaz: Gazetteer) -> None:
    assert ids(gaz, "الرشاد") == {"geonames:448461", "geonames:6835418"}  # "قرية الرشاد" without قرية
    assert "wof:1108691437" in ids(gaz, "مرجعيون")  # "قضاء مرجعيون" without قضاء
    assert ids(gaz, "بيتلاهيا") == ids(gaz, "بيت لاهيا")
    assert "خيام" in arabic_keys("قرية الخيام") and "كفر نبل" in arabic_keys("كفرنبل")
    assert "امدرمان" in arabic_keys("أم درمان")


def test_latin_only_villages_are_not_kept(gaz: Gazetteer) -> None:
    assert gaz.get("geonames:279998") is None
    assert gaz.get("osm:n2003") is None
    assert gaz.get("osm:n2001") is not None and gaz.get("osm:n2001").kind == "city"  # type: ignore[union-attr]


def test_kinds_features_and_rank(gaz: Gazetteer) -> None:
    khalis_district = gaz.get("wof:421169765")
    assert khalis_district is not None and khalis_district.kind == "admin2"
    omdurman_town = gaz.get("osm:n1002")
    village = gaz.get("osm:n1004")
    assert omdurman_town is not None and village is not None
    assert omdurman_town.rank > village.rank
    assert gaz.feature("osm:n1004") == "village" and gaz.feature("nowhere") == ""


def test_meta_records_every_source(gaz: Gazetteer) -> None:
    con = sqlite3.connect(gaz.path)
    meta = dict(con.execute("SELECT key, value FROM meta"))
    for key in (
        "sha256:whosonfirst_admin/wof_admin_lb.csv.gz",
        "sha256:hotosm_sdn_populated_places/hotosm_sdn_populated_places_points.csv.gz",
        "sha256:ocha_sudan_cod_ab_v03/sdn_admin2.geojson.gz",
        "sha256:osm_geodata_obiwanlansi_2019/egypt_places.csv.gz",
    ):
        assert key in meta, key
    assert meta["schema_version"] == "2"


def test_attribution_lists_every_source_and_odbl() -> None:
    text = (DATA / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for needle in (
        "Who's On First",
        "OpenStreetMap contributors",
        "ODbL",
        "share-alike",
        "COD-AB Sudan",
        "GeoNames",
        "OpenSyria",
        "Yemen",
        "CC BY-IGO",
    ):
        assert needle in text, needle
