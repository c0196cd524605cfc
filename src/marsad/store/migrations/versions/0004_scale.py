"""Ingest at scale: the near-duplicate (MinHash LSH) index persisted as ``doc_bands``.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "doc_bands",
        sa.Column("band_key", sa.BigInteger, primary_key=True),
        sa.Column("doc_id", sa.String(512), sa.ForeignKey("documents.doc_id"), primary_key=True),
    )
    op.create_index("ix_doc_bands_doc_id", "doc_bands", ["doc_id"])
    _index_stored_documents()


def _index_stored_documents() -> None:
    """Band rows for the documents stored before this revision."""
    from marsad.store.merge import band_keys

    conn = op.get_bind()
    docs = sa.table("documents", sa.column("doc_id"), sa.column("minhash", sa.LargeBinary))
    bands = sa.table("doc_bands", sa.column("band_key"), sa.column("doc_id"))
    rows = conn.execute(sa.select(docs.c.doc_id, docs.c.minhash).where(docs.c.minhash.is_not(None))).all()
    batch: list[dict[str, object]] = []
    for doc_id, sig in rows:
        batch.extend({"band_key": key, "doc_id": doc_id} for key in band_keys(bytes(sig)))
        if len(batch) >= 5000:
            conn.execute(bands.insert(), batch)
            batch = []
    if batch:
        conn.execute(bands.insert(), batch)


def downgrade() -> None:
    op.drop_index("ix_doc_bands_doc_id", table_name="doc_bands")
    op.drop_table("doc_bands")
