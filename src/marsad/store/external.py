"""Imported datasets: ACLED CSV and UCDP GED CSV rows stored under their own source.

Imported rows go to ``external_events`` only, never into ``mentions`` or the merged ``events``: they
are someone else's coding, kept to compare with Marsad's (``marsad imported``) and to lengthen the
baseline of alerts (``marsad alerts --baseline-from acled``). Each row is validated; a bad row is
reported with its line number and skipped, the others are stored. Re-importing a file replaces
the rows with the same ids (``event_id_cnty`` for ACLED, ``id`` for UCDP) under the same source,
so an import is idempotent.

Only when asked (``marsad import --as-mentions``, ACLED only) is each row *also* stored as a report
of its own (doc_id ``SOURCE:event_id_cnty``, its ``notes`` as text, the row's event as its one
mention), so that it merges with Marsad's mentions of the same event and ``events``, ``export``
and ``alerts`` count it like any report. Re-importing is idempotent there too (doc_id + content
hash).

- **ACLED**: the 31 columns of ACLED's exports (``marsad export --format acled-csv`` writes them,
  so Marsad's own export round-trips). Required: ``event_id_cnty``, ``event_date`` (``05 July
  2018`` or ``2018-07-05``), ``event_type``, ``sub_event_type`` (ACLED's labels), ``country``.
- **UCDP GED**: ``id``, ``date_start`` (``2018-07-05``, a time after it ignored), ``country``,
  ``type_of_violence`` (1 state-based, 2 non-state, 3 one-sided) required; ``date_end``,
  ``adm_1``, ``adm_2``, ``where_coordinates``, ``latitude``, ``longitude``, ``best``/``low``/``high``
  used when present. UCDP's violence types do not map onto ACLED's sub-event types: its rows carry
  the families ``state_based``, ``non_state`` and ``one_sided``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from marsad.errors import BadRecordError, ConfigError, StoreError
from marsad.store import migrate
from marsad.store.acled import EVENT_TYPE_LABELS, SUB_EVENT_LABELS, countries
from marsad.store.merge import admin1_key
from marsad.store.schema import external_events

FORMATS = ("acled-csv", "ucdp-ged")
DATASETS = {"acled-csv": "acled", "ucdp-ged": "ucdp"}
ACLED_REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "country")
UCDP_REQUIRED = ("id", "date_start", "country", "type_of_violence")
UCDP_FAMILIES = {1: "state_based", 2: "non_state", 3: "one_sided"}
BATCH = 1000  # rows written per statement
_EVENT_TYPES = {label.lower(): key for key, label in EVENT_TYPE_LABELS.items()}
_SUB_TYPES = {label.lower(): key for key, label in SUB_EVENT_LABELS.items()}
_ADMIN_SUFFIX = re.compile(r"\s+(governorate|province|state|district|region|muhafazah|wilayah)$", re.I)
_SOURCE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_PERIOD = re.compile(r"\s*\(\d{4}-(\d{4})?\)$")


@dataclass(slots=True)
class ImportReport:
    read: int = 0
    stored: int = 0  # new ids
    replaced: int = 0  # ids stored before under this source
    bad: list[str] = field(default_factory=list)  # "file:line: message"
    mentions: Any = None  # the ``IngestReport`` of ``--as-mentions``; None when not asked


def check_source(name: str) -> str:
    if not _SOURCE.match(name):
        raise ConfigError(f"--source must be lower-case letters, digits, '.', '_' or '-' (at most 64), not {name!r}")
    return name


def _country(name: str | None, iso: str | None = None) -> str | None:
    """ISO2 from ACLED's numeric ``iso`` or a country name (English, Arabic or a variant)."""
    table = countries()
    if iso and iso.strip().isdigit():
        for c in table.values():
            if c.iso_numeric == int(iso):
                return c.iso2
    if not name:
        return None
    key = name.strip().lower()
    for c in table.values():
        if key in (c.name.lower(), c.iso3.lower(), c.iso2.lower(), c.name_ar) or key in (v.lower() for v in c.variants):
            return c.iso2
    return None


def _date(value: str | None, column: str) -> dt.date:
    text = (value or "").strip()
    if not text:
        raise BadRecordError(f"{column} is empty")
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt).date()
        except ValueError:
            continue
    raise BadRecordError(f"{column} is not a date (2018-07-05 or 05 July 2018): {text!r}")


def _float(value: str | None, column: str, low: float, high: float) -> float | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise BadRecordError(f"{column} is not a number: {text!r}") from None
    if not low <= number <= high:
        raise BadRecordError(f"{column} {number} is outside {low:g}..{high:g}")
    return number


