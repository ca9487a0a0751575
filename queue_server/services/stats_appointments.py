"""预约 statistics: each hall's bookings and the waits of its appointment and walk-in tickets over
a period, read as plain records and counted by the pure core (domain/stats/appointments.py),
one row per hall and the city's total."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from queue_server.city import CityHall
from queue_server.config import HallConfig
from queue_server.domain.enums import AppointmentStatus
from queue_server.domain.stats.appointments import (
    AppointmentFigures,
    BookingRecord,
    CalledTicket,
    appointment_figures,
)
from queue_server.models import Appointment, Ticket
from queue_server.protocol import (
    AppointmentStatsFigures,
    AppointmentStatsReport,
    AppointmentStatsRow,
)
from queue_server.services.stats_report import check_period
from queue_server.services.stats_self_service import TOTAL_KEY, TOTAL_LABEL


def _bookings(session: Session, *, hall: str, start: date, end: date) -> list[BookingRecord]:
    rows = session.exec(
        select(Appointment.category, Appointment.status).where(
            Appointment.hall == hall, col(Appointment.day) >= start, col(Appointment.day) <= end
        )
    ).all()
    return [BookingRecord(category, AppointmentStatus(status)) for category, status in rows]


def _called(session: Session, *, hall: str, start: date, end: date) -> list[CalledTicket]:
    """The applicants' first stints (not a transfer's next one) that were called; return
    visits of a 补件 journey are neither appointments nor walk-ins and are left out."""
    rows = session.exec(
        select(Ticket.category, Ticket.issued_at, Ticket.called_at, Appointment.slot_start)
        .outerjoin(Appointment, col(Ticket.appointment_id) == col(Appointment.id))
        .where(
            Ticket.hall == hall,
            col(Ticket.service_day) >= start,
            col(Ticket.service_day) <= end,
            col(Ticket.called_at).is_not(None),
            Ticket.hop == 0,
            col(Ticket.return_visit).is_(False),
        )
    ).all()
    return [
        CalledTicket(category, issued_at, called_at, slot_start)
        for category, issued_at, called_at, slot_start in rows
        if called_at is not None
    ]


def hall_figures(
    session: Session, *, hall: HallConfig, start: date, end: date
) -> list[AppointmentFigures]:
    """Per category: the hall's bookable categories in its order, then any other with
    bookings in the period (a category no longer booked keeps its history)."""
    return appointment_figures(
        [entry.code for entry in hall.appointments.categories],
        _bookings(session, hall=hall.code, start=start, end=end),
        _called(session, hall=hall.code, start=start, end=end),
    )


def _figures(figures: AppointmentFigures, label: str) -> dict[str, object]:
    appointment, walk_in = figures.appointment_wait, figures.walk_in_wait
    return {
        "key": figures.key,
        "label": label,
        "booked": figures.booked,
        "cancelled": figures.cancelled,
        "checked_in": figures.checked_in,
        "no_shows": figures.no_shows,
        "appointment_tickets": appointment.count,
        "appointment_wait_seconds_mean": appointment.mean,
        "appointment_wait_seconds_p90": appointment.p90,
        "walk_in_tickets": walk_in.count,
        "walk_in_wait_seconds_mean": walk_in.mean,
        "walk_in_wait_seconds_p90": walk_in.p90,
    }


def _row(
    key: str, label: str, categories: Sequence[AppointmentFigures], names: dict[str, str]
) -> AppointmentStatsRow:
    whole = AppointmentFigures(key)
    for figures in categories:
        whole.add(figures)
    return AppointmentStatsRow.model_validate(
        {
            **_figures(whole, label),
            "categories": [
                AppointmentStatsFigures.model_validate(
                    _figures(figures, names.get(figures.key, figures.key))
                )
                for figures in categories
            ],
        }
    )


def appointment_report(
    session: Session,
    *,
    halls: Sequence[CityHall],
    start: date,
    end: date,
    now: datetime,
    only: str | None = None,
) -> AppointmentStatsReport:
    """Every hall of `halls` and the city's total (categories summed by code); or, with
    `only`, that hall's row alone (counted the same way, so it equals its row in the city's)."""
    check_period(start, end)
    rows: list[AppointmentStatsRow] = []
    city: dict[str, AppointmentFigures] = {}
    names: dict[str, str] = {}
    for entry in halls:
        if only not in (None, entry.code):
            continue
        hall = entry.hall
        hall_names = {category.code: category.name for category in hall.categories}
        categories = hall_figures(session, hall=hall, start=start, end=end)
        for figures in categories:
            city.setdefault(figures.key, AppointmentFigures(figures.key)).add(figures)
            names.setdefault(figures.key, hall_names.get(figures.key, figures.key))
        rows.append(_row(hall.code, hall.hall.name, categories, hall_names))
    return AppointmentStatsReport(
        from_day=start,
        to_day=end,
        generated_at=now,
        rows=rows,
        total=_row(TOTAL_KEY, TOTAL_LABEL, list(city.values()), names) if only is None else None,
    )
