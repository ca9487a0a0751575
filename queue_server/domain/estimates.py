"""Wait estimates (ETA) from the live state of the hall.

`estimate_wait` is the one estimator behind every ETA the hall shows. It replays the hall
forward in expected time: every open window frees up after the expected rest of its current
ticket (a paused one after the rest of a typical break), then takes the tickets ahead in the
order its dispatch policy gives (`DispatchPolicy.next_category`, the very rule dispatch calls,
`also_serves` overflow included), each taking the typical time of its matter — or of its
category when no matter was chosen or the matter has too little history — times the clerk's
speed at that window, until a window reaches the ticket in question. The spread of that sum
gives a P10–P90 range.

`naive_wait_seconds` is the textbook formula (people ahead × mean service ÷ open windows),
kept as the yardstick the service-quality benchmark scores the estimator against.
"""

import heapq
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from queue_server.domain.dispatch import (
    NO_OVERFLOW,
    POLICIES,
    OverflowRule,
    QueueSummary,
    WindowView,
)
from queue_server.domain.enums import WindowStatus

DEFAULT_LOG_SIGMA = 0.5
"""Spread of log service times assumed until a category has enough samples."""
MIN_SAMPLES = 3
PRIOR_WEIGHT = 3.0
"""The configured service time counts as this many samples, so a few odd cases at the start
of the day do not swing the estimate."""
MIN_LOG_SIGMA, MAX_LOG_SIGMA = 0.1, 1.5
MAD_TO_SIGMA = 1.4826
PAUSE_SECONDS = 15 * 60.0
"""Typical length of a pause (a clerk's break), for windows paused now."""
RELATIVE_NOISE = 0.4
"""What the replay does not see (priority jumps, later arrivals at specialist windows,
returning no-shows, breaks to come), as a share of the estimate."""
ABSOLUTE_NOISE_SECONDS = 45.0
"""The clerk's reaction and the walk to the window, even when the hall is empty."""
MIN_CLERK_SAMPLES = 10
"""A clerk's speed counts once they have finished this many tickets with a known typical time."""
CLERK_PRIOR_WEIGHT = 10.0
"""The hall's typical speed counts as this many of the clerk's tickets."""
MIN_SPEED, MAX_SPEED = 0.5, 2.0
MAX_STEPS = 2000
"""Calls replayed before extrapolating; a queue that long is hours anyway."""
Z90 = 1.2815515655446004


@dataclass(frozen=True, slots=True)
class ServiceTime:
    """How long one ticket of a category holds a window: mean and log-normal spread."""

    mean_seconds: float
    log_sigma: float = DEFAULT_LOG_SIGMA

    @property
    def variance(self) -> float:
        return self.mean_seconds**2 * math.expm1(self.log_sigma**2)

    def remaining(self, elapsed: float) -> tuple[float, float]:
        """Expected rest (and its variance) of a ticket already `elapsed` seconds at a window."""
        if elapsed <= 0:
            return self.mean_seconds, self.variance
        sigma = self.log_sigma
        mu = math.log(self.mean_seconds) - sigma**2 / 2
        z = (math.log(elapsed) - mu) / sigma
        normal = statistics.NormalDist()
        survival = 1.0 - normal.cdf(z)
        if survival < 1e-9:
            rest = self.mean_seconds * 0.1
        else:
            tail = self.mean_seconds * normal.cdf(sigma - z)
            rest = max(tail / survival - elapsed, self.mean_seconds * 0.1)
        return rest, self.variance * (rest / self.mean_seconds) ** 2


