"""Engines that prepare reports (extraction, content hash, MinHash signature) in parallel.

Preparing a report is pure, so it is a map over chunks of reports: ``InProcess`` (``--jobs 1``,
``marsad.ingest.run``), ``LocalPool`` (worker processes on this machine, ``--jobs N``) and
``DaskEngine`` (a Dask cluster, ``--engine dask``). Each gives the results back in input order;
the caller stores them in that order, so the database is the same whatever the engine and the
number of workers (``marsad.ingest.run``; ``docs/scale.md``).

Workers build their extractor once per process from an ``ExtractorSpec`` (picklable: a
``module:function`` name or the settings of the ``Pipeline``).
"""

from __future__ import annotations

from marsad.engine.spec import ExtractorSpec, prepare_chunk

__all__ = ["ExtractorSpec", "open_engine", "prepare_chunk"]


def open_engine(kind: str, spec: ExtractorSpec, *, jobs: int, scheduler: str | None = None) -> object:
    """The engine ``kind`` (``local`` or ``dask``), not started yet (use it as a context manager)."""
    from marsad.errors import ConfigError

    if jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, got {jobs}")
    if kind == "local":
        if scheduler:
            raise ConfigError("--scheduler goes with --engine dask")
        if jobs == 1:
            from marsad.ingest.run import InProcess

            return InProcess(spec.build())
        from marsad.engine.local import LocalPool

        return LocalPool(spec, jobs)
    if kind == "dask":
        from marsad.engine.cluster import DaskEngine

        return DaskEngine(spec, jobs=jobs, scheduler=scheduler)
    raise ConfigError(f"--engine must be local or dask, got {kind!r}")
