"""Readers: paths to documents. Text files, JSONL, HTML pages, RSS/Atom feeds, directories.

``read_paths`` yields a ``Located`` document (``marsad.batch``: the document, where it came from
and what the reader noticed) per report, or a ``ReadFailure`` for one that cannot be used (the
batch goes on). Nothing here extracts events or touches the store. Decoding, JSONL lines and
records are ``marsad.batch``'s (shared with ``marsad extract``).

- **ids**: a file's doc_id is its path relative to the folder given, without the suffix
  (``reports/2018/a.txt`` under ``reports/`` is ``2018/a``; a file named directly is its stem, as in
  ``marsad extract``). JSONL lines keep their ``doc_id`` (``id`` is accepted; without one,
  ``txt-`` and 16 hex digits of the text's SHA-256); an HTML page with a canonical URL is that URL;
  a feed entry is its guid or link.
- **dates**, first found: the document's own (JSONL ``published``; HTML ``<meta>`` or JSON-LD
  ``datePublished``, never a date guessed from the page text; a feed entry's date), else a date in
  the file's path (``2018-07-05``, ``2018_07_05``, ``20180705``, ``2018/07/05/…``), else
  ``published`` (``marsad ingest --published``). A document with none is read with a warning.
- **encodings**: as ``marsad.batch.decode_bytes`` (or ``encoding`` when given); an HTML page's
  declared charset first. A document not in UTF-8 carries a warning naming the encoding used.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import hashlib
import html
import json
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from marsad import batch
from marsad.batch import Located, check_doc_id, count_lines, decode_bytes, jsonl_values, parse_published, require_text
from marsad.errors import BadRecordError, EncodingError, InputError
from marsad.models import RawDocument
from marsad.settings import DEFAULT_MAX_DOCUMENT_BYTES

log = logging.getLogger(__name__)

JSONL_SUFFIXES = {".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
UNDATED = "no publication date (none in the document, its file path or --published): its events stay undated"


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """A report that could not be read: ``where`` is ``path`` or ``path:line``."""

    where: str
    error: InputError

    def __str__(self) -> str:
        return f"{self.where}: {self.error}"


Item = Located | ReadFailure


@dataclass(frozen=True, slots=True)
class Source:
    """One file to read: its path and the folder its doc_id is relative to."""

    path: Path
    root: Path

    @property
    def doc_id(self) -> str:
        return self.path.relative_to(self.root).with_suffix("").as_posix()


@dataclass(frozen=True, slots=True)
class _Dating:
    """The fallback dates of one file: from its path, else the caller's ``published``."""

    from_path: dt.date | None
    default: dt.date | None

    def resolve(self, own: dt.date | None) -> tuple[dt.date | None, tuple[str, ...]]:
        """The publication date and the notes to keep about it."""
        if own is not None:
            return own, ()
        if self.from_path is not None:
            return self.from_path, (f"publication date {self.from_path.isoformat()} taken from the file path",)
        if self.default is not None:
            return self.default, ()
        return None, (UNDATED,)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")
"""Suffixes of the files of one SQLite database (``marsad.sqlite``, ``marsad.sqlite-wal`` …)."""


def database_files(path: Path | None) -> frozenset[Path]:
    """The files of the SQLite database at ``path`` (none for ``None``): not reports, when the
    database lies in a folder being ingested."""
    if path is None:
        return frozenset()
    real = Path(os.path.realpath(path))
    return frozenset(real.with_name(real.name + suffix) for suffix in SQLITE_COMPANIONS)


def expand(paths: Sequence[Path], skip: frozenset[Path] = frozenset()) -> list[Source]:
    """Files named and files under directories named (recursively, sorted, hidden ones skipped,
    and the files in ``skip``, real paths: the database being written)."""
    out: list[Source] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                Source(p, path)
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and not (skip and Path(os.path.realpath(p)) in skip)
            )
        else:
            out.append(Source(path, path.parent))
    return out


_PATH_DATE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})([-_./]?)(0[1-9]|1[0-2])\2(0[1-9]|[12][0-9]|3[01])(?![0-9])")


