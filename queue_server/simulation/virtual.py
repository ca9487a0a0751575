"""Virtual time: the pure domain core (numbering, dispatch, queueing, estimates) driven by a
virtual clock through planned days, fast enough for thousands of days a minute.

`run_day` plays one `DayPlan` under one dispatch policy and returns every applicant's wait
(and, when asked, what the estimators had told them at the kiosk). `simulate` runs many days
and every policy on the same days and summarises them.
"""

import copy
import heapq
import itertools
import random
import statistics
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import Enum

from queue_server.config import HallConfig
from queue_server.domain.clock import ManualClock
from queue_server.domain.dispatch import (
    POLICIES,
    Candidate,
    DispatchPolicy,
    OverflowRule,
    WindowView,
    next_priority_streak,
)
from queue_server.domain.enums import TicketAction, TicketStatus, WindowStatus
from queue_server.domain.estimates import (
    QueueAhead,
    WaitEstimate,
    WindowLoad,
    estimate_wait,
    matter_service_time,
    naive_wait_seconds,
    service_time,
)
from queue_server.domain.numbering import format_number
from queue_server.domain.queueing import next_queue_key, requeue_key
from queue_server.domain.states import transition
from queue_server.domain.tidal import SWITCH_POLICY, LiveHall, TidalSwitch, switched
from queue_server.simulation.forward import suggest_tidal
from queue_server.simulation.plan import (
    Absence,
    Applicant,
    DayPlan,
    applicant_draw,
    break_end_draw,
    breaks_to_come,
    conduct_draw,
    next_arrival,
    plan_day,
    service_draw,
)
from queue_server.simulation.profile import Profile

CONFIGURED = "configured"
"""Every window keeps the policy the hall configuration gives it."""
FIFO = "fifo"
"""No shared queue: each applicant joins the shortest line at a window serving their
category and stays in it — the hall before a queue system."""
NO_OVERFLOW = "no_overflow"
"""The configured policies with no window helping another category (`also_serves` left out):
the hall before 跨窗通办."""
OVERFLOW = "overflow"
"""The configured policies and `also_serves` (跨窗通办), with no 潮汐 switch."""
TIDAL = "tidal"
"""Overflow, and every few minutes the 潮汐 suggestion (simulation/forward.py) applied for
its length, as a manager taking every suggestion would."""
POLICY_CHOICES = (CONFIGURED, *sorted(POLICIES), NO_OVERFLOW, OVERFLOW, TIDAL, FIFO)
RECENT_SAMPLES = 20
ADVISE_EVERY = timedelta(minutes=5)
"""How often the tidal mode asks for a suggestion."""
ORACLE_REPLAYS = 15
"""Replays of each prediction moment the oracle takes the median of."""
ORACLE_EVERY = 6
"""The oracle replays every this-many-th applicant's moment (by arrival), to stay fast."""


@dataclass(frozen=True, slots=True)
class Oracle:
    """How the oracle replays prediction moments (see `_Day.oracle_wait`)."""

    profile: Profile
    replays: int = ORACLE_REPLAYS
    every: int = ORACLE_EVERY
    seed: int = 0


class _Kind(Enum):
    ARRIVE = 0
    FREE = 1
    RETURN = 2
    AWAY = 3
    BACK = 4
    ADVISE = 5
    FRESH = 6
    """In an oracle's replay: an applicant drawn afresh arrives (the next is drawn then)."""


@dataclass(slots=True)
class _Ticket:
    id: int
    number: str
    category: str
    applicant: Applicant
    issued_at: datetime
    queue_key: datetime
    hop: int = 0
    status: TicketStatus = TicketStatus.WAITING
    called_at: datetime | None = None
    first_called_at: datetime | None = None
    returned: bool = False
    candidate: Candidate | None = None
    """How dispatch sees it while it waits; made once per stint in the queue."""

    def was_called(self) -> bool:
        return self.first_called_at is not None


@dataclass(slots=True)
class _Window:
    number: int
    categories: tuple[str, ...]
    policy: str
    also_serves: tuple[str, ...] = ()
    status: WindowStatus = WindowStatus.OPEN
    current: _Ticket | None = None
    busy_since: datetime | None = None
    paused_since: datetime | None = None
    streak: int = 0
    away: Absence | None = None
    line: deque[_Ticket] = field(default_factory=deque)
    switch: TidalSwitch | None = None


@dataclass(frozen=True, slots=True)
class Visit:
    """One applicant's first wait, and what the kiosk could have told them."""

    category: str
    priority: bool
    issued_at: datetime
    wait_seconds: float
    target_seconds: float
    estimate: WaitEstimate | None = None
    naive_seconds: float | None = None
    oracle_seconds: float | None = None
    """The median wait of replays of this moment with fresh service times, where replayed."""


