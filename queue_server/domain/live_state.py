"""The live state of a hall: what issuing and the estimator need to know, held in memory.

The process holding a hall's write lock keeps one `HallState` per hall and folds every change
into it: each ticket and window row as it stands after a write (`TicketFact`, `WindowFact`),
through `apply_ticket` and `apply_window`. The same fold rebuilds it from the database, so a
state kept in memory and one read afresh are equal (tests/test_live_state_*.py check it).
Everything here is immutable; a change returns a new state and shares what it did not touch.
"""

from bisect import insort
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Protocol, TypeVar

from queue_server.domain.enums import TicketStatus, WindowStatus

AT_THE_HALL = frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING})
"""Tickets kept: those waiting, or called to or served at a window."""

AT_A_WINDOW = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
"""Tickets a window holds: kept whatever their day, since the window is busy with them."""

LEFT_A_WINDOW = frozenset({TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.TRANSFERRED})
"""A ticket that held a window and left it: its time there is a service sample."""


@dataclass(frozen=True, slots=True)
class TicketFact:
    """A ticket row as it stands, as far as the live state cares."""

    id: int
    service_day: date
    category: str
    sequence: int
    status: TicketStatus
    queue_key: datetime
    matter: str | None = None
    priority: bool = False
    """A priority ticket or a 补件 return visit: both are served ahead of the normal queue."""
    target_window_no: int | None = None
    clerk_id: int | None = None
    called_at: datetime | None = None
    finished_at: datetime | None = None
    priority_ticket: bool = False
    """Issued with a priority reason (the elderly, the disabled…), not only a return visit."""
    return_visit: bool = False
    appointment_until: datetime | None = None
    journey_id: int | None = None
    hop: int = 0
    """0 for a number handed out; a transfer's successor keeps its original's number (and
    sequence, from the category it was taken in) with the next hop."""

    @property
    def in_own_queue(self) -> bool:
        """Waiting in its category's queue (not sent to a named window)."""
        return self.status is TicketStatus.WAITING and self.target_window_no is None

    @property
    def order(self) -> tuple[datetime, int]:
        return (self.queue_key, self.id)


@dataclass(frozen=True, slots=True)
class WindowFact:
    """A window's row as it stands, as far as the live state cares."""

    number: int
    status: WindowStatus
    clerk_id: int | None = None
    current_ticket_id: int | None = None
    paused_at: datetime | None = None
    tidal_category: str | None = None
    tidal_until: datetime | None = None


class WindowRow(Protocol):
    """What the estimator reads of a window: a `WindowFact`, or the stored row itself."""

    @property
    def number(self) -> int: ...
    @property
    def status(self) -> WindowStatus: ...
    @property
    def clerk_id(self) -> int | None: ...
    @property
    def current_ticket_id(self) -> int | None: ...
    @property
    def paused_at(self) -> datetime | None: ...
    @property
    def tidal_category(self) -> str | None: ...
    @property
    def tidal_until(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class ServiceSample:
    """How long a ticket held a window (call to done, no-show or transfer)."""

    ticket_id: int
    category: str
    matter: str | None
    clerk_id: int | None
    called_at: datetime
    finished_at: datetime

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.called_at).total_seconds()

    @property
    def newest_first(self) -> tuple[datetime, int]:
        """Sort key, ascending = newest first (negated in `_with_sample`)."""
        return (self.finished_at, self.ticket_id)


