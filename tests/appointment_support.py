"""Bookings for the check-in tests, written straight into the database the way
`POST /api/public/appointments` keeps them: the person only as keyed hashes and masks."""

import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.db import Database
from queue_server.domain.enums import AppointmentStatus
from queue_server.models import Appointment
from queue_server.services.personal_data import identify

SECRET = "a test secret for the appointment tests"
ID_NUMBER = "11010519491231002X"
"""A valid 居民身份证号 (check digit X) for the tests."""
OTHER_ID_NUMBER = "110105198001010032"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 3, 2)
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def at(day: date, clock_time: str) -> datetime:
    """An aware Shanghai time on `day`, from `HH:MM`."""
    return datetime.combine(day, time.fromisoformat(clock_time), tzinfo=SHANGHAI)


def book(
    database_url: str,
    *,
    hall: str,
    day: date = MONDAY,
    slot: str = "09:00",
    category: str = "general",
    matter: str | None = None,
    id_number: str = ID_NUMBER,
    status: AppointmentStatus = AppointmentStatus.BOOKED,
    slot_minutes: int = 30,
) -> str:
    """A booking of a 30-minute slot; returns its code."""
    person = identify(SECRET.encode(), id_number=id_number)
    start = at(day, slot)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    db = Database(database_url)
    try:
        with db.write_session() as session:
            session.add(
                Appointment(
                    hall=hall,
                    category=category,
                    matter=matter,
                    day=day,
                    slot_start=start,
                    slot_end=start + timedelta(minutes=slot_minutes),
                    code=code,
                    status=status,
                    id_hash=person.id_hash,
                    id_masked=person.id_masked,
                    booked_at=start - timedelta(days=2),
                )
            )
    finally:
        db.dispose()
    return code
