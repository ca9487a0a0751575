"""Appends to the event log, in the caller's transaction."""

from dataclasses import dataclass
from datetime import date
from typing import cast

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session

from queue_server.domain.enums import EventType
from queue_server.group_commit import after_commit
from queue_server.models import Event, Ticket, User, WindowState
from queue_server.notify import hall_written
from queue_server.protocol import AlertPublic, EventMessage
from queue_server.services import stats_rollups
from queue_server.services.scope import Scope
from queue_server.services.views import clerk_public, ticket_public, window_public

_LATEST_KEY = "yimen.latest_seq"
_EVENTS = cast(sa.Table, sa.inspect(Event).local_table)
_EVENT_COLUMNS = tuple(column.name for column in _EVENTS.columns if column.name != "seq")
_INSERT_EVENT = sa.insert(_EVENTS).returning(_EVENTS.c.seq)
_LATEST_SEQ = sa.select(sa.func.max(_EVENTS.c.seq)).where(
    _EVENTS.c.hall == sa.bindparam("latest_hall")
)


@dataclass(frozen=True, slots=True)
class Appended:
    """An event this transaction wrote, handed to the hub once it has committed.
    `previous` is the seq of the hall's event before it: when the hub has published exactly
    that one, it may publish this one at once; otherwise another process wrote in between
    and the hub reads the log instead."""

    event: Event
    previous: int


def latest_seq(session: Session, hall: str) -> int:
    """The seq of the hall's newest event. Read once per transaction, under the hall's write
    lock, then carried along as this transaction appends."""
    latest: dict[str, int] = session.info.setdefault(_LATEST_KEY, {})
    if hall not in latest:
        latest[hall] = (
            session.connection().execute(_LATEST_SEQ, {"latest_hall": hall}).scalar_one() or 0
        )
    return latest[hall]


def _append(
    scope: Scope,
    message: EventMessage,
    *,
    day: date,
    ticket_id: int | None,
    window_no: int | None,
    clerk_id: int | None,
    category: str | None,
) -> Event:
    session = scope.session
    if day != scope.today:
        stats_rollups.forget(session, scope.code, day)
    previous = latest_seq(session, scope.code)
    event = Event(
        hall=scope.code,
        type=message.type,
        at=scope.now,
        service_day=day,
        ticket_id=ticket_id,
        window_no=window_no,
        clerk_id=clerk_id,
        category=category,
        payload=message.model_dump_json(exclude={"seq"}, exclude_none=True),
    )
    # Core, not the unit of work: the log is only ever appended to, and this is every
    # write's cost.
    event.seq = (
        session.connection()
        .execute(_INSERT_EVENT, {column: getattr(event, column) for column in _EVENT_COLUMNS})
        .scalar_one()
    )
    session.info[_LATEST_KEY][scope.code] = event.seq
    after_commit(session, Appended(event, previous))
    hall_written(session, scope.code)
    return event


def record(
    scope: Scope,
    *,
    type: EventType,
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
    session, hall = scope.session, scope.hall
    session.flush()
    message = EventMessage(
        type=type,
        seq=0,
        at=scope.now,
        ticket=ticket_public(ticket, hall, private=False) if ticket else None,
        new_ticket=ticket_public(new_ticket, hall, private=False) if new_ticket else None,
        window=window_public(session, window, hall) if window else None,
        reason=reason,
        clerk=clerk_public(clerk),
        alert=alert,
    )
    return _append(
        scope,
        message,
        day=ticket.service_day if ticket else scope.today,
        ticket_id=ticket.id if ticket else None,
        window_no=window.number if window else (ticket.window_no if ticket else None),
        clerk_id=clerk.id if clerk else None,
        category=ticket.category if ticket else category,
    )


def record_payload(
    scope: Scope,
    *,
    type: EventType,
    payload: BaseModel,
    ticket_id: int | None = None,
    category: str | None = None,
    window_no: int | None = None,
    clerk: User | None = None,
    day: date | None = None,
    window: WindowState | None = None,
) -> Event:
    """Write one event whose facts travel in `payload` (every key present, null included):
    `evaluation.*`, `case.*`, `window.tidal_*`… `day` files it under a service day other than
    today's; `window` also carries the window as it is now (for boards and consoles)."""
    scope.session.flush()
    message = EventMessage(
        type=type,
        seq=0,
        at=scope.now,
        window=window_public(scope.session, window, scope.hall) if window else None,
        clerk=clerk_public(clerk),
        payload=payload.model_dump(mode="json"),
    )
    return _append(
        scope,
        message,
        day=day or scope.today,
        ticket_id=ticket_id,
        window_no=window.number if window else window_no,
        clerk_id=clerk.id if clerk else None,
        category=category,
    )