@dataclass(frozen=True, slots=True)
class DayResult:
    day: date
    policy: str
    visits: list[Visit]
    final_statuses: dict[str, int]
    """Count of tickets (every hop) by final status."""


class _Day:
    """One day being played; mutable, private to `run_day`."""

    def __init__(
        self,
        plan: DayPlan,
        hall: HallConfig,
        policy: str,
        *,
        estimate: bool,
        patience: float,
        oracle: Oracle | None = None,
    ) -> None:
        self.plan = plan
        self.oracle = oracle
        self.oracle_waits: dict[int, float] = {}
        self.fresh: Callable[[_Ticket], float] | None = None
        """In an oracle's replay: draws a fresh service time for a ticket called."""
        self.future: _Future | None = None
        """In an oracle's replay: where later arrivals are drawn from."""
        self.recent_matters: dict[tuple[str, str], deque[float]] = {}
        self.patience = patience
        self.hall = hall
        self.fifo = policy == FIFO
        self.advise = policy == TIDAL
        keeps = (CONFIGURED, FIFO, NO_OVERFLOW, OVERFLOW, TIDAL)
        helps = policy not in (FIFO, NO_OVERFLOW)
        self.estimate = estimate
        self.clock = ManualClock(plan.opens)
        self.events: list[tuple[datetime, int, _Kind, object]] = []
        self.order = itertools.count()
        self.ids = itertools.count(1)
        self.windows = {
            w.number: _Window(
                w.number,
                tuple(w.categories),
                w.policy if policy in keeps else policy,
                tuple(w.also_serves) if helps else (),
            )
            for w in hall.windows
        }
        self.waiting: dict[str, dict[int, _Ticket]] = {c.code: {} for c in hall.categories}
        self.sequences: dict[str, int] = {c.code: 0 for c in hall.categories}
        self.latest_key: dict[str, datetime | None] = {c.code: None for c in hall.categories}
        self.recent: dict[str, deque[float]] = {
            c.code: deque(maxlen=RECENT_SAMPLES) for c in hall.categories
        }
        self.tickets: list[_Ticket] = []
        self.predictions: dict[int, tuple[WaitEstimate | None, float | None]] = {}
        self.ratio = {c.code: c.priority_ratio for c in hall.categories}
        self.overflow = {
            c.code: OverflowRule(timedelta(minutes=c.target_wait_minutes), c.overflow_waiting)
            for c in hall.categories
        }

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def at(self, when: datetime, kind: _Kind, payload: object) -> None:
        heapq.heappush(self.events, (when, next(self.order), kind, payload))

    def run(self) -> DayResult:
        for applicant in self.plan.applicants:
            self.at(applicant.arrives, _Kind.ARRIVE, applicant)
        for absence in self.plan.absences:
            self.at(absence.start, _Kind.AWAY, absence)
            self.at(absence.end, _Kind.BACK, absence)
        if self.advise:
            self.at(self.plan.opens + ADVISE_EVERY, _Kind.ADVISE, None)
        self.play(self.handlers())
        return self.result()

    def handlers(self) -> dict[_Kind, Callable[[object], None]]:
        return {
            _Kind.ARRIVE: self.arrive,  # type: ignore[dict-item]
            _Kind.FREE: self.free,  # type: ignore[dict-item]
            _Kind.RETURN: self.come_back,  # type: ignore[dict-item]
            _Kind.AWAY: self.leave,  # type: ignore[dict-item]
            _Kind.BACK: self.back,  # type: ignore[dict-item]
            _Kind.ADVISE: self.advise_tidal,
            _Kind.FRESH: self.arrive_fresh,  # type: ignore[dict-item]
        }

    def play(
        self,
        handlers: dict[_Kind, Callable[[object], None]],
        until: Callable[[], bool] | None = None,
    ) -> None:
        while self.events and (until is None or not until()):
            when, _, kind, payload = heapq.heappop(self.events)
            self.clock.set(when)
            handlers[kind](payload)

    # --- applicants -------------------------------------------------------------------

    def arrive(self, applicant: Applicant) -> None:
        code = applicant.category
        prediction = (
            self.predict(code, priority=applicant.priority is not None and self.ratio[code] > 0)
            if self.estimate
            else (None, None)
        )
        self.sequences[code] += 1
        key = next_queue_key(latest=self.latest_key[code], now=self.now)
        self.latest_key[code] = key
        prefix = self.hall.category_by_code[code].prefix
        ticket = _Ticket(
            id=next(self.ids),
            number=format_number(prefix=prefix, sequence=self.sequences[code]),
            category=code,
            applicant=applicant,
            issued_at=self.now,
            queue_key=key,
        )
        self.tickets.append(ticket)
        self.predictions[ticket.id] = prediction
        self.enqueue(ticket)
        if self.oracle is not None and applicant.index % self.oracle.every == 0:
            self.oracle_waits[ticket.id] = self.oracle_wait(ticket, self.oracle)

    def arrive_fresh(self, applicant: Applicant) -> None:
        """An applicant drawn afresh arrives (an oracle's replay); the next one is drawn."""
        self.arrive(applicant)
        future = self.future
        assert future is not None
        future.schedule(self)

    def enqueue(self, ticket: _Ticket) -> None:
        if self.fifo:
            line = self.shortest_line(ticket.category)
            line.line.append(ticket)
            self.try_call(line)
            return
        ticket.candidate = Candidate(
            ticket_id=ticket.id,
            category=ticket.category,
            queue_key=ticket.queue_key,
            priority=ticket.applicant.priority is not None,
        )
        self.waiting[ticket.category][ticket.id] = ticket
        for window in self.windows.values():
            if ticket.category in window.categories or ticket.category in window.also_serves:
                self.try_call(window)

    def shortest_line(self, category: str) -> _Window:
        serving = [w for w in self.windows.values() if category in w.categories]
        open_ = [w for w in serving if w.status is WindowStatus.OPEN] or serving
        return min(open_, key=lambda w: (len(w.line) + (w.current is not None), w.number))

    def come_back(self, ticket: _Ticket) -> None:
        ticket.status = transition(
            number=ticket.number, status=ticket.status, action=TicketAction.REQUEUE
        )
        ticket.returned = True
        keys = sorted(t.queue_key for t in self.waiting[ticket.category].values())
        ticket.queue_key = requeue_key(
            waiting_keys=keys, after=self.hall.hall.requeue_after, now=self.now
        )
        self.enqueue(ticket)

    # --- windows --------------------------------------------------------------------------

    def try_call(self, window: _Window) -> None:
        if window.status is not WindowStatus.OPEN or window.current is not None:
            return
        ticket = self.next_for(window)
        if ticket is None:
            return
        ticket.status = transition(
            number=ticket.number, status=ticket.status, action=TicketAction.CALL
        )
        ticket.called_at = self.now
        if ticket.first_called_at is None:
            ticket.first_called_at = self.now
        window.current = ticket
        window.busy_since = self.now
        applicant = ticket.applicant
        if ticket.hop == 0 and applicant.no_show and not ticket.returned:
            self.at(self.now + timedelta(seconds=self.patience), _Kind.FREE, window.number)
            return
        service = self.service_seconds(ticket)
        self.at(
            self.now + timedelta(seconds=applicant.walk_seconds + service),
            _Kind.FREE,
            window.number,
        )

    def next_for(self, window: _Window) -> _Ticket | None:
        if self.fifo:
            return window.line.popleft() if window.line else None
        serves = (*window.categories, *window.also_serves)
        candidates = [
            t.candidate
            for code in serves
            for t in self.waiting[code].values()
            if t.candidate is not None
        ]
        if not candidates:
            return None
        view, name = self.view(window)
        policy: DispatchPolicy = POLICIES[name]
        choice = policy.choose(
            window=view,
            waiting=candidates,
            priority_ratio=self.ratio,
            now=self.now,
            overflow=self.overflow,
        )
        if choice is None:
            return None
        window.streak = next_priority_streak(window.streak, choice.reason)
        for code in serves:
            ticket = self.waiting[code].pop(choice.ticket_id, None)
            if ticket is not None:
                return ticket
        raise AssertionError("dispatch chose a ticket that is not waiting")

    def free(self, number: int) -> None:
        window = self.windows[number]
        ticket = window.current
        assert ticket is not None and ticket.called_at is not None
        window.current = None
        window.busy_since = None
        self.record_service(ticket, (self.now - ticket.called_at).total_seconds())
        applicant = ticket.applicant
        if ticket.hop == 0 and applicant.no_show and not ticket.returned:
            ticket.status = transition(
                number=ticket.number, status=ticket.status, action=TicketAction.NO_SHOW
            )
            if applicant.returns_after_seconds is not None:
                self.at(
                    self.now + timedelta(seconds=applicant.returns_after_seconds),
                    _Kind.RETURN,
                    ticket,
                )
        else:
            ticket.status = transition(
                number=ticket.number, status=ticket.status, action=TicketAction.START
            )
            if ticket.hop == 0 and applicant.transfer_to is not None:
                ticket.status = transition(
                    number=ticket.number, status=ticket.status, action=TicketAction.TRANSFER
                )
                successor = _Ticket(
                    id=next(self.ids),
                    number=ticket.number,
                    category=applicant.transfer_to,
                    applicant=applicant,
                    issued_at=ticket.issued_at,
                    queue_key=ticket.issued_at,
                    hop=ticket.hop + 1,
                )
                self.tickets.append(successor)
                self.enqueue(successor)
            else:
                ticket.status = transition(
                    number=ticket.number, status=ticket.status, action=TicketAction.FINISH
                )
        if window.away is not None:
            self.step_away(window, window.away)
        self.try_call(window)

    def leave(self, absence: Absence) -> None:
        window = self.windows[absence.window]
        window.away = absence
        if window.current is None:
            self.step_away(window, absence)

    def step_away(self, window: _Window, absence: Absence) -> None:
        window.status = WindowStatus.CLOSED if absence.closed else WindowStatus.PAUSED
        window.paused_since = None if absence.closed else self.now
        if self.fifo and window.line:
            stranded, window.line = list(window.line), deque()
            for ticket in stranded:
                self.shortest_line(ticket.category).line.append(ticket)
            for other in self.windows.values():
                self.try_call(other)

    def back(self, absence: Absence) -> None:
        window = self.windows[absence.window]
        if window.away is not absence:
            return
        window.away = None
        window.status = WindowStatus.OPEN
        window.paused_since = None
        self.try_call(window)

    # --- 潮汐 switches -----------------------------------------------------------------------

    def view(self, window: _Window) -> tuple[WindowView, str]:
        """The window as dispatch sees it now, and the policy it calls with."""
        view = WindowView(
            window.number, window.categories, window.streak, also_serves=window.also_serves
        )
        if window.switch is not None and window.switch.active(self.now):
            return switched(view, window.switch.category), SWITCH_POLICY
        return view, window.policy

    def advise_tidal(self, _: object) -> None:
        """Make the suggestion, if any, as a manager would; ask again in a few minutes while
        the day goes on."""
        suggestion = suggest_tidal(self.live_hall()) if self.pressed() else None
        if suggestion is not None:
            move = suggestion.move
            window = self.windows[move.window]
            window.switch = TidalSwitch(
                move.window, move.category, self.now + timedelta(minutes=move.minutes)
            )
            self.try_call(window)
        if self.events:
            self.at(self.now + ADVISE_EVERY, _Kind.ADVISE, None)

    def pressed(self) -> bool:
        """Whether some category's queue is long enough to ask: its eldest has waited half its
        target, or more than its overflow limit wait (when the hall would raise an alert)."""
        for code, waiting in self.waiting.items():
            rule = self.overflow[code]
            if len(waiting) > rule.waiting_limit:
                return True
            eldest = min((t.queue_key for t in waiting.values()), default=None)
            if eldest is not None and self.now - eldest > rule.target_wait / 2:
                return True
        return False

    def live_hall(self) -> LiveHall:
        """The snapshot the server would build for a suggestion now."""
        configured = self.hall.category_by_code
        span = min(max(self.now - self.plan.opens, ADVISE_EVERY), timedelta(hours=1))
        arrived = {code: 0 for code in self.waiting}
        for ticket in self.tickets:
            if ticket.hop == 0 and ticket.issued_at >= self.now - span:
                arrived[ticket.category] += 1
        return LiveHall(
            now=self.now,
            waiting={
                code: sorted(t.queue_key for t in waiting.values())
                for code, waiting in self.waiting.items()
            },
            windows=[
                WindowLoad(
                    number=w.number,
                    categories=w.categories,
                    policy=w.policy,
                    status=w.status,
                    busy_category=w.current.category if w.current else None,
                    busy_since=w.busy_since,
                    paused_since=w.paused_since,
                    also_serves=w.also_serves,
                )
                for w in self.windows.values()
            ],
            service={
                code: service_time(
                    recent=list(samples), default_seconds=configured[code].service_minutes * 60
                )
                for code, samples in self.recent.items()
            },
            arrivals_per_hour={
                code: count * 3600 / span.total_seconds() for code, count in arrived.items()
            },
            target_wait={code: rule.target_wait for code, rule in self.overflow.items()},
            overflow_waiting={code: rule.waiting_limit for code, rule in self.overflow.items()},
            switches=[
                w.switch
                for w in self.windows.values()
                if w.switch is not None and w.switch.active(self.now)
            ],
        )

    # --- estimates ------------------------------------------------------------------------

    def predict(
        self, category: str, *, priority: bool = False
    ) -> tuple[WaitEstimate | None, float | None]:
        configured = self.hall.category_by_code
        service = {
            code: service_time(
                recent=list(samples), default_seconds=configured[code].service_minutes * 60
            )
            for code, samples in self.recent.items()
        }
        estimate = estimate_wait(
            category=category,
            queues=self.queues_ahead(priority_only=priority),
            windows=self.window_loads(),
            service=service,
            matter_service={
                key: matter_service_time(recent=list(samples), category=service[key[0]])
                for key, samples in self.recent_matters.items()
            },
            overflow=self.overflow,
            now=self.now,
        )
        recent = self.recent[category]
        mean = (
            statistics.fmean(recent)
            if len(recent) >= 3
            else configured[category].service_minutes * 60
        )
        naive = naive_wait_seconds(
            ahead=len(self.waiting[category]),
            open_windows=sum(
                1
                for w in self.windows.values()
                if category in w.categories and w.status is WindowStatus.OPEN
            ),
            mean_service_seconds=mean,
        )
        return estimate, naive

    def queues_ahead(self, *, priority_only: bool = False) -> dict[str, QueueAhead]:
        """Every waiting ticket, per category in queue order, with the matters chosen; for a
        priority newcomer, who jumps the normal queue, only the priority tickets."""
        queues = {}
        for code, waiting in self.waiting.items():
            ordered = sorted(
                (t for t in waiting.values() if not priority_only or t.applicant.priority),
                key=lambda t: (t.queue_key, t.id),
            )
            if not ordered:
                continue
            queues[code] = QueueAhead(
                len(ordered), ordered[0].queue_key, tuple(_matter(t) for t in ordered)
            )
        return queues

    def window_loads(self) -> list[WindowLoad]:
        """The windows as the estimator sees them: as dispatch does (a 潮汐 switch included)."""
        loads = []
        for w in self.windows.values():
            view, policy = self.view(w)
            loads.append(
                WindowLoad(
                    number=w.number,
                    categories=view.categories,
                    policy=policy,
                    status=w.status,
                    busy_category=w.current.category if w.current else None,
                    busy_since=w.busy_since,
                    paused_since=w.paused_since,
                    also_serves=view.also_serves,
                    busy_matter=_matter(w.current) if w.current else None,
                )
            )
        return loads

    def record_service(self, ticket: _Ticket, seconds: float) -> None:
        """What a ticket's time at the window teaches: its category's and matter's typical."""
        self.recent[ticket.category].append(seconds)
        matter = _matter(ticket)
        if matter is not None:
            key = (ticket.category, matter)
            if key not in self.recent_matters:
                self.recent_matters[key] = deque(maxlen=RECENT_SAMPLES)
            self.recent_matters[key].append(seconds)

    def service_seconds(self, ticket: _Ticket) -> float:
        if self.fresh is not None:
            return self.fresh(ticket)
        applicant = ticket.applicant
        return applicant.service_seconds if ticket.hop == 0 else applicant.transfer_service_seconds

    # --- the oracle -----------------------------------------------------------------------

    def oracle_wait(self, ticket: _Ticket, oracle: Oracle) -> float:
        """The median wait of `ticket` over replays of the day from now, each from the same
        state with everything the state does not know drawn afresh from the profile with the
        replay's own random stream (see `_fork`): the best any estimator could say from the
        state the kiosk sees."""
        if ticket.first_called_at is not None:
            return 0.0
        rng = random.Random(f"{oracle.seed}:{self.plan.day.isoformat()}:{ticket.id}")
        waits = []
        for _ in range(oracle.replays):
            fork, subject = _fork(self, ticket, oracle.profile, rng)
            fork.play(fork.handlers(), until=subject.was_called)
            if subject.first_called_at is None:
                raise AssertionError(f"{ticket.number} was never called in a replay")
            waits.append((subject.first_called_at - subject.issued_at).total_seconds())
        return statistics.median(waits)

    # --- result ---------------------------------------------------------------------------

    def result(self) -> DayResult:
        visits = []
        statuses: dict[str, int] = {}
        for ticket in self.tickets:
            statuses[ticket.status.value] = statuses.get(ticket.status.value, 0) + 1
            if ticket.hop != 0:
                continue
            if ticket.first_called_at is None:
                raise AssertionError(f"{ticket.number} was never called")
            estimate, naive = self.predictions[ticket.id]
            oracle = self.oracle_waits.get(ticket.id)
            visits.append(
                Visit(
                    category=ticket.category,
                    priority=ticket.applicant.priority is not None,
                    issued_at=ticket.issued_at,
                    wait_seconds=(ticket.first_called_at - ticket.issued_at).total_seconds(),
                    target_seconds=60.0
                    * self.hall.category_by_code[ticket.category].target_wait_minutes,
                    estimate=estimate,
                    naive_seconds=naive,
                    oracle_seconds=oracle,
                )
            )
        return DayResult(self.plan.day, "", visits, statuses)


