"""A matter from the visit that ended in 补件 to 出件: opening and continuing a journey when a
clerk finishes, the return code at the kiosk, ready, collected, expired."""

import json
from typing import Literal

from sqlmodel import Session, col, select

from queue_server.catalog import MatterCatalog
from queue_server.config import HallConfig
from queue_server.domain import journeys as rules
from queue_server.domain.enums import (
    JOURNEY_STATUS_LABELS,
    EventType,
    FinishOutcome,
    JourneyStatus,
    TicketStatus,
)
from queue_server.domain.errors import Conflict, InvalidInput, NotFound
from queue_server.models import Journey, JourneyVisit, Ticket, User, WindowState
from queue_server.protocol import (
    JourneyEventPayload,
    JourneyPublic,
    JourneyReady,
    JourneyStatusPublic,
    JourneyVisitPublic,
    LockerPickupPublic,
    TicketCreate,
    TicketPublic,
)
from queue_server.security import new_short_code
from queue_server.services import issuing, journal
from queue_server.services.scope import Scope

OPEN_TICKET = frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING})
CODE_ATTEMPTS = 16
MAX_LIST = 500


def _missing(journey: Journey | JourneyVisit) -> list[str]:
    items: list[str] = json.loads(journey.missing)
    return items


def _record(scope: Scope, journey: Journey, type: EventType, ticket_id: int | None) -> None:
    if journey.id is None:
        raise ValueError("journey has no id yet; flush the session first")
    waiting = journey.status is JourneyStatus.AWAITING_DOCUMENTS
    payload = JourneyEventPayload(
        id=journey.id,
        category=journey.category,
        matter=journey.matter,
        status=journey.status,
        valid_until=journey.valid_until,
        missing_count=len(_missing(journey)) if waiting else 0,
        ticket_id=ticket_id,
    )
    journal.record_payload(
        scope,
        type=type,
        payload=payload,
        ticket_id=ticket_id,
        category=journey.category,
        window_no=journey.window_no,
    )


def _new_return_code(session: Session) -> str:
    for _ in range(CODE_ATTEMPTS):
        code = new_short_code(rules.RETURN_CODE_LENGTH)
        if session.exec(select(Journey.id).where(Journey.return_code == code)).first() is None:
            return code
    raise Conflict("未能生成不重复的回执码，请重试")


def _materials(catalog: MatterCatalog, matter: str | None) -> list[str]:
    found = catalog.find(matter) if matter else None
    return list(found.materials) if found else []


def _is_pickup(hall: HallConfig, journey: Journey, ticket: Ticket) -> bool:
    return ticket.category == hall.pickup_category and ticket.category != journey.category


def after_finish(
    scope: Scope,
    ticket: Ticket,
    *,
    outcome: str | None,
    missing: list[str],
    catalog: MatterCatalog,
    window: WindowState,
    clerk: User,
) -> str | None:
    """Keep the journey in step with a finished visit; returns the journey's return code
    when the visit ended in 补件 (a journey opened or continued)."""
    session, hall, now = scope.session, scope.hall, scope.now
    journey = session.get(Journey, ticket.journey_id) if ticket.journey_id else None
    if journey is not None and _is_pickup(hall, journey, ticket):
        if outcome == FinishOutcome.NEEDS_DOCUMENTS or missing:
            raise InvalidInput("出件号不能以“补件”办结")
        if outcome in (None, FinishOutcome.RESOLVED) and journey.status is JourneyStatus.READY:
            journey.status = JourneyStatus.COLLECTED
            journey.collected_at = journey.closed_at = now
            session.add(journey)
            _record(scope, journey, EventType.JOURNEY_COLLECTED, ticket.id)
        return None
    items = rules.check_missing(
        outcome=outcome, missing=missing, matter_materials=_materials(catalog, ticket.matter)
    )
    needs_documents = outcome == FinishOutcome.NEEDS_DOCUMENTS
    continuing = journey is not None and journey.status in rules.OPEN_STATES
    if not needs_documents:
        if journey is not None and continuing and ticket.id is not None:
            session.add(JourneyVisit(journey_id=journey.id or 0, ticket_id=ticket.id, at=now))
        return None
    if journey is None or not continuing:
        journey = Journey(
            hall=scope.code,
            category=ticket.category,
            matter=ticket.matter,
            return_code=_new_return_code(session),
            status=JourneyStatus.AWAITING_DOCUMENTS,
            first_ticket_id=ticket.id or 0,
            opened_at=now,
            valid_until=now,
        )
        event = EventType.JOURNEY_OPENED
    else:
        event = EventType.JOURNEY_DOCUMENTS_REQUESTED
    journey.status = JourneyStatus.AWAITING_DOCUMENTS
    journey.missing = json.dumps(items, ensure_ascii=False)
    journey.valid_until = rules.valid_until(now=now, days=hall.journeys.return_valid_days)
    journey.clerk_id = clerk.id
    journey.window_no = window.number
    session.add(journey)
    session.flush()
    ticket.journey_id = journey.id
    session.add(ticket)
    session.add(
        JourneyVisit(
            journey_id=journey.id or 0,
            ticket_id=ticket.id or 0,
            at=now,
            missing=journey.missing,
        )
    )
    _record(scope, journey, event, ticket.id)
    return journey.return_code


