"""Escalation alerts: surges of events and of counted quantities per area, family and day.

``marsad.alerts.stats`` holds the statistical test, ``marsad.alerts.detect`` the series and the
statements (pure functions), ``marsad.alerts.compute`` reading the store and keeping the
``alerts`` table up to date (in full, or incrementally after an ingest). See ``docs/live.md``.
"""

from __future__ import annotations

from marsad.alerts.compute import LEVELS, Scope, compute, recompute, refresh_after, save, stored, touched_since
from marsad.alerts.detect import FAMILIES, Alert, Day, SeriesKey, Settings, detect
from marsad.alerts.stats import TestResult, negbin_sf, poisson_sf, surge_test

__all__ = [
    "FAMILIES",
    "LEVELS",
    "Alert",
    "Day",
    "Scope",
    "SeriesKey",
    "Settings",
    "TestResult",
    "compute",
    "detect",
    "negbin_sf",
    "poisson_sf",
    "recompute",
    "refresh_after",
    "save",
    "stored",
    "surge_test",
    "touched_since",
]
