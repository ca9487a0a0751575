"""The retention period with a manual clock: past `[privacy] retention_days` the server's
housekeeping removes the hashes and masks of bookings and the hash on real-name tickets —
from the rows and from the database file — and keeps everything younger."""

import contextlib
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import anyio
import httpx
from sqlmodel import select

from queue_server.app import forget_expired_people
from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import AppointmentStatus
from queue_server.models import Appointment, Ticket
from queue_server.secret_key import key_file_for
from queue_server.services.personal_data import identify
from tests.real_name_support import ID_NUMBER, PHONE, id_number, real_name_hall
from tests.support import live_server, threaded_server

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 5, 6, 9, 0, tzinfo=TZ)
RETENTION_DAYS = 90
OTHER_PHONE = "13700000000"


def book(db: Database, *, key: bytes, number: str, phone: str, day_offset: int, code: str) -> None:
    """A booking as the booking API keeps it (hashes and masks only)."""
    person = identify(key, id_number=number, phone=phone)
    day = START.date() + timedelta(days=day_offset)
    slot = datetime.combine(day, clock_time(9, 30), tzinfo=TZ)
    with db.write_session() as session:
        session.add(
            Appointment(
                hall="main",
                category="general",
                day=day,
                slot_start=slot,
                slot_end=slot + timedelta(minutes=30),
                code=code,
                status=AppointmentStatus.BOOKED,
                id_hash=person.id_hash,
                id_masked=person.id_masked,
                phone_hash=person.phone_hash,
                phone_masked=person.phone_masked,
                booked_at=START,
            )
        )


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 15
    while not condition():
        assert time.monotonic() < deadline, "housekeeping did not get there in time"
        time.sleep(0.05)


def test_housekeeping_removes_personal_data_past_the_retention_period(tmp_path: Path) -> None:
    clock = ManualClock(START)
    hall = real_name_hall()
    assert hall.privacy.retention_days == RETENTION_DAYS
    database_url = f"sqlite:///{tmp_path / 'hall.db'}"
    with live_server(tmp_path, hall=hall, clock=clock, database_url=database_url) as server:
        kiosk = server.client(server.accounts.kiosk_token)
        body = {"category": "general", "id_number": ID_NUMBER}
        assert kiosk.post("/api/tickets", json=body).status_code == 201
        port = httpx.URL(server.base_url).port
    key_file = key_file_for(database_url)
    assert key_file is not None
    key = key_file.read_text().strip().encode()
    db = Database(database_url)
    book(db, key=key, number=ID_NUMBER, phone=PHONE, day_offset=0, code="OLDBOOK1")
    book(db, key=key, number=id_number(7), phone=OTHER_PHONE, day_offset=10, code="NEWBOOK1")
    old_hash = identify(key, id_number=ID_NUMBER, phone=PHONE)

    def kept() -> tuple[list[str | None], list[str | None]]:
        with db.read_session() as session:
            tickets = [t.person_hash for t in session.exec(select(Ticket))]
            bookings = [
                a.id_hash for a in session.exec(select(Appointment).order_by(Appointment.code))
            ]
        return tickets, bookings

    # The 90th day after: still kept.
    clock.set(START + timedelta(days=RETENTION_DAYS))
    assert anyio.run(forget_expired_people, db, hall, clock) == 0
    tickets, bookings = kept()
    assert tickets == [old_hash.id_hash]
    assert None not in bookings

    # The 91st day: the first day's ticket and booking are forgotten, the younger one kept —
    # by the server's housekeeping (a restart runs its first round at once).
    clock.set(START + timedelta(days=RETENTION_DAYS + 1))
    with threaded_server(database_url, hall=hall, clock=clock, port=port):
        until(lambda: kept()[0] == [None])
        with db.read_session() as session:
            new, old = session.exec(select(Appointment).order_by(Appointment.code)).all()
    assert (old.code, old.id_hash, old.id_masked, old.phone_hash, old.phone_masked) == (
        "OLDBOOK1",
        None,
        None,
        None,
        None,
    )
    assert old.status is AppointmentStatus.BOOKED  # the booking itself stays for statistics
    assert new.id_hash is not None and new.phone_masked == "1*********0"

    # Nor does the file keep them in free space, once the WAL is checkpointed.
    db.dispose()
    with contextlib.closing(sqlite3.connect(tmp_path / "hall.db")) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    contents = (tmp_path / "hall.db").read_bytes()
    assert old_hash.id_hash.encode() not in contents
    assert old_hash.phone_hash is not None and old_hash.phone_hash.encode() not in contents
    assert old_hash.id_masked.encode() not in contents
