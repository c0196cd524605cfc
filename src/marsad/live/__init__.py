"""Live input: a folder watched for new reports (``watch``), RSS/Atom feeds polled (``poll``).

Both feed ``marsad.ingest.ingest`` (one transaction per document, idempotent by doc_id and content
hash), keep their state in the database so a restart resumes where it stopped, and recompute the
alerts of the provinces a batch touched (``marsad.alerts.refresh_after``). See ``docs/live.md``.
"""

from __future__ import annotations

from marsad.live.poll import FeedResult, FeedState, Poller, read_feed_list
from marsad.live.watch import DEFAULT_PATTERNS, Watcher, WatchTotals, parse_patterns, read_files

__all__ = [
    "DEFAULT_PATTERNS",
    "FeedResult",
    "FeedState",
    "Poller",
    "WatchTotals",
    "Watcher",
    "parse_patterns",
    "read_feed_list",
    "read_files",
]
