"""Reads of the API: events (every filter, sorting, cursor paging, CSV and GeoJSON), one event,
one document, statistics, dropdown values, health; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from conftest import XSS_URL, event_at
from fastapi.testclient import TestClient


def events(c: TestClient, **params: Any) -> list[dict[str, Any]]:
    r = c.get("/api/v1/events", params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    return list(r.json()["events"])


def places(c: TestClient, **params: Any) -> set[str]:
    return {e["location"]["name_en"] for e in events(c, **params)}


def test_list_is_the_merged_events_without_mentions(ro: TestClient) -> None:
    body = ro.get("/api/v1/events").json()
    assert body["total"] == 5 and body["next_cursor"] is None
    assert {e["location"]["name_en"] for e in body["events"]} == {"Tafas", "Nawa", "Idleb", "Busra Esh-Sham", "Saida"}
    tafas = event_at(ro, "Tafas")
    # two reports of one strike: one event, the toll as a range, two independent sources
    assert (tafas["fatalities_min"], tafas["fatalities_max"], tafas["independent_sources"]) == (4, 6, 2)
    assert tafas["review_state"] == "unreviewed" and "mentions" not in tafas
    assert isinstance(tafas["timestamp"], int) and tafas["actor1"]["canonical"] == "Military Forces of Russia"
    with_mentions = event_at(ro, "Tafas", mentions=1)
    assert sorted(m["doc_id"] for m in with_mentions["mentions"]) == ["afp/tafas", "enab/2018/07/05/tafas"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "SY"}, {"Tafas", "Nawa", "Idleb", "Busra Esh-Sham"}),
        ({"country": "Lebanon"}, {"Saida"}),
        ({"country": "لبنان"}, {"Saida"}),
        ({"admin1": "Daraa"}, {"Tafas", "Nawa", "Busra Esh-Sham"}),
        ({"admin1": "Idleb", "country": "SY"}, {"Idleb"}),
        ({"event_type": "battles"}, {"Idleb"}),
        ({"event_type": "Explosions/Remote violence"}, {"Tafas", "Nawa", "Busra Esh-Sham"}),
        ({"sub_event_type": "Air/drone strike"}, {"Tafas", "Busra Esh-Sham"}),
        ({"sub_event_type": "shelling_artillery_missile_attack"}, {"Nawa"}),
        ({"date_from": "2018-07-06", "date_to": "2018-07-07"}, {"Idleb", "Busra Esh-Sham"}),
        ({"date_from": "2018-07-08"}, {"Saida"}),
        ({"actor": "Russia"}, {"Tafas"}),
        ({"actor": "الروسي"}, {"Tafas"}),
        ({"actor": "قوات النظام"}, {"Nawa", "Idleb"}),
        ({"bbox": "35.9,32.4,36.6,32.8"}, {"Tafas", "Busra Esh-Sham"}),
        ({"bbox": "35.0,33.0,36.0,34.0"}, {"Saida"}),
        ({"min_sources": 2}, {"Tafas"}),
        ({"review": "unreviewed"}, {"Tafas", "Nawa", "Idleb", "Busra Esh-Sham", "Saida"}),
        ({"review": "accepted"}, set()),
        # text search: Arabic normalised (hamza, ta marbuta, article, proclitics), English notes
        ({"q": "بطفس"}, {"Tafas"}),
        ({"q": "وصيدا"}, {"Saida"}),
        ({"q": "اسرائيلي"}, set()),
        ({"q": "الاشتباكات"}, {"Idleb"}),
        ({"q": "إدلب"}, {"Idleb"}),
        ({"q": "مدنيين"}, {"Tafas"}),
        ({"q": "drone strikes"}, {"Tafas", "Busra Esh-Sham"}),
        ({"q": "Nawa"}, {"Nawa"}),
        ({"q": "Busra 100%"}, set()),
        ({"country": "SY", "event_type": "explosions_remote_violence", "date_to": "2018-07-05"}, {"Tafas", "Nawa"}),
    ],
)
def test_filters(ro: TestClient, params: dict[str, Any], expected: set[str]) -> None:
    assert places(ro, **params) == expected
    assert ro.get("/api/v1/events", params=params).json()["total"] == len(expected)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"country": "Syriaa"}, "closest: Syria"),
        ({"admin1": "Narnia"}, "admin1: unknown value"),
        ({"event_type": "air_drone_strike"}, "is a sub-event type"),
        ({"sub_event_type": "Airstrike please"}, "unknown value"),
        ({"date_from": "5 July"}, "date_from expects YYYY-MM-DD"),
        ({"date_from": "2018-07-09", "date_to": "2018-07-01"}, "is after"),
        ({"bbox": "1,2,3"}, "bbox expects"),
        ({"bbox": "36,33,35,32"}, "minlon <= maxlon"),
        ({"review": "maybe"}, "review must be one of"),
        ({"sort": "name"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"limit": 5000}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor: not a cursor"),
        ({"min_sources": -1}, "min_sources"),
        ({"format": "xml"}, "format"),
    ],
)
def test_bad_parameters_are_422_with_a_message(ro: TestClient, params: dict[str, Any], message: str) -> None:
    r = ro.get("/api/v1/events", params=params)
    assert r.status_code == 422
    assert message in r.json()["detail"]


@pytest.mark.parametrize("sort", ["date", "-date", "fatalities", "-fatalities"])
def test_sorting_and_cursor_paging_visit_every_event_once(ro: TestClient, sort: str) -> None:
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"sort": sort, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = ro.get("/api/v1/events", params=params).json()
        assert len(body["events"]) <= 2 and body["total"] == 5
        seen += body["events"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and len({e["event_id"] for e in seen}) == 5
    key = sort.lstrip("-")
    keyed = [e[key] for e in seen if e[key] is not None]
    assert keyed == sorted(keyed, reverse=sort.startswith("-"))
    if key == "fatalities":  # events without a figure come after those with one
        assert [e[key] is None for e in seen] == sorted(e[key] is None for e in seen)
    whole = [e["event_id"] for e in events(ro, sort=sort)]
    assert whole == [e["event_id"] for e in seen]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "dar"}, {"Tafas", "Nawa", "Busra Esh-Sham"}),  # the province, Dar'a
        ({"actor": "Military Forces"}, {"Tafas", "Nawa", "Idleb"}),
    ],
)
@pytest.mark.parametrize("sort", ["-date", "fatalities"])
def test_word_filters_page_alike_whichever_way_the_database_walks(
    ro: TestClient, monkeypatch: pytest.MonkeyPatch, params: dict[str, Any], expected: set[str], sort: str
) -> None:
    """Many matches for a page: the words are checked per event as the events are walked in order
    (EXISTS); few: the events are found from the words (IN). Both give the same pages."""
    from marsad.api import queries
    from marsad.store import review

    ways: list[bool] = []
    has_words = review._has_words

    def spy(condition: Any, correlated: bool) -> Any:
        ways.append(correlated)
        return has_words(condition, correlated)

    monkeypatch.setattr(review, "_has_words", spy)
    monkeypatch.setattr(queries, "WALK_COST", 1.0)  # as if walking were cheap, for this tiny store
    whole = events(ro, sort=sort, **params)
    assert {e["location"]["name_en"] for e in whole} == expected and not any(ways)
    ways.clear()
    seen: list[str] = []
    cursor = None
    for _ in range(5):  # a page of 1 among 3 matches of 5 events: 3 * 3 > 1 * 5, EXISTS
        body = ro.get("/api/v1/events", params={**params, "sort": sort, "limit": 1, "cursor": cursor}).json()
        assert body["total"] == 3
        seen += [e["event_id"] for e in body["events"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert True in ways and seen == [e["event_id"] for e in whole]


def test_a_cursor_of_another_sort_is_refused(ro: TestClient) -> None:
    cursor = ro.get("/api/v1/events", params={"limit": 1}).json()["next_cursor"]
    r = ro.get("/api/v1/events", params={"limit": 1, "cursor": cursor, "sort": "fatalities"})
    assert r.status_code == 422 and "another sort order" in r.json()["detail"]


def test_csv_has_the_export_columns_and_the_filtered_rows(ro: TestClient) -> None:
    from marsad.store.acled import ACLED_COLUMNS

    r = ro.get("/api/v1/events", params={"format": "csv", "country": "SY", "sort": "date"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert tuple(rows[0].keys()) == ACLED_COLUMNS
    assert rows[0]["location"] in ("Tafas", "Nawa")
    assert {row["location"] for row in rows} == {"Tafas", "Nawa", "Idleb", "Busra Esh-Sham"}
    assert {row["event_id_cnty"][:3] for row in rows} == {"SYR"}
    tafas = next(row for row in rows if row["location"] == "Tafas")
    assert tafas["fatalities"] == "4" and tafas["event_date"] == "05 July 2018"


def test_geojson_is_a_feature_collection_of_flat_export_rows(ro: TestClient) -> None:
    r = ro.get("/api/v1/events", params={"format": "geojson", "admin1": "Daraa"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    body = json.loads(r.text)
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 3
    tafas = next(f for f in body["features"] if f["properties"]["location"] == "Tafas")
    assert tafas["geometry"] == {"type": "Point", "coordinates": [36.0667, 32.7378]}
    assert tafas["properties"]["review_state"] == "unreviewed"
    assert tafas["properties"]["fatalities_max"] == 6 and tafas["properties"]["independent_sources"] == 2


def test_one_event_with_mentions_evidence_claims_and_history(ro: TestClient) -> None:
    tafas = event_at(ro, "Tafas")
    body = ro.get(f"/api/v1/events/{tafas['event_id']}").json()
    assert body["event_id"] == tafas["event_id"] and body["review_state"] == "unreviewed" and body["history"] == []
    by_doc = {m["doc_id"]: m for m in body["mentions"]}
    enab = by_doc["enab/2018/07/05/tafas"]
    assert enab["mention_id"] == "enab/2018/07/05/tafas#0" and enab["outlet"] == "عنب بلدي"
    assert enab["title"] == "غارات روسية على طفس" and enab["published"] == "2018-07-05"
    assert enab["evidence"][0]["text"].startswith("شن الطيران الروسي غارات على بلدة طفس")
    assert {s["canonical"] for s in enab["sources"]} == {"Syrian Observatory for Human Rights"}
    claims = {(c["doc_id"], c["source"], c["fatalities"]) for c in body["claims"]}
    assert claims == {
        ("enab/2018/07/05/tafas", "Syrian Observatory for Human Rights", 4),
        ("afp/tafas", "Agence France-Presse", 6),
    }


def test_unknown_event_and_document_are_404_json(ro: TestClient) -> None:
    r = ro.get("/api/v1/events/MRS000000000000")
    assert r.status_code == 404 and r.json()["detail"] == "no event MRS000000000000"
    r = ro.get("/api/v1/documents/no/such/doc")
    assert r.status_code == 404 and "no document no/such/doc" in r.json()["detail"]


def test_document_with_a_slash_in_its_id_and_its_spans(ro: TestClient) -> None:
    body = ro.get("/api/v1/documents/enab/2018/07/05/tafas").json()
    assert body["doc_id"] == "enab/2018/07/05/tafas" and body["outlet"] == "عنب بلدي"
    spans = body["spans"]
    assert [s["mention_id"] for s in spans] == ["enab/2018/07/05/tafas#0", "enab/2018/07/05/tafas#1"]
    first, second = (body["text"][s["start"] : s["end"]] for s in spans)
    assert "طفس" in first and "نوى" in second
    assert spans[0]["event_id"] == event_at(ro, "Tafas")["event_id"]
    assert spans[1]["event_type"] == "explosions_remote_violence"


def test_untrusted_text_comes_back_as_json_data(ro: TestClient) -> None:
    r = ro.get("/api/v1/documents/xss/busra")
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-content-type-options"] == "nosniff"
    body = r.json()
    assert body["url"] == XSS_URL and "<script>" in body["text"]  # stored as given; pages insert it as text


def test_stats_daily_by_type_and_areas(ro: TestClient) -> None:
    body = ro.get("/api/v1/stats").json()
    assert body["total"] == 5
    daily = {(d["date"], d["event_type"]): (d["count"], d["fatalities"]) for d in body["daily"]}
    assert daily[("2018-07-05", "explosions_remote_violence")] == (2, 4)
    assert daily[("2018-07-06", "battles")] == (1, 9)
    areas = {(a["country"], a["admin1"]): a["count"] for a in body["areas"]}
    assert areas == {("SY", "Dar'a"): 3, ("SY", "Idleb"): 1, ("LB", "South Governorate"): 1}
    only = ro.get("/api/v1/stats", params={"country": "LB"}).json()
    assert only["total"] == 1 and [d["event_type"] for d in only["daily"]] == ["strategic_developments"]


def test_stats_daily_by_area_and_by_both(ro: TestClient) -> None:
    by_area = ro.get("/api/v1/stats", params={"by": "area"}).json()["daily"]
    rows = {(d["date"], d["country"], d["admin1"]): d["count"] for d in by_area}
    assert all("event_type" not in d for d in by_area)
    assert sum(rows.values()) == 5 and rows[("2018-07-05", "SY", "Dar'a")] == 2
    both = ro.get("/api/v1/stats", params={"by": "event_type_area", "country": "LB"}).json()["daily"]
    assert [(d["event_type"], d["country"], d["admin1"]) for d in both] == [
        ("strategic_developments", "LB", "South Governorate")
    ]
    assert ro.get("/api/v1/stats", params={"by": "outlet"}).status_code == 422


def test_filter_values_for_dropdowns(ro: TestClient) -> None:
    body = ro.get("/api/v1/filters").json()
    assert {"value": "SY", "label": "Syria", "label_ar": "سوريا"} in body["country"]
    assert {"value": "battles", "label": "Battles"} in body["event_type"]
    assert {
        "value": "air_drone_strike",
        "label": "Air/drone strike",
        "event_type": "explosions_remote_violence",
    } in body["sub_event_type"]
    assert [r["value"] for r in body["review"]] == ["unreviewed", "accepted", "edited", "rejected"]


def test_health(ro: TestClient, shared_url: str) -> None:
    body = ro.get("/api/v1/health").json()
    assert body["status"] == "ok" and body["events"] == 5
    assert body["db"] == ("sqlite" if shared_url.startswith("sqlite") else "postgresql")


def test_openapi_and_offline_reference(ro: TestClient) -> None:
    spec = ro.get("/openapi.json").json()
    assert {"/api/v1/events", "/api/v1/events/{event_id}", "/api/v1/documents", "/api/v1/stats"} <= set(spec["paths"])
    example = spec["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    assert example["events"][0]["location"]["name"] == "بصرى الشام"
    for path, operations in spec["paths"].items():  # every endpoint of the API shows an example
        for method, op in operations.items():
            if not path.startswith("/api/v1/") or path in ("/api/v1/session",):
                continue
            content = [
                *((op.get("requestBody") or {}).get("content") or {}).values(),
                *(op["responses"].get("200", {}).get("content") or {}).values(),
            ]
            assert any("example" in c or "examples" in c for c in content), (method, path)
    page = ro.get("/docs").text
    assert "/api-static/docs.js" in page and "http" not in page.split("<body>")[0].replace("http-equiv", "")
    assert ro.get("/api-static/docs.js").status_code == 200


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"country": "Narnia"}, "country"),
        ({"admin1": "Narnia"}, "admin1"),
        ({"event_type": "picnic"}, "event_type"),
        ({"sub_event_type": "Airstrike please"}, "sub_event_type"),
    ],
)
def test_a_bad_label_is_named_by_its_query_parameter(ro: TestClient, params: dict[str, Any], name: str) -> None:
    # not by the command line's option (--country, --type): the caller sent a query parameter
    for path in ("/api/v1/events", "/api/v1/stats"):
        r = ro.get(path, params=params)
        assert r.status_code == 422
        assert r.json()["detail"].startswith(f"{name}: unknown value"), r.json()["detail"]


@pytest.mark.parametrize(
    ("params", "hint"),
    [({"evnt_type": "battles"}, "did you mean event_type?"), ({"from": "2018-07-06"}, "did you mean date_from?")],
)
def test_a_misspelt_filter_is_refused_not_ignored(ro: TestClient, params: dict[str, Any], hint: str) -> None:
    # ignored, it would answer with every event as if it had filtered them
    for path in ("/api/v1/events", "/api/v1/stats"):
        r = ro.get(path, params=params)
        assert r.status_code == 422, r.text
        assert f"unknown parameter {next(iter(params))!r} ({hint})" in r.json()["detail"]
    assert ro.get("/api/v1/events", params={"limit": 1, "sort": "date", "format": "json"}).status_code == 200


def _cursor(parts: list[Any]) -> str:
    import base64

    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("sort", "parts"),
    [
        ("-fatalities", ["-fatalities", 0, 10**23, "MRSX"]),  # beyond any integer column: was a 500
        ("-fatalities", ["-fatalities", 0, 3_000_000_000, "MRSX"]),  # beyond PostgreSQL's integer
        ("-date", ["-date", True, "2018-07-05", "MRSX"]),  # a bool is not a phase
        ("-date", ["-date", 0, "2018-07-05", "MRS\u0000X"]),
    ],
)
def test_a_forged_cursor_is_422_not_a_server_error(ro: TestClient, sort: str, parts: list[Any]) -> None:
    r = ro.get("/api/v1/events", params={"sort": sort, "cursor": _cursor(parts)})
    assert r.status_code == 422, r.text
    assert "cursor: not a cursor this API gave out" in r.json()["detail"]


def test_a_nul_character_in_a_filter_or_an_id_is_refused(ro: TestClient) -> None:
    # PostgreSQL cannot compare text with a NUL: these were 500s there
    for params in ({"actor": "a\u0000b"}, {"q": "غارة\u0000"}):
        for path in ("/api/v1/events", "/api/v1/stats"):
            r = ro.get(path, params=params)
            assert r.status_code == 422 and "contains a NUL character" in r.json()["detail"], r.text
    assert ro.get("/api/v1/events/MRS%00X").status_code == 404
    assert ro.get("/api/v1/documents/afp%00tafas").status_code == 404
