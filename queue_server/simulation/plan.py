"""A seeded day: who arrives when, wanting what, and how each visit goes; clerks' shifts.

Everything random about a day is drawn here, before it runs, so every dispatch policy and
every way of running (virtual or live) meets exactly the same applicants.
"""

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
    conduct = _conduct(rng, profile, category)
    return Applicant(
        index=index,
        arrives=arrives,
        category=category,
        priority=priority,
        walk_seconds=conduct.walk_seconds,
        service_seconds=_lognormal(rng, median, sigma),
        no_show=conduct.no_show,
        returns_after_seconds=conduct.returns_after_seconds,
        transfer_to=conduct.transfer_to,
        transfer_service_seconds=conduct.transfer_service_seconds,
        matter=matter,
    )


@dataclass(frozen=True, slots=True)
class Conduct:
    """How an applicant's visit goes beyond their service time: whether they answer the
    call, come back after a no-show, are sent on, and how long they walk to the window."""

    no_show: bool
    returns_after_seconds: float | None
    transfer_to: str | None
    transfer_service_seconds: float
    walk_seconds: float


def _conduct(rng: random.Random, profile: Profile, category: str) -> Conduct:
    people = profile.applicants
    no_show = rng.random() < people.no_show_share
    returns = None
    if no_show and rng.random() < people.return_share:
        returns = 60.0 * rng.uniform(*people.return_after_minutes)
    transfer_to = None
    transfer_service = 0.0
    target = people.transfer_to
    if target is not None and category != target and rng.random() < people.transfer_share:
        transfer_to = target
        onward = profile.categories.get(target, profile.categories[category])
        transfer_service = _lognormal(rng, onward.median_minutes, onward.sigma)
    walk = rng.uniform(*people.walk_seconds)
    return Conduct(no_show, returns, transfer_to, transfer_service, walk)


def conduct_draw(rng: random.Random, profile: Profile, applicant: Applicant) -> Applicant:
    """`applicant` with a fresh `Conduct` (no-show, return, transfer, walk) from the profile:
    what a queue's state cannot know about someone who waits (the oracle's replays)."""
    conduct = _conduct(rng, profile, applicant.category)
    return replace(
        applicant,
        no_show=conduct.no_show,
        returns_after_seconds=conduct.returns_after_seconds,
        transfer_to=conduct.transfer_to,
        transfer_service_seconds=conduct.transfer_service_seconds,
        walk_seconds=conduct.walk_seconds,
    )


def applicant_draw(
    rng: random.Random, profile: Profile, index: int, arrives: datetime
) -> Applicant:
    """A fresh applicant arriving at `arrives`: category, matter, priority and conduct drawn
    from the profile as `plan_day` draws them."""
    codes = list(profile.categories)
    cumulative = list(itertools.accumulate(profile.categories[code].share for code in codes))
    return _applicant(rng, profile, index, arrives, codes=codes, cumulative=cumulative)


def next_arrival(
    rng: random.Random, profile: Profile, after: datetime, *, scale: float = 1.0
) -> datetime | None:
    """The first arrival after `after` of the day's Poisson process (the hourly rates of the
    profile within opening hours, in `after`'s time zone), or None when nobody else comes.
    The process has no memory, so drawing arrivals one at a time from any moment is drawing
    the rest of the day afresh."""
    day, tz = after.date(), after.tzinfo
    assert isinstance(tz, ZoneInfo)
    moment = max(after, _at(day, profile.day.opens, tz))
    closes = _at(day, profile.day.closes, tz)
    while moment < closes:
        end = min(_at(day, time(moment.hour), tz) + timedelta(hours=1), closes)
        rate = profile.arrivals.per_hour.get(moment.hour, 0.0) * scale / 3600.0
        if rate > 0:
            candidate = moment + timedelta(seconds=rng.expovariate(rate))
            if candidate < end:
                return candidate
        moment = end
    return None


def breaks_to_come(
    rng: random.Random, profile: Profile, window: int, now: datetime, begun: Sequence[Absence]
) -> list[Absence]:
    """The window's breaks after `now`, drawn afresh given what `now` shows: in each break
    period in which none of its breaks `begun` by now started, a break with the chance that
    is left (the profile's chance, less the part of the period already gone by without
    one), starting uniformly in what is left of the period."""
    day, tz = now.date(), now.tzinfo
    assert isinstance(tz, ZoneInfo)
    breaks = profile.breaks
    drawn = []
    for period in (breaks.morning, breaks.afternoon):
        begin, finish = _at(day, period[0], tz), _at(day, period[1], tz)
        if now >= finish or any(begin <= a.start <= finish for a in begun):
            continue
        gone = (now - begin) / (finish - begin) if now > begin else 0.0
        if rng.random() >= breaks.chance * (1 - gone) / (1 - breaks.chance * gone):
            continue
        start = max(now, begin) + (finish - max(now, begin)) * rng.random()
        minutes = rng.uniform(*breaks.minutes)
        drawn.append(Absence(window, start, start + timedelta(minutes=minutes), closed=False))
    return drawn


def break_end_draw(
    rng: random.Random, profile: Profile, absence: Absence, now: datetime
) -> Absence:
    """A break under way at `now` with a fresh length from the profile, longer than it has
    lasted so far."""
    low, high = profile.breaks.minutes
    lasted = (now - absence.start).total_seconds() / 60
    minutes = rng.uniform(max(low, min(lasted, high)), high)
    return replace(absence, end=absence.start + timedelta(minutes=minutes))


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
