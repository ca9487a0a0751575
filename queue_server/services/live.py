"""Each hall's live state (domain/live_state.py), kept in memory by the process that writes.

Every write runs inside `settling` (the group-commit writer wraps each request in it): the
ticket and window rows the request flushed become facts folded into the hall's state, which
travels with the transaction as an after-commit item (`LiveUpdate`), so a request rolled back
(with its savepoint or its batch) takes its changes to the state with it; once the transaction has
committed, the newest state of each hall becomes the process's (`promote`).

`working` gives a request the state as of its transaction: from this transaction's own
updates, else the process's; built from the database the first time or on a new service day,
and caught up from the event log when another process wrote since (its newest event is not
the state's `seq`).
"""

import json
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, cast
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from queue_server.domain.enums import TicketStatus, WindowStatus
from queue_server.domain.live_state import (
    AT_A_WINDOW,
    AT_THE_HALL,
    LEFT_A_WINDOW,
    HallState,
    TicketFact,
    WindowFact,
    apply_facts,
    built,
)
from queue_server.group_commit import after_commit, pending_items
from queue_server.models import Event, NumberCounter, Ticket, WindowState
from queue_server.services.journal import Appended, latest_seq
from queue_server.services.scope import Scope
from queue_server.services.waits import history_limit

log = logging.getLogger(__name__)

CATCH_UP_LIMIT = 1000
"""More events than this from another process: read the state afresh instead."""

_TOUCHED_KEY = "yimen.live.touched"
_MARK_KEY = "yimen.live.mark"


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    """A hall's state after a request of the transaction, for the ones after it and, once
    committed, for the process (`promote`)."""

    engine: Engine
    state: HallState


class _Store:
    """The committed state of each hall, per database engine (one engine is one process's
    view: tests run two `Database` objects on one file as two processes)."""

    def __init__(self) -> None:
        self._states: WeakKeyDictionary[Engine, dict[str, HallState]] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, engine: Engine, hall: str) -> HallState | None:
        with self._lock:
            return self._states.get(engine, {}).get(hall)

    def put(self, engine: Engine, state: HallState) -> None:
        with self._lock:
            self._states.setdefault(engine, {})[state.hall] = state

    def forget(self, engine: Engine) -> None:
        with self._lock:
            self._states.pop(engine, None)


STORE = _Store()


def committed_state(engine: Engine, hall: str) -> HallState | None:
    """The hall's state as of this process's last commit (None before its first write)."""
    return STORE.get(engine, hall)


def promote(items: Iterable[object]) -> None:
    """After a commit: the newest state of each hall written becomes the process's."""
    newest: dict[tuple[Engine, str], HallState] = {}
    for item in items:
        if isinstance(item, LiveUpdate):
            newest[item.engine, item.state.hall] = item.state
    for (engine, _), state in newest.items():
        STORE.put(engine, state)


def ticket_fact(ticket: Ticket) -> TicketFact:
    if ticket.id is None:
        raise ValueError("ticket has no id yet; flush the session first")
    return TicketFact(
        id=ticket.id,
        service_day=ticket.service_day,
        category=ticket.category,
        sequence=ticket.sequence,
        status=TicketStatus(ticket.status),
        queue_key=ticket.queue_key,
        matter=ticket.matter,
        priority=ticket.priority is not None or bool(ticket.return_visit),
        target_window_no=ticket.target_window_no,
        clerk_id=ticket.clerk_id,
        called_at=ticket.called_at,
        finished_at=ticket.finished_at,
        priority_ticket=ticket.priority is not None,
        return_visit=bool(ticket.return_visit),
        appointment_until=ticket.appointment_until,
        journey_id=ticket.journey_id,
        hop=ticket.hop,
    )


def window_fact(window: WindowState) -> WindowFact:
    return WindowFact(
        number=window.number,
        status=WindowStatus(window.status),
        clerk_id=window.clerk_id,
        current_ticket_id=window.current_ticket_id,
        paused_at=window.paused_at,
        tidal_category=window.tidal_category,
        tidal_until=window.tidal_until,
    )


