"""Read side: wire models built from rows, and the hall snapshot."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from queue_server.config import HallConfig
from queue_server.domain.enums import TicketStatus, WindowStatus
from queue_server.domain.live_state import WindowRow
from queue_server.domain.numbering import service_day
from queue_server.models import Event, NumberCounter, Ticket, User, WindowState
from queue_server.protocol import (
    BoardSettingsPublic,
    CategoryPublic,
    ClerkPublic,
    HallSnapshot,
    TicketPublic,
    WindowPublic,
)
from queue_server.services.waits import estimate, hall_load
from queue_server.services.zone import zone_public


def ticket_public(ticket: Ticket, hall: HallConfig, *, private: bool = True) -> TicketPublic:
    """`private=False` drops what only the applicant and clerks may see (status-page code,
    the free-text priority note), for messages that reach boards."""
    if ticket.id is None:
        raise ValueError("ticket has no id yet; flush the session first")
    category = hall.category_by_code.get(ticket.category)
    return TicketPublic(
        id=ticket.id,
        number=ticket.number,
        category=ticket.category,
        category_name=category.name if category else ticket.category,
        status=ticket.status,
        issued_at=ticket.issued_at,
        service_day=ticket.service_day,
        priority=ticket.priority,
        priority_note=ticket.priority_note if private else None,
        matter=ticket.matter,
        called_at=ticket.called_at,
        started_at=ticket.started_at,
        finished_at=ticket.finished_at,
        window_no=ticket.window_no,
        target_window_no=ticket.target_window_no,
        call_reason=ticket.call_reason,
        recall_count=ticket.recall_count,
        transferred_from_id=ticket.transferred_from_id,
        outcome=ticket.outcome,
        public_code=ticket.public_code if private else None,
        journey_id=ticket.journey_id,
        return_visit=ticket.return_visit,
        appointment_slot=ticket.appointment_slot,
    )


def clerk_public(user: User | None) -> ClerkPublic | None:
    if user is None:
        return None
    return ClerkPublic(display_name=user.display_name, staff_no=user.staff_no)


def build_window_public(
    state: WindowState, hall: HallConfig, *, clerk: User | None, current: Ticket | None
) -> WindowPublic:
    window = hall.window_by_number[state.number]
    return WindowPublic(
        number=window.number,
        name=window.name,
        zone=window.zone,
        categories=list(window.categories),
        also_serves=list(window.also_serves),
        status=state.status,
        pause_reason=state.pause_reason,
        clerk=clerk_public(clerk),
        current=ticket_public(current, hall, private=False) if current else None,
        tidal_category=state.tidal_category,
        tidal_until=state.tidal_until,
    )


def window_public(session: Session, state: WindowState, hall: HallConfig) -> WindowPublic:
    return build_window_public(
        state,
        hall,
        clerk=session.get(User, state.clerk_id) if state.clerk_id is not None else None,
        current=(
            session.get(Ticket, state.current_ticket_id)
            if state.current_ticket_id is not None
            else None
        ),
    )


def windows_public(session: Session, hall: HallConfig) -> list[WindowPublic]:
    """Every configured window, with three queries whatever the number of windows."""
    states = window_states(session, hall)
    clerk_ids = [s.clerk_id for s in states if s.clerk_id is not None]
    ticket_ids = [s.current_ticket_id for s in states if s.current_ticket_id is not None]
    clerks = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(clerk_ids)))}
    tickets = {t.id: t for t in session.exec(select(Ticket).where(col(Ticket.id).in_(ticket_ids)))}
    return [
        build_window_public(
            state,
            hall,
            clerk=clerks.get(state.clerk_id),
            current=tickets.get(state.current_ticket_id),
        )
        for state in states
    ]


def window_states(session: Session, hall: HallConfig) -> list[WindowState]:
    rows = session.exec(
        select(WindowState).where(WindowState.hall == hall.code).order_by(col(WindowState.number))
    ).all()
    configured = hall.window_by_number
    return [row for row in rows if row.number in configured]


def _own_queue(hall: str, day: date, category: str) -> list[Any]:
    """The category's own queue: waiting, and not sent to a named window."""
    return [
        Ticket.hall == hall,
        Ticket.service_day == day,
        Ticket.status == TicketStatus.WAITING,
        Ticket.category == category,
        col(Ticket.target_window_no).is_(None),
    ]


def waiting_keys(
    session: Session, *, hall: str, day: date, category: str
) -> list[tuple[int, datetime]]:
    """(id, queue key) of the category's own queue, front first."""
    rows = session.exec(
        select(Ticket.id, Ticket.queue_key)
        .where(*_own_queue(hall, day, category))
        .order_by(col(Ticket.queue_key), col(Ticket.id))
    ).all()
    return [(ticket_id, key) for ticket_id, key in rows if ticket_id is not None]


def served_now(hall: HallConfig, states: Iterable[WindowRow], category: str) -> bool:
    """Whether a window serving `category` is open or paused (so a wait can be told)."""
    serving = {w.number for w in hall.windows_serving(category)}
    return any(s.number in serving and s.status != WindowStatus.CLOSED for s in states)


