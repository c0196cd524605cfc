"""``marsad poll FEEDS``: RSS/Atom feeds fetched on a schedule, their new items ingested once.

- **Conditional requests**: the ``ETag`` and ``Last-Modified`` of a feed's last answer are sent back
  (``If-None-Match``, ``If-Modified-Since``); ``304 Not Modified`` costs no parsing.
- **Backoff**: a feed that fails (no answer, an HTTP error, a body that is not a feed) waits
  ``interval * 2**(failures-1)`` seconds (at most ``MAX_BACKOFF_S``) before its next try, or as long
  as a ``Retry-After`` header asks when that is longer; one success resets it.
- **Resumable state** in the database: per feed (``feeds``: validators, last success, failures,
  next attempt, last error) and per item (``feed_items``: the guid, else the link, and the doc_id it
  was stored under). An item seen before is not ingested again, also after a restart; ingest's
  own idempotence (doc_id + content hash) is a second guard.
- Each item is one report: the entry's content (else its summary) as text, its date, the feed's
  title as outlet (``marsad.ingest.readers.read_feed``).

Nothing here reaches the network except the feed URLs given.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import sqlalchemy as sa

from marsad import __version__
from marsad.batch import Located
from marsad.errors import ConfigError, InputError, StoreError
from marsad.ingest import IngestReport
from marsad.ingest.readers import ReadFailure, read_feed
from marsad.ingest.run import Extractor
from marsad.live.ingesting import LiveIngest
from marsad.store import migrate
from marsad.store.schema import feed_items, feeds

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 6 * 3600.0
_INPUT_ERROR = re.compile(r"\[M10\d\]$")
MAX_FEED_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 30.0
USER_AGENT = f"marsad/{__version__} (+https://github.com/marsad; feed reader)"


def read_feed_list(path: Path) -> list[str]:
    """The URLs of a feeds file: one a line, ``#`` starts a comment, blank lines skipped.
    ``ConfigError`` naming the line for anything that is not an http(s) URL."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    urls: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        value = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not value:
            continue
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in value:
            raise ConfigError(f"{path}:{lineno}: not an http(s) URL: {value!r}")
        if value not in urls:
            urls.append(value)
    if not urls:
        raise ConfigError(f"{path}: no feed URLs (one a line; # starts a comment)")
    return urls


@dataclass(slots=True)
class FeedState:
    url: str
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_success: float | None = None
    last_attempt: float | None = None
    failures: int = 0
    next_attempt: float | None = None  # not before (backoff or Retry-After); None when healthy
    last_error: str | None = None

    def due(self, now: float, interval: float) -> bool:
        if self.next_attempt is not None and now < self.next_attempt:
            return False
        return self.last_attempt is None or now >= self.last_attempt + interval or self.failures > 0

    def row(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "last_success": self.last_success,
            "last_attempt": self.last_attempt,
            "failures": self.failures,
            "next_attempt": self.next_attempt,
            "last_error": self.last_error,
        }


@dataclass(slots=True)
class FeedResult:
    """One fetch of one feed: ``status`` is ``new`` (items ingested), ``not-modified`` (304),
    ``no-new-items`` or ``failed`` (``error`` says why; ``retry_in`` is the wait before the next try)."""

    url: str
    status: str
    items: int = 0
    report: IngestReport = field(default_factory=IngestReport)
    error: str | None = None
    retry_in: float | None = None

    def line(self) -> str:
        if self.status == "failed":
            return f"{self.url}: {self.error}; next try in {_duration(self.retry_in or 0)}"
        if self.status == "new":
            r = self.report
            return f"{self.url}: {self.items} new items: {r.added} added, {r.replaced} replaced, {r.failed} failed"
        return f"{self.url}: {self.status}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class FetchError(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds asked by a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now)


