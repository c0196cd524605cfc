"""The merged record: notes written from the merged fields, one actor never on both sides, the
undated flag."""

from __future__ import annotations

from typing import Any

from marsad.store import merge
from marsad.store.notes import merged_notes


def mention(fatalities: int | None, actor2: str | None, date: str | None = "2018-07-05") -> dict[str, Any]:
    def actor(name: str | None, inter: int) -> dict[str, Any] | None:
        return {"name": "x", "canonical": name, "inter": inter, "country": "SY"} if name else None

    return {
        "event_type": "violence_against_civilians",
        "sub_event_type": "attack",
        "date": date,
        "time_precision": 1,
        "location": {
            "name": "نوى",
            "name_en": "Nawa",
            "gazetteer_id": "ocha:C5975",
            "country": "SY",
            "admin1": "Dar'a",
            "lat": 32.89,
            "lon": 36.04,
            "geo_precision": 1,
        },
        "actor1": actor("Military Forces of Syria", 1),
        "actor2": actor(actor2, 7 if actor2 and "Civilians" in actor2 else 1),
        "assoc_actors1": [],
        "assoc_actors2": [],
        "fatalities": fatalities,
        "injured": None,
        "quantities": [],
        "sources": [],
        "evidence": [{"start": 0, "end": 5}],
        "notes": "6 reported killed",
        "confidence": 0.6,
    }


def merged(*events: dict[str, Any], undated: list[bool] | None = None) -> dict[str, Any]:
    views = [merge.view_of(f"d{i}#0", f"d{i}", f"d{i}", e) for i, e in enumerate(events)]
    return merge.merged_record(list(events), views, undated)


def test_notes_follow_the_merged_figures() -> None:
    rec = merged(mention(6, "Civilians (Syria)"), mention(5, None), mention(9, None))
    assert rec["fatalities"] == 5
    assert rec["notes"] == (
        "On 5 July 2018, Military Forces of Syria attacked Civilians (Syria) in Nawa (Dar'a). "
        "5 reported killed (reports range from 5 to 9). Based on 3 reports."
    )


def test_notes_without_figures_or_date() -> None:
    rec = merged(mention(None, None, date=None), undated=[True])
    assert rec["notes"] == "Military Forces of Syria attacked unidentified actors in Nawa (Dar'a)."
    assert rec["flags"] == ["no_publication_date"]
    assert merged(mention(None, None), undated=[False])["flags"] == []
    assert merged_notes({"sub_event_type": "air_drone_strike", "location": {}, "fatalities": 0}) == (
        "Unidentified actors carried out air or drone strikes on an unnamed place. No fatalities reported."
    )


def test_one_actor_is_not_both_sides() -> None:
    same = "Military Forces of Syria"
    rec = merged(mention(1, same), mention(1, same), mention(1, "Civilians (Syria)"))
    assert rec["actor1"]["canonical"] == same and rec["actor2"]["canonical"] == "Civilians (Syria)"
    assert merged(mention(1, same))["actor2"] is None


def test_an_extracted_events_associates_leave_out_its_main_actors() -> None:
    from types import SimpleNamespace

    from marsad.extract.code import associates
    from marsad.models import Actor

    regime = Actor("قوات النظام", "Military Forces of Syria", 1, "SY")
    militia = Actor("ميليشيات موالية", "Pro-Government Militia (Syria)", 3, "SY")
    rebels = Actor("فصائل المعارضة", "Opposition Rebels (Syria)", 2, "SY")
    mention = SimpleNamespace(actor1=regime, actor2=rebels, assoc1=(militia, rebels, regime))
    assert associates(mention) == (militia,)  # type: ignore[arg-type]