@dataclass(slots=True)
class _Touched:
    """The rows a request wrote, by hall."""

    tickets: dict[str, dict[int, Ticket]]
    windows: dict[str, dict[int, WindowState]]


def _touched(session: OrmSession) -> _Touched | None:
    return cast(_Touched | None, session.info.get(_TOUCHED_KEY))


@sa_event.listens_for(OrmSession, "after_flush")
def _note_flushed(session: OrmSession, _context: Any) -> None:
    touched = _touched(session)
    if touched is None:
        return
    for row in (*session.new, *session.dirty):
        if isinstance(row, Ticket) and row.id is not None:
            touched.tickets.setdefault(row.hall, {})[row.id] = row
        elif isinstance(row, WindowState):
            touched.windows.setdefault(row.hall, {})[row.number] = row


def wrote_ticket(session: Session, ticket: Ticket) -> None:
    """A ticket row written with Core (issuing), which the unit of work does not see."""
    touched = _touched(session)
    if touched is not None and ticket.id is not None:
        touched.tickets.setdefault(ticket.hall, {})[ticket.id] = ticket


@contextmanager
def settling(session: Session) -> Iterator[None]:
    """Around one request in the writer: fold what it wrote into its halls' states."""
    session.info[_TOUCHED_KEY] = _Touched({}, {})
    session.info[_MARK_KEY] = len(pending_items(session))
    try:
        yield
        session.flush()
        _settle(session)
    finally:
        session.info.pop(_TOUCHED_KEY, None)


def _settle(session: Session) -> None:
    touched = _touched(session)
    if touched is None:
        return
    engine = _engine(session)
    mark: int = session.info.get(_MARK_KEY, 0)
    appended: dict[str, int] = {}
    preceding: dict[str, int] = {}
    """Per hall, the newest event before this request's first: what its state must be at."""
    for item in pending_items(session)[mark:]:
        if isinstance(item, Appended) and item.event.seq is not None:
            appended[item.event.hall] = max(appended.get(item.event.hall, 0), item.event.seq)
            preceding.setdefault(item.event.hall, item.previous)
    for hall in set(touched.tickets) | set(touched.windows) | set(appended):
        state = _current(session, engine, hall)
        if state is None:
            continue
        if state.seq != preceding.get(hall, state.seq) or (
            hall not in preceding and state.seq != latest_seq(session, hall)
        ):
            # Another process wrote since this state was made (this request did not go
            # through `working`): read what it wrote first, or its events would be skipped.
            state = catch_up(session, state, latest=latest_seq(session, hall))
        tickets = touched.tickets.get(hall, {}).values()
        windows = touched.windows.get(hall, {}).values()
        updated = apply_facts(
            state,
            tickets=[ticket_fact(t) for t in tickets],
            windows=[window_fact(w) for w in windows],
            seq=appended.get(hall),
        )
        if updated is not state:
            after_commit(session, LiveUpdate(engine, updated))


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _current(session: Session, engine: Engine, hall: str) -> HallState | None:
    for item in reversed(pending_items(session)):
        if isinstance(item, LiveUpdate) and item.state.hall == hall:
            return item.state
    return STORE.get(engine, hall)


def working(scope: Scope) -> HallState:
    """The hall's live state as of this transaction (which holds the hall's write lock)."""
    session, hall, today = scope.session, scope.code, scope.today
    engine = _engine(session)
    state = _current(session, engine, hall)
    latest = latest_seq(session, hall)
    limit = history_limit(scope.hall)
    if state is None or state.day != today or state.history_limit != limit:
        fresh = rebuild(session, hall=hall, day=today, seq=latest, history_limit=limit)
    elif state.seq != latest:
        fresh = catch_up(session, state, latest=latest)
    else:
        return state
    after_commit(session, LiveUpdate(engine, fresh))
    return fresh


