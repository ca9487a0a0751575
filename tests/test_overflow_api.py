"""跨窗通办 over HTTP with a manual clock: a window that `also_serves` another category takes it
when idle, when its longest wait passes target or more than `overflow_waiting` wait — never
while the window's own category is past target — and the call says why (`call_reason`
`overflow`), in the answer and in the `ticket.called` event."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from tests.appointment_support import MONDAY, at
from tests.overflow_support import HELPER, overflow_hall
from tests.support import LiveServer, live_server

pytestmark = pytest.mark.both_databases


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at(MONDAY, "09:00"))


@pytest.fixture
def server(tmp_path: Path, database_url: str, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(
        tmp_path, hall=overflow_hall(), clock=clock, database_url=database_url
    ) as running:
        yield running


@pytest.fixture
def kiosk(server: LiveServer) -> httpx.Client:
    return server.client(server.accounts.kiosk_token)


@pytest.fixture
def clerk(server: LiveServer) -> httpx.Client:
    client = server.client(server.login(server.accounts.clerks[0]))
    assert client.post(f"/api/windows/{HELPER}/sign-in").status_code == 200
    return client


def issue(kiosk: httpx.Client, category: str) -> int:
    response = kiosk.post("/api/tickets", json={"category": category})
    assert response.status_code == 201, response.text
    ticket_id: int = response.json()["id"]
    return ticket_id


def call(clerk: httpx.Client) -> tuple[int, str]:
    """Call next at the helping window and serve the ticket at once: (id, call_reason)."""
    response = clerk.post(f"/api/windows/{HELPER}/call-next")
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()
    assert ticket["window_no"] == HELPER
    clerk.post(f"/api/tickets/{ticket['id']}/start")
    clerk.post(f"/api/tickets/{ticket['id']}/finish")
    return ticket["id"], ticket["call_reason"]


def called_events(server: LiveServer) -> list[tuple[int, str]]:
    """(ticket id, call_reason) of every `ticket.called` event, in order."""
    db = Database(server.database_url)
    try:
        with db.read_engine.connect() as connection:
            payloads = connection.execute(
                sa.text("SELECT payload FROM event WHERE type = 'ticket.called' ORDER BY seq")
            ).scalars()
            tickets = [json.loads(payload)["ticket"] for payload in payloads]
    finally:
        db.dispose()
    return [(ticket["id"], ticket["call_reason"]) for ticket in tickets]


def test_an_idle_window_helps_and_says_why(
    server: LiveServer, kiosk: httpx.Client, clerk: httpx.Client
) -> None:
    consult = issue(kiosk, "consult")
    assert call(clerk) == (consult, "overflow")
    assert called_events(server) == [(consult, "overflow")]
    assert clerk.post(f"/api/windows/{HELPER}/call-next").status_code == 204
    window = clerk.get(f"/api/windows/{HELPER}").json()
    assert (window["categories"], window["also_serves"]) == (["pickup"], ["consult"])


def test_help_past_the_thresholds_but_never_while_its_own_is_past_target(
    server: LiveServer, kiosk: httpx.Client, clerk: httpx.Client, clock: ManualClock
) -> None:
    consult = issue(kiosk, "consult")
    clock.advance(timedelta(minutes=2))
    pickups = [issue(kiosk, "pickup") for _ in range(3)]
    clock.advance(timedelta(minutes=3))
    # consult has waited 5 min with one waiting: not due; the window's own queue first
    assert call(clerk) == (pickups[0], "longest_wait")
    clock.advance(timedelta(minutes=6))
    # consult has waited 11 min (target 10), the pickups 9: help
    assert call(clerk) == (consult, "overflow")
    more = [issue(kiosk, "consult") for _ in range(3)]
    # three consult tickets wait, more than its overflow_waiting of 2: help again
    assert call(clerk) == (more[0], "overflow")
    clock.advance(timedelta(minutes=2))
    # the pickups have waited 11 min, past their own target: no more help
    assert call(clerk) == (pickups[1], "longest_wait")
    assert call(clerk) == (pickups[2], "longest_wait")
    assert call(clerk) == (more[1], "overflow")
    assert called_events(server) == [
        (pickups[0], "longest_wait"),
        (consult, "overflow"),
        (more[0], "overflow"),
        (pickups[1], "longest_wait"),
        (pickups[2], "longest_wait"),
        (more[1], "overflow"),
    ]
