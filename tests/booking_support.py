"""Test support for booking (预约取号): a clock on a known working day, and bookings written
straight into a hall's database (the state a test starts from, not the step it tests)."""

import secrets
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import AppointmentStatus
from queue_server.models import Appointment
from tests.support import LiveServer, live_server

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 12, 7)
"""A working day; the days open for booking from it are Tue 8 … Mon 14 December."""
TUESDAY = date(2026, 12, 8)


def monday_clock(hour: int = 10, minute: int = 0) -> ManualClock:
    return ManualClock(datetime.combine(MONDAY, time(hour, minute), SHANGHAI))


@pytest.fixture
def booking_clock() -> ManualClock:
    """Monday 7 December 2026, 10:00 in Beijing."""
    return monday_clock()


@pytest.fixture
def booking_server(tmp_path: Path, booking_clock: ManualClock) -> Iterator[LiveServer]:
    """The default hall on `booking_clock`, one clerk."""
    with live_server(tmp_path, clock=booking_clock, clerks=1) as running:
        yield running


def seed_bookings(
    database_url: str,
    *,
    day: date,
    slot: str,
    count: int,
    category: str = "general",
    status: AppointmentStatus = AppointmentStatus.BOOKED,
    hall: str = "main",
    minutes: int = 30,
) -> None:
    """`count` bookings of one slot, each with its own code and no person attached."""
    hour, minute = (int(part) for part in slot.split(":"))
    start = datetime.combine(day, time(hour, minute), SHANGHAI)
    db = Database(database_url)
    try:
        with db.write_session() as session:
            for _ in range(count):
                session.add(
                    Appointment(
                        hall=hall,
                        category=category,
                        day=day,
                        slot_start=start,
                        slot_end=start + timedelta(minutes=minutes),
                        code=secrets.token_hex(6).upper(),
                        status=status,
                        booked_at=start - timedelta(days=1),
                    )
                )
    finally:
        db.dispose()