def path_date(path: Path | str) -> dt.date | None:
    """The last date written in a path (``…/2018/07/05/a.txt``, ``a-2018-07-05.txt``,
    ``20180705.html``): the one nearest the file wins. ``None`` when there is none."""
    found = None
    for m in _PATH_DATE.finditer(Path(path).as_posix()):
        try:
            found = dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            continue
    return found


def kind_of(path: Path, head: bytes) -> str:
    """``jsonl``, ``html``, ``feed`` or ``text``, from the suffix and the first bytes. A ``.json``
    file is JSON Lines (a JSON array is a ``BadRecordError``: it is not read as a text report)."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix == ".json":
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
            raise BadRecordError(
                "a JSON array, not JSON Lines: give one JSON object a line (jq -c '.[]' FILE > FILE.jsonl)"
            )
        return "jsonl"
    if suffix in HTML_SUFFIXES:
        return "html"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:300].lower()
    if suffix in FEED_SUFFIXES or start.startswith(b"<rss") or b"<feed" in start or b"<rdf:rdf" in start:
        return "feed"
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def estimate(paths: Sequence[Path], skip: frozenset[Path] = frozenset()) -> int:
    """A cheap count of the reports under ``paths`` (for a progress bar)."""
    total = 0
    for source in expand(paths, skip):
        lines = count_lines(source.path) if source.path.suffix.lower() in {*JSONL_SUFFIXES, ".json"} else None
        total += 1 if lines is None else lines
    return total


def read_paths(
    paths: Sequence[Path],
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    *,
    published: dt.date | None = None,
    encoding: str | None = None,
    skip: frozenset[Path] = frozenset(),
) -> Iterator[Item]:
    """Every report under ``paths``, in order. ``published`` dates the documents that have no
    date of their own nor one in their path; ``encoding`` overrides the recognition of text
    and HTML files (JSONL is always UTF-8; feeds declare theirs); files in ``skip`` (real paths,
    ``database_files``) found under a directory are not read."""
    seen: dict[str, str] = {}
    for source in expand(paths, skip):
        for item in _read_source(source, max_bytes, published, encoding):
            if isinstance(item, Located):
                doc_id = item.doc.doc_id
                if doc_id in seen:  # one run, one document per id: a second would silently replace the first
                    item = ReadFailure(
                        item.where, BadRecordError(f"duplicate doc_id {doc_id!r} (already used by {seen[doc_id]})")
                    )
                else:
                    seen[doc_id] = item.where
            yield item


def _read_source(source: Source, max_bytes: int, published: dt.date | None, encoding: str | None) -> Iterator[Item]:
    """The reports of one file: one, or one per JSONL line or feed entry."""
    path = source.path
    dating = _Dating(path_date(path), published)
    try:
        if not path.exists():
            raise InputError("no such file or directory")
        with path.open("rb") as f:
            head = f.read(1024)
        kind = kind_of(path, head)
        if kind == "jsonl":
            yield from read_jsonl(path, max_bytes, dating)
            return
        if kind == "feed":  # one file, many reports: the per-report size limit does not apply
            yield from read_feed(path.read_bytes(), str(path), dating)
            return
        data = batch.read_file_bytes(path, max_bytes)
        if kind == "html":
            yield read_html_bytes(data, str(path), source.doc_id, dating, max_bytes, encoding)
        else:
            yield read_text_bytes(data, str(path), source.doc_id, dating, max_bytes, encoding)
    except InputError as exc:
        yield ReadFailure(str(path), exc)
    except OSError as exc:
        yield ReadFailure(str(path), InputError(exc.strerror or str(exc)))


def _content_id(text: str) -> str:
    return "txt-" + text_hash(text)[:16]


def read_text(text: str, doc_id: str | None = None) -> RawDocument:
    """One report from its text: ``doc_id`` or a content-hash id."""
    return RawDocument(doc_id=doc_id or _content_id(require_text(text)), text=require_text(text))


def read_text_bytes(
    data: bytes,
    where: str,
    doc_id: str,
    dating: _Dating | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    encoding: str | None = None,
) -> Located:
    """A text file's bytes as one report."""
    decoded = decode_bytes(data, max_bytes, encoding)
    published, notes = (dating or _Dating(None, None)).resolve(None)
    doc = RawDocument(doc_id=check_doc_id(doc_id), text=decoded.text, published=published)
    return Located(where, doc, (*_note(decoded.note), *notes))


