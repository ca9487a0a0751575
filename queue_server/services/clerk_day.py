"""A clerk's own day: the tickets that left their window and their figures for the day."""

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from queue_server.config import HallConfig
from queue_server.domain.enums import TicketStatus
from queue_server.models import Ticket
from queue_server.protocol import ClerkDayPublic, TicketPublic
from queue_server.services.views import ticket_public

LEFT_THE_WINDOW = (
    TicketStatus.DONE,
    TicketStatus.NO_SHOW,
    TicketStatus.TRANSFERRED,
    TicketStatus.CANCELLED,
)


def window_history(
    session: Session, *, hall: HallConfig, window_no: int, day: date, limit: int
) -> list[TicketPublic]:
    """The tickets that ended at this window on `day`, the latest first."""
    rows = session.exec(
        select(Ticket)
        .where(
            Ticket.hall == hall.code,
            Ticket.service_day == day,
            Ticket.window_no == window_no,
            col(Ticket.status).in_(LEFT_THE_WINDOW),
        )
        .order_by(col(Ticket.finished_at).desc(), col(Ticket.id).desc())
        .limit(limit)
    ).all()
    return [ticket_public(row, hall, private=False) for row in rows]


def clerk_day(session: Session, *, user_id: int | None, day: date) -> ClerkDayPublic:
    """Counts by final status of the tickets this clerk called on `day`, and the mean service
    time of those they finished."""
    counts: dict[str, int] = {}
    average: float | None = None
    if user_id is not None:
        mine = (Ticket.service_day == day, Ticket.clerk_id == user_id)
        counts = {
            str(status): count
            for status, count in session.exec(
                select(Ticket.status, func.count()).where(*mine).group_by(col(Ticket.status))
            ).all()
        }
        durations = [
            (finished - started).total_seconds()
            for started, finished in session.exec(
                select(Ticket.started_at, Ticket.finished_at).where(
                    *mine,
                    Ticket.status == TicketStatus.DONE,
                    col(Ticket.started_at).is_not(None),
                )
            ).all()
            if started is not None and finished is not None
        ]
        average = sum(durations) / len(durations) if durations else None
    return ClerkDayPublic(
        service_day=day,
        served=counts.get(TicketStatus.DONE, 0),
        no_shows=counts.get(TicketStatus.NO_SHOW, 0),
        transferred=counts.get(TicketStatus.TRANSFERRED, 0),
        average_service_seconds=average,
    )
