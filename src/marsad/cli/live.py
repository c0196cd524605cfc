"""``marsad watch``, ``marsad poll``, ``marsad alerts``, ``marsad import`` and ``marsad imported``:
thin layers over ``marsad.live``, ``marsad.alerts`` and ``marsad.store.external`` (docs/live.md).

Errors are one line on stderr (``error: …``), exit status 2; a report that fails is one line
too and the others go on (exit status 1 at the end of a ``--once`` run).
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from marsad.cli import PlainCommand
from marsad.cli.store import DB, _date, _extractor, _fail, _settings, _shown
from marsad.errors import ConfigError, MarsadError
from marsad.settings import Settings

FAMILY_HELP = (
    "Event families, comma-separated: air_strikes, shelling, clashes, explosions, chemical, "
    "attacks_on_civilians, protests, arrests (default: all)."
)


def _console() -> Console:
    return Console(stderr=True, soft_wrap=True)


def _refresher(engine: Any, gazetteer: Any) -> Any:
    """The hook run after each batch: recompute the alerts of the provinces it touched."""
    from marsad.alerts import refresh_after
    from marsad.store.filters import gazetteer_admin_lookup

    lookup = gazetteer_admin_lookup(gazetteer)
    return lambda t0: refresh_after(engine, t0, lookup=lookup)


def _sayer(console: Console) -> Callable[[str], None]:
    """A line on stderr as it is (no Rich markup or highlighting in report names)."""
    return lambda line: console.print(line, markup=False, highlight=False)


def _batch_hooks(store: Any, settings: Settings, say: Callable[[str], None]) -> dict[str, Any]:
    """What ``watch`` and ``poll`` do around each batch: refresh the alerts, say failures and warnings."""
    return {
        "after_batch": _refresher(store.engine, settings.gazetteer),
        "on_failure": say,
        "on_warning": lambda line: say(f"warning: {line}"),
    }


def _stop_on_term() -> None:
    def handler(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


# -- watch ---------------------------------------------------------------------------------------


def watch_command(
    folder: Annotated[Path, typer.Argument(help="The folder to watch (files under it, recursively).", metavar="DIR")],
    db: str | None = DB,
    interval: float = typer.Option(1.0, "--interval", min=0.05, help="Seconds between scans.", metavar="S"),
    pattern: str = typer.Option(
        "*.txt,*.html,*.htm,*.jsonl,*.xml,*.rss,*.atom",
        "--pattern",
        help="File name patterns to read, comma-separated.",
        metavar="GLOBS",
    ),
    settle: float = typer.Option(
        1.0,
        "--settle",
        min=0.0,
        help="Seconds a file's size and time must stay unchanged before it is read (a file still being "
        "written is left for a later scan).",
        metavar="S",
    ),
    published: str | None = typer.Option(
        None, "--published", help="Publication date for files that carry none.", metavar="DATE"
    ),
    once: bool = typer.Option(False, "--once", help="Scan once, read what has settled, and stop."),
    extractor: str | None = typer.Option(None, "--extractor", hidden=True, help="module:function to extract with."),
) -> None:
    """Ingest new files as they land in DIR, once and only once (also across restarts). Ctrl-C stops.

    The alerts of the provinces touched are recomputed after each batch.
    """
    from marsad.live import Watcher, parse_patterns
    from marsad.store import open_store

    console = _console()
    settings = _settings(db)

    say = _sayer(console)

    try:
        patterns = parse_patterns(pattern)
        day = _date(published, "--published")
        if not folder.is_dir():
            raise ConfigError(f"{folder} is not a folder")
        extract = _extractor(extractor, settings)
        store = open_store(settings.db_url)
    except MarsadError as exc:
        raise _fail(exc) from None
    try:
        watcher = Watcher(
            store.engine,
            store,
            folder,
            extract,
            patterns=patterns,
            settle=settle,
            published=day,
            max_bytes=settings.max_document_bytes,
            **_batch_hooks(store, settings, say),
        )
        if not once:
            _stop_on_term()
            say(f"watching {folder} every {interval:g} s into {_shown(settings.db_url)}; Ctrl-C stops")
        try:
            if once:
                watcher.step()
            else:
                while True:
                    began = time.monotonic()
                    report = watcher.step()
                    if report.seen:
                        say(
                            f"{dt.datetime.now():%H:%M:%S} {report.added} added, {report.replaced} replaced, "
                            f"{report.unchanged} unchanged, {report.failed} failed"
                        )
                    time.sleep(max(0.0, interval - (time.monotonic() - began)))
        except KeyboardInterrupt:
            pass
    except MarsadError as exc:
        raise _fail(exc) from None
    finally:
        store.close()
    t = watcher.totals
    say(
        f"{t.files} files read in {t.scans} scans: {t.added} added, {t.replaced} replaced, {t.unchanged} unchanged, "
        f"{t.failed} failed; {t.mentions} mentions; alerts recomputed: {t.alerts} stored for the provinces touched"
    )
    if once and t.failed:
        raise typer.Exit(1)


# -- poll ----------------------------------------------------------------------------------------


def poll_command(
    feeds_file: Annotated[
        Path, typer.Argument(help="A file of RSS/Atom URLs, one a line (# starts a comment).", metavar="FEEDS_FILE")
    ],
    db: str | None = DB,
    interval: float = typer.Option(
        900.0, "--interval", min=1.0, help="Seconds between two fetches of one feed (default 15 min).", metavar="S"
    ),
    once: bool = typer.Option(
        False, "--once", help="Fetch every feed once (except those backing off after errors) and stop."
    ),
    timeout: float = typer.Option(30.0, "--timeout", min=1.0, help="Seconds to wait for a server.", metavar="S"),
    extractor: str | None = typer.Option(None, "--extractor", hidden=True, help="module:function to extract with."),
) -> None:
    """Fetch RSS/Atom feeds on a schedule and ingest their new items, once each (state in the database).

    Conditional requests (ETag, Last-Modified), exponential backoff per feed on errors (and Retry-After).
    """
    from marsad.live import Poller, read_feed_list
    from marsad.store import open_store

    console = _console()
    settings = _settings(db)

    say = _sayer(console)

    try:
        urls = read_feed_list(feeds_file)
        extract = _extractor(extractor, settings)
        store = open_store(settings.db_url)
    except MarsadError as exc:
        raise _fail(exc) from None
    failed = added = 0
    try:
        poller = Poller(
            store.engine,
            store,
            extract,
            interval=interval,
            timeout=timeout,
            **_batch_hooks(store, settings, say),
        )
        if not once:
            _stop_on_term()
            say(f"polling {len(urls)} feeds every {interval:g} s into {_shown(settings.db_url)}; Ctrl-C stops")
        try:
            while True:
                for result in poller.round(urls, ignore_schedule=once):
                    say(result.line())
                    failed += result.status == "failed" or result.report.failed > 0
                    added += result.report.added + result.report.replaced
                if once:
                    break
                time.sleep(min(5.0, interval))
        except KeyboardInterrupt:
            pass
    except MarsadError as exc:
        raise _fail(exc) from None
    finally:
        store.close()
    say(f"{added} reports added or replaced; alerts recomputed: {poller.alerts} stored for the provinces touched")
    if once and failed:
        raise typer.Exit(1)


# -- alerts --------------------------------------------------------------------------------------

ALERTS_HELP = (
    "Surges of events and of counted strikes, barrel bombs and shells per area and day.\n\n"
    "A surge: the day's count has an upper-tail probability below 0.0001 under a negative-binomial (or "
    "Poisson) fit of the area's previous 56 days, with at least 3 events (10 items) and twice the baseline "
    "rate. Each alert states its test and keeps its event ids. Alerts are stored and recomputed after every "
    "ingest, watch or poll batch; see docs/live.md."
)


def _families(value: str | None) -> list[str]:
    from marsad.alerts import FAMILIES

    if not value:
        return []
    found = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in found if f not in FAMILIES]
    if unknown:
        raise ConfigError(f"--family: unknown {', '.join(unknown)} (one of {', '.join(FAMILIES)})")
    return found


def alerts_command(
    since: str | None = typer.Option(None, "--since", help="Earliest alert day, YYYY-MM-DD.", metavar="DATE"),
    until: str | None = typer.Option(None, "--until", help="Latest alert day, YYYY-MM-DD.", metavar="DATE"),
    area: str = typer.Option("admin1", "--area", help="admin1 (province) or admin2 (district).", metavar="LEVEL"),
    family: str | None = typer.Option(None, "--family", help=FAMILY_HELP, metavar="LIST"),
    fmt: str = typer.Option("table", "--format", help="table, or json (an array).", metavar="FORMAT"),
    recompute: bool = typer.Option(
        False, "--recompute", help="Recompute and store every alert from the events first (writes to the database)."
    ),
    baseline_from: str | None = typer.Option(
        None,
        "--baseline-from",
        help="An imported dataset (acled, or the --source of an import) whose events lengthen the baseline "
        "before Marsad's first day; computed, not stored.",
        metavar="SOURCE",
    ),
    db: str | None = DB,
) -> None:
    """Surges of events and of counted strikes, barrel bombs and shells per area and day (help: ALERTS_HELP)."""
    from marsad.alerts import Scope, compute, stored
    from marsad.alerts import recompute as recompute_all
    from marsad.store import open_store
    from marsad.store.filters import gazetteer_admin_lookup

    if fmt not in ("table", "json"):
        raise _fail(ConfigError(f"--format must be table or json, not {fmt!r}"))
    if area not in ("admin1", "admin2"):
        raise _fail(ConfigError(f"--area must be admin1 or admin2, not {area!r}"))
    settings = _settings(db)
    try:
        start, end = _date(since, "--since"), _date(until, "--until")
        families = _families(family)
        store = open_store(settings.db_url, create=False, readonly=not recompute)
    except MarsadError as exc:
        raise _fail(exc) from None
    try:
        lookup = gazetteer_admin_lookup(settings.gazetteer)
        if recompute:
            n = recompute_all(store.engine, lookup=lookup)
            typer.echo(f"{n} alerts stored in {_shown(settings.db_url)}", err=True)
        if baseline_from:
            found = compute(
                store.engine,
                level=area,
                scope=Scope(since=start, until=end),
                lookup=lookup,
                baseline_from=baseline_from,
            )
            records: list[dict[str, Any]] = [a.record() for a in found if not families or a.key.family in families]
        else:
            records = list(stored(store.engine, level=area, since=start, until=end, families=families))
            if not records and not recompute and store.counts()["events"] and not _any_alerts(store.engine):
                typer.echo("no alerts stored yet: `marsad alerts --recompute` computes them from the events", err=True)
    except MarsadError as exc:
        raise _fail(exc) from None
    finally:
        store.close()
    if fmt == "json":
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return
    _alerts_table(records)


def _any_alerts(engine: Any) -> bool:
    import sqlalchemy as sa

    from marsad.store.schema import alerts

    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(alerts)).scalar_one() > 0


def _alerts_table(records: list[dict[str, Any]]) -> None:
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    table = Table("day", "area", "family", "measure", "value", "baseline/day", "p", "statement")
    for r in records:
        table.add_row(
            r["day"],
            r["area"],
            r["family"],
            r["measure"],
            str(r["value"]),
            f"{r['baseline']:.2f}",
            f"{r['p_value']:.1e}",
            r["statement"],
        )
    console.print(table)
    console.print(f"{len(records)} alerts")


# -- import / imported ---------------------------------------------------------------------------


def import_command(
    file: Annotated[Path, typer.Argument(help="An ACLED CSV or UCDP GED CSV file.", metavar="FILE")],
    fmt: str = typer.Option(..., "--format", help="acled-csv or ucdp-ged.", metavar="FORMAT"),
    source: str | None = typer.Option(
        None, "--source", help="Name to store the rows under (default: acled or ucdp).", metavar="NAME"
    ),
    as_mentions: bool = typer.Option(
        False,
        "--as-mentions",
        help="Also store each row as a report of its own (doc_id SOURCE:ID) whose event merges with Marsad's, "
        "so events, export and alerts count it (ACLED only; off by default).",
    ),
    db: str | None = DB,
) -> None:
    """Import ACLED or UCDP GED events under their own source (apart from Marsad's events unless --as-mentions).

    Bad rows are reported with their line numbers and skipped; re-importing replaces rows with the same ids.
    """
    from marsad.store import open_store
    from marsad.store.external import import_file

    settings = _settings(db)
    try:
        store = open_store(settings.db_url)
    except MarsadError as exc:
        raise _fail(exc) from None
    try:
        started = time.time()
        report = import_file(store.engine, file, fmt, source, as_mentions_into=store if as_mentions else None)
        if report.mentions is not None and (report.mentions.added or report.mentions.replaced):
            refresh_alerts(store, started, settings, lambda line: typer.echo(line, err=True))
    except MarsadError as exc:
        raise _fail(exc) from None
    finally:
        store.close()
    for line in report.bad[:50]:
        typer.echo(line, err=True)
    if len(report.bad) > 50:
        typer.echo(f"... and {len(report.bad) - 50} more bad rows", err=True)
    typer.echo(
        f"{report.read} rows read: {report.stored} stored, {report.replaced} replaced, {len(report.bad)} bad "
        f"in {_shown(settings.db_url)}",
        err=True,
    )
    m = report.mentions
    if m is not None:
        typer.echo(
            f"as reports of their own: {m.added} added, {m.replaced} replaced, {m.unchanged} unchanged, "
            f"{m.failed} failed; {m.mentions} mentions merged with Marsad's events",
            err=True,
        )
        for line in m.failures[:20]:
            typer.echo(line, err=True)
    if report.bad or (m is not None and m.failed):
        raise typer.Exit(1)


def imported_command(
    dataset: str | None = typer.Option(
        None, "--dataset", help="acled, ucdp or an import's --source (default: all).", metavar="NAME"
    ),
    country: str | None = typer.Option(None, "--country", help="Country: SY, SYR, Syria or سوريا.", metavar="COUNTRY"),
    admin1: str | None = typer.Option(None, "--admin1", help="Province name (Daraa = Dar'a = Deraa).", metavar="NAME"),
    since: str | None = typer.Option(None, "--since", help="Earliest date, YYYY-MM-DD.", metavar="DATE"),
    until: str | None = typer.Option(None, "--until", help="Latest date, YYYY-MM-DD.", metavar="DATE"),
    compare: bool = typer.Option(
        False, "--compare", help="Per province and day, Marsad's events and fatalities next to the dataset's."
    ),
    limit: int = typer.Option(50, "--limit", min=0, help="Rows shown (0: all).", metavar="N"),
    fmt: str = typer.Option("table", "--format", help="table or json.", metavar="FORMAT"),
    db: str | None = DB,
) -> None:
    """List imported events, or compare them with Marsad's per province and day (--compare)."""
    from marsad.store import open_store
    from marsad.store.external import imported, side_by_side
    from marsad.store.filters import resolve_country

    if fmt not in ("table", "json"):
        raise _fail(ConfigError(f"--format must be table or json, not {fmt!r}"))
    settings = _settings(db)
    try:
        start, end = _date(since, "--since"), _date(until, "--until")
        iso2 = resolve_country(country) if country else None
        store = open_store(settings.db_url, create=False, readonly=True)
    except MarsadError as exc:
        raise _fail(exc) from None
    names = (admin1,) if admin1 else ()
    try:
        if compare:
            if not dataset:
                raise ConfigError("--compare needs --dataset (acled, ucdp or an import's --source)")
            rows = side_by_side(store.engine, source=dataset, country=iso2, admin1=names, since=start, until=end)
            rows = rows[:limit] if limit else rows
        else:
            rows = list(
                imported(
                    store.engine,
                    source=dataset,
                    country=iso2,
                    admin1=names,
                    since=start,
                    until=end,
                    limit=limit or None,
                )
            )
    except MarsadError as exc:
        raise _fail(exc) from None
    finally:
        store.close()
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    if compare:
        table = Table(
            "date",
            "country",
            "admin1",
            "marsad events",
            "marsad fatalities",
            f"{dataset} events",
            f"{dataset} fatalities",
        )
        for r in rows:
            table.add_row(
                r["date"],
                r["country"] or "",
                r["admin1"] or "",
                str(r["marsad_events"]),
                str(r["marsad_fatalities"]),
                str(r["their_events"]),
                str(r["their_fatalities"]),
            )
    else:
        table = Table("source", "id", "date", "country", "admin1", "location", "type", "fatalities")
        for r in rows:
            table.add_row(
                r["source"],
                r["id"],
                r["date"],
                r["country"] or "",
                r["admin1"] or "",
                r["location"] or "",
                r["sub_event_type"] or r["family"] or "",
                "" if r["fatalities"] is None else str(r["fatalities"]),
            )
    console.print(table)
    console.print(f"{len(rows)} rows")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("watch", cls=PlainCommand)(watch_command)
    app.command("poll", cls=PlainCommand)(poll_command)
    app.command("alerts", cls=PlainCommand, help=ALERTS_HELP)(alerts_command)
    app.command("import", cls=PlainCommand)(import_command)
    app.command("imported", cls=PlainCommand)(imported_command)


def refresh_alerts(store: Any, started: float, settings: Any, say: Any) -> None:
    """After ``marsad ingest``: recompute the stored alerts of the provinces and days it touched.
    A failure here is a warning: the reports are stored either way."""
    try:
        _refresher(store.engine, settings.gazetteer)(started)
    except MarsadError as exc:
        say(f"warning: alerts not recomputed ({exc}); `marsad alerts --recompute` recomputes them")
