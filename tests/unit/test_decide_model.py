"""The learned decisions: tree inference, model files, the choice of (place, event type) pairs,
and extraction falling back to the rules when no model file is there."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from marsad.decide.features import FEATURE_NAMES, Context, rows
from marsad.decide.model import Decisions, TreeEnsemble, choose, packaged_path
from marsad.errors import ConfigError
from marsad.models import RawDocument
from marsad.pipeline import Pipeline
from marsad.settings import Settings

# A hand-made ensemble over 3 features. Tree 1: x0 <= 0.5 -> -1.0, else (x2 <= 2 -> 0.5, else 2.0).
# Tree 2: a single leaf 0.25.
TREES = [
    {
        "feature": [0, 0, 2, 0, 0],
        "threshold": [0.5, 0.0, 2.0, 0.0, 0.0],
        "left": [1, -1, 3, -1, -1],
        "right": [2, -1, 4, -1, -1],
        "value": [0.0, -1.0, 0.0, 0.5, 2.0],
        "depth": 3,
    },
    {"feature": [0], "threshold": [0.0], "left": [-1], "right": [-1], "value": [0.25], "depth": 1},
]


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + np.exp(-z))


def test_tree_ensemble_walks_every_tree() -> None:
    ens = TreeEnsemble(0.1, TREES, 3)
    x = np.array([[0.0, 9.0, 9.0], [1.0, 0.0, 2.0], [1.0, 0.0, 3.0], [0.5, 5.0, 5.0]])
    expected = [0.1 - 1.0 + 0.25, 0.1 + 0.5 + 0.25, 0.1 + 2.0 + 0.25, 0.1 - 1.0 + 0.25]
    assert np.allclose(ens.prob(x), [_sigmoid(z) for z in expected])
    assert ens.prob(np.zeros((0, 3))).shape == (0,)


def test_tree_ensemble_refuses_a_split_on_a_missing_feature() -> None:
    bad = [dict(TREES[0], feature=[0, 0, 7, 0, 0])]
    with pytest.raises(ConfigError):
        TreeEnsemble(0.0, bad, 3)


def test_tree_ensemble_agrees_with_scikit_learn() -> None:
    """The exported arrays predict what the fitted scikit-learn model predicts."""
    sklearn = pytest.importorskip("sklearn.ensemble")
    from marsad.decide.train import export

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(FEATURE_NAMES)))
    y = (x[:, 3] + 0.5 * x[:, 10] - x[:, 20] > 0).astype(int)
    clf = sklearn.HistGradientBoostingClassifier(max_iter=30, max_depth=3, random_state=0).fit(x, y)
    assert np.allclose(export(clf).prob(x), clf.predict_proba(x)[:, 1], atol=1e-5)


def _decisions(threshold: float = 0.5) -> Decisions:
    ens = TreeEnsemble(0.0, [TREES[1]], len(FEATURE_NAMES))
    return Decisions(ens, threshold, 0.9, 0.05, "test-1")


def test_model_file_round_trip_and_atomic_write(tmp_path: Path) -> None:
    path = tmp_path / "decisions.json"
    d = _decisions()
    d.save(path)
    assert not path.with_suffix(".json.tmp").exists()
    back = Decisions.load(path)
    assert (back.threshold, back.second_threshold, back.floor, back.version) == (0.5, 0.9, 0.05, "test-1")
    assert back.features == FEATURE_NAMES
    assert "text" not in path.read_text(encoding="utf-8")  # numbers and feature names only


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not valid JSON"),
        ('{"format": "something-else"}', "not a marsad-decisions"),
        ('{"format": "marsad-decisions/2", "version": "x"}', "damaged"),
    ],
)
def test_a_damaged_model_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "d.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        Decisions.load(path)


def test_a_model_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    data = _decisions().to_dict()
    data["features"] = [*data["features"][:-1], "something_new"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError, match="marsad train"):
        Decisions.load(path)


def test_missing_model_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        Decisions.load(tmp_path / "nope.json")


REPORT = (
    "قصفت مروحيات النظام بالبراميل المتفجرة بلدة كفرنبل في ريف إدلب الجنوبي اليوم الخميس، "
    "ما أسفر عن مقتل ثلاثة مدنيين، بحسب المرصد السوري لحقوق الإنسان."
)


def test_extraction_falls_back_to_the_rules_without_a_model(tmp_path: Path) -> None:
    rules = Pipeline.from_settings(Settings(rules_only=True))
    assert rules.decisions is None and "models" not in rules.produced_by
    result = rules.run(RawDocument("r", REPORT, dt.date(2021, 6, 24)))
    assert [(e.sub_event_type, e.location.name) for e in result.events] == [("air_drone_strike", "كفرنبل")]


def test_the_packaged_model_is_used_and_recorded() -> None:
    assert packaged_path().is_file()
    pipeline = Pipeline.from_settings()
    assert pipeline.decisions is not None
    result = pipeline.run(RawDocument("r", REPORT, dt.date(2021, 6, 24)))
    assert result.produced_by["models"] == pipeline.decisions.version
    assert [(e.sub_event_type, e.location.name) for e in result.events] == [("air_drone_strike", "كفرنبل")]


def test_an_explicit_model_file_from_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    _decisions().save(path)
    assert Pipeline.from_settings(Settings(models=path)).produced_by["models"] == "test-1"


def _context(text: str) -> tuple[Context, list, list]:  # type: ignore[type-arg]
    pipeline = Pipeline.from_settings(decisions=None)
    a = pipeline.analyse(RawDocument("r", text, dt.date(2021, 6, 24)))
    ctx = Context.of(a.doc, a.spans, a.candidates, a.sites)
    keys, matrix = rows(ctx)
    return ctx, keys, matrix


def test_every_row_has_every_feature() -> None:
    _, keys, matrix = _context(REPORT)
    assert keys and all(len(row) == len(FEATURE_NAMES) for row in matrix)
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)


LIST_REPORT = (
    "شنت طائرات حربية غارات على بلدات الهبيط وكفرسجنة وركايا سجنة في ريف إدلب الجنوبي اليوم الخميس، "
    "بحسب المرصد السوري لحقوق الإنسان."
)


def test_towns_listed_by_one_trigger_follow_the_one_chosen() -> None:
    ctx, keys, _ = _context(LIST_REPORT)
    towns = {"الهبيط", "كفرسجنة", "ركايا سجنة"}
    probs = [0.0] * len(keys)
    first = next(
        k for k, (s, t) in enumerate(keys) if s.place.toponym.name == "الهبيط" and t == "explosions_remote_violence"
    )
    probs[first] = 0.9
    for k, (s, t) in enumerate(keys):
        if s.place.toponym.name in towns - {"الهبيط"} and t == "explosions_remote_violence":
            probs[k] = 0.1  # below the threshold, above the floor
    picked = choose(ctx, keys, probs, threshold=0.5, second_threshold=0.9, floor=0.05)
    assert {keys[k][0].place.toponym.name for k in picked} == towns


def test_a_province_is_not_coded_beside_a_town_inside_it() -> None:
    ctx, keys, _ = _context(REPORT)
    probs = [0.9 if t == "explosions_remote_violence" else 0.0 for _, t in keys]
    picked = choose(ctx, keys, probs, threshold=0.5, second_threshold=0.95, floor=0.05)
    assert {keys[k][0].place.toponym.name for k in picked} == {"كفرنبل"}


def test_a_report_the_rules_see_an_event_in_keeps_its_best_pair() -> None:
    ctx, keys, _ = _context(REPORT)
    probs = [0.2 if (s.place.toponym.name, t) == ("كفرنبل", "explosions_remote_violence") else 0.01 for s, t in keys]
    [kept] = choose(ctx, keys, probs, 0.5, 0.9, floor=0.1)
    assert keys[kept][0].place.toponym.name == "كفرنبل"
    assert choose(ctx, keys, probs, 0.5, 0.9, floor=0.3) == ()  # under the floor: nothing
