"""``marsad train`` and ``marsad eval``: fit the decision models on the hand-coded development
reports, and cross-validate extraction and merging on them."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from marsad.cli import PlainCommand
from marsad.errors import MarsadError

EVAL_DIR_HELP = (
    "The shared evaluation directory holding dev/docs.jsonl, dev/gold.jsonl, dev/folds.json and the "
    "scorers (default: MARSAD_EVAL_DIR, else ../shared/eval). Example: --eval-dir ../shared/eval"
)
OUTPUT_HELP = (
    "Where to write the fitted models (default: the file packaged with marsad, "
    "marsad/decide/data/decisions.json). Example: --output my-decisions.json"
)
GOLDEN_HELP = (
    "Our own golden records to train on as well (default: tests/golden/records.jsonl of the checkout). "
    "Example: --golden tests/golden/records.jsonl"
)
QUICK_HELP = "Score folds 0 and 1 only (what the test gate runs; under a minute)."
FOLDS_HELP = "Comma-separated folds to score (default: all five). Example: --folds 0,1,2"
RULES_ONLY_HELP = "Score the hand-written rules alone, without the learned decisions."
NO_MERGE_HELP = "Skip the merge evaluation (ingest, merge and merge_score.py per fold)."
JSON_HELP = "Print the summary (mean, std, standard error and per-fold value of every figure) as JSON."


def train_command(
    eval_dir: Annotated[Path | None, typer.Option("--eval-dir", help=EVAL_DIR_HELP, show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP, show_default=False)] = None,
    golden: Annotated[Path | None, typer.Option("--golden", help=GOLDEN_HELP, show_default=False)] = None,
) -> None:
    """Fit the learned decisions on every development report and write the model file.

    Reproducible: the same reports, lexicons and gazetteer give the same file. Thresholds are
    chosen by cross-validation over the reports' own folds. Needs scikit-learn
    (pip install 'marsad\\[train]'); extraction does not.

    Example: marsad train --eval-dir ../shared/eval
    """
    from marsad.decide import golden_path, load_golden
    from marsad.decide.model import packaged_path
    from marsad.decide.train import fit
    from marsad.evaluate import DevSet, Scorers
    from marsad.pipeline import Pipeline

    err = Console(stderr=True, highlight=False)
    target = output or packaged_path()
    try:
        dev = DevSet.load(eval_dir)
        score = Scorers(dev.root).score
        pipeline = Pipeline.from_settings(decisions=None)
        start = time.perf_counter()
        extra = load_golden(golden or golden_path())
        with err.status("fitting") as status:
            decisions = fit(pipeline, list(dev.gold.values()), dev.folds, score, on_progress=status.update, extra=extra)
        target.parent.mkdir(parents=True, exist_ok=True)
        decisions.save(target)
    except MarsadError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot write {target}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    err.print(
        f"{len(dev.gold)} reports, {len(decisions.site_type.trees)} trees, thresholds "
        f"{decisions.threshold:.2f} / {decisions.second_threshold:.2f} / floor {decisions.floor:.2f}, "
        f"version {decisions.version}, "
        f"{time.perf_counter() - start:.1f} s"
    )
    typer.echo(str(target))


def eval_command(
    quick: Annotated[bool, typer.Option("--quick", help=QUICK_HELP)] = False,
    folds: Annotated[str | None, typer.Option("--folds", help=FOLDS_HELP, show_default=False)] = None,
    rules_only: Annotated[bool, typer.Option("--rules-only", help=RULES_ONLY_HELP)] = False,
    no_merge: Annotated[bool, typer.Option("--no-merge", help=NO_MERGE_HELP)] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    eval_dir: Annotated[Path | None, typer.Option("--eval-dir", help=EVAL_DIR_HELP, show_default=False)] = None,
) -> None:
    """Cross-validate extraction and merging on the development set.

    For each fold scored, the learned decisions are fitted on the other four folds; the fold's
    reports are extracted and scored with the shared score.py, then ingested into a temporary
    store, merged and scored with merge_score.py. Prints the mean, spread and per-fold value of
    every figure. Fold 4 is the validation fold of the hand-written rules.

    Example: marsad eval --quick
    """
    from marsad.decide import extractor_factory
    from marsad.evaluate import ALL_FOLDS, QUICK_FOLDS, DevSet, crossval, format_report

    err = Console(stderr=True, highlight=False)
    chosen: tuple[int, ...] = QUICK_FOLDS if quick else ALL_FOLDS
    if folds:
        try:
            chosen = tuple(int(f) for f in folds.split(","))
        except ValueError:
            err.print("[red]usage error:[/red] --folds takes numbers separated by commas, e.g. 0,1,2")
            raise typer.Exit(2) from None
        if not set(chosen) <= set(ALL_FOLDS) or not chosen:
            err.print(f"[red]usage error:[/red] --folds: the folds are {', '.join(map(str, ALL_FOLDS))}")
            raise typer.Exit(2)
    start = time.perf_counter()
    try:
        dev = DevSet.load(eval_dir)
        with err.status("cross-validating") as status:

            def progress(fold: int, scores: dict[str, float]) -> None:
                status.update(f"fold {fold} done: event F1 {scores['event_f1']:.3f}")

            report = crossval(
                dev, extractor_factory(rules_only=rules_only, devset=dev), chosen, merge=not no_merge, on_fold=progress
            )
    except MarsadError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    if as_json:
        json.dump(report.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        typer.echo(format_report(report))
        err.print(f"{len(chosen)} folds in {time.perf_counter() - start:.1f} s")


def register(app: typer.Typer) -> None:
    app.command("train", cls=PlainCommand)(train_command)
    app.command("eval", cls=PlainCommand)(eval_command)
