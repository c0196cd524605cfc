"""``marsad extract``: reports to events, printed as JSON lines or as a table.

A thin layer over ``marsad.batch`` (reading, per-document failures) and ``marsad.pipeline``.
Exit status: 0 when every document was extracted, 1 when any document failed (each failure is
one line on stderr naming it; the others are still written), 2 for a usage error.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated, Any, BinaryIO

import typer
from rich.console import Console
from rich.table import Table

from marsad.batch import (
    STDIO,
    Failure,
    Item,
    Outcome,
    check_encoding,
    count_lines,
    open_input,
    read_jsonl,
    read_text_files,
    run_batch,
)
from marsad.cli import PlainCommand
from marsad.errors import InputError, MarsadError
from marsad.models import ExtractResult
from marsad.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FORMATS = ("json", "table")
BIDI_MODES = ("auto", "visual", "logical")

FILES_HELP = (
    "Plain-text reports, one report per file (UTF-8; UTF-16/32, windows-1256 and ISO-8859-6 are "
    "recognised, see --encoding); the doc_id is the file name without its suffix. "
    "'-' reads one report from stdin. Example: marsad extract report_ar.txt --published 2024-03-12"
)
INPUT_HELP = (
    'A JSONL file, one {"doc_id", "text", "published", "url", "outlet", "title"} object a line '
    "(only text is required; published is YYYY-MM-DD or null). '-' reads stdin. "
    "Example: marsad extract --input docs.jsonl --output out.jsonl"
)
OUTPUT_HELP = (
    "Where to write: one JSON result a line, in input order (default: stdout; '-' is stdout). "
    "Example: --output events.jsonl"
)
PUBLISHED_HELP = (
    "Publication date, YYYY-MM-DD, against which 'today', 'yesterday' and weekday names are resolved. "
    "Applies to every FILE, and to JSONL lines without their own date. Without it a report is still "
    "processed, with a warning that relative dates stay unresolved (today's date is never assumed). "
    "Example: --published 2024-03-12"
)
FORMAT_HELP = (
    "json: the result document of the event schema (spec v1: doc_id, published, language, title, "
    "events, warnings, produced_by), one a line (default); "
    "table: a readable table of each report's events. Example: --format table"
)
GAZETTEER_HELP = (
    "Gazetteer SQLite file (default: MARSAD_GAZETTEER, else the one packaged with marsad). "
    "Example: --gazetteer gazetteer.sqlite"
)
ENCODING_HELP = (
    "Decode FILE arguments with this encoding instead of recognising it (UTF-8 files are always "
    "read as UTF-8). Example: --encoding windows-1256"
)
MODELS_HELP = (
    "Decision models (JSON, made by `marsad train`) instead of the packaged ones (also MARSAD_MODELS). "
    "Example: --models my-decisions.json"
)
RULES_ONLY_HELP = "Extract with the hand-written rules alone, without the learned decisions."
BIDI_HELP = (
    "How --format table writes Arabic: 'visual' reorders it right-to-left for terminals that do not "
    "apply the bidi algorithm themselves (most); 'logical' leaves text in memory order, for terminals "
    "that do (mlterm, Konsole, recent GNOME Terminal) and for files; 'auto' is visual when stdout is a "
    "terminal. Example: --bidi logical"
)


class _Usage(Exception):
    """A usage error: one line on stderr, exit status 2."""


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _Usage(f"--published expects a date as YYYY-MM-DD, got {value!r}") from None


def _check_options(
    files: list[Path], input_: str | None, output: str | None, fmt: str, gazetteer: Path | None, bidi: str
) -> None:
    if files and input_ is not None:
        raise _Usage("give report FILEs or --input JSONL, not both")
    if not files and input_ is None:
        raise _Usage("nothing to extract: give report FILEs or --input JSONL (see marsad extract --help)")
    if fmt not in FORMATS:
        raise _Usage(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if bidi not in BIDI_MODES:
        raise _Usage(f"--bidi must be one of {', '.join(BIDI_MODES)}, got {bidi!r}")
    if gazetteer is not None and not gazetteer.is_file():
        raise _Usage(f"--gazetteer: no such file: {gazetteer}")
    if output is not None and output != STDIO and Path(output).is_dir():
        raise _Usage(f"--output: {output} is a directory")
    if sum(1 for f in files if str(f) == STDIO) + (input_ == STDIO) > 1:
        raise _Usage("stdin ('-') can be read only once")


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


def _visual_reorder() -> Callable[[str], str] | None:
    """python-bidi's logical-to-visual reordering, or None when it is not installed."""
    try:
        from bidi import get_display
    except ImportError:
        return None

    def reorder(text: str) -> str:
        if not any("\u0590" <= ch <= "\u08ff" for ch in text):
            return text
        return "\n".join(str(get_display(line)) for line in text.split("\n"))

    return reorder


