"""What a clerk does with a ticket once it is called, and the ways a ticket leaves a queue."""

from datetime import datetime

from sqlmodel import Session

from queue_server.config import HallConfig
from queue_server.domain.enums import EventType, Role, TicketAction, TicketStatus
from queue_server.domain.errors import Forbidden, InvalidInput
from queue_server.domain.outcomes import check_finish_outcome
from queue_server.domain.queueing import requeue_key
from queue_server.domain.states import transition
from queue_server.models import Ticket, WindowState
from queue_server.protocol import TicketPublic, TransferRequest
from queue_server.services import cases, journal
from queue_server.services.access import (
    load_ticket,
    load_user,
    load_window,
    window_holding,
    window_of,
)
from queue_server.services.accounts import Principal
from queue_server.services.views import ticket_public, waiting_keys


def _apply(ticket: Ticket, action: TicketAction) -> None:
    ticket.status = transition(number=ticket.number, status=ticket.status, action=action)


def _release(state: WindowState) -> None:
    state.current_ticket_id = None


def _at_window(
    session: Session,
    *,
    hall: HallConfig,
    principal: Principal,
    ticket_id: int,
    action: TicketAction,
    event: EventType,
    now: datetime,
    outcome: str | None = None,
) -> TicketPublic:
    ticket = load_ticket(session, ticket_id)
    state = window_holding(session, principal, ticket)
    _apply(ticket, action)
    if action is TicketAction.FINISH:
        category = hall.category_by_code.get(ticket.category)
        check_finish_outcome(
            category_name=category.name if category else ticket.category,
            required=category is not None and category.finish_outcome_required,
            outcome=outcome,
        )
    if action is TicketAction.RECALL:
        ticket.recall_count += 1
    elif action is TicketAction.START:
        ticket.started_at = now
    elif action is TicketAction.FINISH:
        ticket.finished_at = now
        ticket.outcome = outcome
        _release(state)
    elif action is TicketAction.NO_SHOW:
        ticket.finished_at = now
        _release(state)
    session.add_all([ticket, state])
    journal.record(
        session,
        hall=hall,
        type=event,
        now=now,
        ticket=ticket,
        window=state,
        clerk=load_user(session, principal),
        reason=outcome,
    )
    return ticket_public(ticket, hall)


def recall(
    *, session: Session, hall: HallConfig, principal: Principal, ticket_id: int, now: datetime
) -> TicketPublic:
    return _at_window(
        session,
        hall=hall,
        principal=principal,
        ticket_id=ticket_id,
        action=TicketAction.RECALL,
        event=EventType.TICKET_RECALLED,
        now=now,
    )


def start(
    *, session: Session, hall: HallConfig, principal: Principal, ticket_id: int, now: datetime
) -> TicketPublic:
    return _at_window(
        session,
        hall=hall,
        principal=principal,
        ticket_id=ticket_id,
        action=TicketAction.START,
        event=EventType.TICKET_STARTED,
        now=now,
    )


def finish(
    *,
    session: Session,
    hall: HallConfig,
    principal: Principal,
    ticket_id: int,
    outcome: str | None,
    now: datetime,
) -> TicketPublic:
    return _at_window(
        session,
        hall=hall,
        principal=principal,
        ticket_id=ticket_id,
        action=TicketAction.FINISH,
        event=EventType.TICKET_FINISHED,
        now=now,
        outcome=outcome,
    )


def no_show(
    *, session: Session, hall: HallConfig, principal: Principal, ticket_id: int, now: datetime
) -> TicketPublic:
    return _at_window(
        session,
        hall=hall,
        principal=principal,
        ticket_id=ticket_id,
        action=TicketAction.NO_SHOW,
        event=EventType.TICKET_NO_SHOW,
        now=now,
    )


