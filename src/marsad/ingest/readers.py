"""Readers: paths to ``RawDocument``s. Text files, JSONL, HTML pages, RSS/Atom feeds, directories.

``read_paths`` yields a ``RawDocument`` per report, or a ``ReadFailure`` for one that cannot be
used (the batch goes on). Nothing here extracts events or touches the store. Decoding, dates,
JSONL lines and records are ``marsad.batch``'s (shared with ``marsad extract``); what is ingest's
own is a content-hash doc_id where a report has none, and ``id`` accepted for ``doc_id``.

- **text** (``.txt`` and anything that is not recognised otherwise): the whole file is one report;
  its doc_id is ``txt-`` plus the first 16 hex digits of the SHA-256 of the text.
- **JSONL** (``.jsonl``, ``.ndjson``): one object a line, ``{"doc_id", "text", "published", "url",
  "outlet", "title"}``; only ``text`` is required (``id`` is accepted for ``doc_id``).
- **HTML** (``.html``, ``.htm``): main text and title by trafilatura; the date only from
  ``<meta>`` or JSON-LD ``datePublished`` (trafilatura's own guess is unreliable), else none and a
  logged warning. doc_id: the canonical URL when the page has one.
- **feeds** (``.xml``, ``.rss``, ``.atom``, or a file starting like one): one report per entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from marsad import batch
from marsad.batch import count_lines, decode_report, jsonl_values, parse_published, require_text
from marsad.errors import BadRecordError, InputError
from marsad.models import RawDocument
from marsad.settings import DEFAULT_MAX_DOCUMENT_BYTES

log = logging.getLogger(__name__)

JSONL_SUFFIXES = {".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """A report that could not be read: ``where`` is ``path`` or ``path:line``."""

    where: str
    error: InputError

    def __str__(self) -> str:
        return f"{self.where}: {self.error}"


Item = RawDocument | ReadFailure


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def expand(paths: Sequence[Path]) -> list[Path]:
    """Files named and files under directories named (recursively, sorted, hidden ones skipped)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            out.append(path)
    return out


def kind_of(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in HTML_SUFFIXES:
        return "html"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:300].lower()
    if suffix in FEED_SUFFIXES or start.startswith(b"<rss") or b"<feed" in start or b"<rdf:rdf" in start:
        return "feed"
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def estimate(paths: Sequence[Path]) -> int:
    """A cheap count of the reports under ``paths`` (for a progress bar)."""
    total = 0
    for path in expand(paths):
        lines = count_lines(path) if path.suffix.lower() in JSONL_SUFFIXES else None
        total += 1 if lines is None else lines
    return total


def read_paths(paths: Sequence[Path], max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> Iterator[Item]:
    for path in expand(paths):
        try:
            if not path.exists():
                raise InputError("no such file or directory")
            with path.open("rb") as f:
                head = f.read(1024)
            kind = kind_of(path, head)
            if kind == "jsonl":
                yield from read_jsonl(path, max_bytes)
                continue
            data = path.read_bytes()
            if kind == "feed":
                yield from read_feed(data, str(path))
            elif kind == "html":
                yield read_html(decode_report(data, max_bytes), str(path))
            else:
                yield read_text(decode_report(data, max_bytes))
        except InputError as exc:
            yield ReadFailure(str(path), exc)
        except OSError as exc:
            yield ReadFailure(str(path), InputError(exc.strerror or str(exc)))


def _content_id(text: str) -> str:
    return "txt-" + text_hash(text)[:16]


def read_text(text: str) -> RawDocument:
    return RawDocument(doc_id=_content_id(require_text(text)), text=text)


# -- JSONL -------------------------------------------------------------------------------------


def record_to_document(obj: Any, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> RawDocument:
    """One JSONL object as a ``RawDocument`` (``batch.record_to_document`` with ingest's doc_ids)."""
    return batch.record_to_document(obj, max_bytes=max_bytes, id_fields=("doc_id", "id"), default_id=_content_id)


def read_jsonl(path: Path, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> Iterator[Item]:
    with path.open("rb") as f:
        for lineno, obj in jsonl_values(f, max_bytes):
            if isinstance(obj, InputError):
                yield ReadFailure(f"{path}:{lineno}", obj)
                continue
            try:
                doc = record_to_document(obj, max_bytes)
            except InputError as exc:
                yield ReadFailure(f"{path}:{lineno}", exc)
                continue
            yield doc


# -- HTML --------------------------------------------------------------------------------------

_META = re.compile(r"<meta\b[^>]*>", re.I | re.S)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.S)
_DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
)
_JSONLD = re.compile(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.I | re.S)
_LINK = re.compile(r"<link\b[^>]*>", re.I | re.S)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


def _attrs(tag: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "") for m in _ATTR.finditer(tag)
    }


