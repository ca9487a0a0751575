"""Calling tickets to a window: next in line, or a given number."""

import sqlalchemy as sa
from sqlmodel import col, or_, select

from queue_server.domain.dispatch import POLICIES, Candidate, WindowView, next_priority_streak
from queue_server.domain.enums import CallReason, EventType, TicketAction, TicketStatus
from queue_server.domain.errors import NotFound
from queue_server.domain.states import transition
from queue_server.models import Ticket, WindowState
from queue_server.protocol import TicketPublic
from queue_server.services import journal
from queue_server.services.access import load_ticket, load_user, operated_window, ready_to_call
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
    session.add_all([ticket, state])
    journal.record(
        scope,
        type=EventType.TICKET_CALLED,
        ticket=ticket,
        window=state,
        clerk=load_user(session, principal),
    )
    return ticket_public(ticket, scope.hall)


def call_next(scope: Scope, window_no: int) -> TicketPublic | None:
    """Call the ticket the window's dispatch policy picks; None when nobody waits for it."""
    session, hall = scope.session, scope.hall
    state = operated_window(session, hall, scope.caller, window_no)
    ready_to_call(state)
    window = hall.window_by_number[window_no]
    day = scope.today
    rows = session.execute(
        sa.select(
            col(Ticket.id),
            col(Ticket.category),
            col(Ticket.queue_key),
            col(Ticket.priority),
            col(Ticket.target_window_no),
        ).where(
            col(Ticket.hall) == hall.code,
            col(Ticket.service_day) == day,
            col(Ticket.status) == TicketStatus.WAITING,
            or_(
                col(Ticket.target_window_no) == window_no,
                col(Ticket.category).in_(window.categories)
                & col(Ticket.target_window_no).is_(None),
            ),
        )
    ).all()
    choice = POLICIES[window.policy].choose(
        window=WindowView(
            number=window_no,
            categories=tuple(window.categories),
            priority_streak=state.priority_streak,
        ),
        waiting=[
            Candidate(
                ticket_id=ticket_id,
                category=category,
                queue_key=queue_key,
                priority=priority is not None,
                target_window=target_window,
            )
            for ticket_id, category, queue_key, priority, target_window in rows
            if ticket_id is not None
        ],
        priority_ratio={c.code: c.priority_ratio for c in hall.categories},
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
