"""Learned decisions: narrow choices that hand-written rules do not generalise.

- ``features.py``: named numeric features from what the pipeline already computed;
- ``model.py``: the fitted decisions (JSON, numbers only), applied at extraction time;
- ``train.py``: fitting them on hand-coded reports (scikit-learn, needed only for training).

``extractor_factory`` builds the extractor that cross-validation scores, fitting the decisions on
the training folds only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from marsad.errors import ConfigError
from marsad.evaluate import DevSet, Extractor, ExtractorFactory, Scorers


def golden_path() -> Path | None:
    """Our own golden records (``tests/golden/records.jsonl`` of a checkout), when present."""
    path = Path(__file__).resolve().parents[3] / "tests" / "golden" / "records.jsonl"
    return path if path.is_file() else None


def load_golden(path: Path | None) -> list[dict[str, Any]]:
    """The golden records at ``path`` as training reports (none when ``path`` is None)."""
    from marsad.decide.train import golden_as_gold

    if path is None:
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return golden_as_gold([json.loads(line) for line in lines if line.strip()])
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"cannot read golden records {path}: {exc}") from None


def extractor_factory(
    rules_only: bool = False, devset: DevSet | None = None, golden: Path | None = None
) -> ExtractorFactory:
    """For each fold: an extractor whose decisions are fitted on that fold's training reports and
    on our own golden records (``golden``, default ``golden_path()``); ``rules_only``: the
    hand-written rules, which need no training."""
    from marsad.decide.train import Report, fit
    from marsad.pipeline import Pipeline

    pipeline = Pipeline.from_settings(decisions=None)
    if rules_only:
        return lambda _train: pipeline.run
    dev = devset or DevSet.load()
    score = Scorers(dev.root).score
    prepared: dict[str, Report] = {}  # features do not depend on the fold: computed once
    extra = load_golden(golden or golden_path())

    def make(train: Sequence[dict[str, Any]]) -> Extractor:
        decisions = fit(pipeline, train, dev.folds, score, prepared=prepared, extra=extra)
        return Pipeline(pipeline.lexicons, pipeline.gazetteer, decisions).run

    return make
