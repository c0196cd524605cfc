"""Cross-validated evaluation on the development set.

The development set (``../shared/eval/dev``: ``docs.jsonl``, ``gold.jsonl``, ``folds.json``) is
split into five folds; the reports of one real-world event share a fold. For each fold scored,
every learned part of the pipeline is trained on the *other* folds only (``make_extractor``
receives the training reports), the fold's reports are extracted, and the shared scorers judge
them: ``score.py`` for events and ``merge_score.py`` for cross-report merging (the fold's reports
are ingested into a temporary SQLite store and exported as spec §6 JSONL). Figures are reported
per fold and as mean, standard deviation and standard error over the folds scored::

    crossval(devset, folds=(0, 1, 2, 3, 4)) -> CrossvalReport
        .per_fold   {fold: {metric: value}}
        .summary()  {metric: {"mean", "std", "se", "folds"}}

Rules are not trained per fold, so fold 4 is kept as their validation fold: rules are written by
reading the errors of folds 0-3 only, and fold 4 is looked at as aggregate figures
(``RULES_VALIDATION_FOLD``). The scorers are the shared ones, loaded from their files, so the
figures here are exactly those ``score.py`` and ``merge_score.py`` print.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import io
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from marsad.errors import ConfigError, InputError
from marsad.models import ExtractResult, RawDocument

ALL_FOLDS = (0, 1, 2, 3, 4)
QUICK_FOLDS = (0, 1)
RULES_VALIDATION_FOLD = 4
HEADLINE = (
    "event_f1",
    "event_precision",
    "event_recall",
    "strict_f1",
    "relevance_precision",
    "relevance_recall",
    "merge_pairwise_f1",
)

Extractor = Callable[[RawDocument], ExtractResult]
ExtractorFactory = Callable[[Sequence[dict[str, Any]]], Extractor]
"""Given the gold records of the training reports, an extractor for the held-out ones."""


def default_eval_dir() -> Path:
    """``MARSAD_EVAL_DIR``, else ``../shared/eval`` beside the project checkout (the layout of the
    development machines), else beside the working directory."""
    if os.environ.get("MARSAD_EVAL_DIR"):
        return Path(os.environ["MARSAD_EVAL_DIR"])
    beside_checkout = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
    if beside_checkout.is_dir():
        return beside_checkout
    return Path.cwd().resolve().parent / "shared" / "eval"


def load_module(path: Path, name: str) -> ModuleType:
    """Import a standalone script (the shared scorers) by its path."""
    if not path.is_file():
        raise ConfigError(f"{path} not found")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{path} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def raw_document(record: dict[str, Any]) -> RawDocument:
    """A dev ``docs.jsonl`` / ``gold.jsonl`` record as the pipeline's input."""
    published = record.get("published")
    return RawDocument(
        doc_id=str(record.get("doc_id", record.get("id"))),
        text=record["text"],
        published=dt.date.fromisoformat(published) if published else None,
        title=record.get("title"),
        url=record.get("url"),
        outlet=record.get("outlet"),
    )


