"""The 办不成事 case desk and the follow-ups of bad reviews: opening, the steps of the flow,
the log, and who may see and work which case. Every step writes its `case.*` event."""

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from queue_server.config import HallConfig
from queue_server.domain.cases import (
    CLASS_LABELS,
    KIND_LABELS,
    LOG_LABELS,
    OPEN,
    STATUS_LABELS,
    CaseAction,
    CaseClass,
    CaseKind,
    CaseLogKind,
    CaseScope,
    CaseStatus,
    allowed_case_actions,
    case_transition,
    check_closing,
    check_follow_up,
    in_time,
    is_overdue,
    may_access,
)
from queue_server.domain.enums import EventType, Role
from queue_server.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from queue_server.domain.evaluation import LEVEL_LABELS
from queue_server.models import CaseLogEntry, Evaluation, ServiceCase, Ticket, User
from queue_server.protocol import (
    CaseAssign,
    CaseClassify,
    CaseClose,
    CaseClosedPayload,
    CaseDetail,
    CaseFeedback,
    CaseFollowUp,
    CaseLogEntryPublic,
    CaseLogRequest,
    CaseOpen,
    CaseOpenedPayload,
    CasePublic,
    CaseUpdatedPayload,
    StaffPublic,
)
from queue_server.services import journal
from queue_server.services.access import load_ticket, window_of
from queue_server.services.accounts import PERSON_ROLES, Principal
from queue_server.services.scope import Scope

MAX_LIST = 1000


def local_date(hall: HallConfig, now: datetime) -> date:
    return now.astimezone(hall.tz).date()


def due_date(hall: HallConfig, *, opened_on: date, days: int) -> date:
    return hall.work_calendar.add_working_days(opened_on, days)


# --- reading ----------------------------------------------------------------------------------


def staff_public(user: User | None) -> StaffPublic | None:
    if user is None:
        return None
    return StaffPublic(name=user.name, display_name=user.display_name, staff_no=user.staff_no)


def _users(session: Session, ids: set[int | None]) -> dict[int | None, User]:
    wanted = [i for i in ids if i is not None]
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(wanted)))}


def case_public(
    case: ServiceCase, hall: HallConfig, *, users: dict[int | None, User], today: date
) -> CasePublic:
    if case.id is None:
        raise ValueError("case has no id yet")
    category = hall.category_by_code.get(case.category) if case.category else None
    return CasePublic(
        id=case.id,
        kind=case.kind,
        kind_label=KIND_LABELS[case.kind],
        status=case.status,
        status_label=STATUS_LABELS[case.status],
        case_class=case.case_class,
        class_label=CLASS_LABELS[case.case_class] if case.case_class else None,
        ticket_id=case.ticket_id,
        desk_ticket_id=case.desk_ticket_id,
        evaluation_id=case.evaluation_id,
        number=case.number,
        category=case.category,
        category_name=category.name if category else case.category,
        window_no=case.window_no,
        matter=case.matter,
        summary=case.summary,
        contact=case.contact,
        opened_at=case.opened_at,
        opened_by=staff_public(users.get(case.opened_by_id)),
        due=case.due,
        overdue=is_overdue(status=case.status, due=case.due, today=today),
        owner=staff_public(users.get(case.owner_id)),
        department=case.department,
        resolution=case.resolution,
        reply=case.reply,
        negative_reason=case.negative_reason,
        closed_at=case.closed_at,
        in_time=case.in_time,
        feedback=case.feedback,
        followup_level=case.followup_level,
        followup_note=case.followup_note,
        updated_at=case.updated_at,
        actions=sorted(allowed_case_actions(case.kind, case.status)),
    )


def scope_of(session: Session, hall: HallConfig, principal: Principal) -> CaseScope:
    manager = principal.role in (Role.MANAGER, Role.ADMIN)
    window = window_of(session, hall, principal) if principal.role is Role.CLERK else None
    desk = hall.case_category
    at_desk = (
        window is not None
        and desk is not None
        and desk in hall.window_by_number[window.number].categories
    )
    return CaseScope(manager=manager, user_id=principal.user_id, at_desk=at_desk)


