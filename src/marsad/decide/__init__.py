"""Learned decisions: narrow choices that hand-written rules do not generalise.

- ``features.py``: hashed features from what the pipeline already computed;
- ``model.py``: the fitted decisions (JSON, no text), applied at extraction time;
- ``train.py``: fitting them on hand-coded reports (scikit-learn, only for training).

``extractor_factory`` builds the extractor that cross-validation scores, fitting the decisions on
the training folds only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from marsad.evaluate import DevSet, Extractor, ExtractorFactory, Scorers


def extractor_factory(rules_only: bool = False, devset: DevSet | None = None) -> ExtractorFactory:
    """For each fold: an extractor whose decisions are fitted on that fold's training reports
    (``rules_only``: the hand-written rules, which need no training)."""
    from marsad.decide.train import fit
    from marsad.pipeline import Pipeline

    pipeline = Pipeline.from_settings(decisions=None)
    if rules_only:
        return lambda _train: pipeline.run
    dev = devset or DevSet.load()
    score = Scorers(dev.root).score

    def make(train: Sequence[dict[str, Any]]) -> Extractor:
        decisions = fit(pipeline, train, dev.folds, score)
        return Pipeline(pipeline.lexicons, pipeline.gazetteer, decisions).run

    return make
