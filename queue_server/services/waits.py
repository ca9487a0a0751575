"""Wait estimates: gather the hall's load and ask the domain estimator. Issuing gathers it from
the hall's live state in memory (`live_load`); the readers outside the hall's writer (a status
page, the category overview) from the database (`hall_load`).

What it gathers: each category's typical time at a window from its latest tickets of the day,
each matter's where a matter was chosen (domain/estimates.py `matter_service_time`), each
signed-in clerk's speed from their latest tickets against those typicals (`clerk_speed`), the
matters of the tickets waiting, in queue order, and the overflow rules of the categories.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from queue_server.config import HallConfig
from queue_server.domain.dispatch import OverflowRule
from queue_server.domain.enums import TicketStatus
from queue_server.domain.estimates import (
    QueueAhead,
    ServiceTime,
    WaitEstimate,
    WindowLoad,
    clerk_speed,
    estimate_wait,
    matter_service_time,
    service_time,
)
from queue_server.domain.live_state import HallState, WindowRow
from queue_server.domain.status_pages import QueuedTicket
from queue_server.domain.status_pages import queues_ahead as domain_queues_ahead
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
    matter_service: dict[tuple[str, str], ServiceTime] = field(default_factory=dict)
    overflow: dict[str, OverflowRule] = field(default_factory=dict)


AtWindow = tuple[str, str | None, datetime | None]
"""The ticket at a window: its category, matter and when it was called."""


def window_loads(
    session: Session,
    hall: HallConfig,
    states: Sequence[WindowState],
    *,
    speeds: dict[int, float] | None = None,
) -> list[WindowLoad]:
    """The windows as the estimator sees them; `speeds` by clerk id (`clerk_speeds`)."""
    return loads_of(hall, states, current=_at_windows(session, states), speeds=speeds)


def _at_windows(session: Session, states: Sequence[WindowState]) -> dict[int, AtWindow]:
    ticket_ids = [s.current_ticket_id for s in states if s.current_ticket_id is not None]
    return {
        ticket_id: (category, matter, called_at)
        for ticket_id, category, matter, called_at in session.exec(
            select(Ticket.id, Ticket.category, Ticket.matter, Ticket.called_at).where(
                col(Ticket.id).in_(ticket_ids)
            )
        ).all()
        if ticket_id is not None
    }


def loads_of(
    hall: HallConfig,
    states: Sequence[WindowRow],
    *,
    current: Mapping[int, AtWindow],
    speeds: Mapping[int, float] | None = None,
) -> list[WindowLoad]:
    """The windows as the estimator sees them, with the tickets at them by id."""
    loads = []
    for state in states:
        window = hall.window_by_number[state.number]
        busy_category, busy_matter, busy_since = current.get(
            state.current_ticket_id or -1, (None, None, None)
        )
        loads.append(
            WindowLoad(
                number=window.number,
                categories=tuple(window.categories),
                policy=window.policy,
                status=state.status,
                busy_category=busy_category,
                busy_since=busy_since,
                paused_since=state.paused_at,
                also_serves=tuple(window.also_serves),
                busy_matter=busy_matter,
                speed=(speeds or {}).get(state.clerk_id or -1, 1.0),
            )
        )
    return loads


@dataclass(frozen=True, slots=True)
class ServiceHistory:
    """The latest times at a window today: per category, per matter, and per clerk (with
    the matter or category of each ticket, to compare the clerk with the hall)."""

    categories: dict[str, list[float]]
    matters: dict[tuple[str, str], list[float]]
    clerks: dict[int, list[tuple[str, str | None, float]]]


def history_limit(hall: HallConfig) -> int:
    """The latest tickets read for the typical times: enough for every category's samples."""
    return RECENT_SAMPLES * len(hall.categories) * 4


ServedRow = tuple[str, str | None, int | None, datetime, datetime]
"""A ticket that left a window: category, matter, clerk, called and finished at."""


def service_history(session: Session, *, hall: HallConfig, day: date) -> ServiceHistory:
    """How long the latest tickets held a window (call to done, no-show or transfer): what a
    queue actually costs, walks to the window and no-shows included."""
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types up to four columns
            Ticket.category, Ticket.matter, Ticket.clerk_id, Ticket.called_at, Ticket.finished_at
        )
        .where(
            Ticket.hall == hall.code,
            Ticket.service_day == day,
            col(Ticket.status).in_(LEFT_A_WINDOW),
            col(Ticket.called_at).is_not(None),
            col(Ticket.finished_at).is_not(None),
        )
        .order_by(col(Ticket.finished_at).desc(), col(Ticket.id).desc())
        .limit(history_limit(hall))
    ).all()
    return history_of(rows)


def history_of(rows: Iterable[ServedRow]) -> ServiceHistory:
    """The service history of tickets that left a window, newest first."""
    history = ServiceHistory(defaultdict(list), defaultdict(list), defaultdict(list))
    for category, matter, clerk, called, finished in rows:
        seconds = (finished - called).total_seconds()
        if len(history.categories[category]) < RECENT_SAMPLES:
            history.categories[category].append(seconds)
        if matter is not None and len(history.matters[category, matter]) < RECENT_SAMPLES:
            history.matters[category, matter].append(seconds)
        if clerk is not None and len(history.clerks[clerk]) < CLERK_SAMPLES:
            history.clerks[clerk].append((category, matter, seconds))
    return history


CLERK_SAMPLES = 40
"""A clerk's latest tickets of the day that make their speed (`clerk_speed`: 10 at least)."""


