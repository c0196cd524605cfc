"""Fitting the decisions on hand-coded reports (the dev set, or the training folds of it).

Labels come from the gold coding with the shared scorer's own notion of "the same place"
(``score.location_agrees``): for each event type, a report's gold events are paired one to one
with its sites (the same name as written first, then the nearest), as ``score.py`` pairs
predictions. A site paired with a gold event of a type is a positive example of (site, type); a
site that only agrees with an *optional* gold event is left out; every other pair is a negative.

The thresholds are chosen on the training reports by an inner cross-validation over their own
folds (out-of-fold probabilities, decoded and scored exactly as extraction does), never on the
reports being evaluated. Fitting needs scikit-learn (``pip install 'marsad[train]'``); extraction
does not: the fitted trees are exported to plain arrays (``TreeEnsemble``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from marsad.decide.features import FEATURE_NAMES, Context, rows
from marsad.decide.model import Decisions, TreeEnsemble, build_pairs, choose
from marsad.errors import ConfigError
from marsad.extract.code import to_event
from marsad.extract.incidents import EVENT_TYPE_NAMES, Site
from marsad.models import RawDocument

if TYPE_CHECKING:
    from marsad.pipeline import Analysis, Pipeline

log = logging.getLogger(__name__)

SEED = 0
PARAMS: dict[str, Any] = {
    "max_iter": 100,
    "learning_rate": 0.1,
    "max_depth": 4,
    "min_samples_leaf": 10,
    "l2_regularization": 1.0,
    "early_stopping": False,  # a fixed number of trees: the same fit whatever the number of rows
}
THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
SECOND = (0.6, 0.7, 0.8, 1.01)
FLOORS = (0.05, 0.1, 0.15, 0.2, 0.3, 1.01)
RELEVANCE_WEIGHT = 0.5
ALWAYS_TRAIN = -1
"""The group of reports that are only ever trained on (our own golden records), never scored."""
"""Thresholds maximise event F1 + RELEVANCE_WEIGHT x relevance F1 (a report with events must
not come out empty, one without must stay empty)."""


@dataclass
class Report:
    """One training report: its analysis, feature rows and labels (None: left out)."""

    record: dict[str, Any]
    analysis: Analysis
    ctx: Context
    keys: list[tuple[Site, str]]
    x: np.ndarray
    y: list[int | None]


def raw_of(record: dict[str, Any]) -> RawDocument:
    published = record.get("published")
    return RawDocument(
        doc_id=str(record.get("id", record.get("doc_id"))),
        text=record["text"],
        published=dt.date.fromisoformat(published) if published else None,
        title=record.get("title"),
        url=record.get("url"),
        outlet=record.get("outlet"),
    )


def labels(score: ModuleType, record: dict[str, Any], sites: Sequence[Site]) -> dict[tuple[int, str], int | None]:
    """(site index, event type) -> 1 / 0 / None (left out: agrees only with an optional event)."""
    out: dict[tuple[int, str], int | None] = {}
    locations = [s.place.location().to_dict() for s in sites]
    for t in EVENT_TYPE_NAMES:
        gold = [e for e in record.get("events", []) if e["event_type"] == t]
        pairs = []
        for gi, g in enumerate(gold):
            names = {score.norm(g["location"].get("name"))} | {score.norm(n) for n in g["location"].get("aliases", [])}
            for si, loc in enumerate(locations):
                if score.location_agrees(g["location"], loc):
                    same = score.norm(loc.get("name")) in names
                    pairs.append((bool(g.get("optional")), -same, score.km(g["location"], loc), gi, si))
        pairs.sort()
        used: set[int] = set()
        for optional, _, _, gi, si in pairs:
            if gi in used or (si, t) in out:
                continue
            used.add(gi)
            out[(si, t)] = None if optional else 1
        for si in range(len(sites)):
            out.setdefault((si, t), None if record.get("partial") else 0)
    return out


def golden_as_gold(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our own golden records (``tests/golden/records.jsonl``) as training reports: each expected
    event gives its type and the place as written. A record that is not ``exact`` names only some
    of its events: its other (site, type) pairs are left out rather than taken as negatives."""
    from marsad.models import EVENT_TYPES

    out = []
    for rec in records:
        expect = rec.get("expect") or {}
        events = [
            {"event_type": EVENT_TYPES[e["sub_event_type"]], "location": {"name": e["location"]}}
            for e in expect.get("events", [])
        ]
        out.append(
            {
                "id": f"golden:{rec['id']}",
                "text": rec["text"],
                "published": rec.get("published"),
                "events": events,
                "partial": not expect.get("exact", False),
            }
        )
    return out


def prepare(pipeline: Pipeline, record: dict[str, Any], score: ModuleType) -> Report:
    analysis = pipeline.analyse(raw_of(record))
    ctx = Context.of(analysis.doc, analysis.spans, analysis.candidates, analysis.sites)
    keys, matrix = rows(ctx)
    index = {id(s): k for k, s in enumerate(analysis.sites)}
    lab = labels(score, record, analysis.sites)
    y = [lab[(index[id(site)], t)] for site, t in keys]
    x = np.asarray(matrix, dtype=np.float64).reshape(len(keys), len(FEATURE_NAMES))
    return Report(record, analysis, ctx, keys, x, y)


