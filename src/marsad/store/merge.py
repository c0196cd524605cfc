"""Merging mentions (one extracted event of one report) into real-world events. Pure functions.

A new mention joins an existing event when it agrees with at least one of the event's mentions
(single link) and comes from a report the event does not already hold; among several candidate
events the best-scoring one wins (ties: the smaller ``event_id``). Events are never split or fused
afterwards, so an ``event_id`` once given stays (spec §6).

Two mentions agree when all of these hold:

- **type**: the same ``event_type``; a different ``sub_event_type`` only when corroborated
  (near-duplicate texts or the same fatality figure), and it scores lower;
- **place**: the same gazetteer id; or, with coordinates on both sides, within 10 / 25 / 75 km for
  ``geo_precision`` 1 / 2 / 3 (the coarser of the two; for 3 also the same country and admin1);
  or, without coordinates, the same normalised name. Precisions 1 and 3 never meet except on a
  shared gazetteer id, different countries never do, and two towns (precision 1) resolved to
  different gazetteer entries under different names are two places however close;
- **day**: both dated and at most ``DATE_WINDOW_DAYS`` apart; an undated mention joins only on
  strong evidence: same sub-event type, same gazetteer id or name, and either a near-duplicate
  text or the same fatality figure;
- **actors**: compatible: one side names no actor, or the acting sides (with their allies, and for
  battles both sides) share an actor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from marsad.models import EVENT_TYPES
from marsad.store.notes import merged_notes
from marsad.text.normalize import name_key

DATE_WINDOW_DAYS = 1
SIMILAR_TEXT = 0.1
"""Estimated shingle Jaccard from which two reports count as accounts of one story. Unrelated
reports about one place share about 0.05-0.1 of their shingles, accounts of one event 0.1-0.35
(measured on the development set), near-duplicates 0.5 and more."""
RADIUS_KM = {1: 10.0, 2: 25.0, 3: 75.0}
WIRE_KINDS = frozenset({"monitor", "news_agency", "official", "group", "activist"})
"""Source kinds whose canonical name identifies an original text that outlets rewrite."""
NAMED_WIRE_KINDS = WIRE_KINDS - {"activist"}
"""Wire kinds specific enough to corroborate a match across a day ("activists" are not one source)."""
_AREA_ID = re.compile(r"(?:^|[-:_.])adm[1-4](?:$|[-:_.])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MentionView:
    """What merging needs to know about one mention."""

    mention_id: str
    doc_id: str
    event_type: str
    sub_event_type: str
    date: dt.date | None
    gazetteer_id: str | None
    name_key: str
    country: str | None
    admin1_key: str
    lat: float | None
    lon: float | None
    geo_precision: int
    actors: frozenset[str]
    fatalities: int | None
    dup_group: str
    wires: frozenset[str]
    named_wires: frozenset[str] = frozenset()
    area: bool = False
    signature: bytes = b""  # the report's MinHash signature (uint64 values), for text similarity


# ---------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------

_ARTICLE = re.compile(r"^(?:al|el|as|ad|ar|ash|at|az|an|ad)[-\s']+")


def admin1_key(name: str | None) -> str:
    """A loose key for an admin1 name: case, accents, punctuation, article, vowels and doubled
    letters folded, so ``Dar'a``, ``Daraa`` and ``Deraa`` meet; Arabic is normalised instead."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", name.strip().lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if not text.isascii():
        return name_key(name)
    text = _ARTICLE.sub("", text)
    text = re.sub(r"[^a-z]", "", text)
    text = re.sub(r"[aeiouy]", "", text)
    text = re.sub(r"(.)\1+", r"\1", text)
    return text[:-1] if len(text) > 2 and text.endswith("h") else text


