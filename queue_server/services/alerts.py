"""The periodic alert check: finds what the pure checks flag and appends `alert.*` events."""

import json
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import Session, col, select

from queue_server.config import HallConfig
from queue_server.domain.alerts import (
    CASE_OVERDUE,
    DEVICE,
    QUEUE_LENGTH,
    SERVICE_LIMIT,
    WAIT_TARGET,
    Alert,
    OpenCase,
    ServingTicket,
    Thresholds,
    WaitingTicket,
    case_alerts,
    queue_alerts,
    ticket_alerts,
)
from queue_server.domain.enums import TicketStatus
from queue_server.domain.rate_limit import Rate
from queue_server.models import Event, Ticket
from queue_server.protocol import AlertPublic, TidalSuggestionPublic
from queue_server.services import journal, tidal
from queue_server.services.scope import Scope
from queue_server.services.stats_report import ALERT_TYPES, waiting_now

CASE_LOOKBACK_DAYS: Final = 120
"""How far back open cases are looked for; older ones have long been reported."""


@dataclass(frozen=True, slots=True)
class WatchState:
    """What the previous check left: the long queues already reported (None after a start:
    then those reported today and still too long), and the day cases were last checked."""

    flagged: frozenset[str] | None = None
    cases_checked: date | None = None


def thresholds(hall: HallConfig) -> Thresholds:
    return Thresholds(
        target_wait_seconds={c.code: c.target_wait_minutes * 60.0 for c in hall.categories},
        service_limit_seconds={c.code: c.service_limit_seconds for c in hall.categories},
        queue_length={c.code: c.queue_alert_length for c in hall.categories},
    )


def _minutes(seconds: float) -> int:
    return math.floor(seconds / 60)


def describe(
    alert: Alert, hall: HallConfig, *, suggestion: TidalSuggestionPublic | None = None
) -> AlertPublic:
    """The alert for people; a long queue's carries the 潮汐 `suggestion` for it, if any."""
    category = hall.category_by_code.get(alert.category)
    name = category.name if category else alert.category
    if alert.type == WAIT_TARGET:
        message = (
            f"{alert.number}号（{name}）已等候{_minutes(alert.value)}分钟，"
            f"超过目标等候时间{_minutes(alert.threshold)}分钟"
        )
    elif alert.type == SERVICE_LIMIT:
        message = (
            f"{alert.window_no}号窗口办理{alert.number}号已{_minutes(alert.value)}分钟，"
            f"超过办理时限{_minutes(alert.threshold)}分钟"
        )
    elif alert.type == CASE_OVERDUE:
        message = f"{name}案件{alert.case_id}已超过办理期限{int(alert.value)}天，请尽快办结"
    elif alert.type == DEVICE:
        message = (
            f"取号机“{alert.device}”取号过于频繁（超过连续{int(alert.value)}张、"
            f"每{alert.threshold:g}秒1张），已被限制；请检查该设备及其令牌是否被盗用"
        )
    else:
        message = f"{name}等候{int(alert.value)}人，超过{int(alert.threshold)}人，建议开设潮汐窗口"
        if suggestion is not None:
            message += f"（{suggestion.message}）"
    return AlertPublic(
        category=alert.category,
        category_name=name,
        value=round(alert.value, 3),
        threshold=alert.threshold,
        ticket_number=alert.number,
        window_no=alert.window_no,
        case_id=alert.case_id,
        device=alert.device,
        suggestion=suggestion,
        message=message,
    )


def record_device_alert(scope: Scope, *, device: str, category: str, rate: Rate) -> None:
    """A device token went over its issuing limit (`category`: what it was issuing)."""
    alert = Alert(DEVICE, category, float(rate.burst), rate.seconds_per_request, device=device)
    journal.record(scope, type=alert.type, category=category, alert=describe(alert, scope.hall))


def _payloads(
    session: Session, hall: str, types: tuple[str, ...], since: date
) -> list[dict[str, Any]]:
    kind = sa.type_coerce(col(Event.type), sa.String())
    rows = session.execute(
        sa.select(kind, col(Event.payload))
        .where(col(Event.hall) == hall, col(Event.service_day) >= since, kind.in_(types))
        .order_by(col(Event.seq))
    )
    found = []
    for type, payload in rows:
        data = json.loads(payload)
        inner = data.get("case") if isinstance(data.get("case"), dict) else data
        found.append({"type": type} | inner | ({"alert": data["alert"]} if "alert" in data else {}))
    return found


