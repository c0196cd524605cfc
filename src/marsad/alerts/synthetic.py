"""Synthetic daily counts for checking the detector (its unit tests and ``benchmarks/bench_alerts.py``):
Poisson or over-dispersed gamma-Poisson draws, like real conflict counts, and a series of them."""

from __future__ import annotations

import datetime as dt
import math
import random

from marsad.alerts.detect import Day


def poisson(rng: random.Random, lam: float) -> int:
    """One Poisson draw (Knuth's product; a normal approximation above 30, where it underflows)."""
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def negbin(rng: random.Random, mean: float, shape: float | None) -> int:
    """One gamma-Poisson (negative binomial) draw of ``mean``; ``shape=None`` is plain Poisson."""
    return poisson(rng, rng.gammavariate(shape, mean / shape) if shape else mean)


def series(values: list[int], start: dt.date) -> dict[dt.date, Day]:
    """Daily counts from ``start`` as the detector reads them (days with no event are absent)."""
    return {start + dt.timedelta(days=i): Day(v, [f"MRS{i:04d}"]) for i, v in enumerate(values) if v}