def _find(session: Session, hall: str, code: str) -> Journey:
    journey = session.exec(
        select(Journey).where(
            Journey.hall == hall, Journey.return_code == rules.normalise_return_code(code)
        )
    ).first()
    if journey is None:
        raise NotFound("没有找到这个回执码，请核对后重新输入")
    return journey


def _tickets(session: Session, journey_id: int) -> list[Ticket]:
    return list(
        session.exec(
            select(Ticket).where(Ticket.journey_id == journey_id).order_by(col(Ticket.id))
        ).all()
    )


def _facts(session: Session, journey: Journey) -> rules.JourneyFacts:
    tickets = _tickets(session, journey.id or 0)
    open_ticket = next((t for t in tickets if t.status in OPEN_TICKET), None)
    returns = [t for t in tickets if t.return_visit]
    return rules.JourneyFacts(
        status=journey.status,
        valid_until=journey.valid_until,
        collect_at=journey.collect_at,
        open_ticket_number=open_ticket.number if open_ticket else None,
        served_since_return=bool(returns) and returns[-1].status is TicketStatus.DONE,
    )


def return_ticket(scope: Scope, code: str, *, catalog: MatterCatalog) -> TicketPublic:
    """The kiosk's 补件回执: a return ticket continuing the journey, or, once the result is
    ready, a ticket of the 出件 category; refused (4xx, in Chinese) otherwise."""
    session, hall = scope.session, scope.hall
    journey = _find(session, scope.code, code)
    action = rules.kiosk_action(
        _facts(session, journey),
        now=scope.now,
        has_pickup_category=hall.pickup_category is not None,
    )
    if action is rules.ReturnAction.PICKUP:
        request = TicketCreate(category=hall.pickup_category or journey.category)
        public = issuing.issue_ticket(scope, request, journey_id=journey.id)
        return public
    request = TicketCreate(category=journey.category, matter=journey.matter)
    public = issuing.issue_ticket(
        scope, request, catalog=catalog, journey_id=journey.id, return_visit=True
    )
    journey.status = JourneyStatus.RETURNED
    session.add(journey)
    _record(scope, journey, EventType.JOURNEY_RETURNED, public.id)
    return public


def load(scope: Scope, journey_id: int) -> Journey:
    journey = scope.session.get(Journey, journey_id)
    if journey is None or journey.hall != scope.code:
        raise NotFound(f"没有编号为{journey_id}的补件记录")
    return journey


def mark_ready(scope: Scope, journey_id: int, body: JourneyReady) -> JourneyPublic:
    """The result can be collected: at the 出件 window, or from a smart locker."""
    journey = load(scope, journey_id)
    if journey.status is not JourneyStatus.RETURNED:
        label = JOURNEY_STATUS_LABELS[journey.status]
        raise Conflict(f"此事项当前为“{label}”，材料收齐办理后才能通知领取")
    if body.collect_at == "window" and scope.hall.pickup_category is None:
        raise Conflict("本大厅没有出件窗口，请选择存入智能文件柜")
    journey.status = JourneyStatus.READY
    journey.ready_at = scope.now
    journey.collect_at = body.collect_at
    scope.session.add(journey)
    _record(scope, journey, EventType.JOURNEY_READY, None)
    return journey_public(scope, journey)


def check_expired(scope: Scope, *, dry_run: bool = False) -> int:
    """Journeys still awaiting documents past their return code's validity become expired."""
    rows = scope.session.exec(
        select(Journey).where(
            Journey.hall == scope.code,
            Journey.status == JourneyStatus.AWAITING_DOCUMENTS,
            col(Journey.valid_until) < scope.now,
        )
    ).all()
    if dry_run:
        return len(rows)
    for journey in rows:
        journey.status = JourneyStatus.EXPIRED
        journey.closed_at = scope.now
        scope.session.add(journey)
        _record(scope, journey, EventType.JOURNEY_EXPIRED, None)
    return len(rows)


