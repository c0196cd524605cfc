"""``marsad geocode`` and ``marsad gazetteer build|info``: thin wrappers over ``marsad.geo``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from marsad.cli import PlainCommand
from marsad.errors import MarsadError
from marsad.geo.resolve import Resolution
from marsad.models import RawDocument

gazetteer_app = typer.Typer(help="Build and inspect the gazetteer.", no_args_is_help=True)


def _fail(exc: MarsadError) -> typer.Exit:
    """Print a one-line error on stderr and return the exit to raise."""
    Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


@gazetteer_app.command("build", cls=PlainCommand)
def build_command(
    source_dir: Annotated[
        Path | None,
        typer.Option(
            "--source-dir", help="Folder with the OCHA/GeoNames/OpenSyria/Yemen sources (layout of SOURCES.md)."
        ),
    ] = None,
    geonames: Annotated[
        list[Path] | None,
        typer.Option("--geonames", help="A GeoNames dump (XX.txt or allCountries.txt) to add; repeatable."),
    ] = None,
    alternate_names: Annotated[
        Path | None,
        typer.Option("--alternate-names", help="GeoNames alternateNamesV2.txt: its Arabic ('ar') names are added."),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The SQLite file to write.")] = Path(
        "gazetteer.sqlite"
    ),
) -> None:
    """Build a gazetteer file from the sources (and/or GeoNames dumps)."""
    from marsad.geo.build import BuildSources, build_gazetteer

    sources = BuildSources(source_dir, tuple(geonames or ()), alternate_names)
    console = Console(stderr=True)
    try:
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
        ) as progress:
            task = progress.add_task("starting", total=None)

            def step(message: str) -> None:
                progress.update(task, description=message)
                progress.console.print(f"[dim]·[/dim] {message}", highlight=False)

            report = build_gazetteer(sources, output, progress=step)
    except MarsadError as exc:
        raise _fail(exc) from None
    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(report.counts.items()))
    typer.echo(
        f"wrote {report.output}: {report.places:,} places, {report.names:,} names, "
        f"{report.size_bytes / 1e6:.1f} MB ({kinds})"
    )


@gazetteer_app.command("info", cls=PlainCommand)
def info_command(
    gazetteer: Annotated[
        Path | None, typer.Option("--gazetteer", help="Gazetteer file (default: the packaged one).")
    ] = None,
) -> None:
    """Print a gazetteer's build date, sources and row counts."""
    from marsad.geo.gazetteer import Gazetteer
    from marsad.settings import Settings

    try:
        gaz = Gazetteer.open(Settings.from_env(gazetteer=gazetteer).gazetteer)
    except MarsadError as exc:
        raise _fail(exc) from None
    typer.echo(f"path\t{gaz.path}")
    for key, value in sorted(gaz.meta.items()):
        typer.echo(f"{key}\t{value}")
    gaz.close()


def resolution_dict(res: Resolution, text: str, max_candidates: int | None = None) -> dict[str, Any]:
    """JSON form of a resolution: the toponym, the choice, its precision, and the candidates
    considered with their scores and reasons (the first ``max_candidates``; all when None)."""
    t = res.toponym
    e = res.entry
    shown = res.candidates if max_candidates is None else res.candidates[:max_candidates]
    return {
        "name": t.name,
        "span": [t.start, t.end],
        "text": text[t.start : t.end],
        "relation": t.relation,
        "cue": t.cue,
        "chosen": None
        if e is None
        else {
            "id": e.id,
            "name_en": e.name_en,
            "name_ar": e.name_ar,
            "kind": e.kind,
            "country": e.country,
            "admin1": e.admin1,
            "admin2": e.admin2,
            "lat": e.lat,
            "lon": e.lon,
        },
        "geo_precision": res.geo_precision,
        "reasons": list(res.candidates[0].reasons) if res.candidates else [],
        "candidates": [
            {"id": c.entry.id, "name_en": c.entry.name_en, "score": c.score, "reasons": list(c.reasons)} for c in shown
        ],
        "candidates_considered": len(res.candidates),
        "warning": res.warning,
    }


def visual_reorder() -> Callable[[str], str]:
    """python-bidi's logical-to-visual reordering of Arabic lines (identity without it)."""
    try:
        from bidi import get_display
    except ImportError:
        return lambda text: text

    def reorder(text: str) -> str:
        if not any("\u0590" <= ch <= "\u08ff" for ch in text):
            return text
        return "\n".join(str(get_display(line)) for line in text.split("\n"))

    return reorder


def render_table(
    resolutions: Sequence[Resolution],
    console: Console,
    max_candidates: int = 4,
    reorder: Callable[[str], str] | None = None,
) -> None:
    """One row per toponym: span, choice, and the candidates considered with their reasons.
    ``reorder`` turns Arabic cells right-to-left for terminals without bidi (``visual_reorder``)."""
    ar = reorder or (lambda text: text)
    table = Table(show_lines=True)
    for col in ("toponym", "span", "relation", "chosen", "candidates (score: why)"):
        table.add_column(col, overflow="fold")
    for res in resolutions:
        t, e = res.toponym, res.entry
        chosen = (
            res.warning or "" if e is None else f"{e.name_en} ({e.id})\n{e.admin1}, {e.country} {e.lat:.4f},{e.lon:.4f}"
        )
        lines = [f"{c.score:.2f} {c.entry.id} {c.entry.name_en}: " + "; ".join(c.reasons) for c in res.candidates]
        if len(lines) > max_candidates:
            lines = [*lines[:max_candidates], f"… {len(lines) - max_candidates} more"]
        table.add_row(
            ar(t.name),
            f"{t.start}-{t.end}",
            t.relation + (f" ({ar(t.cue)})" if t.cue else ""),
            ar(chosen),
            "\n".join(ar(line) for line in lines),
        )
    console.print(table)


