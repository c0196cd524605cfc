"""Filters that mean what users type: types as snake_case or ACLED labels, countries as codes or
English/Arabic names, provinces in English or Arabic (through the gazetteer), no wildcards, and an
unknown value an error that names the closest valid ones."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "store"))
import store_helpers
from fake_extractor import extract

from marsad.errors import ConfigError
from marsad.ingest import ingest
from marsad.ingest.readers import record_to_document
from marsad.store import SqlStore, open_store
from marsad.store.filters import open_gazetteer_factory, resolve, resolve_country, resolve_type

db_url = store_helpers.db_url_fixture()
GAZETTEER = open_gazetteer_factory()


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    s = open_store(db_url)
    ingest(s, [record_to_document(d) for d in store_helpers.load_docs()], extract)
    yield s
    s.close()


def places(store: SqlStore, **typed: str) -> set[str]:
    query = resolve(store, gazetteer=GAZETTEER, **typed)  # type: ignore[arg-type]
    return {e["location"]["name"] for e in store.events(query, mentions=False)}


@pytest.mark.parametrize("typed", ["air_drone_strike", "Air/drone strike", "AIR/DRONE STRIKE", "air drone strike"])
def test_sub_event_type_as_name_or_acled_label(store: SqlStore, typed: str) -> None:
    assert places(store, type_=typed) == {"بصرى الشام", "درعا"}


@pytest.mark.parametrize("typed", ["explosions_remote_violence", "Explosions/Remote violence"])
def test_event_type_as_name_or_acled_label(store: SqlStore, typed: str) -> None:
    assert places(store, type_=typed) == {"بصرى الشام", "طفس", "درعا"}


@pytest.mark.parametrize("typed", ["SY", "sy", "SYR", "Syria", "syrian arab republic", "سوريا", "سورية"])
def test_country_as_code_or_name(store: SqlStore, typed: str) -> None:
    assert places(store, country=typed) == {"بصرى الشام", "طفس", "درعا", "إدلب"}


@pytest.mark.parametrize("typed", ["Daraa", "dar'a", "DERAA", "درعا", "محافظة درعا"])
def test_province_in_english_or_arabic(store: SqlStore, typed: str) -> None:
    assert places(store, admin1=typed) == {"بصرى الشام", "طفس", "درعا"}


def test_a_province_without_events_is_no_error(store: SqlStore) -> None:
    assert places(store, admin1="حمص") == set()  # Homs is a province; nothing happened there here


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"type_": "airstrike"}, "air_drone_strike"),
        ({"type_": "Air strike"}, "Air/drone strike"),
        ({"country": "Syira"}, "Syria"),
        ({"country": "ZZ"}, "--country"),
        ({"admin1": "Darab"}, "Dar'a"),
        ({"admin1": "%"}, "not a province name"),
        ({"admin1": "Dar%"}, "no wildcards"),
        ({"admin1": "_"}, "not a province name"),
    ],
)
def test_unknown_values_are_errors_with_suggestions(store: SqlStore, typed: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=r"unknown value|not a province") as info:
        resolve(store, gazetteer=GAZETTEER, **typed)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_resolvers_without_a_store() -> None:
    assert resolve_type("Change to group/activity") == "change_to_group_activity"
    assert resolve_country("Türkiye") == "TR" and resolve_country("لبنان") == "LB"