def _matter(ticket: _Ticket) -> str | None:
    """The matter a ticket's applicant chose, for their first visit (a transfer's onward
    ticket is another category's business)."""
    return ticket.applicant.matter if ticket.hop == 0 else None


@dataclass(slots=True)
class _Future:
    """Later arrivals in an oracle's replay, drawn one at a time from the profile."""

    rng: random.Random
    profile: Profile
    index: Iterator[int]

    def schedule(self, day: "_Day") -> None:
        """Draw the next arrival after `day`'s now, if anybody else comes today."""
        moment = next_arrival(self.rng, self.profile, day.now)
        if moment is not None:
            applicant = applicant_draw(self.rng, self.profile, next(self.index), moment)
            day.at(moment, _Kind.FRESH, applicant)


def _fork(
    day: _Day, subject: _Ticket, profile: Profile, rng: random.Random
) -> tuple[_Day, _Ticket]:
    """A copy of `day` as it stands, to play on from the same state with everything the state
    does not know drawn afresh from `profile` with `rng` (the oracle); the copy of `subject`
    in it. Tickets are copied (they change as they move), plans shared (they do not).

    Kept, as the state knows them: who waits (category, matter, priority, queue position),
    who is at a window and since when, which windows are open, paused or closed, the
    lunch closures (a schedule), the no-shows so far. Drawn afresh: every service time (a
    service under way: one longer than it has run), later arrivals (moments at the profile's
    hourly rate, categories, matters, priority, conduct), how those who wait will behave
    (no-show, return, transfer, walk), the transfer of those being served, whether and when
    the no-shows so far come back (given that they have not yet), the breaks not yet begun
    (given that none has begun in the period so far) and the end of a break under way."""
    tickets: dict[int, _Ticket] = {}

    def own(ticket: _Ticket) -> _Ticket:
        if ticket.id not in tickets:
            tickets[ticket.id] = copy.copy(ticket)
        return tickets[ticket.id]

    fork = copy.copy(day)
    fork.oracle = None
    fork.estimate = False
    fork.clock = ManualClock(day.now)
    fork.order = itertools.count(len(day.tickets) * 100 + 10**9)
    fork.ids = itertools.count(max((t.id for t in day.tickets), default=0) + 1)
    fork.tickets = []
    fork.predictions = {}
    fork.oracle_waits = {}
    fork.recent = {
        code: deque(samples, maxlen=RECENT_SAMPLES) for code, samples in day.recent.items()
    }
    fork.recent_matters = {
        key: deque(samples, maxlen=RECENT_SAMPLES) for key, samples in day.recent_matters.items()
    }
    fork.sequences = dict(day.sequences)
    fork.latest_key = dict(day.latest_key)
    fork.waiting = {
        code: {ticket_id: own(t) for ticket_id, t in waiting.items()}
        for code, waiting in day.waiting.items()
    }
    for waiting in fork.waiting.values():
        for ticket in waiting.values():
            if ticket.hop == 0:
                ticket.applicant = conduct_draw(rng, profile, ticket.applicant)
    fork.windows = {number: copy.copy(w) for number, w in day.windows.items()}
    for window in fork.windows.values():
        window.line = deque(own(t) for t in window.line)
        window.current = own(window.current) if window.current is not None else None
        if window.current is not None and window.current.hop == 0:
            _redraw_outcome(window.current, profile, rng)

    def fresh(ticket: _Ticket) -> float:
        category = ticket.category
        return service_draw(rng, profile, category, _matter(ticket))

    fork.fresh = fresh
    busy = {
        w.number: w
        for w in fork.windows.values()
        if w.current is not None
        and not (w.current.hop == 0 and w.current.applicant.no_show and not w.current.returned)
    }
    breaks = _fresh_breaks(fork, day, profile, rng)
    events: list[tuple[datetime, int, _Kind, object]] = []
    for when, order, kind, payload in day.events:
        if kind is _Kind.FREE and payload in busy:
            window = busy[payload]
            assert window.current is not None and window.busy_since is not None
            when = _fresh_end(window.current, window.busy_since, day.now, fresh)
        elif kind in (_Kind.ARRIVE, _Kind.RETURN) or (
            kind in (_Kind.AWAY, _Kind.BACK) and payload in breaks
        ):
            continue
        events.append((when, order, kind, payload))
    heapq.heapify(events)
    fork.events = events
    for absence in breaks.values():
        if absence is not None and absence.start > day.now:
            fork.at(absence.start, _Kind.AWAY, absence)
        if absence is not None:
            fork.at(absence.end, _Kind.BACK, absence)
    for ticket in day.tickets:
        if ticket.status is TicketStatus.NO_SHOW:
            _fresh_return(fork, own(ticket), profile, rng)
    fork.future = _Future(rng, profile, itertools.count(len(day.plan.applicants) + 10**6))
    fork.future.schedule(fork)
    return fork, own(subject)


