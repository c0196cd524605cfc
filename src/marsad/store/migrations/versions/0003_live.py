"""Live input state, alerts and imported datasets.

Tables: ``watched_files`` (``marsad watch``), ``feeds`` and ``feed_items`` (``marsad poll``),
``alerts`` (``marsad alerts``), ``external_events`` (``marsad import``). See the live section of
``marsad/store/schema.py``.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watched_files",
        sa.Column("path", sa.String(1024), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime", sa.Float, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("read_at", sa.Float, nullable=False),
    )
    op.create_table(
        "feeds",
        sa.Column("url", sa.String(1024), primary_key=True),
        sa.Column("title", sa.Text),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_success", sa.Float),
        sa.Column("last_attempt", sa.Float),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("next_attempt", sa.Float),
        sa.Column("last_error", sa.Text),
    )
    op.create_table(
        "feed_items",
        sa.Column("feed_url", sa.String(1024), primary_key=True),
        sa.Column("item_key", sa.String(1024), primary_key=True),
        sa.Column("doc_id", sa.String(512), nullable=False),
        sa.Column("first_seen", sa.Float, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String(32), primary_key=True),
        sa.Column("area_level", sa.String(8), nullable=False),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("area", sa.String(256), nullable=False),
        sa.Column("area_key", sa.String(256), nullable=False),
        sa.Column("family", sa.String(64), nullable=False),
        sa.Column("measure", sa.String(32), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("value", sa.Integer, nullable=False),
        sa.Column("baseline", sa.Float, nullable=False),
        sa.Column("baseline_days", sa.Integer, nullable=False),
        sa.Column("p_value", sa.Float, nullable=False),
        sa.Column("test", sa.String(128), nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("event_ids", sa.JSON, nullable=False),
        sa.Column("computed_at", sa.Float, nullable=False),
    )
    op.create_index("ix_alerts_day", "alerts", ["day"])
    op.create_index("ix_alerts_area", "alerts", ["area_level", "country", "area_key", "family"])
    op.create_table(
        "external_events",
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("ext_id", sa.String(128), primary_key=True),
        sa.Column("dataset", sa.String(16), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("date_end", sa.Date),
        sa.Column("country", sa.String(8)),
        sa.Column("admin1", sa.String(256)),
        sa.Column("admin1_key", sa.String(256)),
        sa.Column("admin2", sa.String(256)),
        sa.Column("location", sa.String(512)),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("event_type", sa.String(64)),
        sa.Column("sub_event_type", sa.String(64)),
        sa.Column("family", sa.String(64)),
        sa.Column("fatalities", sa.Integer),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("imported_at", sa.Float, nullable=False),
    )
    op.create_index("ix_external_events_area_date", "external_events", ["country", "admin1_key", "date"])
    op.create_index("ix_external_events_source_date", "external_events", ["source", "date"])


def downgrade() -> None:
    op.drop_index("ix_external_events_source_date", "external_events")
    op.drop_index("ix_external_events_area_date", "external_events")
    op.drop_table("external_events")
    op.drop_index("ix_alerts_area", "alerts")
    op.drop_index("ix_alerts_day", "alerts")
    op.drop_table("alerts")
    op.drop_table("feed_items")
    op.drop_table("feeds")
    op.drop_table("watched_files")
