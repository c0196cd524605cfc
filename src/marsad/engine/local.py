"""``--jobs N``: reports prepared by N worker processes on this machine.

A ``multiprocessing`` pool (``fork`` where the platform has it: the workers start in milliseconds
and share the parent's loaded modules; ``spawn`` elsewhere). Each worker builds its extractor once.
Chunks are submitted a few ahead of the one being stored (``AHEAD`` per worker), so memory stays
bounded however long the input is, and results come back in input order.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.pool
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from marsad.engine.spec import ExtractorSpec, prepare_chunk
from marsad.ingest.run import Prepared
from marsad.models import RawDocument

AHEAD = 3  # chunks in flight per worker


def _start(spec: ExtractorSpec) -> None:
    """Build the extractor once per worker process, before its first chunk. A failure is left for
    the first chunk to raise (and the parent to report): an initializer that raises would make
    the pool start workers again and again."""
    with contextlib.suppress(Exception):
        spec.build()


class LocalPool:
    def __init__(self, spec: ExtractorSpec, jobs: int) -> None:
        self.spec = spec
        self.jobs = jobs
        self._pool: multiprocessing.pool.Pool | None = None

    def __enter__(self) -> LocalPool:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._pool = ctx.Pool(self.jobs, initializer=_start, initargs=(self.spec,))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()  # the results that matter are stored; stop at once
            self._pool.join()
            self._pool = None

    def imap(self, chunks: Iterable[tuple[object, list[RawDocument]]]) -> Iterator[tuple[object, list[Prepared]]]:
        if self._pool is None:
            raise RuntimeError("LocalPool used outside its `with` block")
        pool = self._pool
        pending: deque[tuple[object, Any]] = deque()
        for tag, docs in chunks:
            pending.append((tag, pool.apply_async(prepare_chunk, (self.spec, docs))))
            while len(pending) >= AHEAD * self.jobs:
                yield _next(pending)
        while pending:
            yield _next(pending)


def _next(pending: deque[tuple[object, Any]]) -> tuple[object, list[Prepared]]:
    tag, future = pending.popleft()
    return tag, future.get()