def _redraw_outcome(ticket: _Ticket, profile: Profile, rng: random.Random) -> None:
    """At the window: that they answered the call or not is known; whether they will be sent
    on, or (not answering) come back later, is not."""
    applicant = ticket.applicant
    drawn = conduct_draw(rng, profile, applicant)
    people = profile.applicants
    returns = None
    if rng.random() < people.return_share:
        returns = 60.0 * rng.uniform(*people.return_after_minutes)
    ticket.applicant = replace(
        applicant,
        returns_after_seconds=returns if applicant.no_show else None,
        transfer_to=drawn.transfer_to,
        transfer_service_seconds=drawn.transfer_service_seconds,
    )


def _fresh_breaks(
    fork: _Day, day: _Day, profile: Profile, rng: random.Random
) -> dict[object, Absence | None]:
    """The planned breaks a replay leaves out (not yet begun; under way: its end unknown),
    each mapped to what replaces it (None: nothing), and the breaks drawn afresh (mapped to
    from a key of their own)."""
    now = day.now
    replaced: dict[object, Absence | None] = {}
    for absence in day.plan.absences:
        if not absence.closed and absence.start > now:
            replaced[absence] = None
    for number, window in fork.windows.items():
        away = window.away
        if away is not None and not away.closed and away.end > now:
            window.away = break_end_draw(rng, profile, away, now)
            replaced[away] = window.away
        begun = [
            a for a in day.plan.absences if a.window == number and not a.closed and a.start <= now
        ]
        for position, absence in enumerate(breaks_to_come(rng, profile, number, now, begun)):
            replaced[(number, position)] = absence
    return replaced