def closed_reason(
    *, hall: HallConfig, category: str, issued_today: int, now: datetime
) -> str | None:
    """Why a kiosk may not issue this category now, or None when it may."""
    if not hall.schedule.is_open(now):
        return "不在办理时间"
    config = hall.category_by_code[category]
    if config.daily_cap is not None and issued_today >= config.daily_cap:
        return "今日号源已发完"
    if not config.is_open_at(now.astimezone(hall.tz)):
        return "不在办理时间"
    return None


def halls_with_data(session: Session) -> set[str]:
    """Every hall the database holds tickets, events or accounts of. Its windows' state rows
    do not count: every hall served once has them, used or not, and whatever happened at a
    window is in the events."""
    found: set[str] = set()
    for column in (Event.hall, Ticket.hall, User.hall):
        found.update(code for code in session.exec(select(column).distinct()) if code)
    return found


def newest_seq(session: Session) -> int:
    """The seq of the city's newest event (0 for none)."""
    return session.exec(select(func.max(Event.seq))).one() or 0


def last_seq(session: Session, hall: str) -> int:
    """The seq of the hall's newest event (0 for none)."""
    return session.exec(select(func.max(Event.seq)).where(Event.hall == hall)).one() or 0


def public_snapshot(snapshot: HallSnapshot) -> HallSnapshot:
    """The snapshot for devices (kiosks, boards, tablets): without what staff wrote (pause
    reasons, finish outcomes), as their events are (events.public_text)."""
    windows = [
        window.model_copy(
            update={
                "pause_reason": None,
                "current": window.current.model_copy(update={"outcome": None})
                if window.current
                else None,
            }
        )
        for window in snapshot.windows
    ]
    return snapshot.model_copy(update={"windows": windows})


def hall_snapshot(
    session: Session, *, hall: HallConfig, now: datetime, offline_after: timedelta | None = None
) -> HallSnapshot:
    """The whole hall in a handful of queries, whatever its size: its opening hours now and,
    given the devices' `offline_after` limit, its 24-hour zone (the city's summaries, which
    show no zone, leave it out)."""
    day = service_day(now=now, tz=hall.tz, start_hour=hall.hall.service_day_start_hour)
    states = window_states(session, hall)
    queues = {
        category: (count, oldest)
        for category, count, oldest in session.exec(
            select(Ticket.category, func.count(), func.min(Ticket.issued_at))
            .where(
                Ticket.hall == hall.code,
                Ticket.service_day == day,
                Ticket.status == TicketStatus.WAITING,
                col(Ticket.target_window_no).is_(None),
            )
            .group_by(col(Ticket.category))
        ).all()
    }
    issued = {
        counter.category: counter.last_sequence
        for counter in session.exec(
            select(NumberCounter).where(
                NumberCounter.hall == hall.code, NumberCounter.service_day == day
            )
        )
    }
    load = hall_load(session, hall, states=states, day=day)
    categories = []
    for category in hall.categories:
        waiting, oldest = queues.get(category.code, (0, None))
        issued_count = issued.get(category.code, 0)
        wait = estimate(load, category=category.code, now=now)
        reason = closed_reason(
            hall=hall, category=category.code, issued_today=issued_count, now=now
        )
        categories.append(
            CategoryPublic(
                code=category.code,
                prefix=category.prefix,
                name=category.name,
                target_wait_minutes=category.target_wait_minutes,
                waiting=waiting,
                eta_minutes=wait.minutes if wait else None,
                eta_low_minutes=wait.low_minutes if wait else None,
                eta_high_minutes=wait.high_minutes if wait else None,
                issued_today=issued_count,
                daily_cap=category.daily_cap,
                open=reason is None,
                closed_reason=reason,
                oldest_wait_seconds=(now - oldest).total_seconds() if oldest else None,
                finish_outcome_required=category.finish_outcome_required,
                real_name=category.real_name,
                max_tickets_per_person_per_day=(
                    category.max_tickets_per_person_per_day if category.real_name else None
                ),
            )
        )
    return HallSnapshot(
        name=hall.hall.name,
        service_day=day,
        timezone=hall.hall.timezone,
        generated_at=now,
        call_template=hall.texts.call_template,
        board_notice=hall.texts.board_notice,
        categories=categories,
        windows=windows_public(session, hall),
        board=board_settings_public(hall),
        open_now=hall.schedule.is_open(now),
        opens_at=hall.schedule.next_opening(now),
        closes_at=hall.schedule.next_closing(now),
        day_off=hall.schedule.closed_all_day(now),
        self_service=(
            zone_public(session, hall=hall, now=now, offline_after=offline_after)
            if offline_after is not None
            else None
        ),
    )


def board_settings_public(hall: HallConfig) -> BoardSettingsPublic:
    return BoardSettingsPublic(
        recent_calls=hall.board.recent_calls,
        highlight_seconds=hall.board.highlight_seconds,
        announce_repeats=hall.voice.repeats,
        announce_chime=hall.voice.chime,
        announce_rate=hall.voice.rate,
        announce_pause_seconds=hall.voice.pause_seconds,
    )
