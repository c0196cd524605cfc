"""Documentation stays in step with the code: every command is in the README and has help,
every lexicon file is described in the extraction docs, the benchmarks are in docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup, TyperOption

from marsad import cli
from marsad.lang.tables import lexicon_dir

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> dict[str, typer.core.TyperCommand]:
    cli._register()
    group = typer.main.get_command(cli.app)
    assert isinstance(group, TyperGroup)
    out: dict[str, typer.core.TyperCommand] = {}
    for name, command in group.commands.items():
        if isinstance(command, TyperGroup):
            for sub, subcommand in command.commands.items():
                out[f"{name} {sub}"] = subcommand
        else:
            out[name] = command
    return out


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_is_in_the_readme_and_has_help(name: str) -> None:
    command = _commands()[name]
    assert f"marsad {name.split()[0]}" in README, f"`marsad {name}` is not mentioned in README.md"
    assert (command.help or command.short_help or "").strip(), f"`marsad {name}` has no help text"
    for param in command.params:
        if isinstance(param, TyperOption) and not param.hidden and param.name not in ("help",):
            assert (param.help or "").strip(), f"option {param.opts} of `marsad {name}` has no help text"


def test_every_lexicon_file_is_documented() -> None:
    docs = (ROOT / "docs" / "extraction.md").read_text(encoding="utf-8")
    for path in sorted(lexicon_dir("ar").glob("*.tsv")):
        assert f"`{path.name}`" in docs, f"{path.name} is not described in docs/extraction.md"


def test_every_benchmark_is_in_the_benchmark_page() -> None:
    page = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "benchmarks").glob("*.py")):
        assert path.name in page, f"benchmarks/{path.name} is not listed in docs/benchmarks.md"


def test_readme_opens_with_the_two_setup_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci in README, ".ci/run must run exactly the README's test command"
    assert "marsad extract examples/report_ar.txt" in README
