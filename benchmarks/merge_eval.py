#!/usr/bin/env python3
"""Merging quality on the dev set: ingest the dev reports into a temporary store, export spec §6
JSONL and score it with ``shared/eval/merge_score.py`` (pairwise and B-cubed F1 over mentions).

usage: python benchmarks/merge_eval.py [--docs DOCS.jsonl] [--gold GOLD.jsonl] [--keep DIR]
                                       [--extractor module:function] [--min-f1 X]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ingest import extractor  # noqa: E402

from marsad.ingest import ingest, read_paths  # noqa: E402
from marsad.store import EventQuery, export, open_store  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=Path, default=EVAL / "dev" / "docs.jsonl")
    ap.add_argument("--gold", type=Path, default=EVAL / "dev" / "gold.jsonl")
    ap.add_argument("--scorer", type=Path, default=EVAL / "merge_score.py")
    ap.add_argument("--extractor", default=None, help="module:function instead of marsad.pipeline.Pipeline")
    ap.add_argument("--keep", type=Path, default=None, help="write the database and export.jsonl here")
    ap.add_argument("--min-f1", default=None, help="passed to merge_score.py")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        out_dir = args.keep or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        db = out_dir / "merge_eval.sqlite"
        db.unlink(missing_ok=True)
        store = open_store(str(db))
        report = ingest(store, read_paths([args.docs]), extractor(args.extractor))
        merged = out_dir / "export.jsonl"
        with merged.open("w", encoding="utf-8") as f:
            n = export.write_jsonl(store.events(EventQuery()), f)
        counts = store.counts()
        store.close()
        multi = 0
        with merged.open(encoding="utf-8") as f:
            multi = sum(1 for line in f if len(json.loads(line)["mentions"]) > 1)
        print(f"documents {report.added} (failed {report.failed}), mentions {counts['mentions']}, "
              f"merged events {n}, of which from more than one mention {multi}")
        cmd = [sys.executable, str(args.scorer), "--gold", str(args.gold), "--merged", str(merged)]
        if args.min_f1:
            cmd += ["--min-f1", str(args.min_f1)]
        return subprocess.run(cmd, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