def discard(scope: Scope, reason: str) -> HallState:
    """Read the hall's state afresh: the one held disagreed with the database."""
    log.warning("hall %s: live state read afresh (%s)", scope.code, reason)
    session, engine = scope.session, _engine(scope.session)
    fresh = rebuild(
        session,
        hall=scope.code,
        day=scope.today,
        seq=latest_seq(session, scope.code),
        history_limit=history_limit(scope.hall),
    )
    after_commit(session, LiveUpdate(engine, fresh))
    return fresh


def rebuild(session: Session, *, hall: str, day: date, seq: int, history_limit: int) -> HallState:
    """The hall's state read from its rows."""
    counters = {
        category: last
        for category, last in session.exec(
            select(NumberCounter.category, NumberCounter.last_sequence).where(
                NumberCounter.hall == hall, NumberCounter.service_day == day
            )
        ).all()
    }
    key_high = {
        category: key
        for category, key in session.exec(
            select(Ticket.category, sa.func.max(Ticket.queue_key))
            .where(Ticket.hall == hall, Ticket.service_day == day)
            .group_by(col(Ticket.category))
        ).all()
        if key is not None
    }
    at_hall = session.exec(
        select(Ticket).where(
            Ticket.hall == hall,
            Ticket.service_day == day,
            col(Ticket.status).in_(AT_THE_HALL),
        )
    ).all()
    served = session.exec(
        select(Ticket)
        .where(
            Ticket.hall == hall,
            Ticket.service_day == day,
            col(Ticket.status).in_(LEFT_A_WINDOW),
            col(Ticket.called_at).is_not(None),
            col(Ticket.finished_at).is_not(None),
        )
        .order_by(col(Ticket.finished_at).desc(), col(Ticket.id).desc())
        .limit(history_limit)
    ).all()
    windows = session.exec(select(WindowState).where(WindowState.hall == hall)).all()
    # A window may still hold a ticket of an earlier day (the day rolled over meanwhile).
    held = {w.current_ticket_id for w in windows} - {t.id for t in at_hall} - {None}
    earlier = (
        session.exec(
            select(Ticket).where(
                col(Ticket.id).in_(held),
                Ticket.service_day != day,
                col(Ticket.status).in_(AT_A_WINDOW),
            )
        ).all()
        if held
        else []
    )
    return built(
        hall=hall,
        day=day,
        seq=seq,
        history_limit=history_limit,
        counters=counters,
        key_high=key_high,
        tickets=[ticket_fact(t) for t in (*reversed(served), *at_hall, *earlier)],
        windows=[window_fact(w) for w in windows],
    )


def catch_up(session: Session, state: HallState, *, latest: int) -> HallState:
    """The state after the events another process appended since `state.seq`: the tickets
    they name are read again, and every window of the hall."""
    if latest < state.seq:
        return rebuild(
            session, hall=state.hall, day=state.day, seq=latest, history_limit=state.history_limit
        )
    rows = session.exec(
        select(Event.seq, Event.ticket_id, Event.payload)
        .where(Event.hall == state.hall, col(Event.seq) > state.seq)
        .order_by(col(Event.seq))
        .limit(CATCH_UP_LIMIT + 1)
    ).all()
    if len(rows) > CATCH_UP_LIMIT:
        return rebuild(
            session, hall=state.hall, day=state.day, seq=latest, history_limit=state.history_limit
        )
    ticket_ids: set[int] = set()
    for _, ticket_id, payload in rows:
        if ticket_id is not None:
            ticket_ids.add(ticket_id)
        if '"new_ticket"' in payload:
            new_ticket = json.loads(payload).get("new_ticket")
            if isinstance(new_ticket, dict) and isinstance(new_ticket.get("id"), int):
                ticket_ids.add(new_ticket["id"])
    tickets = (
        session.exec(select(Ticket).where(col(Ticket.id).in_(ticket_ids))).all()
        if ticket_ids
        else []
    )
    windows = session.exec(select(WindowState).where(WindowState.hall == state.hall)).all()
    return apply_facts(
        state,
        tickets=sorted((ticket_fact(t) for t in tickets), key=lambda t: t.id),
        windows=[window_fact(w) for w in windows],
        seq=rows[-1][0] if rows else latest,
    )
