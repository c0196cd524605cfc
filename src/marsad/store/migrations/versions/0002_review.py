"""Review, users and audit trail (the web observatory).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The API's covering indexes on ``events`` (as ``schema.EVENT_FILTER_INDEXES`` at this revision,
# copied: a migration must not change when the schema module does).
_FILTERS = ("event_type", "sub_event_type", "independent_sources", "fatalities", "lat", "lon")
FILTER_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_events_country_date": ("country", "date", *_FILTERS, "event_id"),
    "ix_events_type_date": ("event_type", "date", "country", *_FILTERS[1:], "event_id"),
    "ix_events_sub_date": ("sub_event_type", "date", "country", *_FILTERS[2:], "event_id"),
    "ix_events_fatalities": ("fatalities", "event_id", "date", "country", *_FILTERS[:3], "lat", "lon"),
    "ix_events_id_keys": ("event_id", "date", "fatalities", "country", *_FILTERS[:3], "lat", "lon"),
    "ix_events_lon_lat": ("lon", "lat"),
    "ix_events_independent_sources": ("independent_sources",),
}


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("label", sa.String(128)),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_api_tokens_username", "api_tokens", ["username"])
    op.create_table(
        "event_reviews",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("updated_by", sa.String(64)),
    )
    op.create_index("ix_event_reviews_state", "event_reviews", ["state"])
    op.create_table(
        "review_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("username", sa.String(64)),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_review_log_event_id", "review_log", ["event_id"])
    op.create_table(
        "mention_pins",
        sa.Column("mention_id", sa.String(600), primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("pinned_at", sa.Float, nullable=False),
    )
    op.create_index("ix_mention_pins_event_id", "mention_pins", ["event_id"])
    op.create_table(
        "event_words",
        sa.Column("word", sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql"), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
    )
    op.create_index("ix_event_words_event_id", "event_words", ["event_id"])
    op.create_table("actor_names", sa.Column("name", sa.String(512), primary_key=True))
    for name, columns in FILTER_INDEXES.items():
        op.create_index(name, "events", list(columns))


def downgrade() -> None:
    for name in FILTER_INDEXES:
        op.drop_index(name, "events")
    for table in ("actor_names", "event_words", "mention_pins", "review_log", "event_reviews", "api_tokens", "users"):
        op.drop_table(table)
