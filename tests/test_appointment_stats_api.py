"""`GET /api/stats/appointments` and its export against a real server on a manual clock: a
morning of walk-in and appointment tickets served by three clerks, bookings that ended every
way, counted by hand."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import AppointmentStatus
from queue_server.models import Appointment, Ticket
from tests.booking_support import SHANGHAI, TUESDAY, seed_bookings
from tests.support import LiveServer, live_server

WEDNESDAY = TUESDAY + timedelta(days=1)
PERIOD = {"from": "2026-12-08", "to": "2026-12-09"}


def link_to_booking(database_url: str, ticket_id: int, slot: str) -> None:
    """What check-in at the kiosk does to the ticket: tie it to a checked-in booking."""
    hour, minute = (int(part) for part in slot.split(":"))
    start = datetime.combine(TUESDAY, time(hour, minute), SHANGHAI)
    db = Database(database_url)
    try:
        with db.write_session() as session:
            booking = session.exec(
                select(Appointment).where(
                    Appointment.status == AppointmentStatus.CHECKED_IN,
                    col(Appointment.slot_start) == start,
                )
            ).first()
            ticket = session.get(Ticket, ticket_id)
            assert booking is not None and ticket is not None
            ticket.appointment_id = booking.id
            session.add(ticket)
    finally:
        db.dispose()


@pytest.fixture
def morning(tmp_path: Path) -> Iterator[LiveServer]:
    """Tuesday: walk-ins W1, W2 at 09:00; appointment A (slot 10:00) checks in at 09:50;
    windows 2, 3, 4 call W1 at 10:05, W2 at 10:10, A at 10:15."""
    clock = ManualClock(datetime.combine(TUESDAY, time(9), SHANGHAI))
    with live_server(tmp_path, clock=clock, clerks=3) as server:
        url = server.database_url
        seed_bookings(url, day=TUESDAY, slot="10:00", count=2, status=AppointmentStatus.CHECKED_IN)
        seed_bookings(url, day=TUESDAY, slot="09:00", count=1, status=AppointmentStatus.CANCELLED)
        seed_bookings(url, day=TUESDAY, slot="09:00", count=1, status=AppointmentStatus.NO_SHOW)
        seed_bookings(url, day=WEDNESDAY, slot="09:00", count=1, category="enterprise")
        kiosk = server.client(server.accounts.kiosk_token)
        for _ in range(2):
            assert kiosk.post("/api/tickets", json={"category": "general"}).status_code == 201
        clock.advance(timedelta(minutes=50))
        booked = kiosk.post("/api/tickets", json={"category": "general"}).json()
        link_to_booking(url, booked["id"], "10:00")
        clock.set(datetime.combine(TUESDAY, time(10), SHANGHAI))
        for index, window in enumerate((2, 3, 4)):
            clerk = server.client(server.login(server.accounts.clerks[index]))
            assert clerk.post(f"/api/windows/{window}/sign-in").status_code == 200
            clock.advance(timedelta(minutes=5))
            assert clerk.post(f"/api/windows/{window}/call-next").status_code == 200
        yield server


def manager(server: LiveServer) -> httpx.Client:
    return server.client(server.login(server.accounts.manager))


def test_bookings_and_waits_of_a_morning(morning: LiveServer) -> None:
    report = manager(morning).get("/api/stats/appointments", params=PERIOD)
    assert report.status_code == 200, report.text
    body = report.json()
    (hall,) = body["rows"]
    assert (hall["key"], hall["label"]) == ("main", "一门市民服务中心")
    general, enterprise = hall["categories"]
    assert general == {
        "key": "general",
        "label": "综合受理",
        "booked": 4,
        "cancelled": 1,
        "checked_in": 2,
        "no_shows": 1,
        "appointment_tickets": 1,
        "appointment_wait_seconds_mean": 900.0,  # from its slot at 10:00, not its 09:50 check-in
        "appointment_wait_seconds_p90": 900.0,
        "walk_in_tickets": 2,
        "walk_in_wait_seconds_mean": 4050.0,  # 65 and 70 minutes
        "walk_in_wait_seconds_p90": 4200.0,
    }
    assert (enterprise["booked"], enterprise["cancelled"], enterprise["walk_in_tickets"]) == (
        1,
        0,
        0,
    )
    assert enterprise["walk_in_wait_seconds_mean"] is None
    assert hall["booked"] == 5
    assert body["total"]["booked"] == 5
    assert body["total"]["categories"][0] == {**general, "label": "综合受理"}

    own = manager(morning).get("/api/stats/appointments", params={**PERIOD, "hall": "main"})
    assert own.json()["rows"] == body["rows"]
    assert own.json()["total"] is None

    before = manager(morning).get(
        "/api/stats/appointments", params={"from": "2026-12-01", "to": "2026-12-07"}
    )
    assert before.json()["rows"][0]["booked"] == 0


def test_the_export_holds_the_same_figures(morning: LiveServer) -> None:
    client = manager(morning)
    answer = client.get("/api/stats/appointments/export", params=PERIOD)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert (
        "yimen-appointments-2026-12-08-2026-12-09-city.csv" in answer.headers["content-disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [(row["hall"], row["category"]) for row in rows] == [
        ("main", ""), ("main", "general"), ("main", "enterprise"),
        ("total", ""), ("total", "general"), ("total", "enterprise"),
    ]  # fmt: skip
    assert rows[1]["booked"] == "4"
    assert rows[1]["walk_in_wait_seconds_p90"] == "4200.0"

    xlsx = client.get("/api/stats/appointments/export", params={**PERIOD, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0][0] == "统计区间 2026-12-08 至 2026-12-09"
    assert cells[1][:4] == ["大厅代码", "业务代码", "名称", "预约数"]
    assert cells[3][:4] == ["main", "general", "综合受理", 4]


def test_only_managers_and_admins_see_it_and_a_bad_period_is_refused(
    morning: LiveServer,
) -> None:
    clerk = morning.client(morning.login(morning.accounts.clerks[0]))
    assert clerk.get("/api/stats/appointments", params=PERIOD).status_code == 403
    backwards = manager(morning).get(
        "/api/stats/appointments", params={"from": "2026-12-09", "to": "2026-12-08"}
    )
    assert backwards.status_code == 422
    assert backwards.json()["detail"] == "结束日期不能早于开始日期"
