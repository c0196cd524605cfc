"""The gazetteer loader, on the packaged gazetteer (committed, so no /work/shared needed)."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from marsad.errors import GazetteerError
from marsad.geo.gazetteer import PACKAGED_GAZETTEER, Gazetteer
from marsad.settings import Settings
from marsad.text.normalize import name_key


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.open()


def test_packaged_file_is_small() -> None:
    assert PACKAGED_GAZETTEER.stat().st_size < 30_000_000


def test_has_is_in_memory(gaz: Gazetteer) -> None:
    assert gaz.has(name_key("درعا"))
    assert gaz.has(name_key("بصرى الشام"))
    assert not gaz.has(name_key("زززز"))
    assert gaz.max_key_words >= 3


def test_lookup_most_prominent_first(gaz: Gazetteer) -> None:
    entries = gaz.lookup(name_key("صيدا"))
    assert {"ocha:C5995", "geonames:268064"} <= {e.id for e in entries}
    assert [e.rank for e in entries] == sorted((e.rank for e in entries), reverse=True)
    assert gaz.lookup(name_key("صيدا")) == entries  # cached
    assert gaz.lookup("زززز") == []


def test_admin1_and_country(gaz: Gazetteer) -> None:
    for name in ("درعا", "Dar'a", "Daraa", "محافظة درعا"):
        entry = gaz.admin1("SY", name)
        assert entry is not None and entry.id == "ocha-adm1:SY12", name
    assert gaz.admin1("IQ", "ذي قار") is not None
    assert gaz.admin1("YE", "الحديدة") is not None
    assert gaz.admin1("SY", "الموصل") is None
    lebanon = gaz.country("lb")
    assert lebanon is not None and lebanon.name_ar == "لبنان"
    assert gaz.country("XX") is None


def test_fourteen_syrian_governorates(gaz: Gazetteer) -> None:
    units = gaz.admin1_units("SY")
    assert len(units) == 14
    assert all(u.name_ar and u.name_en and u.id.startswith("ocha-adm1:") for u in units)


def test_thread_safe_lookups(gaz: Gazetteer) -> None:
    names = ["حلب", "حمص", "دمشق", "إدلب", "الرقة", "تعز", "الموصل", "صيدا"] * 10
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: gaz.lookup(name_key(n)), names))
    assert all(results)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="not found"):
        Gazetteer.open(tmp_path / "none.sqlite")


def test_corrupt_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GazetteerError) as info:
        Gazetteer.open(bad)
    assert "\n" not in str(info.value)
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(GazetteerError, match="not a marsad gazetteer"):
        Gazetteer.open(empty)


def test_setting_selects_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARSAD_GAZETTEER", str(PACKAGED_GAZETTEER))
    with Gazetteer.open(Settings.from_env().gazetteer) as g:
        assert g.path == PACKAGED_GAZETTEER
