"""What a worker needs to prepare reports: a picklable recipe for the extractor, built once per
process and kept."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from marsad.errors import ConfigError
from marsad.models import ExtractResult, RawDocument
from marsad.settings import Settings

if TYPE_CHECKING:
    from marsad.ingest.run import Prepared

Extractor = Callable[[RawDocument], ExtractResult]
_BUILT: dict[ExtractorSpec, Extractor] = {}


@dataclass(frozen=True, slots=True)
class ExtractorSpec:
    """The extraction function: ``target`` (``module:function``) or, when ``None``, ``Pipeline.run``
    of the pipeline built from ``settings``."""

    target: str | None = None
    settings: Settings = field(default_factory=Settings)

    def build(self) -> Extractor:
        """The extractor, built on the first call in this process and kept for the next ones."""
        built = _BUILT.get(self)
        if built is None:
            built = _BUILT[self] = self._load()
        return built

    def check(self) -> None:
        """Fail early (in the parent) when the extractor cannot be loaded at all."""
        if self.target:
            self._load()
            return
        try:
            importlib.import_module("marsad.pipeline")
        except ImportError as exc:
            raise ConfigError(f"the extraction pipeline is not available: {exc}") from exc

    def _load(self) -> Extractor:
        if self.target:
            module, _, name = self.target.partition(":")
            try:
                fn: Extractor = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError, ValueError) as exc:
                raise ConfigError(f"cannot load extractor {self.target!r}: {exc}") from exc
            return fn
        try:
            from marsad.pipeline import Pipeline
        except ImportError as exc:
            raise ConfigError(f"the extraction pipeline is not available: {exc}") from exc
        return Pipeline.from_settings(self.settings).run


def prepare_chunk(spec: ExtractorSpec, docs: list[RawDocument]) -> list[Prepared]:
    """Prepare a chunk of reports on a worker (``marsad.ingest.run.prepare`` on each)."""
    from marsad.ingest.run import prepare

    extract = spec.build()
    return [prepare(raw, extract) for raw in docs]
