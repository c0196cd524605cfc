"""Merging rules on hand-made mentions (pure functions, no database)."""

from __future__ import annotations

from typing import Any

from marsad.store import merge


def ev(
    sub: str = "air_drone_strike",
    date: str | None = "2018-07-05",
    name: str = "بصرى الشام",
    gid: str | None = "ocha:C6010",
    lat: float | None = 32.5167,
    lon: float | None = 36.4833,
    prec: int = 1,
    actor: str | None = "Military Forces of Russia",
    fatalities: int | None = None,
    sources: tuple[str, ...] = (),
    admin1: str = "Dar'a",
    country: str = "SY",
) -> dict[str, Any]:
    from marsad.models import EVENT_TYPES

    return {
        "event_type": EVENT_TYPES[sub],
        "sub_event_type": sub,
        "date": date,
        "time_precision": 1,
        "location": {
            "name": name,
            "name_en": None,
            "gazetteer_id": gid,
            "country": country,
            "admin1": admin1,
            "lat": lat,
            "lon": lon,
            "geo_precision": prec,
        },
        "actor1": {
            "name": "x",
            "canonical": actor,
            "inter": 8 if "Russia" in (actor or "") else 1,
            "country": "RU" if "Russia" in (actor or "") else "SY",
        }
        if actor
        else None,
        "actor2": None,
        "assoc_actors1": [],
        "assoc_actors2": [],
        "fatalities": fatalities,
        "injured": None,
        "quantities": [],
        "sources": [{"name": s, "canonical": s, "kind": "monitor" if s == "SOHR" else "news_agency"} for s in sources],
        "evidence": [{"start": 0, "end": 10}],
        "notes": "",
        "confidence": 0.5,
    }


def view(doc: str, e: dict[str, Any], group: str | None = None, idx: int = 0) -> merge.MentionView:
    return merge.view_of(f"{doc}#{idx}", doc, group or doc, e)


def test_same_town_same_day_agrees() -> None:
    assert merge.agreement(view("a", ev()), view("b", ev())) is not None


def test_same_document_never_merges() -> None:
    assert merge.agreement(view("a", ev()), view("a", ev(), idx=1)) is None


def test_day_apart_agrees_two_days_apart_does_not() -> None:
    a = view("a", ev(sources=("SOHR",)))
    assert merge.agreement(a, view("b", ev(date="2018-07-06", sources=("SOHR",)))) is not None
    assert merge.agreement(a, view("b", ev(date="2018-07-07", sources=("SOHR",)))) is None


def test_day_apart_needs_one_story() -> None:
    """A day apart, two reports must share an original source, a text or a figure: a town struck
    on consecutive days is two events (two ACLED rows), and "yesterday" is what shifts the day."""
    a = view("a", ev(sources=("SOHR",)))
    assert merge.agreement(a, view("b", ev(date="2018-07-06", sources=("Reuters",)))) is None
    assert merge.agreement(a, view("b", ev(date="2018-07-06"))) is None
    assert merge.agreement(a, view("b", ev(date="2018-07-06"), group="a")) is not None  # near-duplicate
    assert merge.agreement(view("a", ev(fatalities=3)), view("b", ev(date="2018-07-06", fatalities=3))) is not None
    activists = {"name": "ناشطون", "canonical": "Activists", "kind": "activist"}
    x, y = ev(), ev(date="2018-07-06")
    x["sources"], y["sources"] = [activists], [activists]
    assert merge.agreement(view("a", x), view("b", y)) is None  # "activists" name no one source
    assert merge.agreement(view("a", ev(sources=("Reuters",))), view("b", ev(sources=("SOHR",)))) is not None


