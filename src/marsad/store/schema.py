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

# -- live input, alerts and imported datasets (revision 0003; marsad.live, marsad.alerts,
# marsad.store.external) -------------------------------------------------------------------------
#
# - ``watched_files``: a file ``marsad watch`` has read (path, size and mtime when read), so a
#   restart does not read every file again.
# - ``feeds`` / ``feed_items``: ``marsad poll``'s state per feed (validators, failures, when to try
#   again) and per item (guid or link seen, the doc_id it was stored under).
# - ``alerts``: surges found by ``marsad.alerts`` (one row per area, family, measure and day), with
#   the event ids behind each.
# - ``external_events``: rows of imported datasets (ACLED CSV, UCDP GED), under their own source;
#   never mixed into ``mentions`` or ``events``.

watched_files = sa.Table(
    "watched_files",
    metadata,
    sa.Column("path", sa.String(1024), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("mtime", sa.Float, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("read_at", sa.Float, nullable=False),
)

feeds = sa.Table(
    "feeds",
    metadata,
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

feed_items = sa.Table(
    "feed_items",
    metadata,
    sa.Column("feed_url", sa.String(1024), primary_key=True),
    sa.Column("item_key", sa.String(1024), primary_key=True),
    sa.Column("doc_id", sa.String(512), nullable=False),
    sa.Column("first_seen", sa.Float, nullable=False),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("alert_id", sa.String(32), primary_key=True),
    sa.Column("area_level", sa.String(8), nullable=False),
    sa.Column("country", sa.String(8), nullable=False),
    sa.Column("area", sa.String(256), nullable=False),
    sa.Column("area_key", sa.String(256), nullable=False),
    sa.Column("family", sa.String(64), nullable=False),
    sa.Column("measure", sa.String(32), nullable=False),
    sa.Column("day", sa.Date, nullable=False, index=True),
    sa.Column("value", sa.Integer, nullable=False),
    sa.Column("baseline", sa.Float, nullable=False),
    sa.Column("baseline_days", sa.Integer, nullable=False),
    sa.Column("p_value", sa.Float, nullable=False),
    sa.Column("test", sa.String(128), nullable=False),
    sa.Column("statement", sa.Text, nullable=False),
    sa.Column("event_ids", sa.JSON, nullable=False),
    sa.Column("computed_at", sa.Float, nullable=False),
    sa.Index("ix_alerts_area", "area_level", "country", "area_key", "family"),
)

external_events = sa.Table(
    "external_events",
    metadata,
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
    sa.Index("ix_external_events_area_date", "country", "admin1_key", "date"),
    sa.Index("ix_external_events_source_date", "source", "date"),
)

VOLATILE_COLUMNS.update(
    {
        ("watched_files", "read_at"),
        ("feeds", "last_success"),
        ("feeds", "last_attempt"),
        ("feeds", "next_attempt"),
        ("feed_items", "first_seen"),
        ("alerts", "computed_at"),
        ("external_events", "imported_at"),
    }
)

# -- review, users and audit trail (revision 0002; marsad.store.review, marsad.api) --------------
#
# - ``users``: who may log in to ``marsad serve`` (argon2 password hash, role viewer/reviewer/admin).
# - ``api_tokens``: bearer tokens for ``POST /api/v1/documents`` (SHA-256 of the token, never the token).
# - ``event_reviews``: the review state of an event (accepted, edited, rejected) and the fields a
#   reviewer changed; keyed by ``event_id``, so it outlives re-merging and re-ingest.
# - ``review_log``: every review action (who, when, before, after, why): the audit trail.
# - ``mention_pins``: mentions a reviewer attached to an event (merge, split, reject): re-ingest
#   puts them back there instead of merging them afresh.
# - ``event_words``: the normalised words of an event's evidence, places and notes (for ``q``), and
#   ``@`` + each of its actors' names; ``actor_names``: every actor name seen (for ``actor``).

users = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), sa.ForeignKey("users.username"), nullable=False, index=True),
    sa.Column("label", sa.String(128)),
    sa.Column("created_at", sa.Float, nullable=False),
)

event_reviews = sa.Table(
    "event_reviews",
    metadata,
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("changes", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("updated_by", sa.String(64)),
)

review_log = sa.Table(
    "review_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("username", sa.String(64)),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("before", sa.JSON),
    sa.Column("after", sa.JSON),
    sa.Column("reason", sa.Text, nullable=False),
)

mention_pins = sa.Table(
    "mention_pins",
    metadata,
    sa.Column("mention_id", sa.String(600), primary_key=True),
    sa.Column("event_id", sa.String(64), nullable=False, index=True),
    sa.Column("pinned_at", sa.Float, nullable=False),
)

SEARCH_WORD = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
"""Search keys compare by code point (PostgreSQL: collation C), so a prefix is a key range."""

event_words = sa.Table(
    "event_words",
    metadata,
    sa.Column("word", SEARCH_WORD, primary_key=True),
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Index("ix_event_words_event_id", "event_id"),
)

actor_names = sa.Table(
    "actor_names",
    metadata,
    sa.Column("name", sa.String(512), primary_key=True),
)

# Indexes of the API's filters and sort keys on ``events`` (``GET /api/v1/events``): each leads
# with a filter or sort key and carries the other filter columns and the event id, so counts and
# pages are read from the index alone, never from the rows with their JSON (docs/benchmarks.md "API").
_FILTERS = ("event_type", "sub_event_type", "independent_sources", "fatalities", "lat", "lon")
EVENT_FILTER_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_events_country_date": ("country", "date", *_FILTERS, "event_id"),
    "ix_events_type_date": ("event_type", "date", "country", *_FILTERS[1:], "event_id"),
    "ix_events_sub_date": ("sub_event_type", "date", "country", *_FILTERS[2:], "event_id"),
    "ix_events_fatalities": ("fatalities", "event_id", "date", "country", *_FILTERS[:3], "lat", "lon"),
    "ix_events_id_keys": ("event_id", "date", "fatalities", "country", *_FILTERS[:3], "lat", "lon"),
    "ix_events_lon_lat": ("lon", "lat"),
    "ix_events_independent_sources": ("independent_sources",),
}
for _name, _columns in EVENT_FILTER_INDEXES.items():
    sa.Index(_name, *(events.c[c] for c in _columns))

VOLATILE_COLUMNS.update(
    {
        ("users", "created_at"),
        ("api_tokens", "created_at"),
        ("event_reviews", "updated_at"),
        ("review_log", "at"),
        ("mention_pins", "pinned_at"),
    }
)

# -- ingest at scale (migration 0004) ---------------------------------------------------------

doc_bands = sa.Table(
    "doc_bands",
    metadata,
    sa.Column("band_key", sa.BigInteger, primary_key=True),
    sa.Column("doc_id", sa.String(512), sa.ForeignKey("documents.doc_id"), primary_key=True),
    sa.Index("ix_doc_bands_doc_id", "doc_id"),
)
"""The near-duplicate (MinHash LSH) index, persisted: one row per band of each stored document's
signature (``merge.band_keys``), so a run looks up a report's candidates instead of loading every
stored signature."""
