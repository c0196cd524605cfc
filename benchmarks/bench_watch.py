#!/usr/bin/env python3
"""Latency of ``marsad watch``: seconds from a report being written into the watched folder to its
document being visible to another connection to the database.

usage: python benchmarks/bench_watch.py [--reports 20] [--interval 0.1] [--settle 0.2] [--db-url URL]

Starts ``marsad watch`` (the real extractor, a fresh SQLite file unless ``--db-url``) in a process
of its own, then writes ``--reports`` distinct short reports of our own, one at a time, each after
the previous one became visible, and times each from the end of its write to the moment a read-only
store opened by this process counts it. Prints the median, the 95th percentile and the slowest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.store import open_store  # noqa: E402

TOWNS = ["طفس", "نوى", "بصرى الشام", "داعل", "جاسم", "الحراك", "انخل", "الصنمين", "إزرع", "المسيفرة"]
WHO = ["قوات النظام", "الطيران الروسي", "فصائل المعارضة"]
HOW = [
    "قصفت {who} بلدة {town} بالمدفعية الثقيلة صباح اليوم ما أدى إلى مقتل {n} مدنيين",
    "شن {who} غارات على أطراف {town} مساء اليوم وأسفرت عن إصابة {n} أشخاص",
    "اندلعت اشتباكات بين {who} ومسلحين محليين في {town} وقتل فيها {n} مقاتلين",
]


def report(i: int) -> str:
    """Report ``i``: one incident in a town of Daraa, with its own figure and wording."""
    first = HOW[i % 3].format(who=WHO[(i // 3) % 3], town=TOWNS[i % len(TOWNS)], n=2 + i)
    return f"{first}، بحسب ما أفاد ناشطون. وهذا التقرير رقم {i + 1} عن ريف درعا."


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=20)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--settle", type=float, default=0.2)
    ap.add_argument("--db-url", help="database to watch into (default: a new SQLite file)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one report")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="marsad-watch-") as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        db_url = args.db_url or f"sqlite:///{Path(tmp) / 'watch.sqlite'}"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
        command = [sys.executable, "-m", "marsad", "watch", str(inbox), "--db", db_url]
        command += ["--interval", str(args.interval), "--settle", str(args.settle)]
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        latencies: list[float] = []
        try:
            reader = _reader(db_url, proc, args.timeout)
            day = dt.date(2018, 7, 1)
            for i in range(args.reports):
                path = inbox / f"daraa-{day + dt.timedelta(days=i)}-{i:03d}.txt"
                path.write_text(report(i), encoding="utf-8")
                landed = time.monotonic()
                while _documents(reader) < i + 1:
                    if time.monotonic() - landed > args.timeout or proc.poll() is not None:
                        raise SystemExit(f"report {i} not visible after {args.timeout:g} s")
                    time.sleep(0.01)
                latencies.append(time.monotonic() - landed)
            reader.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    print(
        f"{len(latencies)} reports, --interval {args.interval:g} --settle {args.settle:g}: "
        f"median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, slowest {latencies[-1]:.2f} s"
    )
    return 0


def _reader(db_url: str, proc: subprocess.Popen[str], timeout: float):  # type: ignore[no-untyped-def]
    """A read-only store on the watcher's database, once the watcher has created it."""
    began = time.monotonic()
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"marsad watch stopped: {proc.stderr.read() if proc.stderr else ''}")
        try:
            store = open_store(db_url, readonly=True)
            _documents(store)
            return store
        except Exception:  # the file or its schema is not there yet
            if time.monotonic() - began > timeout:
                raise
            time.sleep(0.1)


def _documents(store) -> int:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM documents")).scalar_one())


if __name__ == "__main__":
    raise SystemExit(main())