def requeue(
    *, session: Session, hall: HallConfig, principal: Principal, ticket_id: int, now: datetime
) -> TicketPublic:
    """Put a returning no-show back in its queue, behind the configured number of tickets."""
    ticket = load_ticket(session, ticket_id)
    own = window_of(session, principal)
    if principal.role is not Role.CLERK or own is None:
        raise Forbidden("请先签到窗口")
    _apply(ticket, TicketAction.REQUEUE)
    queue = waiting_keys(session, day=ticket.service_day, category=ticket.category)
    ticket.queue_key = requeue_key(
        waiting_keys=[key for ticket_id, key in queue if ticket_id != ticket.id],
        after=hall.hall.requeue_after,
        now=now,
    )
    ticket.called_at = None
    ticket.finished_at = None
    ticket.window_no = None
    ticket.call_reason = None
    ticket.target_window_no = None
    session.add(ticket)
    journal.record(
        session,
        hall=hall,
        type=EventType.TICKET_REQUEUED,
        now=now,
        ticket=ticket,
        window=own,
        clerk=load_user(session, principal),
    )
    return ticket_public(ticket, hall)


def transfer(
    *,
    session: Session,
    hall: HallConfig,
    principal: Principal,
    ticket_id: int,
    request: TransferRequest,
    now: datetime,
) -> TicketPublic:
    """End this stint as `transferred` and queue the applicant again, same number, same issue
    time and priority, in another category or for a named window. Returns the new ticket."""
    ticket = load_ticket(session, ticket_id)
    state = window_holding(session, principal, ticket)
    if request.to_category is not None and request.to_category not in hall.category_by_code:
        raise InvalidInput(f"未知的业务类别：{request.to_category}")
    if request.to_window is not None:
        load_window(session, hall, request.to_window)
        if request.to_window == state.number:
            raise InvalidInput("不能转移到本窗口")
    _apply(ticket, TicketAction.TRANSFER)
    ticket.finished_at = now
    _release(state)
    successor = Ticket(
        service_day=ticket.service_day,
        category=request.to_category or ticket.category,
        number=ticket.number,
        sequence=ticket.sequence,
        hop=ticket.hop + 1,
        status=TicketStatus.WAITING,
        priority=ticket.priority,
        priority_note=ticket.priority_note,
        matter=ticket.matter,
        public_code=ticket.public_code,
        issued_at=ticket.issued_at,
        queue_key=ticket.issued_at,
        target_window_no=request.to_window,
        transferred_from_id=ticket.id,
    )
    session.add_all([ticket, state, successor])
    clerk = load_user(session, principal)
    journal.record(
        session,
        hall=hall,
        type=EventType.TICKET_TRANSFERRED,
        now=now,
        ticket=ticket,
        new_ticket=successor,
        window=state,
        clerk=clerk,
        reason=request.reason,
    )
    if request.to_category is not None and request.to_category == hall.case_category:
        cases.open_for_transfer(
            session,
            hall=hall,
            ticket=ticket,
            successor=successor,
            reason=request.reason,
            clerk=clerk,
            now=now,
        )
    return ticket_public(successor, hall)


def cancel(
    *,
    session: Session,
    hall: HallConfig,
    principal: Principal,
    ticket_id: int,
    reason: str | None,
    now: datetime,
) -> TicketPublic:
    """Cancel a ticket: a clerk for a ticket at their window or still waiting, a manager or
    admin for any."""
    ticket = load_ticket(session, ticket_id)
    state: WindowState | None = None
    if ticket.status == TicketStatus.CALLED:
        if principal.role is Role.CLERK:
            state = window_holding(session, principal, ticket)
        elif ticket.window_no is not None:
            state = load_window(session, hall, ticket.window_no)
    elif principal.role is Role.CLERK and window_of(session, principal) is None:
        raise Forbidden("请先签到窗口")
    _apply(ticket, TicketAction.CANCEL)
    ticket.finished_at = now
    if state is not None and state.current_ticket_id == ticket.id:
        _release(state)
        session.add(state)
    session.add(ticket)
    journal.record(
        session,
        hall=hall,
        type=EventType.TICKET_CANCELLED,
        now=now,
        ticket=ticket,
        window=state,
        reason=reason,
    )
    return ticket_public(ticket, hall)
