"""预约取号 through HTTP against a real server on a manual clock: booking with the matter's
materials, a full slot, one booking per person and day, the cancellation limit, two bookings
racing for the last place, the no-show rule blocking and expiring, the staff's view of a day,
bad input refused with nothing changed, and the per-address throttle."""

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import select

from queue_server.client import QueueClient, QueueError
from queue_server.config import load_hall_config
from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import AppointmentStatus
from queue_server.domain.identity import check_digit
from queue_server.models import Appointment, IdempotentResponse, Ticket
from tests.feedback_support import events
from tests.support import PASSWORD, LiveServer, live_server

pytestmark = pytest.mark.both_databases

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET = "a test secret that only these tests know"
BOOK = "/api/public/appointments"
TUESDAY, WEDNESDAY, THURSDAY = "2026-12-08", "2026-12-09", "2026-12-10"
NEWBORN_MATERIALS = [
    "夫妻双方身份证",
    "夫妻双方户口簿",
    "夫妻双方结婚证",
    "出生医学证明",
    "民族成份确认书",
]


def id_number(serial: int) -> str:
    """A valid 居民身份证号: born 1990-01-01 in 东城区, with serial `serial` (1–999)."""
    first = f"11010119900101{serial:03d}"
    return first + check_digit(first)


ALICE, BOB, CAROL = id_number(11), id_number(22), id_number(33)


def at(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at("2026-12-07", 10))  # a Monday


@contextlib.contextmanager
def booking_hall(
    tmp_path: Path,
    database_url: str,
    clock: ManualClock,
    *,
    booking_burst: int = 10,
    booking_seconds: float = 0,
) -> Iterator[LiveServer]:
    """The default hall with a known secret key (PostgreSQL has no key file), the watch every
    50 ms, and no throttle unless a test asks for one."""
    with live_server(
        tmp_path,
        clock=clock,
        database_url=database_url,
        secret_key=SECRET,
        alert_check_seconds=0.05,
        booking_burst=booking_burst,
        booking_seconds=booking_seconds,
    ) as server:
        yield server


@pytest.fixture
def hall(tmp_path: Path, database_url: str, clock: ManualClock) -> Iterator[LiveServer]:
    with booking_hall(tmp_path, database_url, clock) as server:
        yield server


def booking(
    person: str,
    day: str = TUESDAY,
    slot: str = "09:00",
    category: str = "general",
    **extra: object,
) -> dict[str, object]:
    return {
        "hall": "main",
        "category": category,
        "day": day,
        "slot": slot,
        "id_number": person,
        **extra,
    }


def book(server: LiveServer, person: str, **fields: Any) -> httpx.Response:
    return httpx.post(f"{server.base_url}{BOOK}", json=booking(person, **fields))


def booked(server: LiveServer, person: str, **fields: Any) -> dict[str, Any]:
    response = book(server, person, **fields)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    detail: str = body["detail"]
    return detail


def public(server: LiveServer, code: str) -> dict[str, Any]:
    response = httpx.get(f"{server.base_url}{BOOK}/{code}")
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def cancel(server: LiveServer, code: str) -> httpx.Response:
    return httpx.post(f"{server.base_url}{BOOK}/{code}/cancel")


def day_view(server: LiveServer, day: str, category: str = "general") -> list[dict[str, Any]]:
    manager = server.client(server.login("manager"))
    response = manager.get("/api/appointments", params={"day": day, "category": category})
    assert response.status_code == 200, response.text
    slots: list[dict[str, Any]] = response.json()
    return slots