def _load(session: Session, hall: HallConfig, principal: Principal, case_id: int) -> ServiceCase:
    case = session.get(ServiceCase, case_id)
    if case is None or case.hall != hall.code:
        raise NotFound(f"没有编号为{case_id}的案件")
    access = scope_of(session, hall, principal)
    if not may_access(
        access, kind=case.kind, owner_id=case.owner_id, opened_by_id=case.opened_by_id
    ):
        raise Forbidden(f"您无权处理案件{case_id}：请在办不成事窗口签到，或由管理人员分派")
    return case


def get_case(scope: Scope, case_id: int) -> CaseDetail:
    case = _load(scope.session, scope.hall, scope.caller, case_id)
    return _detail(scope.session, scope.hall, case, scope.now)


def _detail(session: Session, hall: HallConfig, case: ServiceCase, now: datetime) -> CaseDetail:
    entries = session.exec(
        select(CaseLogEntry)
        .where(CaseLogEntry.case_id == case.id)
        .order_by(col(CaseLogEntry.at), col(CaseLogEntry.id))
    ).all()
    users = _users(
        session,
        {case.opened_by_id, case.owner_id, *(entry.actor_id for entry in entries)},
    )
    public = case_public(case, hall, users=users, today=local_date(hall, now))
    return CaseDetail(
        **public.model_dump(),
        log=[
            CaseLogEntryPublic(
                at=entry.at,
                kind=entry.kind,
                label=LOG_LABELS[entry.kind],
                note=entry.note,
                actor=staff_public(users.get(entry.actor_id)),
            )
            for entry in entries
        ],
    )


def list_cases(
    scope: Scope,
    *,
    kind: CaseKind | None = None,
    status: CaseStatus | None = None,
    case_class: CaseClass | None = None,
    owner: str | None = None,
    overdue: bool | None = None,
    ticket_id: int | None = None,
    opened_from: date | None = None,
    opened_to: date | None = None,
) -> list[CasePublic]:
    """The cases the caller may see, soonest due first. `owner="me"` means the caller."""
    session, hall, principal = scope.session, scope.hall, scope.caller
    today = local_date(hall, scope.now)
    statement = select(ServiceCase).where(ServiceCase.hall == hall.code)
    access = scope_of(session, hall, principal)
    if not access.manager:
        visible: list[Any] = [
            col(ServiceCase.owner_id) == access.user_id,
            col(ServiceCase.opened_by_id) == access.user_id,
        ]
        if access.at_desk:
            visible.append(col(ServiceCase.kind) == CaseKind.UNRESOLVED)
        statement = statement.where(or_(*visible))
    if kind is not None:
        statement = statement.where(ServiceCase.kind == kind)
    if status is not None:
        statement = statement.where(ServiceCase.status == status)
    if case_class is not None:
        statement = statement.where(ServiceCase.case_class == case_class)
    if owner is not None:
        owner_id = principal.user_id if owner == "me" else _user_id_by_name(session, owner)
        statement = statement.where(ServiceCase.owner_id == owner_id)
    if overdue is True:
        statement = statement.where(col(ServiceCase.status).in_(OPEN), col(ServiceCase.due) < today)
    elif overdue is False:
        statement = statement.where(
            or_(col(ServiceCase.status).not_in(OPEN), col(ServiceCase.due) >= today)
        )
    if ticket_id is not None:
        statement = statement.where(
            or_(ServiceCase.ticket_id == ticket_id, ServiceCase.desk_ticket_id == ticket_id)
        )
    if opened_from is not None:
        statement = statement.where(ServiceCase.opened_on >= opened_from)
    if opened_to is not None:
        statement = statement.where(ServiceCase.opened_on <= opened_to)
    rows = session.exec(
        statement.order_by(col(ServiceCase.due), col(ServiceCase.id)).limit(MAX_LIST)
    ).all()
    users = _users(session, {r.opened_by_id for r in rows} | {r.owner_id for r in rows})
    return [case_public(row, hall, users=users, today=today) for row in rows]


