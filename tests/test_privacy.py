"""Privacy end to end: a real `queue-server serve` process takes bookings, a check-in by ID
number, real-name tickets and a service finished with 补件 for test applicants; then their ID
and phone numbers are searched for, in clear, in the SQLite database file and its WAL, the
server's log output, every public and board response, every websocket message, and every
statistics report and export — and found nowhere. Event payloads, boards and exports carry
no hash or mask either.

Extend `act` as parts land (journeys: the return code, the return visit, 出件): whatever it
adds is searched."""

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from queue_server.config import HallConfig, load_hall_config
from queue_server.db import Database
from queue_server.domain.clock import SystemClock
from queue_server.domain.enums import AppointmentStatus
from queue_server.domain.numbering import service_day
from queue_server.models import Appointment
from queue_server.secret_key import key_file_for
from queue_server.services.appointment_slots import open_days, slots_of
from queue_server.services.personal_data import identify
from tests.real_name_support import ID_NUMBER, PHONE, id_number
from tests.support import Accounts, ServerProcess, free_port, login, seed_accounts
from tests.test_config import DEFAULT_TEXT

OTHER_ID = id_number(42)
OTHER_PHONE = "13700000000"
BAD_ID = ID_NUMBER[:17] + "5"
"""A slip of the finger: a wrong check digit, refused, and never repeated."""
CLEAR = (
    ID_NUMBER,
    ID_NUMBER[:17],
    ID_NUMBER.lower(),
    PHONE,
    OTHER_ID,
    OTHER_ID[:17],
    OTHER_PHONE,
    BAD_ID[:17],
)
"""The numbers in clear (also without the check character): nowhere, ever."""
STATS_PERIOD = 2


@dataclass
class Seen:
    """Everything the server said, by where it said it."""

    public: dict[str, str] = field(default_factory=dict)
    """Responses anyone may read: boards, status pages, the hall, refusals."""
    holder_and_staff: dict[str, str] = field(default_factory=dict)
    """Answers to the booking's holder (by code) and to staff: masks allowed, never numbers."""
    websocket: list[str] = field(default_factory=list)
    exports: dict[str, str] = field(default_factory=dict)


def real_name_hall_text() -> str:
    marker = 'name = "综合受理"\n'
    assert marker in DEFAULT_TEXT
    return DEFAULT_TEXT.replace(
        marker, marker + "real_name = true\nmax_tickets_per_person_per_day = 2\n", 1
    )


@pytest.fixture
def process(tmp_path: Path) -> Iterator[tuple[ServerProcess, Accounts, Path]]:
    config = tmp_path / "hall.toml"
    config.write_text(real_name_hall_text(), encoding="utf-8")
    database_url = f"sqlite:///{tmp_path / 'hall.db'}"
    accounts = seed_accounts(database_url, load_hall_config(config))
    server = ServerProcess(
        database_url,
        free_port(),
        log_path=tmp_path / "server.log",
        environment={"YIMEN_CONFIG": str(config)},
    )
    server.start()
    try:
        yield server, accounts, tmp_path
    finally:
        server.stop()


def text_of(response: httpx.Response) -> str:
    """A response as searchable text; an XLSX workbook unzipped."""
    if response.content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
            return "\n".join(workbook.read(name).decode() for name in workbook.namelist())
    return response.content.decode("utf-8-sig")


def book_for_now(database: Path, hall: HallConfig) -> None:
    """A booking of today whose slot is now, as the booking API keeps it (a booking is made
    a day ahead at the earliest, and the server runs on the real clock)."""
    url = f"sqlite:///{database}"
    key_file = key_file_for(url)
    assert key_file is not None
    person = identify(key_file.read_text().strip().encode(), id_number=ID_NUMBER, phone=PHONE)
    now = SystemClock().now()
    db = Database(url)
    with db.write_session() as session:
        session.add(
            Appointment(
                hall=hall.code,
                category="general",
                day=service_day(now=now, tz=hall.tz, start_hour=hall.hall.service_day_start_hour),
                slot_start=now - timedelta(minutes=5),
                slot_end=now + timedelta(minutes=25),
                code="NOWBOOK2",
                status=AppointmentStatus.BOOKED,
                id_hash=person.id_hash,
                id_masked=person.id_masked,
                phone_hash=person.phone_hash,
                phone_masked=person.phone_masked,
                booked_at=now - timedelta(days=1),
            )
        )
    db.dispose()


def serve(clerk: httpx.Client, window: int, finish: dict[str, Any]) -> httpx.Response:
    """Call the window's next ticket, start and finish it; the finish answer."""
    called = clerk.post(f"/api/windows/{window}/call-next")
    assert called.status_code == 200, called.text
    ticket_id = called.json()["id"]
    assert clerk.post(f"/api/tickets/{ticket_id}/start").status_code == 200
    finished = clerk.post(f"/api/tickets/{ticket_id}/finish", json=finish)
    assert finished.status_code == 200, finished.text
    return finished


