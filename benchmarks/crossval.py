#!/usr/bin/env python3
"""Five-fold cross-validation of extraction and merging on the development set.

For each fold, the learned decisions are trained on the other four folds and the fold's reports
are extracted, scored with ``shared/eval/score.py`` and merged and scored with
``shared/eval/merge_score.py``. Prints every figure's mean, spread and per-fold values.

usage: python benchmarks/crossval.py [--quick | --folds 0,1,2,3,4] [--rules-only] [--no-merge]
                                     [--json] [--eval-dir ../shared/eval]

--quick scores folds 0 and 1 only (what the test gate and the before-stop check run).
Fold 4 is the validation fold of the hand-written rules: report it, do not read its errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from marsad.decide import extractor_factory
from marsad.errors import MarsadError
from marsad.evaluate import ALL_FOLDS, QUICK_FOLDS, CrossvalReport, DevSet, crossval, format_report

GATED = ("event_f1", "strict_f1", "relevance_precision", "relevance_recall", "merge_pairwise_f1")


def pin(report: CrossvalReport, path: Path) -> None:
    """Write the gate's baseline: for each gated metric the mean over the quick folds (what the
    gate recomputes) and the standard error over all five folds (what sets its tolerance)."""
    summary = report.summary()
    old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    metrics = {}
    for m in GATED:
        quick = [report.per_fold[f][m] for f in QUICK_FOLDS]
        metrics[m] = {
            "quick_mean": round(sum(quick) / len(quick), 4),
            "five_fold_mean": summary[m]["mean"],
            "five_fold_se": summary[m]["se"],
        }
    out = {
        "_comment": old.get("_comment", ""),
        "quick_folds": list(QUICK_FOLDS),
        "min_tolerance": old.get("min_tolerance", 0.01),
        "metrics": metrics,
        "history": old.get("history", []),
    }
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"baseline written to {path}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help=f"score folds {QUICK_FOLDS} only")
    ap.add_argument("--folds", default=None, help="comma-separated folds to score (default: all five)")
    ap.add_argument("--rules-only", action="store_true", help="no learned decisions: the rules alone")
    ap.add_argument("--no-merge", action="store_true", help="skip the merge evaluation")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--eval-dir", type=Path, default=None, help="the shared eval directory (default ../shared/eval)")
    ap.add_argument(
        "--pin",
        type=Path,
        default=None,
        help="score all five folds and write the gate's baseline here (quick-fold means, five-fold standard errors)",
    )
    args = ap.parse_args(argv)
    folds = QUICK_FOLDS if args.quick and not args.pin else ALL_FOLDS
    if args.folds:
        try:
            folds = tuple(int(f) for f in args.folds.split(","))
        except ValueError:
            ap.error("--folds takes numbers separated by commas, e.g. 0,1,2")
        if not set(folds) <= set(ALL_FOLDS):
            ap.error(f"folds are {ALL_FOLDS}")
    try:
        dev = DevSet.load(args.eval_dir)
        start = time.perf_counter()

        def progress(fold: int, scores: dict[str, float]) -> None:
            print(f"fold {fold}: event F1 {scores['event_f1']:.3f}", file=sys.stderr)

        report = crossval(
            dev, extractor_factory(rules_only=args.rules_only), folds, merge=not args.no_merge, on_fold=progress
        )
    except MarsadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.pin:
        pin(report, args.pin)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(format_report(report))
        print(f"\n{len(folds)} folds in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
