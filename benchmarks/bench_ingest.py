#!/usr/bin/env python3
"""Ingest throughput (documents per second) into a fresh SQLite store, extraction included.

usage: python benchmarks/bench_ingest.py [DOCS.jsonl ...] [--extractor module:function] [--goal 100]

Every *distinct* report of DOCS (default: the dev reports, the peer sentences and our golden
records, as ``bench_extract.py``) is extracted, near-duplicate-checked, stored and merged once, by
a freshly loaded pipeline; texts are never repeated (a repeated set measures the caches). Then a
second fresh pipeline extracts the same reports without the store, for the extraction-only rate.
Exits 1 when the end-to-end rate is below ``--goal``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bench_extract import DEV, GOLDEN, PEER, distinct  # noqa: E402

from marsad.ingest import ingest  # noqa: E402
from marsad.models import ExtractResult, RawDocument  # noqa: E402
from marsad.settings import Settings  # noqa: E402
from marsad.store import open_store  # noqa: E402


def extractor(spec: str | None) -> Callable[[RawDocument], ExtractResult]:
    if spec:
        module, _, name = spec.partition(":")
        fn: Callable[[RawDocument], ExtractResult] = getattr(importlib.import_module(module), name)
        return fn
    from marsad.pipeline import Pipeline  # type: ignore[import-not-found,unused-ignore]

    run: Callable[[RawDocument], ExtractResult] = Pipeline.from_settings(Settings.from_env()).run
    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("docs", nargs="*", type=Path, help="JSONL reports (default: dev, peer and golden reports)")
    ap.add_argument("--extractor", default=None, help="module:function instead of marsad.pipeline.Pipeline")
    ap.add_argument("--goal", type=float, default=100.0, help="least end-to-end documents/s (default 100)")
    args = ap.parse_args(argv)

    docs = distinct(args.docs or [DEV, PEER, GOLDEN])
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "bench.sqlite"))
        run = extractor(args.extractor)
        run(RawDocument("warm-up", "قتل مدني بقصف على بلدة في ريف درعا"))  # loads outside the timing
        t0 = time.perf_counter()
        report = ingest(store, docs, run)
        t_total = time.perf_counter() - t0
        counts = store.counts()
        store.close()

    run = extractor(args.extractor)
    run(RawDocument("warm-up", "قتل مدني بقصف على بلدة في ريف درعا"))
    t0 = time.perf_counter()
    mentions = sum(len(run(d).events) for d in docs)
    t_extract = time.perf_counter() - t0

    rate = len(docs) / t_total
    print(f"documents {len(docs)} (distinct), mentions {mentions}, events {counts['events']}, failed {report.failed}")
    print(f"extraction only: {len(docs) / t_extract:.1f} docs/s")
    print(f"ingest end to end (SQLite, extraction included): {rate:.1f} docs/s  (goal {args.goal:g})")
    return 0 if rate >= args.goal else 1


if __name__ == "__main__":
    sys.exit(main())