def _visit_public(session: Session, visit: JourneyVisit) -> JourneyVisitPublic:
    ticket = session.get(Ticket, visit.ticket_id)
    if ticket is None:
        raise NotFound(f"没有编号为{visit.ticket_id}的票据")
    clerk = session.get(User, ticket.clerk_id) if ticket.clerk_id else None
    return JourneyVisitPublic(
        ticket_id=visit.ticket_id,
        number=ticket.number,
        service_day=ticket.service_day,
        window_no=ticket.window_no,
        clerk=clerk.display_name if clerk else None,
        outcome=ticket.outcome,
        missing=_missing(visit),
        at=visit.at,
    )


def _collect_at(journey: Journey) -> Literal["window", "locker"] | None:
    if journey.collect_at is None:
        return None
    return "locker" if journey.collect_at == "locker" else "window"


def journey_public(scope: Scope, journey: Journey) -> JourneyPublic:
    session = scope.session
    visits = session.exec(
        select(JourneyVisit)
        .where(JourneyVisit.journey_id == journey.id)
        .order_by(col(JourneyVisit.at), col(JourneyVisit.id))
    ).all()
    category = scope.hall.category_by_code.get(journey.category)
    clerk = session.get(User, journey.clerk_id) if journey.clerk_id else None
    return JourneyPublic(
        id=journey.id or 0,
        category=journey.category,
        category_name=category.name if category else journey.category,
        matter=journey.matter,
        status=journey.status,
        status_label=JOURNEY_STATUS_LABELS[journey.status],
        return_code=journey.return_code,
        missing=_missing(journey),
        opened_at=journey.opened_at,
        valid_until=journey.valid_until,
        ready_at=journey.ready_at,
        collected_at=journey.collected_at,
        visits=[_visit_public(session, visit) for visit in visits],
        collect_at=_collect_at(journey),
        clerk=clerk.display_name if clerk else None,
        window_no=journey.window_no,
    )


def list_journeys(scope: Scope, status: JourneyStatus | None) -> list[JourneyPublic]:
    query = select(Journey).where(Journey.hall == scope.code)
    if status is not None:
        query = query.where(Journey.status == status)
    rows = scope.session.exec(query.order_by(col(Journey.id).desc()).limit(MAX_LIST)).all()
    return [journey_public(scope, row) for row in rows]


def _pickup_window(hall: HallConfig) -> tuple[int, str] | None:
    category = hall.pickup_category
    window = next((w for w in hall.windows if category in w.categories), None)
    return (window.number, window.name) if window else None


def collected_from_locker(scope: Scope, ticket_id: int | None) -> None:
    """A result picked up from the smart locker ends the ready journey it belongs to."""
    ticket = scope.session.get(Ticket, ticket_id) if ticket_id else None
    journey = (
        scope.session.get(Journey, ticket.journey_id) if ticket and ticket.journey_id else None
    )
    if journey is None or journey.status is not JourneyStatus.READY:
        return
    journey.status = JourneyStatus.COLLECTED
    journey.collected_at = journey.closed_at = scope.now
    scope.session.add(journey)
    _record(scope, journey, EventType.JOURNEY_COLLECTED, None)


def journey_view(
    journey: Journey | None, *, hall: HallConfig, locker: LockerPickupPublic | None
) -> JourneyStatusPublic | None:
    """The journey block of the status page from the journey's row."""
    if journey is None:
        return None
    ready = journey.status is JourneyStatus.READY
    shows_code = journey.status is JourneyStatus.AWAITING_DOCUMENTS or (
        ready and journey.collect_at != "locker"
    )
    view = JourneyStatusPublic(
        status=journey.status,
        status_label=JOURNEY_STATUS_LABELS[journey.status],
        return_code=journey.return_code if shows_code else None,
        missing=_missing(journey) if journey.status is JourneyStatus.AWAITING_DOCUMENTS else [],
        valid_until=journey.valid_until if shows_code else None,
        collect_text=(
            rules.collect_text(
                collect_at=journey.collect_at,
                window=_pickup_window(hall),
                locker_label=locker.locker_label if locker else None,
            )
            if ready
            else None
        ),
    )
    return view
