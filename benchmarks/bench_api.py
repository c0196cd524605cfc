#!/usr/bin/env python3
"""Latency of ``GET /api/v1/events`` with filters, on a SQLite store of N merged events.

usage: python benchmarks/bench_api.py [--events 100000] [--db PATH] [--runs 30] [--goal-ms 100]

The store is built fast by bulk SQL through the store's own tables (``marsad.store.schema``):
``--events`` merged events written straight into ``events`` (and their ``event_words`` and ``actor_names`` rows, as
``SqlStore._refresh_event`` would write them), in batches of 5,000, one transaction each. Each
event is a distinct synthetic event at a distinct place of the packaged gazetteer (towns, cities
and communities of the whole region, in turn), on one of 1,500 days, with one of 24 sub-event
types, an actor, a fatality figure and 1-3 independent sources; 1 in 50 events is reviewed
(accepted, edited or rejected). No documents or mentions: the list endpoint does not read them.

Each query (the dashboard's filters, alone and combined, both sort keys, a second page through
the cursor) is sent ``--runs`` times through FastAPI's TestClient, in process, so a figure is the
whole request: routing, validation, the SQL (page and total count), JSON encoding. Reports p50
and p95 per query and over all requests, and the CPU time of this process per request (a figure
that other programs on a busy machine do not inflate, unlike the wall-clock one, with the load
average printed next to it); exits 1 when the overall wall-clock p95 exceeds ``--goal-ms``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.geo.gazetteer import PACKAGED_GAZETTEER  # noqa: E402
from marsad.models import EVENT_TYPES  # noqa: E402
from marsad.store import open_store, review  # noqa: E402
from marsad.store.merge import admin1_key  # noqa: E402
from marsad.store.schema import actor_names, event_reviews, event_words, events  # noqa: E402

BATCH = 5000
ACTORS = [
    ("قوات النظام", "Military Forces of Syria", 1, "SY"),
    ("الطيران الروسي", "Military Forces of Russia", 8, "RU"),
    ("قوات الدعم السريع", "Rapid Support Forces", 2, "SD"),
    ("جماعة الحوثي", "Ansar Allah", 2, "YE"),
    ("تنظيم الدولة", "Islamic State", 2, None),
    ("مدنيين", "Civilians", 7, None),
]


def places() -> list[tuple[str, str, str, str, str, float, float]]:
    con = sqlite3.connect(f"{PACKAGED_GAZETTEER.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT id, name_ar, name_en, country, admin1, lat, lon FROM places "
            "WHERE kind IN ('city', 'community') AND admin1 != '' ORDER BY pid"
        ).fetchall()
    finally:
        con.close()


def build(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    pool = places()
    subs = sorted(EVENT_TYPES)
    store = open_store(str(path))
    start = time.perf_counter()
    actors: set[str] = set()
    try:
        for first in range(0, n, BATCH):
            rows, words, reviews = [], [], []
            for i in range(first, min(n, first + BATCH)):
                pid, name_ar, name_en, country, admin1, lat, lon = pool[i % len(pool)]
                sub = subs[rng.randrange(len(subs))]
                day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1500))
                toll = rng.choice([None, 0, 1, 2, 3, 5, 8, 13, 40])
                a1 = dict(
                    zip(("name", "canonical", "inter", "country"), ACTORS[rng.randrange(len(ACTORS))], strict=True)
                )
                sources = rng.randint(1, 3)
                loc = {
                    "name": name_ar,
                    "name_en": name_en,
                    "gazetteer_id": pid,
                    "country": country,
                    "admin1": admin1,
                    "lat": lat,
                    "lon": lon,
                    "geo_precision": 1,
                }
                notes = f"On {day:%d %B %Y}, {a1['canonical']} carried out a {sub.replace('_', ' ')} in {name_en}."
                data = {
                    "event_type": EVENT_TYPES[sub],
                    "sub_event_type": sub,
                    "date": day.isoformat(),
                    "time_precision": 1,
                    "location": loc,
                    "actor1": a1,
                    "actor2": None,
                    "assoc_actors1": [],
                    "assoc_actors2": [],
                    "fatalities": toll,
                    "fatalities_min": toll,
                    "fatalities_max": toll,
                    "injured": None,
                    "quantities": [],
                    "sources": [],
                    "evidence": [],
                    "notes": notes,
                    "confidence": 0.8,
                    "independent_sources": sources,
                    "flags": [],
                }
                event_id = f"MRS{i:012X}"
                rows.append(
                    dict(
                        event_id=event_id,
                        event_type=data["event_type"],
                        sub_event_type=sub,
                        date=day,
                        country=country,
                        admin1=admin1,
                        admin1_key=admin1_key(admin1),
                        location_name=name_ar,
                        lat=lat,
                        lon=lon,
                        geo_precision=1,
                        fatalities=toll,
                        fatalities_min=toll,
                        fatalities_max=toll,
                        independent_sources=sources,
                        n_mentions=sources,
                        data=data,
                        timestamp=1_700_000_000 + i,
                    )
                )
                words += review.search_rows(
                    event_id, review.words_of([name_ar, name_en, admin1, notes]), review.actors_of(data)
                )
                actors.update(review.actors_of(data))
                if i % 50 == 0:
                    state = ("accepted", "edited", "rejected")[i // 50 % 3]
                    reviews.append(
                        dict(event_id=event_id, state=state, changes={}, updated_at=time.time(), updated_by="bench")
                    )
            with store.engine.begin() as conn:
                conn.execute(events.insert(), rows)
                conn.execute(event_words.insert(), words)
                if reviews:
                    conn.execute(event_reviews.insert(), reviews)
        with store.engine.begin() as conn:
            conn.execute(actor_names.insert(), [dict(name=a) for a in sorted(actors)])
            conn.exec_driver_sql("ANALYZE")
    finally:
        store.close()
    print(f"built {n:,} events in {time.perf_counter() - start:.1f} s ({path})", file=sys.stderr)


QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("no filter (latest 100)", {}),
    ("country", {"country": "Syria"}),
    ("country + province", {"country": "SY", "admin1": "Daraa"}),
    ("event type", {"event_type": "Battles"}),
    (
        "sub-event type + dates",
        {"sub_event_type": "Air/drone strike", "date_from": "2021-01-01", "date_to": "2021-06-30"},
    ),
    ("date range (one month)", {"date_from": "2022-03-01", "date_to": "2022-03-31"}),
    ("bbox (Damascus area)", {"bbox": "35.9,33.2,36.6,33.8"}),
    ("min 3 sources", {"min_sources": 3}),
    ("actor", {"actor": "Rapid Support"}),
    ("text search (Arabic)", {"q": "درعا"}),
    ("text search (English)", {"q": "shelling"}),
    ("review: rejected", {"review": "rejected"}),
    ("sort by fatalities", {"sort": "-fatalities"}),
    (
        "country + type + dates, limit 1000",
        {"country": "YE", "event_type": "explosions_remote_violence", "date_from": "2021-01-01", "limit": 1000},
    ),
    (
        "everything combined",
        {
            "country": "SY",
            "event_type": "battles",
            "date_from": "2020-06-01",
            "date_to": "2023-06-01",
            "min_sources": 2,
            "sort": "-fatalities",
        },
    ),
]


def measure(db: Path, runs: int) -> tuple[list[tuple[str, float, float, float, int]], list[float], list[float]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from marsad.api.app import create_app
    from marsad.api.settings import ApiSettings

    settings = ApiSettings(db=str(db), secret_key="bench-" * 8)
    results, every, every_cpu, default_page = [], [], [], []
    with TestClient(create_app(settings)) as client:
        cursor = client.get("/api/v1/events", params={"country": "SY"}).json()["next_cursor"]
        queries = [*QUERIES, ("country, second page (cursor)", {"country": "SY", "cursor": cursor})]
        for name, params in queries:
            r = client.get("/api/v1/events", params=params)  # warm caches (values, prepared statements)
            assert r.status_code == 200, (name, r.text)
            total = r.json()["total"]
            times, cpu = [], []
            for _ in range(runs):
                t0, c0 = time.perf_counter(), time.process_time()
                r = client.get("/api/v1/events", params=params)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)  # this process's threads only
                assert r.status_code == 200
            times.sort()
            cpu.sort()
            every += times
            every_cpu += cpu
            if "limit" not in params:
                default_page += times
            results.append((name, statistics.median(times), percentile(times, 0.95), percentile(cpu, 0.95), total))
    print(
        f"requests for a page of 100 (the default; all but the limit-1000 query): "
        f"p50 {statistics.median(default_page):.1f} ms, p95 {percentile(default_page, 0.95):.1f} ms",
        file=sys.stderr,
    )
    return results, every, every_cpu


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="reuse (or build once into) this SQLite file")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--goal-ms", type=float, default=100.0)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="marsad-bench-api-")
    db = args.db or Path(folder) / "bench.sqlite"
    if not db.exists():
        build(db, args.events)
    load = os.getloadavg()[0]
    results, every, every_cpu = measure(db, args.runs)
    p95 = percentile(every, 0.95)
    print("| query | matches | p50 ms | p95 ms | p95 CPU ms |\n|---|---:|---:|---:|---:|")
    for name, p50, p95_one, cpu95, total in results:
        print(f"| {name} | {total:,} | {p50:.1f} | {p95_one:.1f} | {cpu95:.1f} |")
    p50 = statistics.median(every)
    print(f"\nall {len(every)} requests: p50 {p50:.1f} ms, p95 {p95:.1f} ms (goal <= {args.goal_ms:.0f} ms)")
    print(f"CPU time per request: p50 {statistics.median(every_cpu):.1f} ms, p95 {percentile(every_cpu, 0.95):.1f} ms")
    print(
        f"cpu: {os.cpu_count()} cores, load average {load:.1f} before / {os.getloadavg()[0]:.1f} after; "
        f"python {sys.version.split()[0]}"
    )
    return 0 if p95 <= args.goal_ms else 1


if __name__ == "__main__":
    sys.exit(main())
