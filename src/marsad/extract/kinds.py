"""What the assembly stages share: groups of sub-event types and small helpers."""

from __future__ import annotations

from marsad.geo.resolve import Resolution
from marsad.models import Actor

_PROTESTS = frozenset(
    {"peaceful_protest", "protest_with_intervention", "excessive_force_against_protesters", "violent_demonstration"}
)
_BOMBS = frozenset({"remote_explosive_landmine_ied", "suicide_bomb", "grenade"})
_CLAIMABLE = frozenset(
    {
        "suicide_bomb",
        "remote_explosive_landmine_ied",
        "attack",
        "armed_clash",
        "grenade",
        "shelling_artillery_missile_attack",
    }
)


def _country(r: Resolution) -> bool:
    return r.toponym.is_country or (r.entry is not None and r.entry.kind == "country")


def _unique(actors: list[Actor]) -> list[Actor]:
    seen: set[str] = set()
    out = []
    for a in actors:
        if a.canonical not in seen:
            seen.add(a.canonical)
            out.append(a)
    return out


def _same_kind(a: str, b: str) -> bool:
    """Triggers of one event in a sentence: the same type, or both forms of one protest."""
    return a == b or (a in _PROTESTS and b in _PROTESTS)
