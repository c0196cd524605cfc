"""Gazetteer speed check: open time, ``has`` and ``lookup`` throughput, and resolution speed.

Run: ``python benchmarks/bench_gazetteer.py [GAZETTEER.sqlite]`` (default: the packaged file).
Targets: open ≤ 0.5 s; ``has`` well above 1M/s (it is called for every n-gram of every document).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from marsad.geo.gazetteer import Gazetteer
from marsad.geo.resolve import Geoparser
from marsad.models import Toponym
from marsad.text.normalize import name_key

WORDS = "قصف الطيران الحربي بلدة صيدا في ريف درعا الشرقي وبصرى الشام والموصل وتعز ومدينة حلب".split()  # noqa: SIM905 (a sentence reads better than a list)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    t0 = time.perf_counter()
    gaz = Gazetteer.open(path)
    opened = time.perf_counter() - t0
    print(f"open: {opened * 1000:.0f} ms ({len(gaz):,} keys, longest key {gaz.max_key_words} words)")

    grams = [" ".join(name_key(w) for w in WORDS[i : i + n]) for n in (1, 2, 3) for i in range(len(WORDS))]
    rounds = 20_000
    t0 = time.perf_counter()
    hits = sum(gaz.has(g) for _ in range(rounds) for g in grams)
    dt = time.perf_counter() - t0
    print(f"has: {rounds * len(grams) / dt:,.0f} /s ({hits // rounds} hits per round)")

    keys = sorted(gaz.keys())[:: max(1, len(gaz) // 5000)]  # a spread of distinct keys, uncached
    t0 = time.perf_counter()
    for k in keys:
        gaz.lookup(k)
    dt = time.perf_counter() - t0
    print(f"lookup (uncached): {len(keys) / dt:,.0f} /s")
    t0 = time.perf_counter()
    for _ in range(20):
        for k in keys:
            gaz.lookup(k)
    print(f"lookup (cached): {20 * len(keys) / (time.perf_counter() - t0):,.0f} /s")

    names = ["صيدا", "درعا", "الطيبة", "بصرى الشام", "تعز", "الموصل", "حلب"]
    tops = [Toponym(n, name_key(n), i * 10, i * 10 + len(n), i) for i, n in enumerate(names)]
    geoparser = Geoparser(gaz)
    t0 = time.perf_counter()
    for _ in range(500):
        geoparser.resolve(tops)
    print(f"resolve: {500 / (time.perf_counter() - t0):,.0f} documents/s ({len(tops)} toponyms each)")


if __name__ == "__main__":
    main()
