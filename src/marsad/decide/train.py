"""Fitting the decisions on hand-coded reports (the dev set, or the training folds of it).

Labels come from the gold coding with the shared scorer's own notion of "the same place"
(``score.location_agrees``): for each event type, the report's gold events are paired one to one
with its sites (same name as written first, then nearest), as ``score.py`` pairs predictions. A
site paired with a gold event of a type is a positive example of (site, type); a site that only
agrees with an *optional* gold event is left out; every other (site, type) is a negative.

Thresholds are chosen on the training reports by an inner cross-validation over their own folds
(out-of-fold probabilities, decoded and scored exactly as extraction does), never on the reports
being evaluated. Needs scikit-learn (``pip install marsad[train]``); extraction does not.
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

from marsad.decide.features import Context, document_features, hashed, site_features, site_type_features
from marsad.decide.model import Decisions, LinearModel, build_mentions
from marsad.errors import ConfigError
from marsad.extract.code import to_event
from marsad.extract.incidents import EVENT_TYPE_NAMES, Site
from marsad.models import RawDocument

if TYPE_CHECKING:
    from marsad.pipeline import Analysis, Pipeline

log = logging.getLogger(__name__)

C_SITE = 0.3
C_DOCUMENT = 0.3
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
SECOND = (0.5, 0.6, 0.7, 0.8, 0.95)
DOCUMENT = (0.0, 0.1, 0.2, 0.3, 0.4)


@dataclass
class Report:
    """One training report: its analysis, features and labels."""

    record: dict[str, Any]
    analysis: Analysis
    ctx: Context
    site_rows: list[tuple[Site, str, list[int], int | None]]  # site, event type, features, label
    doc_features: list[int]
    doc_label: int


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
    locs = [s.place.location().to_dict() for s in sites]
    events = record.get("events", [])
    for t in EVENT_TYPE_NAMES:
        gold = [e for e in events if e["event_type"] == t]
        pairs = []
        for gi, g in enumerate(gold):
            names = {score.norm(g["location"].get("name"))} | {score.norm(n) for n in g["location"].get("aliases", [])}
            for si, loc in enumerate(locs):
                if score.location_agrees(g["location"], loc):
                    same = score.norm(loc.get("name")) in names
                    pairs.append((bool(g.get("optional")), -same, score.km(g["location"], loc), gi, si))
        pairs.sort()
        used_g: set[int] = set()
        for optional, _, _, gi, si in pairs:
            if gi in used_g or (si, t) in out:
                continue
            used_g.add(gi)
            out[(si, t)] = None if optional else 1
        for si in range(len(sites)):
            out.setdefault((si, t), 0)
    return out


def prepare_reports(pipeline: Pipeline, records: Sequence[dict[str, Any]], score: ModuleType) -> list[Report]:
    reports = []
    for rec in records:
        analysis = pipeline.analyse(raw_of(rec))
        ctx = Context.of(analysis.doc, analysis.spans, analysis.candidates, analysis.sites)
        lab = labels(score, rec, analysis.sites)
        rows = []
        for si, site in enumerate(analysis.sites):
            base = site_features(ctx, site)
            for t in EVENT_TYPE_NAMES:
                rows.append((site, t, hashed(site_type_features(ctx, site, t, base)), lab[(si, t)]))
        required = [e for e in rec.get("events", []) if not e.get("optional")]
        optional_only = not required and bool(rec.get("events"))
        reports.append(
            Report(
                rec, analysis, ctx, rows, hashed(document_features(ctx)), -1 if optional_only else int(bool(required))
            )
        )
    return reports


def _fit_linear(rows: Sequence[tuple[list[int], int]], c: float) -> LinearModel:
    try:
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConfigError("training needs scikit-learn: pip install 'marsad[train]'") from None
    from marsad.decide.features import N_FEATURES

    indptr, indices = [0], []
    for feats, _ in rows:
        indices.extend(feats)
        indptr.append(len(indices))
    x = csr_matrix(([1.0] * len(indices), indices, indptr), shape=(len(rows), N_FEATURES))
    y = [label for _, label in rows]
    if len(set(y)) < 2:
        raise ConfigError("training needs positive and negative examples")
    clf = LogisticRegression(C=c, solver="liblinear", max_iter=1000)
    clf.fit(x, y)
    coef = clf.coef_[0]
    nz = coef.nonzero()[0]
    return LinearModel(float(clf.intercept_[0]), {int(i): float(coef[i]) for i in nz})


def fit_models(reports: Sequence[Report]) -> tuple[LinearModel, LinearModel]:
    site_rows = [(f, lab) for r in reports for _, _, f, lab in r.site_rows if lab is not None]
    doc_rows = [(r.doc_features, r.doc_label) for r in reports if r.doc_label >= 0]
    return _fit_linear(site_rows, C_SITE), _fit_linear(doc_rows, C_DOCUMENT)


def _decode(
    r: Report,
    probs: dict[tuple[int, str], float],
    doc_prob: float,
    th: float,
    second: float,
    doc_th: float,
    pipeline: Pipeline,
) -> list[dict[str, Any]]:
    if doc_prob < doc_th:
        return []
    chosen = []
    for si, site in enumerate(r.analysis.sites):
        ranked = sorted(((t, probs[(si, t)]) for t in EVENT_TYPE_NAMES), key=lambda kv: -kv[1])
        if ranked[0][1] < th:
            continue
        chosen.append((site, ranked[0][0]))
        chosen.extend((site, t) for t, p in ranked[1:] if p >= second)
    mentions = build_mentions(r.ctx, chosen, pipeline.precedence)
    return [to_event(m).to_dict() for m in mentions]


def choose_thresholds(
    pipeline: Pipeline, reports: Sequence[Report], groups: Sequence[int], score: ModuleType
) -> tuple[float, float, float]:
    """Thresholds that maximise event F1 on out-of-fold probabilities of the training reports."""
    oof: dict[int, tuple[dict[tuple[int, str], float], float]] = {}
    for g in sorted(set(groups)):
        train = [r for r, k in zip(reports, groups, strict=True) if k != g]
        site_model, doc_model = fit_models(train)
        for i, (r, k) in enumerate(zip(reports, groups, strict=True)):
            if k != g:
                continue
            per = len(EVENT_TYPE_NAMES)
            probs = {(j // per, t): site_model.prob(feats) for j, (_, t, feats, _) in enumerate(r.site_rows)}
            oof[i] = (probs, doc_model.prob(r.doc_features))
    best = (-1.0, 0.5, 0.8, 0.0)
    for doc_th in DOCUMENT:
        for th in THRESHOLDS:
            for second in SECOND:
                if second < th:
                    continue
                tally = score.Tally()
                for i, r in enumerate(reports):
                    probs, doc_prob = oof[i]
                    events = _decode(r, probs, doc_prob, th, second, doc_th, pipeline)
                    score.score_doc(tally, r.record, {"events": events})
                f1 = score.prf(tally.tp, tally.fp, tally.fn)[2]
                if f1 > best[0] + 1e-9:
                    best = (f1, th, second, doc_th)
    log.info("thresholds: site %.2f, second type %.2f, document %.2f (inner F1 %.3f)", *best[1:], best[0])
    return best[1], best[2], best[3]


def fit(
    pipeline: Pipeline,
    records: Sequence[dict[str, Any]],
    folds: dict[str, int],
    score: ModuleType,
    on_progress: Callable[[str], None] | None = None,
) -> Decisions:
    """Fit the decisions on ``records`` (gold reports); thresholds by inner CV over their folds."""
    say = on_progress or (lambda _msg: None)
    say(f"reading {len(records)} reports")
    reports = prepare_reports(pipeline, records, score)
    groups = [folds.get(str(r.record["id"]), 0) for r in reports]
    say("choosing thresholds by inner cross-validation")
    th, second, doc_th = choose_thresholds(pipeline, reports, groups, score)
    say("fitting on all training reports")
    site_model, doc_model = fit_models(reports)
    digest = hashlib.sha256(
        json.dumps([site_model.to_dict(), doc_model.to_dict(), th, second, doc_th], sort_keys=True).encode()
    ).hexdigest()[:12]
    return Decisions(site_model, doc_model, th, second, doc_th, f"lr-{digest}")
