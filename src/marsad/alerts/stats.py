"""The surge test: how unlikely a day's count is under the rolling baseline of its area.

A day's count ``x`` is compared with the daily counts of the ``n`` days before it (days without
events count as zeros). The baseline rate is ``m = (sum + 0.5) / n`` (half an event added so that a
quiet baseline is "rare", not "impossible"), its dispersion the sample variance ``v``:

- ``v <= m``: Poisson(``m``), ``p = P(X >= x)``;
- ``v > m`` (over-dispersed, the usual case for conflict counts): negative binomial with the same
  mean and variance (method of moments: ``r = m^2 / (v - m)``), ``p = P(X >= x)``.

With a rising trend the rate is the higher of the whole window's and its last 14 days' (the
recent rate), so a steady rise is not taken for a surge.

A surge is flagged when ``p < alpha``, ``x >= min_count`` and ``x >= min_ratio * m``: the tail
probability alone would flag a tiny rise over a long, very regular baseline. Tails are summed
directly from ``lgamma`` terms (no SciPy), so ``p`` stays accurate far into the tail.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

PRIOR_EVENTS = 0.5
"""Pseudo-count added to a baseline's total: an area with no events in its baseline has rate
``0.5 / n``, not 0 (which would make any count infinitely unlikely)."""


@dataclass(frozen=True, slots=True)
class TestResult:
    p_value: float
    mean: float  # the baseline rate per day (with the pseudo-count)
    variance: float  # the sample variance of the baseline days
    model: str  # "Poisson" or "negative binomial"


def _log_poisson(k: int, mu: float) -> float:
    return k * math.log(mu) - mu - math.lgamma(k + 1)


def _log_negbin(k: int, r: float, q: float) -> float:
    """log P(X = k) for the negative binomial with ``r`` successes and success probability ``q``."""
    return math.lgamma(k + r) - math.lgamma(r) - math.lgamma(k + 1) + r * math.log(q) + k * math.log1p(-q)


def _upper_tail(x: int, pmf: Callable[[int], float], mean: float) -> float:
    """``P(X >= x)``: summed upwards from ``x`` when ``x`` is above the mean (terms shrink), else
    ``1 - P(X < x)``."""
    if x <= 0:
        return 1.0
    if x <= mean:
        below = sum(math.exp(pmf(k)) for k in range(x))
        return max(0.0, 1.0 - below)
    total = 0.0
    k = x
    while True:
        term = math.exp(pmf(k))
        total += term
        if term <= total * 1e-15 or k - x > 100_000:
            break
        k += 1
    return min(1.0, total)


def poisson_sf(x: int, mu: float) -> float:
    """``P(X >= x)`` for ``X ~ Poisson(mu)``."""
    if mu <= 0:
        return 1.0 if x <= 0 else 0.0
    return _upper_tail(x, lambda k: _log_poisson(k, mu), mu)


def negbin_sf(x: int, mean: float, variance: float) -> float:
    """``P(X >= x)`` for the negative binomial with this mean and variance (``variance > mean``)."""
    if variance <= mean:
        return poisson_sf(x, mean)
    r = mean * mean / (variance - mean)
    q = mean / variance
    return _upper_tail(x, lambda k: _log_negbin(k, r, q), mean)


def surge_test(x: int, baseline: Sequence[int], recent: int = 0) -> TestResult:
    """The upper-tail probability of ``x`` under the baseline's Poisson or negative binomial.
    ``baseline`` runs backwards (the day before first); with ``recent``, the rate is the higher of
    the whole baseline's and its first ``recent`` days' (so a steady rise is not a surge)."""
    n = len(baseline)
    if n == 0:
        raise ValueError("an empty baseline")
    mean = (sum(baseline) + PRIOR_EVENTS) / n
    if 0 < recent < n:
        mean = max(mean, (sum(baseline[:recent]) + PRIOR_EVENTS) / recent)
    raw_mean = sum(baseline) / n
    variance = sum((b - raw_mean) ** 2 for b in baseline) / (n - 1) if n > 1 else 0.0
    if variance > mean:
        return TestResult(negbin_sf(x, mean, variance), mean, variance, "negative binomial")
    return TestResult(poisson_sf(x, mean), mean, variance, "Poisson")


def p_text(p: float) -> str:
    """``p < 0.001``, ``p = 0.004``: the way a statement gives a probability."""
    for bound in (1e-6, 1e-4, 1e-3):
        if p < bound:
            return f"p < {bound:g}"
    return f"p = {p:.3f}"
