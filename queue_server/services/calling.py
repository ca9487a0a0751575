"""Calling tickets to a window: next in line, or a given number."""

from collections.abc import Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from queue_server.config import HallConfig
from queue_server.domain.dispatch import (
    Candidate,
    next_appointment_streak,
    next_priority_streak,
)
from queue_server.domain.enums import (
    CallReason,
    EventType,
    TicketAction,
    WindowStatus,
)
from queue_server.domain.errors import NotFound
from queue_server.domain.live_state import waiting_for
from queue_server.domain.states import transition
from queue_server.models import Journey, Ticket, WindowState
from queue_server.protocol import TicketPublic
from queue_server.services import journal, live
from queue_server.services.access import load_ticket, load_user, operated_window, ready_to_call
from queue_server.services.dispatch_window import dispatch_window
from queue_server.services.scope import Scope
from queue_server.services.views import ticket_public


def _call(scope: Scope, *, state: WindowState, ticket: Ticket, reason: CallReason) -> TicketPublic:
    session, principal, now = scope.session, scope.caller, scope.now
    ticket.status = transition(number=ticket.number, status=ticket.status, action=TicketAction.CALL)
    ticket.called_at = now
    ticket.window_no = state.number
    ticket.call_reason = reason
    ticket.clerk_id = principal.user_id
    state.current_ticket_id = ticket.id
    state.priority_streak = next_priority_streak(state.priority_streak, reason)
    state.appointment_streak = next_appointment_streak(state.appointment_streak, reason)
    session.add_all([ticket, state])
    journal.record(
        scope,
        type=EventType.TICKET_CALLED,
        ticket=ticket,
        window=state,
        clerk=load_user(session, principal),
    )
    return ticket_public(ticket, scope.hall)


def _within_slot(until: datetime | None, now: datetime) -> bool:
    """An appointment ticket is served as one until its check-in window closes."""
    return until is not None and now <= until


def _clerk_windows(session: Session, hall: HallConfig) -> dict[int, list[int]]:
    """The open windows each signed-in clerk works at (normally one)."""
    found: dict[int, list[int]] = {}
    for clerk_id, number in session.execute(
        sa.select(col(WindowState.clerk_id), col(WindowState.number)).where(
            col(WindowState.hall) == hall.code,
            col(WindowState.status) == WindowStatus.OPEN,
            col(WindowState.clerk_id).is_not(None),
        )
    ):
        if clerk_id is not None and number in hall.window_by_number:
            found.setdefault(clerk_id, []).append(number)
    return found


def _journey_clerks(session: Session, journeys: set[int | None]) -> dict[int | None, int | None]:
    """The clerk of each journey (the one who asked for the missing materials)."""
    ids = [journey for journey in journeys if journey is not None]
    if not ids:
        return {}
    rows = session.execute(
        sa.select(col(Journey.id), col(Journey.clerk_id)).where(col(Journey.id).in_(ids))
    )
    return {journey: clerk for journey, clerk in rows}


def _preferred_window(
    hall: HallConfig,
    clerk_windows: Mapping[int, Sequence[int]],
    clerk_id: int | None,
    category: str,
) -> int | None:
    """The window of a return visit's journey clerk, while that clerk is signed in at an open
    window serving the ticket's category; None lets every window of the category serve it."""
    if clerk_id is None:
        return None
    for number in clerk_windows.get(clerk_id, ()):
        if category in hall.window_by_number[number].categories:
            return number
    return None


def call_next(scope: Scope, window_no: int) -> TicketPublic | None:
    """Call the ticket the window's dispatch policy picks (from the hall's live state);
    None when nobody waits for it."""
    session, hall = scope.session, scope.hall
    state = operated_window(session, hall, scope.caller, window_no)
    ready_to_call(state)
    window = dispatch_window(hall.window_by_number[window_no], state, now=scope.now)
    waiting = waiting_for(live.working(scope), window=window_no, categories=window.may_serve)
    returning = [t for t in waiting if t.return_visit]
    clerk_windows = _clerk_windows(session, hall) if returning else {}
    journey_clerks = _journey_clerks(session, {t.journey_id for t in returning})
    choice = window.policy.choose(
        window=window.view,
        waiting=[
            Candidate(
                ticket_id=ticket.id,
                category=ticket.category,
                queue_key=ticket.queue_key,
                priority=ticket.priority_ticket,
                target_window=ticket.target_window_no,
                appointment=_within_slot(ticket.appointment_until, scope.now),
                return_visit=ticket.return_visit,
                preferred_window=_preferred_window(
                    hall, clerk_windows, journey_clerks.get(ticket.journey_id), ticket.category
                )
                if ticket.return_visit
                else None,
            )
            for ticket in waiting
        ],
        priority_ratio={c.code: c.priority_ratio for c in hall.categories},
        appointment_ratio={c.code: c.appointment_ratio for c in hall.appointments.categories},
        now=scope.now,
        overflow=hall.overflow_rules,
    )
    if choice is None:
        return None
    return _call(
        scope,
        state=state,
        ticket=load_ticket(session, hall, choice.ticket_id),
        reason=choice.reason,
    )


def call_number(scope: Scope, window_no: int, number: str) -> TicketPublic:
    """Call a given number (特呼), whatever its place in the queue."""
    session, hall = scope.session, scope.hall
    state = operated_window(session, hall, scope.caller, window_no)
    ready_to_call(state)
    ticket = session.exec(
        select(Ticket)
        .where(Ticket.hall == hall.code, Ticket.service_day == scope.today, Ticket.number == number)
        .order_by(col(Ticket.hop).desc())
    ).first()
    if ticket is None:
        raise NotFound(f"今日没有{number}号")
    return _call(scope, state=state, ticket=ticket, reason=CallReason.BY_NUMBER)
