"""``marsad poll`` against a local HTTP server on 127.0.0.1 serving Arabic RSS/Atom written for the
tests: conditional requests (304), items ingested once and only once (also after a restart),
backoff on errors and Retry-After, a malformed feed reported (no traceback). No outside network."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "store"))
import store_helpers
from fake_extractor import extract

from marsad.errors import ConfigError
from marsad.live import Poller, read_feed_list
from marsad.models import ExtractResult, RawDocument
from marsad.store import EventQuery, SqlStore, open_store
from marsad.store.schema import feed_items

FIXTURES = Path(__file__).parents[1] / "fixtures"
db_url = store_helpers.db_url_fixture()
LIVE = FIXTURES / "live"


class Site:
    """What the server serves: path -> (status, body, headers); and the requests it saw."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []

    def feed(self, path: str, fixture: str, etag: str) -> None:
        headers = {
            "Content-Type": "application/rss+xml; charset=utf-8",
            "ETag": etag,
            "Last-Modified": "Thu, 05 Jul 2018 12:00:00 GMT",
        }
        self.pages[path] = (200, (LIVE / fixture).read_bytes(), headers)


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append((self.path, dict(self.headers.items())))
            status, body, headers = site.pages.get(self.path, (404, b"not found", {}))
            if status == 200 and headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
                status, body = 304, b""
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Site, str]]:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    s = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(s))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield s, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    s = open_store(db_url)
    yield s
    s.close()


def _poller(store: SqlStore, **kw: Any) -> Poller:
    return Poller(store.engine, store, extract, interval=60.0, timeout=5.0, **kw)


def test_items_are_ingested_once_with_conditional_requests_and_after_a_restart(
    store: SqlStore, site: tuple[Site, str]
) -> None:
    s, base = site
    s.feed("/daraa.rss", "daraa.rss", '"v1"')
    url = base + "/daraa.rss"
    first = _poller(store).poll(url)
    assert (first.status, first.items, first.report.added) == ("new", 2, 2)
    stored = {m["doc_id"]: m for e in store.events(EventQuery()) for m in e["mentions"]}
    assert set(stored) == {"http://daraa24.example/news/101", "http://daraa24.example/news/102"}
    tafas = stored["http://daraa24.example/news/101"]
    assert (tafas["published"], tafas["outlet"], tafas["fatalities"]) == ("2018-07-05", "درعا 24", 3)
    # the second fetch is conditional: If-None-Match (and If-Modified-Since), answered 304
    second = _poller(store).poll(url)
    assert second.status == "not-modified"
    headers = s.requests[-1][1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Thu, 05 Jul 2018 12:00:00 GMT"
    # the feed changes: one new item among the old ones; a new process (restart) reads only it
    s.feed("/daraa.rss", "daraa-more.rss", '"v2"')
    third = _poller(store).poll(url)
    assert (third.status, third.items, third.report.added, third.report.unchanged) == ("new", 1, 1, 0)
    assert store.counts()["documents"] == 3
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(feed_items)).scalar_one() == 3
    # served again without validators (a server that forgot its ETag): nothing is ingested twice
    s.pages["/daraa.rss"] = (200, (LIVE / "daraa-more.rss").read_bytes(), {})
    fourth = _poller(store).poll(url)
    assert (fourth.status, fourth.report.seen) == ("no-new-items", 0)
    assert store.counts()["documents"] == 3


def test_an_item_that_cannot_be_read_is_reported_once_not_at_every_fetch(
    store: SqlStore, site: tuple[Site, str]
) -> None:
    import re

    from marsad.errors import NotArabicError

    def arabic_only(raw: RawDocument) -> ExtractResult:
        if not re.search("[\u0600-\u06ff]", raw.text):
            raise NotArabicError(f"document {raw.doc_id!r} is not Arabic text")
        if "انفجار" in raw.text:
            raise RuntimeError("a bug in extraction")  # may be fixed: tried again
        return extract(raw)

    s, base = site
    extra = (
        "<item><guid>http://daraa24.example/en/7</guid><title>English</title>"
        "<description>Shelling on Nawa this morning, activists said.</description></item>"
        "<item><guid>http://daraa24.example/news/103</guid><description>انفجار في درعا</description></item>"
    )
    body = (LIVE / "daraa.rss").read_bytes().replace(b"</channel>", extra.encode() + b"</channel>")
    s.pages["/mixed.rss"] = (200, body, {})  # no validators: every fetch is a full one
    first = Poller(store.engine, store, arabic_only, interval=60.0, timeout=5.0).poll(base + "/mixed.rss")
    assert (first.items, first.report.added, first.report.failed) == (4, 2, 2)
    again = Poller(store.engine, store, arabic_only, interval=60.0, timeout=5.0).poll(base + "/mixed.rss")
    assert (again.items, again.report.failed) == (1, 1)  # the English item is not tried again; the bug's is
    assert again.report.failures[0].startswith("http://daraa24.example/news/103: extraction failed")