def test_province_or_countryside_does_not_absorb_its_towns() -> None:
    """A province-level mention (an admin-area gazetteer entry, even coded precision 2 as "the
    countryside of Daraa") and a town inside it are two places unless they share the id."""
    countryside = ev(name="ريف درعا", gid="ocha-adm1:SY12", lat=32.8565, lon=36.2244, prec=2)
    province = ev(name="درعا", gid="ocha-adm1:SY12", lat=32.8565, lon=36.2244, prec=3)
    tafas = ev(name="طفس", gid="ocha:C6034", lat=32.7378, lon=36.0667)
    near_tafas = ev(name="طفس", gid="ocha:C6034", lat=32.7378, lon=36.0667, prec=2)
    assert merge.is_area("ocha-adm1:SY12", 2) and merge.is_area("ocha-adm3:SY120100", 1)
    assert merge.is_area(None, 3) and not merge.is_area("ocha:C6034", 2) and not merge.is_area(None, 2)
    assert merge.agreement(view("a", countryside), view("b", tafas)) is None
    assert merge.agreement(view("a", countryside), view("b", near_tafas)) is None
    assert merge.agreement(view("a", countryside), view("b", province)) is not None
    district = ev(name="منطقة درعا", gid="ocha-adm2:SY1200", lat=32.70, lon=36.15, prec=2)
    assert merge.agreement(view("a", district), view("b", province)) is not None  # two areas: by distance


def test_different_event_type_never_merges() -> None:
    assert merge.agreement(view("a", ev()), view("b", ev(sub="armed_clash", actor=None))) is None


def test_other_sub_type_merges_only_when_corroborated_and_scores_lower() -> None:
    a = view("a", ev(fatalities=4))
    assert merge.agreement(a, view("c", ev(sub="shelling_artillery_missile_attack"))) is None
    same = merge.agreement(a, view("b", ev(fatalities=4)))
    other = merge.agreement(a, view("c", ev(sub="shelling_artillery_missile_attack", fatalities=4)))
    assert same is not None and other is not None and other < same
    rewrite = view("d", ev(sub="shelling_artillery_missile_attack"), group="a")  # near-duplicate text
    assert merge.agreement(a, rewrite) is not None


def test_two_resolved_towns_are_two_places_however_close() -> None:
    tafas = ev(name="طفس", gid="ocha:C5995", lat=32.7378, lon=36.0667)
    neighbour = ev(name="اليادودة", gid="ocha:C5990", lat=32.7100, lon=36.0400)  # about 4 km away
    assert merge.agreement(view("a", tafas), view("b", neighbour)) is None
    unresolved = ev(name="اليادودة", gid=None, lat=32.7100, lon=36.0400)
    assert merge.agreement(view("a", tafas), view("b", unresolved)) is not None


def test_distance_radius_follows_precision() -> None:
    # Tafas is ~8 km from Da'el-like point; 30 km apart fails at precision 1 and 2, passes at 3.
    near = ev(name="طفس", gid=None, lat=32.7378, lon=36.0667)
    close = ev(name="داعل", gid=None, lat=32.7560, lon=36.1330)  # about 6.5 km away
    assert merge.agreement(view("a", near), view("b", close)) is not None
    far = ev(name="نوى", gid=None, lat=32.8899, lon=36.3431)  # about 30 km away
    assert merge.agreement(view("a", near), view("b", far)) is None
    assert (
        merge.agreement(
            view("a", ev(prec=3, gid=None, lat=32.62, lon=36.10, name="درعا")),
            view("b", ev(prec=3, gid=None, lat=32.80, lon=36.40, name="ريف درعا")),
        )
        is not None
    )


def test_town_and_province_do_not_merge_without_shared_id() -> None:
    town = ev()
    province = ev(name="درعا", gid="ocha-adm1:SY12", lat=32.6241, lon=36.10494, prec=3)
    assert merge.agreement(view("a", town), view("b", province)) is None


def test_no_coordinates_falls_back_to_normalised_name() -> None:
    a = ev(name="قرية النخيل", gid=None, lat=None, lon=None)
    b = ev(name="قريه النخيل", gid=None, lat=None, lon=None)  # ta marbuta folded
    c = ev(name="قرية الزيتون", gid=None, lat=None, lon=None)
    assert merge.agreement(view("a", a), view("b", b)) is not None
    assert merge.agreement(view("a", a), view("c", c)) is None


