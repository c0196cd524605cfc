"""Review through the API: accept, edit, reject, merge, split; the audit log; edits in
``marsad export`` and the API's CSV; a rejected event stays rejected when its reports come again."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from conftest import REPORTS, event_at
from fake_extractor import extract
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from marsad.cli import _register, app
from marsad.ingest import ingest
from marsad.ingest.readers import record_to_document
from marsad.store import open_store
from marsad.store.acled import EXTRA_COLUMNS


def post(c: TestClient, csrf: str, path: str, body: dict[str, Any]) -> Any:
    return c.post(path, json=body, headers={"X-CSRF-Token": csrf})


def reingest(url: str, docs: list[dict[str, Any]]) -> None:
    store = open_store(url)
    try:
        report = ingest(store, [record_to_document(d) for d in docs], extract)
        assert report.failed == 0
    finally:
        store.close()


def export(url: str, fmt: str, *options: str) -> str:
    _register()
    result = CliRunner().invoke(app, ["export", "--format", fmt, "--db", url, *options])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_edit_is_logged_and_shown_everywhere(reviewer: tuple[TestClient, str], seeded: str) -> None:
    c, csrf = reviewer
    tafas = event_at(c, "Tafas")
    changes = {"fatalities": 5, "location": {"name_en": "Tafas town"}, "actor2": "مدنيون"}
    r = post(
        c,
        csrf,
        f"/api/v1/events/{tafas['event_id']}/review",
        {"action": "edit", "changes": changes, "reason": "SOHR corrected"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["review_state"] == "edited" and body["fatalities"] == 5 and body["location"]["name_en"] == "Tafas town"
    assert body["actor2"]["name"] == "مدنيون" and body["timestamp"] >= tafas["timestamp"]
    assert (body["fatalities_min"], body["fatalities_max"]) == (4, 6)  # what the sources say stays
    assert "5 reported fatalities" in body["notes"] or "5 " in body["notes"]  # notes follow the edited figure
    (entry,) = body["history"]
    assert entry["user"] == "rana" and entry["action"] == "edit" and entry["reason"] == "SOHR corrected"
    assert entry["before"] == {"fatalities": 4, "location.name_en": "Tafas", "actor2": None}
    assert entry["after"]["fatalities"] == 5 and entry["after"]["location.name_en"] == "Tafas town"
    assert entry["at"].endswith("+00:00")
    # the API's CSV and GeoJSON, and `marsad export` in every text format
    rows = list(csv.DictReader(io.StringIO(c.get("/api/v1/events", params={"format": "csv"}).text)))
    row = next(r for r in rows if r["location"] == "Tafas town")
    assert row["fatalities"] == "5" and int(row["timestamp"]) == body["timestamp"]
    feature = next(
        f
        for f in json.loads(c.get("/api/v1/events", params={"format": "geojson"}).text)["features"]
        if f["id"] == tafas["event_id"]
    )
    assert feature["properties"]["review_state"] == "edited" and feature["properties"]["fatalities"] == 5
    lines = [json.loads(line) for line in export(seeded, "jsonl").splitlines()]
    rec = next(r for r in lines if r["event_id"] == tafas["event_id"])
    assert rec["review_state"] == "edited" and rec["fatalities"] == 5 and rec["timestamp"] == body["timestamp"]
    assert {r["review_state"] for r in lines if r["event_id"] != tafas["event_id"]} == {"unreviewed"}
    rows = list(csv.DictReader(io.StringIO(export(seeded, "acled-csv"))))
    assert next(r for r in rows if r["location"] == "Tafas town")["fatalities"] == "5"
    assert "review_state" not in rows[0]  # ACLED's 31 columns exactly, unless asked
    # the review state in CSV, when asked: after ACLED's columns, in the CLI and the API alike
    for text in (
        export(seeded, "acled-csv", "--extra-columns"),
        c.get("/api/v1/events", params={"format": "csv", "extra_columns": "true"}).text,
    ):
        rows = list(csv.DictReader(io.StringIO(text)))
        assert list(rows[0])[31:] == list(EXTRA_COLUMNS)
        row = next(r for r in rows if r["event_id"] == tafas["event_id"])
        assert (row["review_state"], row["fatalities"]) == ("edited", "5")
        assert {r["review_state"] for r in rows if r["event_id"] != tafas["event_id"]} == {"unreviewed"}
    geo = json.loads(export(seeded, "geojson"))
    assert next(f for f in geo["features"] if f["id"] == tafas["event_id"])["properties"]["review_state"] == "edited"


def test_filters_see_edited_values(reviewer: tuple[TestClient, str]) -> None:
    c, csrf = reviewer
    nawa = event_at(c, "Nawa")
    changes = {"sub_event_type": "armed_clash", "date": "2018-07-04"}
    assert (
        post(c, csrf, f"/api/v1/events/{nawa['event_id']}/review", {"action": "edit", "changes": changes}).status_code
        == 200
    )
    assert event_at(c, "Nawa", event_type="battles")["event_type"] == "battles"
    assert event_at(c, "Nawa", date_to="2018-07-04")["date"] == "2018-07-04"
    assert event_at(c, "Nawa", review="edited")["review_state"] == "edited"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"colour": "red"}, "'colour' cannot be edited"),
        ({"fatalities": -1}, "fatalities must be a whole number"),
        ({"fatalities": "many"}, "fatalities must be a whole number"),
        ({"date": "July 5"}, "date must be a date"),
        ({"location": {"lat": 123}}, "location.lat must be a number from -90 to 90"),
        ({"location": {"country": "Atlantis"}}, "location.country"),
        ({"sub_event_type": "picnic"}, "sub_event_type must be a sub-event type"),
        ({"event_type": "battles", "sub_event_type": "arrests"}, "belongs to strategic_developments"),
        ({}, "at least one field"),
    ],
)
def test_bad_edits_are_422_and_change_nothing(reviewer: tuple[TestClient, str], changes: dict, message: str) -> None:
    c, csrf = reviewer
    tafas = event_at(c, "Tafas")
    r = post(c, csrf, f"/api/v1/events/{tafas['event_id']}/review", {"action": "edit", "changes": changes})
    assert r.status_code == 422 and message in r.json()["detail"]
    after = c.get(f"/api/v1/events/{tafas['event_id']}").json()
    assert after["review_state"] == "unreviewed" and after["history"] == [] and after["fatalities"] == 4


def test_unknown_event_and_bad_action(reviewer: tuple[TestClient, str]) -> None:
    c, csrf = reviewer
    r = post(c, csrf, "/api/v1/events/MRSNOPE/review", {"action": "accept"})
    assert r.status_code == 404 and "no event MRSNOPE" in r.json()["detail"]
    r = post(c, csrf, f"/api/v1/events/{event_at(c, 'Tafas')['event_id']}/review", {"action": "approve"})
    assert r.status_code == 422 and "action" in r.json()["detail"]


def test_rejected_event_is_hidden_and_stays_rejected_on_reingest(reviewer: tuple[TestClient, str], seeded: str) -> None:
    c, csrf = reviewer
    xss = event_at(c, "Busra Esh-Sham")
    r = post(c, csrf, f"/api/v1/events/{xss['event_id']}/review", {"action": "reject", "reason": "not a strike"})
    assert r.status_code == 200 and r.json()["review_state"] == "rejected"
    assert "Busra Esh-Sham" not in {e["location"]["name_en"] for e in c.get("/api/v1/events").json()["events"]}
    assert c.get("/api/v1/events").json()["total"] == 4
    assert event_at(c, "Busra Esh-Sham", review="rejected")["event_id"] == xss["event_id"]
    assert c.get("/api/v1/stats").json()["total"] == 4
    # the same report again, then a new version of it (replaced): still one rejected event
    reingest(seeded, REPORTS)
    changed = {**next(d for d in REPORTS if d["doc_id"] == "xss/busra"), "title": "عنوان معدل"}
    reingest(seeded, [changed])
    assert c.get("/api/v1/events").json()["total"] == 4
    again = c.get(f"/api/v1/events/{xss['event_id']}").json()
    assert again["review_state"] == "rejected" and again["mentions"][0]["title"] == "عنوان معدل"
    assert not [json.loads(x) for x in export(seeded, "jsonl").splitlines() if xss["event_id"] in x]
    assert [h["action"] for h in again["history"]] == ["reject"]


def test_accept_then_edit_history_in_order(reviewer: tuple[TestClient, str]) -> None:
    c, csrf = reviewer
    event_id = event_at(c, "Idleb")["event_id"]
    post(c, csrf, f"/api/v1/events/{event_id}/review", {"action": "accept", "reason": "two outlets"})
    post(c, csrf, f"/api/v1/events/{event_id}/review", {"action": "edit", "changes": {"notes": "Clashes near Idleb."}})
    body = c.get(f"/api/v1/events/{event_id}").json()
    assert [(h["action"], h["before"], h["after"]) for h in body["history"]] == [
        ("accept", {"review_state": "unreviewed"}, {"review_state": "accepted"}),
        ("edit", {"notes": body["history"][1]["before"]["notes"]}, {"notes": "Clashes near Idleb."}),
    ]
    assert body["notes"] == "Clashes near Idleb." and body["review_state"] == "edited"


def test_merge_and_split(reviewer: tuple[TestClient, str], seeded: str) -> None:
    c, csrf = reviewer
    tafas, nawa = event_at(c, "Tafas"), event_at(c, "Nawa")
    r = post(
        c, csrf, "/api/v1/events/merge", {"event_ids": [tafas["event_id"], nawa["event_id"]], "reason": "one raid"}
    )
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["event_id"] == tafas["event_id"] and merged["n_mentions"] == 3
    assert merged["history"][-1]["action"] == "merge" and merged["history"][-1]["reason"] == "one raid"
    gone = c.get(f"/api/v1/events/{nawa['event_id']}")
    assert gone.status_code == 404 and gone.json()["merged_into"] == tafas["event_id"]
    assert c.get("/api/v1/events").json()["total"] == 4
    # split the Nawa mention out again: a new event, and both stay apart after re-ingest
    nawa_mention = "enab/2018/07/05/tafas#1"
    r = post(
        c, csrf, f"/api/v1/events/{tafas['event_id']}/split", {"mention_ids": [nawa_mention], "reason": "two places"}
    )
    assert r.status_code == 200, r.text
    new = r.json()
    assert new["event_id"] not in (tafas["event_id"], nawa["event_id"]) and new["location"]["name_en"] == "Nawa"
    assert [h["action"] for h in new["history"]] == ["split_from"]
    changed = {**REPORTS[0], "title": "عنوان آخر"}
    reingest(seeded, [changed])
    after = c.get(f"/api/v1/events/{tafas['event_id']}").json()
    assert sorted(m["mention_id"] for m in after["mentions"]) == ["afp/tafas#0", "enab/2018/07/05/tafas#0"]
    assert c.get(f"/api/v1/events/{new['event_id']}").json()["mentions"][0]["mention_id"] == nawa_mention
    assert [h["action"] for h in after["history"]] == ["merge", "split"]


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/api/v1/events/merge", {"event_ids": ["MRSA"]}, 422, "event_ids"),
        ("/api/v1/events/merge", {"event_ids": ["MRSA", "MRSA"]}, 422, "two different event ids"),
        ("/api/v1/events/merge", {"event_ids": ["{tafas}", "MRSNOPE"]}, 404, "no event MRSNOPE"),
        ("/api/v1/events/{tafas}/split", {"mention_ids": ["idlib-clash#0"]}, 404, "holds no mention idlib-clash#0"),
        (
            "/api/v1/events/{tafas}/split",
            {"mention_ids": ["afp/tafas#0", "enab/2018/07/05/tafas#0"]},
            422,
            "at least one",
        ),
        ("/api/v1/events/{tafas}/split", {"mention_ids": []}, 422, "mention_ids"),
    ],
)
def test_bad_merges_and_splits(
    reviewer: tuple[TestClient, str], path: str, body: dict, status: int, message: str
) -> None:
    c, csrf = reviewer
    tafas = event_at(c, "Tafas")["event_id"]
    body = json.loads(json.dumps(body).replace("{tafas}", tafas))
    r = post(c, csrf, path.replace("{tafas}", tafas), body)
    assert r.status_code == status and message in r.json()["detail"]
    assert c.get("/api/v1/events").json()["total"] == 5


def test_web_pages_do_not_render_untrusted_markup(client: TestClient) -> None:
    pytest.importorskip("marsad.web.pages", reason="the dashboard (marsad.web) is not installed")
    event_id = event_at(client, "Busra Esh-Sham")["event_id"]
    for path in ("/", f"/events/{event_id}"):
        page = client.get(path).text
        for markup in ("<script>window.__pwned", "<img src=x", 'href="javascript:', '"onerror=alert'):
            assert markup not in page, (path, markup)


@pytest.mark.parametrize(
    "changes",
    [
        {"fatalities": 10**23},  # SQLite cannot hold it: was a 500
        {"fatalities_max": 3_000_000_000},  # PostgreSQL's integer cannot
        {"injured": 10**20},  # kept in the event's JSON, would have been stored as given
        {"location": {"geo_precision": 10**30}},
    ],
)
def test_a_count_too_large_to_store_is_422_and_changes_nothing(reviewer: tuple[TestClient, str], changes: dict) -> None:
    c, csrf = reviewer
    tafas = event_at(c, "Tafas")
    r = post(c, csrf, f"/api/v1/events/{tafas['event_id']}/review", {"action": "edit", "changes": changes})
    assert r.status_code == 422, r.text
    assert "is larger than 2,147,483,647" in r.json()["detail"]
    after = c.get(f"/api/v1/events/{tafas['event_id']}").json()
    assert after["history"] == [] and after["review_state"] == "unreviewed"
    assert (after["fatalities"], after["injured"]) == (tafas["fatalities"], tafas["injured"])
