"""市域通办 cases: opening one from a ticket, each hall's steps, the list and the detail.

A thin shell over `domain/cross_region.py`: it loads the case (locked for the step), asks the
pure functions what is allowed and when the next step is due, writes the step rows, and
appends each step's `cross_region.*` event to the log of the hall that took it (the scope's
hall: the write runs in that hall's transaction).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from queue_server.catalog import MatterCatalog
from queue_server.city import CityConfig
from queue_server.domain.cross_region import (
    STEP_LABELS,
    CaseHalls,
    CrossRegionStatus,
    CrossRegionStep,
    Decision,
    Delivery,
    ForwardChannel,
    HallRole,
    Opening,
    allowed_steps,
    case_code,
    case_code_prefix,
    check_decision,
    check_delivery,
    check_forward,
    check_opening,
    due_at,
    is_overdue,
    next_sequence,
    next_step,
    status_label,
    step_hall,
    transition,
    working_days_for,
    wrong_hall_reason,
)
from queue_server.domain.enums import EventType, Role, TicketStatus
from queue_server.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from queue_server.errors import WrongHall
from queue_server.models import CrossRegionCase, CrossRegionStepRecord, Ticket, User
from queue_server.protocol import (
    CrossRegionCaseDetail,
    CrossRegionCasePublic,
    CrossRegionDecide,
    CrossRegionDeliver,
    CrossRegionForward,
    CrossRegionLogEntry,
    CrossRegionOpen,
    CrossRegionPayload,
    CrossRegionReturn,
    CrossRegionStepPublic,
)
from queue_server.services import journal
from queue_server.services.access import load_ticket, window_of
from queue_server.services.cases import staff_public
from queue_server.services.scope import Scope

MAX_LIST = 1000
CODE_ATTEMPTS = 5
"""Tries at a fresh case code when another hall took the same one at the same moment."""

STEP_EVENTS: dict[CrossRegionStep, EventType] = {
    CrossRegionStep.RECEIVE: EventType.CROSS_REGION_RECEIVED,
    CrossRegionStep.FORWARD: EventType.CROSS_REGION_FORWARDED,
    CrossRegionStep.ACCEPT: EventType.CROSS_REGION_ACCEPTED,
    CrossRegionStep.RETURN: EventType.CROSS_REGION_RETURNED,
    CrossRegionStep.RESUBMIT: EventType.CROSS_REGION_RESUBMITTED,
    CrossRegionStep.DECIDE: EventType.CROSS_REGION_DECIDED,
    CrossRegionStep.DELIVER: EventType.CROSS_REGION_DELIVERED,
}
ROLE_COLUMNS = {
    HallRole.RECEIVING: col(CrossRegionCase.receiving_hall),
    HallRole.OWNING: col(CrossRegionCase.owner_hall),
    HallRole.DELIVERING: col(CrossRegionCase.delivering_hall),
}


# --- reading ----------------------------------------------------------------------------------


def halls_of(case: CrossRegionCase) -> CaseHalls:
    return CaseHalls(
        receiving=case.receiving_hall, owner=case.owner_hall, delivering=case.delivering_hall
    )


def _steps_of(session: Session, case_ids: Sequence[int]) -> dict[int, list[CrossRegionStepRecord]]:
    rows = session.exec(
        select(CrossRegionStepRecord)
        .where(col(CrossRegionStepRecord.case_id).in_(case_ids))
        .order_by(col(CrossRegionStepRecord.started_at), col(CrossRegionStepRecord.id))
    ).all()
    steps: dict[int, list[CrossRegionStepRecord]] = {case_id: [] for case_id in case_ids}
    for row in rows:
        steps[row.case_id].append(row)
    return steps


def _open_step(steps: Sequence[CrossRegionStepRecord]) -> CrossRegionStepRecord | None:
    return next((row for row in steps if row.done_at is None), None)


def case_public(
    case: CrossRegionCase, steps: Sequence[CrossRegionStepRecord], *, hall: str, now: datetime
) -> CrossRegionCasePublic:
    """The case as staff of `hall` see it, with the steps that hall may take now."""
    if case.id is None:
        raise ValueError("case has no id yet")
    waiting = _open_step(steps)
    return CrossRegionCasePublic(
        id=case.id,
        code=case.code,
        status=case.status,
        status_label=status_label(case.status, case.delivery),
        receiving_hall=case.receiving_hall,
        owner_hall=case.owner_hall,
        delivering_hall=case.delivering_hall,
        pickup_hall=case.pickup_hall,
        ticket_id=case.ticket_id,
        number=case.number,
        matter=case.matter,
        matter_name=case.matter_name,
        mode=case.mode,
        delivery=case.delivery,
        mail_address=case.mail_address,
        originals_by_mail=case.originals_by_mail,
        returned_materials=list(case.returned_materials),
        result=case.result,
        reason=case.reason,
        opened_at=case.opened_at,
        updated_at=case.updated_at,
        due_at=waiting.due_at if waiting else None,
        overdue=bool(waiting and is_overdue(due=waiting.due_at, done=None, now=now)),
        steps=[
            CrossRegionStepPublic(
                step=row.step,
                label=STEP_LABELS[row.step],
                hall=row.hall,
                started_at=row.started_at,
                due_at=row.due_at,
                done_at=row.done_at,
                overdue=is_overdue(due=row.due_at, done=row.done_at, now=now),
            )
            for row in steps
        ],
        actions=allowed_steps(
            status=case.status,
            returned_before=case.returned,
            roles=halls_of(case).roles(hall),
        ),
    )


def _detail(scope: Scope, case: CrossRegionCase) -> CrossRegionCaseDetail:
    if case.id is None:
        raise ValueError("case has no id yet")
    steps = _steps_of(scope.session, [case.id])[case.id]
    done = sorted(
        (row for row in steps if row.done_at is not None),
        key=lambda row: (row.done_at, row.id or 0),
    )
    wanted = [row.actor_id for row in done if row.actor_id is not None]
    users = {u.id: u for u in scope.session.exec(select(User).where(col(User.id).in_(wanted)))}
    public = case_public(case, steps, hall=scope.code, now=scope.now)
    return CrossRegionCaseDetail(
        **public.model_dump(),
        log=[
            CrossRegionLogEntry(
                step=row.step,
                label=STEP_LABELS[row.step],
                hall=row.hall,
                at=row.done_at,
                actor=staff_public(users.get(row.actor_id)),
                channel=row.channel,
                tracking_no=row.tracking_no,
                note=row.note,
            )
            for row in done
            if row.done_at is not None
        ],
    )


def _load(scope: Scope, case_id: int, *, lock: bool) -> CrossRegionCase:
    """The case, provided the scope's hall is one of its halls (403 wrong_hall otherwise)."""
    statement = select(CrossRegionCase).where(CrossRegionCase.id == case_id)
    case = scope.session.exec(statement.with_for_update() if lock else statement).first()
    if case is None:
        raise NotFound(f"没有编号为{case_id}的市域通办案件")
    if scope.code not in halls_of(case).involved:
        raise WrongHall(f"市域通办案件{case.code}与大厅“{scope.code}”无关")
    return case


