"""The ``marsad`` command: parses arguments, calls the library, prints. Nothing else.

Each command group lives in its own module and registers itself on the shared Typer app:
``extract`` (cli/extract.py), ``geocode`` and ``gazetteer`` (cli/geo.py), ``ingest``,
``events`` and ``export`` (cli/store.py), ``train`` and ``eval`` (cli/learn.py), ``watch``, ``poll``,
``alerts``, ``import`` and ``imported`` (cli/live.py).
``python -m marsad`` runs the same app (``marsad/__main__.py``).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from marsad import __version__


def plain_metavars(params: list[Any]) -> list[Any]:
    """Help without Python type labels (``<bool>``, ``<int>``, ``<str>``): flags show nothing
    after their names, other options their name in capitals unless they name a metavar."""
    for param in params:
        if isinstance(param, TyperArgument):
            # an argument's name column already shows its metavar; its type column would repeat
            # a Python type ("<list[Path]>"): show nothing there
            param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
            continue
        if getattr(param, "metavar", "set") is not None:
            continue
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.metavar = ""
        elif param.name:
            param.metavar = param.name.upper().rstrip("_")
    return params


class PlainCommand(TyperCommand):
    """A command whose help shows metavars, not type labels (``cls=PlainCommand``)."""

    def get_params(self, ctx: Any) -> list[Any]:
        return plain_metavars(super().get_params(ctx))


class PlainGroup(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return plain_metavars(super().get_params(ctx))


app = typer.Typer(
    cls=PlainGroup,
    name="marsad",
    help="Marsad: Arabic conflict reports to geocoded, deduplicated, ACLED-compatible events, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"marsad {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More log output on stderr (-vv for debug)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def _register() -> None:
    """Add every command group to the app (once; tests call it too)."""
    if app.registered_commands or app.registered_groups:
        return
    from marsad.cli import extract, geo, learn, live, serve, store

    for module in (extract, geo, learn, store, live, serve):
        module.register(app)


def main() -> None:
    _register()
    app(prog_name="marsad")