def _note(note: str | None) -> tuple[str, ...]:
    return (note,) if note else ()


# -- JSONL -------------------------------------------------------------------------------------


def record_to_document(obj: Any, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> RawDocument:
    """One JSONL object as a ``RawDocument`` (``batch.record_to_document`` with ingest's doc_ids)."""
    return batch.record_to_document(obj, max_bytes=max_bytes, id_fields=("doc_id", "id"), default_id=_content_id)


_NOT_UTF8_JSONL = "UTF-16 or UTF-32, not UTF-8: JSONL files must be UTF-8 (convert the file, e.g. with iconv)"


def read_jsonl(
    path: Path, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES, dating: _Dating | None = None
) -> Iterator[Item]:
    dating = dating or _Dating(None, None)
    with path.open("rb") as f:
        if f.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # UTF-32 LE starts so too
            # one failure for the file, not one per line (each line's bytes are garbage as UTF-8)
            yield ReadFailure(str(path), EncodingError(_NOT_UTF8_JSONL))
            return
        f.seek(0)
        for lineno, obj in jsonl_values(f, max_bytes):
            where = f"{path}:{lineno}"
            if isinstance(obj, InputError):
                yield ReadFailure(where, obj)
                continue
            try:
                doc = record_to_document(obj, max_bytes)
            except InputError as exc:
                yield ReadFailure(where, exc)
                continue
            published, notes = dating.resolve(doc.published)
            if published != doc.published:
                doc = RawDocument(doc.doc_id, doc.text, published, doc.title, doc.url, doc.outlet)
            yield Located(where, doc, notes)


# -- HTML --------------------------------------------------------------------------------------

_META = re.compile(r"<meta\b[^>]*>", re.I | re.S)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.S)
_DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "dcterms.issued",
    "sailthru.date",
    "parsely-pub-date",
)
_JSONLD = re.compile(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.I | re.S)
_LINK = re.compile(r"<link\b[^>]*>", re.I | re.S)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_SLASHED = re.compile(r"^\s*((?:19|20)\d\d)[/.](\d{1,2})[/.](\d{1,2})\b")


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
        raw = block.strip().encode("utf-8", "replace")
        if batch.json_depth(raw) > batch.MAX_JSON_DEPTH:
            continue
        try:
            data = json.loads(block.strip())
        except (json.JSONDecodeError, RecursionError):
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


def parse_page_date(value: str) -> dt.date | None:
    """A date as pages write it in metadata: ISO (``2018-07-05``, ``2018-07-05T08:00+03:00``),
    RFC 2822 (``Thu, 05 Jul 2018 10:00:00 GMT``) or ``2018/07/05``; ``None`` otherwise (a bare
    year is not a date)."""
    try:
        return parse_published(value)
    except ValueError:
        pass
    m = _SLASHED.match(value)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


def html_date(page: str) -> dt.date | None:
    """The publication date from ``<meta>`` tags or JSON-LD, or ``None``. The page text is never
    searched for a date (extractors that do invent ``YYYY-01-01`` from a copyright line)."""
    metas = _metas(page)
    for value in [metas.get(k) for k in _DATE_KEYS] + [_jsonld_date(page)]:
        if value:
            found = parse_page_date(value)
            if found is not None:
                return found
    return None


def decode_html(data: bytes, max_bytes: int | None = None, encoding: str | None = None) -> batch.Decoded:
    """A page's bytes as text: ``encoding``, else the charset the page declares, else recognised."""
    if encoding is None:
        declared = _CHARSET.search(data[:4096])
        if declared is not None:
            name = declared.group(1).decode("ascii", "replace")
            try:
                decoded = decode_bytes(data, max_bytes, batch.check_encoding(name))
            except (ValueError, InputError):
                pass
            else:
                return batch.Decoded(decoded.text, decoded.encoding)  # declared: nothing to warn about
    return decode_bytes(data, max_bytes, encoding)


