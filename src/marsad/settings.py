"""One settings object, passed explicitly to whatever needs it (no module globals).

Values come from, in order: explicit arguments, environment variables (``MARSAD_GAZETTEER``,
``MARSAD_DB``, ``MARSAD_MODELS``), then the packaged defaults (the bundled gazetteer and decision
models, a SQLite file in the user's data directory).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

DEFAULT_MAX_DOCUMENT_BYTES = 5_000_000


def default_db_url() -> str:
    path = Path(user_data_dir("marsad", appauthor=False)) / "marsad.sqlite"
    return f"sqlite:///{path}"


@dataclass(frozen=True, slots=True)
class Settings:
    gazetteer: Path | None = None  # None: the gazetteer packaged with marsad
    models: Path | None = None  # None: the decision models packaged with marsad
    rules_only: bool = False  # extraction without the learned decisions
    db_url: str = field(default_factory=default_db_url)
    language: str = "ar"
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES  # larger documents are refused, not truncated

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {}
        if os.environ.get("MARSAD_GAZETTEER"):
            values["gazetteer"] = Path(os.environ["MARSAD_GAZETTEER"])
        if os.environ.get("MARSAD_DB"):
            values["db_url"] = os.environ["MARSAD_DB"]
        if os.environ.get("MARSAD_MODELS"):
            values["models"] = Path(os.environ["MARSAD_MODELS"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
