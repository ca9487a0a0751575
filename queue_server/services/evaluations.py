"""好差评: rating a done ticket at the window's tablet or on the status page, the defaulted
基本满意 for tickets left unrated, and the manager's list. A bad review opens a follow-up case
in the same transaction."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from queue_server.config import HallConfig
from queue_server.domain.enums import EventType, TicketStatus
from queue_server.domain.errors import Conflict, NotFound
from queue_server.domain.evaluation import (
    DEFAULT_LEVEL,
    LEVEL_LABELS,
    EvaluationChannel,
    check_rateable,
    is_bad,
    normalise_reasons,
)
from queue_server.models import Evaluation, ServiceCase, Ticket, User
from queue_server.protocol import (
    EvaluationLevelPublic,
    EvaluationOptions,
    EvaluationPublic,
    EvaluationSubmit,
    EvaluationSubmittedPayload,
    EvaluatorState,
    PendingRating,
    PublicEvaluationState,
    WindowEvaluationSubmit,
)
from queue_server.services import cases, journal
from queue_server.services.access import load_ticket, load_window
from queue_server.services.scope import Scope
from queue_server.services.views import clerk_public

DEFAULT_BATCH = 500
MAX_LIST = 1000


def options(hall: HallConfig) -> EvaluationOptions:
    return EvaluationOptions(
        levels=[
            EvaluationLevelPublic(level=level, label=label, needs_reason=is_bad(level))
            for level, label in LEVEL_LABELS.items()
        ],
        reasons=list(hall.evaluation.reasons),
        idle_seconds=hall.evaluation.idle_seconds,
    )


def evaluation_public(
    evaluation: Evaluation,
    ticket: Ticket,
    hall: HallConfig,
    *,
    staff: bool,
    clerk: User | None = None,
    case_id: int | None = None,
) -> EvaluationPublic:
    """`staff=False` for the applicant's page: no clerk, no case."""
    if evaluation.id is None or ticket.id is None:
        raise ValueError("flush the session first")
    category = hall.category_by_code.get(evaluation.category)
    return EvaluationPublic(
        id=evaluation.id,
        ticket_id=ticket.id,
        number=ticket.number,
        category=evaluation.category,
        category_name=category.name if category else evaluation.category,
        service_day=evaluation.service_day,
        window_no=evaluation.window_no,
        level=evaluation.level,
        label=evaluation.label,
        reasons=list(evaluation.reasons),
        comment=evaluation.comment,
        channel=evaluation.channel,
        defaulted=evaluation.defaulted,
        submitted_at=evaluation.submitted_at,
        case_id=case_id if staff else None,
        clerk=clerk_public(clerk) if staff else None,
    )


def _evaluation_of(session: Session, ticket_id: int) -> Evaluation | None:
    return session.exec(select(Evaluation).where(Evaluation.ticket_id == ticket_id)).first()


def _store(
    scope: Scope,
    *,
    ticket: Ticket,
    level: int,
    reasons: Sequence[str],
    comment: str | None,
    channel: EvaluationChannel,
) -> Evaluation:
    """Record an evaluation, its event and, for a bad review, its follow-up case."""
    session, hall, now = scope.session, scope.hall, scope.now
    if ticket.id is None:
        raise ValueError("ticket has no id")
    check_rateable(
        number=ticket.number,
        status=ticket.status,
        already_rated=_evaluation_of(session, ticket.id) is not None,
    )
    defaulted = channel is EvaluationChannel.DEFAULT
    chosen = normalise_reasons(level=level, reasons=reasons, allowed=hall.evaluation.reasons)
    evaluation = Evaluation(
        hall=ticket.hall,
        ticket_id=ticket.id,
        level=level,
        label=LEVEL_LABELS[level],
        reasons=chosen,
        comment=comment or None,
        channel=channel,
        defaulted=defaulted,
        submitted_at=now,
        service_day=ticket.service_day,
        category=ticket.category,
        window_no=ticket.window_no,
        clerk_id=ticket.clerk_id,
    )
    session.add(evaluation)
    session.flush()
    clerk = session.get(User, ticket.clerk_id) if ticket.clerk_id is not None else None
    journal.record_payload(
        scope,
        type=EventType.EVALUATION_SUBMITTED,
        payload=EvaluationSubmittedPayload(
            ticket_id=ticket.id,
            number=ticket.number,
            category=ticket.category,
            window_no=ticket.window_no,
            clerk=clerk_public(clerk),
            level=level,
            defaulted=defaulted,
            reasons=chosen,
        ),
        ticket_id=ticket.id,
        category=ticket.category,
        window_no=ticket.window_no,
        clerk=clerk,
        day=ticket.service_day,
    )
    if is_bad(level):
        cases.open_followup(scope, evaluation=evaluation, ticket=ticket)
    return evaluation


