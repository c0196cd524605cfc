#!/usr/bin/env python3
"""Ingest throughput (documents per second) into fresh stores, extraction included.

usage: python benchmarks/bench_ingest.py [DOCS.jsonl ...] [--jobs 1,2] [--pg URL] [--extractor module:function]
                                          [--goal 150]

Every *distinct* report of DOCS (default: the dev reports, the peer sentences and our golden
records, as ``bench_extract.py``) is extracted, near-duplicate-checked, stored and merged once,
as ``marsad ingest --jobs N`` does it (worker processes, batched transactions, the persisted
near-duplicate index); texts are never repeated (a repeated set measures the caches). The clock
runs from the start of the worker processes (each loads its pipeline) to the last commit. Each
``--jobs`` value is measured into a fresh SQLite file and, when ``--pg`` (default: the test
server, when one answers) is reachable, into a fresh PostgreSQL schema. Then a freshly loaded
pipeline extracts the same reports in this process without the store, for the extraction-only rate.
Exits 1 when the best end-to-end rate into SQLite or into PostgreSQL is below ``--goal``.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bench_extract import DEV, GOLDEN, PEER, distinct  # noqa: E402

from marsad.engine import ExtractorSpec, open_engine  # noqa: E402
from marsad.ingest.run import run  # noqa: E402
from marsad.models import RawDocument  # noqa: E402
from marsad.settings import Settings  # noqa: E402
from marsad.store import open_store  # noqa: E402


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


PG = os.environ.get("MARSAD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_schema(base: str) -> tuple[str, str] | None:
    """A fresh schema on the PostgreSQL server of ``base``: (url, schema), or None when none answers."""
    import sqlalchemy as sa

    url = sa.engine.make_url(base)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1.0):
            pass
    except OSError:
        return None
    schema = f"marsad_bench_{uuid.uuid4().hex[:10]}"
    admin(base, f'CREATE SCHEMA "{schema}"')
    return f"{base}?options=-csearch_path%3D{schema}", schema


def admin(base: str, sql: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(sql))
    finally:
        engine.dispose()


def cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def ingest_rate(
    docs: list[RawDocument], url: str, spec: ExtractorSpec, jobs: int, batch: int
) -> tuple[float, int, float]:
    """(documents/s, merged events, CPU ms per document in this process and its workers; a
    database server's CPU is not counted)."""
    store = open_store(url)
    try:
        c0, t0 = cpu_seconds(), time.perf_counter()
        with open_engine("local", spec, jobs=jobs) as engine:  # type: ignore[attr-defined]
            report = run(store, docs, engine, batch_size=batch)
        elapsed = time.perf_counter() - t0
        cpu_ms = 1000 * (cpu_seconds() - c0) / len(docs)
        events = store.counts()["events"]
    finally:
        store.close()
    if report.failed:
        print(f"  {report.failed} failed: {report.failures[:3]}")
    return len(docs) / elapsed, events, cpu_ms


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("docs", nargs="*", type=Path, help="JSONL reports (default: dev, peer and golden reports)")
    ap.add_argument("--extractor", default=None, help="module:function instead of marsad.pipeline.Pipeline")
    ap.add_argument("--jobs", default=f"1,{os.cpu_count() or 1}", help="worker counts to measure (default 1,cores)")
    ap.add_argument("--batch-size", type=int, default=200, help="documents per transaction (default 200)")
    ap.add_argument("--pg", default=PG, help="PostgreSQL base URL ('' to skip; default: the test server)")
    ap.add_argument("--goal", type=float, default=150.0, help="least end-to-end documents/s (default 150)")
    args = ap.parse_args(argv)

    docs = distinct(args.docs or [DEV, PEER, GOLDEN])
    spec = ExtractorSpec(args.extractor, Settings.from_env())
    print(f"documents {len(docs)} (distinct), {os.cpu_count()} CPU cores, batch {args.batch_size}")
    best: dict[str, float] = {}
    for jobs in sorted({int(j) for j in args.jobs.split(",")}):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"  ({load()})")
            rate, events, cpu = ingest_rate(docs, str(Path(tmp) / "bench.sqlite"), spec, jobs, args.batch_size)
        best["SQLite"] = max(best.get("SQLite", 0.0), rate)
        print(f"ingest end to end, SQLite, --jobs {jobs}: {rate:.1f} docs/s ({events} events; {cpu:.1f} ms CPU/doc)")
        made = pg_schema(args.pg) if args.pg else None
        if made is None:
            continue
        url, schema = made
        try:
            print(f"  ({load()})")
            rate, events, cpu = ingest_rate(docs, url, spec, jobs, args.batch_size)
        finally:
            admin(args.pg, f'DROP SCHEMA "{schema}" CASCADE')
        best["PostgreSQL"] = max(best.get("PostgreSQL", 0.0), rate)
        print(
            f"ingest end to end, PostgreSQL, --jobs {jobs}: {rate:.1f} docs/s ({events} events; "
            f"{cpu:.1f} ms CPU/doc without the server's)"
        )

    extract = ExtractorSpec(args.extractor, Settings.from_env())._load()
    extract(RawDocument("warm-up", "قتل مدني بقصف على بلدة في ريف درعا"))
    t0 = time.perf_counter()
    for d in docs:
        extract(d)
    print(f"extraction only, one process: {len(docs) / (time.perf_counter() - t0):.1f} docs/s")
    below = {k: v for k, v in best.items() if v < args.goal}
    for name, rate in best.items():
        print(f"best {name}: {rate:.1f} docs/s (goal {args.goal:g}){'  BELOW GOAL' if name in below else ''}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
