"""Evaluation gate: the development-set scores may not drop below the pinned baseline.

Runs the real pipeline on ``../shared/eval/dev/docs.jsonl`` and scores it with the shared scorer
(``../shared/eval/score.py``). Skipped where ``../shared`` is absent (the unit tests must pass
without it). A deliberate drop is made by lowering ``baseline.json`` in the same commit, with the
reason in its ``history``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
DEV = SHARED / "eval" / "dev"
BASELINE = json.loads((Path(__file__).with_name("baseline.json")).read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(not (DEV / "docs.jsonl").is_file(), reason="../shared/eval/dev is not present")


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("marsad_shared_score", SHARED / "eval" / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from marsad.models import RawDocument
    from marsad.pipeline import Pipeline

    pipeline = Pipeline.from_settings()
    pred = tmp_path_factory.mktemp("eval") / "pred.jsonl"
    with (DEV / "docs.jsonl").open(encoding="utf-8") as src, pred.open("w", encoding="utf-8") as out:
        for line in src:
            d = json.loads(line)
            published = dt.date.fromisoformat(d["published"]) if d.get("published") else None
            result = pipeline.run(RawDocument(d["doc_id"], d["text"], published, d.get("title"), d.get("url")))
            out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    score = _scorer()
    tally = score.Tally()
    preds = {str(d["doc_id"]): d for d in score.load(str(pred))}
    golds = score.load(str(DEV / "gold.jsonl"))
    for g in golds:
        score.score_doc(tally, g, preds.get(str(g["id"])))
    p, r, f1 = score.prf(tally.tp, tally.fp, tally.fn)
    _, _, sf1 = score.prf(
        tally.strict_tp, tally.fp + (tally.tp - tally.strict_tp), tally.fn + (tally.tp - tally.strict_tp)
    )
    rp, rr, _ = score.prf(*tally.rel)
    out_summary: dict[str, object] = {
        "event_f1": f1,
        "event_precision": p,
        "event_recall": r,
        "strict_f1": sf1,
        "relevance_precision": rp,
        "relevance_recall": rr,
    }
    for name, (right, judged) in tally.fields.items():
        out_summary[f"field_accuracy.{name}"] = right / judged if judged else 0.0
    return out_summary


@pytest.mark.parametrize("metric", sorted(BASELINE["scores"]))
def test_no_regression(summary: dict[str, float], metric: str) -> None:
    pinned = BASELINE["scores"][metric]
    got = summary[metric]
    assert got >= pinned - BASELINE["tolerance"], f"{metric} fell from {pinned:.3f} to {got:.3f}"


def test_issue_targets(summary: dict[str, float]) -> None:
    """The acceptance figures of the extraction and geoparsing issues."""
    assert summary["event_f1"] >= 0.75
    assert summary["relevance_precision"] >= 0.9
    assert summary["field_accuracy.date"] >= 0.8
    assert summary["field_accuracy.actor1"] >= 0.8
    assert summary["field_accuracy.geocode"] >= 0.9
    assert summary["strict_f1"] >= 0.6