@dataclass(frozen=True, slots=True)
class HallState:
    """One hall's service day as issuing and the estimator see it, after event `seq`."""

    hall: str
    day: date
    seq: int = 0
    history_limit: int = 560
    """Service samples kept: the newest, which are all the estimator reads."""
    counters: Mapping[str, int] = field(default_factory=dict)
    """The last sequence handed out per category today."""
    key_high: Mapping[str, datetime] = field(default_factory=dict)
    """The latest queue key given in each category today: a new ticket queues behind it."""
    tickets: Mapping[int, TicketFact] = field(default_factory=dict)
    """Today's tickets at the hall (`AT_THE_HALL`), and those of an earlier day still held
    at a window (`AT_A_WINDOW`: the day rolled over while they were served), by id."""
    queues: Mapping[str, tuple[TicketFact, ...]] = field(default_factory=dict)
    """Each category's own queue, front first (queue key, then id)."""
    windows: Mapping[int, WindowFact] = field(default_factory=dict)
    history: tuple[ServiceSample, ...] = ()
    """Today's service samples, newest first, at most `history_limit`."""

    def own_queue_length(self, category: str) -> int:
        return len(self.queues.get(category, ()))

    def issued(self, category: str) -> int:
        return self.counters.get(category, 0)

    def ticket_at(self, window: WindowFact) -> TicketFact | None:
        if window.current_ticket_id is None:
            return None
        return self.tickets.get(window.current_ticket_id)


def _without(queue: tuple[TicketFact, ...], ticket_id: int) -> tuple[TicketFact, ...]:
    return tuple(t for t in queue if t.id != ticket_id)


def _with(queue: tuple[TicketFact, ...], ticket: TicketFact) -> tuple[TicketFact, ...]:
    if not queue or queue[-1].order < ticket.order:
        return (*queue, ticket)
    ordered = list(queue)
    insort(ordered, ticket, key=lambda t: t.order)
    return tuple(ordered)


def _sample(ticket: TicketFact) -> ServiceSample | None:
    if ticket.status not in LEFT_A_WINDOW or ticket.called_at is None:
        return None
    if ticket.finished_at is None:
        return None
    return ServiceSample(
        ticket_id=ticket.id,
        category=ticket.category,
        matter=ticket.matter,
        clerk_id=ticket.clerk_id,
        called_at=ticket.called_at,
        finished_at=ticket.finished_at,
    )


def _with_sample(
    history: tuple[ServiceSample, ...], ticket: TicketFact, limit: int
) -> tuple[ServiceSample, ...]:
    kept = tuple(s for s in history if s.ticket_id != ticket.id)
    sample = _sample(ticket)
    if sample is None:
        return kept
    if not kept or sample.newest_first > kept[0].newest_first:
        return (sample, *kept)[:limit]
    ordered = sorted((sample, *kept), key=lambda s: s.newest_first, reverse=True)
    return tuple(ordered[:limit])


def apply_ticket(state: HallState, ticket: TicketFact) -> HallState:
    """The state after `ticket`'s row was written as it is now."""
    if ticket.service_day != state.day:
        if ticket.status in AT_A_WINDOW:
            # Still at a window after the day rolled over: the window is busy with it. It
            # counts for nothing else of this day (number, queue, service times).
            return replace(state, tickets={**state.tickets, ticket.id: ticket})
        if ticket.id not in state.tickets:
            return state
        return _forget(state, ticket.id)
    old = state.tickets.get(ticket.id)
    tickets = dict(state.tickets)
    if ticket.status in AT_THE_HALL:
        tickets[ticket.id] = ticket
    else:
        tickets.pop(ticket.id, None)
    queues = dict(state.queues)
    if old is not None and old.in_own_queue:
        queues[old.category] = _without(queues.get(old.category, ()), old.id)
    if ticket.in_own_queue:
        queues[ticket.category] = _with(queues.get(ticket.category, ()), ticket)
    history = state.history
    if ticket.status in LEFT_A_WINDOW or any(s.ticket_id == ticket.id for s in history):
        history = _with_sample(history, ticket, state.history_limit)
    counters, key_high = state.counters, state.key_high
    if ticket.hop == 0 and ticket.sequence > counters.get(ticket.category, 0):
        counters = {**counters, ticket.category: ticket.sequence}
    high = key_high.get(ticket.category)
    if high is None or ticket.queue_key > high:
        key_high = {**key_high, ticket.category: ticket.queue_key}
    return replace(
        state,
        tickets=tickets,
        queues={code: queue for code, queue in queues.items() if queue},
        history=history,
        counters=counters,
        key_high=key_high,
    )


