#!/usr/bin/env python3
"""Ingest throughput (documents per second) into a fresh SQLite store, extraction included.

usage: python benchmarks/bench_ingest.py [--docs ../shared/eval/dev/docs.jsonl] [--repeat 10]
                                         [--extractor module:function] [--goal 100]

The dev reports are repeated ``--repeat`` times under new doc_ids (``<id>-r<k>``), so every copy is
extracted, near-duplicate-checked, stored and merged. Prints extraction-only and end-to-end rates;
exits 1 when the end-to-end rate is below ``--goal``.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.ingest import ingest  # noqa: E402
from marsad.ingest.readers import record_to_document  # noqa: E402
from marsad.models import ExtractResult, RawDocument  # noqa: E402
from marsad.settings import Settings  # noqa: E402
from marsad.store import open_store  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev" / "docs.jsonl"


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
    ap.add_argument("--docs", type=Path, default=DEV)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--extractor", default=None, help="module:function instead of marsad.pipeline.Pipeline")
    ap.add_argument("--goal", type=float, default=100.0)
    args = ap.parse_args(argv)

    base = [record_to_document(json.loads(line)) for line in args.docs.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    docs = [dataclasses.replace(d, doc_id=f"{d.doc_id}-r{k}") for k in range(args.repeat) for d in base]
    run = extractor(args.extractor)
    run(base[0])  # warm up lexicons and the gazetteer outside the timing

    t0 = time.perf_counter()
    mentions = sum(len(run(d).events) for d in docs)
    t_extract = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "bench.sqlite"))
        t0 = time.perf_counter()
        report = ingest(store, docs, run)
        t_total = time.perf_counter() - t0
        counts = store.counts()
        store.close()

    rate = len(docs) / t_total
    print(f"documents {len(docs)} ({len(base)} x {args.repeat}), mentions {mentions}, "
          f"events {counts['events']}, failed {report.failed}")
    print(f"extraction only: {len(docs) / t_extract:.1f} docs/s")
    print(f"ingest end to end (SQLite, extraction included): {rate:.1f} docs/s  (goal {args.goal:g})")
    return 0 if rate >= args.goal else 1


if __name__ == "__main__":
    sys.exit(main())
