#!/usr/bin/env python3
"""Export time and peak memory (RSS) for every export format, on a store of N merged events.

usage: python benchmarks/bench_export.py [--events 10000] [--db PATH] [--goal-mb 150]

Builds (or reuses, with ``--db``) a SQLite store of ``--events`` merged events, each with one
mention, through ``Store.add`` (synthetic reports: four strikes at four places a report, so no two
events merge). Then runs ``marsad export`` for each format, ``marsad events --format json`` and
the default ``marsad events`` table, each in its own process, which reports its own peak RSS
(``VmHWM`` of ``/proc/self/status``, Linux; the ``ru_maxrss`` of ``getrusage`` elsewhere, which
can include memory inherited from this process). Exits 1 when a run exceeds ``--goal-mb``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.ingest import ingest  # noqa: E402
from marsad.models import Actor, Event, Evidence, ExtractResult, Location, RawDocument, Source  # noqa: E402
from marsad.store import open_store  # noqa: E402

PER_REPORT = 4
REGIME = Actor("قوات النظام", "Military Forces of Syria", 1, "SY")
CIVILIANS = Actor("مدنيين", "Civilians (Syria)", 7, "SY")
SOHR = Source("المرصد السوري لحقوق الإنسان", "Syrian Observatory for Human Rights", "monitor")
SENTENCE = "قصفت قوات النظام البلدة {i} في ريف المحافظة صباح اليوم ما أدى إلى مقتل {k} مدنيين بحسب المرصد السوري. "


def report(n: int) -> tuple[RawDocument, ExtractResult]:
    """Report ``n``: four shellings at four places of their own, on a day of their own."""
    day = dt.date(2018, 1, 1) + dt.timedelta(days=n % 700)
    text = "".join(SENTENCE.format(i=n * PER_REPORT + j, k=j + 1) for j in range(PER_REPORT))
    raw = RawDocument(f"bench-{n:06d}", text, day, f"تقرير {n}", f"https://bench.example/{n}", "bench.example")
    events = []
    for j in range(PER_REPORT):
        i = n * PER_REPORT + j
        place = Location(
            name=f"بلدة {i}",
            geo_precision=1,
            name_en=f"Town {i}",
            gazetteer_id=f"bench:{i}",
            country="SY",
            admin1="Dar'a",
            lat=32.0 + (i % 200) * 0.05,
            lon=35.5 + (i // 200 % 200) * 0.05,
        )
        events.append(
            Event(
                sub_event_type="shelling_artillery_missile_attack",
                date=day,
                time_precision=1,
                location=place,
                actor1=REGIME,
                actor2=CIVILIANS,
                fatalities=j + 1,
                sources=(SOHR,),
                evidence=(Evidence(j * 100, j * 100 + 90),),
                notes="",
                confidence=0.8,
            )
        )
    return raw, ExtractResult(raw.doc_id, day, raw.title, tuple(events), produced_by={"bench": "v1"})


def build(db: Path, n_events: int) -> float:
    reports = dict(report(n) for n in range(n_events // PER_REPORT))
    store = open_store(str(db))
    t0 = time.perf_counter()
    try:
        ingest(store, list(reports), lambda raw: reports[raw])
        assert store.counts()["events"] >= n_events, store.counts()
    finally:
        store.close()
    return time.perf_counter() - t0


# Runs `marsad` and, at exit, writes its own peak RSS in KiB to $BENCH_RSS_FILE.
CHILD = """
import atexit, os, resource, sys
def peak():
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        with open("/proc/self/status") as f:
            kib = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except OSError:
        pass
    with open(os.environ["BENCH_RSS_FILE"], "w") as f:
        f.write(str(kib))
atexit.register(peak)
from marsad.cli import main
sys.argv = ["marsad", *sys.argv[1:]]
main()
"""


def measure(args: list[str], out: Path | None, tmp: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, bytes written) of one ``marsad`` run in its own process."""
    rss = tmp / "rss.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "BENCH_RSS_FILE": str(rss)}
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"marsad {' '.join(args)} failed: {done.stderr.decode(errors='replace')[-500:]}")
    size = out.stat().st_size if out is not None and out.exists() else 0
    return seconds, int(rss.read_text()) / 1024, size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--db", type=Path, default=None, help="reuse (or create) this store instead of a temporary one")
    ap.add_argument("--goal-mb", type=float, default=150.0)
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="marsad-bench-") as tmp:
        db = args.db or Path(tmp) / "bench.sqlite"
        if not db.exists():
            seconds = build(db, args.events)
            print(f"built {args.events} events in {seconds:.1f} s ({db.stat().st_size / 1e6:.1f} MB)")
        runs: list[tuple[str, list[str], Path | None]] = [("marsad --version", ["--version"], None)]
        for fmt, suffix in (("jsonl", "jsonl"), ("acled-csv", "csv"), ("geojson", "geojson"), ("parquet", "parquet")):
            out = Path(tmp) / f"events.{suffix}"
            runs.append((f"export {fmt}", ["export", "--format", fmt, "--db", str(db), "-o", str(out)], out))
        flat = Path(tmp) / "flat.geojson"
        runs.append(
            (
                "export geojson --flat",
                ["export", "--format", "geojson", "--flat", "--db", str(db), "-o", str(flat)],
                flat,
            )
        )
        runs.append(
            ("events --format json --limit 0", ["events", "--format", "json", "--limit", "0", "--db", str(db)], None)
        )
        runs.append(("events (table, first 50)", ["events", "--db", str(db)], None))
        worst = 0.0
        print(f"{'run':<34} {'seconds':>8} {'peak RSS MB':>12} {'output MB':>10}")
        for name, cmd, out in runs:
            seconds, rss, size = measure(cmd, out, Path(tmp))
            worst = max(worst, rss)
            print(f"{name:<34} {seconds:>8.1f} {rss:>12.0f} {size / 1e6:>10.1f}")
    print(f"largest peak RSS {worst:.0f} MB (goal <= {args.goal_mb:g} MB)")
    return 0 if worst <= args.goal_mb else 1


if __name__ == "__main__":
    sys.exit(main())
