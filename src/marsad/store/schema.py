"""The tables of the store, as SQLAlchemy Core objects (queries use these).

The migrations under ``migrations/versions`` create exactly these tables; a unit test compares the
migrated database with this metadata so the two cannot drift apart.

::

    documents ──< mentions >── events ──< claims
        │             │
        └ dup_group   └ run_id ──► runs

- ``documents``: one report (text, metadata, content hash, MinHash signature, near-duplicate group).
- ``mentions``: one extracted event of one document: the spec §3 JSON plus indexed columns.
- ``events``: a merged event (a cluster of mentions); ``event_id`` never changes once given.
- ``claims``: what each mention's source says (one row per attributed source, or one row with no
  source): outlet, fatality figure, wire key. An event's fatality range comes from here.
- ``runs``: the component and lexicon versions that produced mentions (``ExtractResult.produced_by``).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("doc_id", sa.String(512), primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False, index=True),
    sa.Column("title", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("outlet", sa.String(256)),
    sa.Column("published", sa.Date, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("dup_group", sa.String(512), nullable=False, index=True),
    sa.Column("dup_of", sa.String(512)),
    sa.Column("minhash", sa.LargeBinary),
    sa.Column("warnings", sa.JSON, nullable=False),
    sa.Column("run_id", sa.String(32)),
    sa.Column("ingested_at", sa.Float, nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.String(32), primary_key=True),
    sa.Column("produced_by", sa.JSON, nullable=False),
    sa.Column("first_seen", sa.Float, nullable=False),
)

mentions = sa.Table(
    "mentions",
    metadata,
    sa.Column("mention_id", sa.String(600), primary_key=True),
    sa.Column("doc_id", sa.String(512), sa.ForeignKey("documents.doc_id"), nullable=False, index=True),
    sa.Column("idx", sa.Integer, nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False, index=True),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("sub_event_type", sa.String(64), nullable=False),
    sa.Column("date", sa.Date),
    sa.Column("country", sa.String(8)),
    sa.Column("admin1", sa.String(256)),
    sa.Column("admin1_key", sa.String(256)),
    sa.Column("location_name", sa.String(512)),
    sa.Column("name_key", sa.String(512), index=True),
    sa.Column("gazetteer_id", sa.String(128), index=True),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("geo_precision", sa.Integer),
    sa.Column("fatalities", sa.Integer),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.run_id")),
    sa.Index("ix_mentions_type_date", "event_type", "date"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("event_type", sa.String(64), nullable=False, index=True),
    sa.Column("sub_event_type", sa.String(64), nullable=False, index=True),
    sa.Column("date", sa.Date, index=True),
    sa.Column("country", sa.String(8), index=True),
    sa.Column("admin1", sa.String(256)),
    sa.Column("admin1_key", sa.String(256), index=True),
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

claims = sa.Table(
    "claims",
    metadata,
    sa.Column("mention_id", sa.String(600), sa.ForeignKey("mentions.mention_id"), primary_key=True),
    sa.Column("source_idx", sa.Integer, primary_key=True),
    sa.Column("event_id", sa.String(64), nullable=False, index=True),
    sa.Column("doc_id", sa.String(512), nullable=False),
    sa.Column("outlet", sa.String(256)),
    sa.Column("source", sa.String(256)),
    sa.Column("source_kind", sa.String(32)),
    sa.Column("fatalities", sa.Integer),
    sa.Column("injured", sa.Integer),
    sa.Column("wire", sa.String(600), nullable=False),
)

VOLATILE_COLUMNS = {("documents", "ingested_at"), ("runs", "first_seen"), ("events", "timestamp")}
"""Columns that hold wall-clock times: everything else is a function of the documents ingested."""
