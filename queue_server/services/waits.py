"""Wait estimates from the database: gather the live state, ask the domain estimator."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from queue_server.config import HallConfig
from queue_server.domain.enums import TicketStatus
from queue_server.domain.estimates import (
    QueueAhead,
    ServiceTime,
    WaitEstimate,
    WindowLoad,
    estimate_wait,
    service_time,
)
from queue_server.domain.tidal import switched_load
from queue_server.models import Ticket, WindowState
from queue_server.services.dispatch_window import stored_switch

RECENT_SAMPLES = 20
"""Recent tickets per category whose time at a window makes its typical service time."""

LEFT_A_WINDOW = (TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.TRANSFERRED)


@dataclass(frozen=True, slots=True)
class HallLoad:
    """What the estimator needs, read once for any number of estimates."""

    windows: list[WindowLoad]
    service: dict[str, ServiceTime]
    queues: dict[str, QueueAhead]


def window_loads(
    session: Session, hall: HallConfig, states: Sequence[WindowState]
) -> list[WindowLoad]:
    ticket_ids = [s.current_ticket_id for s in states if s.current_ticket_id is not None]
    current = {
        ticket_id: (category, called_at)
        for ticket_id, category, called_at in session.exec(
            select(Ticket.id, Ticket.category, Ticket.called_at).where(
                col(Ticket.id).in_(ticket_ids)
            )
        ).all()
    }
    loads = []
    for state in states:
        window = hall.window_by_number[state.number]
        busy_category, busy_since = current.get(state.current_ticket_id or -1, (None, None))
        load = WindowLoad(
            number=window.number,
            categories=tuple(window.categories),
            policy=window.policy,
            status=state.status,
            busy_category=busy_category,
            busy_since=busy_since,
            paused_since=state.paused_at,
            also_serves=tuple(window.also_serves),
        )
        loads.append(load)
    return loads


def recent_window_seconds(
    session: Session, *, hall: str, day: date, categories: int
) -> dict[str, list[float]]:
    """Per category, how long its latest tickets held a window (call to done, no-show or
    transfer): what a queue actually costs, walks to the window and no-shows included."""
    rows = session.exec(
        select(Ticket.category, Ticket.called_at, Ticket.finished_at)
        .where(
            Ticket.hall == hall,
            Ticket.service_day == day,
            col(Ticket.status).in_(LEFT_A_WINDOW),
            col(Ticket.called_at).is_not(None),
            col(Ticket.finished_at).is_not(None),
        )
        .order_by(col(Ticket.finished_at).desc())
        .limit(RECENT_SAMPLES * categories * 4)
    ).all()
    samples: dict[str, list[float]] = defaultdict(list)
    for category, called, finished in rows:
        if called and finished and len(samples[category]) < RECENT_SAMPLES:
            samples[category].append((finished - called).total_seconds())
    return samples


def service_times(session: Session, hall: HallConfig, *, day: date) -> dict[str, ServiceTime]:
    recent = recent_window_seconds(
        session, hall=hall.code, day=day, categories=len(hall.categories)
    )
    return {
        category.code: service_time(
            recent=recent.get(category.code, []), default_seconds=category.service_minutes * 60
        )
        for category in hall.categories
    }


def queues_ahead(
    session: Session, *, hall: str, day: date, before: datetime | None = None
) -> dict[str, QueueAhead]:
    """Per category, the waiting tickets of its own queue (not sent to a named window); with
    `before`, only those whose queue key is earlier."""
    conditions: list[Any] = [
        Ticket.hall == hall,
        Ticket.service_day == day,
        Ticket.status == TicketStatus.WAITING,
        col(Ticket.target_window_no).is_(None),
    ]
    if before is not None:
        conditions.append(col(Ticket.queue_key) < before)
    rows = session.exec(
        select(Ticket.category, func.count(), func.min(Ticket.queue_key))
        .where(*conditions)
        .group_by(col(Ticket.category))
    ).all()
    return {category: QueueAhead(count=count, oldest=oldest) for category, count, oldest in rows}


def hall_load(
    session: Session,
    hall: HallConfig,
    *,
    states: Sequence[WindowState],
    day: date,
    before: datetime | None = None,
) -> HallLoad:
    return HallLoad(
        windows=[
            switched_load(load, stored_switch(state))
            for load, state in zip(window_loads(session, hall, states), states, strict=True)
        ],
        service=service_times(session, hall, day=day),
        queues=queues_ahead(session, hall=hall.code, day=day, before=before),
    )


def estimate(
    load: HallLoad, *, category: str, now: datetime, subject_key: datetime | None = None
) -> WaitEstimate | None:
    return estimate_wait(
        category=category,
        queues=load.queues,
        windows=load.windows,
        service=load.service,
        now=now,
        subject_key=subject_key,
    )


def ticket_wait(
    session: Session,
    hall: HallConfig,
    *,
    ticket: Ticket,
    states: Sequence[WindowState],
    now: datetime,
) -> WaitEstimate | None:
    """The wait still ahead of a waiting ticket (for its status page); None otherwise."""
    if ticket.status != TicketStatus.WAITING or ticket.target_window_no is not None:
        return None
    load = hall_load(session, hall, states=states, day=ticket.service_day, before=ticket.queue_key)
    return estimate(load, category=ticket.category, now=now, subject_key=ticket.queue_key)