def test_atom_feeds(store: SqlStore, site: tuple[Site, str]) -> None:
    s, base = site
    s.pages["/idlib.atom"] = (200, (LIVE / "idlib.atom").read_bytes(), {"Content-Type": "application/atom+xml"})
    result = _poller(store).poll(base + "/idlib.atom")
    assert (result.status, result.report.added) == ("new", 1)
    (event,) = list(store.events(EventQuery()))
    assert event["sub_event_type"] == "armed_clash"
    assert event["date"] == "2018-07-06"


def test_a_failing_feed_backs_off_exponentially_and_recovers(store: SqlStore, site: tuple[Site, str]) -> None:
    s, base = site
    s.pages["/down.rss"] = (500, b"internal error", {})
    url = base + "/down.rss"
    now = [1_000_000.0]
    p = _poller(store, clock=lambda: now[0])
    first = p.poll(url)
    assert first.status == "failed" and first.error == "HTTP 500 Internal Server Error"
    assert first.retry_in == 60.0
    assert p.due([url]) == []  # backing off
    now[0] += 61
    assert p.due([url]) == [url]
    assert p.poll(url).retry_in == 120.0  # doubled
    now[0] += 121
    assert p.poll(url).retry_in == 240.0
    assert p.state(url).failures == 3
    # resumable: a new process sees the same backoff
    assert _poller(store, clock=lambda: now[0] + 10).due([url], ignore_schedule=True) == []
    s.feed("/down.rss", "daraa.rss", '"up"')
    now[0] += 241
    ok = p.poll(url)
    assert (ok.status, ok.report.added) == ("new", 2)
    state = p.state(url)
    assert (state.failures, state.next_attempt, state.last_error) == (0, None, None)


def test_retry_after_is_honoured(store: SqlStore, site: tuple[Site, str]) -> None:
    s, base = site
    s.pages["/busy.rss"] = (503, b"busy", {"Retry-After": "3600"})
    result = _poller(store).poll(base + "/busy.rss")
    assert result.status == "failed" and result.retry_in == 3600.0  # longer than the 60 s backoff
    assert "next try in 60 min" in result.line()


def test_a_malformed_feed_is_reported_not_a_traceback(store: SqlStore, site: tuple[Site, str]) -> None:
    s, base = site
    s.pages["/broken.rss"] = (200, b"<html><body>\xd8\xae\xd8\xb7\xd8\xa3 <p>not a feed", {})
    result = _poller(store).poll(base + "/broken.rss")
    assert result.status == "failed"
    assert result.error is not None and result.error.startswith("not a readable feed")
    gone = _poller(store).poll("http://127.0.0.1:9/feed.rss")  # nothing listens on port 9
    assert gone.status == "failed" and gone.error is not None and gone.error.startswith("no answer")


def test_feed_list_file(tmp_path: Path) -> None:
    path = tmp_path / "feeds.txt"
    path.write_text(
        "# Daraa outlets\nhttp://daraa24.example/rss  # main\n\nhttps://idlib.example/atom\nhttp://daraa24.example/rss\n",
        encoding="utf-8",
    )
    assert read_feed_list(path) == ["http://daraa24.example/rss", "https://idlib.example/atom"]
    path.write_text("http://ok.example/rss\nftp://files.example/feed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"feeds.txt:2: not an http\(s\) URL"):
        read_feed_list(path)
    path.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no feed URLs"):
        read_feed_list(path)


def test_poll_command_once(tmp_path: Path, site: tuple[Site, str]) -> None:
    from typer.testing import CliRunner

    from marsad.cli import _register, app

    _register()
    s, base = site
    s.feed("/daraa.rss", "daraa.rss", '"v1"')
    s.pages["/broken.rss"] = (200, b"not a feed at all", {})
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{base}/daraa.rss\n{base}/broken.rss\n", encoding="utf-8")
    db = str(tmp_path / "m.sqlite")
    args = ["poll", str(feeds), "--once", "--db", db, "--extractor", "fake_extractor:extract"]
    runner = CliRunner()
    first = runner.invoke(app, args)
    assert first.exit_code == 1  # one feed failed
    assert f"{base}/daraa.rss: 2 new items: 2 added" in first.stderr
    assert f"{base}/broken.rss: not a readable feed" in first.stderr
    assert "Traceback" not in first.output
    s.pages.pop("/broken.rss")
    feeds.write_text(f"{base}/daraa.rss\n", encoding="utf-8")
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert f"{base}/daraa.rss: not-modified" in again.stderr
    started = time.time()
    bad = runner.invoke(app, ["poll", str(tmp_path / "none.txt"), "--once", "--db", db])
    assert bad.exit_code == 2 and "no such file" in bad.stderr
    assert time.time() - started < 5
