"""What ``watch`` and ``poll`` share: the store they write, the extractor, the hooks around a
batch, and how a batch is ingested (one document per transaction) and followed by the alerts."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from marsad.ingest import IngestReport, ingest
from marsad.ingest.run import Extractor


class LiveIngest:
    def __init__(
        self,
        engine: sa.Engine,
        store: Any,
        extract: Extractor,
        *,
        after_batch: Callable[[float], int] | None = None,
        on_failure: Callable[[str], None] | None = None,
        on_warning: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.store = store
        self.extract = extract
        self.after_batch = after_batch  # recomputes the alerts of what a batch touched; returns how many
        self.on_failure = on_failure
        self.on_warning = on_warning
        self.clock = clock

    def _ingest(self, items: Iterable[Any]) -> tuple[IngestReport, float]:
        """The items stored one document per transaction (each queryable as soon as it is read;
        near-duplicates through the index persisted in the store, so other writers' documents are
        seen too), and the wall time the batch began, for ``_alerts``."""
        began = time.time()  # wall time: ``refresh_after`` compares it with the stored ingest times
        report = ingest(
            self.store,
            items,
            self.extract,
            on_failure=self.on_failure,
            on_warning=self.on_warning,
            batch_size=1,
        )
        return report, began

    def _alerts(self, report: IngestReport, began: float) -> int:
        """The alerts recomputed after a batch that added or replaced documents (0 otherwise)."""
        if self.after_batch is None or not (report.added or report.replaced):
            return 0
        return self.after_batch(began)