def get_case(scope: Scope, case_id: int) -> CrossRegionCaseDetail:
    return _detail(scope, _load(scope, case_id, lock=False))


def list_cases(
    scope: Scope,
    *,
    hall_role: HallRole | None = None,
    status: CrossRegionStatus | None = None,
    overdue: bool | None = None,
    code: str | None = None,
) -> list[CrossRegionCasePublic]:
    """The cases involving the scope's hall: open cases first, the soonest due first."""
    session, hall = scope.session, scope.code
    waiting = sa.orm.aliased(CrossRegionStepRecord)
    statement = select(CrossRegionCase).outerjoin(
        waiting,
        sa.and_(waiting.case_id == CrossRegionCase.id, col(waiting.done_at).is_(None)),
    )
    if hall_role is not None:
        statement = statement.where(ROLE_COLUMNS[hall_role] == hall)
    else:
        statement = statement.where(or_(*(column == hall for column in ROLE_COLUMNS.values())))
    if status is not None:
        statement = statement.where(CrossRegionCase.status == status)
    if code is not None:
        statement = statement.where(CrossRegionCase.code == code.strip())
    if overdue is True:
        statement = statement.where(col(waiting.due_at) < scope.now)
    elif overdue is False:
        statement = statement.where(or_(col(waiting.due_at).is_(None), waiting.due_at >= scope.now))
    rows = session.exec(
        statement.order_by(
            CrossRegionCase.status == CrossRegionStatus.DELIVERED,
            col(waiting.due_at).asc().nulls_last(),
            col(CrossRegionCase.id),
        ).limit(MAX_LIST)
    ).all()
    steps = _steps_of(session, [row.id for row in rows if row.id is not None])
    return [
        case_public(row, steps[row.id], hall=hall, now=scope.now)
        for row in rows
        if row.id is not None
    ]


