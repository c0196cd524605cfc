"""``marsad ingest``, ``marsad events`` and ``marsad export``: thin layers over ``marsad.ingest``
and ``marsad.store``."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from marsad.errors import ConfigError, MarsadError
from marsad.settings import Settings

DB_HELP = "Database: a SQLite file path or a postgresql://user@host/db URL (default: MARSAD_DB or the user data dir)."


def _fail(exc: BaseException) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


def _settings(db: str | None) -> Settings:
    return Settings.from_env(db_url=db)


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
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{option} expects YYYY-MM-DD, got {value!r}") from exc


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Text, JSONL, HTML or RSS/Atom files, or directories.")],
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar on stderr."),
    extractor: str | None = typer.Option(None, "--extractor", hidden=True, help="module:function to extract with."),
) -> None:
    """Read reports, extract their events and merge them into the database. Idempotent."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from marsad.ingest import estimate, ingest, read_paths
    from marsad.store import open_store

    console = Console(stderr=True)
    settings = _settings(db)
    try:
        extract = _extractor(extractor, settings)
        store = open_store(settings.db_url)
    except MarsadError as exc:
        raise _fail(exc) from None
    bar = Progress(
        TextColumn("ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not progress,
    )
    try:
        with bar:
            task = bar.add_task("ingest", total=estimate(paths) or None)
            report = ingest(
                store,
                read_paths(paths, settings.max_document_bytes),
                extract,
                on_item=lambda: bar.advance(task),
                on_failure=lambda line: console.print(line, markup=False, highlight=False),
            )
    except MarsadError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        console.print("interrupted: what was stored is kept; run again to finish", markup=False)
        raise typer.Exit(130) from None
    finally:
        store.close()
    console.print(
        f"{report.added} added, {report.replaced} replaced, {report.unchanged} unchanged, "
        f"{report.failed} failed; {report.mentions} mentions",
        markup=False,
        highlight=False,
    )
    if report.failed:
        raise typer.Exit(1)


def _query(
    country: str | None, admin1: str | None, since: str | None, until: str | None, type_: str | None, limit: int | None
) -> Any:
    from marsad.store import EventQuery

    return EventQuery(
        country=country,
        admin1=admin1,
        since=_date(since, "--since"),
        until=_date(until, "--until"),
        type=type_,
        limit=limit,
    )


COUNTRY = typer.Option(None, "--country", help="ISO 3166-1 alpha-2 code, e.g. SY.")
ADMIN1 = typer.Option(None, "--admin1", help="Province; case and punctuation do not matter (Daraa = Dar'a).")
SINCE = typer.Option(None, "--since", help="Earliest event date, YYYY-MM-DD.")
UNTIL = typer.Option(None, "--until", help="Latest event date, YYYY-MM-DD.")
TYPE = typer.Option(None, "--type", help="A sub_event_type or event_type, e.g. air_drone_strike.")
LIMIT = typer.Option(None, "--limit", min=1, help="At most this many events.")


def events_command(
    country: str | None = COUNTRY,
    admin1: str | None = ADMIN1,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    type_: str | None = TYPE,
    limit: int | None = LIMIT,
    fmt: str = typer.Option("table", "--format", help="table or json."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """List merged events."""
    from rich.table import Table

    from marsad.store import open_store

    if fmt not in ("table", "json"):
        raise _fail(ConfigError(f"--format must be table or json, not {fmt!r}"))
    try:
        query = _query(country, admin1, since, until, type_, limit)
        store = open_store(_settings(db).db_url)
        try:
            found = list(store.events(query, mentions=fmt == "json"))
        finally:
            store.close()
    except MarsadError as exc:
        raise _fail(exc) from None
    if fmt == "json":
        typer.echo(json.dumps(found, ensure_ascii=False, indent=1))
        return
    table = Table("event_id", "date", "sub_event_type", "location", "admin1", "fatalities", "sources", "reports")
    for ev in found:
        loc = ev.get("location") or {}
        low, high = ev.get("fatalities_min"), ev.get("fatalities_max")
        toll = "" if low is None else (str(low) if low == high else f"{low}-{high}")
        table.add_row(
            ev["event_id"],
            ev.get("date") or "?",
            ev.get("sub_event_type"),
            loc.get("name_en") or loc.get("name") or "",
            loc.get("admin1") or "",
            toll,
            str(ev.get("independent_sources")),
            str(ev.get("n_mentions")),
        )
    console = Console()
    if not console.is_terminal:  # piped: do not squeeze the table into 80 columns
        console = Console(width=200)
    console.print(table)


def export_command(
    fmt: str = typer.Option("jsonl", "--format", help="jsonl (spec §6), acled-csv, geojson or parquet."),
    output: str = typer.Option("-", "--output", "-o", help="Output file, or - for stdout."),
    country: str | None = COUNTRY,
    admin1: str | None = ADMIN1,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    type_: str | None = TYPE,
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Write merged events as JSONL (spec §6), ACLED CSV, GeoJSON or Parquet."""
    from marsad.store import export, open_store

    if fmt not in export.FORMATS:
        raise _fail(ConfigError(f"--format must be one of {', '.join(export.FORMATS)}, not {fmt!r}"))
    try:
        query = _query(country, admin1, since, until, type_, None)
        store = open_store(_settings(db).db_url)
        try:
            events = store.events(query)
            if fmt == "parquet":
                binary: Any = nullcontext(sys.stdout.buffer) if output == "-" else open(output, "wb")  # noqa: SIM115
                with binary as fb:
                    n = export.write_parquet(events, fb)
            else:
                text: Any = (
                    nullcontext(sys.stdout) if output == "-" else open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
                )
                with text as ft:
                    writer = {
                        "jsonl": export.write_jsonl,
                        "acled-csv": export.write_csv,
                        "geojson": export.write_geojson,
                    }[fmt]
                    n = writer(events, ft)
        finally:
            store.close()
    except BrokenPipeError:  # `marsad export | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None
    except OSError as exc:
        raise _fail(ConfigError(f"cannot write {output}: {exc.strerror or exc}")) from None
    except MarsadError as exc:
        raise _fail(exc) from None
    if output != "-":
        typer.echo(f"{n} events written to {output}", err=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("ingest")(ingest_command)
    app.command("events")(events_command)
    app.command("export")(export_command)
