"""Surges in daily series: one series per area, event family and measure; pure functions.

A *measure* is ``events`` (how many merged events that day) or a counted quantity reported in
the events (``strikes``, ``barrel_bombs``, ``shells``, ``missiles``: the sum over the day's events of
the largest figure each event gives). ``detect`` runs ``marsad.alerts.stats.surge_test`` on every
day whose value reaches the minimum and returns the surges, each with a plain English statement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from marsad.alerts.stats import TestResult, p_text, surge_test

FAMILIES: dict[str, tuple[str, ...]] = {
    "air_strikes": ("air_drone_strike",),
    "shelling": ("shelling_artillery_missile_attack",),
    "clashes": ("armed_clash", "government_regains_territory", "non_state_actor_overtakes_territory"),
    "explosions": ("remote_explosive_landmine_ied", "suicide_bomb", "grenade"),
    "chemical": ("chemical_weapon",),
    "attacks_on_civilians": ("attack", "sexual_violence", "abduction_forced_disappearance"),
    "protests": (
        "peaceful_protest",
        "protest_with_intervention",
        "excessive_force_against_protesters",
        "violent_demonstration",
        "mob_violence",
    ),
    "arrests": ("arrests",),
}
"""Event families: groups of sub-event types whose counts are compared (ACLED's sub-event types)."""
FAMILY_OF = {sub: family for family, subs in FAMILIES.items() for sub in subs}
FAMILY_LABELS = {
    "air_strikes": "air strikes",
    "shelling": "shelling",
    "clashes": "clashes",
    "explosions": "explosions",
    "chemical": "chemical attacks",
    "attacks_on_civilians": "attacks on civilians",
    "protests": "protests and riots",
    "arrests": "arrests",
}
QUANTITY_MEASURES = ("strikes", "barrel_bombs", "shells", "missiles")
"""Counted quantities (``quantities[].what``) that are followed as series of their own."""
QUANTITY_LABELS = {
    ("strikes", "air_strikes"): "air strikes",
    ("strikes", None): "strikes",
    ("barrel_bombs", None): "barrel bombs",
    ("shells", None): "shells",
    ("missiles", None): "missiles",
}
QUALIFIER_WORDS = {"more_than": "more than", "at_least": "at least", "about": "about", "up_to": "up to"}
TEST_NAME = "negative-binomial/Poisson upper tail"


@dataclass(frozen=True, slots=True)
class Settings:
    """The test's parameters (``docs/live.md``)."""

    window: int = 56  # baseline: the days before the day tested
    min_baseline_days: int = 14  # no test on a day with less history in the data
    alpha: float = 0.0001  # a surge when the upper-tail probability is below this
    min_events: int = 3  # the fewest events that make a surge
    min_quantity: int = 10  # the fewest counted items (strikes, shells …) that make a surge
    min_ratio: float = 2.0  # the day's value must also be at least this many times the baseline rate
    recent: int = 14  # the rate is the higher of the window's and these last days' (a rising trend)

    @property
    def test(self) -> str:
        return (
            f"{TEST_NAME} over the previous {self.window} days, alpha {self.alpha:g}, "
            f"minimum {self.min_events} events / {self.min_quantity} items, ratio >= {self.min_ratio:g}"
        )


@dataclass(slots=True)
class Day:
    """One day of one series: the value and the events behind it."""

    value: int = 0
    event_ids: list[str] = field(default_factory=list)
    qualifiers: list[str] = field(default_factory=list)  # of the figures summed (quantities)


@dataclass(frozen=True, slots=True)
class SeriesKey:
    area_level: str  # admin1 or admin2
    country: str
    area_key: str
    area: str  # the name shown
    family: str
    measure: str  # events, or a quantity's ``what``


@dataclass(frozen=True, slots=True)
class Alert:
    key: SeriesKey
    day: dt.date
    value: int
    baseline: float  # events (or items) per day
    baseline_days: int
    p_value: float
    model: str
    statement: str
    event_ids: tuple[str, ...]
    test: str

    @property
    def alert_id(self) -> str:
        k = self.key
        raw = "|".join((k.area_level, k.country, k.area_key, k.family, k.measure, self.day.isoformat()))
        return "ALR" + hashlib.sha1(raw.encode()).hexdigest()[:16].upper()

    def record(self) -> dict[str, object]:
        """The JSON form (``marsad alerts --format json``)."""
        k = self.key
        return {
            "alert_id": self.alert_id,
            "area_level": k.area_level,
            "country": k.country,
            "area": k.area,
            "family": k.family,
            "measure": k.measure,
            "day": self.day.isoformat(),
            "value": self.value,
            "baseline": round(self.baseline, 3),
            "baseline_days": self.baseline_days,
            "p_value": self.p_value,
            "test": self.test,
            "statement": self.statement,
            "event_ids": list(self.event_ids),
        }


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _label(key: SeriesKey) -> str:
    if key.measure == "events":
        return FAMILY_LABELS.get(key.family, key.family.replace("_", " "))
    return QUANTITY_LABELS.get((key.measure, key.family)) or QUANTITY_LABELS.get(
        (key.measure, None), key.measure.replace("_", " ")
    )


def _amount(day: Day) -> str:
    """``more than 600`` for one figure that said so; ``at least 650`` for a sum of vague ones."""
    quals = {q for q in day.qualifiers if q != "exact"}
    if not quals:
        return str(day.value)
    if len(day.qualifiers) == 1:
        return f"{QUALIFIER_WORDS.get(next(iter(quals)), '')} {day.value}".strip()
    if quals & {"more_than", "at_least"}:
        return f"at least {day.value}"
    return f"about {day.value}"


def statement(
    key: SeriesKey,
    day: dt.date,
    today: Day,
    history: dict[dt.date, Day],
    start: dt.date,
    result: TestResult,
    n: int,
) -> str:
    """``air strikes in Dar'a: 38 events on 5 July 2018, the most since 12 March 2018 (41); baseline
    2.1/day over 56 days, p < 0.001 (negative binomial upper tail)``."""
    earlier = [d for d, v in history.items() if d < day and v.value >= today.value]
    if earlier:
        last = max(earlier)
        most = f"the most since {long_date(last)} ({history[last].value})"
    else:
        most = f"the most on record (data from {long_date(start)})"
    test = f"{p_text(result.p_value)} ({result.model} upper tail)"
    base = f"baseline {result.mean:.1f}/day over the previous {n} days, {test}"
    if key.measure == "events":
        noun = "event" if today.value == 1 else "events"
        return f"{_label(key)} in {key.area}: {today.value} {noun} on {long_date(day)}, {most}; {base}"
    reports = "report" if len(today.event_ids) == 1 else "reports"
    return (
        f"{_amount(today)} {_label(key)} reported in {key.area} on {long_date(day)} "
        f"({len(today.event_ids)} event {reports}), {most}; {base}"
    )


def detect(
    key: SeriesKey,
    series: dict[dt.date, Day],
    start: dt.date,
    settings: Settings | None = None,
    days: Iterable[dt.date] | None = None,
) -> list[Alert]:
    """The surges of one series. ``start`` is the first day the data covers (days before it are
    unknown, not zeros); ``days`` limits the days tested (default: every day with a value)."""
    settings = settings or Settings()
    minimum = settings.min_events if key.measure == "events" else settings.min_quantity
    wanted = None if days is None else set(days)
    flagged: set[dt.date] = set()  # surges already found: left out of later baselines
    out: list[Alert] = []
    last = max(wanted) if wanted else None
    for day in sorted(series):
        if last is not None and day > last:
            break
        today = series[day]
        if today.value < minimum:
            continue
        n = min(settings.window, (day - start).days)
        if n < settings.min_baseline_days:
            continue
        baseline = _baseline(series, day, n, flagged)
        if len(baseline) < settings.min_baseline_days:
            continue
        result = surge_test(today.value, baseline, recent=settings.recent)
        if result.p_value >= settings.alpha or today.value < settings.min_ratio * result.mean:
            continue
        flagged.add(day)
        if wanted is not None and day not in wanted:
            continue
        out.append(
            Alert(
                key=key,
                day=day,
                value=today.value,
                baseline=result.mean,
                baseline_days=len(baseline),
                p_value=result.p_value,
                model=result.model,
                statement=statement(key, day, today, series, start, result, len(baseline)),
                event_ids=tuple(sorted(set(today.event_ids))),
                test=settings.test,
            )
        )
    return out


def _baseline(series: dict[dt.date, Day], day: dt.date, n: int, flagged: set[dt.date]) -> Sequence[int]:
    """The ``n`` days before ``day``, latest first, without the days already flagged as surges."""
    out = []
    for back in range(1, n + 1):
        earlier = day - dt.timedelta(days=back)
        if earlier in flagged:
            continue
        found = series.get(earlier)
        out.append(found.value if found else 0)
    return out
