#!/usr/bin/env python3
"""Escalation alerts: detection quality on synthetic daily series, and the cost of computing them.

usage: python benchmarks/bench_alerts.py [--series 200] [--days 200] [--seed 1] [--reports 1500] [--no-store]

1. **Detection** (``marsad.alerts.detect``, the default ``Settings``): ``--series`` synthetic daily
   series of ``--days`` days for every surge size; base rates 0.3, 1, 2 and 5 events a day, Poisson
   or over-dispersed (gamma-Poisson, shape 5 and 2, like real conflict counts); three surges
   injected at random days after day 60 of each series. A surge found on its day is a true
   positive, any other alert a false positive. Surge sizes: *strong* ``8 x rate + 5`` (what the
   unit test pins), *moderate* ``4 x rate + 4``, *weak* ``2 x rate + 3``. Then the same series
   without surges: false alarms per 10,000 area-days.
2. **Store** (skipped with ``--no-store``): a SQLite store of ``--reports`` synthetic reports (one
   air strike each, in 8 Syrian provinces, over a year), then a full ``recompute`` and the
   incremental ``refresh_after`` that ``ingest``, ``watch`` and ``poll`` run after a batch of one
   day's reports in one province.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.alerts import SeriesKey, detect, recompute, refresh_after  # noqa: E402
from marsad.alerts.synthetic import negbin, series  # noqa: E402
from marsad.ingest import ingest  # noqa: E402
from marsad.models import Actor, Event, Evidence, ExtractResult, Location, RawDocument, Source  # noqa: E402
from marsad.store import open_store  # noqa: E402

START = dt.date(2018, 1, 1)
KEY = SeriesKey("admin1", "SY", "dr", "Dar'a", "air_strikes", "events")
RATES = (0.3, 1.0, 2.0, 5.0)
SHAPES = (None, 5.0, 2.0)  # None: Poisson
SIZES = {"strong": (8.0, 5), "moderate": (4.0, 4), "weak": (2.0, 3)}


def detection(n_series: int, n_days: int, seed: int) -> None:
    print(f"Detection: {n_series} series of {n_days} days per surge size, 3 surges each (seed {seed})")
    print("| surge | precision | recall | recall at 0.3 / 1 / 2 / 5 a day | recall Poisson / shape 5 / shape 2 |")
    print("|---|---|---|---|---|")
    tested = 0
    t0 = time.perf_counter()
    for name, (factor, plus) in SIZES.items():
        rng = random.Random(seed)
        tp = fp = fn = 0
        by_rate = {r: [0, 0] for r in RATES}
        by_shape: dict[float | None, list[int]] = {s: [0, 0] for s in SHAPES}
        for i in range(n_series):
            mean, shape = RATES[i % len(RATES)], SHAPES[(i // len(RATES)) % len(SHAPES)]
            values = [negbin(rng, mean, shape) for _ in range(n_days)]
            surges = set(rng.sample(range(60, n_days), 3))
            for day in surges:
                values[day] += int(mean * factor) + plus
            found = {(a.day - START).days for a in detect(KEY, series(values, START), START)}
            tested += n_days
            hit = len(found & surges)
            tp, fp, fn = tp + hit, fp + len(found - surges), fn + len(surges - found)
            by_rate[mean][0] += hit
            by_rate[mean][1] += len(surges)
            by_shape[shape][0] += hit
            by_shape[shape][1] += len(surges)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn)
        rates = " / ".join(f"{h / n:.2f}" if n else "-" for h, n in by_rate.values())
        shapes = " / ".join(f"{h / n:.2f}" if n else "-" for h, n in by_shape.values())
        print(
            f"| {name} ({factor:g} x rate + {plus}) | {precision:.3f} ({tp}/{tp + fp}) "
            f"| {recall:.3f} ({tp}/{tp + fn}) | {rates} | {shapes} |"
        )
    rng = random.Random(seed + 1)
    alarms = days = 0
    for i in range(n_series):
        mean, shape = RATES[i % len(RATES)], SHAPES[(i // len(RATES)) % len(SHAPES)]
        values = [negbin(rng, mean, shape) for _ in range(n_days)]
        alarms += len(detect(KEY, series(values, START), START))
        days += n_days - 14
        tested += n_days
    elapsed = time.perf_counter() - t0
    rate = alarms / days * 1e4
    print(f"\nFlat series (no surge): {alarms} false alarms in {days:,} area-days = {rate:.2f} per 10,000")
    print(f"detect: {tested / elapsed:,.0f} series-days/s (whole run {elapsed:.1f} s, one core)")


PROVINCES = ("Dar'a", "Idleb", "Aleppo", "Hama", "Homs", "Rural Damascus", "Deir-ez-Zor", "Lattakia")
RUSSIA = Actor("الطيران الروسي", "Military Forces of Russia", 8, "RU")
SOHR = Source("المرصد السوري لحقوق الإنسان", "Syrian Observatory for Human Rights", "monitor")


def report(n: int, day: dt.date, province: str) -> tuple[RawDocument, ExtractResult]:
    text = f"شن الطيران الحربي غارة على البلدة رقم {n} في ريف المحافظة صباح اليوم بحسب المرصد السوري."
    raw = RawDocument(f"alert-bench-{n:06d}", text, day, None, None, "bench.example")
    place = Location(
        name=f"البلدة {n}",
        geo_precision=1,
        name_en=f"Town {n}",
        gazetteer_id=f"bench:{n}",
        country="SY",
        admin1=province,
        lat=33.0 + (n % 300) * 0.01,
        lon=36.0 + (n // 300 % 300) * 0.01,
    )
    event = Event(
        sub_event_type="air_drone_strike",
        date=day,
        time_precision=1,
        location=place,
        actor1=RUSSIA,
        actor2=None,
        fatalities=None,
        sources=(SOHR,),
        evidence=(Evidence(0, 40),),
        notes="",
        confidence=0.8,
    )
    return raw, ExtractResult(raw.doc_id, day, None, (event,), produced_by={"bench": "v1"})


def store_cost(n_reports: int, seed: int) -> None:
    rng = random.Random(seed)
    reports = dict(
        report(n, START + dt.timedelta(days=rng.randrange(365)), PROVINCES[n % len(PROVINCES)])
        for n in range(n_reports)
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "alerts.sqlite"))
        try:
            t0 = time.perf_counter()
            ingest(store, list(reports), lambda raw: reports[raw])
            built = time.perf_counter() - t0
            t0 = time.perf_counter()
            n_full = recompute(store.engine)
            full = time.perf_counter() - t0
            burst_day = START + dt.timedelta(days=300)
            burst = dict(report(n_reports + i, burst_day, "Idleb") for i in range(12))
            t_ingest = time.time()
            ingest(store, list(burst), lambda raw: burst[raw])
            t0 = time.perf_counter()
            n_inc = refresh_after(store.engine, t_ingest)
            incremental = time.perf_counter() - t0
            events = store.counts()["events"]
        finally:
            store.close()
    where = f"{len(PROVINCES)} provinces over 365 days"
    print(f"\nStore (SQLite): {events:,} merged events in {where} (built in {built:.1f} s)")
    print(f"full recompute: {full * 1000:.0f} ms ({n_full} alerts stored)")
    print(
        f"incremental refresh after 12 reports on one day in one province: {incremental * 1000:.0f} ms "
        f"({n_inc} alerts now stored for it)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--series", type=int, default=200)
    ap.add_argument("--days", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reports", type=int, default=1500)
    ap.add_argument("--no-store", action="store_true")
    args = ap.parse_args()
    if args.series < 1:
        raise SystemExit("--series must be at least 1")
    if args.days < 70:
        raise SystemExit("--days must be at least 70 (surges are injected after day 60)")
    detection(args.series, args.days, args.seed)
    if not args.no_store:
        store_cost(args.reports, args.seed)


if __name__ == "__main__":
    main()
