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

Encodings: UTF-8 (with or without a byte-order mark) is read as is; a UTF-16/UTF-32 byte-order
mark, UTF-16 without one, and legacy encodings such as windows-1256 (older Arabic archives) are
recognised (``charset-normalizer``) or named by the caller, and the encoding used is reported as a
warning. A JSON line is refused when nested deeper than ``MAX_JSON_DEPTH``; ids with control
characters and texts that are not valid Unicode are refused too: each is one failed document.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import logging
import re
import unicodedata
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
MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects accepted in a JSON line (a report needs 2)."""
MIN_DETECT_BYTES = 20
"""Non-ASCII bytes a file needs before its encoding is guessed: fewer give no reliable answer."""
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ENCODING_NAMES = {
    "cp1256": "windows-1256",
    "iso8859_6": "ISO-8859-6",
    "utf_16_le": "UTF-16LE",
    "utf_16_be": "UTF-16BE",
    "utf_16": "UTF-16",
    "utf_32_le": "UTF-32LE",
    "utf_32_be": "UTF-32BE",
    "utf_8": "UTF-8",
    "mac_arabic": "MacArabic",
    "cp720": "CP720",
    "cp864": "CP864",
}
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


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
    """A document read successfully, with ``where`` it came from (for messages about it) and what
    the reader had to say about it (an encoding guessed, a date taken from the file name …)."""

    where: str
    doc: RawDocument
    warnings: tuple[str, ...] = ()


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


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text of a report and how it was decoded: ``note`` is ``None`` for plain UTF-8, else a
    warning naming the encoding used (``"not UTF-8: read as windows-1256 (recognised)"``)."""

    text: str
    encoding: str
    note: str | None = None


def encoding_name(codec: str) -> str:
    """The usual name of a Python codec (``cp1256`` -> ``windows-1256``)."""
    try:
        norm = codecs.lookup(codec).name.replace("-", "_")
    except LookupError:
        return codec
    return _ENCODING_NAMES.get(norm, norm.replace("_", "-"))


def check_encoding(name: str) -> str:
    """``name`` itself when Python knows a text codec of that name, else ``ValueError``."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValueError(f"unknown encoding {name!r} (e.g. utf-8, windows-1256, utf-16)") from None
    if not getattr(info, "_is_text_encoding", True):
        raise ValueError(f"{name!r} is not a text encoding")
    return name


def decode_bytes(data: bytes, max_bytes: int | None = None, encoding: str | None = None) -> Decoded:
    """Bytes of a report to text: ``encoding`` when given, else a byte-order mark, UTF-8, UTF-16
    without a mark, or a recognised legacy encoding (windows-1256 …).

    Raises ``DocumentTooLargeError`` (over ``max_bytes``, when given), ``BinaryInputError``,
    ``EncodingError``, ``EmptyDocumentError``.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise DocumentTooLargeError(f"more than the limit of {max_bytes:,} bytes; refused, not truncated")
    decoded = _decode_as(data, encoding) if encoding is not None else _decode_guessed(data)
    if "\x00" in decoded.text:
        raise BinaryInputError("binary data (NUL characters), not text")
    require_text(decoded.text)
    return decoded


def _decode_as(data: bytes, encoding: str) -> Decoded:
    name = encoding_name(encoding)
    for bom, codec in _BOMS:
        if data.startswith(bom) and codecs.lookup(codec).name == codecs.lookup(encoding).name.removesuffix("-sig"):
            data = data[len(bom) :]
            break
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise EncodingError(f"not valid {name} (bad byte 0x{data[exc.start]:02x} at offset {exc.start})") from exc
    except LookupError as exc:
        raise EncodingError(f"unknown encoding {encoding!r}") from exc
    note = None if name == "UTF-8" else f"read as {name} (as asked)"
    return Decoded(text, name, note)


