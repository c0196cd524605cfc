"""Fitted decisions and how extraction applies them.

A model file (``data/decisions.json``) holds a gradient-boosted tree ensemble over the named
features of ``features.py`` (split thresholds and leaf values: numbers only, no text), the
thresholds chosen on the training reports, and a version that every result records in
``produced_by["models"]``. Inference walks all trees at once with NumPy. A missing model file
leaves extraction to the rules.

::

    Decisions.load(path) / Decisions.packaged()     -> Decisions | None
    Decisions.choose(analysis, precedence)          -> list[Mention]
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from marsad.decide.features import FEATURE_NAMES, Context, rows
from marsad.errors import ConfigError
from marsad.extract import incidents, tolls
from marsad.extract.assemble import Mention
from marsad.extract.incidents import Precedence, Site
from marsad.models import EVENT_TYPES

if TYPE_CHECKING:
    from marsad.pipeline import Analysis

log = logging.getLogger(__name__)

FORMAT = "marsad-decisions/2"
_AREA_KINDS = frozenset({"admin1", "country"})
PACKAGED = "decisions.json"

# the sub-event type an event type takes when no candidate of that type names one
_DEFAULT_SUB = {
    "battles": "armed_clash",
    "explosions_remote_violence": "shelling_artillery_missile_attack",
    "violence_against_civilians": "attack",
    "protests": "peaceful_protest",
    "riots": "violent_demonstration",
    "strategic_developments": "other",
}


class TreeEnsemble:
    """A binary gradient-boosted ensemble: P(yes) = sigmoid(baseline + sum of leaf values).

    All trees are kept in flat arrays (node feature, threshold, children, leaf value); a row goes
    left when its feature value is at most the threshold.
    """

    def __init__(self, baseline: float, trees: Sequence[dict[str, Any]], n_features: int) -> None:
        self.baseline = float(baseline)
        self.n_features = n_features
        self.trees = [dict(t) for t in trees]
        feature: list[int] = []
        threshold: list[float] = []
        left: list[int] = []
        right: list[int] = []
        value: list[float] = []
        leaf: list[bool] = []
        roots: list[int] = []
        depth = 1
        for t in self.trees:
            base = len(feature)
            roots.append(base)
            n = len(t["feature"])
            if not (len(t["threshold"]) == len(t["left"]) == len(t["right"]) == len(t["value"]) == n):
                raise ConfigError("model file: a tree's node arrays differ in length")
            feature += t["feature"]
            threshold += t["threshold"]
            value += t["value"]
            leaf += [lf == -1 for lf in t["left"]]
            left += [base + c if c >= 0 else base + k for k, c in enumerate(t["left"])]
            right += [base + c if c >= 0 else base + k for k, c in enumerate(t["right"])]
            depth = max(depth, int(t.get("depth", n)))
        if feature and (min(feature) < 0 or max(feature) >= n_features):
            raise ConfigError("model file: a split uses a feature the model does not have")
        self._feature = np.asarray(feature, dtype=np.intp)
        self._threshold = np.asarray(threshold, dtype=np.float64)
        self._left = np.asarray(left, dtype=np.intp)
        self._right = np.asarray(right, dtype=np.intp)
        self._value = np.asarray(value, dtype=np.float64)
        self._leaf = np.asarray(leaf, dtype=bool)
        self._roots = np.asarray(roots, dtype=np.intp)
        self._depth = depth

    def prob(self, x: np.ndarray) -> np.ndarray:
        """P(yes) for each row of ``x`` (rows × features)."""
        if x.shape[0] == 0 or len(self._roots) == 0:
            return np.full(x.shape[0], 1.0 / (1.0 + np.exp(-self.baseline)))
        idx = np.broadcast_to(self._roots, (x.shape[0], len(self._roots))).copy()
        rows_ = np.arange(x.shape[0])[:, None]
        for _ in range(self._depth):
            node_feature = self._feature[idx]
            go_left = x[rows_, node_feature] <= self._threshold[idx]
            idx = np.where(self._leaf[idx], idx, np.where(go_left, self._left[idx], self._right[idx]))
        z = self.baseline + self._value[idx].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict[str, Any]:
        return {"baseline": self.baseline, "n_features": self.n_features, "trees": self.trees}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TreeEnsemble:
        return cls(d["baseline"], d["trees"], int(d["n_features"]))


@dataclass(frozen=True)
class Decisions:
    """The learned decisions of extraction: which (place, event type) pairs a report asserts."""

    site_type: TreeEnsemble
    threshold: float  # keep a site's most likely event type at or above this probability
    second_threshold: float  # a second event type at one site needs at least this
    floor: float  # a report the rules see an event in keeps its best pair when at least this
    version: str
    features: tuple[str, ...] = FEATURE_NAMES

    def __post_init__(self) -> None:
        if tuple(self.features) != FEATURE_NAMES:
            raise ConfigError(
                "the model was fitted on other features than this version of marsad computes: "
                "rebuild it with `marsad train`"
            )

    # ------------------------------------------------------------------ applying
    def choose(self, analysis: Analysis, precedence: Precedence) -> list[Mention]:
        ctx = Context.of(analysis.doc, analysis.spans, analysis.candidates, analysis.sites)
        keys, matrix = rows(ctx)
        probs = self.site_type.prob(np.asarray(matrix, dtype=np.float64).reshape(len(keys), len(FEATURE_NAMES)))
        return decode(ctx, keys, probs.tolist(), self.threshold, self.second_threshold, precedence, self.floor)

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "threshold": self.threshold,
            "second_threshold": self.second_threshold,
            "floor": self.floor,
            "features": list(self.features),
            "site_type": self.site_type.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Decisions:
        if d.get("format") != FORMAT:
            raise ConfigError(f"not a {FORMAT} model file (format {d.get('format')!r})")
        return cls(
            site_type=TreeEnsemble.from_dict(d["site_type"]),
            threshold=float(d["threshold"]),
            second_threshold=float(d["second_threshold"]),
            floor=float(d["floor"]),
            version=str(d["version"]),
            features=tuple(d["features"]),
        )

    def save(self, path: Path) -> None:
        """Write atomically (a temporary file renamed over the old one)."""
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), separators=(",", ":")) + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Decisions:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"model file {path} not found") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"model file {path} is not valid JSON: {exc}") from None
        try:
            return cls.from_dict(data)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ConfigError(f"model file {path} is damaged: {exc}") from None

    @classmethod
    def packaged(cls) -> Decisions | None:
        """The models shipped with marsad, or None (extraction then uses the rules alone)."""
        path = packaged_path()
        if not path.is_file():
            log.warning("no packaged model file (%s): extraction uses the rules alone", path)
            return None
        return cls.load(path)


def packaged_path() -> Path:
    return Path(str(resources.files("marsad.decide"))) / "data" / PACKAGED


def decode(
    ctx: Context,
    keys: Sequence[tuple[Site, str]],
    probs: Sequence[float],
    threshold: float,
    second_threshold: float,
    precedence: Precedence,
    floor: float = 1.0,
) -> list[Mention]:
    """The mentions of the (site, event type) pairs ``choose`` keeps."""
    picked = choose(ctx, keys, probs, threshold, second_threshold, floor)
    return build_pairs(ctx, keys, probs, picked, precedence, floor)


def build_pairs(
    ctx: Context,
    keys: Sequence[tuple[Site, str]],
    probs: Sequence[float],
    picked: Sequence[int],
    precedence: Precedence,
    floor: float,
) -> list[Mention]:
    score = {(id(site), t): p for (site, t), p in zip(keys, probs, strict=True)}
    chosen = [keys[k] for k in picked]
    return build_mentions(ctx, chosen, precedence, lambda site, t: score.get((id(site), t), 0.0) >= floor)


def choose(
    ctx: Context,
    keys: Sequence[tuple[Site, str]],
    probs: Sequence[float],
    threshold: float,
    second_threshold: float,
    floor: float = 1.0,
) -> tuple[int, ...]:
    """Indices of the (site, event type) pairs a report asserts.

    Per site: its most likely event type when at or above ``threshold``, and any other type at or
    above ``second_threshold``. A report in which the rules see an event but no site reaches the
    threshold still gets its single most likely pair when that is at least ``floor`` (a short
    report of one strike is not left empty because its only place is ordinary). Places one
    trigger lists with a chosen one follow it (``floor``), and a province or country is dropped
    when a place inside it is chosen for the same type."""
    best_of_site: dict[int, int] = {}
    for k, ((site, _t), p) in enumerate(zip(keys, probs, strict=True)):
        j = best_of_site.get(id(site))
        if j is None or p > probs[j]:
            best_of_site[id(site)] = k
    picked: list[int] = []
    for k, ((site, _t), p) in enumerate(zip(keys, probs, strict=True)):
        top = best_of_site[id(site)]
        if probs[top] >= threshold and (k == top or p >= second_threshold):
            picked.append(k)
    if not picked and probs and any(not m.flags for m in ctx.candidates):
        best = max(range(len(probs)), key=lambda k: (probs[k], -k))
        if probs[best] >= floor:
            picked.append(best)
    picked.extend(_list_members(keys, probs, picked, floor))
    return tuple(sorted(_without_covered_areas(keys, picked)))


def _area(site: Site) -> bool:
    e = site.place.entry
    return site.place.toponym.relation in ("province", "countryside") or (e is not None and e.kind in _AREA_KINDS)


def _without_covered_areas(keys: Sequence[tuple[Site, str]], picked: Sequence[int]) -> list[int]:
    """A province, countryside or country is no event of its own when a place inside it is
    chosen for the same event type: ACLED codes the province only when no place is named."""
    towns: set[tuple[str, str]] = set()
    countries: set[tuple[str, str]] = set()
    for k in picked:
        site, t = keys[k]
        if site.place.entry is not None and not _area(site):
            towns.add((t, site.place.entry.admin1))
            countries.add((t, site.place.entry.country))
    out = []
    for k in picked:
        site, t = keys[k]
        e = site.place.entry
        if _area(site) and e is not None:
            if e.kind == "country" and (t, e.country) in countries:
                continue
            if e.kind != "country" and (t, e.admin1) in towns:
                continue
        out.append(k)
    return out


def _list_members(
    keys: Sequence[tuple[Site, str]], probs: Sequence[float], picked: Sequence[int], floor: float
) -> list[int]:
    """Places that one trigger gives as a list ("strikes on A, B and C") share the reading of the
    member chosen: each other member with its own candidate from that trigger joins when its
    probability is at least ``floor``."""
    taken = set(picked)
    triggers = {
        (t, m.sentence, m.trigger_first)
        for site, t in (keys[k] for k in picked)
        for m in site.candidates
        if not m.flags and EVENT_TYPES[m.sub_event_type] == t
    }
    out: list[int] = []
    for k, ((site, t), p) in enumerate(zip(keys, probs, strict=True)):
        if k in taken or p < floor:
            continue
        if any(
            not m.flags and EVENT_TYPES[m.sub_event_type] == t and (t, m.sentence, m.trigger_first) in triggers
            for m in site.candidates
        ):
            out.append(k)
            taken.add(k)
    return out


def _incident_type(site: Site, event_type: str, precedence: Precedence, plausible: Callable[[Site, str], bool]) -> str:
    """The event type of the incident at a site: when the reading chosen is one that another
    plausible reading told in the same sentence absorbs (the arrests of a dispersed protest, the
    burning by a mob), the absorbing reading."""
    own = [m for m in site.candidates if not m.flags and EVENT_TYPES[m.sub_event_type] == event_type]
    sentences = {m.sentence for m in own}
    for m in site.candidates:
        if m.flags or m.sentence not in sentences or EVENT_TYPES[m.sub_event_type] == event_type:
            continue
        absorbing = any(o.sub_event_type in precedence.absorbs.get(m.sub_event_type, ()) for o in own)
        if absorbing and plausible(site, EVENT_TYPES[m.sub_event_type]):
            return EVENT_TYPES[m.sub_event_type]
    return event_type


def default_sub_event_type(ctx: Context, event_type: str) -> str:
    """The reading of an event type no candidate at the place names: the report's own reading of
    that type elsewhere, else the type's most general sub-event type."""
    subs = [m.sub_event_type for m in ctx.candidates if not m.flags and EVENT_TYPES[m.sub_event_type] == event_type]
    if subs:
        return max(subs, key=subs.count)
    if event_type == "explosions_remote_violence" and ctx.doc_cue.get("air", 0) > ctx.doc_cue.get("artillery", 0):
        return "air_drone_strike"
    return _DEFAULT_SUB[event_type]


