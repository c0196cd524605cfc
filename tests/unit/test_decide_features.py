"""Distances between triggers and a place's mentions, read by bisection (linear on long reports)."""

from __future__ import annotations

from marsad.decide.features import _FAR, _closest, _nearest_by_type
from marsad.models import RawDocument
from marsad.text.prepare import prepare

TEXT = "قصفت قوات النظام بلدة طفس صباح اليوم، ثم شنت الطائرات غارة على طفس وعلى نوى مساء."


def test_closest_place_by_bisection_prefers_the_one_before_on_a_tie() -> None:
    places = [3, 9, 15]
    assert _closest(places, 0) == (3.0, 3, 0)
    assert _closest(places, 9) == (0.0, 9, 1)
    assert _closest(places, 12) == (3.0, 9, 2)  # 9 and 15 are both three tokens away
    assert _closest(places, 40) == (25.0, 15, 3)


def test_nearest_trigger_per_type_and_the_nearest_trigger_after_the_place() -> None:
    doc = prepare(RawDocument("t", TEXT))
    words = [t.text for t in doc.tokens]  # normalised: غارة is غاره
    first, second = [i for i, w in enumerate(words) if w == "طفس"]
    shelled, raided = words.index("قصفت"), words.index("غاره")
    here = [(shelled, "explosions_remote_violence"), (raided, "explosions_remote_violence")]
    d, before, clause, after = _nearest_by_type(doc, here, [first, second])["explosions_remote_violence"]
    assert (d, before, clause) == (float(second - raided), 1.0, 1.0)  # the strike, just before the second mention
    assert after == float(raided - first)  # the nearest trigger after a mention: the strike, after the first
    # the shelling and the second mention: a comma (a clause break) lies between them
    d, before, clause, after = _nearest_by_type(doc, [(shelled, "battles")], [second])["battles"]
    assert (d, before, clause, after) == (float(second - shelled), 1.0, 0.0, _FAR)
    assert _nearest_by_type(doc, here, []) == {}
    assert _nearest_by_type(doc, [], [first]) == {}
