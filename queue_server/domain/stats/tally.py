"""Mergeable tallies per group, built from one service day's events, and their figures.

A day's tallies can be stored (the daily roll-up) and merged with other days' tallies: counts
add up and the duration lists are concatenated, so a period's percentiles stay exact.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from queue_server.domain.stats.facts import LogEvent, Outcome, Stint, pauses_from, stints_from
from queue_server.domain.stats.percentiles import Durations, Samples

GROUPINGS: Final = ("category", "window", "clerk", "hour", "day")
"""The `group_by` values; each is also a dimension of the daily roll-up."""
PAUSE_REASON: Final = "pause_reason"
"""A further roll-up dimension: pauses by their reason."""
DIMENSIONS: Final = (*GROUPINGS, PAUSE_REASON)
NO_KEY: Final = ""
"""The group of stints that have no value for a dimension (e.g. never called: no window)."""

LEVEL_KEYS: Final = {
    5: "very_satisfied",
    4: "satisfied",
    3: "basically_satisfied",
    2: "dissatisfied",
    1: "very_dissatisfied",
}
COUNT_NAMES: Final = (
    "issued",
    "transferred_in",
    "called",
    *(outcome.value for outcome in Outcome),
    "requeued",
    "recalled",
    "within_target",
    "pauses",
    "evaluations",
    "defaulted",
    *LEVEL_KEYS.values(),
)
"""Every count a tally keeps, in the order the roll-up stores them."""


@dataclass(slots=True)
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    waits: Samples = field(default_factory=Samples)
    services: Samples = field(default_factory=Samples)
    at_window: Samples = field(default_factory=Samples)
    pause_seconds: float = 0.0
    waiting_seconds: float = 0.0
    """Person-seconds spent waiting within this group's hour (hour groups only)."""

    def merge(self, other: "Tally") -> None:
        self.counts.update(other.counts)
        self.waits.extend(other.waits)
        self.services.extend(other.services)
        self.at_window.extend(other.at_window)
        self.pause_seconds += other.pause_seconds
        self.waiting_seconds += other.waiting_seconds


DayTallies = dict[str, dict[str, Tally]]
"""dimension -> group key -> tally."""


@dataclass(frozen=True, slots=True)
class DayRules:
    tz: ZoneInfo
    target_wait_seconds: Mapping[str, float]


def clerk_key(value: Any) -> str | None:
    """A clerk as payloads carry it ({display_name, staff_no} or a plain name) → its key."""
    if isinstance(value, Mapping):
        key = value.get("staff_no") or value.get("display_name")
        return str(key) if key else None
    return str(value) if value else None


def tally_day(
    events: Sequence[LogEvent], *, day: date, rules: DayRules, day_over: bool, until: datetime
) -> DayTallies:
    """Every dimension's tallies for one service day. `until` cuts what is still open (waits,
    pauses): the day's last event for a day that is over, the present moment for today."""
    tallies: DayTallies = {dimension: {} for dimension in DIMENSIONS}
    _get(tallies, "day", day.isoformat())

    def groups(
        category: str | None, window: int | None, clerk: str | None, hour: int | None
    ) -> list[Tally]:
        keys = {
            "category": category or NO_KEY,
            "window": str(window) if window is not None else NO_KEY,
            "clerk": clerk or NO_KEY,
            "hour": f"{hour:02d}" if hour is not None else NO_KEY,
            "day": day.isoformat(),
        }
        return [_get(tallies, dimension, key) for dimension, key in keys.items()]

    for stint in stints_from(events).values():
        hour = stint.queued_at.astimezone(rules.tz).hour if stint.queued_at else None
        for tally in groups(stint.category, stint.window_no, stint.clerk, hour):
            _count_stint(tally, stint, rules, day_over=day_over)
        if stint.queued_at is not None:
            _spread_waiting(tallies, stint.queued_at, stint.waiting_until(until), rules.tz)

    for pause in pauses_from(events, until=until):
        for dimension, key in (
            ("window", str(pause.window_no)),
            ("clerk", pause.clerk or NO_KEY),
            ("day", day.isoformat()),
            (PAUSE_REASON, pause.reason),
        ):
            tally = _get(tallies, dimension, key)
            tally.counts["pauses"] += 1
            tally.pause_seconds += pause.seconds

    for event in events:
        if event.type == "evaluation.submitted":
            level = event.data.get("level")
            if not isinstance(level, int) or level not in LEVEL_KEYS:
                continue
            window = event.data.get("window_no")
            hour = event.at.astimezone(rules.tz).hour
            for tally in groups(
                event.data.get("category"),
                window if isinstance(window, int) else None,
                clerk_key(event.data.get("clerk")),
                hour,
            ):
                tally.counts["evaluations"] += 1
                if event.data.get("defaulted"):
                    tally.counts["defaulted"] += 1
                else:
                    tally.counts[LEVEL_KEYS[level]] += 1
    return tallies


def _get(tallies: DayTallies, dimension: str, key: str) -> Tally:
    tally = tallies[dimension].get(key)
    if tally is None:
        tally = tallies[dimension][key] = Tally()
    return tally