class JsonWriter:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def write(self, result: ExtractResult) -> None:
        line = json.dumps(result.to_dict(), ensure_ascii=False) + "\n"
        self.stream.write(line.encode("utf-8"))


class TableWriter:
    """One Rich table per report: type, date, place, actor1, fatalities, notes."""

    def __init__(self, console: Console, reorder: Callable[[str], str] | None) -> None:
        self.console = console
        self.ar = reorder or (lambda text: text)

    def write(self, result: ExtractResult) -> None:
        head = " · ".join(
            x
            for x in (result.doc_id, result.published.isoformat() if result.published else "no date", result.title)
            if x
        )
        if not result.events:
            self.console.print(f"[bold]{self.ar(head)}[/bold]: no events", highlight=False, markup=True)
        else:
            table = Table(title=self.ar(head), title_justify="left", show_lines=True)
            for col in ("type", "date", "place", "actor1", "fatalities", "notes"):
                table.add_column(col, overflow="fold", no_wrap=col in ("date", "fatalities"))
            for event in result.events:
                loc = event.location
                place = (
                    loc.name
                    + (f"\n{loc.name_en}" if loc.name_en else "")
                    + (f" ({loc.admin1})" if loc.admin1 and loc.admin1 != loc.name_en else "")
                )
                actor = f"{event.actor1.name}\n{event.actor1.canonical}" if event.actor1 else "—"
                table.add_row(
                    f"{event.sub_event_type}\n[dim]{event.event_type}[/dim]",
                    event.date.isoformat() if event.date else "—",
                    self.ar(place),
                    self.ar(actor),
                    "—" if event.fatalities is None else str(event.fatalities),
                    event.notes,
                )
            self.console.print(table)
        for warning in result.warnings:
            self.console.print(f"[yellow]warning:[/yellow] {self.ar(warning)}", highlight=False)


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


def _items(
    files: list[Path],
    input_: str | None,
    published: dt.date | None,
    max_bytes: int,
    stdin: BinaryIO,
    stack: ExitStack,
    encoding: str | None = None,
) -> tuple[Iterator[Item], int | None]:
    """The documents to extract and, when cheap to know, how many there are."""
    if input_ is None:
        return read_text_files(files, published, max_bytes, stdin=stdin, encoding=encoding), len(files)
    stream, name, close = open_input(input_, stdin)
    if close:
        stack.callback(stream.close)
    total = None if input_ == STDIO else count_lines(Path(input_))
    return read_jsonl(stream, name, published, max_bytes), total


def _progress(outcomes: Iterator[Outcome], total: int | None, console: Console, stack: ExitStack) -> Iterator[Outcome]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = stack.enter_context(
        Progress(
            TextColumn("extract"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
    )
    task = bar.add_task("extract", total=total)
    for outcome in outcomes:
        yield outcome
        bar.advance(task)


def extract_command(
    files: Annotated[list[Path] | None, typer.Argument(help=FILES_HELP, metavar="FILE", show_default=False)] = None,
    input_: Annotated[
        str | None, typer.Option("--input", "-i", help=INPUT_HELP, show_default=False, metavar="FILE")
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help=OUTPUT_HELP, show_default=False, metavar="FILE")
    ] = None,
    published: Annotated[
        str | None, typer.Option("--published", help=PUBLISHED_HELP, show_default=False, metavar="DATE")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP, metavar="FORMAT")] = "json",
    gazetteer: Annotated[
        Path | None, typer.Option("--gazetteer", help=GAZETTEER_HELP, show_default=False, metavar="FILE")
    ] = None,
    bidi: Annotated[str, typer.Option("--bidi", help=BIDI_HELP, metavar="MODE")] = "auto",
    models: Annotated[
        Path | None, typer.Option("--models", help=MODELS_HELP, show_default=False, metavar="FILE")
    ] = None,
    rules_only: Annotated[bool, typer.Option("--rules-only", help=RULES_ONLY_HELP)] = False,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help=ENCODING_HELP, show_default=False, metavar="NAME")
    ] = None,
) -> None:
    """Extract ACLED-style events from Arabic reports: one JSON result per report, in input order.

    Examples:

      marsad extract examples/report_ar.txt --published 2024-03-12 --format table

      marsad extract --input docs.jsonl --output events.jsonl

      cat docs.jsonl | marsad extract --input - > events.jsonl

    A report that cannot be used (empty, not Arabic, binary, undecodable, too large, a broken JSONL
    line, a duplicate doc_id) gets one line on stderr and no output; the others are still written.
    Exit status: 0 all extracted, 1 some report failed, 2 usage error.
    """
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    files = files or []
    try:
        _check_options(files, input_, output, fmt, gazetteer, bidi)
        if models is not None and not models.is_file():
            raise _Usage(f"--models: no such file: {models}")
        if models is not None and rules_only:
            raise _Usage("--models and --rules-only exclude each other")
        if encoding is not None:
            if input_ is not None:
                raise _Usage("--encoding applies to FILE arguments; JSONL input is always UTF-8")
            try:
                check_encoding(encoding)
            except ValueError as exc:
                raise _Usage(f"--encoding: {exc}") from None
        date = _parse_date(published)
    except _Usage as exc:
        err.print(f"[red]usage error:[/red] {exc}", markup=True)
        raise typer.Exit(EXIT_USAGE) from None
    settings = Settings.from_env(gazetteer=gazetteer, models=models, rules_only=rules_only or None)
    status = _run(files, input_, output, date, fmt, settings, bidi, err, encoding)
    raise typer.Exit(status)