# --- the window's evaluator tablet ------------------------------------------------------------


def pending_at_window(
    session: Session, *, hall: HallConfig, window_no: int, now: datetime
) -> Ticket | None:
    """The window's most recently finished ticket, if it was finished lately and is unrated."""
    since = now - timedelta(minutes=hall.evaluation.window_minutes)
    latest = session.exec(
        select(Ticket)
        .where(
            Ticket.hall == hall.code,
            Ticket.window_no == window_no,
            Ticket.status == TicketStatus.DONE,
            col(Ticket.finished_at) >= since,
        )
        .order_by(col(Ticket.finished_at).desc(), col(Ticket.id).desc())
        .limit(1)
    ).first()
    if latest is None or latest.id is None or _evaluation_of(session, latest.id) is not None:
        return None
    return latest


def evaluator_state(
    session: Session, *, hall: HallConfig, window_no: int, now: datetime
) -> EvaluatorState:
    load_window(session, hall, window_no)
    pending = pending_at_window(session, hall=hall, window_no=window_no, now=now)
    category = hall.category_by_code.get(pending.category) if pending else None
    return EvaluatorState(
        window_no=window_no,
        window_name=hall.window_by_number[window_no].name,
        options=options(hall),
        pending=(
            PendingRating(
                ticket_id=pending.id,
                number=pending.number,
                category_name=category.name if category else pending.category,
                finished_at=pending.finished_at,
            )
            if pending is not None and pending.id is not None and pending.finished_at is not None
            else None
        ),
    )


def rate_at_window(
    scope: Scope, window_no: int, request: WindowEvaluationSubmit
) -> EvaluationPublic:
    """The tablet rates only the service just finished at its own window."""
    session, hall, now = scope.session, scope.hall, scope.now
    load_window(session, hall, window_no)
    ticket = load_ticket(session, hall, request.ticket_id)
    pending = pending_at_window(session, hall=hall, window_no=window_no, now=now)
    if pending is None or pending.id != ticket.id:
        check_rateable(
            number=ticket.number,
            status=ticket.status,
            already_rated=_evaluation_of(session, request.ticket_id) is not None,
        )
        raise Conflict(f"{ticket.number}号不是{window_no}号窗口刚办结的业务，不能在此评价")
    evaluation = _store(
        scope,
        ticket=ticket,
        level=request.level,
        reasons=request.reasons,
        comment=request.comment,
        channel=EvaluationChannel.WINDOW,
    )
    return evaluation_public(evaluation, ticket, hall, staff=False)


# --- the applicant's status page ------------------------------------------------------------


def ticket_by_code(session: Session, public_code: str) -> Ticket:
    """The applicant's current ticket: the last stint of the visit the code belongs to."""
    ticket = session.exec(
        select(Ticket)
        .where(Ticket.public_code == public_code.upper())
        .order_by(col(Ticket.issued_at).desc(), col(Ticket.hop).desc())
        .limit(1)
    ).first()
    if ticket is None:
        raise NotFound("没有找到这张票，请核对二维码或查询码")
    return ticket


def _refusal(session: Session, hall: HallConfig, ticket: Ticket, now: datetime) -> str | None:
    if ticket.id is None:
        raise ValueError("ticket has no id")
    try:
        check_rateable(
            number=ticket.number,
            status=ticket.status,
            already_rated=_evaluation_of(session, ticket.id) is not None,
        )
    except Conflict as refused:
        return refused.message
    deadline = timedelta(days=hall.evaluation.default_after_days)
    if ticket.finished_at is not None and now - ticket.finished_at >= deadline:
        return f"评价期限（办结后{hall.evaluation.default_after_days}天）已过"
    return None