# --- writing ----------------------------------------------------------------------------------


def _actor(scope: Scope) -> User:
    principal = scope.caller
    user = scope.session.get(User, principal.user_id) if principal.user_id is not None else None
    if user is None:
        raise Forbidden("只有工作人员账号可以办理市域通办案件")
    return user


def _due(
    city: CityConfig,
    case: CrossRegionCase,
    step: CrossRegionStep,
    *,
    start: datetime,
    days: int | None,
) -> datetime | None:
    """When `step` is due, counted in working days of the hall that takes it."""
    hall = city.hall(step_hall(step, halls_of(case)))
    return due_at(start=start, days=days, tz=hall.tz, is_workday=hall.work_calendar.is_workday)


def _open_row(
    scope: Scope,
    city: CityConfig,
    case: CrossRegionCase,
    step: CrossRegionStep,
    *,
    decide_days: int | None,
) -> CrossRegionStepRecord:
    if case.id is None:
        raise ValueError("case has no id yet")
    days = working_days_for(
        step,
        city.cross_region,
        originals_by_mail=case.originals_by_mail,
        decide_days=decide_days,
    )
    row = CrossRegionStepRecord(
        case_id=case.id,
        step=step,
        hall=step_hall(step, halls_of(case)),
        started_at=scope.now,
        due_at=_due(city, case, step, start=scope.now, days=days),
    )
    scope.session.add(row)
    return row


def _record(
    scope: Scope, case: CrossRegionCase, step: CrossRegionStep, *, due: datetime | None, actor: User
) -> None:
    """The step's event, in the log of the hall that took it: no personal data, no staff text."""
    if case.id is None:
        raise ValueError("case has no id yet")
    journal.record_payload(
        scope,
        type=STEP_EVENTS[step],
        payload=CrossRegionPayload(
            case_id=case.id,
            code=case.code,
            step=step,
            status=case.status,
            receiving_hall=case.receiving_hall,
            owner_hall=case.owner_hall,
            delivering_hall=case.delivering_hall,
            matter=case.matter,
            due_at=due,
            result=case.result,
        ),
        clerk=actor,
    )


def _opening_ticket(scope: Scope, ticket_id: int) -> Ticket:
    """The ticket a case is opened from: for a clerk the one at their window (or one they
    finished today); for a manager or admin any ticket of the hall."""
    session, principal = scope.session, scope.caller
    ticket = load_ticket(session, scope.hall, ticket_id)
    if principal.role in (Role.MANAGER, Role.ADMIN):
        return ticket
    window = window_of(session, scope.hall, principal)
    at_window = (
        window is not None
        and window.current_ticket_id == ticket.id
        and ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING)
    )
    finished_here = (
        ticket.status is TicketStatus.DONE
        and ticket.clerk_id == principal.user_id
        and ticket.service_day == scope.today
    )
    if not (at_window or finished_here):
        raise Forbidden(f"{ticket.number}号不在您的窗口：只能为本窗口正在办理的号码登记市域通办")
    return ticket


def _new_code(scope: Scope) -> str:
    day = scope.now.astimezone(scope.hall.tz).date()
    codes = scope.session.exec(
        select(CrossRegionCase.code).where(
            col(CrossRegionCase.code).startswith(case_code_prefix(day))
        )
    ).all()
    return case_code(day, next_sequence(codes, day=day))


