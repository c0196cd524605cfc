#!/usr/bin/env python3
"""Extraction throughput in one process on one core: documents per second, peak RSS, load time.

usage: python benchmarks/bench_extract.py [DOCS.jsonl ...] [--rules-only] [--profile] [--dateparser]
                                          [--goal-rate 300] [--goal-rss-mb 300]

Every *distinct* report of DOCS (default: the dev reports, the peer sentences and our golden
records: about 1,100 texts) is extracted once with ``Pipeline.run`` (learned decisions included
unless ``--rules-only``) and serialised as ``marsad extract`` does (``json.dumps(to_dict())``).
Texts are never repeated: a repeated set measures the caches, not extraction.
Prints the pipeline load time (``from_settings`` plus the first document, which loads whatever is
loaded lazily), total time, docs/s, the share spent serialising and the peak RSS
(``ru_maxrss``); exits 1 when a goal is missed. ``--profile`` adds a cProfile top-20 (cumulative
and own time); ``--dateparser`` times ``dateparser.parse`` on a few Arabic date spans, for
comparison with our own date rules.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import os
import pstats
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.batch import Located, read_jsonl  # noqa: E402
from marsad.models import RawDocument  # noqa: E402
from marsad.settings import Settings  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev" / "docs.jsonl"
PEER = ROOT.parent / "shared" / "eval" / "peer" / "docs.jsonl"
GOLDEN = ROOT / "tests" / "golden" / "records.jsonl"
DATE_SPANS = ["19 حزيران 2018", "5 تموز 2018", "الخامس من تموز", "12 آذار 2024", "3 كانون الثاني 2019"]


def load_docs(path: Path) -> list[RawDocument]:
    with path.open("rb") as f:
        docs = [item.doc for item in read_jsonl(f, str(path)) if isinstance(item, Located)]
    if not docs:
        raise SystemExit(f"no usable documents in {path}")
    return docs


def distinct(paths: list[Path]) -> list[RawDocument]:
    """The reports of every file, each text once (doc_ids made unique per file)."""
    seen: set[str] = set()
    out: list[RawDocument] = []
    for k, path in enumerate(paths):
        if not path.is_file():
            print(f"skipped (not found): {path}", file=sys.stderr)
            continue
        for d in load_docs(path):
            if d.text not in seen:
                seen.add(d.text)
                out.append(dataclasses.replace(d, doc_id=f"{k}:{d.doc_id}"))
    if not out:
        raise SystemExit("no reports to extract")
    return out


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux (bytes on macOS)
    return kb / 1024 / (1024 if sys.platform == "darwin" else 1)


def bench_dateparser(calls: int = 200) -> None:
    try:
        t0 = time.perf_counter()
        import dateparser
    except ImportError:
        print("dateparser: not importable in this environment")
        return
    print(f"dateparser {getattr(dateparser, '__version__', '?')}: import {time.perf_counter() - t0:.2f} s")
    settings = {"RETURN_AS_TIMEZONE_AWARE": False}
    for span in DATE_SPANS:
        t0 = time.perf_counter()
        first = dateparser.parse(span, languages=["ar"], locales=["ar-SY"], settings=settings)
        first_ms = (time.perf_counter() - t0) * 1e3
        t0 = time.perf_counter()
        for _ in range(calls):
            dateparser.parse(span, languages=["ar"], locales=["ar-SY"], settings=settings)
        per_call = (time.perf_counter() - t0) / calls * 1e3
        value = first.date().isoformat() if first else None
        print(f"  {span!r:28} -> {value!s:10}  first call {first_ms:7.1f} ms, then {per_call:6.3f} ms/call")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("docs", nargs="*", type=Path, help="JSONL reports (default: dev, peer and golden reports)")
    ap.add_argument("--rules-only", action="store_true", help="without the learned decisions")
    ap.add_argument("--profile", action="store_true", help="print a cProfile top-20")
    ap.add_argument("--dateparser", action="store_true", help="time dateparser.parse on Arabic date spans")
    ap.add_argument("--goal-rate", type=float, default=300.0, help="docs/s below which the run fails")
    ap.add_argument("--goal-rss-mb", type=float, default=300.0, help="peak RSS (MB) above which the run fails")
    args = ap.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, whatever the machine
    docs = distinct(args.docs or [DEV, PEER, GOLDEN])

    t0 = time.perf_counter()
    from marsad.pipeline import Pipeline

    pipeline = Pipeline.from_settings(Settings.from_env(rules_only=args.rules_only or None))
    t_init = time.perf_counter() - t0
    pipeline.run(RawDocument("warm-up", "قصفت الطائرات بلدة كفرنبل اليوم."))
    t_load = time.perf_counter() - t0
    rss_loaded = peak_rss_mb()

    profiler = cProfile.Profile() if args.profile else None
    run_s = ser_s = 0.0
    events = failed = out_bytes = 0
    slowest = (0.0, "")
    if profiler:
        profiler.enable()
    cpu_start = time.process_time()
    start = time.perf_counter()
    for doc in docs:
        t1 = time.perf_counter()
        try:
            result = pipeline.run(doc)
        except Exception as exc:  # report and go on: a benchmark is not the place to stop on one report
            failed += 1
            print(f"{doc.doc_id}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        t2 = time.perf_counter()
        out_bytes += len(json.dumps(result.to_dict(), ensure_ascii=False))
        t3 = time.perf_counter()
        run_s += t2 - t1
        ser_s += t3 - t2
        events += len(result.events)
        slowest = max(slowest, (t2 - t1, doc.doc_id))
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    if profiler:
        profiler.disable()

    rate = len(docs) / total
    rss = peak_rss_mb()
    chars = sum(len(d.text) for d in docs)
    models = pipeline.produced_by.get("models", "none (rules only)")
    print(f"documents     {len(docs):,} distinct texts, {chars / len(docs):,.0f} chars each; models {models}")
    print(f"pipeline load {t_load:.2f} s (from_settings {t_init:.2f} s + first document)")
    print(f"total         {total:.2f} s ({run_s:.2f} s extracting, {ser_s:.2f} s serialising JSON)")
    print(f"rate          {rate:,.0f} docs/s ({chars / total / 1e3:,.0f} k chars/s){' [profiled]' if profiler else ''}")
    print(f"cpu           {len(docs) / cpu:,.0f} docs per CPU second (wall time also counts other processes)")
    print(
        f"latency       {run_s / max(1, len(docs) - failed) * 1e3:.2f} ms/doc mean, slowest {slowest[0] * 1e3:.1f} ms "
        f"({slowest[1]})"
    )
    print(f"output        {events:,} events, {out_bytes / 1e6:.1f} M chars of JSON, {failed} failed")
    print(f"peak RSS      {rss:.0f} MB ({rss_loaded:.0f} MB after loading)")
    if profiler:
        for key in ("cumulative", "tottime"):
            buf = io.StringIO()
            pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(key).print_stats(20)
            print(f"\n--- cProfile top 20 by {key} ---")
            print("\n".join(buf.getvalue().splitlines()[4:]))
    if args.dateparser:
        bench_dateparser()

    ok = True
    if not profiler and rate < args.goal_rate:
        print(f"FAIL: {rate:.0f} docs/s is below the goal of {args.goal_rate:.0f}")
        ok = False
    if rss > args.goal_rss_mb:
        print(f"FAIL: peak RSS {rss:.0f} MB is above the goal of {args.goal_rss_mb:.0f} MB")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
