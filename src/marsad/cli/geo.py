"""``marsad geocode`` and ``marsad gazetteer build|info``: thin wrappers over ``marsad.geo``."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from marsad.errors import MarsadError
from marsad.geo.resolve import Resolution
from marsad.models import RawDocument

gazetteer_app = typer.Typer(help="Build and inspect the gazetteer.", no_args_is_help=True)


def _fail(exc: MarsadError) -> typer.Exit:
    """Print a one-line error on stderr and return the exit to raise."""
    Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


@gazetteer_app.command("build")
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


@gazetteer_app.command("info")
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


def resolution_dict(res: Resolution, text: str) -> dict[str, Any]:
    """JSON form of a resolution: the toponym, the choice and every candidate with its reasons."""
    t = res.toponym
    e = res.entry
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
            "lat": e.lat,
            "lon": e.lon,
        },
        "geo_precision": res.geo_precision,
        "candidates": [
            {"id": c.entry.id, "name_en": c.entry.name_en, "score": c.score, "reasons": list(c.reasons)}
            for c in res.candidates
        ],
        "warning": res.warning,
    }


def render_table(resolutions: Sequence[Resolution], console: Console, max_candidates: int = 4) -> None:
    """One row per toponym: span, choice, and the candidates considered with their reasons."""
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
            t.name, f"{t.start}-{t.end}", t.relation + (f" ({t.cue})" if t.cue else ""), chosen, "\n".join(lines)
        )
    console.print(table)


def _geocode(
    text: Annotated[str | None, typer.Argument(help="Report text (or use --file, or pipe it on stdin).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the report from this UTF-8 file.")] = None,
    gazetteer: Annotated[
        Path | None, typer.Option("--gazetteer", help="Gazetteer file (default: MARSAD_GAZETTEER or the packaged one).")
    ] = None,
    country: str | None = typer.Option(None, "--country", help="The report's country (ISO2), a hint."),
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Find the places in a report and show how each was resolved."""
    from marsad.geo.gazetteer import Gazetteer
    from marsad.geo.resolve import Geoparser
    from marsad.settings import Settings
    from marsad.text.prepare import prepare

    if fmt not in ("table", "json"):
        raise typer.BadParameter("must be 'table' or 'json'", param_hint="--format")
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
        from marsad.geo.toponyms import find_toponyms  # written by the recognition issue

        gaz = Gazetteer.open(Settings.from_env(gazetteer=gazetteer).gazetteer)
        doc = prepare(RawDocument("cli", text))
        resolutions = Geoparser(gaz).resolve(find_toponyms(doc, gaz), context_country=country)
    except MarsadError as exc:
        raise _fail(exc) from None
    if fmt == "json":
        typer.echo(json.dumps([resolution_dict(r, text) for r in resolutions], ensure_ascii=False, indent=2))
    elif not resolutions:
        typer.echo("no places found")
    else:
        render_table(resolutions, Console())


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("geocode")(_geocode)
    app.add_typer(gazetteer_app, name="gazetteer")