def actor_keys(event: Mapping[str, Any]) -> frozenset[str]:
    """Keys of the acting side (actor1 and allies; for battles both sides)."""
    actors: list[Any] = [event.get("actor1"), *(event.get("assoc_actors1") or [])]
    if event.get("event_type") == "battles":
        actors += [event.get("actor2"), *(event.get("assoc_actors2") or [])]
    keys: set[str] = set()
    for actor in actors:
        if not actor:
            continue
        if actor.get("canonical"):
            keys.add("c:" + str(actor["canonical"]).lower())
        if actor.get("inter") is not None:
            keys.add(f"i:{actor.get('inter')}:{actor.get('country')}")
    return frozenset(keys)


def wire_keys(sources: Iterable[Mapping[str, Any]], dup_group: str) -> frozenset[str]:
    """The original texts a mention may repeat: its near-duplicate group and the wire it is
    attributed to first (extraction lists the sources of the event's own sentence first; the
    other sources a report quotes, and generic ones such as "activists", say nothing about
    which original text this event comes from)."""
    keys = {"dup:" + dup_group}
    for src in sources:
        if src.get("kind") in NAMED_WIRE_KINDS and src.get("canonical"):
            keys.add("src:" + str(src["canonical"]).lower())
            break
    return frozenset(keys)


def primary_wire(sources: Sequence[Mapping[str, Any]], dup_group: str) -> str:
    """One wire key for a claim row: the first attributed wire, else the near-duplicate group."""
    for src in sources:
        if src.get("kind") in WIRE_KINDS and src.get("canonical"):
            return "src:" + str(src["canonical"]).lower()
    return "dup:" + dup_group


