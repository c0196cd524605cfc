"""The dashboard's pages without a browser: language and direction, the CSP-safe markup (no inline
script, style or handler), the shipped files and licences, the words in both languages."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from marsad.api.app import create_app
from marsad.api.settings import ApiSettings
from marsad.web import i18n

from .conftest import SEED

WEB = Path(__file__).resolve().parents[2] / "src" / "marsad" / "web"
STATIC = WEB / "static"


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(ApiSettings(db=str(tmp_path / "m.db"), secret_key="pages-tests-" + "k" * 32))
    with TestClient(app) as test_client:
        yield test_client


def test_arabic_by_default_english_on_request_and_remembered(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "لوحة المتابعة" in page.text
    english = client.get("/?lang=en")
    assert '<html lang="en" dir="ltr">' in english.text and "Dashboard" in english.text
    assert "marsad_lang=en" in english.headers["set-cookie"]
    assert '<html lang="en" dir="ltr">' in client.get("/events/MRS0123456789AB").text  # the cookie
    assert '<html lang="ar" dir="rtl">' in client.get("/?lang=ar").text
    client.cookies.set("marsad_lang", "ar")
    assert '<html lang="ar" dir="rtl">' in client.get("/?lang=xx").text


@pytest.mark.parametrize("path", ["/", "/events/MRS0123456789AB"])
def test_pages_have_no_inline_code_and_every_file_they_load_exists(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert "default-src 'self'" in page.headers["content-security-policy"]
    loaded = []
    for tag, attrs in _tags(page.text):
        assert not [a for a in attrs if a.startswith("on")], f"inline handler on <{tag}>"
        assert "style" not in attrs and tag != "style", "inline style"
        if tag == "script":
            assert attrs.get("src") or attrs.get("type") == "application/json", "inline script"
            if attrs.get("src"):
                loaded.append(attrs["src"])
        if tag == "link" and attrs.get("rel") == "stylesheet":
            loaded.append(attrs["href"])
    assert "/static/js/common.js" in loaded and "/static/vendor/leaflet/leaflet.js" in loaded
    for url in loaded:
        assert url and url.startswith("/static/"), f"{url}: not served by this site"
        assert client.get(url).status_code == 200, url
    words = re.search(r'<script type="application/json" id="marsad-i18n">(.*?)</script>', page.text, re.S)
    assert words and json.loads(words.group(1))["app_name"] == "مرصد"


def test_an_event_id_is_never_reflected_into_the_page(client: TestClient) -> None:
    page = client.get("/events/%3Cscript%3Ealert(1)%3C%5Cscript%3E")
    assert page.status_code == 404
    assert "<script>alert" not in page.text and "alert(1)" not in page.text
    assert 'data-event-id=""' in page.text


def test_a_private_server_sends_visitors_to_the_login(tmp_path: Path) -> None:
    app = create_app(ApiSettings(db=str(tmp_path / "m.db"), public=False, secret_key="pages-tests-" + "k" * 32))
    with TestClient(app) as client:
        answer = client.get("/events/MRS0123456789AB?lang=en", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=%2Fevents%2FMRS0123456789AB%3Flang%3Den"


def test_both_languages_have_every_word_the_pages_use() -> None:
    arabic, english = i18n.strings("ar"), i18n.strings("en")
    assert set(arabic) == set(english)
    used: set[str] = set()
    for script in (STATIC / "js").glob("*.js"):
        text = script.read_text(encoding="utf-8")
        used |= set(re.findall(r'M\.tr\("([a-z_0-9]+)"[,)]', text))
    for template in (WEB / "templates").glob("*.html"):
        used |= set(re.findall(r"\{\{ t\.([a-z_0-9]+) \}\}", template.read_text(encoding="utf-8")))
    assert len(used) > 60
    assert not used - set(english), f"words missing from i18n.py: {sorted(used - set(english))}"
    assert all(re.search("[\u0600-\u06ff]", arabic[k]) for k in arabic if k.startswith(("type.", "sub.")))


def test_scripts_never_write_html_from_data() -> None:
    for script in (STATIC / "js").glob("*.js"):
        text = script.read_text(encoding="utf-8")
        for bad in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert bad not in text, f"{script.name} uses {bad}"


def test_the_offline_map_data_and_libraries_ship_with_their_licences() -> None:
    boundaries = STATIC / "data" / "boundaries.geojson"
    assert boundaries.stat().st_size < 2_000_000
    data: dict[str, Any] = json.loads(boundaries.read_text(encoding="utf-8"))
    levels = {f["properties"]["level"] for f in data["features"]}
    assert levels == {0, 1}
    names = {f["properties"].get("name") for f in data["features"]}
    assert {"Syria", "Iraq", "Sudan", "Yemen", "Libya"} <= names
    syria = next(f for f in data["features"] if f["properties"].get("name") == "Syria")
    lons = [p[0] for poly in syria["geometry"]["coordinates"] for ring in poly for p in ring]
    assert 35.5 < min(lons) < 36.0 and 42.0 < max(lons) < 42.5  # Syria's western and eastern edges
    attribution = (STATIC / "data" / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "Natural Earth" in attribution and "CC BY-IGO" in attribution
    assert "BSD" in (STATIC / "vendor" / "leaflet" / "LICENSE").read_text(encoding="utf-8") or "Vladimir" in (
        STATIC / "vendor" / "leaflet" / "LICENSE"
    ).read_text(encoding="utf-8")
    assert "MIT" in (STATIC / "vendor" / "leaflet.markercluster" / "MIT-LICENCE.txt").read_text(encoding="utf-8") or (
        "Permission is hereby granted"
        in (STATIC / "vendor" / "leaflet.markercluster" / "MIT-LICENCE.txt").read_text(encoding="utf-8")
    )


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def points_db(request: pytest.FixtureRequest, seeded_db: Path) -> Iterator[str]:
    """The seed reports' store: the browser tests' SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield str(seeded_db)
        return
    sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "store"))
    import store_helpers  # type: ignore[import-not-found]
    from typer.testing import CliRunner

    from marsad.cli import _register, app

    _register()
    urls = store_helpers.postgres_url()
    url = next(urls)
    result = CliRunner().invoke(app, ["ingest", str(SEED), "--db", url])
    assert result.exit_code == 0, result.output
    yield url
    urls.close()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"admin1": "درعا"},
        {"admin1": "Idlib"},
        {"date_from": "2024-05-15", "date_to": "2024-05-16"},
        {"sub_event_type": "air_drone_strike", "country": "Syria"},
        {"q": "المسيفرة"},
        {"bbox": "36.0,32.4,36.6,32.8"},
    ],
)
def test_the_maps_points_are_exactly_the_filtered_events(points_db: str, params: dict[str, str]) -> None:
    app = create_app(ApiSettings(db=points_db, secret_key="pages-tests-" + "k" * 32))
    with TestClient(app) as client:
        listed = client.get("/api/v1/events", params={**params, "limit": 1000})
        assert listed.status_code == 200, listed.text
        expected = {e["event_id"]: e for e in listed.json()["events"] if e["location"].get("lat") is not None}
        answer = client.get("/api/v1/points", params=params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
    assert body["total"] == listed.json()["total"]
    assert body["fields"] == ["event_id", "lat", "lon", "type", "fatalities", "date", "name"]
    got = {row[0]: row for row in body["points"]}
    assert set(got) == set(expected)
    assert got, "every filter here matches some of the seed's events"
    assert len(got) < 5 or not params, "a filter left every event on the map"
    if not params:
        assert len(got) >= 5  # the seed's strikes around Daraa and the Idlib bombing
    for event_id, (_, lat, lon, kind, fatalities, date, name) in got.items():
        ev = expected[event_id]
        assert (lat, lon) == (ev["location"]["lat"], ev["location"]["lon"])
        assert body["types"][kind] == [ev["event_type"], ev["sub_event_type"]]
        assert (fatalities, date, name) == (ev["fatalities"], ev["date"], ev["location"]["name"])


def test_the_maps_points_reject_a_bad_filter_with_a_message(client: TestClient) -> None:
    answer = client.get("/api/v1/points", params={"date_from": "2024-13-01"})
    assert answer.status_code == 422
    assert "date_from" in answer.json()["detail"]
    assert client.get("/api/v1/points", params={"bbox": "1,2,3"}).status_code == 422
