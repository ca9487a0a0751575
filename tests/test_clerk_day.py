"""What the clerk console reads and needs from the server: a window's history, the clerk's
own figures for the day, and the finish outcome some categories require."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.config import load_hall_config
from queue_server.domain.clock import ManualClock
from tests.support import LiveServer, live_server

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def hall_server(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    """The default hall with a finish outcome required for 办不成事反映 only."""
    base = load_hall_config()
    categories = [
        c.model_copy(update={"finish_outcome_required": c.code == "unresolved"})
        for c in base.categories
    ]
    hall = base.model_copy(update={"categories": categories})
    with live_server(tmp_path, hall=hall, clock=clock) as running:
        yield running


def issue(server: LiveServer, category: str) -> dict[str, Any]:
    with server.client(server.accounts.kiosk_token) as kiosk:
        response = kiosk.post("/api/tickets", json={"category": category})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def clerk_at(server: LiveServer, index: int, window: int) -> httpx.Client:
    client = server.client(server.login(server.accounts.clerks[index]))
    assert client.post(f"/api/windows/{window}/sign-in").status_code == 200
    return client


def serve(clerk: httpx.Client, window: int, clock: ManualClock, minutes: int) -> dict[str, Any]:
    ticket: dict[str, Any] = clerk.post(f"/api/windows/{window}/call-next").json()
    assert clerk.post(f"/api/tickets/{ticket['id']}/start").status_code == 200
    clock.advance(timedelta(minutes=minutes))
    assert clerk.post(f"/api/tickets/{ticket['id']}/finish").status_code == 200
    return ticket


def test_history_and_figures_of_the_day(hall_server: LiveServer, clock: ManualClock) -> None:
    for _ in range(5):
        issue(hall_server, "general")
    clerk = clerk_at(hall_server, 0, 2)
    colleague = clerk_at(hall_server, 1, 3)
    first = serve(clerk, 2, clock, 4)
    second = serve(clerk, 2, clock, 8)
    absent = clerk.post("/api/windows/2/call-next").json()
    assert clerk.post(f"/api/tickets/{absent['id']}/no-show").status_code == 200
    serve(colleague, 3, clock, 1)

    history = clerk.get("/api/windows/2/history").json()
    assert [(t["number"], t["status"]) for t in history] == [
        (absent["number"], "no_show"),
        (second["number"], "done"),
        (first["number"], "done"),
    ]
    assert all(t["public_code"] is None for t in history)
    assert len(clerk.get("/api/windows/2/history", params={"limit": 1}).json()) == 1

    mine = clerk.get("/api/auth/me/today").json()
    assert mine == {
        "service_day": "2026-03-02",
        "served": 2,
        "no_shows": 1,
        "transferred": 0,
        "average_service_seconds": 360.0,
    }
    theirs = colleague.get("/api/auth/me/today").json()
    assert (theirs["served"], theirs["average_service_seconds"]) == (1, 60.0)


def test_history_of_an_unknown_window_and_bad_limits(hall_server: LiveServer) -> None:
    clerk = hall_server.client(hall_server.login(hall_server.accounts.clerks[0]))
    assert clerk.get("/api/windows/99/history").json()["code"] == "not_found"
    assert clerk.get("/api/windows/2/history", params={"limit": 0}).status_code == 422
    fresh = clerk.get("/api/auth/me/today").json()
    assert (fresh["served"], fresh["average_service_seconds"]) == (0, None)


def test_a_category_can_require_an_outcome_on_finish(hall_server: LiveServer) -> None:
    clerk = clerk_at(hall_server, 0, 11)
    hall = clerk.get("/api/hall").json()
    required = {c["code"]: c["finish_outcome_required"] for c in hall["categories"]}
    assert required["unresolved"] is True
    assert required["general"] is False

    issue(hall_server, "unresolved")
    ticket = clerk.post("/api/windows/11/call-next").json()
    clerk.post(f"/api/tickets/{ticket['id']}/start")
    refused = clerk.post(f"/api/tickets/{ticket['id']}/finish")
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_input"
    assert "办不成事反映" in refused.json()["detail"]
    unknown = clerk.post(f"/api/tickets/{ticket['id']}/finish", json={"outcome": "还行"})
    assert unknown.status_code == 422
    assert clerk.get(f"/api/tickets/{ticket['id']}").json()["status"] == "serving"
    done = clerk.post(f"/api/tickets/{ticket['id']}/finish", json={"outcome": "needs_documents"})
    assert (done.json()["status"], done.json()["outcome"]) == ("done", "needs_documents")


def test_categories_without_the_requirement_finish_as_before(hall_server: LiveServer) -> None:
    clerk = clerk_at(hall_server, 0, 2)
    issue(hall_server, "general")
    ticket = clerk.post("/api/windows/2/call-next").json()
    clerk.post(f"/api/tickets/{ticket['id']}/start")
    assert clerk.post(f"/api/tickets/{ticket['id']}/finish").json()["status"] == "done"
