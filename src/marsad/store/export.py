"""Writers for merged events: spec §6 JSONL, ACLED CSV, GeoJSON (nested or flat) and Parquet.

Every writer consumes the events one at a time (``Store.events`` streams them in pages), so memory
stays flat however many events there are. ``atomic_output`` gives the file to write: a temporary
file in the target's folder, flushed, fsynced and renamed over the target only when the writer has
finished, so an interrupted export (an error, Ctrl-C, ``kill -9``) leaves the previous file as it
was; ``-`` writes to stdout.

The ACLED-shaped formats (CSV, Parquet, flat GeoJSON) write the same ``acled.acled_record`` for
an event. Undated events are not ACLED rows: the CSV and Parquet writers leave them out and count
them in ``ExportStats.undated``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from marsad.errors import ConfigError
from marsad.store.acled import ACLED_COLUMNS, EXTRA_COLUMNS, AdminLookup, InterStyle, acled_record, sub_event_label

FORMATS = ("jsonl", "acled-csv", "geojson", "parquet")
PARQUET_BATCH = 1000
sub_event_name = sub_event_label  # the name this module exported before ``acled``


@dataclass(slots=True)
class ExportStats:
    rows: int = 0
    undated: int = 0  # events left out of an ACLED-shaped export for want of a date


# -- atomic files ------------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_output(target: str | Path, *, binary: bool = False, bom: bool = False) -> Iterator[IO[Any]]:
    """A file object for ``target`` (``-``: stdout) that replaces ``target`` only on success.

    Text is UTF-8 (with a byte-order mark when ``bom``), newlines as written. The temporary file
    (``.NAME.XXXX.tmp`` beside the target) is removed on any error; the new file keeps the old
    one's permissions. A symbolic link is followed: the file it points to is replaced, the link
    kept. A target that is not a regular file (``/dev/null``, ``/dev/stdout``, a named pipe) is
    written in place, as stdout is: renaming over it would replace the device or pipe with a file."""
    if str(target) == "-":
        with _stdout(binary, bom) as out:
            yield out
        return
    given = Path(target)
    if given.is_dir():
        raise ConfigError(f"{target} is a folder, not a file")
    if given.exists() and not given.is_file():
        with _in_place(given, binary, bom) as out:
            yield out
        return
    path = Path(os.path.realpath(given))
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as raw:
            if binary:
                yield raw
            else:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig" if bom else "utf-8", newline="")
                yield text
                text.flush()
                text.detach()
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
        _fsync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _in_place(path: Path, binary: bool, bom: bool) -> Iterator[IO[Any]]:
    """A device or named pipe, written as it is (no temporary file, no rename)."""
    with open(path, "wb") as raw:
        if binary:
            yield raw
            return
        text = io.TextIOWrapper(raw, encoding="utf-8-sig" if bom else "utf-8", newline="")
        yield text
        text.flush()
        text.detach()


@contextlib.contextmanager
def _stdout(binary: bool, bom: bool) -> Iterator[IO[Any]]:
    sys.stdout.flush()
    if binary:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    text = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8-sig" if bom else "utf-8", newline="")
    try:
        yield text
        text.flush()
    finally:
        text.detach()  # leave stdout open


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


# -- writers -----------------------------------------------------------------------------------


def write_jsonl(events: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Spec §6: one merged event a line (unknown fatalities are ``null``)."""
    n = 0
    for ev in events:
        rec = {k: v for k, v in ev.items() if k != "n_mentions"}
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(
    events: Iterable[dict[str, Any]],
    out: IO[str],
    *,
    inter: InterStyle = "labels",
    admin: AdminLookup | None = None,
    stats: ExportStats | None = None,
    extra: bool = False,
) -> int:
    """ACLED's CSV: the 31 columns in ACLED's order, one dated event a row; with ``extra``, Marsad's
    ``EXTRA_COLUMNS`` (event_id … review_state) after them."""
    stats = stats if stats is not None else ExportStats()
    columns = (*ACLED_COLUMNS, *EXTRA_COLUMNS) if extra else ACLED_COLUMNS
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for ev in events:
        if not ev.get("date"):
            stats.undated += 1
            continue
        row = acled_record(ev, inter=inter, admin=admin)
        writer.writerow([_cell(row[c]) for c in columns])
        stats.rows += 1
    return stats.rows


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A CSV cell. Text from reports (outlets, names, notes) that a spreadsheet would run as a
    formula (``=HYPERLINK(…)``, ``+``, ``-``, ``@``) is prefixed with an apostrophe (OWASP's
    CSV-injection rule); numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_geojson(
    events: Iterable[dict[str, Any]],
    out: IO[str],
    *,
    flat: bool = False,
    inter: InterStyle = "labels",
    admin: AdminLookup | None = None,
) -> int:
    """A FeatureCollection, one Point per event (``null`` geometry when it has no coordinates).
    Properties: the spec §6 record without its mentions (their doc_ids instead), or with ``flat``
    the ACLED row and Marsad's extra columns, every value a string or a number (for QGIS)."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    n = 0
    for ev in events:
        loc = ev.get("location") or {}
        geometry = None
        if loc.get("lat") is not None and loc.get("lon") is not None:
            geometry = {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]}
        if flat:
            props = acled_record(ev, inter=inter, admin=admin)
        else:
            props = {k: v for k, v in ev.items() if k not in ("mentions", "n_mentions")}
            props["doc_ids"] = [m.get("doc_id") for m in ev.get("mentions") or []]
        feature = {"type": "Feature", "id": ev.get("event_id"), "geometry": geometry, "properties": props}
        out.write(("," if n else "") + json.dumps(feature, ensure_ascii=False) + "\n")
        n += 1
    out.write("]}\n")
    return n


def parquet_schema(inter: InterStyle = "labels") -> Any:
    """ACLED's columns with real types (a date, integers that may be null), then Marsad's."""
    import pyarrow as pa

    text, integer = pa.string(), pa.int64()
    inter_type = integer if inter == "numbers" else text
    types = {
        "event_date": pa.date32(),
        "year": pa.int32(),
        "time_precision": pa.int8(),
        "inter1": inter_type,
        "inter2": inter_type,
        "interaction": inter_type,
        "iso": pa.int32(),
        "latitude": pa.float64(),
        "longitude": pa.float64(),
        "geo_precision": pa.int8(),
        "fatalities": integer,
        "timestamp": integer,
        "fatalities_min": integer,
        "fatalities_max": integer,
        "injured": integer,
        "independent_sources": integer,
        "n_mentions": integer,
    }
    fields = [(c, types.get(c, text)) for c in (*ACLED_COLUMNS, *EXTRA_COLUMNS)]
    return pa.schema([*fields, ("mentions", text)])


_EPOCH = dt.date(1970, 1, 1)


def write_parquet(
    events: Iterable[dict[str, Any]],
    out: IO[bytes],
    *,
    inter: InterStyle = "labels",
    admin: AdminLookup | None = None,
    stats: ExportStats | None = None,
) -> int:
    """ACLED's columns, Marsad's extra columns and ``mentions`` (JSON), in row groups of
    ``PARQUET_BATCH`` events; undated events are left out as in the CSV.

    Each batch reaches Arrow as JSON lines parsed against the schema (``pyarrow.json``), not as
    Python objects: converting Python objects makes pyarrow import pandas when it is installed,
    some 55 MB more at its peak."""
    try:
        import pyarrow as pa
        import pyarrow.json as pa_json
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ConfigError("Parquet export needs pyarrow: pip install 'marsad[parquet]'") from exc
    stats = stats if stats is not None else ExportStats()
    schema = parquet_schema(inter)
    parse = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")

    def flush(lines: list[bytes]) -> None:
        data = b"".join(lines)
        read = pa_json.ReadOptions(use_threads=False, block_size=max(1 << 20, len(data) + 1))
        table = pa_json.read_json(io.BytesIO(data), read_options=read, parse_options=parse, memory_pool=pool)
        writer.write_table(table)
        stats.rows += len(lines)

    pool = pa.system_memory_pool()  # malloc returns a batch's memory; Arrow's default pool keeps it
    writer = pq.ParquetWriter(out, schema)
    try:
        lines: list[bytes] = []
        for ev in events:
            if not ev.get("date"):
                stats.undated += 1
                continue
            row = acled_record(ev, inter=inter, admin=admin)
            row["event_date"] = (dt.date.fromisoformat(ev["date"]) - _EPOCH).days  # date32: days since 1970
            row["mentions"] = json.dumps(ev.get("mentions") or [], ensure_ascii=False)
            lines.append(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
            if len(lines) >= PARQUET_BATCH:
                flush(lines)
                lines = []
        if lines:
            flush(lines)
    finally:
        writer.close()
    return stats.rows