def _run(
    files: list[Path],
    input_: str | None,
    output: str | None,
    published: dt.date | None,
    fmt: str,
    settings: Settings,
    bidi: str,
    err: Console,
    encoding: str | None = None,
) -> int:
    from marsad.pipeline import Pipeline

    try:
        pipeline = Pipeline.from_settings(settings)
    except MarsadError as exc:
        err.print(f"[red]error:[/red] cannot load the extraction pipeline: {exc}")
        return EXIT_FAILED
    stdin: BinaryIO = sys.stdin.buffer
    failed = 0
    with ExitStack() as stack:
        try:
            items, total = _items(files, input_, published, settings.max_document_bytes, stdin, stack, encoding)
            out_bin, to_terminal = _open_output(output, stack)
        except (InputError, _Usage) as exc:
            err.print(f"[red]{'usage error' if isinstance(exc, _Usage) else 'error'}:[/red] {exc}")
            return EXIT_USAGE if isinstance(exc, _Usage) else EXIT_FAILED
        writer = _writer(fmt, out_bin, to_terminal, bidi, stack)
        outcomes = run_batch(pipeline, items)
        if err.is_terminal and not (to_terminal and fmt == "table"):
            outcomes = _progress(outcomes, total, err, stack)
        try:
            for outcome in outcomes:
                if isinstance(outcome, Failure):
                    failed += 1
                    err.print(f"[red]error:[/red] {outcome}", markup=True)
                else:
                    writer.write(outcome)
            out_bin.flush()
        except BrokenPipeError:
            _silence_stdout()
            return EXIT_FAILED
        except KeyboardInterrupt:
            err.print("interrupted")
            return 130
    return EXIT_FAILED if failed else EXIT_OK


def _open_output(output: str | None, stack: ExitStack) -> tuple[IO[bytes], bool]:
    """The binary stream to write to and whether it is a terminal."""
    if output is None or output == STDIO:
        sys.stdout.flush()
        stream: IO[bytes] = sys.stdout.buffer
        return stream, sys.stdout.isatty()
    try:
        return stack.enter_context(open(output, "wb")), False  # closed by the ExitStack
    except OSError as exc:
        raise _Usage(f"--output: cannot write {output}: {exc.strerror or exc}") from exc


def _writer(fmt: str, out: IO[bytes], to_terminal: bool, bidi: str, stack: ExitStack) -> Any:
    if fmt == "json":
        return JsonWriter(out)
    visual = bidi == "visual" or (bidi == "auto" and to_terminal)
    reorder = _visual_reorder() if visual else None
    text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=True)
    stack.callback(text.detach)  # leave the underlying stream (stdout) open
    console = Console(file=text, force_terminal=to_terminal or None, width=None if to_terminal else 160)
    return TableWriter(console, reorder)


def _silence_stdout() -> None:
    """After a closed pipe (``marsad extract … | head``), keep Python from complaining at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("extract", cls=PlainCommand, no_args_is_help=True)(extract_command)