def build_mentions(
    ctx: Context,
    chosen: Sequence[tuple[Site, str]],
    precedence: Precedence,
    plausible: Callable[[Site, str], bool] = lambda _site, _type: True,
) -> list[Mention]:
    """One mention per chosen (site, event type), its sub-event type by precedence among the
    candidates that tell it; then the types an incident absorbs at a place (an interception is
    not also the strike it stopped) are dropped."""
    by_site: dict[str, list[Mention]] = {}
    seen: set[tuple[str, str]] = set()
    for site, chosen_type in chosen:
        event_type = _incident_type(site, chosen_type, precedence, plausible)
        if (site.key, event_type) in seen:
            continue
        seen.add((site.key, event_type))
        own = [m for m in site.candidates if EVENT_TYPES[m.sub_event_type] == event_type]
        unflagged = [m.sub_event_type for m in own if not m.flags]
        sub = precedence.strongest(unflagged or [m.sub_event_type for m in own]) if own else None
        sub = sub or default_sub_event_type(ctx, event_type)
        mention = incidents.build(site, event_type, sub, ctx.candidates, ctx.doc)
        by_site.setdefault(site.key, []).append(mention)
    out: list[Mention] = []
    for group in by_site.values():
        absorbed = precedence.absorbed([m.sub_event_type for m in group])
        out.extend(m for m in group if m.sub_event_type not in absorbed)
    for mention, found in zip(out, tolls.attach(ctx.doc, ctx.spans, out), strict=True):
        if mention.fatalities is None:
            mention.fatalities = tolls.fatalities(found)  # a toll stated apart from the event's place
            best = tolls.highest(found)
            mention.toll = best.basis(ctx.doc) if best is not None else None
    return out
