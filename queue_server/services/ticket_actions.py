"""What a clerk does with a ticket once it is called, and the ways a ticket leaves a queue."""

from dataclasses import dataclass, field

from queue_server.catalog import MatterCatalog
from queue_server.domain.enums import EventType, Role, TicketAction, TicketStatus
from queue_server.domain.errors import Forbidden, InvalidInput
from queue_server.domain.outcomes import check_finish_outcome
from queue_server.domain.queueing import requeue_key
from queue_server.domain.states import transition
from queue_server.models import Ticket, WindowState
from queue_server.protocol import TicketPublic, TransferRequest
from queue_server.services import cases, journal, journeys
from queue_server.services.access import (
    load_ticket,
    load_user,
    load_window,
    window_holding,
    window_of,
)
from queue_server.services.scope import Scope
from queue_server.services.views import ticket_public, waiting_keys


@dataclass(frozen=True, slots=True)
class FinishContext:
    """What a finish needs beyond its outcome: the materials found missing (补件) and the
    catalog that lists the matter's materials."""

    missing: list[str] = field(default_factory=list)
    catalog: MatterCatalog = field(default_factory=MatterCatalog)


def _apply(ticket: Ticket, action: TicketAction) -> None:
    ticket.status = transition(number=ticket.number, status=ticket.status, action=action)


def _release(state: WindowState) -> None:
    state.current_ticket_id = None


def _at_window(
    scope: Scope,
    ticket_id: int,
    *,
    action: TicketAction,
    event: EventType,
    outcome: str | None = None,
    finished: FinishContext | None = None,
) -> TicketPublic:
    session, hall, now = scope.session, scope.hall, scope.now
    ticket = load_ticket(session, hall, ticket_id)
    state = window_holding(session, hall, scope.caller, ticket)
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
    clerk = load_user(session, scope.caller)
    return_code = None
    if finished is not None:
        return_code = journeys.after_finish(
            scope,
            ticket,
            outcome=outcome,
            missing=finished.missing,
            catalog=finished.catalog,
            window=state,
            clerk=clerk,
        )
    journal.record(scope, type=event, ticket=ticket, window=state, clerk=clerk, reason=outcome)
    public = ticket_public(ticket, hall)
    public.return_code = return_code
    return public


def recall(scope: Scope, ticket_id: int) -> TicketPublic:
    return _at_window(scope, ticket_id, action=TicketAction.RECALL, event=EventType.TICKET_RECALLED)


def start(scope: Scope, ticket_id: int) -> TicketPublic:
    return _at_window(scope, ticket_id, action=TicketAction.START, event=EventType.TICKET_STARTED)


def finish(
    scope: Scope, ticket_id: int, outcome: str | None, context: FinishContext | None = None
) -> TicketPublic:
    """Finishing as 补件 opens (or continues) the ticket's journey: the answer carries its
    `return_code`. Finishing a journey's 出件 ticket collects the result."""
    return _at_window(
        scope,
        ticket_id,
        action=TicketAction.FINISH,
        event=EventType.TICKET_FINISHED,
        outcome=outcome,
        finished=context or FinishContext(),
    )


def no_show(scope: Scope, ticket_id: int) -> TicketPublic:
    return _at_window(scope, ticket_id, action=TicketAction.NO_SHOW, event=EventType.TICKET_NO_SHOW)


def requeue(scope: Scope, ticket_id: int) -> TicketPublic:
    """Put a returning no-show back in its queue, behind the configured number of tickets."""
    session, hall, principal = scope.session, scope.hall, scope.caller
    ticket = load_ticket(session, hall, ticket_id)
    own = window_of(session, hall, principal)
    if principal.role is not Role.CLERK or own is None:
        raise Forbidden("请先签到窗口")
    _apply(ticket, TicketAction.REQUEUE)
    queue = waiting_keys(session, hall=hall.code, day=ticket.service_day, category=ticket.category)
    ticket.queue_key = requeue_key(
        waiting_keys=[key for ticket_id, key in queue if ticket_id != ticket.id],
        after=hall.hall.requeue_after,
        now=scope.now,
    )
    ticket.called_at = None
    ticket.finished_at = None
    ticket.window_no = None
    ticket.call_reason = None
    ticket.target_window_no = None
    session.add(ticket)
    journal.record(
        scope,
        type=EventType.TICKET_REQUEUED,
        ticket=ticket,
        window=own,
        clerk=load_user(session, principal),
    )
    return ticket_public(ticket, hall)


def transfer(scope: Scope, ticket_id: int, request: TransferRequest) -> TicketPublic:
    """End this stint as `transferred` and queue the applicant again, same number, same issue
    time and priority, in another category or for a named window. Returns the new ticket."""
    session, hall, principal, now = scope.session, scope.hall, scope.caller, scope.now
    ticket = load_ticket(session, hall, ticket_id)
    state = window_holding(session, hall, principal, ticket)
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
        hall=ticket.hall,
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
        person_hash=ticket.person_hash,
    )
    session.add_all([ticket, state, successor])
    clerk = load_user(session, principal)
    journal.record(
        scope,
        type=EventType.TICKET_TRANSFERRED,
        ticket=ticket,
        new_ticket=successor,
        window=state,
        clerk=clerk,
        reason=request.reason,
    )
    if request.to_category is not None and request.to_category == hall.case_category:
        cases.open_for_transfer(
            scope, ticket=ticket, successor=successor, reason=request.reason, clerk=clerk
        )
    return ticket_public(successor, hall)


def cancel(scope: Scope, ticket_id: int, reason: str | None) -> TicketPublic:
    """Cancel a ticket: a clerk for a ticket at their window or still waiting, a manager or
    admin for any."""
    session, hall, principal = scope.session, scope.hall, scope.caller
    ticket = load_ticket(session, hall, ticket_id)
    state: WindowState | None = None
    if ticket.status == TicketStatus.CALLED:
        if principal.role is Role.CLERK:
            state = window_holding(session, hall, principal, ticket)
        elif ticket.window_no is not None:
            state = load_window(session, hall, ticket.window_no)
    elif principal.role is Role.CLERK and window_of(session, hall, principal) is None:
        raise Forbidden("请先签到窗口")
    _apply(ticket, TicketAction.CANCEL)
    ticket.finished_at = scope.now
    if state is not None and state.current_ticket_id == ticket.id:
        _release(state)
        session.add(state)
    session.add(ticket)
    journal.record(
        scope, type=EventType.TICKET_CANCELLED, ticket=ticket, window=state, reason=reason
    )
    return ticket_public(ticket, hall)
