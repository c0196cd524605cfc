#!/usr/bin/env python3
"""Merging quality on the dev set: ingest the dev reports into a temporary store, export spec §6
JSONL and score it with ``shared/eval/merge_score.py`` (pairwise and B-cubed F1 over mentions).

usage: python benchmarks/merge_eval.py [--docs DOCS.jsonl] [--gold GOLD.jsonl] [--keep DIR]
                                       [--extractor module:function | --oracle] [--min-f1 X]

``--oracle`` takes each report's gold events as its extraction, so the figures measure the merging
rules alone (no extraction errors).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ingest import extractor  # noqa: E402

from marsad.ingest import ingest, read_paths  # noqa: E402
from marsad.models import Actor, Event, ExtractResult, Location, RawDocument, Source  # noqa: E402
from marsad.store import EventQuery, export, open_store  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) else value


def _actor(value: Any) -> Actor | None:
    value = _first(value)
    if not value:
        return None
    return Actor(value["canonical"], value["canonical"], int(value["inter"]), value.get("country"))


def _day(value: Any, published: dt.date | None) -> dt.date | None:
    """One day for a gold date: a range (``[first, last]``, "any day inside is right") gives the
    publication day when inside it, else its last day, as the extractor dates a report by default."""
    if not value:
        return None
    if not isinstance(value, list):
        return dt.date.fromisoformat(value)
    first, last = dt.date.fromisoformat(value[0]), dt.date.fromisoformat(value[-1])
    return published if published is not None and first <= published <= last else last


def _source_kinds() -> dict[str, str]:
    """canonical name -> kind from the Arabic source lexicon (gold sources carry no kind)."""
    kinds: dict[str, str] = {}
    for line in (ROOT / "src" / "marsad" / "lang" / "ar" / "sources.tsv").read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) >= 3 and not line.startswith("#"):
            kinds.setdefault(cols[1], cols[2])
    return kinds


def oracle(gold_path: Path) -> Callable[[RawDocument], ExtractResult]:
    """An extractor that returns the gold events of each report (non-optional ones), with source
    kinds from the source lexicon and one day for a date range (see ``_day``)."""
    gold = {str(g["id"]): g for g in map(json.loads, gold_path.read_text(encoding="utf-8").splitlines()) if g}
    kinds = _source_kinds()

    def run(raw: RawDocument) -> ExtractResult:
        events = []
        for e in gold.get(raw.doc_id, {}).get("events", []):
            if e.get("optional"):
                continue
            loc = e["location"]
            events.append(
                Event(
                    sub_event_type=e["sub_event_type"],
                    date=_day(e.get("date"), raw.published),
                    time_precision=1,
                    location=Location(
                        name=loc["name"],
                        geo_precision=loc.get("geo_precision") or 1,
                        name_en=loc.get("name_en"),
                        gazetteer_id=loc.get("gazetteer_id"),
                        country=loc.get("country"),
                        admin1=loc.get("admin1"),
                        lat=loc.get("lat"),
                        lon=loc.get("lon"),
                    ),
                    actor1=_actor(e.get("actor1")),
                    actor2=_actor(e.get("actor2")),
                    assoc_actors1=tuple(a for a in map(_actor, e.get("assoc_actors1") or []) if a),
                    fatalities=e.get("fatalities"),
                    sources=tuple(
                        Source(s["canonical"], s["canonical"], kinds.get(s["canonical"], "unspecified"))
                        for s in e.get("sources") or []
                    ),
                )
            )
        return ExtractResult(
            doc_id=raw.doc_id,
            published=raw.published,
            title=raw.title,
            events=tuple(events),
            produced_by={"oracle": "gold"},
        )

    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=Path, default=EVAL / "dev" / "docs.jsonl")
    ap.add_argument("--gold", type=Path, default=EVAL / "dev" / "gold.jsonl")
    ap.add_argument("--scorer", type=Path, default=EVAL / "merge_score.py")
    ap.add_argument("--extractor", default=None, help="module:function instead of marsad.pipeline.Pipeline")
    ap.add_argument("--oracle", action="store_true", help="use the gold events as the extraction")
    ap.add_argument("--keep", type=Path, default=None, help="write the database and export.jsonl here")
    ap.add_argument("--min-f1", default=None, help="passed to merge_score.py")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        out_dir = args.keep or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        db = out_dir / "merge_eval.sqlite"
        db.unlink(missing_ok=True)
        store = open_store(str(db))
        report = ingest(store, read_paths([args.docs]), oracle(args.gold) if args.oracle else extractor(args.extractor))
        merged = out_dir / "export.jsonl"
        with merged.open("w", encoding="utf-8") as f:
            n = export.write_jsonl(store.events(EventQuery()), f)
        counts = store.counts()
        store.close()
        multi = 0
        with merged.open(encoding="utf-8") as f:
            multi = sum(1 for line in f if len(json.loads(line)["mentions"]) > 1)
        print(
            f"documents {report.added} (failed {report.failed}), mentions {counts['mentions']}, "
            f"merged events {n}, of which from more than one mention {multi}"
        )
        cmd = [sys.executable, str(args.scorer), "--gold", str(args.gold), "--merged", str(merged)]
        if args.min_f1:
            cmd += ["--min-f1", str(args.min_f1)]
        return subprocess.run(cmd, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