def _geocoder(gazetteer: Path | None, country: str | None) -> Any:
    """A ``marsad.geo.geocoder.Geocoder`` on the selected gazetteer (raises ``MarsadError``)."""
    from marsad.geo.gazetteer import Gazetteer
    from marsad.geo.geocoder import Geocoder
    from marsad.settings import Settings

    return Geocoder(Gazetteer.open(Settings.from_env(gazetteer=gazetteer).gazetteer), country=country)


GEOCODE_INPUT_HELP = (
    'A JSONL file, one {"doc_id", "text"} object a line (other keys ignored); \'-\' reads stdin. '
    "Writes one JSON line per document. Example: marsad geocode --input docs.jsonl --output places.jsonl"
)
GEOCODE_OUTPUT_HELP = (
    'With --input: where to write one {"doc_id", "places": [...]} line per document (default stdout). '
    "Example: --output places.jsonl"
)
GEOCODE_BIDI_HELP = (
    "How the table writes Arabic: 'visual' reorders it right-to-left for terminals that do not apply "
    "the bidi algorithm themselves (most); 'logical' leaves memory order (mlterm, Konsole, files); "
    "'auto' is visual when stdout is a terminal. Example: --bidi logical"
)


def _geocode(
    text: Annotated[str | None, typer.Argument(help="Report text (or use --file, or pipe it on stdin).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the report from this UTF-8 file.")] = None,
    input_: Annotated[str | None, typer.Option("--input", "-i", help=GEOCODE_INPUT_HELP, show_default=False)] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help=GEOCODE_OUTPUT_HELP, show_default=False)] = None,
    gazetteer: Annotated[
        Path | None, typer.Option("--gazetteer", help="Gazetteer file (default: MARSAD_GAZETTEER or the packaged one).")
    ] = None,
    country: str | None = typer.Option(None, "--country", help="The report's country (ISO2), a hint."),
    fmt: Annotated[str, typer.Option("--format", help="table or json (single report).")] = "table",
    bidi: Annotated[str, typer.Option("--bidi", help=GEOCODE_BIDI_HELP)] = "auto",
) -> None:
    """Find the places in a report and show how each was resolved; with --input, every report of
    a JSONL file, one JSON line of places per report.

    Exit status: 0 all geocoded, 1 some report failed (one line on stderr each), 2 usage error.
    """
    if fmt not in ("table", "json"):
        raise typer.BadParameter("must be 'table' or 'json'", param_hint="--format")
    if bidi not in ("auto", "visual", "logical"):
        raise typer.BadParameter("must be 'auto', 'visual' or 'logical'", param_hint="--bidi")
    if input_ is not None:
        if text is not None or file is not None:
            raise typer.BadParameter("give --input JSONL, or one report as TEXT/--file, not both")
        raise typer.Exit(_geocode_batch(input_, output, gazetteer, country))
    if output is not None:
        raise typer.BadParameter("--output goes with --input", param_hint="--output")
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            Console(stderr=True).print(f"[red]error:[/red] cannot read {file}: {exc}", highlight=False)
            raise typer.Exit(1) from None
    elif text is None and not sys.stdin.isatty():
        text = sys.stdin.read()
    if not text or not text.strip():
        raise typer.BadParameter("give the report as TEXT, --file or on stdin")
    try:
        resolutions = _geocoder(gazetteer, country).places(RawDocument("cli", text))
    except MarsadError as exc:
        raise _fail(exc) from None
    if fmt == "json":
        typer.echo(json.dumps([resolution_dict(r, text) for r in resolutions], ensure_ascii=False, indent=2))
    elif not resolutions:
        typer.echo("no places found")
    else:
        visual = bidi == "visual" or (bidi == "auto" and sys.stdout.isatty())
        render_table(resolutions, Console(), reorder=visual_reorder() if visual else None)


def _geocode_batch(input_: str, output: str | None, gazetteer: Path | None, country: str | None) -> int:
    """Geocode every report of a JSONL file; returns the exit status."""
    from marsad.batch import STDIO, Failure, open_input, read_jsonl

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        geocoder = _geocoder(gazetteer, country)
        stream, name, close = open_input(input_, sys.stdin.buffer)
    except MarsadError as exc:
        err.print(f"[red]error:[/red] {exc}")
        return 1
    failed = 0
    out: IO[str] = sys.stdout
    try:
        if output is not None and output != STDIO:
            try:
                out = open(output, "w", encoding="utf-8")  # noqa: SIM115 (closed in finally)
            except OSError as exc:
                err.print(f"[red]error:[/red] cannot write {output}: {exc.strerror or exc}")
                return 2
        for item in read_jsonl(stream, name):
            if isinstance(item, Failure):
                failed += 1
                err.print(f"[red]error:[/red] {item}")
                continue
            raw = item.doc
            try:
                places = geocoder.places(raw)
            except MarsadError as exc:
                failed += 1
                err.print(f"[red]error:[/red] {item.where} ({raw.doc_id}): {exc}")
                continue
            row = {"doc_id": raw.doc_id, "places": [resolution_dict(r, raw.text, max_candidates=5) for r in places]}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
        if close:
            stream.close()
    return 1 if failed else 0


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("geocode", cls=PlainCommand)(_geocode)
    app.add_typer(gazetteer_app, name="gazetteer")