def service_time(*, recent: Sequence[float], default_seconds: float) -> ServiceTime:
    """A category's typical time at a window from recent samples, robust to outliers.

    The log-normal fit uses the median and the median absolute deviation of the logs, so an
    hour-long case moves it no more than any other long one; the configured time weighs in
    as a few extra samples at the median.
    """
    samples = [s for s in recent if s > 0]
    if len(samples) < MIN_SAMPLES:
        return ServiceTime(default_seconds, DEFAULT_LOG_SIGMA)
    logs = [math.log(s) for s in samples]
    centre = statistics.median(logs)
    mad = statistics.median(abs(value - centre) for value in logs)
    sigma = min(max(MAD_TO_SIGMA * mad, MIN_LOG_SIGMA), MAX_LOG_SIGMA)
    prior = math.log(default_seconds) - DEFAULT_LOG_SIGMA**2 / 2
    weight = len(samples)
    mu = (weight * centre + PRIOR_WEIGHT * prior) / (weight + PRIOR_WEIGHT)
    return ServiceTime(math.exp(mu + sigma**2 / 2), sigma)


def matter_service_time(*, recent: Sequence[float], category: ServiceTime) -> ServiceTime:
    """A matter's typical time at a window: learned from its own recent tickets, with the
    category's typical time as the prior (and the answer until it has `MIN_SAMPLES`)."""
    samples = [s for s in recent if s > 0]
    if len(samples) < MIN_SAMPLES:
        return category
    return service_time(recent=samples, default_seconds=category.mean_seconds)


def clerk_speed(*, ratios: Sequence[float]) -> float:
    """How long a clerk takes compared with the hall: 1.0 is typical, 1.3 is 30 % slower.

    `ratios` are the clerk's recent tickets' times at the window over the typical time of
    their matter (or category). Below `MIN_CLERK_SAMPLES` the clerk counts as typical; then
    the median log ratio, pulled towards 1 as if the hall's speed were `CLERK_PRIOR_WEIGHT`
    more tickets, and kept within 0.5–2.
    """
    logs = [math.log(r) for r in ratios if r > 0]
    if len(logs) < MIN_CLERK_SAMPLES:
        return 1.0
    weight = len(logs)
    shrunk = weight * statistics.median(logs) / (weight + CLERK_PRIOR_WEIGHT)
    return min(max(math.exp(shrunk), MIN_SPEED), MAX_SPEED)


def naive_wait_seconds(
    *, ahead: int, open_windows: int, mean_service_seconds: float
) -> float | None:
    """People ahead × mean service time ÷ open windows: the yardstick, not used in the hall."""
    if ahead < 0:
        raise ValueError("ahead must be zero or more")
    if open_windows <= 0:
        return None
    return ahead * mean_service_seconds / open_windows


@dataclass(frozen=True, slots=True)
class QueueAhead:
    """The waiting tickets of one category that are ahead of the ticket in question."""

    count: int
    oldest: datetime | None = None
    """Queue key of the first of them; the others are taken as spread evenly up to the
    ticket's own key."""
    matters: tuple[str | None, ...] = ()
    """The matters they chose, first in the queue first (None: no matter chosen); shorter
    than `count` when not known, the rest counting at the category's typical time."""


@dataclass(frozen=True, slots=True)
class WindowLoad:
    """A window as the estimator sees it."""

    number: int
    categories: tuple[str, ...]
    policy: str = "longest_wait"
    status: WindowStatus = WindowStatus.OPEN
    busy_category: str | None = None
    """Category of the ticket at the window now (called or serving), if any."""
    busy_since: datetime | None = None
    paused_since: datetime | None = None
    also_serves: tuple[str, ...] = ()
    """Categories it helps with as overflow (domain/dispatch.py)."""
    busy_matter: str | None = None
    """Matter of the ticket at the window now, if one was chosen."""
    speed: float = 1.0
    """The clerk's speed (`clerk_speed`): every service here takes this times the typical."""


@dataclass(frozen=True, slots=True)
class WaitEstimate:
    """Expected wait until the call, with the P10–P90 range, in seconds."""

    seconds: float
    low_seconds: float
    high_seconds: float

    @property
    def minutes(self) -> int:
        return math.ceil(self.seconds / 60 - 1e-9)

    @property
    def low_minutes(self) -> int:
        return math.floor(self.low_seconds / 60 + 1e-9)

    @property
    def high_minutes(self) -> int:
        return max(math.ceil(self.high_seconds / 60 - 1e-9), self.minutes)