def act(base_url: str, accounts: Accounts, seen: Seen, database: Path) -> date:
    """What the applicants and staff do; returns the day booked."""
    hall = load_hall_config()
    book_for_now(database, hall)
    day = open_days(hall, SystemClock().now())[0]
    slot = slots_of(hall, "general", day)[0].label
    with httpx.Client(base_url=base_url, timeout=10) as anyone:
        booking = {"hall": "main", "category": "general", "day": str(day), "slot": slot}
        booked = anyone.post(
            "/api/public/appointments",
            json={**booking, "id_number": ID_NUMBER, "phone": PHONE},
            headers={"Idempotency-Key": "booking-1"},
        )
        assert booked.status_code == 201, booked.text
        code = booked.json()["code"]
        seen.holder_and_staff["booking"] = booked.text
        seen.holder_and_staff["booking read"] = anyone.get(f"/api/public/appointments/{code}").text
        other = anyone.post(
            "/api/public/appointments",
            json={**booking, "id_number": OTHER_ID, "phone": OTHER_PHONE},
        )
        assert other.status_code == 201, other.text
        cancelled = anyone.post(f"/api/public/appointments/{other.json()['code']}/cancel")
        seen.holder_and_staff["cancel"] = cancelled.text
        refused = anyone.post("/api/public/appointments", json={**booking, "id_number": BAD_ID})
        assert refused.status_code == 422
        seen.public["bad booking"] = refused.text
        twice = anyone.post(
            "/api/public/appointments", json={**booking, "id_number": ID_NUMBER, "phone": PHONE}
        )
        assert twice.status_code == 409
        seen.public["second booking"] = twice.text
        seen.public["city page"] = anyone.get("/city").text
        seen.public["halls"] = anyone.get("/api/public/halls").text

    kiosk_headers = {"Authorization": f"Bearer {accounts.kiosk_token}"}
    with httpx.Client(base_url=base_url, headers=kiosk_headers, timeout=10) as kiosk:
        tickets: list[dict[str, Any]] = []
        # 预约签到 by ID number (typed by the card reader) for a booking of today.
        checked_in = kiosk.post("/api/appointments/check-in", json={"id_number": ID_NUMBER})
        assert checked_in.status_code == 201, checked_in.text
        seen.public["check-in"] = checked_in.text
        tickets.append(checked_in.json())
        unknown = kiosk.post("/api/appointments/check-in", json={"id_number": OTHER_ID})
        assert unknown.status_code == 404, unknown.text
        seen.public["check-in refused"] = unknown.text
        bad = kiosk.post("/api/appointments/check-in", json={"id_number": BAD_ID})
        assert bad.status_code == 422
        seen.public["check-in bad"] = bad.text
        for number, key in ((ID_NUMBER, "ticket-1"), (ID_NUMBER, None), (OTHER_ID, None)):
            headers = {"Idempotency-Key": key} if key else {}
            issued = kiosk.post(
                "/api/tickets",
                json={"category": "general", "id_number": number},
                headers=headers,
            )
            assert issued.status_code == 201, issued.text
            seen.public[f"ticket {len(tickets)}"] = issued.text
            tickets.append(issued.json())
        third = kiosk.post("/api/tickets", json={"category": "general", "id_number": ID_NUMBER})
        assert third.status_code == 409
        seen.public["allowance refusal"] = third.text
        bad = kiosk.post("/api/tickets", json={"category": "general", "id_number": BAD_ID})
        assert bad.status_code == 422
        seen.public["bad ticket"] = bad.text

    clerk_headers = {"Authorization": f"Bearer {login(base_url, accounts.clerks[0])}"}
    with httpx.Client(base_url=base_url, headers=clerk_headers, timeout=10) as clerk:
        assert clerk.post("/api/windows/2/sign-in").status_code == 200
        finishes = {
            outcome: serve(clerk, 2, {"outcome": outcome, **extra})
            for outcome, extra in (
                ("needs_documents", {"missing": ["户口簿"]}),
                ("resolved", {}),
            )
        }
        for outcome, finished in finishes.items():
            seen.holder_and_staff[f"finish {outcome}"] = finished.text
        journey = finishes["needs_documents"].json()
        # The applicant comes back with the return code, is served, and collects at 出件.
        with httpx.Client(base_url=base_url, headers=kiosk_headers, timeout=10) as kiosk:
            back = kiosk.post("/api/journeys/return", json={"return_code": journey["return_code"]})
            assert back.status_code == 201, back.text
            seen.public["return ticket"] = back.text
            tickets.append(back.json())
            returned = serve(clerk, 2, {"outcome": "resolved"})
            assert returned.json()["id"] == back.json()["id"]  # a return visit comes first
            ready = clerk.post(f"/api/journeys/{journey['journey_id']}/ready", json={})
            assert ready.status_code == 200, ready.text
            pickup = kiosk.post(
                "/api/journeys/return", json={"return_code": journey["return_code"]}
            )
            assert pickup.status_code == 201, pickup.text
            tickets.append(pickup.json())
        assert clerk.post("/api/windows/2/sign-out").status_code == 200
        assert clerk.post("/api/windows/12/sign-in").status_code == 200
        serve(clerk, 12, {})
        seen.holder_and_staff["journey"] = clerk.get(f"/api/journeys/{journey['journey_id']}").text
        assert '"collected"' in seen.holder_and_staff["journey"]
        seen.holder_and_staff["tickets"] = clerk.get("/api/tickets").text

    with httpx.Client(base_url=base_url, timeout=10) as anyone:
        for ticket in tickets:
            public_code = ticket["public_code"]
            seen.public[f"status {public_code}"] = anyone.get(
                f"/api/public/tickets/{public_code}"
            ).text
            seen.public[f"status page {public_code}"] = anyone.get(f"/t/{public_code}").text
            with connect(f"{base_url.replace('http', 'ws')}/ws/t/{public_code}") as socket:
                seen.websocket.append(str(socket.recv(timeout=5)))

    board_headers = {"Authorization": f"Bearer {accounts.board_token}"}
    with httpx.Client(base_url=base_url, headers=board_headers, timeout=10) as board:
        for path in ("/board", "/api/hall", "/api/windows", "/board/window/2"):
            seen.public[path] = board.get(path).text
    return day


