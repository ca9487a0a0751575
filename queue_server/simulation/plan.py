"""A seeded day: who arrives when, wanting what, and how each visit goes; clerks' shifts.

Everything random about a day is drawn here, before it runs, so every dispatch policy and
every way of running (virtual or live) meets exactly the same applicants.
"""

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.enums import PriorityReason
from queue_server.simulation.profile import CategoryLoad, Profile

PRIORITY_REASONS = (
    PriorityReason.ELDERLY,
    PriorityReason.DISABLED,
    PriorityReason.MILITARY,
    PriorityReason.PREGNANT,
)


@dataclass(frozen=True, slots=True)
class Applicant:
    """One person and everything that will happen to them; times in seconds."""

    index: int
    arrives: datetime
    category: str
    priority: PriorityReason | None
    walk_seconds: float
    service_seconds: float
    no_show: bool = False
    returns_after_seconds: float | None = None
    """For a no-show who comes back: how long after the no-show."""
    transfer_to: str | None = None
    transfer_service_seconds: float = 0.0
    matter: str | None = None
    """The matter chosen at the kiosk, where the profile gives the category matters."""


@dataclass(frozen=True, slots=True)
class Absence:
    """A window without its clerk: `closed` (signed out, lunch) or a pause (a break)."""

    window: int
    start: datetime
    end: datetime
    closed: bool


@dataclass(frozen=True, slots=True)
class DayPlan:
    day: date
    opens: datetime
    closes: datetime
    applicants: list[Applicant] = field(default_factory=list)
    absences: list[Absence] = field(default_factory=list)


def _at(day: date, moment: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz)


def _lognormal(rng: random.Random, median_minutes: float, sigma: float) -> float:
    return 60.0 * median_minutes * math.exp(sigma * rng.gauss(0.0, 1.0))


def _arrival_times(
    rng: random.Random, profile: Profile, tz: ZoneInfo, day: date, scale: float
) -> list[datetime]:
    """A Poisson process whose rate follows the hourly profile, within opening hours."""
    opens = _at(day, profile.day.opens, tz)
    closes = _at(day, profile.day.closes, tz)
    moments = []
    for hour, per_hour in sorted(profile.arrivals.per_hour.items()):
        rate = per_hour * scale / 3600.0
        if rate <= 0:
            continue
        start = max(_at(day, time(hour), tz), opens)
        end = min(_at(day, time(hour), tz) + timedelta(hours=1), closes)
        moment = start
        while True:
            moment += timedelta(seconds=rng.expovariate(rate))
            if moment >= end:
                break
            moments.append(moment)
    return moments


def _applicant(
    rng: random.Random,
    profile: Profile,
    index: int,
    arrives: datetime,
    *,
    codes: list[str],
    cumulative: list[float],
) -> Applicant:
    category = rng.choices(codes, cum_weights=cumulative)[0]
    load = profile.categories[category]
    matter = _matter(rng, load) if load.matters else None
    median, sigma = (
        (load.matters[matter].median_minutes, load.matters[matter].sigma)
        if matter is not None
        else (load.median_minutes, load.sigma)
    )
    people = profile.applicants
    priority = rng.choice(PRIORITY_REASONS) if rng.random() < people.priority_share else None
    no_show = rng.random() < people.no_show_share
    returns = None
    if no_show and rng.random() < people.return_share:
        returns = 60.0 * rng.uniform(*people.return_after_minutes)
    transfer_to = None
    transfer_service = 0.0
    target = people.transfer_to
    if target is not None and category != target and rng.random() < people.transfer_share:
        transfer_to = target
        onward = profile.categories.get(target, load)
        transfer_service = _lognormal(rng, onward.median_minutes, onward.sigma)
    return Applicant(
        index=index,
        arrives=arrives,
        category=category,
        priority=priority,
        walk_seconds=rng.uniform(*people.walk_seconds),
        service_seconds=_lognormal(rng, median, sigma),
        no_show=no_show,
        returns_after_seconds=returns,
        transfer_to=transfer_to,
        transfer_service_seconds=transfer_service,
        matter=matter,
    )


def _matter(rng: random.Random, load: CategoryLoad) -> str | None:
    """One of the category's matters by its share, or None (no matter chosen). Drawn only for
    categories with matters, so profiles without any keep their days exactly."""
    draw = rng.random()
    for code, matter in load.matters.items():
        if draw < matter.share:
            return code
        draw -= matter.share
    return None


def service_draw(rng: random.Random, profile: Profile, category: str, matter: str | None) -> float:
    """A fresh time at the window for a ticket of `category` (and `matter`), seconds."""
    load = profile.categories[category]
    if matter is not None and matter in load.matters:
        return _lognormal(rng, load.matters[matter].median_minutes, load.matters[matter].sigma)
    return _lognormal(rng, load.median_minutes, load.sigma)


def _absences(
    rng: random.Random, profile: Profile, tz: ZoneInfo, windows: Sequence[int], day: date
) -> list[Absence]:
    lunch_start = _at(day, profile.day.lunch_start, tz)
    lunch_end = _at(day, profile.day.lunch_end, tz)
    middle = lunch_start + (lunch_end - lunch_start) / 2
    absences = []
    for position, window in enumerate(windows):
        if lunch_end > lunch_start:
            first = position % 2 == 0
            start, end = (lunch_start, middle) if first else (middle, lunch_end)
            absences.append(Absence(window, start, end, closed=True))
        for period in (profile.breaks.morning, profile.breaks.afternoon):
            if rng.random() >= profile.breaks.chance:
                continue
            begin, finish = _at(day, period[0], tz), _at(day, period[1], tz)
            start = begin + (finish - begin) * rng.random()
            minutes = rng.uniform(*profile.breaks.minutes)
            absences.append(
                Absence(window, start, start + timedelta(minutes=minutes), closed=False)
            )
    return sorted(absences, key=lambda a: (a.start, a.window))


def plan_day(
    *,
    profile: Profile,
    tz: ZoneInfo,
    windows: Sequence[int],
    day: date,
    seed: int,
    arrival_scale: float = 1.0,
) -> DayPlan:
    """The day `day`, drawn from `seed` alone: the same seed gives the same day."""
    rng = random.Random(f"{seed}:{day.isoformat()}")
    arrivals = _arrival_times(rng, profile, tz, day, arrival_scale)
    codes = list(profile.categories)
    cumulative = list(itertools.accumulate(profile.categories[code].share for code in codes))
    applicants = [
        _applicant(rng, profile, i, moment, codes=codes, cumulative=cumulative)
        for i, moment in enumerate(arrivals)
    ]
    return DayPlan(
        day=day,
        opens=_at(day, profile.day.opens, tz),
        closes=_at(day, profile.day.closes, tz),
        applicants=applicants,
        absences=_absences(rng, profile, tz, windows, day),
    )
