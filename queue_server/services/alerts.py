"""The periodic alert check: finds what the pure checks flag and appends `alert.*` events."""

import math
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from queue_server.config import HallConfig
from queue_server.domain.alerts import (
    QUEUE_LENGTH,
    SERVICE_LIMIT,
    WAIT_TARGET,
    Alert,
    ServingTicket,
    Thresholds,
    WaitingTicket,
    queue_alerts,
    ticket_alerts,
)
from queue_server.domain.enums import TicketStatus
from queue_server.models import Event, Ticket
from queue_server.protocol import AlertPublic
from queue_server.services import journal
from queue_server.services.stats_report import ALERT_TYPES, today_of, waiting_now


def thresholds(hall: HallConfig) -> Thresholds:
    return Thresholds(
        target_wait_seconds={c.code: c.target_wait_minutes * 60.0 for c in hall.categories},
        service_limit_seconds={c.code: c.service_limit_seconds for c in hall.categories},
        queue_length={c.code: c.queue_alert_length for c in hall.categories},
    )


def _minutes(seconds: float) -> int:
    return math.floor(seconds / 60)


def describe(alert: Alert, hall: HallConfig) -> AlertPublic:
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
    else:
        message = f"{name}等候{int(alert.value)}人，超过{int(alert.threshold)}人，建议开设潮汐窗口"
    return AlertPublic(
        category=alert.category,
        category_name=name,
        value=round(alert.value, 3),
        threshold=alert.threshold,
        ticket_number=alert.number,
        window_no=alert.window_no,
        message=message,
    )


def check(
    session: Session, *, hall: HallConfig, now: datetime, flagged: frozenset[str] | None
) -> tuple[int, frozenset[str]]:
    """Append today's due alerts (in the caller's write transaction). `flagged` are the
    categories whose long queue was already reported (None after a restart: then those
    reported today that are still too long). Returns the number of alerts and the new set."""
    today = today_of(hall, now)
    limits = thresholds(hall)
    kind = sa.type_coerce(col(Event.type), sa.String())
    raised_rows = session.execute(
        sa.select(kind, col(Event.ticket_id), col(Event.category)).where(
            col(Event.service_day) == today, kind.in_(ALERT_TYPES)
        )
    ).all()
    raised = {(type, ticket_id) for type, ticket_id, _ in raised_rows if ticket_id is not None}
    waiting = waiting_now(session, day=today)
    serving = session.exec(
        select(Ticket).where(
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
    for alert in [*due, *queue_due]:
        journal.record(
            session,
            hall=hall,
            type=alert.type,
            now=now,
            ticket=tickets.get(alert.ticket_id) if alert.ticket_id is not None else None,
            category=alert.category,
            alert=describe(alert, hall),
        )
    return len(due) + len(queue_due), still