def slot_row(server: LiveServer, day: str, slot: str, category: str = "general") -> dict[str, Any]:
    return next(row for row in day_view(server, day, category) if row["slot"] == slot)


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """The watch runs in the server every 50 ms; poll until it has done its round."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_booking_answers_the_code_and_the_materials(hall: LiveServer) -> None:
    answer = booked(hall, ALICE, matter="newborn", phone="13800138000")
    code = answer["code"]
    assert len(code) == 8 and not set(code) & set("01OIL"), code
    assert answer["matter"] == "新生儿出生"
    assert answer["materials"] == NEWBORN_MATERIALS
    assert (answer["day"], answer["slot"], answer["end"]) == (TUESDAY, "09:00", "09:30")
    assert (answer["status"], answer["status_label"]) == ("booked", "已预约")
    assert answer["id_masked"] == "1****************" + ALICE[-1]
    assert answer["phone_masked"] == "1*********0"
    assert (answer["hall_name"], answer["category_name"]) == ("一门市民服务中心", "综合受理")
    assert datetime.fromisoformat(answer["check_in_from"]) == at(TUESDAY, 8, 30)
    assert datetime.fromisoformat(answer["check_in_until"]) == at(TUESDAY, 9, 40)
    assert datetime.fromisoformat(answer["cancel_until"]) == at(TUESDAY, 7)
    assert public(hall, code) == answer
    assert public(hall, code.lower())["code"] == code

    [event] = events(hall, "appointment.booked")
    assert event["payload"] == {
        "id": 1,
        "category": "general",
        "day": TUESDAY,
        "slot": "09:00",
        "status": "booked",
    }
    row = slot_row(hall, TUESDAY, "09:00")
    assert (row["capacity"], row["booked"], row["checked_in"], row["cancelled"]) == (4, 1, 0, 0)
    [shown] = row["bookings"]
    assert shown == {
        "code": code,
        "id_masked": answer["id_masked"],
        "matter": "新生儿出生",
        "status": "booked",
        "status_label": "已预约",
        "ticket_number": None,
    }


def test_a_full_slot_is_refused_and_nothing_changes(hall: LiveServer) -> None:
    booked(hall, ALICE, category="enterprise")
    booked(hall, BOB, category="enterprise")  # capacity 2
    detail = refused(book(hall, CAROL, category="enterprise"), 409, "slot_full")
    assert detail == "12月8日 09:00 的时段已约满，请选择其他时段"
    assert slot_row(hall, TUESDAY, "09:00", "enterprise")["booked"] == 2
    assert len(events(hall, "appointment.booked")) == 2
    booked(hall, CAROL, category="enterprise", slot="09:30")


def test_one_booking_per_person_per_day(hall: LiveServer) -> None:
    first = booked(hall, ALICE)
    detail = refused(book(hall, ALICE, slot="14:00", category="enterprise"), 409, "already_booked")
    assert detail == "您已预约了12月8日本大厅的业务，每人每天只能预约一次"
    assert ALICE not in detail
    booked(hall, ALICE, day=WEDNESDAY)  # another day
    assert cancel(hall, first["code"]).status_code == 200
    booked(hall, ALICE, slot="14:00")  # a cancelled booking does not count


def test_cancellation_frees_the_place_until_two_hours_before(
    hall: LiveServer, clock: ManualClock
) -> None:
    first = booked(hall, ALICE, category="enterprise")
    booked(hall, BOB, category="enterprise")
    cancelled = cancel(hall, first["code"])
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["status_label"]) == ("cancelled", "已取消")
    assert refused(cancel(hall, first["code"]), 409, "illegal_transition") == "该预约已取消"
    row = slot_row(hall, TUESDAY, "09:00", "enterprise")
    assert (row["booked"], row["cancelled"]) == (1, 1)
    [event] = events(hall, "appointment.cancelled")
    assert event["payload"]["status"] == "cancelled"

    late = booked(hall, CAROL, category="enterprise")  # the freed place
    clock.set(at(TUESDAY, 7, 0))
    assert cancel(hall, late["code"]).status_code == 200  # exactly at the deadline
    again = booked(hall, ALICE, category="enterprise", day=WEDNESDAY)
    clock.set(at(WEDNESDAY, 7, 1))
    detail = refused(cancel(hall, again["code"]), 409, "too_late_to_cancel")
    assert detail == "预约时段开始前2小时内不能取消（取消截止于12月9日 07:00）"
    assert public(hall, again["code"])["status"] == "booked"


def test_two_bookings_for_the_last_place_one_wins(hall: LiveServer) -> None:
    booked(hall, ALICE, category="enterprise")
    barrier = threading.Barrier(2)
    answers: list[httpx.Response] = []

    def race(person: str) -> None:
        barrier.wait()
        answers.append(book(hall, person, category="enterprise"))

    threads = [threading.Thread(target=race, args=(p,)) for p in (BOB, CAROL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.status_code for answer in answers) == [201, 409]
    loser = next(answer for answer in answers if answer.status_code == 409)
    assert loser.json()["code"] == "slot_full"
    assert slot_row(hall, TUESDAY, "09:00", "enterprise")["booked"] == 2


def test_three_no_shows_block_booking_for_thirty_days(hall: LiveServer, clock: ManualClock) -> None:
    codes = []
    for day in (TUESDAY, WEDNESDAY, THURSDAY):
        codes.append(booked(hall, ALICE, day=day)["code"])
        clock.set(at(day, 9, 41))  # the check-in window closed at 09:40
        wait_for(lambda: public(hall, codes[-1])["status"] == "no_show")
    assert public(hall, codes[0])["status_label"] == "爽约"
    assert [e["payload"]["status"] for e in events(hall, "appointment.no_show")] == ["no_show"] * 3
    row = slot_row(hall, THURSDAY, "09:00")
    assert (row["booked"], row["no_shows"]) == (1, 1)

    detail = refused(book(hall, ALICE, day="2026-12-14"), 409, "booking_blocked")
    assert detail == "您在30天内已有3次预约未到，1月9日 09:00前不能预约，请到大厅现场取号"
    booked(hall, BOB, day="2026-12-14")  # only that person
    clock.set(at("2027-01-08", 8, 59))
    refused(book(hall, ALICE, day="2027-01-11"), 409, "booking_blocked")
    clock.set(at("2027-01-09", 9, 1))
    assert booked(hall, ALICE, day="2027-01-11")["status"] == "booked"


def test_bad_input_is_refused_and_nothing_changes(hall: LiveServer) -> None:
    before = httpx.get(f"{hall.base_url}/api/health").json()["seq"]
    short = ALICE[:17]
    wrong_digit = ALICE[:17] + ("0" if ALICE[-1] != "0" else "1")
    for number in (short, wrong_digit, "abcdefghijklmnopqr"):
        response = book(hall, number)
        assert response.status_code == 422, response.text
        assert number not in response.text and number[:17] not in response.text
    assert book(hall, ALICE, phone="12345").status_code == 422
    assert book(hall, ALICE, slot="9:00").status_code == 422
    assert "12月7日不可预约" in refused(book(hall, ALICE, day="2026-12-07"), 409, "day_not_open")
    detail = refused(book(hall, ALICE, day="2026-12-15"), 409, "day_not_open")
    assert detail == "12月15日不可预约。目前可预约12月8日至12月14日的工作日。"
    refused(book(hall, ALICE, day="2026-12-12"), 409, "day_not_open")  # a Saturday
    detail = refused(book(hall, ALICE, slot="09:15"), 422, "unknown_slot")
    assert detail == "12月8日没有 09:15 开始的预约时段"
    refused(book(hall, ALICE, slot="12:00"), 422, "unknown_slot")  # the lunch break
    assert "不接受预约" in refused(book(hall, ALICE, category="consult"), 422, "invalid_input")
    refused(book(hall, ALICE, category="nothing"), 422, "invalid_input")
    refused(book(hall, ALICE, matter="open_restaurant"), 422, "invalid_input")  # enterprise's
    refused(book(hall, ALICE, matter="no_such_matter"), 422, "invalid_input")
    refused(
        httpx.post(f"{hall.base_url}{BOOK}", json=booking(ALICE) | {"hall": "x"}), 404, "not_found"
    )
    refused(httpx.get(f"{hall.base_url}{BOOK}/ABCDEFGH"), 404, "not_found")
    refused(cancel(hall, "ABCDEFGH"), 404, "not_found")
    assert httpx.get(f"{hall.base_url}{BOOK}/AB-0").status_code == 422
    kiosk = hall.client(hall.accounts.kiosk_token)
    refused(kiosk.post(BOOK, json=booking(ALICE)), 403, "wrong_role")
    refused(kiosk.get("/api/appointments"), 403, "wrong_role")
    assert httpx.get(f"{hall.base_url}/api/health").json()["seq"] == before
    assert all(row["booked"] == 0 for row in day_view(hall, TUESDAY))


def test_staff_see_the_day_per_slot(hall: LiveServer) -> None:
    alice = booked(hall, ALICE)
    booked(hall, BOB)
    bob_later = booked(hall, CAROL, slot="16:30")
    assert cancel(hall, bob_later["code"]).status_code == 200
    clerk = hall.client(hall.accounts.clerk_tokens[hall.accounts.clerks[0]])
    response = clerk.get("/api/appointments", params={"day": TUESDAY})
    assert response.status_code == 200, response.text
    rows = response.json()
    general = [row for row in rows if row["category"] == "general"]
    enterprise = [row for row in rows if row["category"] == "enterprise"]
    assert len(general) == len(enterprise) == 13
    assert [row["slot"] for row in general][:3] == ["09:00", "09:30", "10:00"]
    first = general[0]
    assert (first["booked"], first["capacity"]) == (2, 4)
    assert [b["code"] for b in first["bookings"]] == [alice["code"], first["bookings"][1]["code"]]
    last = general[-1]
    assert (last["slot"], last["end"], last["booked"], last["cancelled"]) == (
        "16:30",
        "17:00",
        0,
        1,
    )
    assert enterprise[0]["category_name"] == "企业服务专区"
    refused(clerk.get("/api/appointments", params={"category": "consult"}), 422, "invalid_input")
    assert clerk.get("/api/appointments", params={"day": "12/08"}).status_code == 422


def test_requests_from_one_address_are_throttled(
    tmp_path: Path, database_url: str, clock: ManualClock
) -> None:
    with booking_hall(tmp_path, database_url, clock, booking_burst=2, booking_seconds=30) as server:
        answer = booked(server, ALICE)
        public(server, answer["code"])
        response = cancel(server, answer["code"])
        refused(response, 429, "rate_limited")
        assert response.headers["Retry-After"] == "30"
        assert response.json()["detail"] == "预约操作过于频繁，请30秒后再试"
        clock.advance(timedelta(seconds=30))
        assert cancel(server, answer["code"]).status_code == 200
        refused(book(server, BOB), 429, "rate_limited")


def test_a_retried_booking_gets_its_answer_again_and_no_plain_hash_of_the_id_is_kept(
    hall: LiveServer,
) -> None:
    """The Idempotency-Key's record keeps a fingerprint of the request keyed with the
    server's secret: not the SHA-256 of the body, which anyone could match against every
    possible ID number."""
    body = json.dumps(booking(ALICE, phone="13800138000")).encode()
    headers = {"Idempotency-Key": "booking-1", "Content-Type": "application/json"}
    answers = [
        httpx.post(f"{hall.base_url}{BOOK}", content=body, headers=headers) for _ in range(2)
    ]
    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert slot_row(hall, TUESDAY, "09:00")["booked"] == 1
    other = json.dumps(booking(BOB)).encode()
    reused = httpx.post(f"{hall.base_url}{BOOK}", content=other, headers=headers)
    refused(reused, 422, "invalid_input")

    plain = hashlib.sha256(f"POST {BOOK}?\n".encode() + body).hexdigest()
    db = Database(hall.database_url)
    try:
        with db.read_session() as session:
            [stored] = session.exec(select(IdempotentResponse)).all()
    finally:
        db.dispose()
    assert stored.fingerprint != plain
    assert ALICE not in stored.body and ALICE[:17] not in stored.body


def test_a_checked_in_booking_shows_its_ticket_number(hall: LiveServer) -> None:
    """Check-in (the kiosk's part) links a ticket to the booking: the staff's view shows it."""
    code = booked(hall, ALICE)["code"]
    ticket = hall.client(hall.accounts.kiosk_token).post(
        "/api/tickets", json={"category": "general"}
    )
    assert ticket.status_code == 201, ticket.text
    db = Database(hall.database_url)
    try:
        with db.write_session() as session:
            appointment = session.exec(select(Appointment).where(Appointment.code == code)).one()
            appointment.status = AppointmentStatus.CHECKED_IN
            row = session.get(Ticket, ticket.json()["id"])
            assert row is not None
            row.appointment_id = appointment.id
            session.add_all([appointment, row])
    finally:
        db.dispose()
    slot = slot_row(hall, TUESDAY, "09:00")
    assert (slot["booked"], slot["checked_in"]) == (1, 1)
    assert slot["bookings"][0]["ticket_number"] == ticket.json()["number"]
    assert slot["bookings"][0]["status_label"] == "已签到"


@pytest.mark.anyio
async def test_the_client_books_reads_and_cancels(hall: LiveServer) -> None:
    async with QueueClient(hall.base_url) as applicant:
        made = await applicant.book_appointment(
            hall="main",
            category="general",
            day=date(2026, 12, 8),
            slot="10:00",
            id_number=ALICE,
            matter="newborn",
        )
        assert made.materials == NEWBORN_MATERIALS
        assert await applicant.appointment(made.code) == made
        cancelled = await applicant.cancel_appointment(made.code)
        assert cancelled.status is AppointmentStatus.CANCELLED
        with pytest.raises(QueueError) as refusal:
            await applicant.cancel_appointment(made.code)
        assert refusal.value.detail == "该预约已取消"
    async with QueueClient(hall.base_url) as staff:
        await staff.login("manager", PASSWORD)
        slots = await staff.day_appointments(day=date(2026, 12, 8), category="general")
        ten = next(slot for slot in slots if slot.slot == "10:00")
        assert (ten.booked, ten.cancelled, ten.bookings[0].code) == (0, 1, made.code)


def test_a_slot_already_begun_cannot_be_booked(
    tmp_path: Path, database_url: str, clock: ManualClock
) -> None:
    """A hall that takes bookings for today (`min_days_ahead = 0`) still refuses a slot that
    has begun."""
    default = load_hall_config()
    same_day = default.appointments.model_copy(update={"min_days_ahead": 0})
    hall = default.model_copy(update={"appointments": same_day})
    with live_server(
        tmp_path,
        hall=hall,
        clock=clock,
        database_url=database_url,
        secret_key=SECRET,
        booking_seconds=0,
    ) as server:
        detail = refused(book(server, ALICE, day="2026-12-07", slot="10:00"), 409, "day_not_open")
        assert detail == "12月7日 10:00 的时段已开始，请选择以后的时段"
        refused(book(server, ALICE, day="2026-12-07", slot="09:30"), 409, "day_not_open")
        assert booked(server, ALICE, day="2026-12-07", slot="10:30")["slot"] == "10:30"
