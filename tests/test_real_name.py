"""实名取号 through HTTP: a real-name category needs the ID number, keeps only its keyed hash,
and refuses a person's ticket beyond the daily allowance — per category, hall and day."""

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import select

from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.models import IdempotentResponse, Ticket
from tests.real_name_support import (
    ID_NUMBER,
    REAL_NAME_CATEGORY,
    REAL_NAME_LIMIT,
    id_number,
    real_name_hall,
)
from tests.support import LiveServer, live_server

START = datetime(2026, 5, 6, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def hall_server(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, hall=real_name_hall(), clock=clock) as running:
        yield running


@pytest.fixture
def kiosk(hall_server: LiveServer) -> httpx.Client:
    return hall_server.client(hall_server.accounts.kiosk_token)


def take(kiosk: httpx.Client, number: str | None, category: str = REAL_NAME_CATEGORY) -> Any:
    body: dict[str, str] = {"category": category}
    if number is not None:
        body["id_number"] = number
    return kiosk.post("/api/tickets", json=body)


def stored_tickets(server: LiveServer) -> list[Ticket]:
    db = Database(server.database_url)
    try:
        with db.read_session() as session:
            return list(session.exec(select(Ticket).order_by(Ticket.id)))  # type: ignore[arg-type]
    finally:
        db.dispose()


def test_a_real_name_category_refuses_a_ticket_without_an_id_number(
    hall_server: LiveServer, kiosk: httpx.Client
) -> None:
    refused = take(kiosk, None)
    assert refused.status_code == 422, refused.text
    assert "须实名取号" in refused.json()["detail"]
    assert stored_tickets(hall_server) == []


def test_a_bad_id_number_is_refused_without_repeating_it(
    hall_server: LiveServer, kiosk: httpx.Client
) -> None:
    wrong_check_digit = ID_NUMBER[:17] + "5"
    for bad in (wrong_check_digit, "12345", "11010519491331002X"):
        refused = take(kiosk, bad)
        assert refused.status_code == 422, refused.text
        assert bad not in refused.text
        assert bad[:17] not in refused.text
    assert stored_tickets(hall_server) == []


def test_the_allowance_is_per_person_category_and_day(
    hall_server: LiveServer, kiosk: httpx.Client, clock: ManualClock
) -> None:
    for _ in range(REAL_NAME_LIMIT):
        assert take(kiosk, ID_NUMBER).status_code == 201
    refused = take(kiosk, ID_NUMBER.lower())
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"] == (
        f"综合受理为实名取号业务，每人每天最多取{REAL_NAME_LIMIT}个号；"
        f"您今天已取{REAL_NAME_LIMIT}个号，请明天再来或咨询导办台"
    )
    # Another person, and another category for the same person, are not held up.
    assert take(kiosk, id_number(1)).status_code == 201
    assert take(kiosk, ID_NUMBER, category="consult").status_code == 201
    issued = stored_tickets(hall_server)
    assert [t.number for t in issued] == ["B001", "B002", "B003", "A001"]
    # The next service day the allowance starts again.
    clock.advance(timedelta(days=1))
    assert take(kiosk, ID_NUMBER).status_code == 201


def test_only_the_keyed_hash_of_a_real_name_ticket_is_kept(
    hall_server: LiveServer, kiosk: httpx.Client
) -> None:
    real_name = take(kiosk, ID_NUMBER)
    assert real_name.status_code == 201
    assert ID_NUMBER not in real_name.text
    assert take(kiosk, ID_NUMBER, category="consult").status_code == 201
    first, walk_in = stored_tickets(hall_server)
    assert first.person_hash is not None and len(first.person_hash) == 64
    assert ID_NUMBER not in first.person_hash
    # A category that is not real-name does not keep what it does not need.
    assert walk_in.person_hash is None


def test_a_transfer_is_not_another_ticket_of_the_allowance(
    hall_server: LiveServer, kiosk: httpx.Client
) -> None:
    first = take(kiosk, ID_NUMBER).json()
    clerk = hall_server.client(hall_server.login(hall_server.accounts.clerks[0]))
    assert clerk.post("/api/windows/2/sign-in").status_code == 200
    called = clerk.post("/api/windows/2/call-next")
    assert called.status_code == 200, called.text
    assert called.json()["id"] == first["id"]
    moved = clerk.post(
        f"/api/tickets/{first['id']}/transfer", json={"to_category": "consult", "reason": "先咨询"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["number"] == first["number"]
    assert take(kiosk, ID_NUMBER).status_code == 201
    assert take(kiosk, ID_NUMBER).status_code == 409
    hops = {t.id: t for t in stored_tickets(hall_server)}
    # The moved ticket is still the same person's (kept for retention alike).
    assert hops[moved.json()["id"]].person_hash == hops[first["id"]].person_hash is not None


def test_a_retried_real_name_request_is_remembered_by_a_keyed_fingerprint(
    hall_server: LiveServer, kiosk: httpx.Client
) -> None:
    """The Idempotency-Key's stored fingerprint of a body holding an ID number is keyed: a
    plain SHA-256 of a body this short could be reversed by trying every number."""
    content = json.dumps({"category": REAL_NAME_CATEGORY, "id_number": ID_NUMBER}).encode()
    headers = {"Idempotency-Key": "retry-1", "Content-Type": "application/json"}
    first = kiosk.post("/api/tickets", content=content, headers=headers)
    assert first.status_code == 201
    again = kiosk.post("/api/tickets", content=content, headers=headers)
    assert again.json() == first.json()  # the retry is still recognised
    db = Database(hall_server.database_url)
    try:
        with db.read_session() as session:
            [stored] = session.exec(select(IdempotentResponse)).all()
    finally:
        db.dispose()
    plain = hashlib.sha256(b"POST /api/tickets?\n" + content).hexdigest()
    assert stored.fingerprint != plain
