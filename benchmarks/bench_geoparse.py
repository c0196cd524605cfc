"""How much geoparsing (toponym recognition + gazetteer resolution) adds to extraction.

Runs the pipeline over the development documents repeated to ≥ 2,000 and times the two geo
steps separately from the rest. Target (geoparsing issue): geoparsing adds ≤ 20% to the time of
extraction without it, and the gazetteer loads in ≤ 0.5 s.

usage: python benchmarks/bench_geoparse.py [docs.jsonl]
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from marsad.geo.gazetteer import Gazetteer
from marsad.geo.toponyms import find_toponyms
from marsad.models import RawDocument
from marsad.pipeline import Pipeline
from marsad.text.prepare import prepare

ROUNDS = 5


def _best(work: Callable[[], None]) -> float:
    """The fastest of a few rounds: the least disturbed by other work on the machine."""
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str]) -> int:
    default = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev" / "docs.jsonl"
    path = Path(argv[0]) if argv else default
    if not path.is_file():
        print(f"documents not found: {path}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    Gazetteer.open().close()
    load = time.perf_counter() - t0
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        published = dt.date.fromisoformat(d["published"]) if d.get("published") else None
        docs.append(RawDocument(d["doc_id"], d["text"], published))
    docs = (docs * (2000 // len(docs) + 1))[:2028]
    pipeline = Pipeline.from_settings()
    prepared = [prepare(raw) for raw in docs]
    scans = [pipeline.lexicons.scan(doc) for doc in prepared]

    def full() -> None:
        for raw in docs:
            pipeline.run(raw)

    def geo() -> None:
        for doc, matches in zip(prepared, scans, strict=True):
            toponyms = find_toponyms(doc, pipeline.gazetteer, pipeline.lexicons, matches)
            pipeline.geoparser.resolve(toponyms)

    total = _best(full)
    geo_time = _best(geo)
    rest = total - geo_time
    n = len(docs)
    print(f"documents          {n:,} (best of {ROUNDS} rounds)")
    print(f"gazetteer load     {load * 1000:.0f} ms")
    print(f"extraction total   {total:.2f} s ({n / total:.0f} docs/s)")
    print(f"  geoparsing       {geo_time:.2f} s ({geo_time / n * 1000:.2f} ms/doc: recognition + resolution)")
    print(f"  everything else  {rest:.2f} s")
    print(f"geoparsing adds    {geo_time / rest * 100:.1f}% to extraction without it (target ≤ 20%)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
