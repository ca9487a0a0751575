"""The smart locker through HTTP with a manual clock, on both databases: staff deposit a
result, the locker's controller opens the compartment for the right code once, refuses
wrong ones and locks its code entry after five in ten minutes, an uncollected result raises
an alert once; bad input changes nothing, and no pickup code is ever written down."""

import contextlib
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel
from websockets.sync.client import ClientConnection, connect

from queue_server.client import QueueClient, QueueError
from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import Role
from queue_server.domain.self_service import DepositStatus
from tests.support import LiveServer, issue_token, live_server

pytestmark = pytest.mark.both_databases

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOCKER = "locker-1"
DEPOSITS = f"/api/lockers/{LOCKER}/deposits"
PICKUPS = f"/api/lockers/{LOCKER}/pickups"
SECRET = "a test secret that only these tests know"


@contextlib.contextmanager
def locker_hall(tmp_path: Path, database_url: str, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(
        tmp_path,
        clock=clock,
        database_url=database_url,
        alert_check_seconds=0.05,
        secret_key=SECRET,
    ) as server:
        yield server


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    detail: str = body["detail"]
    return detail


def issue(server: LiveServer) -> dict[str, Any]:
    ticket: dict[str, Any] = ok(
        server.client(server.accounts.kiosk_token).post(
            "/api/tickets", json={"category": "general"}
        ),
        201,
    )
    return ticket


def clerk(server: LiveServer) -> httpx.Client:
    return server.client(server.accounts.clerk_tokens[server.accounts.clerks[0]])


def controller(server: LiveServer) -> httpx.Client:
    return server.client(issue_token(server.database_url, LOCKER, Role.DEVICE))


def seq(server: LiveServer) -> int:
    value: int = ok(server.client().get("/api/health"))["seq"]
    return value


@contextlib.contextmanager
def stream(server: LiveServer) -> Iterator[ClientConnection]:
    """The hall's live stream as a board sees it, past its snapshot."""
    with connect(f"{server.ws_url}/ws?token={server.accounts.board_token}", open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "snapshot"
        yield ws


def next_event(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    """The next locker event or alert: the tickets issued meanwhile, and the wait alerts they
    raise when the clock jumps hours ahead, are not the point."""
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
        if message["type"].startswith("locker.") or message["type"] == "alert.locker_uncollected":
            return message


def wrong_code(*right: str) -> str:
    return next(code for code in ("000000", "111111", "222222") if code not in right)


def test_a_deposit_is_picked_up_once_with_its_code(tmp_path: Path, database_url: str) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 20, 0, tzinfo=SHANGHAI))
    with locker_hall(tmp_path, database_url, clock) as server, stream(server) as ws:
        ticket = issue(server)
        staff, device = clerk(server), controller(server)
        deposit = ok(
            staff.post(DEPOSITS, json={"compartment": 3, "ticket_code": ticket["public_code"]}),
            201,
        )
        code = deposit["pickup_code"]
        assert len(code) == 6 and code.isdigit()
        assert deposit["compartment"] == 3 and deposit["status"] == "stored"
        assert deposit["ticket_number"] == ticket["number"]
        event = next_event(ws)
        assert event["type"] == "locker.deposited"
        assert event["payload"]["compartment"] == 3 and event["payload"]["pickup_code"] is None
        assert code not in json.dumps(event)
        listed = ok(staff.get(DEPOSITS))
        assert [(row["compartment"], row["pickup_code"]) for row in listed] == [(3, code)]
        assert ok(staff.get("/api/lockers")) == [
            {"name": LOCKER, "label": "智能文件柜", "compartments": 24, "occupied": [3]}
        ]

        page = ok(server.client().get(f"/api/public/tickets/{ticket['public_code']}"))
        locker = page["locker"]
        assert datetime.fromisoformat(locker.pop("deposited_at")) == clock.now()
        assert locker == {
            "locker_label": "智能文件柜",
            "pickup_code": code,
            "zone_hours": "24小时开放",
        }

        clock.advance(timedelta(hours=3))  # 23:00, the hall long closed: the zone is open
        refused(device.post(PICKUPS, json={"pickup_code": wrong_code(code)}), 404, "not_found")
        assert ok(device.post(PICKUPS, json={"pickup_code": code})) == {"compartment": 3}
        event = next_event(ws)
        assert event["type"] == "locker.picked_up"
        assert event["payload"]["status"] == "picked_up" and code not in json.dumps(event)
        assert "已取过" in refused(
            device.post(PICKUPS, json={"pickup_code": code}), 409, "conflict"
        )
        page = ok(server.client().get(f"/api/public/tickets/{ticket['public_code']}"))
        assert page["locker"] is None
        [row] = ok(staff.get(DEPOSITS))
        assert row["status"] == "picked_up" and row["pickup_code"] is None
        assert datetime.fromisoformat(row["picked_up_at"]) == clock.now()
        # The compartment is free again.
        ok(
            staff.post(
                DEPOSITS, json={"compartment": 3, "ticket_code": issue(server)["public_code"]}
            ),
            201,
        )


def test_five_wrong_codes_in_ten_minutes_lock_the_code_entry(
    tmp_path: Path, database_url: str
) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 21, 0, tzinfo=SHANGHAI))
    with locker_hall(tmp_path, database_url, clock) as server:
        staff, device = clerk(server), controller(server)
        code = ok(
            staff.post(
                DEPOSITS, json={"compartment": 1, "ticket_code": issue(server)["public_code"]}
            ),
            201,
        )["pickup_code"]
        wrong = wrong_code(code)
        for _ in range(4):
            refused(device.post(PICKUPS, json={"pickup_code": wrong}), 404, "not_found")
            clock.advance(timedelta(minutes=2))
        # 21:08: the fifth wrong code within ten minutes locks the entry until 21:18.
        locked = device.post(PICKUPS, json={"pickup_code": wrong})
        assert "分钟后再试" in refused(locked, 429, "too_many_attempts")
        assert locked.headers["Retry-After"] == "601"
        clock.advance(timedelta(minutes=9, seconds=59))
        refused(device.post(PICKUPS, json={"pickup_code": code}), 429, "too_many_attempts")
        clock.advance(timedelta(seconds=1))
        assert ok(device.post(PICKUPS, json={"pickup_code": code})) == {"compartment": 1}
        # Old wrong codes do not count again: four fresh ones do not lock it.
        for _ in range(4):
            refused(device.post(PICKUPS, json={"pickup_code": wrong}), 404, "not_found")


