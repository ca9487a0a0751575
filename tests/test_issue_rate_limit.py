"""A kiosk token issues no faster than a kiosk can print: a burst of 5, then one per 2 s.
Over that it gets 429 with Retry-After and the managers an `alert.device`; nobody else slows."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import Role
from tests.feedback_support import events
from tests.support import LiveServer, issue_token, live_server


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))


@pytest.fixture
def hall(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=clock, kiosk_issue_burst=5, kiosk_issue_seconds=2) as running:
        yield running


def test_a_flooding_kiosk_token_is_slowed_and_reported(
    hall: LiveServer, clock: ManualClock
) -> None:
    stolen = hall.client(hall.accounts.kiosk_token)
    ticket = {"category": "general"}
    issued = [stolen.post("/api/tickets", json=ticket) for _ in range(5)]
    assert [reply.status_code for reply in issued] == [201] * 5
    refused = [stolen.post("/api/tickets", json=ticket) for _ in range(50)]
    assert {reply.status_code for reply in refused} == {429}
    assert refused[0].headers["Retry-After"] == "2"
    assert refused[0].json() == {
        "detail": "取号过于频繁：每台取号机每2秒只能取一张号，请2秒后再试",
        "code": "rate_limited",
    }

    other = hall.client(issue_token(hall.database_url, "kiosk-side", Role.KIOSK))
    assert other.post("/api/tickets", json=ticket).status_code == 201
    clerk = hall.client(hall.login(hall.accounts.clerks[0]))
    assert clerk.post("/api/windows/2/sign-in").status_code == 200
    called = clerk.post("/api/windows/2/call-next")
    assert called.json()["id"] == issued[0].json()["id"]
    admin = hall.client(hall.login(hall.accounts.admin))
    assert all(admin.post("/api/tickets", json=ticket).status_code == 201 for _ in range(8))

    [alert] = events(hall, "alert.device")
    assert alert["alert"]["device"] == "kiosk-1"
    assert "取号机“kiosk-1”取号过于频繁" in alert["alert"]["message"]
    waiting = clerk.get("/api/tickets", params={"status": "waiting"}).json()
    assert len(waiting) == 4 + 1 + 8

    clock.advance(timedelta(seconds=2))
    assert stolen.post("/api/tickets", json=ticket).status_code == 201
    assert stolen.post("/api/tickets", json=ticket).status_code == 429
    clock.advance(timedelta(minutes=10))
    assert [stolen.post("/api/tickets", json=ticket).status_code for _ in range(6)] == [201] * 5 + [
        429
    ]
    assert len(events(hall, "alert.device")) == 2
