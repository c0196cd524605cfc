"""Reports in, results out, one document at a time: the library behind ``marsad extract``.

::

    text files ─ read_text_files ─┐
                                  ├─► Located(RawDocument) | Failure ─ run_batch(pipeline) ─► ExtractResult | Failure
    JSONL lines ─ read_jsonl ─────┘

Readers never raise for a bad document: each unusable input becomes a ``Failure`` that names it
(``path`` or ``path:line (doc_id)``) and says what is wrong, and the batch goes on. Everything is
a generator, so a batch of any length runs in constant memory: a caller writes each result as
it comes. Size limits are checked before a document is read (``os.stat`` for a file, a bounded
``readline`` for a JSONL line), so a 20 MB file costs a ``stat``, not 20 MB.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from marsad.errors import (
    BadRecordError,
    BinaryInputError,
    DocumentTooLargeError,
    EmptyDocumentError,
    EncodingError,
    InputError,
    MarsadError,
)
from marsad.models import ExtractResult, RawDocument
from marsad.settings import DEFAULT_MAX_DOCUMENT_BYTES

log = logging.getLogger(__name__)

STDIO = "-"
# A JSON string can spell one UTF-8 byte as up to six bytes (``\u0000``), so a line may be that
# much longer than the text it carries; the text's own size is checked after decoding.
_JSON_EXPANSION = 6
_LINE_SLACK = 64 * 1024
_DRAIN_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Failure:
    """A document that produced no result: ``where`` names it, ``message`` says why (one line).

    ``unexpected`` is set when the cause was a bug rather than bad input (any exception that is
    not a ``MarsadError``); its traceback has already been logged at DEBUG level.
    """

    where: str
    message: str
    unexpected: bool = False

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Located:
    """A document read successfully, with ``where`` it came from (for messages about it)."""

    where: str
    doc: RawDocument


Item = Located | Failure
Outcome = ExtractResult | Failure


class Extractor(Protocol):
    def run(self, raw: RawDocument) -> ExtractResult: ...


# ---------------------------------------------------------------------------------------------
# Text files: one report per file, doc_id = the file's stem
# ---------------------------------------------------------------------------------------------


def require_text(text: str, message: str = "empty: no text") -> str:
    """``text`` itself, or ``EmptyDocumentError(message)`` when it is blank."""
    if not text.strip():
        raise EmptyDocumentError(message)
    return text


def decode_report(data: bytes, max_bytes: int | None = None) -> str:
    """Bytes of a report to text.

    Raises ``DocumentTooLargeError`` (over ``max_bytes``, when given), ``BinaryInputError``,
    ``EncodingError``, ``EmptyDocumentError``.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise DocumentTooLargeError(f"more than the limit of {max_bytes:,} bytes; refused, not truncated")
    if b"\x00" in data:
        raise BinaryInputError("binary data (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EncodingError(f"not valid UTF-8 (bad byte 0x{data[exc.start]:02x} at offset {exc.start})") from exc
    return require_text(text)


def read_text_file(
    path: Path, published: dt.date | None = None, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
) -> RawDocument:
    """One plain-text report; raises ``InputError`` (never ``OSError``) when it cannot be used."""
    try:
        if path.is_dir():
            raise InputError("is a directory, not a report file")
        if not path.exists():
            raise InputError("no such file")
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentTooLargeError(f"{size:,} bytes, over the limit of {max_bytes:,}; refused, not truncated")
        with path.open("rb") as f:
            # Read one byte past the limit: a file that grew after the stat (or a FIFO) is refused too.
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(exc.strerror or str(exc)) from exc
    return RawDocument(doc_id=path.stem, text=decode_report(data, max_bytes), published=published)


def read_text_stream(
    stream: BinaryIO,
    doc_id: str = "stdin",
    published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
) -> RawDocument:
    data = stream.read(max_bytes + 1)
    return RawDocument(doc_id=doc_id, text=decode_report(data, max_bytes), published=published)


def read_text_files(
    paths: Sequence[Path],
    published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    stdin: BinaryIO | None = None,
) -> Iterator[Item]:
    """A ``Located`` document or a ``Failure`` per path, in order. ``-`` reads ``stdin`` (doc_id ``stdin``)."""
    seen: dict[str, str] = {}
    for path in paths:
        where = str(path)
        try:
            if where == STDIO and stdin is not None:
                doc = read_text_stream(stdin, "stdin", published, max_bytes)
            else:
                doc = read_text_file(path, published, max_bytes)
        except InputError as exc:
            yield Failure(where, str(exc))
            continue
        if doc.doc_id in seen:
            yield Failure(where, f"duplicate doc_id {doc.doc_id!r} (already used by {seen[doc.doc_id]})")
            continue
        seen[doc.doc_id] = where
        yield Located(where, doc)


# ---------------------------------------------------------------------------------------------
# JSONL: one {"doc_id", "text", "published", "url", "outlet", "title"} object a line
# ---------------------------------------------------------------------------------------------


def parse_published(value: Any) -> dt.date | None:
    """``"2018-07-05"`` (or a timestamp starting so) to a date; null / ``""`` to None; else ``ValueError``."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(value)
    return dt.date.fromisoformat(value.strip()[:10])


def record_to_document(
    obj: Any,
    lineno: int = 0,
    default_published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    *,
    id_fields: Sequence[str] = ("doc_id",),
    default_id: Callable[[str], str] | None = None,
) -> RawDocument:
    """One decoded JSONL object as a ``RawDocument``; raises ``BadRecordError`` and friends.

    The doc_id is the first of ``id_fields`` the object has (a string or an integer); a missing
    or empty one becomes ``default_id(text)``, or ``line-<n>`` without one. A missing
    ``published`` takes ``default_published`` (None: the pipeline warns that the date is missing).
    """
    if not isinstance(obj, dict):
        raise BadRecordError(f"not a JSON object but a JSON {type(obj).__name__}")
    if "text" not in obj:
        raise BadRecordError('no "text" field')
    text = obj["text"]
    if not isinstance(text, str):
        raise BadRecordError(f'"text" is not a string but {type(text).__name__}')
    if len(text) > max_bytes or len(text.encode("utf-8")) > max_bytes:
        raise DocumentTooLargeError(f'"text" is over the limit of {max_bytes:,} bytes; refused, not truncated')
    if "\x00" in text:
        raise BinaryInputError('"text" holds binary data (NUL characters)')
    require_text(text, '"text" is empty')
    raw_id = next((obj[k] for k in id_fields if k in obj), None)
    if raw_id is not None and not isinstance(raw_id, str | int):
        raise BadRecordError(f'"doc_id" is not a string but {type(raw_id).__name__}')
    doc_id = str(raw_id).strip() if raw_id is not None else ""
    if not doc_id:
        doc_id = default_id(text) if default_id is not None else f"line-{lineno}"
    try:
        published = parse_published(obj.get("published")) or default_published
    except ValueError as exc:
        raise BadRecordError(f'"published" is not a YYYY-MM-DD date: {obj.get("published")!r}') from exc
    meta = {k: (str(obj[k]) if obj.get(k) is not None else None) for k in ("title", "url", "outlet")}
    return RawDocument(doc_id=doc_id, text=text, published=published, **meta)


def _lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes)`` per line; ``None`` for a line longer than ``limit`` (skipped unread)."""
    lineno = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        lineno += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the over-long line in bounded chunks
                rest = stream.readline(_DRAIN_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield lineno, None
        else:
            yield lineno, line


def _decode_line(line: bytes, lineno: int) -> Any:
    try:
        return json.loads(line.decode("utf-8-sig" if lineno == 1 else "utf-8"))
    except UnicodeDecodeError as exc:
        raise EncodingError(f"not valid UTF-8 (bad byte at offset {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise BadRecordError(f"not JSON ({exc.msg} at column {exc.colno})") from exc


def jsonl_values(stream: BinaryIO, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> Iterator[tuple[int, Any]]:
    """``(line number, decoded JSON value)`` per non-blank line, in order.

    A line that cannot be used gives ``(line number, InputError)`` instead of a value, and the
    reading goes on: a line too long to hold ``max_bytes`` of text (skipped unread), bad UTF-8,
    or not JSON.
    """
    for lineno, line in _lines(stream, _JSON_EXPANSION * max_bytes + _LINE_SLACK):
        if line is None:
            yield lineno, DocumentTooLargeError(f"line over the limit of {max_bytes:,} bytes of text")
        elif line.strip():
            try:
                yield lineno, _decode_line(line, lineno)
            except InputError as exc:
                yield lineno, exc


def read_jsonl(
    stream: BinaryIO,
    name: str,
    default_published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
) -> Iterator[Item]:
    """A ``Located`` document or a ``Failure`` (``name:line``) per non-blank line, in order.

    A doc_id seen on an earlier line is a failure of the later line: outputs are keyed by doc_id.
    """
    seen: dict[str, int] = {}
    for lineno, obj in jsonl_values(stream, max_bytes):
        where = f"{name}:{lineno}"
        try:
            if isinstance(obj, InputError):
                raise obj
            doc = record_to_document(obj, lineno, default_published, max_bytes)
        except InputError as exc:
            doc_id = obj.get("doc_id") if isinstance(obj, dict) else None
            yield Failure(where + (f" ({doc_id})" if isinstance(doc_id, str | int) else ""), str(exc))
            continue
        if doc.doc_id in seen:
            yield Failure(
                f"{where} ({doc.doc_id})",
                str(BadRecordError(f"duplicate doc_id {doc.doc_id!r}, first used on line {seen[doc.doc_id]}")),
            )
            continue
        seen[doc.doc_id] = lineno
        yield Located(f"{where} ({doc.doc_id})", doc)


def count_lines(path: Path) -> int | None:
    """Non-blank lines of a file (for a progress bar), or None when it cannot be counted cheaply."""
    try:
        with path.open("rb") as f:
            return sum(1 for line in f if line.strip())
    except OSError:
        return None


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def extract_one(extractor: Extractor, raw: RawDocument, where: str | None = None) -> Outcome:
    """``extractor.run(raw)``, with any exception turned into a ``Failure`` naming the document."""
    where = where or raw.doc_id
    try:
        return extractor.run(raw)
    except MarsadError as exc:
        return Failure(where, str(exc))
    except Exception as exc:  # a bug, not bad input: one line for the user, the traceback at -vv
        if log.isEnabledFor(logging.DEBUG):
            log.exception("unexpected error while extracting %s", where)
        return Failure(where, f"internal error: {type(exc).__name__}: {exc}", unexpected=True)


def run_batch(extractor: Extractor, items: Iterable[Item]) -> Iterator[Outcome]:
    """Extract every document of ``items`` in order; failures pass through unchanged."""
    for item in items:
        yield item if isinstance(item, Failure) else extract_one(extractor, item.doc, item.where)


def open_input(path: Path | str, stdin: BinaryIO) -> tuple[BinaryIO, str, bool]:
    """``(binary stream, display name, close it?)`` for a path or ``-``; raises ``InputError``."""
    if str(path) == STDIO:
        return stdin, "<stdin>", False
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a JSONL file")
    try:
        return p.open("rb"), str(p), True
    except OSError as exc:
        raise InputError(f"{p}: {exc.strerror or exc}") from exc


def is_stdio(path: Path | str | None) -> bool:
    return path is None or str(path) == STDIO
