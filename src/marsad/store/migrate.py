"""Open a database URL and bring its schema to the newest migration, programmatically.

Users of ``pip install marsad`` need no ``alembic.ini``: the scripts ship in
``marsad/store/migrations`` and run on every open (a no-op when the database is current).
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from marsad.errors import StoreError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def normalize_url(db: str) -> str:
    """A ``--db`` value as an SQLAlchemy URL: a path becomes ``sqlite:///…``, ``postgresql://``
    uses psycopg 3 (the driver of the ``postgres`` extra)."""
    if "://" not in db:
        return f"sqlite:///{Path(db).expanduser().resolve()}"
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    return db


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def upgrade(engine: sa.Engine) -> None:
    """Run the pending migrations on ``engine`` (nothing when it is already at head)."""
    try:
        with engine.begin() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            if current == head_revision():
                return
            log.info("migrating store from %s to %s", current, head_revision())
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the database: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
