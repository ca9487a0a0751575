"""A hall's bookable days and slots, and how many of a slot's places are taken."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from queue_server.config import HallConfig
from queue_server.domain.appointments import Slot, bookable_days, day_slots
from queue_server.domain.enums import AppointmentStatus
from queue_server.models import Appointment


def slots_of(hall: HallConfig, category: str, day: date) -> list[Slot]:
    """The slots of a category that takes bookings (none for one that does not)."""
    rules = hall.appointments
    if rules.category(category) is None or not hall.work_calendar.is_workday(day):
        return []
    entry = hall.category_by_code[category]
    return day_slots(
        day=day,
        tz=hall.tz,
        ranges=rules.ranges,
        hall_open=hall.schedule.intervals_on(day),
        slot_minutes=rules.slot_minutes_of(category),
        category_open=entry.is_open_at if entry.opening_hours else None,
    )


def open_days(hall: HallConfig, now: datetime) -> list[date]:
    rules = hall.appointments
    return bookable_days(
        now=now,
        tz=hall.tz,
        is_workday=hall.work_calendar.is_workday,
        min_days_ahead=rules.min_days_ahead,
        max_days_ahead=rules.max_days_ahead,
        cutoff=rules.cutoff,
    )


TAKEN = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.NO_SHOW)
"""A slot's place stays taken by a booking unless it was cancelled."""


def taken_places(session: Session, *, hall: str, day: date, category: str) -> dict[datetime, int]:
    """Places taken per slot start (aware UTC) of a day's category."""
    rows = session.execute(
        sa.select(col(Appointment.slot_start), sa.func.count())
        .where(
            col(Appointment.hall) == hall,
            col(Appointment.day) == day,
            col(Appointment.category) == category,
            col(Appointment.status).in_(TAKEN),
        )
        .group_by(col(Appointment.slot_start))
    ).all()
    return {start: int(count) for start, count in rows}