def _forget(state: HallState, ticket_id: int) -> HallState:
    old = state.tickets[ticket_id]
    tickets = {key: value for key, value in state.tickets.items() if key != ticket_id}
    queues = dict(state.queues)
    if old.in_own_queue:
        queues[old.category] = _without(queues.get(old.category, ()), old.id)
    return replace(
        state, tickets=tickets, queues={code: queue for code, queue in queues.items() if queue}
    )


def apply_window(state: HallState, window: WindowFact) -> HallState:
    """The state after `window`'s row was written as it is now."""
    if state.windows.get(window.number) == window:
        return state
    return replace(state, windows={**state.windows, window.number: window})


def apply_facts(
    state: HallState,
    *,
    tickets: Iterable[TicketFact] = (),
    windows: Iterable[WindowFact] = (),
    seq: int | None = None,
) -> HallState:
    """Fold a write's rows into the state; `seq`: the hall's newest event after it."""
    for ticket in tickets:
        state = apply_ticket(state, ticket)
    for window in windows:
        state = apply_window(state, window)
    if seq is not None and seq != state.seq:
        state = replace(state, seq=seq)
    return state


def built(
    *,
    hall: str,
    day: date,
    seq: int,
    history_limit: int,
    counters: Mapping[str, int],
    key_high: Mapping[str, datetime],
    tickets: Iterable[TicketFact],
    windows: Iterable[WindowFact],
) -> HallState:
    """The state of a hall read from its rows: the counters and latest queue keys of the
    day, its tickets at the hall and its newest service samples, and its windows."""
    start = HallState(
        hall=hall,
        day=day,
        seq=seq,
        history_limit=history_limit,
        counters=dict(counters),
        key_high=dict(key_high),
    )
    return apply_facts(start, tickets=tickets, windows=windows)


def waiting_for(state: HallState, *, window: int, categories: Iterable[str]) -> list[TicketFact]:
    """The tickets a window may call: sent to it, or waiting in a queue of `categories`."""
    serves = set(categories)
    return [
        ticket
        for ticket in state.tickets.values()
        if ticket.status is TicketStatus.WAITING
        and (
            ticket.target_window_no == window
            if ticket.target_window_no is not None
            else ticket.category in serves
        )
    ]


K = TypeVar("K")
V = TypeVar("V")


def _mapping_differences(name: str, memory: Mapping[K, V], database: Mapping[K, V]) -> list[str]:
    found = []
    for key in sorted(set(memory) | set(database), key=repr):
        held, read = memory.get(key), database.get(key)
        if held != read:
            found.append(f"{name}[{key}]: memory {held!r}, database {read!r}")
    return found


def differences(memory: HallState, database: HallState) -> list[str]:
    """Where the state held in memory disagrees with one rebuilt from the database, one
    line each (empty: they agree). `key_high` is a high-water mark: a queue key in memory
    may be later than any still in the database (a requeued ticket moved back), never
    earlier, and never missing."""
    found = [
        f"{name}: memory {getattr(memory, name)!r}, database {getattr(database, name)!r}"
        for name in ("hall", "day", "seq", "history_limit")
        if getattr(memory, name) != getattr(database, name)
    ]
    found += _mapping_differences("counters", memory.counters, database.counters)
    for category, key in sorted(database.key_high.items()):
        held = memory.key_high.get(category)
        if held is None or held < key:
            found.append(f"key_high[{category}]: memory {held!r} before database {key!r}")
    found += _mapping_differences("tickets", memory.tickets, database.tickets)
    queues = {
        category: [ticket.id for ticket in queue] for category, queue in memory.queues.items()
    }
    read = {
        category: [ticket.id for ticket in queue] for category, queue in database.queues.items()
    }
    found += _mapping_differences("queues", queues, read)
    found += _mapping_differences("windows", memory.windows, database.windows)
    if memory.history != database.history:
        held_ids = [sample.ticket_id for sample in memory.history]
        read_ids = [sample.ticket_id for sample in database.history]
        found.append(
            f"history: memory {held_ids}, database {read_ids}"
            if held_ids != read_ids
            else "history: the same tickets with other times"
        )
    return found