def _fresh_return(fork: _Day, ticket: _Ticket, profile: Profile, rng: random.Random) -> None:
    """Whether and when a no-show so far comes back, drawn afresh given that they have not
    come back yet (drawn until the draw agrees with that)."""
    assert ticket.called_at is not None
    missed = ticket.called_at + timedelta(seconds=fork.patience)
    people = profile.applicants
    for _ in range(100):
        if rng.random() >= people.return_share:
            return
        after = timedelta(minutes=rng.uniform(*people.return_after_minutes))
        if missed + after > fork.now:
            fork.at(missed + after, _Kind.RETURN, ticket)
            return


def _fresh_end(
    ticket: _Ticket, since: datetime, now: datetime, fresh: Callable[[_Ticket], float]
) -> datetime:
    """When a service under way since `since` ends with a fresh time that outlasts `now`."""
    walk = ticket.applicant.walk_seconds
    elapsed = (now - since).total_seconds()
    seconds = fresh(ticket)
    for _ in range(100):
        if walk + seconds > elapsed:
            break
        seconds = fresh(ticket)
    return since + timedelta(seconds=max(walk + seconds, elapsed))


def run_day(
    plan: DayPlan,
    hall: HallConfig,
    *,
    policy: str = CONFIGURED,
    estimate: bool = False,
    no_show_patience_seconds: float = 120.0,
    oracle: Oracle | None = None,
) -> DayResult:
    """Play one planned day under `policy`; with `estimate`, record each ETA at the kiosk;
    with `oracle`, also what the oracle would have said to some of the applicants."""
    if policy not in POLICY_CHOICES:
        raise ValueError(f"unknown policy {policy!r}; known: {', '.join(POLICY_CHOICES)}")
    day = _Day(
        plan, hall, policy, estimate=estimate, patience=no_show_patience_seconds, oracle=oracle
    )
    result = day.run()
    return DayResult(result.day, policy, result.visits, result.final_statuses)


