#!/usr/bin/env python3
"""Place recognition and resolution on the dev reports, per country, against our place set.

The place set (``benchmarks/data/places_dev.tsv``) holds every occurrence, in the development
reports, of the places where their events happened: the name as written, its offsets, the place
meant (country, admin1, coordinates, gazetteer id) and its ACLED precision. No report text is
stored; the reports are read from ``../shared/eval/dev/docs.jsonl``.

For each country (of the annotated place) it prints:

- **recognition** recall: annotated spans found exactly (same offsets) and overlapped by a
  toponym (the name cut or extended, ``جنوب لبنان`` read as ``لبنان``); precision is measured on
  the toponyms that touch an annotated *name* (the same normalised name anywhere in the report):
  a toponym there that misses the annotated offsets cut or invented a name. Places that are not
  event locations (a country named in passing) are not annotated, so precision is not judged
  over them; F1 combines exact recall with that precision;
- **resolution** accuracy: of the annotated spans a toponym overlaps, the share whose chosen
  entry lies within 10 / 25 / 75 km (precision 1 / 2 / 3) of the place meant — the shared
  scorer's notion of a right geocode.

usage: python benchmarks/geo_eval.py [--places benchmarks/data/places_dev.tsv] [--docs DOCS.jsonl]
                                     [--errors COUNTRY]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from marsad.geo.gazetteer import Gazetteer
from marsad.geo.geocoder import Geocoder
from marsad.geo.resolve import Resolution
from marsad.models import RawDocument
from marsad.text.normalize import name_key

ROOT = Path(__file__).resolve().parents[1]
KM = {1: 10.0, 2: 25.0, 3: 75.0}


@dataclass(frozen=True, slots=True)
class Gold:
    doc_id: str
    start: int
    end: int
    name: str
    country: str
    lat: float | None
    lon: float | None
    precision: int


def load_places(path: Path) -> list[Gold]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    out = []
    for r in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        lat = float(r["lat"]) if r["lat"] else None
        lon = float(r["lon"]) if r["lon"] else None
        out.append(
            Gold(r["doc_id"], int(r["start"]), int(r["end"]), r["name"], r["country"], lat, lon, int(r["precision"]))
        )
    return out


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(min(1.0, h)))


@dataclass
class Tally:
    gold: int = 0
    exact: int = 0
    overlap: int = 0
    judged: int = 0  # toponyms on an annotated name
    wrong_span: int = 0  # ... whose span is not an annotated one
    resolvable: int = 0
    resolved_right: int = 0

    def row(self, name: str) -> str:
        recall = self.exact / self.gold if self.gold else 0.0
        overlap = self.overlap / self.gold if self.gold else 0.0
        precision = 1 - self.wrong_span / self.judged if self.judged else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        res = self.resolved_right / self.resolvable if self.resolvable else 0.0
        return (
            f"{name:8} {self.gold:5} {precision:6.3f} {recall:6.3f} {f1:6.3f} {overlap:8.3f}"
            f" {res:7.3f} ({self.resolved_right}/{self.resolvable})"
        )


def evaluate(places: list[Gold], docs: dict[str, str], geocoder: Geocoder, errors: str | None) -> dict[str, Tally]:
    by_doc: dict[str, list[Gold]] = defaultdict(list)
    for g in places:
        by_doc[g.doc_id].append(g)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for doc_id in sorted(by_doc):
        text = docs.get(doc_id)
        if text is None:
            continue
        found: list[Resolution] = geocoder.places(RawDocument(doc_id, text))
        golds = by_doc[doc_id]
        names = {name_key(g.name) for g in golds}
        for g in golds:
            t = tallies[g.country]
            total = tallies["all"]
            hit = [r for r in found if r.toponym.start < g.end and g.start < r.toponym.end]
            exact = any(r.toponym.start == g.start and r.toponym.end == g.end for r in hit)
            for tally in (t, total):
                tally.gold += 1
                tally.exact += exact
                tally.overlap += bool(hit)
            if hit and g.lat is not None and g.lon is not None:
                best = min(hit, key=lambda r: (r.toponym.start != g.start, -len(r.toponym.name)))
                e = best.entry
                right = e is not None and km(e.lat, e.lon, g.lat, g.lon) <= KM.get(g.precision, 10.0)
                for tally in (t, total):
                    tally.resolvable += 1
                    tally.resolved_right += right
                if errors in (g.country, "all") and not right:
                    where = f"{e.id} {e.name_en} {e.country}/{e.admin1}" if e else "unresolved"
                    print(f"  resolve {doc_id} {g.name!r}: {where}", file=sys.stderr)
            elif errors in (g.country, "all") and not hit:
                print(f"  missed  {doc_id} {g.name!r} [{g.start}:{g.end}]", file=sys.stderr)
        spans = {(g.start, g.end) for g in golds}
        country = {(g.start, g.end): g.country for g in golds}
        for r in found:
            if name_key(r.toponym.name) not in names and not any(
                r.toponym.start < b and a < r.toponym.end for a, b in spans
            ):
                continue  # a place that is not an event location: not annotated, not judged
            key = (r.toponym.start, r.toponym.end)
            near = next(
                (country[s] for s in spans if s[0] < r.toponym.end and r.toponym.start < s[1]),
                golds[0].country,
            )
            for tally in (tallies[country.get(key, near)], tallies["all"]):
                tally.judged += 1
                tally.wrong_span += key not in spans
            if errors in (near, "all") and key not in spans:
                print(f"  span    {doc_id} {r.toponym.name!r} [{key[0]}:{key[1]}]", file=sys.stderr)
    return tallies


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--places", type=Path, default=ROOT / "benchmarks" / "data" / "places_dev.tsv")
    ap.add_argument("--docs", type=Path, default=ROOT.parent / "shared" / "eval" / "dev" / "docs.jsonl")
    ap.add_argument("--gazetteer", type=Path, default=None, help="gazetteer file (default: the packaged one)")
    ap.add_argument("--errors", default=None, help="print the misses of one country (ISO2, or 'all') on stderr")
    args = ap.parse_args(argv)
    if not args.docs.is_file():
        print(f"documents not found: {args.docs}", file=sys.stderr)
        return 1
    docs = {}
    for line in args.docs.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        docs[str(d["doc_id"])] = d["text"]
    geocoder = Geocoder(Gazetteer.open(args.gazetteer))
    tallies = evaluate(load_places(args.places), docs, geocoder, args.errors)
    print(f"{'country':8} {'spans':>5} {'P':>6} {'R':>6} {'F1':>6} {'overlap':>8} {'resolve':>7}")
    order = sorted((c for c in tallies if c != "all"), key=lambda c: -tallies[c].gold)
    for c in [*order, "all"]:
        print(tallies[c].row(c))
    return 0


if __name__ == "__main__":
    sys.exit(main())
