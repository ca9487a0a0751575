"""Reads a service day's events from the log as the statistics core sees them."""

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import Session, col

from queue_server.config import HallConfig
from queue_server.domain.numbering import service_day, service_day_start
from queue_server.domain.stats.cases import OpenedCase, cases_of_day
from queue_server.domain.stats.facts import LogEvent
from queue_server.domain.stats.tally import DayRules, DayTallies, tally_day
from queue_server.models import Event, User

PAYLOAD_TYPES: Final = frozenset(
    {
        "ticket.transferred",
        "window.paused",
        "window.resumed",
        "evaluation.submitted",
        "case.opened",
        "case.closed",
    }
)
"""Event types whose payload statistics reads; the others are read from columns alone."""


def clerk_keys(session: Session) -> dict[int, str]:
    """User id → the clerk's key in statistics: staff number, else display name."""
    rows = session.execute(sa.select(col(User.id), col(User.staff_no), col(User.display_name)))
    return {user_id: staff_no or name for user_id, staff_no, name in rows}


def clerk_labels(session: Session) -> dict[str, str]:
    """Clerk key → display name, for tables and reports."""
    rows = session.execute(sa.select(col(User.staff_no), col(User.display_name)))
    return {staff_no or name: name for staff_no, name in rows}


def to_log_event(
    type: str,
    at: datetime,
    ticket_id: int | None,
    category: str | None,
    window_no: int | None,
    clerk_id: int | None,
    payload: str,
    clerks: dict[int, str],
) -> LogEvent:
    data: dict[str, Any] = json.loads(payload) if type in PAYLOAD_TYPES else {}
    new_ticket = data.get("new_ticket") or {}
    inner = {key: value for key, value in data.items() if key not in ("type", "at")}
    for wrapper in ("payload", "evaluation", "case"):
        if isinstance(data.get(wrapper), dict):
            inner |= data[wrapper]
    return LogEvent(
        type=type,
        at=at,
        ticket_id=ticket_id,
        category=category,
        window_no=window_no,
        clerk=clerks.get(clerk_id) if clerk_id is not None else None,
        reason=data.get("reason"),
        new_ticket_id=new_ticket.get("id"),
        new_category=new_ticket.get("category"),
        data=inner,
    )


def in_log_order() -> sa.ColumnElement[int | None]:
    """`seq + 0`, to order one day's events by: a bare `seq` lets SQLite's planner (which has
    no table statistics unless ANALYZE runs) walk the hall's whole log in seq order by
    `ix_event_hall_seq` instead of finding the day by `ix_event_day_type` and sorting its few
    thousand events: over a year, 0.5 s for a day instead of 4 ms."""
    return col(Event.seq) + 0


def day_events(
    session: Session, hall: str, day: date, *, clerks: dict[int, str] | None = None
) -> tuple[list[LogEvent], int]:
    """The day's events in log order, and the newest seq among them (0 if none)."""
    clerks = clerk_keys(session) if clerks is None else clerks
    rows = session.execute(
        sa.select(
            col(Event.seq),
            sa.type_coerce(col(Event.type), sa.String()),
            col(Event.at),
            col(Event.ticket_id),
            col(Event.category),
            col(Event.window_no),
            col(Event.clerk_id),
            col(Event.payload),
        )
        .where(col(Event.hall) == hall, col(Event.service_day) == day)
        .order_by(in_log_order())
    ).all()
    events = [
        to_log_event(str(type), at, ticket_id, category, window_no, clerk_id, payload, clerks)
        for _, type, at, ticket_id, category, window_no, clerk_id, payload in rows
    ]
    return events, max((row[0] for row in rows), default=0)


def day_rules(hall: HallConfig) -> DayRules:
    return DayRules(
        tz=hall.tz,
        target_wait_seconds={c.code: c.target_wait_minutes * 60.0 for c in hall.categories},
    )


@dataclass(frozen=True, slots=True)
class ComputedDay:
    tallies: DayTallies
    opened: list[OpenedCase]
    closed: dict[str, bool]
    last_seq: int
    """The newest event of the day that was read."""


def compute_day(
    session: Session,
    *,
    hall: HallConfig,
    day: date,
    now: datetime,
    clerks: dict[int, str] | None = None,
) -> ComputedDay:
    """A day's tallies straight from its events. A day that is over is cut at its last ticket
    or window event (what still waited then is abandoned); today is cut at `now`."""
    events, last_seq = day_events(session, hall.code, day, clerks=clerks)
    today = service_day(now=now, tz=hall.tz, start_hour=hall.hall.service_day_start_hour)
    day_over = day < today
    if day_over:
        activity = [e.at for e in events if e.type.startswith(("ticket.", "window."))]
        start = service_day_start(day=day, tz=hall.tz, start_hour=hall.hall.service_day_start_hour)
        until = max(activity, default=start)
    else:
        until = now
    tallies = tally_day(events, day=day, rules=day_rules(hall), day_over=day_over, until=until)
    opened, closed = cases_of_day(events)
    return ComputedDay(tallies=tallies, opened=opened, closed=closed, last_seq=last_seq)