def clerk_speeds(
    history: ServiceHistory,
    service: dict[str, ServiceTime],
    matter_service: dict[tuple[str, str], ServiceTime],
) -> dict[int, float]:
    """Each clerk's speed: their tickets' times over the typical of each ticket's matter (or
    category), through `clerk_speed`."""
    speeds = {}
    for clerk, tickets in history.clerks.items():
        ratios = []
        for category, matter, seconds in tickets:
            typical = matter_service.get((category, matter)) if matter else None
            typical = typical or service.get(category)
            if typical is not None:
                ratios.append(seconds / typical.mean_seconds)
        speeds[clerk] = clerk_speed(ratios=ratios)
    return speeds


def service_times(session: Session, hall: HallConfig, *, day: date) -> dict[str, ServiceTime]:
    recent = service_history(session, hall=hall, day=day).categories
    return _category_times(hall, recent)


def _category_times(hall: HallConfig, recent: dict[str, list[float]]) -> dict[str, ServiceTime]:
    return {
        category.code: service_time(
            recent=recent.get(category.code, []), default_seconds=category.service_minutes * 60
        )
        for category in hall.categories
    }


def queues_ahead(
    session: Session,
    *,
    hall: str,
    day: date,
    before: datetime | None = None,
    priority_only: bool = False,
) -> dict[str, QueueAhead]:
    """Per category, the waiting tickets of its own queue (not sent to a named window), with
    the matters they chose in queue order; with `before`, only those whose queue key is
    earlier; with `priority_only` (for a priority ticket, which jumps the normal queue),
    only priority tickets and return visits."""
    conditions: list[Any] = [
        Ticket.hall == hall,
        Ticket.service_day == day,
        Ticket.status == TicketStatus.WAITING,
        col(Ticket.target_window_no).is_(None),
    ]
    if before is not None:
        conditions.append(col(Ticket.queue_key) < before)
    if priority_only:
        conditions.append(
            or_(col(Ticket.priority).is_not(None), col(Ticket.return_visit).is_(True))
        )
    rows = session.exec(
        select(Ticket.id, Ticket.category, Ticket.matter, Ticket.queue_key)
        .where(*conditions)
        .order_by(col(Ticket.queue_key), col(Ticket.id))
    ).all()
    return domain_queues_ahead(
        QueuedTicket(id=ticket_id or 0, category=category, queue_key=key, matter=matter)
        for ticket_id, category, matter, key in rows
    )


def hall_load(
    session: Session,
    hall: HallConfig,
    *,
    states: Sequence[WindowState],
    day: date,
    before: datetime | None = None,
    priority_only: bool = False,
) -> HallLoad:
    return replace(
        base_load(session, hall, states=states, day=day),
        queues=queues_ahead(
            session, hall=hall.code, day=day, before=before, priority_only=priority_only
        ),
    )


def base_load(
    session: Session, hall: HallConfig, *, states: Sequence[WindowState], day: date
) -> HallLoad:
    """The hall's windows and service times, without any queue: shared by the estimates of
    many tickets of one day, each with the queue ahead of it (`domain/status_pages.py`)."""
    return load_of(
        hall,
        history=service_history(session, hall=hall, day=day),
        states=states,
        current=_at_windows(session, states),
        queues={},
    )


def load_of(
    hall: HallConfig,
    *,
    history: ServiceHistory,
    states: Sequence[WindowRow],
    current: Mapping[int, AtWindow],
    queues: dict[str, QueueAhead],
) -> HallLoad:
    """What the estimator needs, from the hall's rows as read or as held in memory."""
    service = _category_times(hall, history.categories)
    matter_service = {
        key: matter_service_time(recent=recent, category=service[key[0]])
        for key, recent in history.matters.items()
        if key[0] in service
    }
    speeds = clerk_speeds(history, service, matter_service)
    return HallLoad(
        windows=[
            switched_load(load, stored_switch(state))
            for load, state in zip(
                loads_of(hall, states, current=current, speeds=speeds), states, strict=True
            )
        ],
        service=service,
        queues=queues,
        matter_service=matter_service,
        overflow=hall.overflow_rules,
    )


def live_load(
    state: HallState,
    hall: HallConfig,
    *,
    before: datetime | None = None,
    priority_only: bool = False,
) -> HallLoad:
    """`hall_load` from the hall's live state (domain/live_state.py) instead of queries."""
    windows = [w for n, w in sorted(state.windows.items()) if n in hall.window_by_number]
    current: dict[int, AtWindow] = {}
    for window in windows:
        ticket = state.ticket_at(window)
        if ticket is not None:
            current[ticket.id] = (ticket.category, ticket.matter, ticket.called_at)
    served = state.history[: history_limit(hall)]
    return load_of(
        hall,
        history=history_of(
            (s.category, s.matter, s.clerk_id, s.called_at, s.finished_at) for s in served
        ),
        states=windows,
        current=current,
        queues=domain_queues_ahead(
            (
                QueuedTicket(
                    id=t.id,
                    category=t.category,
                    queue_key=t.queue_key,
                    matter=t.matter,
                    priority=t.priority,
                )
                for queue in state.queues.values()
                for t in queue
            ),
            before=before,
            priority_only=priority_only,
        ),
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
        matter_service=load.matter_service,
        overflow=load.overflow,
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
    load = hall_load(
        session,
        hall,
        states=states,
        day=ticket.service_day,
        before=ticket.queue_key,
        priority_only=(ticket.priority is not None or ticket.return_visit)
        and hall.category_by_code[ticket.category].priority_ratio > 0,
    )
    return estimate(load, category=ticket.category, now=now, subject_key=ticket.queue_key)
