"""Alerts from the store: daily series read from the merged events, surges stored in ``alerts``.

- ``compute`` reads the dated merged events (of some provinces, or all), builds one daily series
  per area (admin1, or admin2 through the gazetteer), event family and measure, and returns the
  surges (``marsad.alerts.detect``). ``baseline_from`` adds an imported dataset's events
  (``external_events``, e.g. ACLED) on the days before Marsad's own data begins, so the baseline of
  a short Marsad history is longer.
- ``recompute`` replaces the stored alerts of those provinces and days, in one transaction;
  ``refresh_after`` is the incremental form ingest, ``watch`` and ``poll`` call after a batch: only
  the provinces touched since a given time, and only the days whose test can have changed (the
  days of the new events and the ``window`` days after them).
- ``stored`` lists stored alerts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from marsad.alerts.detect import FAMILY_OF, QUANTITY_MEASURES, Alert, Day, SeriesKey, Settings, detect, statement
from marsad.alerts.stats import TestResult
from marsad.errors import StoreError
from marsad.store import migrate
from marsad.store.merge import admin1_key
from marsad.store.schema import alerts, documents, events, external_events, mentions

log = logging.getLogger(__name__)

LEVELS = ("admin1", "admin2")
AdminLookup = Callable[[str | None], tuple[str | None, str | None]]
Area = tuple[str, str]  # (country, admin1_key)
Series = dict[SeriesKey, dict[dt.date, Day]]


@dataclass(frozen=True, slots=True)
class Scope:
    """Which alerts to compute: provinces (``None``: all) and days (``None``: unbounded)."""

    areas: frozenset[Area] | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def days(self, series: dict[dt.date, Day]) -> list[dt.date]:
        lo, hi = self.since or dt.date.min, self.until or dt.date.max
        return [d for d in series if lo <= d <= hi]


ALL = Scope()
DEFAULTS = Settings()
HISTORY_WINDOWS = 3
"""Windows of events read before the first day of a scoped computation (see ``compute``)."""


def _quantities(data: Any) -> dict[str, tuple[int, str]]:
    """The largest figure of each followed quantity in one event, with its qualifier."""
    out: dict[str, tuple[int, str]] = {}
    for q in (data or {}).get("quantities") or []:
        what, value = q.get("what"), q.get("value")
        good = what in QUANTITY_MEASURES and isinstance(value, int | float) and value > 0
        if good and (what not in out or value > out[what][0]):
            out[what] = (int(value), str(q.get("qualifier") or "exact"))
    return out


def _areas_where(col_country: Any, col_key: Any, areas: frozenset[Area] | None) -> Any:
    if areas is None:
        return sa.true()
    return sa.or_(*(sa.and_(col_country == c, col_key == k) for c, k in sorted(areas))) if areas else sa.false()


def _add(series: Series, key: SeriesKey, day: dt.date, event_id: str | None, qty: tuple[int, str] | None) -> None:
    slot = series.setdefault(key, {}).setdefault(day, Day())
    if qty is None:
        slot.value += 1
    else:
        slot.value += qty[0]
        slot.qualifiers.append(qty[1])
    if event_id is not None:
        slot.event_ids.append(event_id)


def _keys(
    level: str, country: str, admin1: str, akey: str, family: str, gazetteer_id: str | None, lookup: AdminLookup | None
) -> tuple[str, str, str] | None:
    """``(area_key, area, family)`` of an event at ``level``; ``None`` when the level is unknown."""
    if level == "admin1":
        return akey, admin1, family
    admin2 = lookup(gazetteer_id)[0] if lookup is not None else None
    if not admin2:
        return None
    return f"{akey}/{admin1_key(admin2)}", f"{admin2} ({admin1})", family  # districts share provinces' names


def read_series(
    conn: sa.Connection,
    level: str,
    areas: frozenset[Area] | None,
    lookup: AdminLookup | None = None,
    since: dt.date | None = None,
) -> tuple[Series, dt.date | None]:
    """The daily series of the merged events of ``areas`` at ``level`` (from ``since``, when given),
    and the first day of data (of the whole database)."""
    e = events.c
    start = conn.execute(sa.select(sa.func.min(e.date))).scalar()
    series: Series = {}
    names: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sel = sa.select(e.event_id, e.sub_event_type, e.date, e.country, e.admin1, e.admin1_key, e.data).where(
        e.date.is_not(None), e.admin1_key.is_not(None), e.admin1_key != "", e.country.is_not(None)
    )
    if since is not None:
        sel = sel.where(e.date >= since)
    rows = conn.execute(sel.where(_areas_where(e.country, e.admin1_key, areas))).all()
    for row in rows:
        names[(row.country, row.admin1_key)][row.admin1] += 1
    for row in rows:
        family = FAMILY_OF.get(row.sub_event_type)
        if family is None:
            continue
        shown = max(names[(row.country, row.admin1_key)].items(), key=lambda kv: (kv[1], kv[0]))[0]
        data = row.data if isinstance(row.data, dict) else {}
        gid = (data.get("location") or {}).get("gazetteer_id")
        found = _keys(level, row.country, shown, row.admin1_key, family, gid, lookup)
        if found is None:
            continue
        area_key, area, family = found
        day = migrate_date(row.date)
        base = SeriesKey(level, row.country, area_key, area, family, "events")
        _add(series, base, day, row.event_id, None)
        for what, qty in _quantities(data).items():
            key = SeriesKey(level, row.country, area_key, area, family, what)
            _add(series, key, day, row.event_id, qty)
    return series, migrate_date(start) if start is not None else None


def read_external(
    conn: sa.Connection, level: str, areas: frozenset[Area] | None, source: str
) -> tuple[dict[tuple[str, str, str], dict[dt.date, int]], dt.date | None]:
    """Daily event counts of an imported dataset per ``(country, area_key, family)``."""
    x = external_events.c
    sel = sa.select(x.date, x.country, x.admin1_key, x.admin2, x.family).where(
        sa.or_(x.source == source, x.dataset == source),
        x.family.is_not(None),
        x.admin1_key.is_not(None),
        x.country.is_not(None),
    )
    out: dict[tuple[str, str, str], dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    start: dt.date | None = None
    for row in conn.execute(sel.where(_areas_where(x.country, x.admin1_key, areas))):
        day = migrate_date(row.date)
        start = day if start is None or day < start else start
        if level == "admin1":
            key = row.admin1_key
        elif row.admin2:
            key = f"{row.admin1_key}/{admin1_key(row.admin2)}"
        else:
            continue
        out[(row.country, key, row.family)][day] += 1
    return out, start


def migrate_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def compute(
    engine: sa.Engine,
    *,
    level: str = "admin1",
    scope: Scope = ALL,
    settings: Settings = DEFAULTS,
    lookup: AdminLookup | None = None,
    baseline_from: str | None = None,
) -> list[Alert]:
    """The surges in ``scope`` at ``level`` (``admin2`` needs ``lookup``: gazetteer id -> admin2)."""
    if level not in LEVELS:
        raise ValueError(f"level must be admin1 or admin2, not {level!r}")
    # A scope that starts on a day reads only the events from HISTORY_WINDOWS windows before it: the
    # days tested need one window of baseline, and the surges of the window before them (left out of
    # their baselines) one more. A statement that would say "the most on record" is checked
    # against the whole history of its area (below): alerts are rare, whole reads too.
    lo = None
    if scope.since is not None and not baseline_from:
        lo = scope.since - dt.timedelta(days=HISTORY_WINDOWS * settings.window)
    try:
        with engine.connect() as conn:
            series, start = read_series(conn, level, scope.areas, lookup, lo)
            ext: dict[tuple[str, str, str], dict[dt.date, int]] = {}
            ext_start = None
            if baseline_from:
                ext, ext_start = read_external(conn, level, scope.areas, baseline_from)
            if start is None:
                return []
            first = start
            if ext_start is not None and ext_start < start:
                first = ext_start
                _lengthen(series, ext, start)
            out: list[Alert] = []
            for key in sorted(series, key=lambda k: (k.country, k.area_key, k.family, k.measure)):
                days = scope.days(series[key])
                if days:
                    out.extend(detect(key, series[key], first, settings, days))
            if lo is not None and lo > migrate_date(start):
                out = _restated(conn, out, level, lookup, series, first)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot read events for alerts: {migrate.first_line(exc)}") from exc
    out.sort(key=lambda a: (a.day, a.key.country, a.key.area, a.key.family, a.key.measure))
    return out


def _restated(
    conn: sa.Connection, found: list[Alert], level: str, lookup: AdminLookup | None, loaded: Series, start: dt.date
) -> list[Alert]:
    """``found`` with the statements that had no earlier record day in the days read written again
    from the whole history of their areas ("the most since 12 March 2017", not "on record")."""
    todo = [a for a in found if not any(d < a.day and v.value >= a.value for d, v in loaded[a.key].items())]
    if not todo:
        return found
    areas = frozenset((a.key.country, a.key.area_key.split("/", 1)[0]) for a in todo)
    whole, _ = read_series(conn, level, areas, lookup)
    again: dict[str, Alert] = {}
    for a in todo:
        history = whole.get(a.key) or loaded[a.key]
        result = TestResult(a.p_value, a.baseline, 0.0, a.model)
        text = statement(
            a.key, a.day, history.get(a.day) or loaded[a.key][a.day], history, start, result, a.baseline_days
        )
        again[a.alert_id] = dataclasses.replace(a, statement=text)
    return [again.get(a.alert_id, a) for a in found]


def _lengthen(series: Series, ext: dict[tuple[str, str, str], dict[dt.date, int]], start: dt.date) -> None:
    """Imported daily counts on the days before ``start`` (Marsad's first day), for event series."""
    for key, days in series.items():
        if key.measure != "events":
            continue
        for day, n in ext.get((key.country, key.area_key, key.family), {}).items():
            if day < start:
                days.setdefault(day, Day()).value += n


def save(engine: sa.Engine, found: Iterable[Alert], levels: Iterable[str], scope: Scope) -> int:
    """Replace the stored alerts of ``levels`` in ``scope`` with ``found`` (one transaction)."""
    a = alerts.c
    now = time.time()
    rows = [
        {
            "alert_id": al.alert_id,
            "area_level": al.key.area_level,
            "country": al.key.country,
            "area": al.key.area,
            "area_key": al.key.area_key,
            "family": al.key.family,
            "measure": al.key.measure,
            "day": al.day,
            "value": al.value,
            "baseline": al.baseline,
            "baseline_days": al.baseline_days,
            "p_value": al.p_value,
            "test": al.test,
            "statement": al.statement,
            "event_ids": list(al.event_ids),
            "computed_at": now,
        }
        for al in found
    ]
    where: list[sa.ColumnElement[bool]] = [a.area_level.in_(list(levels))]
    if scope.since is not None:
        where.append(a.day >= scope.since)
    if scope.until is not None:
        where.append(a.day <= scope.until)
    if scope.areas is not None:
        where.append(
            sa.or_(
                sa.false(),
                *(
                    sa.and_(a.country == c, sa.or_(a.area_key == k, a.area_key.like(f"{k}/%")))
                    for c, k in sorted(scope.areas)
                ),
            )
        )
    try:
        with engine.begin() as conn:
            migrate.lock_for_writing(conn)
            conn.execute(alerts.delete().where(*where))
            if rows:
                conn.execute(alerts.insert(), rows)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot store alerts: {migrate.first_line(exc)}") from exc
    return len(rows)


def recompute(
    engine: sa.Engine, *, scope: Scope = ALL, settings: Settings = DEFAULTS, lookup: AdminLookup | None = None
) -> int:
    """Compute and store the alerts of ``scope`` at both levels (admin2 only with ``lookup``)."""
    levels = ("admin1", "admin2") if lookup is not None else ("admin1",)
    found: list[Alert] = []
    for level in levels:
        found.extend(compute(engine, level=level, scope=scope, settings=settings, lookup=lookup))
    return save(engine, found, levels, scope)


def touched_since(engine: sa.Engine, t0: float) -> tuple[frozenset[Area], dt.date | None, dt.date | None]:
    """Provinces and day range of the events changed at or after ``t0`` (Unix time): the mentions
    of documents ingested since, and the merged events whose ``timestamp`` moved."""
    m, d, e = mentions.c, documents.c, events.c
    q1 = (
        sa.select(m.country, m.admin1_key, m.date)
        .select_from(mentions.join(documents, m.doc_id == d.doc_id))
        .where(d.ingested_at >= t0, m.date.is_not(None))
    )
    # events.timestamp is whole seconds: an event changed in the second of t0 (before it) is not
    # counted; one changed after t0 in that second has a mention of a document ingested since
    q2 = sa.select(e.country, e.admin1_key, e.date).where(e.timestamp >= math.ceil(t0), e.date.is_not(None))
    areas: set[Area] = set()
    first: dt.date | None = None
    last: dt.date | None = None
    try:
        with engine.connect() as conn:
            rows = [*conn.execute(q1.distinct()), *conn.execute(q2.distinct())]
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot read the events changed: {migrate.first_line(exc)}") from exc
    for country, key, day in rows:
        if not country or not key:
            continue
        areas.add((country, key))
        day = migrate_date(day)
        first = day if first is None or day < first else first
        last = day if last is None or day > last else last
    return frozenset(areas), first, last


def refresh_after(
    engine: sa.Engine, t0: float, *, settings: Settings = DEFAULTS, lookup: AdminLookup | None = None
) -> int:
    """Recompute the stored alerts touched by what was written since ``t0``: only those provinces,
    and only the days from the first changed day to ``window`` days after the last. The number of
    alerts now stored for them."""
    areas, first, last = touched_since(engine, t0)
    if not areas or first is None or last is None:
        return 0
    scope = Scope(areas, first, last + dt.timedelta(days=settings.window))
    n = recompute(engine, scope=scope, settings=settings, lookup=lookup)
    log.info("alerts recomputed for %d provinces, %s to %s: %d", len(areas), first, scope.until, n)
    return n


def stored(
    engine: sa.Engine,
    *,
    level: str = "admin1",
    since: dt.date | None = None,
    until: dt.date | None = None,
    families: Iterable[str] = (),
    country: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Stored alerts, by day then area (``Alert.record`` form)."""
    a = alerts.c
    sel = sa.select(alerts).where(a.area_level == level)
    if since is not None:
        sel = sel.where(a.day >= since)
    if until is not None:
        sel = sel.where(a.day <= until)
    fams = list(families)
    if fams:
        sel = sel.where(a.family.in_(fams))
    if country:
        sel = sel.where(a.country == country)
    sel = sel.order_by(a.day, a.country, a.area, a.family, a.measure)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sel).all()
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot read alerts: {migrate.first_line(exc)}") from exc
    for row in rows:
        yield {
            "alert_id": row.alert_id,
            "area_level": row.area_level,
            "country": row.country,
            "area": row.area,
            "family": row.family,
            "measure": row.measure,
            "day": migrate_date(row.day).isoformat(),
            "value": row.value,
            "baseline": round(row.baseline, 3),
            "baseline_days": row.baseline_days,
            "p_value": row.p_value,
            "test": row.test,
            "statement": row.statement,
            "event_ids": list(row.event_ids or []),
        }
