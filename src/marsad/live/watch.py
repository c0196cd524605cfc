"""``marsad watch DIR``: reports ingested as they land in a folder, once and only once.

The folder is scanned every ``interval`` seconds (a plain scan: it works the same on local disks,
network shares and container volumes, where file-system notifications are unreliable). A file is
read when it is *settled*: its size and modification time have not changed for ``settle`` seconds
and are the same as at the previous scan, so a file still being written (copied, downloaded) is
left for a later scan and never read half. Hidden files and the usual partial-download names
(``*.part``, ``*.tmp``, ``*.crdownload``, ``*~``) are never read.

Each file read is recorded in ``watched_files`` (path, size, modification time): a restart does not
read the folder again, and a file that changes later (another size or time) is read again (the
documents it holds whose content is unchanged are skipped by ingest, the others replaced). Doc ids
are as ``marsad ingest DIR`` gives them (the path relative to the folder, without the suffix), so
watching a folder and ingesting it name the same documents.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from marsad import batch
from marsad.errors import ConfigError, InputError, StoreError
from marsad.ingest import IngestReport
from marsad.ingest.readers import (
    Item,
    ReadFailure,
    Source,
    _Dating,
    kind_of,
    path_date,
    read_feed,
    read_html_bytes,
    read_jsonl,
    read_text_bytes,
)
from marsad.ingest.run import Extractor
from marsad.live.ingesting import LiveIngest
from marsad.settings import DEFAULT_MAX_DOCUMENT_BYTES
from marsad.store import migrate
from marsad.store.schema import watched_files

log = logging.getLogger(__name__)

DEFAULT_PATTERNS = ("*.txt", "*.html", "*.htm", "*.jsonl", "*.xml", "*.rss", "*.atom")
PARTIAL = ("*.part", "*.tmp", "*.crdownload", "*~", "*.swp")
"""Names of files still being written by common tools: never read."""


def parse_patterns(value: str | None) -> tuple[str, ...]:
    """``'*.txt,*.html'`` -> ``('*.txt', '*.html')``; ``ConfigError`` for an empty list."""
    if value is None:
        return DEFAULT_PATTERNS
    found = tuple(p.strip() for p in value.split(",") if p.strip())
    if not found:
        raise ConfigError("--pattern needs at least one pattern, e.g. '*.txt,*.jsonl'")
    return found


@dataclass(slots=True)
class WatchTotals:
    """What a watch has done so far (the summary printed at the end)."""

    scans: int = 0
    files: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    mentions: int = 0
    alerts: int = 0
    started: float = field(default_factory=time.monotonic)

    def add(self, report: IngestReport) -> None:
        self.added += report.added
        self.replaced += report.replaced
        self.unchanged += report.unchanged
        self.failed += report.failed
        self.mentions += report.mentions


class Watcher(LiveIngest):
    """Scans ``root`` and ingests the files that have settled since the last scan."""

    def __init__(
        self,
        engine: sa.Engine,
        store: object,
        root: Path,
        extract: Extractor,
        *,
        patterns: Sequence[str] = DEFAULT_PATTERNS,
        settle: float = 1.0,
        published: dt.date | None = None,
        encoding: str | None = None,
        max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
        after_batch: Callable[[float], int] | None = None,
        on_failure: Callable[[str], None] | None = None,
        on_warning: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not root.is_dir():
            raise ConfigError(f"{root} is not a folder")
        super().__init__(
            engine, store, extract, after_batch=after_batch, on_failure=on_failure, on_warning=on_warning, clock=clock
        )
        self.root = root
        self.patterns = tuple(patterns)
        self.settle = settle
        self.published = published
        self.encoding = encoding
        self.max_bytes = max_bytes
        self.totals = WatchTotals()
        self._seen: dict[str, tuple[int, float]] = {}  # path -> (size, mtime) at the previous scan
        self._done = self._load_state()

    def _load_state(self) -> dict[str, tuple[int, float]]:
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(watched_files.c.path, watched_files.c.size, watched_files.c.mtime))
                return {r.path: (int(r.size), float(r.mtime)) for r in rows}
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot read the watch state: {migrate.first_line(exc)}") from exc

    def _wanted(self, path: Path) -> bool:
        name = path.name
        if any(fnmatch.fnmatch(name, p) for p in PARTIAL):
            return False
        return any(fnmatch.fnmatch(name, p) for p in self.patterns)

    def candidates(self) -> Iterator[Path]:
        """Files under the folder that match the patterns (hidden files and folders skipped)."""
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if not name.startswith(".") and self._wanted(path):
                    yield path

    def ready(self) -> list[tuple[Path, int, float]]:
        """The files to read now: new or changed since they were read, and settled."""
        now = self.clock()
        out: list[tuple[Path, int, float]] = []
        seen: dict[str, tuple[int, float]] = {}
        for path in self.candidates():
            try:
                st = path.stat()
            except OSError:
                continue  # removed or renamed between the listing and now
            key = str(path.resolve())
            sig = (st.st_size, st.st_mtime)
            seen[key] = sig
            if self._done.get(key) == sig:
                continue
            settled = now - st.st_mtime >= self.settle and self._seen.get(key, sig) == sig
            if settled and st.st_size > 0:
                out.append((path, st.st_size, st.st_mtime))
        self._seen = seen
        return out

    def step(self) -> IngestReport:
        """One scan: read the settled files, record them, recompute the alerts they touch."""
        self.totals.scans += 1
        files = self.ready()
        if not files:
            return IngestReport()
        items = read_files(self.root, [p for p, _, _ in files], self.max_bytes, self.published, self.encoding)
        report, began = self._ingest(items)
        failed_files = {line.split(":", 1)[0] for line in report.failures}
        self._record(files, failed_files)
        self.totals.files += len(files)
        self.totals.add(report)
        self.totals.alerts += self._alerts(report, began)
        return report

    def _record(self, files: Sequence[tuple[Path, int, float]], failed: set[str]) -> None:
        now = self.clock()
        rows = [
            {
                "path": str(p.resolve()),
                "size": size,
                "mtime": mtime,
                "outcome": "failed" if str(p) in failed else "read",
                "read_at": now,
            }
            for p, size, mtime in files
        ]
        keys = [r["path"] for r in rows]
        try:
            with self.engine.begin() as conn:
                migrate.lock_for_writing(conn)
                conn.execute(watched_files.delete().where(watched_files.c.path.in_(keys)))
                conn.execute(watched_files.insert(), rows)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot record the files read: {migrate.first_line(exc)}") from exc
        for r in rows:
            self._done[str(r["path"])] = (int(r["size"]), float(r["mtime"]))

    def run(self, interval: float, stop: Callable[[], bool] = lambda: False) -> WatchTotals:
        """Scan every ``interval`` seconds until ``stop()`` is true (or Ctrl-C, raised to the caller)."""
        while not stop():
            began = time.monotonic()
            self.step()
            time.sleep(max(0.0, interval - (time.monotonic() - began)))
        return self.totals


def read_files(
    root: Path,
    files: Sequence[Path],
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    published: dt.date | None = None,
    encoding: str | None = None,
) -> Iterator[Item]:
    """The reports of ``files`` under ``root``, named as ``marsad ingest ROOT`` names them (the
    readers of ``marsad.ingest.readers``, file by file)."""
    for path in files:
        source = Source(path, root)
        dating = _Dating(path_date(path), published)
        try:
            with path.open("rb") as f:
                head = f.read(1024)
            kind = kind_of(path, head)
            if kind == "jsonl":
                yield from read_jsonl(path, max_bytes, dating)
            elif kind == "feed":
                yield from read_feed(path.read_bytes(), str(path), dating)
            elif kind == "html":
                yield read_html_bytes(
                    batch.read_file_bytes(path, max_bytes), str(path), source.doc_id, dating, max_bytes, encoding
                )
            else:
                yield read_text_bytes(
                    batch.read_file_bytes(path, max_bytes), str(path), source.doc_id, dating, max_bytes, encoding
                )
        except InputError as exc:
            yield ReadFailure(str(path), exc)
        except OSError as exc:
            yield ReadFailure(str(path), InputError(exc.strerror or str(exc)))
