"""Review in the store (``marsad.store.review``): edits over merged values, rejection and pins
across re-ingest, merge and split, the audit log, search words; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "store"))
import store_helpers
from fake_extractor import extract

from marsad.ingest import ingest
from marsad.ingest.readers import record_to_document
from marsad.store import EventQuery, SqlStore, export, open_store, review

db_url = store_helpers.db_url_fixture()

STRIKE = {
    "doc_id": "a/1",
    "published": "2019-03-02",
    "outlet": "شبكة محلية",
    "text": "قصف النظام بلدة طفس بالمدفعية الثقيلة ما أدى إلى مقتل 3 مدنيين بحسب المرصد.",
}
SAME_STRIKE = {
    "doc_id": "b/1",
    "published": "2019-03-02",
    "outlet": "فرانس برس",
    "text": "ذكرت فرانس برس أن قصف النظام على طفس أسفر عن مقتل 7 أشخاص.",
}
OTHER = {"doc_id": "c/1", "published": "2019-03-03", "text": "اشتباكات بين فصائل وقوات النظام في إدلب."}


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    s = open_store(db_url)
    yield s
    s.close()


def add(store: SqlStore, *docs: dict[str, Any]) -> None:
    report = ingest(store, [record_to_document(d) for d in docs], extract)
    assert report.failed == 0


def only(store: SqlStore, **query: Any) -> dict[str, Any]:
    (event,) = [e for e in store.events(EventQuery(**query)) if e["location"]["name_en"] == "Tafas"]
    return event


def test_an_edit_overrides_the_merged_value_also_after_a_new_report_joins(store: SqlStore) -> None:
    add(store, STRIKE)
    event = only(store)
    review.review(store, event["event_id"], "edit", changes={"fatalities": 4}, reason="checked", user="rana")
    assert only(store)["fatalities"] == 4 and only(store)["review_state"] == "edited"
    # the one report said 3: the reviewer's 4 widens the range, and the notes read sensibly
    assert (only(store)["fatalities_min"], only(store)["fatalities_max"]) == (3, 4)
    assert "4 reported killed (reports range from 4 to 4)" not in only(store)["notes"]
    assert "4 reported killed." in only(store)["notes"]
    add(store, SAME_STRIKE)  # joins the event: the sources now say 3 and 7
    joined = only(store)
    assert joined["event_id"] == event["event_id"] and joined["n_mentions"] == 2
    assert (joined["fatalities"], joined["fatalities_min"], joined["fatalities_max"]) == (4, 3, 7)
    assert "4" in joined["notes"] and joined["review_state"] == "edited"


def test_rejected_event_keeps_its_mentions_when_they_come_again(store: SqlStore) -> None:
    add(store, STRIKE, OTHER)
    event = only(store)
    review.review(store, event["event_id"], "reject", reason="duplicate of a wire", user="rana")
    assert [e["location"]["name_en"] for e in store.events(EventQuery())] == ["Idleb"]
    assert store.count(EventQuery()) == 1 and store.count(EventQuery(review="all")) == 2
    add(store, {**STRIKE, "title": "نسخة معدلة"})  # the document replaced: its mention is stored again
    assert store.count(EventQuery()) == 1
    again = only(store, review="rejected")
    assert again["event_id"] == event["event_id"] and again["review_state"] == "rejected"


def test_merge_and_split_survive_reingest(store: SqlStore) -> None:
    add(store, STRIKE, OTHER)
    tafas = only(store)
    idlib = next(e for e in store.events(EventQuery()) if e["location"]["name_en"] == "Idleb")
    survivor = review.merge_events(store, [tafas["event_id"], idlib["event_id"]], reason="one day of shelling")
    assert survivor == tafas["event_id"] and store.count(EventQuery()) == 1
    add(store, {**OTHER, "title": "تحديث"})
    assert store.count(EventQuery()) == 1  # the re-stored mention goes back to the survivor
    new_id = review.split_event(store, survivor, ["c/1#0"], reason="two places")
    assert new_id == review.split_id(["c/1#0"]) and store.count(EventQuery()) == 2
    log = review.history(store, survivor)
    assert [h["action"] for h in log] == ["merge", "split"] and log[0]["reason"] == "one day of shelling"
    assert review.history(store, idlib["event_id"])[0]["after"] == {"event_id": survivor}


def test_parquet_and_flat_geojson_carry_the_review_state(store: SqlStore) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    add(store, STRIKE, OTHER)
    review.review(store, only(store)["event_id"], "accept", user="rana")
    buffer = io.BytesIO()
    export.write_parquet(store.events(EventQuery()), buffer)
    table = pq.read_table(io.BytesIO(buffer.getvalue()))
    assert sorted(zip(table.column("location").to_pylist(), table.column("review_state").to_pylist(), strict=True)) == [
        ("Idleb", "unreviewed"),
        ("Tafas", "accepted"),
    ]
    text = io.StringIO()
    export.write_geojson(store.events(EventQuery()), text, flat=True)
    assert '"review_state": "accepted"' in text.getvalue()


def test_validate_changes() -> None:
    out = review.validate_changes({"sub_event_type": "armed_clash", "location": {"lat": 32, "country": "Syria"}})
    assert out == {
        "sub_event_type": "armed_clash",
        "event_type": "battles",
        "location.lat": 32.0,
        "location.country": "SY",
    }
    assert review.validate_changes({"actor1": "جيش"})["actor1"] == {
        "name": "جيش",
        "canonical": "جيش",
        "inter": None,
        "country": None,
    }
    for bad in ({"fatalities": True}, {"time_precision": 4}, {"actor1": {"name": "x", "inter": 12}}, {"notes": 5}):
        with pytest.raises(review.ReviewError):
            review.validate_changes(bad)


def test_search_words_fold_hamza_ta_marbuta_article_and_proclitics() -> None:
    words = review.words_of(["وبالقرب من مدينة إدلب", "Air strikes"])
    for key in ("قرب", "مدينه", "ادلب", "air", "strikes"):
        assert key in words
    assert review.query_words("بإدلب") == [["بادلب", "ادلب"]]
