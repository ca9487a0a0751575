"""预约签到 through HTTP with a manual clock: a kiosk checks a booking in by its code or by
the holder's ID number within the check-in window and gets an appointment ticket; too early,
too late, cancelled, no-show, already checked in, another day or hall → 4xx saying why, and
nothing changes. Dispatch then serves appointment tickets within their slot, at most the
category's appointment ratio in a row while walk-ins wait."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from queue_server.config import load_hall_config
from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import AppointmentStatus
from tests.appointment_support import (
    ID_NUMBER,
    MONDAY,
    OTHER_ID_NUMBER,
    SECRET,
    at,
    book,
)
from tests.support import LiveServer, live_server

CHECK_IN = "/api/appointments/check-in"
HALL = load_hall_config().code


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at(MONDAY, "09:05"))


@pytest.fixture
def server(tmp_path: Path, database_url: str, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(
        tmp_path, clock=clock, database_url=database_url, secret_key=SECRET
    ) as running:
        yield running


def kiosk(server: LiveServer) -> httpx.Client:
    return server.client(server.accounts.kiosk_token)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    detail: str = body["detail"]
    return detail


def rows(server: LiveServer, sql: str) -> list[tuple[Any, ...]]:
    db = Database(server.database_url)
    try:
        with db.read_engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql))]
    finally:
        db.dispose()


def state(server: LiveServer) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int]:
    """Bookings (code, status), tickets (number, appointment id) and the count of events."""
    return (
        rows(server, "SELECT code, status FROM appointment ORDER BY id"),
        rows(server, "SELECT number, appointment_id FROM ticket ORDER BY id"),
        rows(server, "SELECT count(*) FROM event")[0][0],
    )


# --- check-in -------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_check_in_by_code_issues_an_appointment_ticket(server: LiveServer) -> None:
    code = book(server.database_url, hall=HALL, slot="09:00")
    ticket = ok(kiosk(server).post(CHECK_IN, json={"code": code.lower()}), 201)
    assert ticket["appointment_slot"] == "09:00-09:30"
    assert ticket["category"] == "general"
    assert ticket["status"] == "waiting"
    [(status, checked_in_at, appointment_id)] = rows(
        server, "SELECT status, checked_in_at, id FROM appointment"
    )
    assert status == AppointmentStatus.CHECKED_IN
    assert checked_in_at is not None
    assert rows(server, f"SELECT appointment_id FROM ticket WHERE id = {ticket['id']}") == [
        (appointment_id,)
    ]
    events = rows(server, "SELECT type, ticket_id, payload FROM event ORDER BY seq")
    assert [(kind, ticket_id) for kind, ticket_id, _ in events] == [
        ("ticket.issued", ticket["id"]),
        ("appointment.checked_in", ticket["id"]),
    ]
    payload = json.loads(events[1][2])["payload"]
    assert payload == {
        "id": appointment_id,
        "category": "general",
        "day": "2026-03-02",
        "slot": "09:00",
        "status": "checked_in",
    }
    issued = json.loads(events[0][2])["ticket"]
    assert issued["appointment_slot"] == "09:00-09:30"


def test_check_in_by_id_number_finds_today_s_booking_in_this_hall(server: LiveServer) -> None:
    book(server.database_url, hall=HALL, day=MONDAY + timedelta(days=1), slot="09:00")
    book(server.database_url, hall=HALL, slot="09:30", category="enterprise")
    ticket = ok(kiosk(server).post(CHECK_IN, json={"id_number": ID_NUMBER.lower()}), 201)
    assert (ticket["category"], ticket["appointment_slot"]) == ("enterprise", "09:30-10:00")
    statuses = rows(server, "SELECT day, status FROM appointment ORDER BY day")
    assert [status for _, status in statuses] == ["checked_in", "booked"]


def test_the_idempotency_fingerprint_of_a_check_in_is_keyed(server: LiveServer) -> None:
    book(server.database_url, hall=HALL)
    body = json.dumps({"id_number": ID_NUMBER}).encode()
    response = kiosk(server).post(
        CHECK_IN,
        content=body,
        headers={"Content-Type": "application/json", "Idempotency-Key": "card-1"},
    )
    ok(response, 201)
    import hashlib

    plain = hashlib.sha256(f"POST {CHECK_IN}?\n".encode() + body).hexdigest()
    [(fingerprint,)] = rows(server, "SELECT fingerprint FROM idempotent_response")
    assert fingerprint != plain


@pytest.mark.parametrize(
    ("now", "code", "words"),
    [
        ("08:29", "check_in_too_early", ["09:00-09:30", "08:30起签到"]),
        ("09:41", "check_in_too_late", ["09:00-09:30", "已过", "09:40", "普通号"]),
    ],
)
def test_too_early_or_too_late_says_so_and_changes_nothing(
    server: LiveServer, clock: ManualClock, now: str, code: str, words: list[str]
) -> None:
    booking = book(server.database_url, hall=HALL, slot="09:00")
    before = state(server)
    clock.set(at(MONDAY, now))
    response = kiosk(server).post(CHECK_IN, json={"code": booking})
    detail = refused(response, 409, code)
    for word in words:
        assert word in detail
    if code == "check_in_too_late":
        assert response.json()["category"] == "general"
    assert state(server) == before
    clock.set(at(MONDAY, "08:30"))
    ok(kiosk(server).post(CHECK_IN, json={"code": booking}), 201)


def test_the_check_in_window_closes_late_minutes_after_the_slot(
    server: LiveServer, clock: ManualClock
) -> None:
    booking = book(server.database_url, hall=HALL, slot="09:00")
    clock.set(at(MONDAY, "09:40"))
    ok(kiosk(server).post(CHECK_IN, json={"code": booking}), 201)


@pytest.mark.parametrize(
    ("booking", "status", "code", "words"),
    [
        ({"status": AppointmentStatus.CANCELLED}, 409, "conflict", ["已取消", "普通号"]),
        ({"status": AppointmentStatus.NO_SHOW}, 409, "conflict", ["爽约"]),
        ({"day": MONDAY + timedelta(days=1)}, 409, "conflict", ["3月3日", "预约当天"]),
        ({"hall": "elsewhere"}, 409, "conflict", ["不是本大厅"]),
    ],
)
def test_a_booking_not_for_now_here_is_refused_saying_why(
    server: LiveServer, booking: dict[str, Any], status: int, code: str, words: list[str]
) -> None:
    booking_code = book(server.database_url, **{"hall": HALL, **booking})
    before = state(server)
    detail = refused(kiosk(server).post(CHECK_IN, json={"code": booking_code}), status, code)
    for word in words:
        assert word in detail
    assert state(server) == before


def test_a_booking_checks_in_once(server: LiveServer) -> None:
    booking = book(server.database_url, hall=HALL)
    ticket = ok(kiosk(server).post(CHECK_IN, json={"code": booking}), 201)
    before = state(server)
    detail = refused(kiosk(server).post(CHECK_IN, json={"code": booking}), 409, "conflict")
    assert f"已经签到过了（号码 {ticket['number']}）" in detail
    refused(kiosk(server).post(CHECK_IN, json={"id_number": ID_NUMBER}), 409, "conflict")
    assert state(server) == before


def test_by_id_number_another_day_s_booking_is_named(server: LiveServer) -> None:
    book(server.database_url, hall=HALL, day=MONDAY + timedelta(days=2))
    detail = refused(kiosk(server).post(CHECK_IN, json={"id_number": ID_NUMBER}), 409, "conflict")
    assert "3月4日" in detail
    assert ID_NUMBER not in detail


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"code": "NOSUCH23"}, 404, "not_found"),
        ({"id_number": OTHER_ID_NUMBER}, 404, "not_found"),
        ({"id_number": "110105194912310021"}, 422, "invalid_request"),
        ({"id_number": "1101051949123100"}, 422, "invalid_request"),
        ({"code": "ABCDEFGH", "id_number": ID_NUMBER}, 422, "invalid_request"),
        ({}, 422, "invalid_request"),
    ],
)
def test_bad_or_unknown_input_is_refused_and_changes_nothing(
    server: LiveServer, body: dict[str, str], status: int, code: str
) -> None:
    book(server.database_url, hall=HALL)
    before = state(server)
    detail = refused(kiosk(server).post(CHECK_IN, json=body), status, code)
    for number in (ID_NUMBER, OTHER_ID_NUMBER, "110105194912310021"):
        assert number not in detail
    assert state(server) == before


def test_only_a_kiosk_or_an_admin_checks_in(server: LiveServer) -> None:
    booking = book(server.database_url, hall=HALL)
    clerk = server.client(server.accounts.clerk_tokens[server.accounts.clerks[0]])
    refused(clerk.post(CHECK_IN, json={"code": booking}), 403, "wrong_role")
    refused(server.client().post(CHECK_IN, json={"code": booking}), 401, "unauthenticated")


# --- dispatch -------------------------------------------------------------------------------


def test_appointments_are_called_within_their_slot_without_starving_walk_ins(
    server: LiveServer, clock: ManualClock
) -> None:
    clerk = server.client(server.accounts.clerk_tokens[server.accounts.clerks[0]])
    ok(clerk.post("/api/windows/2/sign-in"))
    desk = kiosk(server)
    walk_ins = [ok(desk.post("/api/tickets", json={"category": "general"}), 201) for _ in range(4)]
    clock.advance(timedelta(minutes=1))
    booked = [
        ok(desk.post(CHECK_IN, json={"code": book(server.database_url, hall=HALL)}), 201)
        for _ in range(4)
    ]

    def call() -> tuple[str, str]:
        ticket = ok(clerk.post("/api/windows/2/call-next"))
        ok(clerk.post(f"/api/tickets/{ticket['id']}/start"))
        ok(clerk.post(f"/api/tickets/{ticket['id']}/finish"))
        return ticket["number"], ticket["call_reason"]

    calls = [call() for _ in range(5)]
    assert calls == [
        (booked[0]["number"], "appointment"),
        (booked[1]["number"], "appointment"),
        (walk_ins[0]["number"], "longest_wait"),
        (booked[2]["number"], "appointment"),
        (booked[3]["number"], "appointment"),
    ]
    # Past its slot (and the check-in grace) an appointment ticket is an ordinary one.
    late = ok(desk.post(CHECK_IN, json={"code": book(server.database_url, hall=HALL)}), 201)
    clock.set(at(MONDAY, "09:41"))
    calls = [call() for _ in range(4)]
    assert calls == [
        (walk_ins[1]["number"], "longest_wait"),
        (walk_ins[2]["number"], "longest_wait"),
        (walk_ins[3]["number"], "longest_wait"),
        (late["number"], "longest_wait"),
    ]