def _percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


@dataclass(frozen=True, slots=True)
class CategoryWait:
    """One category's waits under one policy (minutes)."""

    category: str
    tickets: int
    mean_wait_minutes: float
    p90_wait_minutes: float
    target_minutes: float


@dataclass(frozen=True, slots=True)
class PolicySummary:
    policy: str
    tickets: int
    mean_wait_minutes: float
    p90_wait_minutes: float
    max_wait_minutes: float
    within_target: float
    """Share of applicants called within their category's target wait."""
    categories: tuple[CategoryWait, ...] = ()
    """Per category, in the order they first came."""


@dataclass(frozen=True, slots=True)
class EstimateSummary:
    """How the ETA at the kiosk compared with the wait that followed (seconds)."""

    samples: int
    mean_absolute_error_seconds: float
    naive_mean_absolute_error_seconds: float
    within_range: float
    """Share of actual waits inside the published P10–P90 range (whole minutes)."""
    oracle_samples: int = 0
    """Applicants whose moment the oracle replayed (every `Oracle.every`-th)."""
    oracle_mean_absolute_error_seconds: float = 0.0
    """The oracle's mean absolute error over its samples."""
    sampled_mean_absolute_error_seconds: float = 0.0
    """Our estimator's mean absolute error over the oracle's samples (the fair comparison)."""

    @property
    def oracle_ratio(self) -> float:
        """Our mean absolute error as a multiple of the oracle's, on the same moments."""
        if self.oracle_mean_absolute_error_seconds == 0:
            return 0.0 if self.sampled_mean_absolute_error_seconds == 0 else float("inf")
        return self.sampled_mean_absolute_error_seconds / self.oracle_mean_absolute_error_seconds

    @property
    def error_ratio(self) -> float:
        """The estimator's mean absolute error as a share of the naive estimate's."""
        if self.naive_mean_absolute_error_seconds == 0:
            return 0.0 if self.mean_absolute_error_seconds == 0 else float("inf")
        return self.mean_absolute_error_seconds / self.naive_mean_absolute_error_seconds