def public_state(
    session: Session, *, hall: HallConfig, public_code: str, now: datetime
) -> PublicEvaluationState:
    ticket = ticket_by_code(session, public_code)
    if ticket.id is None:
        raise ValueError("ticket has no id")
    evaluation = _evaluation_of(session, ticket.id)
    refusal = _refusal(session, hall, ticket, now)
    category = hall.category_by_code.get(ticket.category)
    return PublicEvaluationState(
        number=ticket.number,
        category_name=category.name if category else ticket.category,
        status=ticket.status,
        rateable=refusal is None,
        refusal=refusal,
        evaluation=evaluation_public(evaluation, ticket, hall, staff=False) if evaluation else None,
        options=options(hall),
    )


def rate_by_code(scope: Scope, public_code: str, request: EvaluationSubmit) -> EvaluationPublic:
    """The applicant's rating from the status page (`scope` is the ticket's hall)."""
    session, hall = scope.session, scope.hall
    ticket = ticket_by_code(session, public_code)
    if ticket.hall != hall.code:
        raise NotFound("没有找到这张票，请核对二维码或查询码")
    refusal = _refusal(session, hall, ticket, scope.now)
    if refusal is not None:
        raise Conflict(refusal)
    evaluation = _store(
        scope,
        ticket=ticket,
        level=request.level,
        reasons=request.reasons,
        comment=request.comment,
        channel=EvaluationChannel.STATUS_PAGE,
    )
    return evaluation_public(evaluation, ticket, hall, staff=False)


# --- housekeeping and the managers' list ----------------------------------------------------


def default_unrated(scope: Scope, *, limit: int = DEFAULT_BATCH) -> int:
    """Record 基本满意 (defaulted) for up to `limit` done tickets left unrated for the
    configured days; returns how many. Call again while it returns `limit`."""
    session, hall = scope.session, scope.hall
    cutoff = scope.now - timedelta(days=hall.evaluation.default_after_days)
    rated = sa.exists().where(col(Evaluation.ticket_id) == col(Ticket.id))
    tickets = session.exec(
        select(Ticket)
        .where(
            Ticket.hall == hall.code,
            Ticket.status == TicketStatus.DONE,
            col(Ticket.finished_at) <= cutoff,
            ~rated,
        )
        .order_by(col(Ticket.finished_at), col(Ticket.id))
        .limit(limit)
    ).all()
    for ticket in tickets:
        _store(
            scope,
            ticket=ticket,
            level=DEFAULT_LEVEL,
            reasons=(),
            comment=None,
            channel=EvaluationChannel.DEFAULT,
        )
    return len(tickets)


def list_evaluations(
    session: Session,
    *,
    hall: HallConfig,
    day_from: date | None,
    day_to: date | None,
    level: int | None,
    window_no: int | None,
    defaulted: bool | None,
) -> list[EvaluationPublic]:
    """Evaluations by the evaluated tickets' service days, newest first."""
    statement = (
        select(Evaluation, Ticket)
        .join(Ticket, col(Ticket.id) == col(Evaluation.ticket_id))
        .where(Evaluation.hall == hall.code)
    )
    if day_from is not None:
        statement = statement.where(Evaluation.service_day >= day_from)
    if day_to is not None:
        statement = statement.where(Evaluation.service_day <= day_to)
    if level is not None:
        statement = statement.where(Evaluation.level == level)
    if window_no is not None:
        statement = statement.where(Evaluation.window_no == window_no)
    if defaulted is not None:
        statement = statement.where(Evaluation.defaulted == defaulted)
    rows = session.exec(
        statement.order_by(col(Evaluation.submitted_at).desc(), col(Evaluation.id).desc()).limit(
            MAX_LIST
        )
    ).all()
    evaluation_ids = [evaluation.id for evaluation, _ in rows]
    case_ids = {
        evaluation_id: case_id
        for case_id, evaluation_id in session.exec(
            select(ServiceCase.id, ServiceCase.evaluation_id).where(
                col(ServiceCase.evaluation_id).in_(evaluation_ids)
            )
        ).all()
    }
    clerk_ids = {e.clerk_id for e, _ in rows if e.clerk_id is not None}
    clerks = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(clerk_ids)))}
    return [
        evaluation_public(
            evaluation,
            ticket,
            hall,
            staff=True,
            clerk=clerks.get(evaluation.clerk_id),
            case_id=case_ids.get(evaluation.id),
        )
        for evaluation, ticket in rows
    ]
