"""Toponym resolution with document context, on the packaged gazetteer."""

from __future__ import annotations

from typing import Any

import pytest

from marsad.geo.gazetteer import Gazetteer
from marsad.geo.resolve import Geoparser, Resolution
from marsad.models import Toponym
from marsad.text.normalize import name_key


@pytest.fixture(scope="module")
def geoparser() -> Geoparser:
    return Geoparser(Gazetteer.open())


def top(name: str, index: int, **kw: Any) -> Toponym:
    return Toponym(name=name, key=name_key(name), start=index * 20, end=index * 20 + len(name), token_index=index, **kw)


def chosen(res: Resolution) -> str | None:
    return res.entry.id if res.entry else None


def test_sayda_with_daraa_province(geoparser: Geoparser) -> None:
    res = geoparser.resolve([top("صيدا", 0), top("درعا", 1, relation="province", cue="محافظه")])
    assert chosen(res[0]) == "ocha:C5995"
    assert res[0].entry is not None
    assert (res[0].entry.lat, res[0].entry.lon) == pytest.approx((32.63, 36.22), abs=0.01)
    assert any("admin1 Dar'a mentioned in the report" in r for r in res[0].candidates[0].reasons)
    assert chosen(res[1]) == "ocha-adm1:SY12"


def test_sayda_with_daraa_countryside(geoparser: Geoparser) -> None:
    res = geoparser.resolve([top("درعا", 0, relation="countryside", cue="ريف"), top("صيدا", 1)])
    assert chosen(res[1]) == "ocha:C5995"
    assert chosen(res[0]) == "ocha-adm1:SY12"
    assert res[0].geo_precision == 2  # "ريف درعا": a part of the province, ACLED precision 2


def test_sayda_with_south_lebanon(geoparser: Geoparser) -> None:
    res = geoparser.resolve([top("صيدا", 0), top("جنوب لبنان", 1)])
    assert chosen(res[0]) == "geonames:268064"
    assert res[0].entry is not None
    assert (res[0].entry.lat, res[0].entry.lon) == pytest.approx((33.56, 35.37), abs=0.01)


def test_sayda_with_lebanon_as_country(geoparser: Geoparser) -> None:
    res = geoparser.resolve(
        [top("صيدا", 0), top("لبنان", 1, is_country=True, country_hint="LB", relation="near", cue="جنوب")]
    )
    assert chosen(res[0]) == "geonames:268064"
    assert chosen(res[1]) == "country:LB"


def test_tiba_near_daraa_not_sweida(geoparser: Geoparser) -> None:
    for daraa in (top("درعا", 1), top("درعا", 1, relation="province")):
        res = geoparser.resolve([top("الطيبة", 0), daraa])
        assert chosen(res[0]) == "ocha:C5992", res[0].candidates[:2]
        assert res[0].entry is not None
        assert (res[0].entry.lat, res[0].entry.lon) == pytest.approx((32.56, 36.24), abs=0.01)
        assert "ocha:C6170" in {c.entry.id for c in res[0].candidates}  # Tiba (As-Sweida) was considered


def test_inkhil_spellings_agree(geoparser: Geoparser) -> None:
    res = geoparser.resolve([top("إنخل", 0), top("أنخل", 1)])
    assert chosen(res[0]) == chosen(res[1]) == "ocha:C6058"
    assert res[0].entry is not None and res[0].entry.admin1 == "Dar'a"


def test_busra_and_misspelling(geoparser: Geoparser) -> None:
    res = geoparser.resolve([top("بصرى الشام", 0), top("بصر الشام", 1)])
    assert chosen(res[0]) == chosen(res[1]) == "ocha:C6002"


def test_daraa_as_province(geoparser: Geoparser) -> None:
    (res,) = geoparser.resolve([top("درعا", 0, relation="province", cue="محافظه")])
    assert chosen(res) == "ocha-adm1:SY12"


def test_daraa_alone_is_the_city(geoparser: Geoparser) -> None:
    (res,) = geoparser.resolve([top("درعا", 0)])
    assert res.entry is not None and res.entry.kind == "community" and res.entry.admin1 == "Dar'a"


def test_rural_damascus(geoparser: Geoparser) -> None:
    (res,) = geoparser.resolve([top("دمشق", 0, relation="countryside", cue="ريف")])
    assert chosen(res) == "ocha-adm1:SY03"


def test_taiz_and_mosul(geoparser: Geoparser) -> None:
    res = geoparser.resolve([top("تعز", 0), top("الموصل", 1)])
    assert [chosen(r) for r in res] == ["geonames:70225", "geonames:99072"]


def test_iraqi_province(geoparser: Geoparser) -> None:
    (res,) = geoparser.resolve([top("ذي قار", 0, relation="province")])
    assert res.entry is not None and res.entry.kind == "admin1" and res.entry.country == "IQ"


def test_unknown_village(geoparser: Geoparser) -> None:
    (res,) = geoparser.resolve([top("خربة زززز", 0)])
    assert res.entry is None and res.candidates == ()
    assert res.warning == "place 'خربة زززز' not in gazetteer: kept without coordinates"
    location = res.location()
    assert location.lat is None and location.name == "خربة زززز"


def test_context_country_hint(geoparser: Geoparser) -> None:
    (res,) = geoparser.resolve([top("صيدا", 0)], context_country="SY")
    assert res.entry is not None and res.entry.country == "SY"


def test_location_record(geoparser: Geoparser) -> None:
    (res,) = geoparser.resolve([top("بصرى الشام", 0, relation="near", cue="جنوب")])
    loc = res.location()
    assert loc.gazetteer_id == "ocha:C6002" and loc.geo_precision == 2 and loc.admin1 == "Dar'a"


def test_order_preserved_and_empty(geoparser: Geoparser) -> None:
    assert geoparser.resolve([]) == []
    names = ["حلب", "خربة زززز", "حمص"]
    assert [r.toponym.name for r in geoparser.resolve([top(n, i) for i, n in enumerate(names)])] == names


def _in_text(geoparser: Geoparser, text: str) -> dict[str, Resolution]:
    import datetime as dt

    from marsad.geo.toponyms import find_toponyms
    from marsad.models import RawDocument
    from marsad.text.prepare import prepare

    doc = prepare(RawDocument("t", text, dt.date(2024, 3, 7)))
    toponyms = find_toponyms(doc, geoparser.gazetteer)
    return {r.toponym.name: r for r in geoparser.resolve(toponyms, text=doc.text)}


def test_the_capital_is_the_city_not_a_hamlet_of_a_province_named_elsewhere(geoparser: Geoparser) -> None:
    found = _in_text(geoparser, "شنت طائرات التحالف غارات على محافظة حجة، كما استهدفت غارة أخرى العاصمة صنعاء.")
    sanaa = found["صنعاء"].entry
    assert sanaa is not None and sanaa.admin1 == "Amanat Alasimah" and (sanaa.population or 0) > 1_000_000
    assert any("capital" in r for r in found["صنعاء"].candidates[0].reasons)


def test_names_in_two_clauses_are_not_beside_each_other(geoparser: Geoparser) -> None:
    found = _in_text(geoparser, "قصفت الطائرات محافظة حجة، فيما سقطت قذائف على مدينة صنعاء.")
    sanaa = found["صنعاء"].entry
    assert sanaa is not None and sanaa.admin1 == "Amanat Alasimah"
    assert not any("named next to it" in r for r in found["صنعاء"].candidates[0].reasons)
