"""Issuing tickets at the kiosk."""

from datetime import date, datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from queue_server.config import HallConfig
from queue_server.domain.enums import EventType, PriorityReason, TicketStatus
from queue_server.domain.errors import InvalidInput, Unavailable
from queue_server.domain.numbering import format_number, service_day
from queue_server.domain.queueing import next_queue_key
from queue_server.models import NumberCounter, Ticket
from queue_server.protocol import TicketCreate, TicketPublic
from queue_server.security import new_public_code
from queue_server.services import journal
from queue_server.services.views import (
    category_eta,
    closed_reason,
    issued_today,
    ticket_public,
    waiting_count,
    window_states,
)


def next_sequence(session: Session, *, day: date, category: str) -> int:
    """Take the next number of the day for a category. Runs under the hall's write lock; the
    unique constraint on tickets is the backstop should that ever fail."""
    counter = session.get(NumberCounter, (day, category))
    if counter is None:
        session.add(NumberCounter(service_day=day, category=category, last_sequence=1))
        session.flush()
        return 1
    session.execute(
        update(NumberCounter)
        .where(NumberCounter.service_day == day, NumberCounter.category == category)  # type: ignore[arg-type]
        .values(last_sequence=NumberCounter.last_sequence + 1)
    )
    session.refresh(counter)
    return counter.last_sequence


def issue_ticket(
    *, session: Session, hall: HallConfig, request: TicketCreate, now: datetime
) -> TicketPublic:
    category = hall.category_by_code.get(request.category)
    if category is None:
        raise InvalidInput(f"未知的业务类别：{request.category}")
    if request.priority_note and request.priority is not PriorityReason.OTHER:
        raise InvalidInput("priority_note is only for priority=other")
    day = service_day(now=now, tz=hall.tz, start_hour=hall.hall.service_day_start_hour)
    reason = closed_reason(
        hall=hall,
        category=category.code,
        issued_today=issued_today(session, day=day, category=category.code),
        now=now,
    )
    if reason:
        raise Unavailable(f"{category.name}：{reason}")

    ahead = waiting_count(session, day=day, category=category.code)
    wait = category_eta(
        session,
        hall=hall,
        states=window_states(session, hall),
        day=day,
        category=category.code,
        now=now,
    )
    sequence = next_sequence(session, day=day, category=category.code)
    latest = session.exec(
        select(func.max(Ticket.queue_key)).where(
            Ticket.service_day == day, Ticket.category == category.code
        )
    ).one()
    ticket = Ticket(
        service_day=day,
        category=category.code,
        number=format_number(prefix=category.prefix, sequence=sequence),
        sequence=sequence,
        status=TicketStatus.WAITING,
        priority=request.priority,
        priority_note=request.priority_note,
        matter=request.matter or None,
        public_code=new_public_code(),
        issued_at=now,
        queue_key=next_queue_key(latest=latest, now=now),
    )
    session.add(ticket)
    journal.record(session, hall=hall, type=EventType.TICKET_ISSUED, now=now, ticket=ticket)
    public = ticket_public(ticket, hall)
    public.ahead = ahead
    if wait is not None:
        public.eta_minutes = wait.minutes
        public.eta_low_minutes = wait.low_minutes
        public.eta_high_minutes = wait.high_minutes
    return public