def summarise_policy(policy: str, days: Iterable[DayResult]) -> PolicySummary:
    visits = [visit for day in days for visit in day.visits]
    waits = [v.wait_seconds / 60 for v in visits]
    within = sum(1 for v in visits if v.wait_seconds <= v.target_seconds)
    by_category: dict[str, list[Visit]] = {}
    for visit in visits:
        by_category.setdefault(visit.category, []).append(visit)
    categories = tuple(
        CategoryWait(
            category=code,
            tickets=len(group),
            mean_wait_minutes=statistics.fmean(v.wait_seconds / 60 for v in group),
            p90_wait_minutes=_percentile([v.wait_seconds / 60 for v in group], 0.9),
            target_minutes=group[0].target_seconds / 60,
        )
        for code, group in by_category.items()
    )
    return PolicySummary(
        policy=policy,
        tickets=len(visits),
        mean_wait_minutes=statistics.fmean(waits) if waits else 0.0,
        p90_wait_minutes=_percentile(waits, 0.9),
        max_wait_minutes=max(waits, default=0.0),
        within_target=within / len(visits) if visits else 0.0,
        categories=categories,
    )


def summarise_estimates(days: Sequence[DayResult]) -> EstimateSummary:
    """Over every applicant for whom both estimators had an answer at the kiosk; the oracle
    over those it replayed."""
    scored = [
        (v.estimate, v.naive_seconds, v.wait_seconds)
        for day in days
        for v in day.visits
        if v.estimate is not None and v.naive_seconds is not None
    ]
    if not scored:
        return EstimateSummary(0, 0.0, 0.0, 0.0)
    inside = sum(
        1
        for estimate, _, actual in scored
        if estimate.low_minutes * 60 <= actual <= estimate.high_minutes * 60
    )
    oracle = [
        (v.estimate, v.oracle_seconds, v.wait_seconds)
        for day in days
        for v in day.visits
        if v.estimate is not None and v.oracle_seconds is not None
    ]
    return EstimateSummary(
        samples=len(scored),
        mean_absolute_error_seconds=statistics.fmean(
            abs(estimate.seconds - actual) for estimate, _, actual in scored
        ),
        naive_mean_absolute_error_seconds=statistics.fmean(
            abs(naive - actual) for _, naive, actual in scored
        ),
        within_range=inside / len(scored),
        oracle_samples=len(oracle),
        oracle_mean_absolute_error_seconds=statistics.fmean(
            abs(median - actual) for _, median, actual in oracle
        )
        if oracle
        else 0.0,
        sampled_mean_absolute_error_seconds=statistics.fmean(
            abs(estimate.seconds - actual) for estimate, _, actual in oracle
        )
        if oracle
        else 0.0,
    )