def _metas(page: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in _META.findall(page):
        a = _attrs(tag)
        key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
        if key and "content" in a:
            out.setdefault(key, a["content"].strip())
    return out


def _jsonld_date(page: str) -> str | None:
    for block in _JSONLD.findall(page):
        try:
            data = json.loads(block.strip())
        except json.JSONDecodeError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if isinstance(item.get("datePublished"), str):
                    return str(item["datePublished"])
                stack.extend(v for v in item.values() if isinstance(v, dict | list))
    return None


def html_date(page: str) -> dt.date | None:
    """The publication date from ``<meta>`` tags or JSON-LD, or ``None``."""
    metas = _metas(page)
    candidates = [metas.get(k) for k in _DATE_KEYS] + [_jsonld_date(page)]
    for value in candidates:
        if not value:
            continue
        try:
            return parse_published(value)
        except ValueError:
            continue
    return None


def read_html(page: str, where: str = "") -> RawDocument:
    import trafilatura  # slow import: only when HTML is read

    text = trafilatura.extract(page, include_comments=False, include_tables=False, favor_precision=True) or ""
    require_text(text)
    metas = _metas(page)
    title = metas.get("og:title")
    if not title:
        found = _TITLE.search(page)
        title = html.unescape(found.group(1)).strip() if found else None
    url = metas.get("og:url")
    for tag in _LINK.findall(page):
        a = _attrs(tag)
        if a.get("rel", "").lower() == "canonical" and a.get("href"):
            url = a["href"]
    published = html_date(page)
    if published is None:
        log.warning("%s: no publication date in <meta> or JSON-LD; none recorded", where or "HTML page")
    outlet = metas.get("og:site_name") or (urlparse(url).hostname if url else None)
    doc_id = url or "html-" + text_hash(text)[:16]
    return RawDocument(doc_id=doc_id, text=text, published=published, title=title or None, url=url, outlet=outlet)


# -- feeds -------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(?:p|div|br|li|h\d)\b[^>]*>", re.I)


def fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry's content)."""
    text = _BLOCK.sub("\n", fragment)
    text = html.unescape(_TAG.sub("", text))
    return re.sub(r"\n\s*\n+", "\n", text).strip()


def read_feed(data: bytes, where: str = "") -> Iterator[Item]:
    import feedparser

    feed = feedparser.parse(data)
    if not feed.entries:
        reason = f" ({feed.bozo_exception})" if feed.get("bozo") else ""
        raise BadRecordError(f"a feed with no entries{reason}")
    outlet = feed.feed.get("title")
    for i, entry in enumerate(feed.entries, 1):
        try:
            yield _entry_document(entry, outlet)
        except InputError as exc:
            yield ReadFailure(f"{where}#{i}", exc)


def _entry_document(entry: Any, outlet: str | None) -> RawDocument:
    body = ""
    if entry.get("content"):
        body = max((c.get("value", "") for c in entry.content), key=len)
    body = fragment_text(body or entry.get("summary", "") or "")
    title = entry.get("title")
    require_text(body)
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    published = dt.date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None
    link = entry.get("link")
    doc_id = entry.get("id") or link or "feed-" + text_hash(body)[:16]
    host = urlparse(link).hostname if link else None
    return RawDocument(doc_id=str(doc_id), text=body, published=published, title=title, url=link, outlet=outlet or host)