def read_stream(url: str) -> list[str]:
    """Every message a websocket sends from its snapshot on (the replayed events included)."""
    messages = []
    with connect(url) as socket:
        while True:
            try:
                messages.append(str(socket.recv(timeout=1.5)))
            except TimeoutError:
                return messages


def statistics(base_url: str, accounts: Accounts, day: date, seen: Seen) -> None:
    """Every statistics report and export the server has (as OpenAPI lists them)."""
    manager = {"Authorization": f"Bearer {login(base_url, accounts.manager)}"}
    with httpx.Client(base_url=base_url, headers=manager, timeout=30) as client:
        paths = [
            path
            for path, methods in client.get("/openapi.json").json()["paths"].items()
            if path.startswith("/api/stats") and "get" in methods and "{" not in path
        ]
        assert "/api/stats/journeys/export" in paths
        today = SystemClock().now().date()
        period = {"from": str(today - timedelta(days=STATS_PERIOD)), "to": str(day)}
        for path in paths:
            formats = ("csv", "xlsx") if path.endswith("/export") else (None,)
            for format in formats:
                params = {**period, **({"format": format} if format else {})}
                response = client.get(path, params=params)
                assert response.status_code == 200, (path, response.text)
                seen.exports[f"{path} {format}"] = text_of(response)
        seen.holder_and_staff["appointments"] = client.get(
            "/api/appointments", params={"day": str(day)}
        ).text


def test_no_id_or_phone_number_is_kept_logged_or_shown_in_clear(
    process: tuple[ServerProcess, Accounts, Path],
) -> None:
    server, accounts, folder = process
    seen = Seen()
    day = act(server.base_url, accounts, seen, folder / "hall.db")
    statistics(server.base_url, accounts, day, seen)
    ws_url = server.base_url.replace("http", "ws")
    manager = login(server.base_url, accounts.manager)
    seen.websocket += read_stream(f"{ws_url}/ws?token={manager}&since=0")
    seen.websocket += read_stream(f"{ws_url}/ws?token={accounts.board_token}&since=0")
    assert any('"ticket.issued"' in message for message in seen.websocket)
    assert any("appointment.booked" in message for message in seen.websocket)
    assert any("appointment.checked_in" in message for message in seen.websocket)

    database = folder / "hall.db"
    wal = folder / "hall.db-wal"
    files = {"database": database.read_bytes(), "wal": wal.read_bytes() if wal.exists() else b""}
    assert files["wal"], "the WAL is searched while the server still has it open"
    server.stop()
    files["database after stop"] = database.read_bytes()
    log = (folder / "server.log").read_text(encoding="utf-8", errors="replace")
    assert "POST /api/public/appointments" in log  # the access log was captured

    key_file = key_file_for(f"sqlite:///{database}")
    assert key_file is not None
    key = key_file.read_text().strip().encode()
    people = [identify(key, id_number=ID_NUMBER, phone=PHONE)]
    people.append(identify(key, id_number=OTHER_ID, phone=OTHER_PHONE))
    hashes = [value for p in people for value in (p.id_hash, p.phone_hash) if value]
    masks = [value for p in people for value in (p.id_masked, p.phone_masked) if value]

    for number in CLEAR:
        for name, content in files.items():
            assert number.encode() not in content, (number, name)
        assert number not in log
        for where in (seen.public, seen.holder_and_staff, seen.exports):
            for name, text in where.items():
                assert number not in text, (number, name)
        for message in seen.websocket:
            assert number not in message
    # Not even the hash or the mask where anyone may look: boards, status pages, events,
    # exports, the log.
    for secret in [*hashes, *masks]:
        assert secret not in log
        for name, text in [*seen.public.items(), *seen.exports.items()]:
            assert secret not in text, (secret, name)
        for message in seen.websocket:
            assert secret not in message, secret
    # The holder sees their booking masked; the database keeps only hashes (and masks).
    assert people[0].id_masked in seen.holder_and_staff["booking read"]
    assert people[0].id_hash.encode() in files["database after stop"]
