"""Appends to the event log, in the caller's transaction."""

from datetime import date, datetime

from pydantic import BaseModel
from sqlmodel import Session

from queue_server.config import HallConfig
from queue_server.domain.enums import EventType
from queue_server.domain.numbering import service_day
from queue_server.group_commit import after_commit
from queue_server.models import Event, Ticket, User, WindowState
from queue_server.protocol import AlertPublic, EventMessage
from queue_server.services import stats_rollups
from queue_server.services.views import clerk_public, ticket_public, window_public


def record(
    session: Session,
    *,
    hall: HallConfig,
    type: EventType,
    now: datetime,
    ticket: Ticket | None = None,
    new_ticket: Ticket | None = None,
    window: WindowState | None = None,
    clerk: User | None = None,
    reason: str | None = None,
    alert: AlertPublic | None = None,
    category: str | None = None,
) -> Event:
    """Write one event. Its payload is the wire message (less `seq`), encoded once here.
    An event for a service day that is already over drops that day's statistics roll-up."""
    session.flush()
    message = EventMessage(
        type=type,
        seq=0,
        at=now,
        ticket=ticket_public(ticket, hall, private=False) if ticket else None,
        new_ticket=ticket_public(new_ticket, hall, private=False) if new_ticket else None,
        window=window_public(session, window, hall) if window else None,
        reason=reason,
        clerk=clerk_public(clerk),
        alert=alert,
    )
    today = service_day(now=now, tz=hall.tz, start_hour=hall.hall.service_day_start_hour)
    day = ticket.service_day if ticket else today
    if day != today:
        stats_rollups.forget(session, day)
    event = Event(
        type=type,
        at=now,
        service_day=day,
        ticket_id=ticket.id if ticket else None,
        window_no=window.number if window else (ticket.window_no if ticket else None),
        clerk_id=clerk.id if clerk else None,
        category=ticket.category if ticket else category,
        payload=message.model_dump_json(exclude={"seq"}, exclude_none=True),
    )
    session.add(event)
    session.flush()
    after_commit(session, event)
    return event


def record_payload(
    session: Session,
    *,
    hall: HallConfig,
    type: EventType,
    now: datetime,
    payload: BaseModel,
    ticket_id: int | None = None,
    category: str | None = None,
    window_no: int | None = None,
    clerk: User | None = None,
    day: date | None = None,
) -> Event:
    """Write one `evaluation.*` or `case.*` event, whose facts travel in `payload` (every key
    present, null included). `day` files it under a service day other than today's."""
    session.flush()
    message = EventMessage(
        type=type,
        seq=0,
        at=now,
        clerk=clerk_public(clerk),
        payload=payload.model_dump(mode="json"),
    )
    today = service_day(now=now, tz=hall.tz, start_hour=hall.hall.service_day_start_hour)
    if day is not None and day != today:
        stats_rollups.forget(session, day)
    event = Event(
        type=type,
        at=now,
        service_day=day or today,
        ticket_id=ticket_id,
        window_no=window_no,
        clerk_id=clerk.id if clerk else None,
        category=category,
        payload=message.model_dump_json(exclude={"seq"}, exclude_none=True),
    )
    session.add(event)
    session.flush()
    return event