def _user_id_by_name(session: Session, name: str) -> int:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None or user.id is None:
        raise NotFound(f"没有名为{name}的工作人员")
    return user.id


# --- writing ----------------------------------------------------------------------------------


def _log(
    session: Session,
    case: ServiceCase,
    *,
    kind: CaseLogKind,
    note: str | None,
    actor: User | None,
    now: datetime,
) -> None:
    if case.id is None:
        raise ValueError("case has no id yet")
    session.add(
        CaseLogEntry(
            case_id=case.id, at=now, kind=kind, note=note, actor_id=actor.id if actor else None
        )
    )


def _opened_event(scope: Scope, case: ServiceCase, actor: User | None) -> None:
    if case.id is None:
        raise ValueError("case has no id yet")
    journal.record_payload(
        scope,
        type=EventType.CASE_OPENED,
        payload=CaseOpenedPayload(
            case_id=case.id,
            kind=case.kind,
            case_class=case.case_class,
            due=case.due,
            ticket_id=case.ticket_id,
            category=case.category,
        ),
        ticket_id=case.ticket_id,
        category=case.category,
        window_no=case.window_no,
        clerk=actor,
    )


def _updated_event(
    scope: Scope,
    case: ServiceCase,
    type: EventType,
    actor: User | None,
    *,
    level: int | None = None,
) -> None:
    if case.id is None:
        raise ValueError("case has no id yet")
    journal.record_payload(
        scope,
        type=type,
        payload=CaseUpdatedPayload(
            case_id=case.id,
            kind=case.kind,
            status=case.status,
            case_class=case.case_class,
            due=case.due,
            level=level,
        ),
        ticket_id=case.ticket_id,
        category=case.category,
        window_no=case.window_no,
        clerk=actor,
    )


def _new_case(scope: Scope, *, kind: CaseKind, days: int, **fields: Any) -> ServiceCase:
    hall, now = scope.hall, scope.now
    opened_on = local_date(hall, now)
    return ServiceCase(
        hall=hall.code,
        kind=kind,
        opened_at=now,
        opened_on=opened_on,
        due=due_date(hall, opened_on=opened_on, days=days),
        updated_at=now,
        **fields,
    )


def open_followup(scope: Scope, *, evaluation: Evaluation, ticket: Ticket) -> ServiceCase:
    """A bad review's 回访/整改 case, due in the configured working days."""
    session, hall, now = scope.session, scope.hall, scope.now
    reasons = "、".join(evaluation.reasons)
    summary = f"{evaluation.label}：{reasons}" + (
        f"；{evaluation.comment}" if evaluation.comment else ""
    )
    case = _new_case(
        scope,
        kind=CaseKind.FOLLOWUP,
        days=hall.evaluation.followup_working_days,
        status=CaseStatus.ACCEPTED,
        ticket_id=ticket.id,
        evaluation_id=evaluation.id,
        number=ticket.number,
        category=ticket.category,
        window_no=ticket.window_no,
        matter=ticket.matter,
        summary=summary[:500],
    )
    session.add(case)
    session.flush()
    _log(session, case, kind=CaseLogKind.OPENED, note="差评自动立案", actor=None, now=now)
    _opened_event(scope, case, None)
    return case


def open_for_transfer(
    scope: Scope, *, ticket: Ticket, successor: Ticket, reason: str, clerk: User
) -> ServiceCase:
    """The case a transfer to 办不成事反映 opens, in the transfer's transaction."""
    session, hall, now = scope.session, scope.hall, scope.now
    case_class = hall.cases.default_class
    case = _new_case(
        scope,
        kind=CaseKind.UNRESOLVED,
        days=hall.cases.deadline_working_days.days(case_class),
        status=CaseStatus.ACCEPTED,
        case_class=case_class,
        ticket_id=ticket.id,
        desk_ticket_id=successor.id,
        number=ticket.number,
        category=ticket.category,
        window_no=ticket.window_no,
        matter=ticket.matter,
        summary=reason,
        opened_by_id=clerk.id,
    )
    session.add(case)
    session.flush()
    _log(session, case, kind=CaseLogKind.OPENED, note=reason, actor=clerk, now=now)
    _opened_event(scope, case, clerk)
    return case