def _decode_guessed(data: bytes) -> Decoded:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise EncodingError(f"not valid {encoding_name(codec)} despite its byte-order mark") from exc
            name = encoding_name(codec)
            return Decoded(text, name, None if name == "UTF-8" else f"not UTF-8: read as {name} (byte-order mark)")
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise BinaryInputError("binary data (NUL bytes), not text")
        return utf16
    try:
        return Decoded(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError as exc:
        bad = f"bad byte 0x{data[exc.start]:02x} at offset {exc.start}"
        guessed = _legacy(data)
        if guessed is None:
            raise EncodingError(f"not valid UTF-8 ({bad}), and its encoding could not be recognised") from exc
        return guessed


def _utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 text without a byte-order mark: its ASCII characters (spaces, digits) leave NUL
    bytes all at odd offsets (little-endian) or all at even ones (big-endian)."""
    if len(data) % 2:
        return None
    odd, even = data[1::2].count(0), data[0::2].count(0)
    if odd and not even:
        codec = "utf-16-le"
    elif even and not odd:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if "\x00" in text or _BAD_CONTROL.search(text):
        return None
    name = encoding_name(codec)
    return Decoded(text, name, f"not UTF-8: read as {name} (recognised; no byte-order mark)")


def _legacy(data: bytes) -> Decoded | None:
    """A legacy single-byte encoding recognised by charset-normalizer, or ``None`` when there is
    too little non-ASCII text to tell (``MIN_DETECT_BYTES``) or nothing fits."""
    if sum(1 for b in data if b >= 0x80) < MIN_DETECT_BYTES:
        return None
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not best.encoding:
        return None
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    name = encoding_name(best.encoding)
    return Decoded(text, name, f"not UTF-8: read as {name} (recognised)")


def decode_report(data: bytes, max_bytes: int | None = None, encoding: str | None = None) -> str:
    """``decode_bytes(...).text``: bytes of a report to text (raises as ``decode_bytes`` does)."""
    return decode_bytes(data, max_bytes, encoding).text


def read_file_bytes(path: Path, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of one report file; raises ``InputError`` (never ``OSError``) when it cannot be used."""
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
            return f.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(exc.strerror or str(exc)) from exc


def read_text_file(
    path: Path,
    published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    encoding: str | None = None,
) -> RawDocument:
    """One plain-text report; raises ``InputError`` (never ``OSError``) when it cannot be used."""
    return read_text_located(path, published, max_bytes, encoding).doc


def read_text_located(
    path: Path,
    published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    encoding: str | None = None,
) -> Located:
    """``read_text_file`` with the reader's warnings (an encoding other than UTF-8)."""
    decoded = decode_bytes(read_file_bytes(path, max_bytes), max_bytes, encoding)
    doc = RawDocument(doc_id=path.stem, text=decoded.text, published=published)
    return Located(str(path), doc, (decoded.note,) if decoded.note else ())


def read_text_stream(
    stream: BinaryIO,
    doc_id: str = "stdin",
    published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    encoding: str | None = None,
) -> Located:
    decoded = decode_bytes(stream.read(max_bytes + 1), max_bytes, encoding)
    doc = RawDocument(doc_id=doc_id, text=decoded.text, published=published)
    return Located("-", doc, (decoded.note,) if decoded.note else ())


def read_text_files(
    paths: Sequence[Path],
    published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    stdin: BinaryIO | None = None,
    encoding: str | None = None,
) -> Iterator[Item]:
    """A ``Located`` document or a ``Failure`` per path, in order. ``-`` reads ``stdin`` (doc_id ``stdin``).

    A file that is not UTF-8 is decoded as recognised (or as ``encoding``), with a warning logged
    that names the encoding used."""
    seen: dict[str, str] = {}
    for path in paths:
        where = str(path)
        try:
            if where == STDIO and stdin is not None:
                located = read_text_stream(stdin, "stdin", published, max_bytes, encoding)
            else:
                located = read_text_located(path, published, max_bytes, encoding)
        except InputError as exc:
            yield Failure(where, str(exc))
            continue
        doc = located.doc
        if doc.doc_id in seen:
            yield Failure(where, f"duplicate doc_id {doc.doc_id!r} (already used by {seen[doc.doc_id]})")
            continue
        seen[doc.doc_id] = where
        for warning in located.warnings:
            log.warning("%s: %s", where, warning)
        yield Located(where, doc, located.warnings)


# ---------------------------------------------------------------------------------------------
# JSONL: one {"doc_id", "text", "published", "url", "outlet", "title"} object a line
# ---------------------------------------------------------------------------------------------


def parse_published(value: Any) -> dt.date | None:
    """``"2018-07-05"`` or an ISO 8601 timestamp (``2018-07-05T09:30:00+03:00``: the day as written,
    not converted to UTC) to a date; null / ``""`` to None; anything else ``ValueError``."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    if len(text) <= 10:
        return dt.date.fromisoformat(text)
    return dt.datetime.fromisoformat(text).date()  # the whole timestamp must parse


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
        raise BadRecordError(f"not a JSON object but a JSON {json_type(obj)}")
    if "text" not in obj:
        raise BadRecordError('no "text" field')
    text = obj["text"]
    if not isinstance(text, str):
        raise BadRecordError(f'"text" is not a string but a JSON {json_type(text)}')
    if len(text) > max_bytes or len(_utf8(text, "text")) > max_bytes:
        raise DocumentTooLargeError(f'"text" is over the limit of {max_bytes:,} bytes; refused, not truncated')
    if "\x00" in text:
        raise BinaryInputError('"text" holds binary data (NUL characters)')
    require_text(text, '"text" is empty')
    raw_id = next((obj[k] for k in id_fields if k in obj), None)
    if raw_id is not None and (not isinstance(raw_id, str | int) or isinstance(raw_id, bool)):
        raise BadRecordError(f'"doc_id" is not a string but a JSON {json_type(raw_id)}')
    doc_id = check_doc_id(str(raw_id).strip()) if raw_id is not None else ""
    if not doc_id:
        doc_id = default_id(text) if default_id is not None else f"line-{lineno}"
    try:
        published = parse_published(obj.get("published")) or default_published
    except ValueError as exc:
        raise BadRecordError(f'"published" is not a date (YYYY-MM-DD or ISO 8601): {obj.get("published")!r}') from exc
    meta = {k: _meta_field(obj, k) for k in ("title", "url", "outlet")}
    return RawDocument(doc_id=doc_id, text=text, published=published, **meta)


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type, for messages (``null``, not ``NoneType``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string" if isinstance(value, str) else type(value).__name__


def _utf8(value: str, field: str) -> bytes:
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadRecordError(f'"{field}" is not valid Unicode (a lone surrogate at {exc.start})') from exc


def _meta_field(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    text = str(value)
    _utf8(text, key)
    if "\x00" in text:
        raise BadRecordError(f'"{key}" holds a NUL character')
    return text


def check_doc_id(doc_id: str) -> str:
    """``doc_id`` itself, or ``BadRecordError`` when it holds a control character (NUL, a line
    break …), a Unicode line or paragraph separator (U+2028, U+2029) or is not valid Unicode: such
    an id cannot be stored on every database, nor printed on one line."""
    _utf8(doc_id, "doc_id")
    for ch in doc_id:
        kind = unicodedata.category(ch)
        if kind in ("Cc", "Zl", "Zp"):
            what = "control character" if kind == "Cc" else "line separator"
            raise BadRecordError(f"doc_id {doc_id[:60]!r} holds a {what} (U+{ord(ch):04X})")
    if len(doc_id) > 512:
        raise BadRecordError(f"doc_id is longer than 512 characters ({len(doc_id)})")
    return doc_id


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


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_JSON_BRACKET = re.compile(rb"[][{}]")


def json_depth(line: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep arrays and objects nest in a JSON text (brackets inside strings do not count),
    counted up to just past ``limit``. A line with at most ``limit`` opening brackets cannot nest
    deeper: it is not scanned, and its bracket count is returned as the bound."""
    if line.count(b"[") + line.count(b"{") <= limit:
        return min(line.count(b"[") + line.count(b"{"), limit)
    depth = deepest = 0
    for m in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', line)):
        depth += 1 if m.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
        if deepest > limit:
            break
    return deepest


def _decode_line(line: bytes, lineno: int) -> Any:
    if line.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EncodingError("UTF-16, not UTF-8: JSONL lines must be UTF-8 (convert the file)")
    if json_depth(line) > MAX_JSON_DEPTH:
        raise BadRecordError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(line.decode("utf-8-sig" if lineno == 1 else "utf-8"))
    except UnicodeDecodeError as exc:
        raise EncodingError(f"not valid UTF-8 (bad byte at offset {exc.start}); JSONL lines must be UTF-8") from exc
    except json.JSONDecodeError as exc:
        # json's messages may end with "at" ("Invalid control character at"): one "at" before the column
        raise BadRecordError(f"not JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})") from exc
    except RecursionError as exc:  # a backstop: json_depth should have refused the line
        raise BadRecordError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from exc


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