def _count_stint(tally: Tally, stint: Stint, rules: DayRules, *, day_over: bool) -> None:
    counts = tally.counts
    counts["issued" if stint.issued else "transferred_in"] += 1
    counts[stint.outcome(day_over=day_over).value] += 1
    if stint.calls:
        counts["called"] += 1
    counts["requeued"] += stint.requeues
    counts["recalled"] += stint.recalls
    wait = stint.wait_seconds
    if wait is not None:
        tally.waits.append(wait)
        target = rules.target_wait_seconds.get(stint.category)
        if target is not None and wait <= target:
            counts["within_target"] += 1
    service = stint.service_seconds
    if service is not None:
        tally.services.append(service)
    at_window = stint.at_window_seconds
    if at_window is not None:
        tally.at_window.append(at_window)


def _spread_waiting(tallies: DayTallies, start: datetime, end: datetime, tz: ZoneInfo) -> None:
    """Add the waiting interval's person-seconds to the local clock hours it overlaps."""
    cursor = start.astimezone(tz)
    end = end.astimezone(tz)
    while cursor < end:
        hour_end = cursor.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        piece_end = min(hour_end, end)
        _get(tallies, "hour", f"{cursor.hour:02d}").waiting_seconds += (
            piece_end - cursor
        ).total_seconds()
        cursor = piece_end


def merge(days: Iterable[DayTallies]) -> DayTallies:
    merged: DayTallies = {dimension: {} for dimension in DIMENSIONS}
    for day in days:
        for dimension, groups in day.items():
            for key, tally in groups.items():
                _get(merged, dimension, key).merge(tally)
    return merged


def total(day_groups: Mapping[str, Tally]) -> Tally:
    """The whole period: the merge of the `day` dimension."""
    result = Tally()
    for tally in day_groups.values():
        result.merge(tally)
    return result


@dataclass(frozen=True, slots=True)
class Figures:
    """The published numbers of one group; times in seconds."""

    issued: int
    transferred_in: int
    called: int
    served: int
    no_show: int
    transferred: int
    cancelled: int
    abandoned: int
    open: int
    requeued: int
    recalled: int
    wait_mean: float | None
    wait_median: float | None
    wait_p90: float | None
    wait_max: float | None
    service_mean: float | None
    service_median: float | None
    service_p90: float | None
    service_max: float | None
    at_window_mean: float | None
    at_window_median: float | None
    at_window_p90: float | None
    at_window_max: float | None
    within_target: int
    within_target_share: float | None
    no_show_rate: float | None
    pauses: int
    pause_seconds: float
    evaluations: int
    defaulted: int
    very_satisfied: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    very_dissatisfied: int
    satisfaction_score: float | None
    satisfaction_rate: float | None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures(tally: Tally) -> Figures:
    counts = tally.counts
    wait = Durations.of(tally.waits.array())
    service = Durations.of(tally.services.array())
    at_window = Durations.of(tally.at_window.array())
    levels = {level: counts[key] for level, key in LEVEL_KEYS.items()}
    rated = sum(levels.values())
    content = sum(n for level, n in levels.items() if level >= 3) + counts["defaulted"]
    return Figures(
        issued=counts["issued"],
        transferred_in=counts["transferred_in"],
        called=counts["called"],
        served=counts[Outcome.SERVED],
        no_show=counts[Outcome.NO_SHOW],
        transferred=counts[Outcome.TRANSFERRED],
        cancelled=counts[Outcome.CANCELLED],
        abandoned=counts[Outcome.ABANDONED],
        open=counts[Outcome.OPEN],
        requeued=counts["requeued"],
        recalled=counts["recalled"],
        wait_mean=wait.mean,
        wait_median=wait.median,
        wait_p90=wait.p90,
        wait_max=wait.max,
        service_mean=service.mean,
        service_median=service.median,
        service_p90=service.p90,
        service_max=service.max,
        at_window_mean=at_window.mean,
        at_window_median=at_window.median,
        at_window_p90=at_window.p90,
        at_window_max=at_window.max,
        within_target=counts["within_target"],
        within_target_share=_share(counts["within_target"], wait.count),
        no_show_rate=_share(counts[Outcome.NO_SHOW], counts["called"]),
        pauses=counts["pauses"],
        pause_seconds=round(tally.pause_seconds, 3),
        evaluations=counts["evaluations"],
        defaulted=counts["defaulted"],
        very_satisfied=levels[5],
        satisfied=levels[4],
        basically_satisfied=levels[3],
        dissatisfied=levels[2],
        very_dissatisfied=levels[1],
        satisfaction_score=(
            round(math.fsum(level * n for level, n in levels.items()) / rated, 4) if rated else None
        ),
        satisfaction_rate=_share(content, counts["evaluations"]),
    )


@dataclass(frozen=True, slots=True)
class HourLoad:
    hour: int
    arrivals: int
    """Tickets issued at the kiosk in this clock hour, over the whole period."""
    waiting_mean: float
    """People waiting in this clock hour, averaged over time and over the period's days."""


def hourly_load(hours: Mapping[str, Tally], *, days: int) -> list[HourLoad]:
    loads = []
    for key in sorted(k for k in hours if k != NO_KEY):
        tally = hours[key]
        loads.append(
            HourLoad(
                hour=int(key),
                arrivals=tally.counts["issued"],
                waiting_mean=round(tally.waiting_seconds / 3600 / days, 3) if days else 0.0,
            )
        )
    return loads