def _actor(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    if user is None:
        raise Forbidden("只有工作人员账号可以处理案件")
    return user


def open_case(scope: Scope, request: CaseOpen) -> CaseDetail:
    """Open a 办不成事 case directly at the desk (or as a manager)."""
    session, hall, principal, now = scope.session, scope.hall, scope.caller, scope.now
    access = scope_of(session, hall, principal)
    if not (access.manager or access.at_desk):
        raise Forbidden("请在办不成事反映窗口签到后登记案件")
    actor = _actor(session, principal)
    ticket = (
        load_ticket(session, hall, request.ticket_id) if request.ticket_id is not None else None
    )
    if ticket is not None:
        existing = session.exec(
            select(ServiceCase.id).where(
                ServiceCase.kind == CaseKind.UNRESOLVED,
                or_(ServiceCase.ticket_id == ticket.id, ServiceCase.desk_ticket_id == ticket.id),
            )
        ).first()
        if existing is not None:
            raise Conflict(f"{ticket.number}号已有办不成事案件（编号{existing}）")
    category = request.category or (ticket.category if ticket else None)
    if category is not None and category not in hall.category_by_code:
        raise InvalidInput(f"未知的业务类别：{category}")
    case_class = request.case_class or hall.cases.default_class
    case = _new_case(
        scope,
        kind=CaseKind.UNRESOLVED,
        days=hall.cases.deadline_working_days.days(case_class),
        status=CaseStatus.CLASSIFIED if request.case_class else CaseStatus.ACCEPTED,
        case_class=case_class,
        ticket_id=ticket.id if ticket else None,
        number=ticket.number if ticket else None,
        category=category,
        window_no=ticket.window_no if ticket else None,
        matter=request.matter or (ticket.matter if ticket else None),
        summary=request.summary,
        contact=request.contact or None,
        opened_by_id=actor.id,
        owner_id=actor.id,
    )
    session.add(case)
    session.flush()
    _log(session, case, kind=CaseLogKind.OPENED, note=request.summary, actor=actor, now=now)
    if request.case_class:
        _log(
            session,
            case,
            kind=CaseLogKind.CLASSIFIED,
            note=CLASS_LABELS[case_class],
            actor=actor,
            now=now,
        )
    _opened_event(scope, case, actor)
    return _detail(session, hall, case, now)


def _step(scope: Scope, case_id: int, action: CaseAction) -> tuple[ServiceCase, User, CaseStatus]:
    case = _load(scope.session, scope.hall, scope.caller, case_id)
    actor = _actor(scope.session, scope.caller)
    target = case_transition(case_id=case_id, kind=case.kind, status=case.status, action=action)
    return case, actor, target


def classify(scope: Scope, case_id: int, request: CaseClassify) -> CaseDetail:
    """Set the class; the due date is counted again from the opening day."""
    session, hall, now = scope.session, scope.hall, scope.now
    case, actor, target = _step(scope, case_id, CaseAction.CLASSIFY)
    case.status = target
    case.case_class = request.case_class
    case.due = due_date(
        hall,
        opened_on=case.opened_on,
        days=hall.cases.deadline_working_days.days(request.case_class),
    )
    case.updated_at = now
    session.add(case)
    note = CLASS_LABELS[request.case_class] + (f"：{request.note}" if request.note else "")
    _log(session, case, kind=CaseLogKind.CLASSIFIED, note=note, actor=actor, now=now)
    _updated_event(scope, case, EventType.CASE_CLASSIFIED, actor)
    return _detail(session, hall, case, now)


def assign(scope: Scope, case_id: int, request: CaseAssign) -> CaseDetail:
    """转办: pass the case to an owner and/or a department."""
    session, hall, now = scope.session, scope.hall, scope.now
    case, actor, target = _step(scope, case_id, CaseAction.ASSIGN)
    parts = []
    if request.owner is not None:
        owner = session.exec(select(User).where(User.name == request.owner)).first()
        if (
            owner is None
            or not owner.active
            or owner.role not in PERSON_ROLES
            or owner.hall not in (None, hall.code)
        ):
            raise InvalidInput(f"没有名为{request.owner}的在岗工作人员")
        case.owner_id = owner.id
        parts.append(f"负责人：{owner.display_name}")
    if request.department is not None:
        case.department = request.department
        parts.append(f"转办至：{request.department}")
    if request.note:
        parts.append(request.note)
    case.status = target
    case.updated_at = now
    session.add(case)
    _log(session, case, kind=CaseLogKind.ASSIGNED, note="；".join(parts), actor=actor, now=now)
    _updated_event(scope, case, EventType.CASE_ASSIGNED, actor)
    return _detail(session, hall, case, now)


def log_action(scope: Scope, case_id: int, request: CaseLogRequest) -> CaseDetail:
    """Add a note, a call-back (回访电话) or a fix (整改) to the log."""
    session, hall, now = scope.session, scope.hall, scope.now
    case, actor, _ = _step(scope, case_id, CaseAction.LOG)
    case.updated_at = now
    session.add(case)
    _log(session, case, kind=CaseLogKind(request.kind), note=request.note, actor=actor, now=now)
    _updated_event(scope, case, EventType.CASE_LOGGED, actor)
    return _detail(session, hall, case, now)


def close(scope: Scope, case_id: int, request: CaseClose) -> CaseDetail:
    """办结 with the reply; a negative answer carries its reason."""
    session, hall, now = scope.session, scope.hall, scope.now
    case, actor, target = _step(scope, case_id, CaseAction.CLOSE)
    check_closing(resolution=request.resolution, reason=request.reason)
    case.status = target
    case.resolution = request.resolution
    case.reply = request.reply
    case.negative_reason = request.reason
    case.closed_at = now
    case.closed_by_id = actor.id
    case.in_time = in_time(closed_on=local_date(hall, now), due=case.due)
    case.updated_at = now
    session.add(case)
    note = request.reply + (f"（不能办理原因：{request.reason}）" if request.reason else "")
    _log(session, case, kind=CaseLogKind.CLOSED, note=note, actor=actor, now=now)
    if case.id is None:
        raise ValueError("case has no id")
    journal.record_payload(
        scope,
        type=EventType.CASE_CLOSED,
        payload=CaseClosedPayload(
            case_id=case.id,
            closed_at=now,
            in_time=case.in_time,
            kind=case.kind,
            case_class=case.case_class,
            resolution=case.resolution,
        ),
        ticket_id=case.ticket_id,
        category=case.category,
        window_no=case.window_no,
        clerk=actor,
    )
    return _detail(session, hall, case, now)


def feedback(scope: Scope, case_id: int, request: CaseFeedback) -> CaseDetail:
    """反馈: the reply has reached the applicant."""
    session, hall, now = scope.session, scope.hall, scope.now
    case, actor, target = _step(scope, case_id, CaseAction.FEEDBACK)
    case.status = target
    case.feedback = request.note
    case.updated_at = now
    session.add(case)
    _log(session, case, kind=CaseLogKind.FEEDBACK, note=request.note, actor=actor, now=now)
    _updated_event(scope, case, EventType.CASE_REPLIED, actor)
    return _detail(session, hall, case, now)


def follow_up(scope: Scope, case_id: int, request: CaseFollowUp) -> CaseDetail:
    """回访: the call-back that ends the case, with the applicant's (re-)rating."""
    session, hall, now = scope.session, scope.hall, scope.now
    case, actor, target = _step(scope, case_id, CaseAction.FOLLOW_UP)
    check_follow_up(kind=case.kind, level=request.level)
    case.status = target
    case.followup_level = request.level
    case.followup_note = request.note
    case.updated_at = now
    session.add(case)
    rating = f"{LEVEL_LABELS[request.level]}：" if request.level is not None else ""
    _log(
        session,
        case,
        kind=CaseLogKind.FOLLOWED_UP,
        note=rating + request.note,
        actor=actor,
        now=now,
    )
    _updated_event(scope, case, EventType.CASE_FOLLOWED_UP, actor, level=request.level)
    return _detail(session, hall, case, now)