def read_html_bytes(
    data: bytes,
    where: str,
    file_id: str,
    dating: _Dating | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    encoding: str | None = None,
) -> Located:
    decoded = decode_html(data, max_bytes, encoding)
    doc = read_html(decoded.text, where, file_id)
    published, notes = (dating or _Dating(None, None)).resolve(doc.published)
    if published != doc.published:
        doc = RawDocument(doc.doc_id, doc.text, published, doc.title, doc.url, doc.outlet)
    return Located(where, doc, (*_note(decoded.note), *notes))


def read_html(page: str, where: str = "", file_id: str | None = None) -> RawDocument:
    """Main text, title, canonical URL and date of a page; doc_id = the canonical URL, else
    ``file_id``, else a content-hash id."""
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
        log.debug("%s: no publication date in <meta> or JSON-LD", where or "HTML page")
    outlet = metas.get("og:site_name") or (urlparse(url).hostname if url else None)
    doc_id = check_doc_id(url or file_id or "html-" + text_hash(text)[:16])
    return RawDocument(
        doc_id=doc_id, text=text, published=published, title=_clean(title), url=_clean(url), outlet=_clean(outlet)
    )


def _clean(value: str | None) -> str | None:
    """Metadata without NUL characters (no database stores them in text)."""
    return value.replace("\x00", "") or None if value else None


# -- feeds -------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(?:p|div|br|li|h\d)\b[^>]*>", re.I)


def fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry's content)."""
    text = _BLOCK.sub("\n", fragment)
    text = html.unescape(_TAG.sub("", text))
    return re.sub(r"\n\s*\n+", "\n", text).strip()


def read_feed(data: bytes, where: str = "", dating: _Dating | None = None) -> Iterator[Item]:
    import feedparser

    dating = dating or _Dating(None, None)
    feed = feedparser.parse(data)
    if not feed.entries:
        reason = f" ({feed.bozo_exception})" if feed.get("bozo") else ""
        raise BadRecordError(f"a feed with no entries{reason}")
    outlet = feed.feed.get("title")
    for i, entry in enumerate(feed.entries, 1):
        try:
            doc = _entry_document(entry, outlet)
        except InputError as exc:
            yield ReadFailure(f"{where}#{i}", exc)
            continue
        published, notes = dating.resolve(doc.published)
        if published != doc.published:
            doc = RawDocument(doc.doc_id, doc.text, published, doc.title, doc.url, doc.outlet)
        yield Located(f"{where}#{i}", doc, notes)


_PARTIAL_DATE = re.compile(r"^\s*\d{4}(?:-\d{1,2})?\s*$")


def entry_date(entry: Any) -> dt.date | None:
    """A feed entry's publication date (else its update date) as the outlet wrote it: the day in
    the entry's own time zone (``Wed, 02 Jun 2021 01:00:00 +0300`` is 2 June, where feedparser's
    UTC reading says 1 June), and ``None`` for a bare year or year and month (``2021``, which
    feedparser reads as 1 January)."""
    for key in ("published", "updated"):
        raw = dict.get(entry, key)  # not entry.get: feedparser maps a missing "updated" to "published", warning
        if not isinstance(raw, str) or not raw.strip():
            continue
        if _PARTIAL_DATE.match(raw):
            continue
        found = parse_page_date(raw.strip())
        if found is not None:
            return found
        stamp = dict.get(entry, f"{key}_parsed")  # the formats only feedparser reads
        if stamp:
            return dt.date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
    return None


def _entry_document(entry: Any, outlet: str | None) -> RawDocument:
    body = ""
    if entry.get("content"):
        body = max((c.get("value", "") for c in entry.content), key=len)
    body = fragment_text(body or entry.get("summary", "") or "")
    title = entry.get("title")
    require_text(body)
    if "\x00" in body:
        raise BadRecordError("the entry holds NUL characters")
    published = entry_date(entry)
    link = entry.get("link")
    doc_id = check_doc_id(str(entry.get("id") or link or "feed-" + text_hash(body)[:16]))
    host = urlparse(link).hostname if link else None
    return RawDocument(
        doc_id=doc_id,
        text=body,
        published=published,
        title=_clean(title),
        url=_clean(link),
        outlet=_clean(outlet or host),
    )
