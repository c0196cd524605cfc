"""Evaluation gate on cross-validated figures (not on reports anything was tuned on).

Runs ``marsad.evaluate.crossval`` on the quick folds of ``../shared/eval/dev``: for each fold the
learned decisions are trained on the other four folds, the fold is extracted and scored with the
shared scorers, and its reports are merged in a temporary store and scored with
``merge_score.py``. The mean over the quick folds may not fall below the pinned value in
``crossval_baseline.json`` by more than ``max(min_tolerance, 2 x the five-fold standard error)``.
Skipped where ``../shared`` is absent (the unit tests must pass without it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from marsad.evaluate import QUICK_FOLDS, CrossvalReport, DevSet, crossval, default_eval_dir

BASELINE = json.loads(Path(__file__).with_name("crossval_baseline.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(
    not (default_eval_dir() / "dev" / "folds.json").is_file(), reason="../shared/eval/dev is not present"
)


@pytest.fixture(scope="module")
def report() -> CrossvalReport:
    from marsad.decide import extractor_factory

    return crossval(DevSet.load(), extractor_factory(), QUICK_FOLDS)


def test_quick_folds_are_the_pinned_ones() -> None:
    assert tuple(BASELINE["quick_folds"]) == QUICK_FOLDS


@pytest.mark.parametrize("metric", sorted(BASELINE["metrics"]))
def test_no_regression(report: CrossvalReport, metric: str) -> None:
    pinned: dict[str, Any] = BASELINE["metrics"][metric]
    got = report.summary()[metric]["mean"]
    tolerance = max(BASELINE["min_tolerance"], 2 * pinned["five_fold_se"])
    assert got >= pinned["quick_mean"] - tolerance, (
        f"{metric}: quick-fold mean fell from {pinned['quick_mean']:.3f} to {got:.3f} (tolerance {tolerance:.3f})"
    )


def test_every_fold_was_scored_on_its_own_reports(report: CrossvalReport) -> None:
    dev = DevSet.load()
    for fold in QUICK_FOLDS:
        scores = report.per_fold[fold]
        gold_events = sum(1 for i in dev.ids([fold]) for e in dev.gold[i]["events"] if not e.get("optional"))
        assert scores["gold_events"] == gold_events