def fit_ensemble(reports: Sequence[Report], seed: int = SEED) -> TreeEnsemble:
    """Fit the (site, event type) ensemble and export it to plain arrays."""
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConfigError("training needs scikit-learn: pip install 'marsad[train]'") from None
    xs = [r.x[[k for k, y in enumerate(r.y) if y is not None]] for r in reports]
    ys = [y for r in reports for y in r.y if y is not None]
    if len(set(ys)) < 2:
        raise ConfigError("training needs reports with and without events at their places")
    clf = HistGradientBoostingClassifier(random_state=seed, **PARAMS)
    clf.fit(np.vstack(xs), np.asarray(ys))
    return export(clf)


def export(clf: Any) -> TreeEnsemble:
    """The trees of a fitted binary ``HistGradientBoostingClassifier`` as plain lists."""
    trees: list[dict[str, Any]] = []
    for per_iteration in clf._predictors:  # one tree per iteration for a binary classifier
        nodes = per_iteration[0].nodes
        leaf = nodes["is_leaf"].astype(bool)
        trees.append(
            {
                "feature": [int(f) for f in nodes["feature_idx"]],
                "threshold": [float(t) for t in nodes["num_threshold"]],
                "left": [-1 if lf else int(c) for lf, c in zip(leaf, nodes["left"], strict=True)],
                "right": [-1 if lf else int(c) for lf, c in zip(leaf, nodes["right"], strict=True)],
                "value": [round(float(v), 6) if lf else 0.0 for lf, v in zip(leaf, nodes["value"], strict=True)],
                "depth": int(nodes["depth"].max()) + 1,
            }
        )
    baseline = float(np.ravel(clf._baseline_prediction)[0])
    return TreeEnsemble(baseline, trees, len(FEATURE_NAMES))


def choose_thresholds(
    pipeline: Pipeline, reports: Sequence[Report], groups: Sequence[int], score: ModuleType
) -> tuple[tuple[float, float, float], float]:
    """((threshold, second threshold, floor), objective) maximising event F1 plus half the
    relevance F1 on out-of-fold probabilities. A report's score depends only on the pairs chosen,
    so each distinct choice is decoded and scored once."""
    oof: dict[int, list[float]] = {}
    for g in sorted(set(groups) - {ALWAYS_TRAIN}):
        train = [r for r, k in zip(reports, groups, strict=True) if k != g]
        ensemble = fit_ensemble(train)
        for i, (r, k) in enumerate(zip(reports, groups, strict=True)):
            if k == g:
                oof[i] = ensemble.prob(r.x).tolist()
    memo: dict[tuple[int, tuple[int, ...]], tuple[int, int, int, list[int]]] = {}

    def tally_of(i: int, cut: tuple[float, float, float]) -> tuple[int, int, int, list[int]]:
        r = reports[i]
        picked = choose(r.ctx, r.keys, oof[i], *cut)
        key = (i, picked)
        if key not in memo:
            mentions = build_pairs(r.ctx, r.keys, oof[i], picked, pipeline.precedence, cut[2])
            t = score.Tally()
            score.score_doc(t, r.record, {"events": [to_event(m).to_dict() for m in mentions]})
            memo[key] = (t.tp, t.fp, t.fn, list(t.rel))
        return memo[key]

    best: tuple[float, tuple[float, float, float]] = (-1.0, (0.4, 1.01, 1.01))
    for threshold in THRESHOLDS:
        for second in SECOND:
            for floor in FLOORS:
                if second < threshold or floor > threshold:
                    continue
                tp = fp = fn = 0
                rel = [0, 0, 0]
                for i in oof:
                    a, b, c, d = tally_of(i, (threshold, second, floor))
                    tp, fp, fn = tp + a, fp + b, fn + c
                    rel = [x + y for x, y in zip(rel, d, strict=True)]
                objective = score.prf(tp, fp, fn)[2] + RELEVANCE_WEIGHT * score.prf(*rel)[2]
                if objective > best[0] + 1e-9:
                    best = (objective, (threshold, second, floor))
    return best[1], best[0]


def fit(
    pipeline: Pipeline,
    records: Sequence[dict[str, Any]],
    folds: dict[str, int],
    score: ModuleType,
    *,
    on_progress: Callable[[str], None] | None = None,
    prepared: dict[str, Report] | None = None,
    extra: Sequence[dict[str, Any]] = (),
) -> Decisions:
    """Fit the decisions on ``records`` (gold reports) and ``extra`` (our own golden records,
    ``golden_as_gold``: trained on, never scored); thresholds by inner CV over the records' folds.

    ``prepared`` caches each report's features by id across calls (cross-validation refits on
    overlapping reports)."""
    say = on_progress or (lambda _msg: None)
    cache = prepared if prepared is not None else {}
    say(f"reading {len(records)} reports and {len(extra)} golden records")
    reports = []
    for rec in [*records, *extra]:
        key = str(rec["id"])
        if key not in cache:
            cache[key] = prepare(pipeline, rec, score)
        reports.append(cache[key])
    extra_ids = {str(r["id"]) for r in extra}
    groups = [ALWAYS_TRAIN if str(r.record["id"]) in extra_ids else folds.get(str(r.record["id"]), 0) for r in reports]
    if len(set(groups) - {ALWAYS_TRAIN}) < 2:
        raise ConfigError("choosing thresholds needs reports from at least two folds")
    say("choosing thresholds by inner cross-validation over the training folds")
    (threshold, second, floor), inner = choose_thresholds(pipeline, reports, groups, score)
    log.info("thresholds %.2f / %.2f / floor %.2f (inner objective %.3f)", threshold, second, floor, inner)
    say("fitting on every training report")
    ensemble = fit_ensemble(reports)
    digest = hashlib.sha256(json.dumps([ensemble.to_dict(), threshold, second, floor]).encode()).hexdigest()[:12]
    return Decisions(ensemble, threshold, second, floor, f"gbt-{digest}")