def _range(mean: float, variance: float) -> WaitEstimate:
    """The mean, and P10 and P90 of a log-normal with this mean and variance: a wait cannot
    be negative and runs long more often than short."""
    if mean <= 0:
        return WaitEstimate(0.0, 0.0, Z90 * math.sqrt(variance))
    sigma = math.sqrt(math.log1p(variance / mean**2))
    mu = math.log(mean) - sigma**2 / 2
    return WaitEstimate(mean, math.exp(mu - Z90 * sigma), math.exp(mu + Z90 * sigma))


@dataclass(slots=True)
class _Queue:
    remaining: int
    oldest: float
    step: float
    matters: tuple[str | None, ...] = ()
    served: int = 0

    @property
    def next_matter(self) -> str | None:
        return self.matters[self.served] if self.served < len(self.matters) else None

    @property
    def front(self) -> float:
        return self.oldest + self.served * self.step


def _queues(queues: Mapping[str, QueueAhead], *, subject_key: datetime) -> dict[str, _Queue]:
    result = {}
    for code, queue in queues.items():
        if queue.count <= 0:
            continue
        oldest = queue.oldest or subject_key
        span = max((subject_key - oldest).total_seconds(), 0.0)
        result[code] = _Queue(
            remaining=queue.count,
            oldest=(oldest - subject_key).total_seconds(),
            step=span / queue.count,
            matters=queue.matters,
        )
    return result


def _pick(
    window: WindowLoad,
    category: str,
    queues: Mapping[str, _Queue],
    *,
    subject_key: datetime,
    at: datetime,
    overflow: Mapping[str, OverflowRule],
) -> str | None:
    """The category the window calls next by its policy's own order, `category` itself when
    it reaches the ticket in question (which is behind everything counted ahead), or None
    when it has nothing to do."""
    summaries = {}
    for code in (*window.categories, *window.also_serves):
        queue = queues.get(code)
        remaining = queue.remaining if queue is not None else 0
        if code == category:
            front = queue.front if queue is not None and remaining > 0 else 0.0
            summaries[code] = QueueSummary(_front(subject_key, front), remaining + 1)
        elif queue is not None and remaining > 0:
            summaries[code] = QueueSummary(_front(subject_key, queue.front), remaining)
    if not summaries:
        return None
    view = WindowView(window.number, window.categories, also_serves=window.also_serves)
    picked = POLICIES[window.policy].next_category(
        window=view, queues=summaries, now=at, overflow=overflow
    )
    return None if picked is None else picked[0]


def _front(subject_key: datetime, offset: float) -> tuple[datetime, int]:
    return subject_key + timedelta(seconds=offset), 0


class _Services:
    """Typical times by category and matter, scaled by each window's clerk."""

    def __init__(
        self,
        categories: Mapping[str, ServiceTime],
        matters: Mapping[tuple[str, str], ServiceTime],
    ) -> None:
        self.categories = categories
        self.matters = matters

    def of(self, category: str, matter: str | None, speed: float) -> ServiceTime | None:
        typical = self.matters.get((category, matter)) if matter is not None else None
        typical = typical or self.categories.get(category)
        if typical is None or speed == 1.0:
            return typical
        return ServiceTime(typical.mean_seconds * speed, typical.log_sigma)


def _start(
    window: WindowLoad,
    services: _Services,
    *,
    now: datetime,
    pause_seconds: float,
) -> tuple[float, float]:
    """When (seconds from now) the window is next free to call, and the variance of that."""
    if window.status is WindowStatus.PAUSED:
        elapsed = (now - window.paused_since).total_seconds() if window.paused_since else 0.0
        rest = max(pause_seconds - elapsed, pause_seconds / 4)
        return rest, (rest / 2) ** 2
    if window.busy_category is None:
        return 0.0, 0.0
    typical = services.of(window.busy_category, window.busy_matter, window.speed)
    if typical is None:
        return 0.0, 0.0
    elapsed = (now - window.busy_since).total_seconds() if window.busy_since else 0.0
    return typical.remaining(elapsed)


