#!/usr/bin/env python3
"""Geocoding accuracy on matched events, per country, from five-fold cross-validated predictions.

For each fold the learned decisions are refitted on the other four (as ``crossval.py`` does), the
fold's reports are extracted, and the shared scorer pairs predicted with gold events
(``score.pair_up``); a pair's geocode is right when the predicted point lies within 10 / 25 / 75 km
of the gold one (precision 1 / 2 / 3: ``score.geocode_ok``). Counted per country of the gold
event (the geoparsing issue's target: ≥ 0.93 in every country with ≥ 5 matched events).

usage: python benchmarks/geocode_by_country.py [--folds 0,1,2,3,4] [--rules-only]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict

from marsad.decide import extractor_factory
from marsad.evaluate import ALL_FOLDS, DevSet, Scorers, raw_document


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", default=None, help="comma-separated folds (default: all five)")
    ap.add_argument("--rules-only", action="store_true", help="no learned decisions: the rules alone")
    args = ap.parse_args(argv)
    folds = tuple(int(f) for f in args.folds.split(",")) if args.folds else ALL_FOLDS
    dev = DevSet.load()
    score = Scorers(dev.root).score
    factory = extractor_factory(rules_only=args.rules_only)
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for fold in folds:
        extract = factory(dev.gold_records(dev.ids(f for f in ALL_FOLDS if f != fold)))
        for gold in dev.gold_records(dev.ids([fold])):
            pred = extract(raw_document(dev.docs.get(gold["id"], gold))).to_dict()
            gevents, pevents = gold.get("events", []), pred.get("events", [])
            for gi, pi in score.pair_up(gevents, pevents):
                g = gevents[gi]
                ok = score.geocode_ok(g["location"], pevents[pi].get("location"))
                if g.get("optional") or ok is None:
                    continue
                for key in (g["location"].get("country") or "?", "all"):
                    tally[key][0] += bool(ok)
                    tally[key][1] += 1
        print(f"fold {fold} done", file=sys.stderr)
    print(f"{'country':8} {'matched':>7} {'geocode':>8}")
    for country in sorted(tally, key=lambda c: (c == "all", -tally[c][1], c)):
        right, judged = tally[country]
        flag = "" if judged < 5 or right / judged >= 0.93 else "  < 0.93"
        print(f"{country:8} {judged:7} {right / judged:8.3f}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
