"""The API's reads over the store: filtered, sorted, cursor-paged events; one event with its
mentions, claims and history; one document with its spans; statistics; dropdown values.

Filters reuse ``marsad.store.filters`` (what a user types -> stored values) and
``SqlStore._where`` (country, province, dates, review state), then add the API's own: types,
actor, bounding box, independent sources and text search (``event_words``, see
``marsad.store.review``). SQL only through bound parameters.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import datetime as dt
import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from marsad.errors import ConfigError
from marsad.models import EVENT_TYPES
from marsad.store import review
from marsad.store.acled import event_type_label, sub_event_label
from marsad.store.base import EVENT_COLUMNS, EventQuery
from marsad.store.filters import GazetteerFactory, resolve_admin1, resolve_country, resolve_type
from marsad.store.schema import claims, documents, events, mentions
from marsad.store.sql import EVENT_FIELDS, SqlStore, _event_record

SORTS = ("date", "-date", "fatalities", "-fatalities")
MAX_LIMIT = 1000
MAX_COUNT = 2**31 - 1
"""The largest count (fatalities, injured) the API takes: PostgreSQL's integer column."""
VALUES_TTL_S = 30.0
WALK_COST = 10.0
"""An event read while walking events in order costs about this many look-ups of an event from
its words (SQLite, 100,000 events: benchmarks/bench_api.py)."""


@dataclass(frozen=True, slots=True)
class Filters:
    query: EventQuery  # country, admin1, dates, review state (SqlStore._where)
    event_type: str | None = None
    sub_event_type: str | None = None
    actor: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    min_sources: int | None = None
    q: str | None = None


