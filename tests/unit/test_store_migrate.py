"""Migration bookkeeping that runs without Alembic (opening a database for queries)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from marsad.errors import StoreError
from marsad.store import migrate


def test_head_revision_agrees_with_alembic() -> None:
    assert migrate.head_revision() == ScriptDirectory.from_config(migrate._config()).get_current_head()


def test_two_heads_are_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "versions").mkdir()
    for name, down in (("a1", None), ("b2", "a1"), ("c3", "a1")):
        (tmp_path / "versions" / f"{name}.py").write_text(f"revision = {name!r}\ndown_revision = {down!r}\n")
    monkeypatch.setattr(migrate, "MIGRATIONS", tmp_path)
    migrate.head_revision.cache_clear()
    try:
        with pytest.raises(StoreError, match="several heads: b2, c3"):
            migrate.head_revision()
    finally:
        monkeypatch.undo()
        migrate.head_revision.cache_clear()