def fetch(state: FeedState, timeout: float = TIMEOUT_S) -> tuple[int, bytes, dict[str, str]]:
    """``(status, body, headers)`` of a conditional GET; 304 gives an empty body. ``FetchError``
    for no answer or an HTTP error (with the server's ``Retry-After``, if any)."""
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
    }
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    request = urllib.request.Request(state.url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_FEED_BYTES + 1)
            if len(body) > MAX_FEED_BYTES:
                raise FetchError(f"the feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
            return response.status, body, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return 304, b"", {k.lower(): v for k, v in exc.headers.items()}
        wait = retry_after(exc.headers.get("Retry-After") if exc.headers else None, time.time())
        raise FetchError(f"HTTP {exc.code} {exc.reason}", wait) from None
    except urllib.error.URLError as exc:
        raise FetchError(f"no answer: {exc.reason}") from None
    except (TimeoutError, OSError) as exc:
        raise FetchError(f"no answer: {exc}") from None


class Poller(LiveIngest):
    """Polls feeds into a store; the state lives in the database (``feeds``, ``feed_items``)."""

    def __init__(
        self,
        engine: sa.Engine,
        store: Any,
        extract: Extractor,
        *,
        interval: float = 900.0,
        timeout: float = TIMEOUT_S,
        after_batch: Callable[[float], int] | None = None,
        on_failure: Callable[[str], None] | None = None,
        on_warning: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            engine, store, extract, after_batch=after_batch, on_failure=on_failure, on_warning=on_warning, clock=clock
        )
        self.interval = interval
        self.timeout = timeout
        self.alerts = 0

    # -- state -------------------------------------------------------------------------------

    def state(self, url: str) -> FeedState:
        try:
            with self.engine.connect() as conn:
                row = conn.execute(sa.select(feeds).where(feeds.c.url == url)).first()
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot read the feed state: {migrate.first_line(exc)}") from exc
        if row is None:
            return FeedState(url)
        return FeedState(**{f.name: getattr(row, f.name) for f in fields(FeedState)})

    def _save(self, state: FeedState, seen: Sequence[tuple[str, str]] = ()) -> None:
        now = self.clock()
        try:
            with self.engine.begin() as conn:
                migrate.lock_for_writing(conn)
                conn.execute(feeds.delete().where(feeds.c.url == state.url))
                conn.execute(feeds.insert(), [state.row()])
                for key, _doc_id in seen:
                    conn.execute(
                        feed_items.delete().where(feed_items.c.feed_url == state.url, feed_items.c.item_key == key)
                    )
                if seen:
                    conn.execute(
                        feed_items.insert(),
                        [{"feed_url": state.url, "item_key": k, "doc_id": d, "first_seen": now} for k, d in seen],
                    )
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot save the feed state: {migrate.first_line(exc)}") from exc

    def _seen_keys(self, url: str) -> set[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(feed_items.c.item_key).where(feed_items.c.feed_url == url))
            return {r.item_key for r in rows}

    # -- one feed ----------------------------------------------------------------------------

    def poll(self, url: str) -> FeedResult:
        """Fetch one feed now and ingest its new items."""
        state = self.state(url)
        now = self.clock()
        state.last_attempt = now
        try:
            status, body, headers = fetch(state, self.timeout)
            if status == 304:
                return self._ok(state, headers, FeedResult(url, "not-modified"))
            entries = _parse(body, url)
        except (FetchError, InputError) as exc:
            return self._failed(state, str(exc), getattr(exc, "retry_after", None))
        state.title = entries[0] or state.title
        seen = self._seen_keys(url)
        fresh: list[Located | ReadFailure] = []
        for item in entries[1]:
            if isinstance(item, ReadFailure) or item.doc.doc_id not in seen:
                fresh.append(item)
        if not fresh:
            return self._ok(state, headers, FeedResult(url, "no-new-items"))
        report, began = self._ingest(fresh)
        # an item that failed is tried again at the next fetch, unless its text itself is the
        # problem (empty, binary, not Arabic, too large: an input error, code M10x), which
        # fetching it again would not change
        failed = {line.split(": ", 1)[0] for line in report.failures if not _INPUT_ERROR.search(line)}
        stored = [
            (i.doc.doc_id, i.doc.doc_id)
            for i in fresh
            if isinstance(i, Located) and i.doc.doc_id not in failed and i.where not in failed
        ]
        result = FeedResult(url, "new", items=len(fresh), report=report)
        self._ok(state, headers, result, stored)
        self.alerts += self._alerts(report, began)
        return result

    def _ok(
        self, state: FeedState, headers: dict[str, str], result: FeedResult, seen: Sequence[tuple[str, str]] = ()
    ) -> FeedResult:
        state.etag = headers.get("etag") or state.etag
        state.last_modified = headers.get("last-modified") or state.last_modified
        state.last_success = self.clock()
        state.failures = 0
        state.next_attempt = None
        state.last_error = None
        self._save(state, seen)
        return result

    def _failed(self, state: FeedState, error: str, asked: float | None) -> FeedResult:
        state.failures += 1
        wait = min(MAX_BACKOFF_S, self.interval * 2 ** (state.failures - 1))
        if asked is not None:
            wait = max(wait, min(asked, MAX_BACKOFF_S * 4))
        state.next_attempt = self.clock() + wait
        state.last_error = error
        self._save(state)
        return FeedResult(state.url, "failed", error=error, retry_in=wait)

    # -- all feeds ---------------------------------------------------------------------------

    def due(self, urls: Sequence[str], *, ignore_schedule: bool = False) -> list[str]:
        """The feeds to fetch now: all of them with ``ignore_schedule`` (except those backing off),
        else those whose interval has passed."""
        now = self.clock()
        out = []
        for url in urls:
            st = self.state(url)
            if st.next_attempt is not None and now < st.next_attempt:
                continue
            if ignore_schedule or st.due(now, self.interval):
                out.append(url)
        return out

    def round(self, urls: Sequence[str], *, ignore_schedule: bool = False) -> Iterator[FeedResult]:
        for url in self.due(urls, ignore_schedule=ignore_schedule):
            yield self.poll(url)


def _parse(body: bytes, url: str) -> tuple[str | None, list[Located | ReadFailure]]:
    """The feed's title and its items; ``InputError`` for a body that is not a feed."""
    import feedparser

    parsed = feedparser.parse(body)
    if not parsed.entries:
        if parsed.get("bozo") or not parsed.get("version"):
            reason = parsed.get("bozo_exception") or "no RSS or Atom root element"
            raise InputError(f"not a readable feed ({reason})")
        return parsed.feed.get("title"), []
    items: list[Located | ReadFailure] = [i for i in read_feed(body, url) if isinstance(i, Located | ReadFailure)]
    return parsed.feed.get("title"), items