def _insert_with_code(scope: Scope, case: CrossRegionCase) -> None:
    """Insert the case under the day's next code. Two halls open cases in parallel on
    PostgreSQL (one writer per hall): the later insert meets the earlier one's code, and
    tries the next number inside a savepoint."""
    session = scope.session
    for _ in range(CODE_ATTEMPTS):
        case.code = _new_code(scope)
        savepoint = session.begin_nested()
        try:
            session.add(case)
            session.flush()
        except IntegrityError:
            savepoint.rollback()
            continue
        savepoint.commit()
        return
    raise Conflict("市域通办案件编号分配冲突，请重试")


def open_case(
    scope: Scope, request: CrossRegionOpen, *, city: CityConfig, catalog: MatterCatalog
) -> CrossRegionCaseDetail:
    """收件: open a case from a ticket of this hall for the hall that owns the matter."""
    session, now = scope.session, scope.now
    matter = catalog.find(request.matter)
    if matter is None:
        raise InvalidInput(f"本大厅的事项目录中没有“{request.matter}”")
    halls = check_opening(
        Opening(
            matter=matter.rules(),
            receiving=scope.code,
            owner=request.owner_hall,
            mode=request.mode,
            delivery=request.delivery,
            pickup_hall=request.pickup_hall,
            mail_address=request.mail_address,
        ),
        city_halls=frozenset(city.codes),
    )
    ticket = _opening_ticket(scope, request.ticket_id)
    existing = session.exec(
        select(CrossRegionCase.code).where(
            CrossRegionCase.ticket_id == ticket.id, CrossRegionCase.matter == matter.id
        )
    ).first()
    if existing is not None:
        raise Conflict(f"{ticket.number}号的“{matter.name}”已登记市域通办案件{existing}")
    actor = _actor(scope)
    case = CrossRegionCase(
        code="",
        receiving_hall=halls.receiving,
        owner_hall=halls.owner,
        delivering_hall=halls.delivering,
        pickup_hall=halls.delivering if request.delivery is Delivery.PICKUP else None,
        ticket_id=ticket.id,
        number=ticket.number,
        matter=matter.id,
        matter_name=matter.name,
        mode=request.mode,
        delivery=request.delivery,
        mail_address=request.mail_address if request.delivery is Delivery.MAIL else None,
        originals_by_mail=matter.originals_by_mail,
        status=CrossRegionStatus.RECEIVED,
        opened_at=now,
        opened_by_id=actor.id,
        updated_at=now,
    )
    _insert_with_code(scope, case)
    if case.id is None:
        raise ValueError("case has no id after its insert")
    session.add(
        CrossRegionStepRecord(
            case_id=case.id,
            step=CrossRegionStep.RECEIVE,
            hall=halls.receiving,
            started_at=now,
            done_at=now,
            actor_id=actor.id,
        )
    )
    forward = _open_row(scope, city, case, CrossRegionStep.FORWARD, decide_days=None)
    _record(scope, case, CrossRegionStep.RECEIVE, due=forward.due_at, actor=actor)
    return _detail(scope, case)


@dataclass(frozen=True, slots=True)
class Done:
    """What the closing step row records besides who and when."""

    channel: str | None = None
    tracking_no: str | None = None
    note: str | None = None


StepInput = Callable[[CrossRegionCase], Done]
"""The step's own checks and changes to the case (422 on bad input); what its row records."""