def named_wire_keys(sources: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The named original sources (SOHR, AFP, an operations room …) a mention attributes."""
    return frozenset(
        "src:" + str(s["canonical"]).lower()
        for s in sources
        if s.get("kind") in NAMED_WIRE_KINDS and s.get("canonical")
    )


def is_area(gazetteer_id: str | None, geo_precision: int) -> bool:
    """Whether a location is an administrative area (a province, district, sub-district, or
    anything coded at precision 3) rather than a town or point: ``ocha-adm2:SY1200``-style ids."""
    return geo_precision >= 3 or bool(gazetteer_id and _AREA_ID.search(gazetteer_id))


def event_id_for(mention_id: str) -> str:
    """The id of an event founded by ``mention_id``: deterministic, so a re-run gives the same."""
    return "MRS" + hashlib.sha1(mention_id.encode("utf-8")).hexdigest()[:12].upper()


def view_of(
    mention_id: str, doc_id: str, dup_group: str, event: Mapping[str, Any], signature: bytes | None = None
) -> MentionView:
    """Build the merge view of a stored or new mention (``event`` is its spec §3 dict)."""
    loc = event.get("location") or {}
    day = event.get("date")
    sub = str(event.get("sub_event_type"))
    precision = int(loc.get("geo_precision") or 3)
    return MentionView(
        mention_id=mention_id,
        doc_id=doc_id,
        event_type=str(event.get("event_type") or EVENT_TYPES.get(sub, "")),
        sub_event_type=sub,
        date=dt.date.fromisoformat(day) if isinstance(day, str) else day,
        gazetteer_id=loc.get("gazetteer_id") or None,
        name_key=name_key(loc.get("name") or ""),
        country=loc.get("country") or None,
        admin1_key=admin1_key(loc.get("admin1")),
        lat=loc.get("lat"),
        lon=loc.get("lon"),
        geo_precision=precision,
        actors=actor_keys(event),
        fatalities=event.get("fatalities"),
        dup_group=dup_group,
        wires=wire_keys(event.get("sources") or [], dup_group),
        named_wires=named_wire_keys(event.get("sources") or []),
        area=is_area(loc.get("gazetteer_id"), precision),
        signature=bytes(signature or b""),
    )


# ---------------------------------------------------------------------------------------------
# Agreement
# ---------------------------------------------------------------------------------------------


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def place_score(a: MentionView, b: MentionView) -> float | None:
    """How well two places agree (3 same gazetteer id, 2 same name, up to 1 by distance), or
    ``None`` when they do not."""
    if a.gazetteer_id and a.gazetteer_id == b.gazetteer_id:
        return 3.0
    if a.country and b.country and a.country != b.country:
        return None
    if abs(a.geo_precision - b.geo_precision) >= 2:
        return None
    if a.area != b.area:
        return None  # an administrative area and a town inside it: two places (ACLED codes each)
    same_name = bool(a.name_key) and a.name_key == b.name_key
    if a.gazetteer_id and b.gazetteer_id and a.geo_precision == b.geo_precision == 1 and not same_name:
        return None  # two named towns resolved to two gazetteer entries: two places, however close
    if a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None:
        precision = max(a.geo_precision, b.geo_precision)
        radius = RADIUS_KM.get(precision, RADIUS_KM[3])
        if precision >= 3 and a.admin1_key and b.admin1_key and a.admin1_key != b.admin1_key:
            return None
        d = km(a.lat, a.lon, b.lat, b.lon)
        if d > radius:
            return None
        return 2.0 if same_name else 1.0 - d / (2 * radius)
    if same_name:
        return 2.0
    return None


def actors_compatible(a: MentionView, b: MentionView) -> bool:
    return not a.actors or not b.actors or bool(a.actors & b.actors)


def _corroborated(a: MentionView, b: MentionView) -> bool:
    """Near-duplicate texts, or the same fatality figure."""
    return a.dup_group == b.dup_group or (a.fatalities is not None and a.fatalities == b.fatalities)


def _same_story(a: MentionView, b: MentionView) -> bool:
    """Evidence that two mentions dated a day apart tell one story: near-duplicate texts, a shared
    named original source (the same SOHR or AFP report), or the same fatality figure."""
    return _corroborated(a, b) or bool(a.named_wires & b.named_wires)


def text_similarity(a: MentionView, b: MentionView) -> float:
    """Estimated Jaccard similarity of the two reports' 5-character shingles (their MinHash
    signatures, kept by the store for near-duplicate detection); 0 when either is unknown."""
    if not a.signature or len(a.signature) != len(b.signature):
        return 0.0
    if len(a.signature) % 8:
        return 0.0
    x, y = memoryview(a.signature).cast("Q"), memoryview(b.signature).cast("Q")  # uint64 values
    return sum(1 for p, q in zip(x, y, strict=True) if p == q) / len(x)


def _strong(a: MentionView, b: MentionView, place: float) -> bool:
    """Evidence enough to merge when a date is missing (a report without a publication date
    cannot date its events): the same sub-event type at the same place (gazetteer id or name),
    and the same story or texts that share enough of their wording (two outlets' accounts of one
    event, ``SIMILAR_TEXT``). With both dates known the days decide, not the wording."""
    if a.sub_event_type != b.sub_event_type or place < 2.0:
        return False
    return _same_story(a, b) or text_similarity(a, b) >= SIMILAR_TEXT


def agreement(a: MentionView, b: MentionView) -> float | None:
    """A score for "these two mentions report one event", or ``None`` when they cannot."""
    if a.event_type != b.event_type or a.doc_id == b.doc_id:
        return None
    if a.sub_event_type != b.sub_event_type and not _corroborated(a, b):
        return None
    place = place_score(a, b)
    if place is None or not actors_compatible(a, b):
        return None
    if a.date is not None and b.date is not None:
        gap = abs((a.date - b.date).days)
        if gap > DATE_WINDOW_DAYS or (gap and not _same_story(a, b)):
            return None
        day = 1.0 if gap == 0 else 0.0
    elif _strong(a, b, place):
        day = 0.0
    else:
        return None
    score = place + day + (2.0 if a.sub_event_type == b.sub_event_type else 0.0)
    score += 1.0 if a.actors & b.actors else 0.0
    score += 0.5 if a.fatalities is not None and a.fatalities == b.fatalities else 0.0
    score += 0.5 if a.dup_group == b.dup_group else 0.0
    return score


def choose_event(mention: MentionView, candidates: Mapping[str, Sequence[MentionView]]) -> str | None:
    """The event ``mention`` joins, or ``None`` to found a new one."""
    best: tuple[float, str] | None = None
    for event_id in sorted(candidates):
        members = candidates[event_id]
        if any(m.doc_id == mention.doc_id for m in members):
            continue
        scores = [s for s in (agreement(mention, m) for m in members) if s is not None]
        if scores and (best is None or max(scores) > best[0]):
            best = (max(scores), event_id)
    return best[1] if best else None


# ---------------------------------------------------------------------------------------------
# The merged record
# ---------------------------------------------------------------------------------------------


def independent_sources(views: Iterable[MentionView]) -> int:
    """Mentions that share a near-duplicate group or an attributed wire (SOHR, AFP …) count once."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    roots = set()
    for view in views:
        keys = sorted(view.wires)
        for key in keys[1:]:
            parent[find(key)] = find(keys[0])
        roots.add(keys[0])
    return len({find(r) for r in roots})