def test_an_uncollected_result_raises_one_alert(tmp_path: Path, database_url: str) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI))
    with locker_hall(tmp_path, database_url, clock) as server, stream(server) as ws:
        ticket = issue(server)
        ok(
            clerk(server).post(
                DEPOSITS, json={"compartment": 7, "ticket_code": ticket["public_code"]}
            ),
            201,
        )
        assert next_event(ws)["type"] == "locker.deposited"
        clock.advance(timedelta(days=6, hours=23))
        with pytest.raises(TimeoutError):
            next_event(ws, timeout=0.5)
        clock.advance(timedelta(hours=1))
        event = next_event(ws)
        assert event["type"] == "alert.locker_uncollected"
        alert = event["alert"]
        assert alert["device"] == LOCKER and alert["device_label"] == "智能文件柜"
        assert alert["category"] == "self_service" and alert["threshold"] == 7
        assert alert["ticket_number"] == ticket["number"] and alert["deposit_id"] > 0
        assert "7 号格口" in alert["message"] and "超过 7 天" in alert["message"]
        clock.advance(timedelta(days=1))
        with pytest.raises(TimeoutError):
            next_event(ws, timeout=0.5)


def test_bad_deposits_and_pickups_are_refused_and_change_nothing(
    tmp_path: Path, database_url: str
) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 15, 0, tzinfo=SHANGHAI))
    with locker_hall(tmp_path, database_url, clock) as server:
        staff, device = clerk(server), controller(server)
        first, second = issue(server)["public_code"], issue(server)["public_code"]
        ok(staff.post(DEPOSITS, json={"compartment": 2, "ticket_code": first}), 201)
        before = (seq(server), ok(staff.get(DEPOSITS)))
        cases: list[tuple[str, str, dict[str, Any], int, str]] = [
            ("nope", "deposits", {"compartment": 1, "ticket_code": second}, 404, "not_found"),
            ("ss-shebao", "deposits", {"compartment": 1, "ticket_code": second}, 404, "not_found"),
            (LOCKER, "deposits", {"compartment": 25, "ticket_code": second}, 422, "invalid_input"),
            (LOCKER, "deposits", {"compartment": 0, "ticket_code": second}, 422, "invalid_request"),
            (LOCKER, "deposits", {"compartment": 2, "ticket_code": second}, 409, "conflict"),
            (LOCKER, "deposits", {"compartment": 4}, 422, "invalid_input"),
            (
                LOCKER,
                "deposits",
                {"compartment": 4, "ticket_code": second, "case_id": 1},
                422,
                "invalid_input",
            ),
            (LOCKER, "deposits", {"compartment": 4, "ticket_code": "ABCDEFGHJK"}, 404, "not_found"),
            (LOCKER, "deposits", {"compartment": 4, "case_id": 99}, 404, "not_found"),
            (
                LOCKER,
                "deposits",
                {"compartment": "四", "ticket_code": second},
                422,
                "invalid_request",
            ),
        ]
        for name, what, body, status, code in cases:
            refused(staff.post(f"/api/lockers/{name}/{what}", json=body), status, code)
        for shape in ("12345", "1234567", "12345a", "", " 123456"):
            refused(device.post(PICKUPS, json={"pickup_code": shape}), 422, "invalid_request")
        refused(
            device.post("/api/lockers/nope/pickups", json={"pickup_code": "123456"}),
            404,
            "not_found",
        )
        kiosk = server.client(server.accounts.kiosk_token)
        refused(
            kiosk.post(DEPOSITS, json={"compartment": 4, "ticket_code": second}), 403, "wrong_role"
        )
        refused(staff.post(PICKUPS, json={"pickup_code": "123456"}), 403, "wrong_role")
        refused(
            device.post(DEPOSITS, json={"compartment": 4, "ticket_code": second}), 403, "wrong_role"
        )
        assert (seq(server), ok(staff.get(DEPOSITS))) == before


