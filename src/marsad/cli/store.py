"""``marsad ingest``, ``marsad events`` and ``marsad export``: thin layers over ``marsad.ingest``
and ``marsad.store``.

Errors are one line on stderr (``error: …``), exit status 2; a document that fails during
``ingest`` is one line too, the others go on, and the exit status is 1.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console

from marsad.cli import PlainCommand
from marsad.errors import ConfigError, MarsadError
from marsad.settings import Settings

DB_HELP = "Database: a SQLite file path or a postgresql://user@host/db URL (default: MARSAD_DB or the user data dir)."
CREATE_HELP = "Create the database when it does not exist (otherwise a missing database is an error)."
BIDI_MODES = ("auto", "visual", "logical")
DEFAULT_ROWS = 50


def _fail(exc: BaseException) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


def _settings(db: str | None) -> Settings:
    return Settings.from_env(db_url=db)


def _shown(url: str) -> str:
    """The database as a person would name it: the file of a SQLite URL, a URL without password."""
    from marsad.store import migrate

    path = migrate.sqlite_path(migrate.normalize_url(url))
    if path is not None:
        return str(path)
    import sqlalchemy as sa

    return sa.engine.make_url(migrate.normalize_url(url)).render_as_string(hide_password=True)


def _extractor(spec: str | None, settings: Settings) -> Any:
    """The extraction function: ``Pipeline.run`` unless ``--extractor module:function`` names another."""
    if spec:
        module, _, name = spec.partition(":")
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as exc:
            raise ConfigError(f"cannot load extractor {spec!r}: {exc}") from exc
    try:
        from marsad.pipeline import Pipeline  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        raise ConfigError(f"the extraction pipeline is not available: {exc}") from exc
    return Pipeline.from_settings(settings).run


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ConfigError(f"{option} expects YYYY-MM-DD, got {value!r}") from exc


# -- ingest ------------------------------------------------------------------------------------

JOBS_HELP = "Worker processes that extract reports (default: one per CPU core; 1: all in this process)."
ENGINE_HELP = "local: worker processes on this machine; dask: a Dask cluster (pip install 'marsad\\[cluster]')."
SCHEDULER_HELP = (
    "With --engine dask: the address of a running Dask scheduler (default: a local cluster of --jobs workers)."
)
BATCH_HELP = "Documents stored per transaction (also committed every second); a killed run keeps whole documents."

PUBLISHED_HELP = (
    "Publication date (YYYY-MM-DD) of the documents that carry none of their own (JSONL published, "
    "HTML metadata, feed entry date) nor one in their file path (2018-07-05, 20180705, 2018/07/05/...)."
)
ENCODING_HELP = (
    "Encoding of text and HTML files, e.g. windows-1256 or utf-16 (default: UTF-8, else recognised, "
    "with a warning naming the encoding used). JSONL is always UTF-8."
)


def ingest_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Text, JSONL, HTML or RSS/Atom files, or directories.", metavar="PATH")
    ],
    db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="DB"),
    published: str | None = typer.Option(None, "--published", help=PUBLISHED_HELP, metavar="DATE"),
    encoding: str | None = typer.Option(None, "--encoding", help=ENCODING_HELP, metavar="NAME"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar on stderr."),
    extractor: str | None = typer.Option(None, "--extractor", hidden=True, help="module:function to extract with."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", help=JOBS_HELP, metavar="N", min=1),
    engine: str = typer.Option("local", "--engine", help=ENGINE_HELP, metavar="local|dask"),
    scheduler: str | None = typer.Option(None, "--scheduler", help=SCHEDULER_HELP, metavar="tcp://HOST:PORT"),
    batch_size: int = typer.Option(200, "--batch-size", help=BATCH_HELP, metavar="N", min=1),
) -> None:
    """Read reports, extract their events and merge them into the database. Idempotent.

    A file's doc_id is its path relative to the folder given, without its suffix.

    A document without a publication date is stored with a warning; its events are flagged.

    Extraction runs in --jobs worker processes, or on a Dask cluster with --engine dask (docs/scale.md).

    Reports are stored in input order: the database is the same whatever the number of workers.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from marsad.batch import check_encoding
    from marsad.engine import ExtractorSpec, open_engine
    from marsad.ingest import estimate, read_paths
    from marsad.ingest.readers import database_files
    from marsad.ingest.run import run
    from marsad.store import migrate, open_store

    console = Console(stderr=True, soft_wrap=True)
    settings = _settings(db)
    try:
        day = _date(published, "--published")
        if encoding is not None:
            try:
                check_encoding(encoding)
            except ValueError as exc:
                raise ConfigError(f"--encoding: {exc}") from None
        if engine not in ("local", "dask"):
            raise ConfigError(f"--engine must be local or dask, got {engine!r}")
        if scheduler and engine != "dask":
            raise ConfigError("--scheduler goes with --engine dask")
        spec = ExtractorSpec(extractor, dataclasses.replace(settings, db_url=""))  # no credentials to workers
        spec.check()
        store = open_store(settings.db_url)
    except MarsadError as exc:
        raise _fail(exc) from None
    skip = database_files(migrate.sqlite_path(migrate.normalize_url(settings.db_url)))  # not reports
    bar = Progress(
        TextColumn("ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not progress,
    )

    def say(line: str) -> None:
        console.print(line, markup=False, highlight=False)

    try:
        workers: Any = open_engine(engine, spec, jobs=jobs or os.cpu_count() or 1, scheduler=scheduler)
        started = dt.datetime.now().timestamp()
        with workers, bar:  # workers start before the progress bar's thread
            task = bar.add_task("ingest", total=estimate(paths, skip) or None)
            report = run(
                store,
                read_paths(paths, settings.max_document_bytes, published=day, encoding=encoding, skip=skip),
                workers,
                batch_size=batch_size,
                on_item=lambda: bar.advance(task),
                on_failure=say,
                on_warning=lambda line: say(f"warning: {line}"),
            )
        from marsad.cli.live import refresh_alerts

        refresh_alerts(store, started, settings, say)  # the alerts of the provinces this run touched
        merged = store.counts()["events"]
    except MarsadError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        say("interrupted: what was stored is kept; run again to finish")
        raise typer.Exit(130) from None
    finally:
        store.close()
    if not (report.added or report.replaced or report.unchanged or report.failed):
        named = ", ".join(str(p) for p in paths)
        say(f"warning: no reports found in {named} (hidden files and folders are skipped)")
    undated = f"; {report.undated} without a publication date (events flagged)" if report.undated else ""
    say(
        f"{report.added} added, {report.replaced} replaced, {report.unchanged} unchanged, "
        f"{report.failed} failed; {_count(report.mentions, 'mention')}{undated}; "
        f"{_count(merged, 'merged event')} in {_shown(settings.db_url)}"
    )
    if report.failed:
        raise typer.Exit(1)


# -- queries -----------------------------------------------------------------------------------

COUNTRY = typer.Option(None, "--country", help="Country: SY, SYR, Syria or سوريا.", metavar="COUNTRY")
ADMIN1 = typer.Option(
    None,
    "--admin1",
    help="Province, in English (Daraa = Dar'a) or Arabic (درعا), through the gazetteer.",
    metavar="NAME",
)
SINCE = typer.Option(None, "--since", help="Earliest event date, YYYY-MM-DD.", metavar="DATE")
UNTIL = typer.Option(None, "--until", help="Latest event date, YYYY-MM-DD.", metavar="DATE")
TYPE = typer.Option(
    None,
    "--type",
    help="Event or sub-event type, snake_case or ACLED's label: air_drone_strike, 'Air/drone strike', Battles.",
    metavar="TYPE",
)
DB = typer.Option(None, "--db", help=DB_HELP, metavar="DB")
CREATE = typer.Option(False, "--create", help=CREATE_HELP)


def _open_query(
    db: str | None,
    create: bool,
    country: str | None,
    admin1: str | None,
    since: str | None,
    until: str | None,
    type_: str | None,
    limit: int | None,
) -> tuple[Any, Any, Settings]:
    """The store opened for queries, the query resolved from what was typed, and the settings."""
    from marsad.store import open_store
    from marsad.store.filters import open_gazetteer_factory, resolve

    settings = _settings(db)
    start, end = _date(since, "--since"), _date(until, "--until")
    store = open_store(settings.db_url, create=create, readonly=True)
    try:
        query = resolve(
            store,
            country=country,
            admin1=admin1,
            since=start,
            until=end,
            type_=type_,
            limit=limit,
            gazetteer=open_gazetteer_factory(settings.gazetteer),
        )
    except BaseException:
        store.close()
        raise
    return store, query, settings


def _reorder(mode: str, to_terminal: bool) -> Callable[[str], str]:
    """Arabic in visual order for terminals without the bidi algorithm (python-bidi)."""
    if mode == "logical" or (mode == "auto" and not to_terminal):
        return lambda text: text
    try:
        from bidi import get_display
    except ImportError:
        return lambda text: text

    def reorder(text: str) -> str:
        if not any("\u0590" <= ch <= "\u08ff" for ch in text):
            return text
        return "\n".join(str(get_display(line)) for line in text.split("\n"))

    return reorder


def events_command(
    country: str | None = COUNTRY,
    admin1: str | None = ADMIN1,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    type_: str | None = TYPE,
    limit: int = typer.Option(
        DEFAULT_ROWS, "--limit", min=0, help="Show the first N events (0: all of them).", metavar="N"
    ),
    fmt: str = typer.Option("table", "--format", help="table, or json (a JSON array, streamed).", metavar="FORMAT"),
    bidi: str = typer.Option(
        "auto",
        "--bidi",
        help="Arabic in the table: visual (reordered for terminals without bidi), logical, or auto "
        "(visual on a terminal).",
        metavar="MODE",
    ),
    db: str | None = DB,
    create: bool = CREATE,
) -> None:
    """List merged events, by date: the first N (default 50) and how many match."""
    if fmt not in ("table", "json"):
        raise _fail(ConfigError(f"--format must be table or json, not {fmt!r}"))
    if bidi not in BIDI_MODES:
        raise _fail(ConfigError(f"--bidi must be one of {', '.join(BIDI_MODES)}, not {bidi!r}"))
    try:
        store, query, _ = _open_query(db, create, country, admin1, since, until, type_, limit or None)
        try:
            total = store.count(query)
            found = store.events(query, mentions=fmt == "json")
            shown = _write_json(found) if fmt == "json" else _write_table(found, bidi)
        finally:
            store.close()
    except BrokenPipeError:
        _silence_stdout()
        raise typer.Exit(0) from None
    except MarsadError as exc:
        raise _fail(exc) from None
    more = "; --limit N shows more, --limit 0 all" if shown < total else ""
    line = f"{shown:,} of {total:,} events{more}"
    if fmt == "json":
        typer.echo(line, err=True)
    else:
        typer.echo(line)


def _write_json(found: Iterator[dict[str, Any]]) -> int:
    """A JSON array written one event at a time."""
    out = sys.stdout
    n = 0
    out.write("[")
    for ev in found:
        out.write(("," if n else "") + "\n" + json.dumps(ev, ensure_ascii=False, indent=1))
        n += 1
    out.write("\n]\n" if n else "]\n")
    out.flush()
    return n


def _write_table(found: Iterator[dict[str, Any]], bidi: str) -> int:
    from rich.table import Table

    console = Console()
    if not console.is_terminal:  # piped: do not squeeze the table into 80 columns
        console = Console(width=200)
    ar = _reorder(bidi, console.is_terminal)
    table = Table("event_id", "date", "sub_event_type", "location", "admin1", "fatalities", "sources", "reports")
    n = 0
    for ev in found:
        loc = ev.get("location") or {}
        low, high = ev.get("fatalities_min"), ev.get("fatalities_max")
        toll = "" if low is None else (str(low) if low == high else f"{low}-{high}")
        table.add_row(
            ev["event_id"],
            ev.get("date") or "?",
            ev.get("sub_event_type"),
            ar(loc.get("name_en") or loc.get("name") or ""),
            ar(loc.get("admin1") or ""),
            toll,
            str(ev.get("independent_sources")),
            str(ev.get("n_mentions")),
        )
        n += 1
    console.print(table)
    return n


def _silence_stdout() -> None:
    """After a closed pipe (``marsad events | head``), keep Python from complaining at exit."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


# -- export ------------------------------------------------------------------------------------

FORMAT_HELP = (
    "jsonl (every merged event with its mentions, docs/store.md), acled-csv (ACLED's 31 columns), geojson or parquet."
)


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds: the temporary file is removed, the old file kept


def export_command(
    fmt: str = typer.Option("jsonl", "--format", help=FORMAT_HELP, metavar="FORMAT"),
    output: str = typer.Option(
        "-", "--output", "-o", help="Output file (replaced only once complete), or - for stdout.", metavar="FILE"
    ),
    country: str | None = COUNTRY,
    admin1: str | None = ADMIN1,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    type_: str | None = TYPE,
    inter: str = typer.Option(
        "labels",
        "--inter",
        help="inter1, inter2 and interaction as ACLED's labels (State forces, State forces-Civilians) "
        "or as its older numeric codes (1, 17): labels or numbers.",
        metavar="STYLE",
    ),
    bom: bool = typer.Option(False, "--bom", help="Start CSV and JSON text with a UTF-8 byte-order mark (Excel)."),
    flat: bool = typer.Option(False, "--flat", help="GeoJSON properties as flat ACLED columns (for QGIS)."),
    extra_columns: bool = typer.Option(
        False,
        "--extra-columns",
        help="acled-csv: after ACLED's 31 columns, Marsad's own (event_id, fatalities_min, fatalities_max, "
        "injured, independent_sources, n_mentions, flags, review_state); without it the CSV is ACLED's exactly.",
    ),
    db: str | None = DB,
    create: bool = CREATE,
) -> None:
    """Write merged events as JSONL, ACLED CSV, GeoJSON or Parquet (the output file is replaced once complete)."""
    from marsad.store import export
    from marsad.store.filters import gazetteer_admin_lookup

    if fmt not in export.FORMATS:
        raise _fail(ConfigError(f"--format must be one of {', '.join(export.FORMATS)}, not {fmt!r}"))
    if inter not in ("labels", "numbers"):
        raise _fail(ConfigError(f"--inter must be labels or numbers, not {inter!r}"))
    if flat and fmt != "geojson":
        raise _fail(ConfigError("--flat applies to --format geojson only"))
    if extra_columns and fmt != "acled-csv":
        raise _fail(ConfigError("--extra-columns applies to --format acled-csv (parquet and geojson --flat have them)"))
    if bom and fmt == "parquet":
        raise _fail(ConfigError("--bom applies to text formats (acled-csv, jsonl, geojson), not parquet"))
    if inter != "labels" and (fmt == "jsonl" or (fmt == "geojson" and not flat)):
        raise _fail(ConfigError("--inter applies to ACLED columns: --format acled-csv, parquet or geojson --flat"))
    if output != "-" and Path(output).is_dir():
        raise _fail(ConfigError(f"--output: {output} is a folder"))
    if output == "-" and fmt == "parquet" and sys.stdout.isatty():
        raise _fail(ConfigError("parquet is binary: give --output FILE, or redirect stdout to a file or a pipe"))
    stats = export.ExportStats()
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        store, query, settings = _open_query(db, create, country, admin1, since, until, type_, None)
        try:
            _refuse_the_database_as_output(output, settings.db_url)
            events = store.events(query)
            admin = gazetteer_admin_lookup(settings.gazetteer)
            with export.atomic_output(output, binary=fmt == "parquet", bom=bom) as out:
                n = _write(fmt, events, out, inter, flat, admin, stats, extra_columns)
        finally:
            store.close()
    except BrokenPipeError:  # `marsad export | head`: the reader has what it wanted
        _silence_stdout()
        raise typer.Exit(0) from None
    except OSError as exc:
        raise _fail(ConfigError(f"cannot write {output}: {exc.strerror or exc}")) from None
    except MarsadError as exc:
        raise _fail(exc) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    if stats.undated:
        typer.echo(
            f"{_count(stats.undated, 'undated event')} left out "
            "(an ACLED row needs a date; --format jsonl and geojson keep them)",
            err=True,
        )
    if output != "-":
        typer.echo(f"{_count(n, 'event')} written to {output}", err=True)


def _count(n: int, noun: str) -> str:
    """``1 event``, ``2 events``."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _refuse_the_database_as_output(output: str, db_url: str) -> None:
    """``ConfigError`` when ``--output`` names the SQLite database being exported (a typo that
    would replace the database with the export)."""
    from marsad.store import migrate

    path = migrate.sqlite_path(migrate.normalize_url(db_url))
    if output == "-" or path is None:
        return
    with contextlib.suppress(OSError):
        if os.path.samefile(os.path.realpath(output), path):
            raise ConfigError(f"--output {output} is the database itself: give another file")


def _write(
    fmt: str, events: Any, out: IO[Any], inter: Any, flat: bool, admin: Any, stats: Any, extra: bool = False
) -> int:
    from marsad.store import export

    if fmt == "parquet":
        return export.write_parquet(events, out, inter=inter, admin=admin, stats=stats)
    if fmt == "acled-csv":
        return export.write_csv(events, out, inter=inter, admin=admin, stats=stats, extra=extra)
    if fmt == "geojson":
        return export.write_geojson(events, out, flat=flat, inter=inter, admin=admin)
    return export.write_jsonl(events, out)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("ingest", cls=PlainCommand)(ingest_command)
    app.command("events", cls=PlainCommand)(events_command)
    app.command("export", cls=PlainCommand)(export_command)
