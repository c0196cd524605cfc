"""How much geoparsing (toponym recognition + gazetteer resolution) adds to extraction.

Runs the pipeline over distinct reports (by default the dev reports, the peer sentences and our
golden reports, each text once) and times the two geo steps separately from the rest. Each round
starts from a freshly opened gazetteer and pipeline, so the gazetteer's name cache is cold as it
is for new reports (a set repeated would measure the cache). Target (geoparsing issue):
geoparsing adds ≤ 20% to the time of extraction without it, and the gazetteer loads in ≤ 0.5 s.

usage: python benchmarks/bench_geoparse.py [docs.jsonl ...]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_extract import DEV, GOLDEN, PEER, distinct

from marsad.geo.gazetteer import Gazetteer
from marsad.geo.toponyms import find_toponyms
from marsad.pipeline import Pipeline
from marsad.text.prepare import prepare

ROUNDS = 5


def _best(work: Callable[[Pipeline], None]) -> float:
    """The fastest of a few rounds, each on a fresh pipeline (cold caches): the least disturbed
    by other work on the machine."""
    times = []
    for _ in range(ROUNDS):
        pipeline = Pipeline.from_settings()
        start = time.perf_counter()
        work(pipeline)
        times.append(time.perf_counter() - start)
        pipeline.gazetteer.close()
    return min(times)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [DEV, PEER, GOLDEN]
    t0 = time.perf_counter()
    Gazetteer.open().close()
    load = time.perf_counter() - t0
    docs = distinct(paths)
    lexicons = Pipeline.from_settings().lexicons
    prepared = [prepare(raw) for raw in docs]
    scans = [lexicons.scan(doc) for doc in prepared]

    def full(pipeline: Pipeline) -> None:
        for raw in docs:
            pipeline.run(raw)

    def geo(pipeline: Pipeline) -> None:
        for doc, matches in zip(prepared, scans, strict=True):
            toponyms = find_toponyms(doc, pipeline.gazetteer, pipeline.lexicons, matches)
            pipeline.geoparser.resolve(toponyms)

    total = _best(full)
    geo_time = _best(geo)
    rest = total - geo_time
    n = len(docs)
    print(f"documents          {n:,} distinct (best of {ROUNDS} rounds, cold gazetteer cache each round)")
    print(f"gazetteer load     {load * 1000:.0f} ms")
    print(f"extraction total   {total:.2f} s ({n / total:.0f} docs/s)")
    print(f"  geoparsing       {geo_time:.2f} s ({geo_time / n * 1000:.2f} ms/doc: recognition + resolution)")
    print(f"  everything else  {rest:.2f} s")
    print(f"geoparsing adds    {geo_time / rest * 100:.1f}% to extraction without it (target ≤ 20%)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
