"""Alembic environment: always run with a connection handed in by ``marsad.store.migrate``."""

from __future__ import annotations

from alembic import context

from marsad.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable through the alembic CLI
    raise RuntimeError("run migrations through marsad.store.migrate.upgrade(engine)")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
