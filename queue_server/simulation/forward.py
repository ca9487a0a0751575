"""潮汐 suggestions: the live hall played forward in expected time, with and without a move.

`expected_mean_wait` plays a `LiveHall` snapshot forward: windows free up after the expected
rest of their current ticket (a paused one after the rest of a typical break; closed ones stay
closed), newcomers arrive evenly at each category's recent rate until the horizon, every ticket
holds a window for its category's typical time, and windows call with the real dispatch
policies (overflow included; a switched window as `switched(...)` sees it). After the horizon
nobody new arrives and the hall plays on until everyone counted is called, so those still
waiting at the horizon count their wait so far plus what is left. The play is deterministic, so
the same snapshot always gets the same answer.

`suggest_tidal` scores every possible move this way and proposes the best one when it is worth
it: at least a minute of mean wait and a real share of it.
"""

import heapq
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from queue_server.domain.dispatch import (
    POLICIES,
    Candidate,
    DispatchPolicy,
    OverflowRule,
    WindowView,
)
from queue_server.domain.enums import WindowStatus
from queue_server.domain.estimates import PAUSE_SECONDS, WindowLoad
from queue_server.domain.tidal import (
    SWITCH_POLICY,
    LiveHall,
    Suggestion,
    TidalMove,
    TidalSwitch,
    switched,
)

HORIZON = timedelta(minutes=60)
"""How long newcomers are expected to arrive in the play."""
DURATIONS = (30, 60)
"""The lengths of switch proposed, in minutes."""
MIN_GAIN_SECONDS = 60.0
"""A move is proposed only if it saves at least this much mean wait ..."""
MIN_GAIN_SHARE = 0.1
"""... and at least this share of the mean wait without it."""
DEFAULT_OVERFLOW_WAITING = 10
FALLBACK_SERVICE_SECONDS = 600.0
"""A category's service time when the snapshot has none (it should always have one)."""


@dataclass(slots=True)
class _Window:
    load: WindowLoad
    switch: TidalSwitch | None
    idle: bool = False


def _arrivals(hall: LiveHall, horizon: timedelta) -> Iterator[tuple[datetime, str]]:
    """Newcomers evenly spaced at each category's rate, the first half a gap after now."""
    span = horizon.total_seconds()
    for code, rate in sorted(hall.arrivals_per_hour.items()):
        if rate <= 0:
            continue
        gap = 3600.0 / rate
        offset = gap / 2
        while offset < span:
            yield hall.now + timedelta(seconds=offset), code
            offset += gap


def _first_free(load: WindowLoad, hall: LiveHall) -> datetime | None:
    """When the window can next call: None for a closed one."""
    if load.status is WindowStatus.CLOSED:
        return None
    if load.status is WindowStatus.PAUSED:
        elapsed = (hall.now - load.paused_since).total_seconds() if load.paused_since else 0.0
        return hall.now + timedelta(seconds=max(PAUSE_SECONDS - elapsed, PAUSE_SECONDS / 4))
    if load.busy_category is None:
        return hall.now
    typical = hall.service.get(load.busy_category)
    if typical is None:
        return hall.now
    elapsed = (hall.now - load.busy_since).total_seconds() if load.busy_since else 0.0
    rest, _ = typical.remaining(elapsed)
    return hall.now + timedelta(seconds=rest)


