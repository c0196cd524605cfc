"""Fitted decisions and how extraction applies them.

A model file is JSON: logistic-regression weights over hashed features (``features.py``), the
thresholds chosen on the training reports, and a version that every result records in
``produced_by["models"]``. No text is stored. Inference is a sum of weights: no numerical
library is needed at run time, and a missing model file leaves extraction to the rules.

::

    Decisions.load(path) / Decisions.packaged()     -> Decisions | None
    Decisions.choose(analysis, precedence)          -> list[Mention]
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.decide.features import Context, document_features, hashed, site_features, site_type_features
from marsad.errors import ConfigError
from marsad.extract import incidents
from marsad.extract.assemble import Mention
from marsad.extract.incidents import EVENT_TYPE_NAMES, Precedence, Site
from marsad.models import EVENT_TYPES

if TYPE_CHECKING:
    from marsad.pipeline import Analysis

log = logging.getLogger(__name__)

FORMAT = "marsad-decisions/1"
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


@dataclass(frozen=True)
class LinearModel:
    """P(yes) = sigmoid(intercept + sum of the weights of the features present)."""

    intercept: float
    weights: dict[int, float]

    def score(self, features: Sequence[int]) -> float:
        w = self.weights
        return self.intercept + sum(w.get(i, 0.0) for i in features)

    def prob(self, features: Sequence[int]) -> float:
        z = self.score(features)
        return 1.0 / (1.0 + math.exp(-z)) if z > -35 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"intercept": self.intercept, "weights": {str(k): round(v, 6) for k, v in sorted(self.weights.items())}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LinearModel:
        return cls(float(d["intercept"]), {int(k): float(v) for k, v in d["weights"].items()})


@dataclass(frozen=True)
class Decisions:
    """The learned decisions of extraction: which (place, event type) pairs a report asserts."""

    site_type: LinearModel
    document: LinearModel | None
    threshold: float  # keep a (site, type) pair at or above this probability
    second_threshold: float  # a second event type at one site needs at least this
    document_threshold: float  # a report below this describes no event
    version: str

    # ------------------------------------------------------------------ applying
    def choose(self, analysis: Analysis, precedence: Precedence) -> list[Mention]:
        ctx = Context.of(analysis.doc, analysis.spans, analysis.candidates, analysis.sites)
        scored = self.score_sites(ctx)
        if self.document is not None and self.document.prob(hashed(document_features(ctx))) < self.document_threshold:
            return []
        chosen: list[tuple[Site, str]] = []
        for site, probs in scored:
            ranked = sorted(probs.items(), key=lambda kv: -kv[1])
            best_type, best = ranked[0]
            if best < self.threshold:
                continue
            chosen.append((site, best_type))
            chosen.extend((site, t) for t, p in ranked[1:] if p >= self.second_threshold)
        return build_mentions(ctx, chosen, precedence)

    def score_sites(self, ctx: Context) -> list[tuple[Site, dict[str, float]]]:
        out = []
        for site in ctx.sites:
            base = site_features(ctx, site)
            probs = {t: self.site_type.prob(hashed(site_type_features(ctx, site, t, base))) for t in EVENT_TYPE_NAMES}
            out.append((site, probs))
        return out

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "threshold": self.threshold,
            "second_threshold": self.second_threshold,
            "document_threshold": self.document_threshold,
            "site_type": self.site_type.to_dict(),
            "document": self.document.to_dict() if self.document else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Decisions:
        if d.get("format") != FORMAT:
            raise ConfigError(f"not a {FORMAT} model file (format {d.get('format')!r})")
        return cls(
            site_type=LinearModel.from_dict(d["site_type"]),
            document=LinearModel.from_dict(d["document"]) if d.get("document") else None,
            threshold=float(d["threshold"]),
            second_threshold=float(d["second_threshold"]),
            document_threshold=float(d["document_threshold"]),
            version=str(d["version"]),
        )

    def save(self, path: Path) -> None:
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
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"model file {path} is damaged: {exc}") from None

    @classmethod
    def packaged(cls) -> Decisions | None:
        """The models shipped with marsad, or None (extraction then uses the rules alone)."""
        path = Path(str(resources.files("marsad.decide") / "data" / PACKAGED))
        if not path.is_file():
            log.warning("no packaged model file (%s): extraction uses the rules alone", path)
            return None
        return cls.load(path)


def default_sub_event_type(ctx: Context, event_type: str) -> str:
    """The reading of an event type no candidate at the place names: the report's own reading of
    that type elsewhere, else the type's most general sub-event type."""
    subs = [m.sub_event_type for m in ctx.candidates if not m.flags and EVENT_TYPES[m.sub_event_type] == event_type]
    if subs:
        return max(subs, key=subs.count)
    if event_type == "explosions_remote_violence" and ctx.doc_cue.get("air", 0) > ctx.doc_cue.get("artillery", 0):
        return "air_drone_strike"
    return _DEFAULT_SUB[event_type]


def build_mentions(ctx: Context, chosen: Sequence[tuple[Site, str]], precedence: Precedence) -> list[Mention]:
    """One mention per chosen (site, event type), its sub-event type by precedence; then the
    types an incident absorbs at a place (an interception is not also the strike) are dropped."""
    by_site: dict[str, list[Mention]] = {}
    order: list[str] = []
    for site, event_type in chosen:
        own = [m.sub_event_type for m in site.candidates if EVENT_TYPES[m.sub_event_type] == event_type]
        unflagged = [
            m.sub_event_type for m in site.candidates if EVENT_TYPES[m.sub_event_type] == event_type and not m.flags
        ]
        sub = precedence.strongest(unflagged or own) if own else default_sub_event_type(ctx, event_type)
        m = incidents.build(site, event_type, sub, ctx.candidates, ctx.doc)
        if site.key not in by_site:
            order.append(site.key)
        by_site.setdefault(site.key, []).append(m)
    out: list[Mention] = []
    for key in order:
        group = by_site[key]
        absorbed = precedence.absorbed([m.sub_event_type for m in group])
        out.extend(m for m in group if m.sub_event_type not in absorbed)
    return out