class Values:
    """``Store.values`` cached for a few seconds (filters check what users type against them)."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self._cache: dict[str, tuple[float, list[str]]] = {}
        self._lock = threading.Lock()

    def get(self, column: str) -> list[str]:
        with self._lock:
            hit = self._cache.get(column)
            if hit and time.monotonic() - hit[0] < VALUES_TTL_S:
                return hit[1]
        found = self.store.values(column)
        with self._lock:
            self._cache[column] = (time.monotonic(), found)
        return found

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


class _Lazy:
    """An iterable that asks for its values only when iterated."""

    def __init__(self, values: Values, column: str) -> None:
        self.values, self.column = values, column

    def __iter__(self) -> Iterator[str]:
        return iter(self.values.get(self.column))


def _day(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"{name} expects YYYY-MM-DD, got {value!r}") from None


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    parts = value.split(",")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        nums = []
    if len(nums) != 4:
        raise ConfigError(f"bbox expects minlon,minlat,maxlon,maxlat (4 numbers), got {value!r}")
    minlon, minlat, maxlon, maxlat = nums
    if not (-180 <= minlon <= maxlon <= 180 and -90 <= minlat <= maxlat <= 90):
        raise ConfigError(f"bbox {value!r}: need -180 <= minlon <= maxlon <= 180 and -90 <= minlat <= maxlat <= 90")
    return minlon, minlat, maxlon, maxlat


@contextlib.contextmanager
def _as_parameter(name: str) -> Iterator[None]:
    """A resolver's error (worded for the CLI: ``--country: unknown value …``) named as the API's
    query parameter (``country: unknown value …``)."""
    try:
        yield
    except ConfigError as exc:
        text = str(exc.args[0]) if exc.args else ""
        option = text.split(":", 1)[0]
        if option.startswith("--"):
            text = name + text[len(option) :]
        raise ConfigError(text) from None


def build_filters(
    values: Values,
    gazetteer: GazetteerFactory,
    *,
    country: str | None = None,
    admin1: str | None = None,
    event_type: str | None = None,
    sub_event_type: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    actor: str | None = None,
    bbox: str | None = None,
    min_sources: int | None = None,
    review_state: str | None = None,
    q: str | None = None,
) -> Filters:
    """Filters from query parameters, validated as the CLI validates its options
    (``ConfigError`` naming the parameter and the closest valid values)."""
    given = {"country": country, "admin1": admin1, "event_type": event_type, "sub_event_type": sub_event_type}
    given |= {"date_from": date_from, "date_to": date_to, "actor": actor, "bbox": bbox, "review": review_state, "q": q}
    for name, value in given.items():
        if value is not None and "\x00" in value:
            raise ConfigError(f"{name}: contains a NUL character")
    with _as_parameter("country"):
        iso2 = resolve_country(country, _Lazy(values, "country")) if country else None
    with _as_parameter("admin1"):
        names = resolve_admin1(admin1, values.get("admin1"), gazetteer, iso2) if admin1 else None
    since, until = _day(date_from, "date_from"), _day(date_to, "date_to")
    if since and until and since > until:
        raise ConfigError(f"date_from {since} is after date_to {until}")
    kind = sub = None
    if event_type:
        with _as_parameter("event_type"):
            kind = resolve_type(event_type)
        if kind not in set(EVENT_TYPES.values()):
            raise ConfigError(f"event_type: {event_type!r} is a sub-event type; use sub_event_type")
    if sub_event_type:
        with _as_parameter("sub_event_type"):
            sub = resolve_type(sub_event_type)
        if sub not in EVENT_TYPES:
            raise ConfigError(f"sub_event_type: {sub_event_type!r} is an event type; use event_type")
    if review_state is not None and review_state not in (*review.STATES, "all"):
        raise ConfigError(f"review must be one of {', '.join(review.STATES)} or all, not {review_state!r}")
    if min_sources is not None and min_sources < 0:
        raise ConfigError("min_sources must be 0 or more")
    if q is not None and not review.query_words(q):
        q = None  # nothing to search for (punctuation only)
    return Filters(
        query=EventQuery(country=iso2, admin1=names, since=since, until=until, review=review_state),
        event_type=kind,
        sub_event_type=sub,
        actor=actor.strip() if actor and actor.strip() else None,
        bbox=parse_bbox(bbox),
        min_sources=min_sources,
        q=q,
    )


def _where(
    store: SqlStore, conn: sa.Connection, sel: Any, f: Filters, *, review_state: bool = True, correlated: bool = False
) -> Any:
    """``sel`` with every filter (``review_state=False``: all but the review state's;
    ``correlated``: the word filters as ``EXISTS`` per event, see ``review._has_words``)."""
    e = events.c
    query = dataclasses.replace(f.query, country=None)
    if not review_state:
        query = dataclasses.replace(query, review="all")
    sel = store._where(sel, query)
    if f.query.country:  # resolved to a stored ISO2 code: equality walks the (country, date) index
        sel = sel.where(e.country == f.query.country)
    if f.event_type:
        sel = sel.where(e.event_type == f.event_type)
    if f.sub_event_type:
        sel = sel.where(e.sub_event_type == f.sub_event_type)
    if f.bbox:
        minlon, minlat, maxlon, maxlat = f.bbox
        sel = sel.where(e.lon.between(minlon, maxlon), e.lat.between(minlat, maxlat))
    if f.min_sources:
        sel = sel.where(e.independent_sources >= f.min_sources)
    if f.actor:
        sel = sel.where(review.actor_condition(conn, f.actor, correlated=correlated))
    if f.q:
        found = review.text_condition(f.q, correlated=correlated)
        if found is not None:
            sel = sel.where(found)
    return sel


def count_events(store: SqlStore, conn: sa.Connection, f: Filters) -> int:
    """How many events match. The default review filter (all but rejected) is counted as all
    matches less the rejected ones: a count over an index, and one over the few reviewed
    events, instead of a look-up in the review table for every event."""

    def n(sel: Any) -> int:
        return int(conn.execute(sel).scalar_one())

    base = sa.select(sa.func.count()).select_from(events)
    if f.query.review is not None or f.actor or f.q:
        # a review state, or events found through their words: one pass over the matches
        return n(_where(store, conn, base, f))
    everything = n(_where(store, conn, base, f, review_state=False))
    rejected = dataclasses.replace(f, query=dataclasses.replace(f.query, review="rejected"))
    return everything - n(_where(store, conn, base, rejected))


# -- cursors -----------------------------------------------------------------------------------


def encode_cursor(sort: str, phase: int, key: Any, event_id: str) -> str:
    raw = json.dumps([sort, phase, key.isoformat() if isinstance(key, dt.date) else key, event_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[int, Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        got, phase, key, event_id = json.loads(raw)
        if got != sort:
            raise ConfigError("cursor: it belongs to another sort order; start again without a cursor")
        if type(phase) is not int or phase not in (0, 1):  # not a bool
            raise ValueError
        if not isinstance(event_id, str) or not 0 < len(event_id) <= 64 or "\x00" in event_id:
            raise ValueError
        if phase == 0 and sort.lstrip("-") == "date":
            key = dt.date.fromisoformat(key)
        elif phase == 0 and (type(key) is not int or not 0 <= key <= MAX_COUNT):
            raise ValueError  # a figure the fatalities column cannot hold: never given out
        return phase, key, event_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        raise ConfigError("cursor: not a cursor this API gave out") from None


def list_events(
    store: SqlStore,
    f: Filters,
    *,
    sort: str = "-date",
    limit: int = 100,
    cursor: str | None = None,
    with_mentions: bool = False,
    count: bool = True,
) -> tuple[list[dict[str, Any]], str | None, int | None]:
    """One page of events, the cursor of the next page (``None`` at the end) and the total.

    Keyset pagination on (sort key, event_id): events with the key first, in the order asked,
    then those without it (undated, no figure) by id; a page is stable however many events
    arrive meanwhile."""
    if sort not in SORTS:
        raise ConfigError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if not 1 <= limit <= MAX_LIMIT:
        raise ConfigError(f"limit must be from 1 to {MAX_LIMIT}")
    desc = sort.startswith("-")
    e = events.c
    key = e.date if sort.lstrip("-") == "date" else e.fatalities
    phase, last_key, last_id = decode_cursor(cursor, sort) if cursor else (0, None, None)
    out: list[Any] = []
    with store._conn() as conn:
        total = count_events(store, conn, f) if count else None
        correlated = False
        if total is not None and (f.actor or f.q):
            # many matches: walk the events in order, checking their words, and stop after a page
            # (about limit * everything / total events read, each dearer than one of the total
            # look-ups from the words)
            everything = int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one())
            correlated = total * total > WALK_COST * limit * everything
        while len(out) <= limit and phase <= 1:
            # ids and sort keys only (read from the covering indexes), the records of the page after
            sel = _where(store, conn, sa.select(e.event_id, key.label("key")), f, correlated=correlated)
            after_id = None
            if last_id is not None:
                after_id = e.event_id < last_id if desc else e.event_id > last_id
            if phase == 0:
                sel = sel.where(key.is_not(None))
                if after_id is not None:
                    # the bound alone first, so the key's index gives a range to walk
                    bound = key <= last_key if desc else key >= last_key
                    beyond = key < last_key if desc else key > last_key
                    sel = sel.where(bound, sa.or_(beyond, after_id))
                order = [key.desc(), e.event_id.desc()] if desc else [key.asc(), e.event_id.asc()]
            else:
                sel = sel.where(key.is_(None))
                if after_id is not None:
                    sel = sel.where(after_id)
                order = [e.event_id.desc() if desc else e.event_id.asc()]
            found = conn.execute(sel.order_by(*order).limit(limit + 1 - len(out))).all()
            out += [(phase, r) for r in found]
            if len(out) > limit:
                break
            phase, last_key, last_id = phase + 1, None, None
        page = out[:limit]
        ids = [r.event_id for _, r in page]
        rows = _records(conn, ids)
        states = review.states(conn, ids)
        by_event = _mentions(conn, ids) if with_mentions else {}
    records = []
    for event_id in ids:
        row = rows[event_id]
        data = row.data  # once: an attribute of a Row is a look-up
        rec = {"event_id": event_id, **{k: data.get(k) for k in EVENT_FIELDS}}
        rec["flags"] = rec["flags"] or []
        rec["n_mentions"] = row.n_mentions
        if with_mentions:
            rec["mentions"] = by_event.get(event_id, [])
        rec["timestamp"] = row.timestamp
        rec["review_state"] = states.get(event_id, "unreviewed")
        records.append(rec)
    following = None
    if len(out) > limit:
        ph, row = page[-1]
        following = encode_cursor(sort, ph, row.key, row.event_id)
    return records, following, total


def _records(conn: sa.Connection, ids: list[str]) -> dict[str, Any]:
    """The stored rows of events ``ids``, by id."""
    e = events.c
    found: dict[str, Any] = {}
    for i in range(0, len(ids), 500):
        sel = sa.select(e.event_id, e.data, e.timestamp, e.n_mentions).where(e.event_id.in_(ids[i : i + 500]))
        found.update({r.event_id: r for r in conn.execute(sel)})
    return found


def all_events(store: SqlStore, f: Filters, sort: str) -> Iterator[dict[str, Any]]:
    """Every matching event with its mentions, page by page (CSV and GeoJSON downloads)."""
    cursor: str | None = None
    while True:
        page, cursor, _ = list_events(store, f, sort=sort, limit=500, cursor=cursor, with_mentions=True, count=False)
        yield from page
        if cursor is None:
            return


# -- one event, one document -------------------------------------------------------------------


def _evidence(text: str | None, spans: Any) -> list[dict[str, Any]]:
    out = []
    for span in spans or []:
        if not isinstance(span, dict) or not isinstance(span.get("start"), int) or not isinstance(span.get("end"), int):
            continue
        item = {"start": span["start"], "end": span["end"], "text": (text or "")[span["start"] : span["end"]]}
        item.update({k: span[k] for k in ("field", "value", "rule", "reading") if span.get(k) is not None})
        out.append(item)
    return out


def _mentions(conn: sa.Connection, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    m, d = mentions.c, documents.c
    by_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in range(0, len(ids), 500):
        query = (
            sa.select(m.mention_id, m.event_id, m.doc_id, m.data, d.outlet, d.url, d.title, d.published, d.text)
            .join(documents, d.doc_id == m.doc_id)
            .where(m.event_id.in_(ids[i : i + 500]))
            .order_by(m.event_id, m.mention_id)
        )
        for r in conn.execute(query):
            data = r.data
            by_event[r.event_id].append(
                {
                    "mention_id": r.mention_id,
                    "doc_id": r.doc_id,
                    "outlet": r.outlet,
                    "url": r.url,
                    "title": r.title,
                    "published": r.published.isoformat() if r.published else None,
                    "event_type": data.get("event_type"),
                    "sub_event_type": data.get("sub_event_type"),
                    "date": data.get("date"),
                    "location": data.get("location"),
                    "actor1": data.get("actor1"),
                    "actor2": data.get("actor2"),
                    "fatalities": data.get("fatalities"),
                    "injured": data.get("injured"),
                    "sources": data.get("sources") or [],
                    "evidence": _evidence(r.text, data.get("evidence")),
                }
            )
    return by_event


def event_detail(store: SqlStore, event_id: str) -> dict[str, Any] | None:
    e = events.c
    with store._conn() as conn:
        row = conn.execute(
            sa.select(e.event_id, e.date, e.data, e.timestamp, e.n_mentions).where(e.event_id == event_id)
        ).first()
        if row is None:
            return None
        found = _mentions(conn, [event_id]).get(event_id, [])
        c = claims.c
        rows = conn.execute(
            sa.select(c.mention_id, c.source, c.source_kind, c.outlet, c.doc_id, c.fatalities, c.injured)
            .where(c.event_id == event_id)
            .order_by(c.mention_id, c.source_idx)
        ).all()
        state = review.states(conn, [event_id]).get(event_id, "unreviewed")
    rec = _event_record(row, found)
    rec["review_state"] = state
    rec["claims"] = [
        {
            "source": r.source,
            "source_kind": r.source_kind,
            "outlet": r.outlet,
            "doc_id": r.doc_id,
            "mention_id": r.mention_id,
            "fatalities": r.fatalities,
            "injured": r.injured,
        }
        for r in rows
    ]
    rec["history"] = review.history(store, event_id)
    return rec


def merged_into(store: SqlStore, event_id: str) -> str | None:
    """The event a merged-away event went into, from the audit log."""
    for entry in reversed(review.history(store, event_id)):
        if entry["action"] == "merged_into":
            return str((entry.get("after") or {}).get("event_id"))
    return None


def document_detail(store: SqlStore, doc_id: str) -> dict[str, Any] | None:
    d, m = documents.c, mentions.c
    with store._conn() as conn:
        row = conn.execute(
            sa.select(d.doc_id, d.title, d.url, d.published, d.outlet, d.text).where(d.doc_id == doc_id)
        ).first()
        if row is None:
            return None
        found = conn.execute(
            sa.select(m.mention_id, m.event_id, m.event_type, m.sub_event_type, m.evidence)
            .where(m.doc_id == doc_id)
            .order_by(m.idx)
        ).all()
    spans = []
    for r in found:
        for span in _evidence(row.text, r.evidence):
            spans.append(
                {
                    "start": span["start"],
                    "end": span["end"],
                    "mention_id": r.mention_id,
                    "event_id": r.event_id,
                    "event_type": r.event_type,
                    "sub_event_type": r.sub_event_type,
                    **({"field": span["field"]} if "field" in span else {}),
                }
            )
    spans.sort(key=lambda s: (s["start"], s["end"]))
    return {
        "doc_id": row.doc_id,
        "title": row.title,
        "url": row.url,
        "published": row.published.isoformat() if row.published else None,
        "outlet": row.outlet,
        "text": row.text,
        "spans": spans,
    }


# -- statistics and dropdowns ------------------------------------------------------------------


STATS_GROUPS = {
    "event_type": ("event_type",),
    "area": ("country", "admin1"),
    "event_type_area": ("event_type", "country", "admin1"),
}


def stats(store: SqlStore, f: Filters, by: str = "event_type") -> dict[str, Any]:
    """Daily counts and fatalities grouped by ``by`` (``STATS_GROUPS``: event type, area
    (country and admin1), or both), totals by area, and the number of events."""
    e = events.c
    names = STATS_GROUPS[by]
    keys = [e[name] for name in names]
    fatal = sa.func.coalesce(sa.func.sum(e.fatalities), 0)
    with store._conn() as conn:
        daily = conn.execute(
            _where(store, conn, sa.select(e.date, *keys, sa.func.count(), fatal), f)
            .where(e.date.is_not(None))
            .group_by(e.date, *keys)
            .order_by(e.date, *keys)
        ).all()
        areas = conn.execute(
            _where(store, conn, sa.select(e.country, e.admin1, sa.func.count(), fatal), f)
            .group_by(e.country, e.admin1)
            .order_by(sa.func.count().desc(), e.country, e.admin1)
        ).all()
        total = count_events(store, conn, f)
    return {
        "daily": [
            {
                "date": row[0].isoformat() if row[0] else None,
                **dict(zip(names, row[1 : 1 + len(names)], strict=True)),
                "count": int(row[-2]),
                "fatalities": int(row[-1]),
            }
            for row in daily
        ],
        "areas": [{"country": c, "admin1": a, "count": int(n), "fatalities": int(k)} for c, a, n, k in areas],
        "total": total,
    }


def filter_values(values: Values) -> dict[str, Any]:
    """Distinct values of the dropdown columns, each with an English label."""
    from marsad.store.acled import countries

    table = countries()
    out: dict[str, Any] = {}
    for column in EVENT_COLUMNS:
        found = values.get(column)
        if column == "country":
            out[column] = [
                {
                    "value": v,
                    "label": table[v].name if v in table else v,
                    "label_ar": table[v].name_ar if v in table else v,
                }
                for v in found
            ]
        elif column == "event_type":
            out[column] = [{"value": v, "label": event_type_label(v)} for v in found]
        elif column == "sub_event_type":
            out[column] = [{"value": v, "label": sub_event_label(v), "event_type": EVENT_TYPES.get(v)} for v in found]
        else:
            out[column] = [{"value": v, "label": v} for v in found]
    out["review"] = [{"value": s, "label": s} for s in review.STATES]
    out["sort"] = list(SORTS)
    return out


def events_of_document(store: SqlStore, doc_id: str) -> list[str]:
    """The merged events a document's mentions joined, in mention order."""
    m = mentions.c
    with store._conn() as conn:
        rows = conn.execute(sa.select(m.event_id).where(m.doc_id == doc_id).order_by(m.idx)).all()
    return list(dict.fromkeys(r[0] for r in rows))