def open_cases(session: Session, *, hall: str, today: date) -> tuple[list[OpenCase], set[str]]:
    """Cases opened in the lookback and not closed, and the case ids already alerted."""
    since = today - timedelta(days=CASE_LOOKBACK_DAYS)
    events = _payloads(session, hall, ("case.opened", "case.closed", CASE_OVERDUE), since)
    closed = {str(e.get("case_id")) for e in events if e["type"] == "case.closed"}
    raised = {
        str(e["alert"].get("case_id"))
        for e in events
        if e["type"] == CASE_OVERDUE and isinstance(e.get("alert"), dict)
    }
    cases = []
    for event in events:
        if event["type"] != "case.opened" or str(event.get("case_id")) in closed:
            continue
        try:
            due = date.fromisoformat(str(event.get("due")))
        except ValueError:
            continue
        cases.append(
            OpenCase(
                case_id=str(event.get("case_id")),
                kind=str(event.get("kind") or ""),
                category=str(event.get("category") or ""),
                due=due,
            )
        )
    return cases, raised


def check(scope: Scope, *, state: WatchState, dry_run: bool = False) -> tuple[int, WatchState]:
    """Append the alerts due now (in the caller's write transaction); returns how many and
    the state for the next check. With `dry_run`, only count them (in a read transaction).
    Cases are checked once per service day: due dates are days, so a case only becomes
    overdue when a day turns."""
    session, hall, now, today = scope.session, scope.hall, scope.now, scope.today
    flagged = state.flagged
    limits = thresholds(hall)
    kind = sa.type_coerce(col(Event.type), sa.String())
    raised_rows = session.execute(
        sa.select(kind, col(Event.ticket_id), col(Event.category)).where(
            col(Event.hall) == hall.code, col(Event.service_day) == today, kind.in_(ALERT_TYPES)
        )
    ).all()
    raised = {(type, ticket_id) for type, ticket_id, _ in raised_rows if ticket_id is not None}
    waiting = waiting_now(session, hall=hall.code, day=today)
    serving = session.exec(
        select(Ticket).where(
            Ticket.hall == hall.code,
            Ticket.service_day == today,
            Ticket.status == TicketStatus.SERVING,
            col(Ticket.started_at).is_not(None),
        )
    ).all()
    tickets = {ticket.id: ticket for ticket, _ in waiting} | {t.id: t for t in serving}
    due = ticket_alerts(
        now=now,
        waiting=[
            WaitingTicket(t.id, t.number, t.category, queued_at)
            for t, queued_at in waiting
            if t.id is not None
        ],
        serving=[
            ServingTicket(t.id, t.number, t.category, t.window_no, t.started_at)
            for t in serving
            if t.id is not None and t.started_at is not None
        ],
        thresholds=limits,
        raised=raised,
    )
    counts: dict[str, int] = {}
    for ticket, _ in waiting:
        if ticket.target_window_no is None:
            counts[ticket.category] = counts.get(ticket.category, 0) + 1
    if flagged is None:
        flagged = frozenset(
            category for type, _, category in raised_rows if type == QUEUE_LENGTH and category
        )
    queue_due, still = queue_alerts(waiting=counts, thresholds=limits, flagged=flagged)
    overdue: list[Alert] = []
    if state.cases_checked != today:
        cases, already = open_cases(session, hall=hall.code, today=today)
        overdue = case_alerts(today=today, cases=cases, raised=already)
    for alert in [] if dry_run else [*due, *queue_due, *overdue]:
        suggestion = (
            tidal.current_suggestion(scope, category=alert.category)
            if alert.type == QUEUE_LENGTH
            else None
        )
        journal.record(
            scope,
            type=alert.type,
            ticket=tickets.get(alert.ticket_id) if alert.ticket_id is not None else None,
            category=alert.category,
            alert=describe(alert, hall, suggestion=suggestion),
        )
    count = len(due) + len(queue_due) + len(overdue)
    return count, WatchState(flagged=still, cases_checked=today)
