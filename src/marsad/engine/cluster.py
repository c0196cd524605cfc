"""``--engine dask``: reports prepared on the workers of a Dask cluster.

With ``--scheduler tcp://HOST:8786`` the client joins a running cluster (``dask scheduler`` and
``dask worker`` started on each machine, the same marsad version everywhere: ``docs/scale.md``);
without, it starts a ``LocalCluster`` of ``jobs`` worker processes (one thread each: extraction is
pure Python and holds the GIL). Reading, extraction and signatures are a map over chunks of
reports (``client.submit`` of ``prepare_chunk``); workers build their extractor once per process
(``ExtractorSpec.build`` keeps it). Results come back in input order and are stored by the
client, a few chunks behind the workers, so the database is the one a single process gives.
"""

from __future__ import annotations

import logging
import socket
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from marsad.engine.spec import ExtractorSpec, prepare_chunk
from marsad.errors import ConfigError
from marsad.ingest.run import Prepared
from marsad.models import RawDocument

AHEAD = 4  # chunks in flight per worker
CONNECT_TIMEOUT_S = 20


class DaskEngine:
    def __init__(self, spec: ExtractorSpec, *, jobs: int, scheduler: str | None = None, client: Any = None) -> None:
        self.spec = spec
        self.jobs = jobs
        self.scheduler = scheduler
        self._client: Any = client
        self._own: list[Any] = []  # what this engine started, closed on exit
        self._log_level: int | None = None  # the ``distributed`` logger's level before this engine

    def __enter__(self) -> DaskEngine:
        if self._client is not None:
            return self
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:
            raise ConfigError(f"--engine dask needs Dask: pip install 'marsad[cluster]' ({exc})") from exc
        self._quiet(_client_log_level())
        try:
            if self.scheduler:
                _answers(self.scheduler)
                self._client = Client(self.scheduler, timeout=CONNECT_TIMEOUT_S)
            else:
                cluster = LocalCluster(
                    n_workers=self.jobs,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address="127.0.0.1:0",  # any free port: 8787 may be another cluster's
                    silence_logs=logging.ERROR,
                )
                self._own.append(cluster)
                self._client = Client(cluster)
        except (OSError, TimeoutError, ValueError, RuntimeError) as exc:  # RuntimeError: a cluster that failed to start
            self.__exit__()
            where = self.scheduler or "a local cluster"
            raise ConfigError(f"cannot reach the Dask scheduler at {where}: {exc}") from exc
        self._own.insert(0, self._client)
        try:
            _same_version(self._client)
        except ConfigError:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._own:
            # a worker's stream closing while the cluster shuts down is logged as an error with a
            # traceback (CommClosedError); on the way out that race is expected, not news
            self._quiet(logging.CRITICAL)
        for thing in self._own:
            try:
                thing.close()
            except Exception:  # closing is best effort
                logging.getLogger(__name__).debug("closing %r failed", thing, exc_info=True)
        self._own.clear()
        self._client = None
        if self._log_level is not None:
            logging.getLogger("distributed").setLevel(self._log_level)
            self._log_level = None

    def _quiet(self, level: int) -> None:
        """Set the level of Dask's own logger (which has its own stderr handler at INFO), keeping the
        first level seen to restore on exit."""
        logger = logging.getLogger("distributed")
        if self._log_level is None:
            self._log_level = logger.level
        logger.setLevel(level)

    def workers(self) -> int:
        """How many workers the cluster has now."""
        if self._client is None:
            return 0
        return len(self._client.scheduler_info().get("workers", {}))

    def imap(self, chunks: Iterable[tuple[object, list[RawDocument]]]) -> Iterator[tuple[object, list[Prepared]]]:
        client = self._client
        if client is None:
            raise RuntimeError("DaskEngine used outside its `with` block")
        window = AHEAD * max(1, self.workers() or self.jobs)
        pending: deque[tuple[object, Any]] = deque()
        for tag, docs in chunks:
            pending.append((tag, client.submit(prepare_chunk, self.spec, docs, pure=False)))
            while len(pending) >= window:
                yield _next(pending)
        while pending:
            yield _next(pending)


def _client_log_level() -> int:
    """Dask's messages in the client: warnings and errors, more with ``-v``/``-vv`` (the root level)."""
    return min(logging.WARNING, logging.getLogger().getEffectiveLevel())


def _answers(address: str) -> None:
    """Fail at once (``OSError``) when nothing listens at a ``tcp://HOST:PORT`` address, rather than
    after the client's connect timeout."""
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp" or not parts.hostname or not parts.port:
        return  # another transport (tls://, ucx://): left to Dask
    with socket.create_connection((parts.hostname, parts.port), timeout=CONNECT_TIMEOUT_S):
        pass


def _version() -> str:
    from marsad import __version__

    return __version__


def _same_version(client: Any) -> None:
    """Refuse workers running another marsad version (or none): they would extract differently."""
    from marsad import __version__

    try:
        found = client.run(_version)
    except Exception as exc:  # a worker without marsad cannot even unpickle the call
        raise ConfigError(
            f"a Dask worker cannot run marsad (install marsad {__version__} on every worker): {exc}"
        ) from exc
    other = {addr: v for addr, v in found.items() if v != __version__}
    if other:
        where = ", ".join(f"{addr} has {v}" for addr, v in sorted(other.items()))
        raise ConfigError(f"Dask workers run another marsad version than this client ({__version__}): {where}")


def _next(pending: deque[tuple[object, Any]]) -> tuple[object, list[Prepared]]:
    tag, future = pending.popleft()
    result: list[Prepared] = future.result()
    future.release()
    return tag, result