def _mode(values: Iterable[Any]) -> Any:
    """The most frequent value; ties go to the smallest (deterministic whatever the order)."""
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    top = max(counts.values())
    return min(str(v) for v, c in counts.items() if c == top)


def _actor(events: Sequence[Mapping[str, Any]], key: str, other: str | None = None) -> dict[str, Any] | None:
    """The most frequent actor in ``key`` among the mentions; never ``other`` (the canonical name
    chosen for the other side: one actor is not both sides of an event)."""
    canon = _mode(c for e in events if (c := (e.get(key) or {}).get("canonical")) != other or other is None)
    if canon is None:
        return None
    return next(dict(e[key]) for e in events if (e.get(key) or {}).get("canonical") == canon)


FLAG_UNDATED_REPORTS = "no_publication_date"
"""Flag of a merged event all of whose reports lacked a publication date: its date (if any) was
not resolved against one, and relative dates in the reports stay unresolved."""


def _union(
    events: Sequence[Mapping[str, Any]], key: str, ident: str, exclude: Sequence[Any] = ()
) -> list[dict[str, Any]]:
    """The items of ``key`` over all ``events``, once each by ``ident``, leaving out ``exclude``."""
    seen: dict[str, dict[str, Any]] = {}
    for e in events:
        for item in e.get(key) or []:
            seen.setdefault(str(item.get(ident)), dict(item))
    for gone in exclude:
        seen.pop(str(gone), None)
    return [seen[k] for k in sorted(seen)]


def merged_record(
    events: Sequence[Mapping[str, Any]],
    views: Sequence[MentionView],
    undated_reports: Sequence[bool] | None = None,
) -> dict[str, Any]:
    """The merged event: every spec §3 field plus ``fatalities_min/max``, ``independent_sources``
    and ``flags``. ``events[i]`` is the §3 dict of the mention ``views[i]``; ``undated_reports[i]``
    says whether its report had no publication date. The notes are written from the merged
    fields (``marsad.store.notes``), so they agree with them."""
    sub = _mode(e.get("sub_event_type") for e in events)
    dates = [e.get("date") for e in events if e.get("date")]
    day = _mode(dates)  # ties go to the earliest day (ISO strings sort as dates)
    precisions = [e.get("time_precision") or 3 for e in events if e.get("date") == day] or [3]
    best_prec = min(v.geo_precision for v in views)
    at_best = [i for i, v in enumerate(views) if v.geo_precision == best_prec]
    place = _mode(views[i].gazetteer_id or views[i].name_key for i in at_best)
    rep = next(i for i in at_best if (views[i].gazetteer_id or views[i].name_key) == place)
    tolls = [e["fatalities"] for e in events if e.get("fatalities") is not None]
    injured = [e["injured"] for e in events if e.get("injured") is not None]
    quantities = {
        (q.get("what"), q.get("value"), q.get("qualifier")): dict(q) for e in events for q in e.get("quantities") or []
    }
    actor1 = _actor(events, "actor1")
    actor2 = _actor(events, "actor2", (actor1 or {}).get("canonical"))
    # one report's associate can be another's main actor: an actor stands in one place only
    mains = [a["canonical"] for a in (actor1, actor2) if a and a.get("canonical")]
    flags = [FLAG_UNDATED_REPORTS] if undated_reports and all(undated_reports) else []
    rec: dict[str, Any] = {
        "event_type": EVENT_TYPES.get(sub, events[rep].get("event_type")),
        "sub_event_type": sub,
        "date": day,
        "time_precision": min(precisions),
        "location": dict(events[rep].get("location") or {}),
        "actor1": actor1,
        "actor2": actor2,
        "assoc_actors1": _union(events, "assoc_actors1", "canonical", mains),
        "assoc_actors2": _union(events, "assoc_actors2", "canonical", mains),
        "fatalities": min(tolls) if tolls else None,
        "fatalities_min": min(tolls) if tolls else None,
        "fatalities_max": max(tolls) if tolls else None,
        "injured": min(injured) if injured else None,
        "quantities": [quantities[k] for k in sorted(quantities, key=str)],
        "sources": _union(events, "sources", "canonical"),
        "evidence": list(events[rep].get("evidence") or []),
        "notes": "",
        "confidence": max(float(e.get("confidence") or 0.0) for e in events),
        "independent_sources": independent_sources(views),
        "flags": flags,
    }
    rec["notes"] = merged_notes({**rec, "n_reports": len({v.doc_id for v in views})})
    return rec