@dataclass(frozen=True, slots=True)
class SimulationReport:
    days: int
    seed: int
    policies: list[PolicySummary]
    estimates: EstimateSummary
    seconds: float
    """Wall-clock time of the whole run."""


def simulate(
    *,
    hall: HallConfig,
    profile: Profile,
    days: int,
    seed: int,
    first_day: date = date(2026, 3, 2),
    policies: Sequence[str] = POLICY_CHOICES,
    estimate: bool = True,
    oracle: bool = True,
) -> SimulationReport:
    """Plan `days` days from `seed` and play each under every policy; ETAs are scored under
    the configured policies, which are what the hall runs, and, with `oracle`, against the
    oracle's on a subsample of moments."""
    import time

    profile.check_against(hall)
    started = time.perf_counter()
    results: dict[str, list[DayResult]] = {policy: [] for policy in policies}
    for offset in range(days):
        plan = plan_day(
            profile=profile,
            tz=hall.tz,
            windows=[w.number for w in hall.windows],
            day=first_day + timedelta(days=offset),
            seed=seed,
        )
        for policy in policies:
            results[policy].append(
                run_day(
                    plan,
                    hall,
                    policy=policy,
                    estimate=estimate and policy == CONFIGURED,
                    no_show_patience_seconds=profile.applicants.no_show_patience_seconds,
                    oracle=Oracle(profile, seed=seed)
                    if oracle and estimate and policy == CONFIGURED
                    else None,
                )
            )
    return SimulationReport(
        days=days,
        seed=seed,
        policies=[summarise_policy(policy, results[policy]) for policy in policies],
        estimates=summarise_estimates(results.get(CONFIGURED, [])),
        seconds=time.perf_counter() - started,
    )