def test_countries_must_agree() -> None:
    a = ev(name="صيدا", gid=None, country="LB", lat=33.56, lon=35.37)
    b = ev(name="صيدا", gid=None, country="SY", lat=33.56, lon=35.37)
    assert merge.agreement(view("a", a), view("b", b)) is None


def test_incompatible_actors_do_not_merge() -> None:
    a = ev(actor="Military Forces of Russia")
    b = ev(actor="Islamic State")
    assert merge.agreement(view("a", a), view("b", b)) is None
    assert merge.agreement(view("a", a), view("b", ev(actor=None))) is not None


def test_undated_needs_strong_evidence() -> None:
    dated, undated = ev(fatalities=5), ev(date=None, fatalities=5)
    assert merge.agreement(view("a", dated), view("b", undated)) is not None  # same place, type, toll
    assert merge.agreement(view("a", ev()), view("b", ev(date=None))) is None  # nothing more in common
    # a near-duplicate text is strong evidence too
    assert merge.agreement(view("a", ev()), view("b", ev(date=None), group="a")) is not None


def test_choose_event_prefers_best_and_skips_events_of_same_document() -> None:
    m = view("new", ev(fatalities=5))
    candidates = {
        "E1": [view("x", ev(sub="shelling_artillery_missile_attack"))],
        "E2": [view("y", ev(fatalities=5))],
        "E3": [view("new", ev(), idx=3)],
    }
    assert merge.choose_event(m, candidates) == "E2"
    assert merge.choose_event(m, {"E3": candidates["E3"]}) is None


def test_event_id_is_deterministic() -> None:
    assert merge.event_id_for("a#0") == merge.event_id_for("a#0")
    assert merge.event_id_for("a#0") != merge.event_id_for("a#1")


def test_independent_sources_count_wires_once() -> None:
    sohr1 = view("a", ev(sources=("SOHR",)))
    sohr2 = view("b", ev(sources=("SOHR",)))  # another outlet rewriting SOHR
    afp = view("c", ev(sources=("AFP",)))
    rewrite = view("d", ev(), group="c")  # near-duplicate of c's text, no attribution
    alone = view("e", ev())
    assert merge.independent_sources([sohr1, sohr2]) == 1
    assert merge.independent_sources([sohr1, sohr2, afp, rewrite]) == 2
    assert merge.independent_sources([sohr1, afp, rewrite, alone]) == 3


def test_merged_record_keeps_lowest_toll_and_range() -> None:
    events = [ev(fatalities=8, sources=("AFP",)), ev(fatalities=5, sources=("SOHR",)), ev(fatalities=None)]
    views = [view(d, e) for d, e in zip("abc", events, strict=True)]
    rec = merge.merged_record(events, views)
    assert (rec["fatalities"], rec["fatalities_min"], rec["fatalities_max"]) == (5, 5, 8)
    assert [s["canonical"] for s in rec["sources"]] == ["AFP", "SOHR"]
    assert rec["independent_sources"] == 3
    assert rec["date"] == "2018-07-05"


def test_an_actor_is_main_or_associate_never_both() -> None:
    regime = {"name": "قوات النظام", "canonical": "Military Forces of Syria", "inter": 1, "country": "SY"}
    militia = {"name": "ميليشيات موالية", "canonical": "Pro-Government Militia (Syria)", "inter": 3, "country": "SY"}
    rebels = {"name": "فصائل المعارضة", "canonical": "Opposition Rebels (Syria)", "inter": 2, "country": "SY"}
    # one report: the regime with militias against rebels...
    first = {**ev(sub="armed_clash"), "actor1": regime, "assoc_actors1": [militia], "actor2": rebels}
    # ...another that also lists the rebels among the regime's associates (a misread list)
    second = {**ev(sub="armed_clash"), "actor1": regime, "assoc_actors1": [rebels, militia], "actor2": rebels}
    events = [first, second]
    rec = merge.merged_record(events, [view(d, e) for d, e in zip("ab", events, strict=True)])
    assert rec["actor1"]["canonical"] == "Military Forces of Syria"
    assert rec["actor2"]["canonical"] == "Opposition Rebels (Syria)"
    assert [a["canonical"] for a in rec["assoc_actors1"]] == ["Pro-Government Militia (Syria)"]