def database_text(database_url: str) -> str:
    """Every row of every table (the event log included), as text."""
    db = Database(database_url)
    try:
        with db.read_session() as session:
            return "\n".join(
                repr(row)
                for table in SQLModel.metadata.sorted_tables
                for row in session.execute(sa.select(table)).all()
            )
    finally:
        db.dispose()


def test_no_pickup_code_is_written_down(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Not in the database (events included), not in the server's log, even with every SQL
    statement and its parameters logged: only the salt is kept, the code is derived."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    clock = ManualClock(datetime(2026, 12, 7, 19, 0, tzinfo=SHANGHAI))
    with locker_hall(tmp_path, database_url, clock) as server:
        staff, device = clerk(server), controller(server)
        codes = []
        for compartment in (1, 2, 3):
            public_code = issue(server)["public_code"]
            body = {"compartment": compartment, "ticket_code": public_code}
            codes.append(ok(staff.post(DEPOSITS, json=body), 201)["pickup_code"])
            assert codes[-1] in server.client().get(f"/t/{public_code}").text
        assert [row["pickup_code"] for row in ok(staff.get(DEPOSITS))] == codes
        assert ok(device.post(PICKUPS, json={"pickup_code": codes[0]})) == {"compartment": 1}
        refused(device.post(PICKUPS, json={"pickup_code": codes[0]}), 409, "conflict")
        refused(device.post(PICKUPS, json={"pickup_code": wrong_code(*codes)}), 404, "not_found")
        clock.advance(timedelta(days=8))
        with stream(server) as ws:
            assert next_event(ws)["type"] == "alert.locker_uncollected"
    assert len(set(codes)) == 3
    stored = database_text(database_url)
    assert "locker_deposit" in caplog.text and "INSERT INTO event" in caplog.text
    for code in codes:
        assert code not in stored
        assert code not in caplog.text


def test_without_a_secret_key(tmp_path: Path, database_url: str) -> None:
    """SQLite keeps a key of its own beside the database; PostgreSQL (several processes) needs
    YIMEN_SECRET_KEY, and the locker says so instead of making codes one process knows."""
    with live_server(tmp_path, database_url=database_url) as server:
        body = {"compartment": 1, "ticket_code": issue(server)["public_code"]}
        response = clerk(server).post(DEPOSITS, json=body)
        if database_url.startswith("sqlite"):
            ok(response, 201)
            assert (tmp_path / "hall.db.secret").exists()
        else:
            assert "YIMEN_SECRET_KEY" in refused(response, 409, "unavailable")
            assert ok(clerk(server).get(DEPOSITS)) == []


def test_a_pickup_retried_with_its_key_opens_the_same_compartment(
    tmp_path: Path, database_url: str
) -> None:
    """The controller lost the answer and sends the same request again (the client does so
    by itself after a network error): the compartment opens again; a new request is 409."""
    clock = ManualClock(datetime(2026, 12, 7, 22, 0, tzinfo=SHANGHAI))
    with locker_hall(tmp_path, database_url, clock) as server:
        staff, device = clerk(server), controller(server)
        body = {"compartment": 9, "ticket_code": issue(server)["public_code"]}
        code = ok(staff.post(DEPOSITS, json=body), 201)["pickup_code"]
        again = {"Idempotency-Key": "pickup-1"}
        opened = device.post(PICKUPS, json={"pickup_code": code}, headers=again)
        assert ok(opened) == {"compartment": 9}
        assert ok(device.post(PICKUPS, json={"pickup_code": code}, headers=again)) == {
            "compartment": 9
        }
        refused(device.post(PICKUPS, json={"pickup_code": code}), 409, "conflict")
        other = {"Idempotency-Key": "pickup-2"}
        refused(device.post(PICKUPS, json={"pickup_code": code}, headers=other), 409, "conflict")


@pytest.mark.anyio
async def test_the_client_deposits_lists_and_picks_up(tmp_path: Path, database_url: str) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 18, 0, tzinfo=SHANGHAI))
    with locker_hall(tmp_path, database_url, clock) as server:
        ticket = issue(server)
        device_token = issue_token(server.database_url, LOCKER, Role.DEVICE)
        staff_token = server.accounts.clerk_tokens[server.accounts.clerks[0]]
        async with (
            QueueClient(server.base_url, token=staff_token) as staff,
            QueueClient(server.base_url, token=device_token) as device,
        ):
            [locker] = await staff.lockers()
            assert (locker.name, locker.compartments, locker.occupied) == (LOCKER, 24, [])
            deposit = await staff.deposit_in_locker(LOCKER, 6, ticket_code=ticket["public_code"])
            assert deposit.pickup_code is not None
            with pytest.raises(QueueError) as occupied:
                await staff.deposit_in_locker(LOCKER, 6, ticket_code=ticket["public_code"])
            assert (occupied.value.status_code, occupied.value.code) == (409, "conflict")
            stored = await staff.locker_deposits(LOCKER, status=DepositStatus.STORED)
            assert [row.id for row in stored] == [deposit.id]
            with pytest.raises(QueueError) as wrong:
                await device.locker_pickup(LOCKER, wrong_code(deposit.pickup_code))
            assert wrong.value.status_code == 404
            opened = await device.locker_pickup(LOCKER, deposit.pickup_code)
            assert opened.compartment == 6
            assert await staff.locker_deposits(LOCKER, status=DepositStatus.STORED) == []