def _take_step(
    scope: Scope,
    case_id: int,
    step: CrossRegionStep,
    apply: StepInput,
    *,
    city: CityConfig,
    catalog: MatterCatalog | None = None,
) -> CrossRegionCaseDetail:
    """One step: the case locked, the acting hall checked (403 wrong_hall), the transition
    (409), the step's input (422); its row closed, the next one opened, the event appended."""
    session, now = scope.session, scope.now
    case = _load(scope, case_id, lock=True)
    refusal = wrong_hall_reason(step, halls_of(case), acting=scope.code)
    if refusal is not None:
        raise WrongHall(refusal)
    target = transition(status=case.status, step=step, returned_before=case.returned)
    done = apply(case)
    actor = _actor(scope)
    if case.id is None:
        raise ValueError("case has no id")
    waiting = _open_step(_steps_of(session, [case.id])[case.id])
    if waiting is None:
        raise Conflict(f"市域通办案件{case.code}没有待办的环节")
    waiting.step = step
    waiting.done_at = now
    waiting.actor_id = actor.id
    waiting.channel = done.channel
    waiting.tracking_no = done.tracking_no
    waiting.note = done.note
    session.add(waiting)
    case.status = target
    case.updated_at = now
    if target is CrossRegionStatus.DELIVERED:
        case.delivered_at = now
    session.add(case)
    following = next_step(target)
    due = None
    if following is not None:
        matter = catalog.find(case.matter) if catalog is not None else None
        decide_days = matter.decide_working_days if matter is not None else None
        due = _open_row(scope, city, case, following, decide_days=decide_days).due_at
    _record(scope, case, step, due=due, actor=actor)
    return _detail(scope, case)


def forward(
    scope: Scope, case_id: int, request: CrossRegionForward, *, city: CityConfig
) -> CrossRegionCaseDetail:
    """转递: the receiving hall sends the materials on (paper originals by mail)."""

    def apply(case: CrossRegionCase) -> Done:
        check_forward(
            channel=request.channel,
            tracking_no=request.tracking_no,
            originals_by_mail=case.originals_by_mail,
        )
        case.forward_channel = request.channel
        tracking = request.tracking_no if request.channel is ForwardChannel.MAIL else None
        return Done(channel=request.channel, tracking_no=tracking)

    return _take_step(scope, case_id, CrossRegionStep.FORWARD, apply, city=city)


def accept(
    scope: Scope, case_id: int, *, city: CityConfig, catalog: MatterCatalog
) -> CrossRegionCaseDetail:
    """受理: the owning hall re-checks and accepts; the decision's clock starts, with the
    matter's own 承诺时限 from the owning hall's catalog when it names one."""
    return _take_step(
        scope, case_id, CrossRegionStep.ACCEPT, lambda case: Done(), city=city, catalog=catalog
    )


def return_for_correction(
    scope: Scope, case_id: int, request: CrossRegionReturn, *, city: CityConfig
) -> CrossRegionCaseDetail:
    """补正告知: the owning hall sends back every missing or incorrect material at once."""

    def apply(case: CrossRegionCase) -> Done:
        materials = list(dict.fromkeys(request.materials))
        case.returned = True
        case.returned_materials = materials
        return Done(note=request.note)

    return _take_step(scope, case_id, CrossRegionStep.RETURN, apply, city=city)


def resubmit(scope: Scope, case_id: int, *, city: CityConfig) -> CrossRegionCaseDetail:
    """补正转递: the receiving hall forwards the corrected materials."""
    return _take_step(scope, case_id, CrossRegionStep.RESUBMIT, lambda case: Done(), city=city)


def decide(
    scope: Scope, case_id: int, request: CrossRegionDecide, *, city: CityConfig
) -> CrossRegionCaseDetail:
    """办结: approved, or rejected with its reason."""

    def apply(case: CrossRegionCase) -> Done:
        check_decision(result=request.result, reason=request.reason)
        case.result = request.result
        case.reason = request.reason if request.result is Decision.REJECTED else None
        return Done(note=request.reason)

    return _take_step(scope, case_id, CrossRegionStep.DECIDE, apply, city=city)


def deliver(
    scope: Scope, case_id: int, request: CrossRegionDeliver, *, city: CityConfig
) -> CrossRegionCaseDetail:
    """送达: handed over at the pickup hall's 出件 window, or mailed by the owning hall."""

    def apply(case: CrossRegionCase) -> Done:
        check_delivery(
            delivery=case.delivery, channel=request.channel, tracking_no=request.tracking_no
        )
        tracking = request.tracking_no if request.channel is Delivery.MAIL else None
        return Done(channel=request.channel, tracking_no=tracking)

    return _take_step(scope, case_id, CrossRegionStep.DELIVER, apply, city=city)
