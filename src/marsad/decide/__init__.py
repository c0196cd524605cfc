"""Learned decisions: narrow choices that hand-written rules do not generalise.

Filled in by the incident stage (see ``docs/extraction.md``); ``extractor_factory`` builds the
extractor that cross-validation scores, training whatever is learned on the training folds only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from marsad.evaluate import Extractor, ExtractorFactory


def extractor_factory(rules_only: bool = False) -> ExtractorFactory:
    """For each fold: an extractor trained on that fold's training reports (rules need no training)."""
    from marsad.pipeline import Pipeline

    pipeline = Pipeline.from_settings()

    def make(train: Sequence[dict[str, Any]]) -> Extractor:
        return pipeline.run

    return make