NO_MATTERS: Mapping[tuple[str, str], ServiceTime] = MappingProxyType({})


def estimate_wait(
    *,
    category: str,
    queues: Mapping[str, QueueAhead],
    windows: Sequence[WindowLoad],
    service: Mapping[str, ServiceTime],
    now: datetime,
    subject_key: datetime | None = None,
    pause_seconds: float = PAUSE_SECONDS,
    matter_service: Mapping[tuple[str, str], ServiceTime] = NO_MATTERS,
    overflow: Mapping[str, OverflowRule] = NO_OVERFLOW,
) -> WaitEstimate | None:
    """Expected wait of a ticket in `category` until a window calls it, with a P10–P90 range.

    `queues` holds, per category, the waiting tickets ahead of it (for a newcomer: every
    waiting ticket); `subject_key` is its queue key (now, for a newcomer). `service` gives
    each category's typical time, `matter_service` each (category, matter)'s where learned;
    `overflow` the rules under which windows that `also_serve` a category help with it.
    Windows that are closed do not count; paused ones come back after the rest of a typical
    pause. None when no open or paused window serves the category, since then nobody can say.

    Overflow is approximate: the replay sees no later arrivals, so a window's own queue
    empties sooner in it than in the hall and the window starts helping earlier.
    """
    active = [w for w in windows if w.status is not WindowStatus.CLOSED]
    serving = [w for w in active if category in w.categories]
    if not serving and not any(category in w.also_serves for w in active):
        return None
    key = subject_key or now
    services = _Services(service, matter_service)
    state = _queues(queues, subject_key=key)
    heap: list[tuple[float, int, float]] = []
    for index, window in enumerate(active):
        free_at, variance = _start(window, services, now=now, pause_seconds=pause_seconds)
        heap.append((free_at, index, variance))
    heapq.heapify(heap)
    pool = max(len(serving), 1)
    steps = 0
    while heap:
        free_at, index, variance = heapq.heappop(heap)
        window = active[index]
        at = now + timedelta(seconds=free_at)
        code = _pick(window, category, state, subject_key=key, at=at, overflow=overflow)
        if code is None:
            continue
        if code == category and (category not in state or state[category].remaining == 0):
            return _widen(free_at, variance, pool=pool)
        queue = state[code]
        typical = services.of(code, queue.next_matter, window.speed)
        queue.remaining -= 1
        queue.served += 1
        assert typical is not None, f"no service time for {code}"
        heapq.heappush(heap, (free_at + typical.mean_seconds, index, variance + typical.variance))
        steps += 1
        if steps >= MAX_STEPS:
            return _extrapolate(free_at, variance, state, category, pool, service)
    return None


def _widen(mean: float, variance: float, *, pool: int) -> WaitEstimate:
    """Several windows share the work ahead, so the sum's spread shrinks with their number;
    then add what the replay cannot see."""
    total = variance / max(pool, 1) + (RELATIVE_NOISE * mean) ** 2 + ABSOLUTE_NOISE_SECONDS**2
    return _range(mean, total)


def _extrapolate(
    elapsed: float,
    variance: float,
    state: Mapping[str, _Queue],
    category: str,
    pool: int,
    service: Mapping[str, ServiceTime],
) -> WaitEstimate:
    queue = state.get(category)
    remaining = queue.remaining if queue else 0
    served = queue.served if queue else 0
    if served > 0 and elapsed > 0:
        rest = remaining * elapsed / served
    else:
        rest = remaining * service[category].mean_seconds / pool
    return _widen(elapsed + rest, variance, pool=pool)