# ---------------------------------------------------------------------------------------------
# Near-duplicate index persisted in the store (``doc_bands``)
# ---------------------------------------------------------------------------------------------

NEAR_DUPLICATE = 0.5
"""Estimated Jaccard similarity from which two reports are near-duplicates (``ingest.dedup``)."""
SIGNATURE_VALUES = 128


def _lsh_shape() -> tuple[int, int]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=NEAR_DUPLICATE, num_perm=SIGNATURE_VALUES)
    return lsh.b, lsh.r


LSH_BANDS, LSH_ROWS = _lsh_shape()
"""The banding of datasketch's ``MinHashLSH`` for this threshold: two signatures are candidates
when all the values of one band are equal, exactly as in the in-memory index."""


def band_keys(signature: bytes) -> list[int]:
    """One signed 64-bit key per LSH band of a MinHash signature (uint64 values), distinct per
    band index: the rows of ``doc_bands``. Empty for a signature of another length."""
    if len(signature) != 8 * SIGNATURE_VALUES:
        return []
    width = 8 * LSH_ROWS
    keys = {
        int.from_bytes(
            hashlib.blake2b(bytes([band]) + signature[band * width : (band + 1) * width], digest_size=8).digest(),
            "big",
            signed=True,
        )
        for band in range(LSH_BANDS)
    }
    return sorted(keys)


def signature_similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two MinHash signatures (the share of equal values)."""
    if not a or len(a) != len(b) or len(a) % 8:
        return 0.0
    x, y = memoryview(a).cast("Q"), memoryview(b).cast("Q")
    return sum(1 for p, q in zip(x, y, strict=True) if p == q) / len(x)


def nearest_duplicate(
    doc_id: str, signature: bytes, candidates: Iterable[tuple[str, str, bytes]]
) -> tuple[str, str | None]:
    """``(group, most similar earlier document)`` among ``candidates`` (``doc_id, dup_group,
    signature``, those sharing a band): the same answer as ``NearDuplicates.find`` (ties to the
    smaller doc_id); ``(doc_id, None)`` when none reaches ``NEAR_DUPLICATE``."""
    best: tuple[float, str, str] | None = None
    for other, group, sig in candidates:
        if other == doc_id:
            continue
        sim = signature_similarity(signature, sig)
        if sim >= NEAR_DUPLICATE and (best is None or (-sim, other) < (-best[0], best[1])):
            best = (sim, other, group)
    if best is None:
        return doc_id, None
    return best[2], best[1]
