"""Initial store: documents, runs, mentions, events, claims.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("doc_id", sa.String(512), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("outlet", sa.String(256)),
        sa.Column("published", sa.Date),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("dup_group", sa.String(512), nullable=False),
        sa.Column("dup_of", sa.String(512)),
        sa.Column("minhash", sa.LargeBinary),
        sa.Column("warnings", sa.JSON, nullable=False),
        sa.Column("run_id", sa.String(32)),
        sa.Column("ingested_at", sa.Float, nullable=False),
    )
    op.create_index("ix_documents_content_hash", "documents", ["content_hash"])
    op.create_index("ix_documents_published", "documents", ["published"])
    op.create_index("ix_documents_dup_group", "documents", ["dup_group"])

    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("produced_by", sa.JSON, nullable=False),
        sa.Column("first_seen", sa.Float, nullable=False),
    )

    op.create_table(
        "mentions",
        sa.Column("mention_id", sa.String(600), primary_key=True),
        sa.Column("doc_id", sa.String(512), sa.ForeignKey("documents.doc_id"), nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("sub_event_type", sa.String(64), nullable=False),
        sa.Column("date", sa.Date),
        sa.Column("country", sa.String(8)),
        sa.Column("admin1", sa.String(256)),
        sa.Column("admin1_key", sa.String(256)),
        sa.Column("location_name", sa.String(512)),
        sa.Column("name_key", sa.String(512)),
        sa.Column("gazetteer_id", sa.String(128)),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("geo_precision", sa.Integer),
        sa.Column("fatalities", sa.Integer),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.run_id")),
    )
    op.create_index("ix_mentions_doc_id", "mentions", ["doc_id"])
    op.create_index("ix_mentions_event_id", "mentions", ["event_id"])
    op.create_index("ix_mentions_name_key", "mentions", ["name_key"])
    op.create_index("ix_mentions_gazetteer_id", "mentions", ["gazetteer_id"])
    op.create_index("ix_mentions_type_date", "mentions", ["event_type", "date"])

    op.create_table(
        "events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("sub_event_type", sa.String(64), nullable=False),
        sa.Column("date", sa.Date),
        sa.Column("country", sa.String(8)),
        sa.Column("admin1", sa.String(256)),
        sa.Column("admin1_key", sa.String(256)),
        sa.Column("location_name", sa.String(512)),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("geo_precision", sa.Integer),
        sa.Column("fatalities", sa.Integer),
        sa.Column("fatalities_min", sa.Integer),
        sa.Column("fatalities_max", sa.Integer),
        sa.Column("independent_sources", sa.Integer, nullable=False),
        sa.Column("n_mentions", sa.Integer, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("timestamp", sa.Integer, nullable=False),
    )
    for col in ("event_type", "sub_event_type", "date", "country", "admin1_key"):
        op.create_index(f"ix_events_{col}", "events", [col])

    op.create_table(
        "claims",
        sa.Column("mention_id", sa.String(600), sa.ForeignKey("mentions.mention_id"), primary_key=True),
        sa.Column("source_idx", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("doc_id", sa.String(512), nullable=False),
        sa.Column("outlet", sa.String(256)),
        sa.Column("source", sa.String(256)),
        sa.Column("source_kind", sa.String(32)),
        sa.Column("fatalities", sa.Integer),
        sa.Column("injured", sa.Integer),
        sa.Column("wire", sa.String(600), nullable=False),
    )
    op.create_index("ix_claims_event_id", "claims", ["event_id"])


def downgrade() -> None:
    for table in ("claims", "events", "mentions", "runs", "documents"):
        op.drop_table(table)
