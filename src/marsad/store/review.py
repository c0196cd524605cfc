"""Review of merged events: accept, edit, reject, merge, split, with an audit trail.

A review is kept apart from what merging computes, so it survives re-merging and re-ingest:

- ``event_reviews`` holds an event's state (``accepted``, ``edited``, ``rejected``; no row:
  ``unreviewed``) and the fields a reviewer changed. ``SqlStore._refresh_event`` applies those
  changes over the merged values each time it recomputes the event (``apply``), so an edited field
  overrides whatever the reports say, now and after later reports join the event.
- ``mention_pins`` attaches mentions to the event a reviewer put them in (merge, split) or left
  them in (reject): when their document is ingested again, the store puts them back there instead
  of merging them afresh, so a rejected event keeps its mentions and stays rejected.
- ``review_log`` records every action: who, when, what, the values before and after, and why.

Every action runs in one write transaction (the store's write lock), recomputes the events it
touches, and so bumps their ACLED ``timestamp``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from marsad.errors import ConfigError, StoreError
from marsad.models import EVENT_TYPES
from marsad.store import migrate
from marsad.store.schema import (
    actor_names,
    claims,
    documents,
    event_reviews,
    event_words,
    events,
    mention_pins,
    mentions,
    review_log,
)
from marsad.text.match import token_readings
from marsad.text.normalize import normalize

if TYPE_CHECKING:
    from marsad.store.sql import SqlStore

STATES = ("unreviewed", "accepted", "edited", "rejected")
ACTIONS = ("accept", "reject", "edit")
_STATE_OF = {"accept": "accepted", "reject": "rejected", "edit": "edited"}
LOCATION_FIELDS = ("name", "name_en", "country", "admin1", "lat", "lon", "geo_precision")
ACTOR_FIELDS = ("actor1", "actor2")
COUNT_FIELDS = ("fatalities", "fatalities_min", "fatalities_max", "injured")
EDITABLE = (
    "event_type",
    "sub_event_type",
    "date",
    "time_precision",
    *COUNT_FIELDS,
    *(f"location.{f}" for f in LOCATION_FIELDS),
    *ACTOR_FIELDS,
    "notes",
)
"""Fields a reviewer may change (``location.*`` one at a time)."""
MAX_REASON = 2000
_WORD = re.compile(r"\d+|[^\W\d_]+")


class ReviewError(ConfigError):
    """A review request that cannot be carried out (an unknown event, a field that cannot be
    edited, a value of the wrong kind); nothing was changed."""


class NotFound(ReviewError):
    """The event (or mention) named does not exist."""


# -- edits -------------------------------------------------------------------------------------


def validate_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The edit ``changes`` checked and normalised (``ReviewError`` naming the first bad field).

    Accepts ``{"location": {"lat": …}}`` as well as ``{"location.lat": …}``; an actor is an object
    (``name``, ``canonical``, ``inter``, ``country``), a plain name, or ``null``."""
    flat: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "location" and isinstance(value, Mapping):
            flat.update({f"location.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    if not flat:
        raise ReviewError("an edit needs at least one field in changes")
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if key not in EDITABLE:
            raise ReviewError(f"changes: {key!r} cannot be edited; editable fields: {', '.join(EDITABLE)}")
        out[key] = _check(key, value)
    sub, kind = out.get("sub_event_type"), out.get("event_type")
    if sub is not None:
        if kind is not None and EVENT_TYPES[sub] != kind:
            raise ReviewError(f"changes: sub_event_type {sub} belongs to {EVENT_TYPES[sub]}, not {kind}")
        out["event_type"] = EVENT_TYPES[sub]
    low, high = out.get("fatalities_min"), out.get("fatalities_max")
    if low is not None and high is not None and low > high:
        raise ReviewError("changes: fatalities_min is larger than fatalities_max")
    return out


def _check(key: str, value: Any) -> Any:
    def bad(expected: str) -> ReviewError:
        return ReviewError(f"changes: {key} must be {expected}, not {json.dumps(value, ensure_ascii=False)[:80]}")

    if key == "sub_event_type":
        if value not in EVENT_TYPES:
            raise bad("a sub-event type (" + ", ".join(sorted(EVENT_TYPES)) + ")")
        return value
    if key == "event_type":
        if value not in set(EVENT_TYPES.values()):
            raise bad("an event type (" + ", ".join(sorted(set(EVENT_TYPES.values()))) + ")")
        return value
    if key == "date":
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise bad("a date YYYY-MM-DD") from None
    if key in (*COUNT_FIELDS, "location.geo_precision", "time_precision"):
        if value is None and key not in ("location.geo_precision", "time_precision"):
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad("a whole number, 0 or more")
        if key in ("location.geo_precision", "time_precision") and value not in (1, 2, 3):
            raise bad("1, 2 or 3")
        return value
    if key in ("location.lat", "location.lon"):
        limit = 90 if key.endswith("lat") else 180
        if isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit:
            raise bad(f"a number from -{limit} to {limit}")
        return float(value)
    if key == "location.country":
        from marsad.store.filters import resolve_country

        if not isinstance(value, str):
            raise bad("a country code or name")
        try:
            return resolve_country(value)
        except ConfigError as exc:
            raise ReviewError(f"changes: location.country: {exc}") from None
    if key in ACTOR_FIELDS:
        if value is None:
            return None
        if isinstance(value, str) and value.strip():
            return {"name": value.strip(), "canonical": value.strip(), "inter": None, "country": None}
        if isinstance(value, Mapping) and (value.get("name") or value.get("canonical")):
            actor = {k: value.get(k) for k in ("name", "canonical", "inter", "country")}
            actor["name"] = actor["name"] or actor["canonical"]
            actor["canonical"] = actor["canonical"] or actor["name"]
            if actor["inter"] is not None and actor["inter"] not in range(1, 9):
                raise bad("an actor whose inter is 1-8")
            return actor
        raise bad("an actor name, an object with name/canonical, or null")
    if not isinstance(value, str):  # notes, location.name, name_en, admin1
        raise bad("text")
    if len(value) > 5000:
        raise bad("at most 5000 characters")
    return value


def _get(rec: Mapping[str, Any], key: str) -> Any:
    if key.startswith("location."):
        return (rec.get("location") or {}).get(key.split(".", 1)[1])
    return rec.get(key)


def _set(rec: dict[str, Any], key: str, value: Any) -> None:
    if key.startswith("location."):
        loc = dict(rec.get("location") or {})
        loc[key.split(".", 1)[1]] = value
        rec["location"] = loc
    else:
        rec[key] = value


def apply(conn: sa.Connection, event_id: str, rec: dict[str, Any], n_reports: int) -> dict[str, Any]:
    """The merged record with the reviewer's changes over it (called by ``_refresh_event``); the
    notes are rewritten from the changed fields unless the reviewer wrote them."""
    row = conn.execute(sa.select(event_reviews.c.changes).where(event_reviews.c.event_id == event_id)).first()
    if row is None or not row.changes:
        return rec
    out = dict(rec)
    for key, value in row.changes.items():
        _set(out, key, value)
    toll = row.changes.get("fatalities")
    if toll is not None:  # the reviewer's figure is within the range (unless they set the range too)
        if "fatalities_min" not in row.changes and (out.get("fatalities_min") is None or out["fatalities_min"] > toll):
            out["fatalities_min"] = toll
        if "fatalities_max" not in row.changes and (out.get("fatalities_max") is None or out["fatalities_max"] < toll):
            out["fatalities_max"] = toll
    if "notes" not in row.changes:
        from marsad.store.notes import merged_notes

        out["notes"] = merged_notes({**out, "n_reports": n_reports})
    return out


# -- search words ------------------------------------------------------------------------------


ACTOR_MARK = "@"  # event_words entries that are actor names, not words
MAX_WORD = 200


def words_of(texts: Iterable[str | None]) -> list[str]:
    """The matching keys of every word of ``texts``: normalised (hamza, ta marbuta, alef maqsura
    folded, Latin lower case), article dropped, and each reading without a proclitic (``وبدرعا``
    is also ``درعا``)."""
    keys: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        for word in _WORD.findall(normalize(text)):
            for _, key in token_readings(word):
                keys[key[:MAX_WORD]] = None
    return list(keys)


def query_words(q: str) -> list[list[str]]:
    """For each word of a search: its readings (bare and without proclitics)."""
    out = []
    for word in _WORD.findall(normalize(q)):
        out.append(list(dict.fromkeys(key[:MAX_WORD] for _, key in token_readings(word))))
    return out


def actors_of(rec: Mapping[str, Any]) -> list[str]:
    """The normalised names and canonical names of an event's actors (both sides, allies)."""
    names: list[str] = []
    for actor in [rec.get("actor1"), rec.get("actor2"), *(rec.get("assoc_actors1") or [])]:
        if isinstance(actor, Mapping):
            names += [str(actor.get(k)) for k in ("name", "canonical") if actor.get(k)]
    for actor in rec.get("assoc_actors2") or []:
        if isinstance(actor, Mapping):
            names += [str(actor.get(k)) for k in ("name", "canonical") if actor.get(k)]
    return list(dict.fromkeys(normalize(n)[: MAX_WORD - 1] for n in names))


def search_rows(event_id: str, words: Iterable[str], actors: Iterable[str]) -> list[dict[str, str]]:
    """The ``event_words`` rows of one event."""
    keys = dict.fromkeys([*words, *(ACTOR_MARK + a for a in actors)])
    return [dict(word=k, event_id=event_id) for k in keys if k]


def index_event(conn: sa.Connection, event_id: str, rec: Mapping[str, Any] | None) -> None:
    """(Re)write the search words of an event (``rec`` ``None``: the event is gone): the words of
    its mentions' evidence (read from their reports), place names and notes, and its actors."""
    index_events(conn, [(event_id, rec)])


_CHUNK = 500  # ids per IN (…) list


def index_events(conn: sa.Connection, items: Sequence[tuple[str, Mapping[str, Any] | None]]) -> None:
    """``index_event`` for many events in a few statements (one batch of an ingest): the old
    words deleted together, the mentions and reports read together, the new words written in one
    insert."""
    ids = [event_id for event_id, _ in items]
    for i in range(0, len(ids), _CHUNK):
        conn.execute(event_words.delete().where(event_words.c.event_id.in_(ids[i : i + _CHUNK])))
    live = {event_id: rec for event_id, rec in items if rec is not None}
    if not live:
        return
    texts: dict[str, list[str | None]] = {}
    for event_id, rec in live.items():
        loc = rec.get("location") or {}
        texts[event_id] = [loc.get("name"), loc.get("name_en"), loc.get("admin1"), rec.get("notes")]
    wanted = list(live)
    for i in range(0, len(wanted), _CHUNK):
        query = (
            sa.select(mentions.c.event_id, mentions.c.data, documents.c.text)
            .join(documents, documents.c.doc_id == mentions.c.doc_id)
            .where(mentions.c.event_id.in_(wanted[i : i + _CHUNK]))
            .order_by(mentions.c.event_id, mentions.c.mention_id)
        )
        for event_id, data, text in conn.execute(query):
            place = data.get("location") or {}
            found = texts[event_id]
            found += [place.get("name"), place.get("name_en")]
            for ev in data.get("evidence") or []:
                if isinstance(ev, Mapping) and isinstance(ev.get("start"), int) and isinstance(ev.get("end"), int):
                    found.append(text[ev["start"] : ev["end"]])
    rows: list[dict[str, str]] = []
    every_actor: dict[str, None] = {}
    for event_id, rec in live.items():
        actors = actors_of(rec)
        rows += search_rows(event_id, words_of(texts[event_id]), actors)
        every_actor.update(dict.fromkeys(actors))
    if rows:
        conn.execute(event_words.insert(), rows)
    names = list(every_actor)
    for i in range(0, len(names), _CHUNK):
        part = names[i : i + _CHUNK]
        known = {r[0] for r in conn.execute(sa.select(actor_names.c.name).where(actor_names.c.name.in_(part)))}
        fresh = [a for a in part if a not in known]
        if fresh:
            conn.execute(actor_names.insert(), [dict(name=a) for a in fresh])


def _has_words(condition: sa.ColumnElement[bool], correlated: bool) -> sa.ColumnElement[bool]:
    """Events with an ``event_words`` row meeting ``condition``: ``event_id IN (…)`` (the database
    starts from the words: best for few matches) or, ``correlated``, ``EXISTS (…)`` per event (it
    walks the events in the order asked and stops after a page: best when many events match)."""
    w = event_words.c
    if correlated:
        return sa.exists().where(condition, w.event_id == events.c.event_id)
    return events.c.event_id.in_(sa.select(w.event_id).where(condition))


def text_condition(q: str, *, correlated: bool = False) -> sa.ColumnElement[bool] | None:
    """Events whose words hold every word of ``q`` (as a word start: ``غار`` finds ``غارات``),
    under any of its readings; ``None`` when ``q`` has no word."""
    w = event_words.c
    parts = []
    for readings in query_words(q):
        ranges = [sa.and_(w.word >= r, w.word < r + "\U0010ffff") for r in readings if r]
        parts.append(_has_words(sa.or_(*ranges), correlated))
    return sa.and_(*parts) if parts else None


def actor_condition(conn: sa.Connection, text: str, *, correlated: bool = False) -> sa.ColumnElement[bool]:
    """Events one of whose actors' names or canonical names contains ``text`` (normalised)."""
    key = normalize(text.strip())
    names = [
        r[0]
        for r in conn.execute(sa.select(actor_names.c.name).where(actor_names.c.name.contains(key, autoescape=True)))
    ]
    if not names:
        return sa.false()
    return _has_words(event_words.c.word.in_([ACTOR_MARK + n for n in names]), correlated)


def pinned(conn: sa.Connection, mention_id: str) -> str | None:
    """The event a reviewer attached ``mention_id`` to, if any."""
    row = conn.execute(sa.select(mention_pins.c.event_id).where(mention_pins.c.mention_id == mention_id)).first()
    return row[0] if row else None


def states(conn: sa.Connection, event_ids: Sequence[str]) -> dict[str, str]:
    """The review state of each event that has one (others are ``unreviewed``)."""
    out: dict[str, str] = {}
    ids = list(event_ids)
    for i in range(0, len(ids), 500):
        rows = conn.execute(
            sa.select(event_reviews.c.event_id, event_reviews.c.state).where(
                event_reviews.c.event_id.in_(ids[i : i + 500])
            )
        )
        out.update({r.event_id: r.state for r in rows})
    return out


def state_filter(state: str | None) -> sa.ColumnElement[bool] | None:
    """A condition on ``events`` for a review state (``None``: every state but rejected;
    ``all``: no condition)."""
    if state == "all":
        return None
    r = event_reviews.c
    if state is None:
        return events.c.event_id.not_in(sa.select(r.event_id).where(r.state == "rejected"))
    if state not in STATES:
        raise ConfigError(f"review must be one of {', '.join(STATES)} or all, not {state!r}")
    if state == "unreviewed":
        return events.c.event_id.not_in(sa.select(r.event_id))
    return events.c.event_id.in_(sa.select(r.event_id).where(r.state == state))


# -- actions -----------------------------------------------------------------------------------


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if len(text) > MAX_REASON:
        raise ReviewError(f"reason: at most {MAX_REASON} characters")
    return text


def _event_data(conn: sa.Connection, event_id: str) -> dict[str, Any]:
    row = conn.execute(sa.select(events.c.data).where(events.c.event_id == event_id)).first()
    if row is None:
        raise NotFound(f"no event {event_id}")
    return dict(row.data)


def _log(
    conn: sa.Connection, event_id: str, user: str | None, action: str, before: Any, after: Any, reason: str
) -> None:
    conn.execute(
        review_log.insert(),
        dict(
            event_id=event_id, at=time.time(), username=user, action=action, before=before, after=after, reason=reason
        ),
    )


def _set_review(conn: sa.Connection, event_id: str, state: str, changes: Mapping[str, Any], user: str | None) -> None:
    conn.execute(event_reviews.delete().where(event_reviews.c.event_id == event_id))
    conn.execute(
        event_reviews.insert(),
        dict(event_id=event_id, state=state, changes=dict(changes), updated_at=time.time(), updated_by=user),
    )


def _review_row(conn: sa.Connection, event_id: str) -> tuple[str, dict[str, Any]]:
    row = conn.execute(
        sa.select(event_reviews.c.state, event_reviews.c.changes).where(event_reviews.c.event_id == event_id)
    ).first()
    return (row.state, dict(row.changes or {})) if row else ("unreviewed", {})


def _pin(conn: sa.Connection, mention_ids: Iterable[str], event_id: str) -> None:
    ids = sorted(set(mention_ids))
    if not ids:
        return
    conn.execute(mention_pins.delete().where(mention_pins.c.mention_id.in_(ids)))
    now = time.time()
    conn.execute(mention_pins.insert(), [dict(mention_id=m, event_id=event_id, pinned_at=now) for m in ids])


def _mention_ids(conn: sa.Connection, event_id: str) -> list[str]:
    q = sa.select(mentions.c.mention_id).where(mentions.c.event_id == event_id).order_by(mentions.c.mention_id)
    return [r[0] for r in conn.execute(q)]


def _write(store: SqlStore) -> Any:
    if not store.writable:
        raise StoreError("the database was opened for queries only")
    return store.engine.begin()


def review(
    store: SqlStore,
    event_id: str,
    action: str,
    *,
    changes: Mapping[str, Any] | None = None,
    reason: str | None = None,
    user: str | None = None,
) -> dict[str, Any]:
    """Accept, reject or edit an event; returns the log entry written."""
    if action not in ACTIONS:
        raise ReviewError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
    text = _reason(reason)
    checked = validate_changes(changes or {}) if action == "edit" else {}
    if action != "edit" and changes:
        raise ReviewError(f"changes are for action edit, not {action}")
    try:
        with _write(store) as conn:
            migrate.lock_for_writing(conn)
            data = _event_data(conn, event_id)
            state, kept = _review_row(conn, event_id)
            if action == "edit":
                before = {k: _get(data, k) for k in checked}
                after = dict(checked)
                new_state = "edited"
            else:
                before, after = {"review_state": state}, {"review_state": _STATE_OF[action]}
                new_state = _STATE_OF[action]
            _set_review(conn, event_id, new_state, {**kept, **checked}, user)
            if action == "reject":
                _pin(conn, _mention_ids(conn, event_id), event_id)
            store._refresh_event(conn, event_id)
            _log(conn, event_id, user, action, before, after, text)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot write the review: {migrate.first_line(exc)}") from exc
    return {"event_id": event_id, "action": action, "before": before, "after": after, "reason": text}


def merge_events(
    store: SqlStore, event_ids: Sequence[str], *, reason: str | None = None, user: str | None = None
) -> str:
    """Fuse events into the first one named: their mentions and claims move to it and stay there
    (pinned); the others disappear. Returns the surviving event id."""
    ids = list(dict.fromkeys(event_ids))
    if len(ids) < 2:
        raise ReviewError("merge needs at least two different event ids")
    text = _reason(reason)
    survivor, others = ids[0], ids[1:]
    try:
        with _write(store) as conn:
            migrate.lock_for_writing(conn)
            for event_id in ids:
                _event_data(conn, event_id)
            moved: dict[str, list[str]] = {e: _mention_ids(conn, e) for e in others}
            for event_id in others:
                conn.execute(mentions.update().where(mentions.c.event_id == event_id).values(event_id=survivor))
                conn.execute(claims.update().where(claims.c.event_id == event_id).values(event_id=survivor))
                conn.execute(event_reviews.delete().where(event_reviews.c.event_id == event_id))
            _pin(conn, _mention_ids(conn, survivor), survivor)
            for event_id in others:
                store._refresh_event(conn, event_id)  # no mention left: the event goes
                _log(conn, event_id, user, "merged_into", {"event_id": event_id}, {"event_id": survivor}, text)
            store._refresh_event(conn, survivor)
            _log(conn, survivor, user, "merge", {"event_ids": ids}, {"event_id": survivor, "absorbed": moved}, text)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot merge: {migrate.first_line(exc)}") from exc
    return survivor


def split_id(mention_ids: Iterable[str]) -> str:
    """The id of an event split off with ``mention_ids`` (deterministic, like merged ids)."""
    key = "split:" + "\n".join(sorted(mention_ids))
    return "MRS" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12].upper()


def split_event(
    store: SqlStore, event_id: str, mention_ids: Sequence[str], *, reason: str | None = None, user: str | None = None
) -> str:
    """Move ``mention_ids`` out of ``event_id`` into a new event; both keep their mentions on
    re-ingest (pinned). Returns the new event id."""
    chosen = sorted(set(mention_ids))
    if not chosen:
        raise ReviewError("split needs the mention_ids to move to a new event")
    text = _reason(reason)
    try:
        with _write(store) as conn:
            migrate.lock_for_writing(conn)
            _event_data(conn, event_id)
            held = _mention_ids(conn, event_id)
            foreign = [m for m in chosen if m not in held]
            if foreign:
                raise NotFound(f"event {event_id} holds no mention {foreign[0]}")
            if len(chosen) == len(held):
                raise ReviewError("a split must leave at least one mention in the event")
            new_id = split_id(chosen)
            if conn.execute(sa.select(events.c.event_id).where(events.c.event_id == new_id)).first():
                raise ReviewError(f"event {new_id} exists already")
            conn.execute(mentions.update().where(mentions.c.mention_id.in_(chosen)).values(event_id=new_id))
            conn.execute(claims.update().where(claims.c.mention_id.in_(chosen)).values(event_id=new_id))
            _pin(conn, chosen, new_id)
            _pin(conn, [m for m in held if m not in chosen], event_id)
            store._refresh_event(conn, event_id)
            store._refresh_event(conn, new_id)
            before = {"event_id": event_id, "mention_ids": held}
            _log(conn, event_id, user, "split", before, {"event_id": new_id, "mention_ids": chosen}, text)
            _log(conn, new_id, user, "split_from", {"event_id": event_id}, {"mention_ids": chosen}, text)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot split: {migrate.first_line(exc)}") from exc
    return new_id


# -- reading -----------------------------------------------------------------------------------


def history(store: SqlStore, event_id: str) -> list[dict[str, Any]]:
    """The audit log of an event, oldest first."""
    r = review_log.c
    with store._conn() as conn:
        rows = conn.execute(sa.select(review_log).where(r.event_id == event_id).order_by(r.at, r.id)).all()
    return [
        {
            "at": dt.datetime.fromtimestamp(row.at, dt.UTC).isoformat(timespec="seconds"),
            "user": row.username,
            "action": row.action,
            "before": row.before,
            "after": row.after,
            "reason": row.reason,
        }
        for row in rows
    ]


def state_of(store: SqlStore, event_id: str) -> str:
    with store._conn() as conn:
        return states(conn, [event_id]).get(event_id, "unreviewed")