def test_merged_record_is_order_independent() -> None:
    events = [ev(date="2018-07-06", fatalities=3), ev(prec=2, gid=None, fatalities=4), ev(date="2018-07-05")]
    views = [view(d, e) for d, e in zip("abc", events, strict=True)]
    forward = merge.merged_record(events, views)
    backward = merge.merged_record(events[::-1], views[::-1])
    assert forward == backward
    assert forward["location"]["geo_precision"] == 1  # the most precise place
    assert forward["date"] == "2018-07-05"  # a tie goes to the earlier day


def test_admin1_key_folds_spellings() -> None:
    assert merge.admin1_key("Daraa") == merge.admin1_key("Dar'a") == merge.admin1_key("DERAA")
    assert merge.admin1_key("Al-Hasakeh") == merge.admin1_key("Hasakah")
    assert merge.admin1_key("As-Sweida") == merge.admin1_key("Suwayda")
    assert merge.admin1_key("Homs") != merge.admin1_key("Hama")
    assert merge.admin1_key("درعا") == merge.admin1_key("دَرعا")


def _signed(doc: str, e: dict[str, Any], text: str) -> merge.MentionView:
    from marsad.ingest.dedup import NearDuplicates

    nd = NearDuplicates()
    return merge.view_of(f"{doc}#0", doc, doc, e, nd.to_bytes(nd.signature(text)))


# two outlets' accounts of one strike (different wording, shared names and figures), and an
# unrelated report about the same town (written for this test)
_ACCOUNT_A = (
    "قتل خمسة مدنيين بينهم طفلان في غارة جوية استهدفت سوقا شعبيا في مدينة بصرى الشام بريف درعا الشرقي، "
    "وقال الدفاع المدني إن فرقه انتشلت الضحايا من تحت أنقاض محلين تجاريين قرب الجامع العمري."
)
_ACCOUNT_B = (
    "استهدفت غارة جوية السوق الشعبي في بصرى الشام شرق درعا ما أدى إلى مقتل خمسة مدنيين بينهم طفلان، "
    "بحسب الدفاع المدني الذي أشار إلى انتشال الضحايا من تحت أنقاض محلين تجاريين بالقرب من الجامع العمري."
)
_UNRELATED = (
    "افتتحت مديرية التربية في درعا مدرسة جديدة في بصرى الشام بعد ترميمها، وقال مدير المدرسة إن الصفوف "
    "ستستقبل أكثر من ثلاثمئة تلميذ اعتبارا من الأسبوع المقبل مع بدء العام الدراسي الجديد في المحافظة."
)


def test_undated_accounts_of_one_story_merge_by_their_wording() -> None:
    """Reports without a publication date cannot be dated: two accounts of the same strike at the
    same town merge when their texts share enough wording, not merely because of the town."""
    a = _signed("a", ev(date=None), _ACCOUNT_A)
    b = _signed("b", ev(date=None), _ACCOUNT_B)
    c = _signed("c", ev(date=None), _UNRELATED)
    assert merge.text_similarity(a, b) >= merge.SIMILAR_TEXT > merge.text_similarity(a, c)
    assert merge.agreement(a, b) is not None
    assert merge.agreement(a, c) is None
    dated = _signed("d", ev(date="2018-07-05"), _ACCOUNT_B)
    assert merge.agreement(a, dated) is not None  # one side undated: the wording decides
    other_type = _signed("e", ev(date=None, sub="shelling_artillery_missile_attack"), _ACCOUNT_B)
    assert merge.agreement(a, other_type) is None  # undated needs the same sub-event type


def test_wording_does_not_bridge_two_known_days() -> None:
    """With both days known the days decide: similar wording a day apart is not one story."""
    a = _signed("a", ev(date="2018-07-05"), _ACCOUNT_A)
    b = _signed("b", ev(date="2018-07-06"), _ACCOUNT_B)
    assert merge.agreement(a, b) is None