class _Play:
    """One forward play of a snapshot; mutable, private to `expected_mean_wait`."""

    def __init__(self, hall: LiveHall, switches: Sequence[TidalSwitch]) -> None:
        self.hall = hall
        by_window = {s.window: s for s in switches}
        self.windows = [_Window(load, by_window.get(load.number)) for load in hall.windows]
        self.waiting: dict[str, dict[int, Candidate]] = {}
        self.ids = itertools.count(1)
        self.order = itertools.count()
        self.events: list[tuple[datetime, int, int, str]] = []
        """(when, order, window index or -1 for an arrival, arriving category)."""
        self.overflow = {
            code: OverflowRule(target, hall.overflow_waiting.get(code, DEFAULT_OVERFLOW_WAITING))
            for code, target in hall.target_wait.items()
        }
        self.total_wait = 0.0
        self.counted = 0

    def run(self, horizon: timedelta) -> float:
        for code, keys in self.hall.waiting.items():
            for key in keys:
                self.add(code, key)
        for when, code in _arrivals(self.hall, horizon):
            heapq.heappush(self.events, (when, next(self.order), -1, code))
        for index, window in enumerate(self.windows):
            free = _first_free(window.load, self.hall)
            if free is not None:
                heapq.heappush(self.events, (free, next(self.order), index, ""))
        now = self.hall.now
        while self.events:
            now, _, index, code = heapq.heappop(self.events)
            if index < 0:
                self.add(code, now)
                for other, window in enumerate(self.windows):
                    if window.idle and code in self.serves(window, now):
                        self.call(other, now)
            else:
                self.call(index, now)
        end = max(now, self.hall.now + horizon)
        for queue in self.waiting.values():
            for candidate in queue.values():
                self.count(candidate, end)
        return self.total_wait / self.counted if self.counted else 0.0

    def add(self, code: str, key: datetime) -> None:
        ticket_id = next(self.ids)
        self.waiting.setdefault(code, {})[ticket_id] = Candidate(ticket_id, code, key)

    def count(self, candidate: Candidate, called_at: datetime) -> None:
        self.total_wait += max((called_at - candidate.queue_key).total_seconds(), 0.0)
        self.counted += 1

    def view(self, window: _Window, now: datetime) -> tuple[WindowView, DispatchPolicy]:
        load = window.load
        view = WindowView(load.number, load.categories, also_serves=load.also_serves)
        if window.switch is not None and window.switch.active(now):
            return switched(view, window.switch.category), POLICIES[SWITCH_POLICY]
        return view, POLICIES.get(load.policy, POLICIES[SWITCH_POLICY])

    def serves(self, window: _Window, now: datetime) -> tuple[str, ...]:
        view, _ = self.view(window, now)
        return (*view.categories, *view.also_serves)

    def call(self, index: int, now: datetime) -> None:
        window = self.windows[index]
        view, policy = self.view(window, now)
        candidates = [
            candidate
            for code in (*view.categories, *view.also_serves)
            for candidate in self.waiting.get(code, {}).values()
        ]
        choice = (
            policy.choose(
                window=view,
                waiting=candidates,
                priority_ratio={},
                now=now,
                overflow=self.overflow,
            )
            if candidates
            else None
        )
        if choice is None:
            window.idle = True
            return
        window.idle = False
        chosen = next(c for c in candidates if c.ticket_id == choice.ticket_id)
        del self.waiting[chosen.category][chosen.ticket_id]
        self.count(chosen, now)
        typical = self.hall.service.get(chosen.category)
        seconds = typical.mean_seconds if typical is not None else FALLBACK_SERVICE_SECONDS
        heapq.heappush(self.events, (now + timedelta(seconds=seconds), next(self.order), index, ""))


def expected_mean_wait(
    hall: LiveHall, *, move: TidalMove | None = None, horizon: timedelta = HORIZON
) -> float:
    """Expected mean wait (seconds) of everyone waiting now or arriving within `horizon`, with
    the switches in force and, if given, `move` made now."""
    switches = [s for s in hall.switches if s.active(hall.now)]
    if move is not None:
        switches = [s for s in switches if s.window != move.window]
        switches.append(
            TidalSwitch(move.window, move.category, hall.now + timedelta(minutes=move.minutes))
        )
    return _Play(hall, switches).run(horizon)


def candidate_moves(
    hall: LiveHall, *, durations: Sequence[int] = DURATIONS, category: str | None = None
) -> list[TidalMove]:
    """Every open window not switched now, to each category it `also_serves` (only `category`
    if given) that has someone waiting or coming, for each duration."""
    switched_now = {s.window for s in hall.switches if s.active(hall.now)}
    busy = {code for code, keys in hall.waiting.items() if keys} | {
        code for code, rate in hall.arrivals_per_hour.items() if rate > 0
    }
    return [
        TidalMove(window.number, code, minutes)
        for window in hall.windows
        if window.status is WindowStatus.OPEN and window.number not in switched_now
        for code in window.also_serves
        if code in busy and code not in window.categories and category in (None, code)
        for minutes in durations
    ]


def suggest_tidal(
    hall: LiveHall,
    *,
    category: str | None = None,
    durations: Sequence[int] = DURATIONS,
    horizon: timedelta = HORIZON,
    min_gain_seconds: float = MIN_GAIN_SECONDS,
    min_gain_share: float = MIN_GAIN_SHARE,
) -> Suggestion | None:
    """The move that most shortens the hall's expected mean wait, if it is worth making;
    with `category`, only moves to that category are considered."""
    moves = candidate_moves(hall, durations=durations, category=category)
    if not moves:
        return None
    without = expected_mean_wait(hall, horizon=horizon)
    scored: Mapping[TidalMove, float] = {
        move: expected_mean_wait(hall, move=move, horizon=horizon) for move in moves
    }
    best = min(moves, key=lambda m: (scored[m] - without, m.minutes, m.window, m.category))
    suggestion = Suggestion(best, without, scored[best])
    if suggestion.gain_seconds < max(min_gain_seconds, min_gain_share * without):
        return None
    return suggestion
