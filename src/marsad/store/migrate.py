"""Database URLs, and bringing a schema to the newest migration, programmatically.

Users of ``pip install marsad`` need no ``alembic.ini``: the scripts ship in
``marsad/store/migrations`` and run on every writable open (a no-op when the database is current).
Two processes opening a new database at once migrate it once: the migration runs under the
database's write lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock).
"""

from __future__ import annotations

import ast
import functools
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from marsad.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
SUPPORTED = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}
"""URL schemes Marsad accepts, and the SQLAlchemy dialect+driver each stands for."""
WRITE_LOCK = 0x6D61727361640001
"""PostgreSQL advisory lock key held by every write transaction (``pg_advisory_xact_lock``)."""


def normalize_url(db: str) -> str:
    """A ``--db`` value as an SQLAlchemy URL: a path becomes ``sqlite:///…``, ``postgresql://``
    uses psycopg 3 (the driver of the ``postgres`` extra). Any other scheme is a ``StoreError``
    ("unsupported database"), before any driver is imported."""
    if "://" not in db:
        return f"sqlite:///{Path(db).expanduser().resolve()}"
    scheme, rest = db.split("://", 1)
    target = SUPPORTED.get(scheme.lower()) or (scheme.lower() if scheme.lower() in SUPPORTED.values() else None)
    if target is None:
        raise StoreError(
            f"unsupported database {scheme}://: use a SQLite file path, sqlite:///path or postgresql://user@host/db"
        )
    return f"{target}://{rest}"


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, or ``None`` (another database, or ``:memory:``)."""
    if not url.startswith("sqlite:///") or url in ("sqlite:///:memory:", "sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@functools.cache
def head_revision() -> str | None:
    """The newest revision of the migration scripts. Read from the scripts' ``revision`` and
    ``down_revision`` assignments, so that opening a database for queries does not import Alembic
    (a unit test checks the answer against Alembic's own)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if name in ("revision", "down_revision"):
                    value = ast.literal_eval(node.value)
                    values = [value] if isinstance(value, str) else list(value or ())
                    (revisions if name == "revision" else parents).update(values)
    heads = sorted(revisions - parents)
    if len(heads) > 1:
        raise StoreError(f"the migrations have several heads: {', '.join(heads)}")
    return heads[0] if heads else None


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at (``None``: no Marsad tables yet)."""
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            row = conn.execute(sa.text("SELECT version_num FROM alembic_version")).first()
            return str(row[0]) if row else None
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot read the database: {first_line(exc)}") from exc


def lock_for_writing(conn: sa.Connection) -> None:
    """Serialise write transactions across processes on PostgreSQL (SQLite takes its write lock
    with ``BEGIN IMMEDIATE``): each document is merged seeing every document stored before it."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK - (1 << 63)})


def upgrade(engine: sa.Engine) -> None:
    """Run the pending migrations on ``engine`` (nothing when it is already at head)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.util.exc import CommandError

    head = head_revision()
    if current_revision(engine) == head:
        return
    current = None
    try:
        with engine.begin() as conn:
            lock_for_writing(conn)
            current = MigrationContext.configure(conn).get_current_revision()
            if current == head:  # another process migrated it while we waited for the lock
                return
            log.info("migrating store from %s to %s", current, head)
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the database: {first_line(exc)}") from exc
    except CommandError as exc:  # a revision the scripts do not know: nothing was migrated
        raise StoreError(
            f"the database is at schema revision {current!r}, which this version of Marsad does not know: "
            "it was written by a newer Marsad (upgrade marsad), or its alembic_version table is another "
            "application's; nothing was written to it"
        ) from exc


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


_first_line = first_line  # the name other modules used before
