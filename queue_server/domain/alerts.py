"""Which alerts are due now: pure checks over the live queue, each condition raised once."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from queue_server.domain.enums import EventType

WAIT_TARGET: Final = EventType.ALERT_WAIT_TARGET
SERVICE_LIMIT: Final = EventType.ALERT_SERVICE_LIMIT
QUEUE_LENGTH: Final = EventType.ALERT_QUEUE_LENGTH
CASE_OVERDUE: Final = EventType.ALERT_CASE_OVERDUE
DEVICE: Final = EventType.ALERT_DEVICE


@dataclass(frozen=True, slots=True)
class WaitingTicket:
    ticket_id: int
    number: str
    category: str
    queued_at: datetime


@dataclass(frozen=True, slots=True)
class ServingTicket:
    ticket_id: int
    number: str
    category: str
    window_no: int | None
    started_at: datetime


@dataclass(frozen=True, slots=True)
class Thresholds:
    target_wait_seconds: Mapping[str, float]
    service_limit_seconds: Mapping[str, float]
    queue_length: Mapping[str, int | None]
    """A category is flagged when MORE than this many wait; None turns the check off."""


@dataclass(frozen=True, slots=True)
class Alert:
    type: EventType
    category: str
    value: float
    """Seconds waited or served, or people waiting."""
    threshold: float
    ticket_id: int | None = None
    number: str | None = None
    window_no: int | None = None
    case_id: str | None = None
    device: str | None = None


@dataclass(frozen=True, slots=True)
class OpenCase:
    """A case (办不成事 or follow-up) opened and not closed."""

    case_id: str
    kind: str
    category: str
    due: date


def ticket_alerts(
    *,
    now: datetime,
    waiting: Sequence[WaitingTicket],
    serving: Sequence[ServingTicket],
    thresholds: Thresholds,
    raised: Collection[tuple[str, int]],
) -> list[Alert]:
    """A wait past its category's target, a service past its limit; `raised` holds the
    (type, ticket id) pairs already alerted, so each ticket is flagged once per condition."""
    alerts = []
    for ticket in waiting:
        target = thresholds.target_wait_seconds.get(ticket.category)
        waited = (now - ticket.queued_at).total_seconds()
        if target is not None and waited > target and (WAIT_TARGET, ticket.ticket_id) not in raised:
            alerts.append(
                Alert(
                    WAIT_TARGET,
                    ticket.category,
                    waited,
                    target,
                    ticket_id=ticket.ticket_id,
                    number=ticket.number,
                )
            )
    for busy in serving:
        limit = thresholds.service_limit_seconds.get(busy.category)
        served = (now - busy.started_at).total_seconds()
        if limit is not None and served > limit and (SERVICE_LIMIT, busy.ticket_id) not in raised:
            alerts.append(
                Alert(
                    SERVICE_LIMIT,
                    busy.category,
                    served,
                    limit,
                    ticket_id=busy.ticket_id,
                    number=busy.number,
                    window_no=busy.window_no,
                )
            )
    return alerts


def queue_alerts(
    *, waiting: Mapping[str, int], thresholds: Thresholds, flagged: Collection[str]
) -> tuple[list[Alert], frozenset[str]]:
    """Categories whose queue has grown past its limit. `flagged` are those already alerted
    and not yet back at or below it; returns the alerts and the new flagged set, so a queue
    is flagged once each time it crosses the line."""
    alerts = []
    still: set[str] = set()
    for category, limit in thresholds.queue_length.items():
        count = waiting.get(category, 0)
        if limit is None or count <= limit:
            continue
        still.add(category)
        if category not in flagged:
            alerts.append(Alert(QUEUE_LENGTH, category, float(count), float(limit)))
    return alerts, frozenset(still)


def case_alerts(*, today: date, cases: Sequence[OpenCase], raised: Collection[str]) -> list[Alert]:
    """Open cases past their due date; `raised` holds the case ids already alerted. `value`
    is the days overdue (the due date itself is still in time)."""
    return [
        Alert(
            CASE_OVERDUE,
            case.category,
            float((today - case.due).days),
            0.0,
            case_id=case.case_id,
        )
        for case in cases
        if case.due < today and case.case_id not in raised
    ]
