"""Cross-validation machinery on a tiny development set of our own (no ../shared needed)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from marsad.errors import ConfigError, InputError
from marsad.evaluate import CrossvalReport, DevSet, crossval, format_report
from marsad.models import ExtractResult, RawDocument

SCORER = Path(__file__).resolve().parents[3] / "shared" / "eval" / "score.py"


def _write_devset(root: Path) -> None:
    dev = root / "dev"
    dev.mkdir(parents=True)
    reports = [
        ("a", "قصفت الطائرات بلدة كفرنبل اليوم.", "كفرنبل", 0),
        ("b", "قصفت الطائرات بلدة سراقب اليوم.", "سراقب", 1),
    ]
    with (dev / "docs.jsonl").open("w", encoding="utf-8") as d, (dev / "gold.jsonl").open("w", encoding="utf-8") as g:
        for doc_id, text, place, _ in reports:
            d.write(json.dumps({"doc_id": doc_id, "text": text, "published": "2021-06-24"}, ensure_ascii=False) + "\n")
            event = {
                "event_type": "explosions_remote_violence",
                "sub_event_type": "air_drone_strike",
                "date": "2021-06-24",
                "location": {"name": place, "geo_precision": 1},
                "actor1": None,
            }
            gold = {"id": doc_id, "text": text, "published": "2021-06-24", "events": [event]}
            g.write(json.dumps(gold, ensure_ascii=False) + "\n")
    (dev / "folds.json").write_text(json.dumps({"folds": {r[0]: r[3] for r in reports}}), encoding="utf-8")


def test_missing_devset_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        DevSet.load(tmp_path)


def test_gold_without_a_fold_is_refused(tmp_path: Path) -> None:
    _write_devset(tmp_path)
    (tmp_path / "dev" / "folds.json").write_text(json.dumps({"folds": {"a": 0}}), encoding="utf-8")
    with pytest.raises(InputError, match="no fold"):
        DevSet.load(tmp_path)


def test_summary_is_mean_sample_std_and_standard_error() -> None:
    report = CrossvalReport((0, 1, 2), {0: {"event_f1": 0.5}, 1: {"event_f1": 0.6}, 2: {"event_f1": 0.7}})
    s = report.summary()["event_f1"]
    assert s["mean"] == pytest.approx(0.6)
    assert s["std"] == pytest.approx(0.1)
    assert s["se"] == pytest.approx(0.1 / math.sqrt(3), abs=1e-4)
    assert "event_f1" in format_report(report)


@pytest.mark.skipif(not SCORER.is_file(), reason="../shared/eval/score.py is not present")
def test_each_fold_is_extracted_by_an_extractor_trained_without_it(tmp_path: Path) -> None:
    _write_devset(tmp_path)
    for name in ("score.py", "merge_score.py"):
        shutil.copy(SCORER.with_name(name), tmp_path / name)
    dev = DevSet.load(tmp_path)
    seen: list[list[str]] = []

    def factory(train):  # type: ignore[no-untyped-def]
        seen.append(sorted(str(r["id"]) for r in train))

        def extract(raw: RawDocument) -> ExtractResult:
            assert raw.doc_id not in seen[-1], "a report was extracted by a model trained on it"
            return ExtractResult(raw.doc_id, raw.published, None, ())

        return extract

    report = crossval(dev, factory, (0, 1), merge=False)
    assert seen == [["b"], ["a"]]
    assert report.per_fold[0]["event_recall"] == 0.0 and report.per_fold[0]["gold_events"] == 1.0
