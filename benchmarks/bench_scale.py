#!/usr/bin/env python3
"""Scaling of ``marsad ingest --engine dask`` from 1 to 2 workers, peak memory per worker, and the
per-report costs a capacity plan needs (``docs/scale.md``).

usage: python benchmarks/bench_scale.py [--n 10000] [--workers 1,2] [--repeat 2] [--pg URL] [--json]

The reports are *distinct*: each is made of sentences of two different source reports (the dev
and peer reports, our golden records), its figures replaced by other numbers and its publication
date drawn within two years, so no text repeats and near-duplicates are as rare as in a feed.

For each worker count a fresh local cluster is started and its workers load the pipeline before
the clock starts (a long-running cluster has them loaded). Two figures are measured:

- **map**: reading, extraction and signatures on the workers, the results brought back to the
  client (what parallelises);
- **end to end**: the same, stored and merged by the client into a fresh SQLite file (and a
  fresh PostgreSQL schema with ``--pg``), as ``marsad ingest --engine dask`` does.

Each is run ``--repeat`` times and the best kept (other work on the machine slows single runs);
the load average before each run is printed. CPU per report is from ``getrusage`` of the workers
and of the client.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_extract import DEV, GOLDEN, PEER, distinct  # noqa: E402

from marsad.engine import ExtractorSpec  # noqa: E402
from marsad.engine.cluster import DaskEngine  # noqa: E402
from marsad.ingest.run import CHUNK, run  # noqa: E402
from marsad.models import RawDocument  # noqa: E402
from marsad.settings import Settings  # noqa: E402
from marsad.store import open_store  # noqa: E402

SENTENCE = re.compile(r"[^.!؟\n]+[.!؟]?")
DIGITS = re.compile(r"\d+")


def reports(n: int, seed: int = 11) -> list[RawDocument]:
    """``n`` distinct reports made from sentences of the source reports (see the module docstring)."""
    rng = random.Random(seed)
    sources = [d for d in distinct([DEV, PEER, GOLDEN]) if len(d.text) > 80]
    split = [[s.strip() for s in SENTENCE.findall(d.text) if len(s.strip()) > 25] for d in sources]
    split = [s for s in split if s]
    seen: set[str] = set()
    out: list[RawDocument] = []
    while len(out) < n:
        a, b = rng.sample(range(len(split)), 2)
        head = split[a][: rng.randint(1, 3)]
        tail = [rng.choice(split[b])]
        text = " ".join(head + tail)
        text = DIGITS.sub(lambda m: str(rng.randint(2, 60)) if len(m.group()) < 4 else m.group(), text)
        if text in seen:
            continue
        seen.add(text)
        day = dt.date(2017, 1, 1) + dt.timedelta(days=rng.randrange(730))
        out.append(RawDocument(f"s{len(out):06d}", text, published=day, outlet=f"outlet{rng.randrange(40)}.example"))
    return out


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _warm(spec: ExtractorSpec) -> int:
    spec.build()
    return os.getpid()


def _usage() -> tuple[float, float]:
    """(CPU seconds, peak RSS MB) of this worker process."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def measure(workers: int, docs: list[RawDocument], spec: ExtractorSpec, repeat: int, pg: str | None) -> dict[str, Any]:
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    out: dict[str, Any] = {"workers": workers}
    try:
        client.run(_warm, spec)
        with DaskEngine(spec, jobs=workers, client=client) as engine:
            best_map = 0.0
            for _ in range(repeat):
                print(f"  map, {workers} worker(s), {load()}", flush=True)
                before = client.run(_usage)
                t0 = time.perf_counter()
                chunks = ((None, docs[i : i + CHUNK]) for i in range(0, len(docs), CHUNK))
                count = sum(len(prepared) for _, prepared in engine.imap(chunks))
                rate = count / (time.perf_counter() - t0)
                after = client.run(_usage)
                best_map = max(best_map, rate)
                cpu = sum(after[w][0] - before[w][0] for w in after)
                out["map_cpu_ms"] = 1000 * cpu / len(docs)
            out["map_docs_s"] = best_map
            for name, url_of in (("sqlite", _sqlite), ("postgresql", _pg(pg))):
                if url_of is None:
                    continue
                best = 0.0
                for _ in range(repeat):
                    print(f"  end to end into {name}, {workers} worker(s), {load()}", flush=True)
                    with url_of() as url:
                        store = open_store(url)
                        try:
                            c0, t0 = _cpu(), time.perf_counter()
                            report = run(store, docs, engine)
                            rate = len(docs) / (time.perf_counter() - t0)
                            out[f"{name}_client_cpu_ms"] = 1000 * (_cpu() - c0) / len(docs)
                            out[f"{name}_events"] = store.counts()["events"]
                        finally:
                            store.close()
                    if report.failed:
                        print(f"  {report.failed} failed: {report.failures[:3]}")
                    best = max(best, rate)
                out[f"{name}_docs_s"] = best
        out["peak_rss_mb"] = max(mb for _, mb in client.run(_usage).values())
    finally:
        client.close()
        cluster.close()
    return out


class _sqlite:
    def __enter__(self) -> str:
        self._dir = tempfile.TemporaryDirectory()
        return f"sqlite:///{Path(self._dir.name) / 'scale.sqlite'}"

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()


def _pg(base: str | None) -> Any:
    if not base:
        return None
    from bench_ingest import admin, pg_schema

    class Schema:
        def __enter__(self) -> str:
            made = pg_schema(base)
            if made is None:
                raise SystemExit(f"no PostgreSQL server answers at {base}")
            url, self.schema = made
            return url

        def __exit__(self, *exc: object) -> None:
            admin(base, f'DROP SCHEMA "{self.schema}" CASCADE')

    return Schema


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000, help="distinct reports (default 10,000)")
    ap.add_argument("--workers", default="1,2", help="worker counts (default 1,2)")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each measure, the best kept (default 2)")
    ap.add_argument("--pg", default="", help="also measure into a fresh schema of this PostgreSQL server")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    docs = reports(args.n)
    print(f"{len(docs)} distinct reports made in {time.perf_counter() - t0:.1f} s; {os.cpu_count()} CPU cores")
    spec = ExtractorSpec(None, Settings.from_env())
    results = [measure(int(w), docs, spec, args.repeat, args.pg) for w in args.workers.split(",")]
    for r in results:
        line = ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items())
        print(line)
    if len(results) > 1:
        first, last = results[0], results[-1]
        for key in ("map_docs_s", "sqlite_docs_s", "postgresql_docs_s"):
            if key in first and key in last:
                print(f"{key}: {first['workers']} -> {last['workers']} workers x{last[key] / first[key]:.2f}")
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