def _int(value: str | None, column: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = int(float(text))
    except ValueError:
        raise BadRecordError(f"{column} is not a whole number: {text!r}") from None
    if number < 0:
        raise BadRecordError(f"{column} is negative: {number}")
    return number


def _text(value: str | None, limit: int = 512) -> str | None:
    text = (value or "").replace("\x00", "").strip()
    return text[:limit] or None


def acled_row(row: dict[str, str]) -> dict[str, Any]:
    """One ACLED CSV row as an ``external_events`` row (``BadRecordError`` when it is not valid)."""
    ext_id = _text(row.get("event_id_cnty"), 128)
    if not ext_id:
        raise BadRecordError("event_id_cnty is empty")
    label = (row.get("event_type") or "").strip().lower()
    sub_label = (row.get("sub_event_type") or "").strip().lower()
    if label not in _EVENT_TYPES:
        raise BadRecordError(f"unknown event_type {row.get('event_type')!r}")
    if sub_label not in _SUB_TYPES:
        raise BadRecordError(f"unknown sub_event_type {row.get('sub_event_type')!r}")
    country = _country(row.get("country"), row.get("iso"))
    if country is None:
        raise BadRecordError(f"unknown country {row.get('country')!r}")
    from marsad.alerts.detect import FAMILY_OF

    sub = _SUB_TYPES[sub_label]
    admin1 = _text(row.get("admin1"), 256)
    return {
        "ext_id": ext_id,
        "date": _date(row.get("event_date"), "event_date"),
        "date_end": None,
        "country": country,
        "admin1": admin1,
        "admin1_key": admin1_key(admin1) or None,
        "admin2": _text(row.get("admin2"), 256),
        "location": _text(row.get("location")),
        "lat": _float(row.get("latitude"), "latitude", -90, 90),
        "lon": _float(row.get("longitude"), "longitude", -180, 180),
        "event_type": _EVENT_TYPES[label],
        "sub_event_type": sub,
        "family": FAMILY_OF.get(sub),
        "fatalities": _int(row.get("fatalities"), "fatalities"),
        "data": {k: v for k, v in row.items() if k},
    }


def ucdp_row(row: dict[str, str]) -> dict[str, Any]:
    """One UCDP GED CSV row as an ``external_events`` row (``BadRecordError`` when it is not valid)."""
    ext_id = _text(row.get("id"), 128)
    if not ext_id:
        raise BadRecordError("id is empty")
    kind = _int(row.get("type_of_violence"), "type_of_violence")
    if kind not in UCDP_FAMILIES:
        raise BadRecordError(f"type_of_violence must be 1, 2 or 3, not {row.get('type_of_violence')!r}")
    country = _country(row.get("country"))
    if country is None:
        raise BadRecordError(f"unknown country {row.get('country')!r}")
    start = _date(row.get("date_start"), "date_start")
    end = _date(row.get("date_end"), "date_end") if (row.get("date_end") or "").strip() else None
    if end is not None and end < start:
        raise BadRecordError(f"date_end {end} is before date_start {start}")
    admin1 = _text(_ADMIN_SUFFIX.sub("", (row.get("adm_1") or "").strip()), 256)
    admin2 = _text(_ADMIN_SUFFIX.sub("", (row.get("adm_2") or "").strip()), 256)
    best = _int(row.get("best"), "best")
    return {
        "ext_id": ext_id,
        "date": start,
        "date_end": end,
        "country": country,
        "admin1": admin1,
        "admin1_key": admin1_key(admin1) or None,
        "admin2": admin2,
        "location": _text(row.get("where_coordinates")),
        "lat": _float(row.get("latitude"), "latitude", -90, 90),
        "lon": _float(row.get("longitude"), "longitude", -180, 180),
        "event_type": None,
        "sub_event_type": None,
        "family": UCDP_FAMILIES[kind],
        "fatalities": best,
        "data": {k: v for k, v in row.items() if k},
    }


def read_rows(path: Path, fmt: str, report: ImportReport) -> Iterator[dict[str, Any]]:
    """The valid rows of a CSV file; bad ones go to ``report.bad`` with their line numbers."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    convert: Callable[[dict[str, str]], dict[str, Any]] = acled_row if fmt == "acled-csv" else ucdp_row
    required = ACLED_REQUIRED if fmt == "acled-csv" else UCDP_REQUIRED
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start}); save the CSV as UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise ConfigError(f"{path}: not a {fmt} file: no column {', '.join(missing)} (found: {', '.join(header[:8])})")
    reader.fieldnames = header
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            report.read += 1
            if None in row:
                report.bad.append(f"{path}:{line}: more fields than the header has columns")
                continue
            try:
                out = convert(row)
            except BadRecordError as exc:
                report.bad.append(f"{path}:{line}: {exc.args[0]}")
                continue
            if out["ext_id"] in seen:
                report.bad.append(f"{path}:{line}: id {out['ext_id']} repeats line {seen[out['ext_id']]}")
                continue
            seen[out["ext_id"]] = line
            yield out
    except csv.Error as exc:
        raise ConfigError(f"{path}:{reader.line_num}: not valid CSV: {exc}") from None


def import_file(
    engine: sa.Engine, path: Path, fmt: str, source: str | None = None, *, as_mentions_into: Any = None
) -> ImportReport:
    """Validate and store the rows of ``path`` under ``source`` (default: ``acled`` / ``ucdp``).
    With ``as_mentions_into`` (the store of ``engine``) each row is also ingested as a report of its
    own whose event merges with Marsad's (ACLED only)."""
    dataset = DATASETS.get(fmt)
    if dataset is None:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if as_mentions_into is not None and fmt != "acled-csv":
        raise ConfigError(
            "--as-mentions works with --format acled-csv only: UCDP's violence types are not ACLED event types"
        )
    source = check_source(source or dataset)
    report = ImportReport()
    rows = list(read_rows(path, fmt, report))
    now = time.time()
    x = external_events.c
    try:
        with engine.begin() as conn:
            migrate.lock_for_writing(conn)
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                ids = [r["ext_id"] for r in chunk]
                old = conn.execute(sa.select(sa.func.count()).where(x.source == source, x.ext_id.in_(ids))).scalar_one()
                conn.execute(external_events.delete().where(x.source == source, x.ext_id.in_(ids)))
                conn.execute(
                    external_events.insert(),
                    [{**r, "source": source, "dataset": dataset, "imported_at": now} for r in chunk],
                )
                report.replaced += int(old)
                report.stored += len(chunk) - int(old)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot store the imported rows: {migrate.first_line(exc)}") from exc
    if as_mentions_into is not None:
        report.mentions = ingest_as_mentions(as_mentions_into, rows, source)
    return report


def _inter(value: str | None) -> int:
    """ACLED's ``inter1``/``inter2``: a code (``1``) or its label (``State forces``); 0 when unknown."""
    from marsad.store.acled import INTER_LABELS

    text = (value or "").strip()
    if text.isdigit():
        return int(text)
    by_label = {label.lower(): code for code, label in INTER_LABELS.items()}
    return by_label.get(text.lower(), 0)


def _precision(value: str | None, default: int) -> int:
    text = (value or "").strip()
    return int(text) if text in ("1", "2", "3") else default


def as_report(row: dict[str, Any], source: str) -> tuple[Any, Any]:
    """One validated ACLED row (``acled_row``) as ``(RawDocument, ExtractResult)``: a report of its
    own whose only mention is the row's event, coded as ACLED coded it."""
    from marsad.models import Actor, Event, Evidence, ExtractResult, Location, RawDocument, Source

    data: dict[str, str] = row["data"]
    place = row["location"] or row["admin2"] or row["admin1"] or row["country"]
    text = _text(data.get("notes"), 4000) or f"{data.get('sub_event_type', '')} in {place}, {row['date']:%d %B %Y}."

    def actor(name_col: str, inter_col: str) -> Actor | None:
        name = _text(data.get(name_col), 256)
        if not name:
            return None
        # ACLED dates its state forces ("Military Forces of Russia (2000-)"); Marsad's names do not
        return Actor(name, _PERIOD.sub("", name) or name, _inter(data.get(inter_col)), row["country"])

    sources = tuple(
        Source(name, name, "unspecified") for name in (n.strip() for n in (data.get("source") or "").split(";")) if name
    )
    event = Event(
        sub_event_type=row["sub_event_type"],
        date=row["date"],
        time_precision=_precision(data.get("time_precision"), 1),
        location=Location(
            name=place,
            geo_precision=_precision(data.get("geo_precision"), 3 if not row["location"] else 1),
            name_en=place,
            country=row["country"],
            admin1=row["admin1"],
            lat=row["lat"],
            lon=row["lon"],
        ),
        actor1=actor("actor1", "inter1"),
        actor2=actor("actor2", "inter2"),
        fatalities=row["fatalities"],
        sources=sources,
        evidence=(Evidence(0, len(text)),),
        notes=text,
        confidence=1.0,
    )
    raw = RawDocument(f"{source}:{row['ext_id']}", text, row["date"], None, None, source)
    return raw, ExtractResult(raw.doc_id, row["date"], None, (event,), produced_by={"import": source})


def ingest_as_mentions(store: Any, rows: Sequence[dict[str, Any]], source: str) -> Any:
    """Ingest validated ACLED rows as reports of their own (``as_report``): the ``IngestReport``."""
    from marsad.ingest import ingest
    from marsad.store.schema import events

    # provinces named as Marsad's events name them (ACLED's "Dara" is the store's "Dar'a")
    e = events.c
    try:
        with store.engine.connect() as conn:
            found = conn.execute(sa.select(e.country, e.admin1_key, e.admin1).where(e.admin1.is_not(None)).distinct())
            names = {(c, k): n for c, k, n in found}
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot read province names: {migrate.first_line(exc)}") from exc
    rows = [{**r, "admin1": names.get((r["country"], r["admin1_key"]), r["admin1"])} for r in rows]
    pairs = [as_report(r, source) for r in rows]
    results = {raw.doc_id: result for raw, result in pairs}
    return ingest(store, [raw for raw, _ in pairs], lambda raw: results[raw.doc_id])


def imported(
    engine: sa.Engine,
    *,
    source: str | None = None,
    country: str | None = None,
    admin1: Sequence[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Imported rows by date (``marsad imported``): source, id, date, place, types, fatalities."""
    x = external_events.c
    sel = sa.select(external_events).order_by(x.date, x.source, x.ext_id)
    if source:
        sel = sel.where(sa.or_(x.source == source, x.dataset == source))
    if country:
        sel = sel.where(x.country == country)
    keys = [admin1_key(a) for a in admin1]
    if keys:
        sel = sel.where(x.admin1_key.in_(keys))
    if since is not None:
        sel = sel.where(x.date >= since)
    if until is not None:
        sel = sel.where(x.date <= until)
    if limit:
        sel = sel.limit(limit)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sel).all()
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot read imported events: {migrate.first_line(exc)}") from exc
    for r in rows:
        day = r.date if isinstance(r.date, dt.date) else dt.date.fromisoformat(str(r.date))
        yield {
            "source": r.source,
            "dataset": r.dataset,
            "id": r.ext_id,
            "date": day.isoformat(),
            "country": r.country,
            "admin1": r.admin1,
            "admin2": r.admin2,
            "location": r.location,
            "lat": r.lat,
            "lon": r.lon,
            "event_type": r.event_type,
            "sub_event_type": r.sub_event_type,
            "family": r.family,
            "fatalities": r.fatalities,
        }


def side_by_side(
    engine: sa.Engine,
    *,
    source: str,
    country: str | None = None,
    admin1: Sequence[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Per province and day: Marsad's merged events and the imported dataset's, with fatalities
    (``marsad imported --compare``)."""
    from marsad.store.schema import events

    e, x = events.c, external_events.c
    keys = [admin1_key(a) for a in admin1]

    def scoped(sel: Any, cols: Any) -> Any:
        if country:
            sel = sel.where(cols.country == country)
        if keys:
            sel = sel.where(cols.admin1_key.in_(keys))
        if since is not None:
            sel = sel.where(cols.date >= since)
        if until is not None:
            sel = sel.where(cols.date <= until)
        return sel.where(cols.date.is_not(None)).group_by(cols.country, cols.admin1_key, cols.date)

    ours = scoped(
        sa.select(e.country, e.admin1_key, e.date, sa.func.count(), sa.func.sum(e.fatalities), sa.func.max(e.admin1)), e
    )
    theirs = scoped(
        sa.select(
            x.country, x.admin1_key, x.date, sa.func.count(), sa.func.sum(x.fatalities), sa.func.max(x.admin1)
        ).where(sa.or_(x.source == source, x.dataset == source)),
        x,
    )
    table: dict[tuple[str, str, str], dict[str, Any]] = {}
    try:
        with engine.connect() as conn:
            for side, sel in (("marsad", ours), (source, theirs)):
                for country_, key, day, n, deaths, name in conn.execute(sel):
                    day_s = day.isoformat() if isinstance(day, dt.date) else str(day)[:10]
                    slot = table.setdefault(
                        (country_ or "", key or "", day_s),
                        {
                            "country": country_,
                            "admin1": name,
                            "date": day_s,
                            "marsad_events": 0,
                            "marsad_fatalities": 0,
                            "their_events": 0,
                            "their_fatalities": 0,
                        },
                    )
                    prefix = "marsad" if side == "marsad" else "their"
                    slot[f"{prefix}_events"] += int(n)
                    slot[f"{prefix}_fatalities"] += int(deaths or 0)
                    if side == "marsad" and name:
                        slot["admin1"] = name
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot compare with imported events: {migrate.first_line(exc)}") from exc
    return [table[k] for k in sorted(table, key=lambda k: (k[2], k[0], k[1]))]