@dataclass(frozen=True)
class DevSet:
    """The development reports, their gold coding and their folds."""

    root: Path  # the eval directory: holds score.py, merge_score.py and dev/
    docs: dict[str, dict[str, Any]]
    gold: dict[str, dict[str, Any]]
    folds: dict[str, int]

    @classmethod
    def load(cls, root: Path | None = None) -> DevSet:
        root = root or default_eval_dir()
        dev = root / "dev"
        for name in ("docs.jsonl", "gold.jsonl", "folds.json"):
            if not (dev / name).is_file():
                raise ConfigError(f"{dev / name} not found: is ../shared/eval present?")
        docs = {str(d["doc_id"]): d for d in _jsonl(dev / "docs.jsonl")}
        gold = {str(g["id"]): g for g in _jsonl(dev / "gold.jsonl")}
        folds = {
            str(k): int(v) for k, v in json.loads((dev / "folds.json").read_text(encoding="utf-8"))["folds"].items()
        }
        missing = sorted(set(gold) - set(folds))
        if missing:
            raise InputError(f"folds.json has no fold for {len(missing)} gold reports (first: {missing[0]})")
        return cls(root, docs, gold, folds)

    def ids(self, folds: Iterable[int]) -> list[str]:
        wanted = set(folds)
        return [i for i in self.gold if self.folds[i] in wanted]

    def gold_records(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        return [self.gold[i] for i in ids]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@dataclass
class CrossvalReport:
    folds: tuple[int, ...]
    per_fold: dict[int, dict[str, float]] = field(default_factory=dict)

    def summary(self) -> dict[str, dict[str, Any]]:
        """Mean, sample standard deviation and standard error of every metric over the folds."""
        metrics = sorted({m for scores in self.per_fold.values() for m in scores})
        out: dict[str, dict[str, Any]] = {}
        for m in metrics:
            values = [self.per_fold[f][m] for f in self.folds if m in self.per_fold.get(f, {})]
            n = len(values)
            mean = sum(values) / n if n else 0.0
            std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
            out[m] = {
                "mean": round(mean, 4),
                "std": round(std, 4),
                "se": round(std / math.sqrt(n), 4) if n else 0.0,
                "folds": {str(f): round(self.per_fold[f][m], 4) for f in self.folds if m in self.per_fold.get(f, {})},
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"folds": list(self.folds), "metrics": self.summary()}


class Scorers:
    """The shared ``score.py`` and ``merge_score.py``, imported from their files."""

    def __init__(self, root: Path) -> None:
        sys.path.insert(0, str(root))  # merge_score imports score by name
        try:
            self.score = load_module(root / "score.py", "score")
            self.merge = load_module(root / "merge_score.py", "marsad_shared_merge_score")
        finally:
            sys.path.remove(str(root))

    def events(self, golds: Sequence[dict[str, Any]], preds: dict[str, dict[str, Any]]) -> dict[str, float]:
        """Every figure ``score.py`` prints, computed with its own functions."""
        s = self.score
        tally = s.Tally()
        for g in golds:
            s.score_doc(tally, g, preds.get(str(g["id"])))
        p, r, f1 = s.prf(tally.tp, tally.fp, tally.fn)
        wrong = tally.tp - tally.strict_tp
        _, _, sf1 = s.prf(tally.strict_tp, tally.fp + wrong, tally.fn + wrong)
        rp, rr, rf = s.prf(*tally.rel)
        out = {
            "event_precision": p,
            "event_recall": r,
            "event_f1": f1,
            "strict_f1": sf1,
            "relevance_precision": rp,
            "relevance_recall": rr,
            "relevance_f1": rf,
            "gold_events": float(tally.tp + tally.fn),
            "predicted_events": float(tally.tp + tally.fp),
        }
        for name, (right, judged) in tally.fields.items():
            if judged:
                out[f"field_accuracy.{name}"] = right / judged
        return out

    def merging(self, golds: Sequence[dict[str, Any]], results: Sequence[ExtractResult]) -> dict[str, float]:
        """Ingest the results into a temporary SQLite store, export spec §6 JSONL, run merge_score."""
        from marsad.ingest import ingest
        from marsad.store import EventQuery, export, open_store

        by_id = {r.doc_id: r for r in results}
        raws = [raw_document(g) for g in golds]
        with tempfile.TemporaryDirectory(prefix="marsad-eval-") as tmp:
            store = open_store(str(Path(tmp) / "merge.sqlite"))
            try:
                ingest(store, raws, lambda raw: by_id[raw.doc_id])
                merged = Path(tmp) / "export.jsonl"
                with merged.open("w", encoding="utf-8") as f:
                    export.write_jsonl(store.events(EventQuery()), f)
            finally:
                store.close()
            gold_path = Path(tmp) / "gold.jsonl"
            with gold_path.open("w", encoding="utf-8") as f:
                for g in golds:
                    f.write(json.dumps(g, ensure_ascii=False) + "\n")
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                self.merge.main(["--gold", str(gold_path), "--merged", str(merged), "--json"])
        summary = json.loads(buf.getvalue())
        return {
            "merge_pairwise_precision": summary["pairwise_precision"],
            "merge_pairwise_recall": summary["pairwise_recall"],
            "merge_pairwise_f1": summary["pairwise_f1"],
            "merge_bcubed_f1": summary["bcubed_f1"],
        }


def crossval(
    devset: DevSet,
    make_extractor: ExtractorFactory,
    folds: Sequence[int] = ALL_FOLDS,
    *,
    merge: bool = True,
    on_fold: Callable[[int, dict[str, float]], None] | None = None,
) -> CrossvalReport:
    """Score each fold of ``folds`` with an extractor built from the other four folds."""
    scorers = Scorers(devset.root)
    report = CrossvalReport(tuple(folds))
    for fold in folds:
        train = devset.gold_records(devset.ids(f for f in ALL_FOLDS if f != fold))
        test_ids = devset.ids([fold])
        extract = make_extractor(train)
        golds = devset.gold_records(test_ids)
        results = [extract(raw_document(devset.docs.get(i, devset.gold[i]))) for i in test_ids]
        preds = {r.doc_id: r.to_dict() for r in results}
        scores = scorers.events(golds, preds)
        if merge:
            scores.update(scorers.merging(golds, results))
        report.per_fold[fold] = scores
        if on_fold is not None:
            on_fold(fold, scores)
    return report


def format_report(report: CrossvalReport, metrics: Sequence[str] | None = None) -> str:
    """A plain-text table: one row per metric, mean ± std (se) and the per-fold values."""
    summary = report.summary()
    names = (
        list(metrics)
        if metrics
        else [m for m in HEADLINE if m in summary]
        + sorted(m for m in summary if m not in HEADLINE and not m.endswith("_events"))
    )
    head = f"{'metric':<30} {'mean':>6} {'std':>6} {'se':>6}  " + " ".join(f"f{f:<5}" for f in report.folds)
    lines = [head, "-" * len(head)]
    for m in names:
        if m not in summary:
            continue
        s = summary[m]
        per = " ".join(f"{s['folds'].get(str(f), float('nan')):<6.3f}" for f in report.folds)
        lines.append(f"{m:<30} {s['mean']:>6.3f} {s['std']:>6.3f} {s['se']:>6.3f}  {per}")
    return "\n".join(lines)
