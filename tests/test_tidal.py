"""潮汐 switches through HTTP and the websocket against a real server on a manual clock: the
manager switches a window to a category it `also_serves`, dispatch then calls that category
first; the switch ends by hand or, at its end, by the watch; refusals; the suggestion, alone
and in `alert.queue_length`."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.services import tidal
from queue_server.services.scope import Scope
from tests.support import LiveServer, live_server
from tests.tidal_support import ENTERPRISE_WINDOW, GENERAL_WINDOW, tidal_hall

pytestmark = pytest.mark.both_databases

START = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in the hall


@pytest.fixture
def hall(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, ManualClock]]:
    clock = ManualClock(START)
    with live_server(
        tmp_path,
        hall=tidal_hall(),
        database_url=database_url,
        clock=clock,
        alert_check_seconds=0.05,
    ) as server:
        yield server, clock


@contextmanager
def stream(server: LiveServer, token: str) -> Iterator[ClientConnection]:
    with connect(f"{server.ws_url}/ws?token={token}", open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "snapshot"
        yield ws


def next_event(ws: ClientConnection, type: str, timeout: float = 5) -> dict[str, Any]:
    """The next event of `type` (others, and heartbeats, are passed over)."""
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
        if message["type"] == type:
            return message


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code, response.text
    detail: str = response.json()["detail"]
    return detail


def issue(kiosk: httpx.Client, category: str, count: int = 1) -> list[str]:
    return [
        ok(kiosk.post("/api/tickets", json={"category": category}), 201)["number"]
        for _ in range(count)
    ]


def tidal_path(number: int) -> str:
    return f"/api/windows/{number}/tidal"


def test_a_switch_calls_its_category_first_until_ended_by_hand(
    hall: tuple[LiveServer, ManualClock],
) -> None:
    server, clock = hall
    kiosk = server.client(server.accounts.kiosk_token)
    clerk = server.client(server.accounts.clerk_tokens["clerk1"])
    manager = server.client(server.login(server.accounts.manager))
    issue(kiosk, "enterprise", 2)
    clock.advance(timedelta(minutes=1))
    general = issue(kiosk, "general", 2)

    switch = {"category": "general", "minutes": 30}
    detail = refused(manager.post(tidal_path(ENTERPRISE_WINDOW), json=switch), 409, "conflict")
    assert detail == "7号窗口未开放，不能转办"
    ok(clerk.post(f"/api/windows/{ENTERPRISE_WINDOW}/sign-in"))
    detail = refused(
        manager.post(tidal_path(ENTERPRISE_WINDOW), json={"category": "consult", "minutes": 30}),
        409,
        "conflict",
    )
    assert detail == "7号窗口不能转办咨询：只能转办其协办的业务（综合受理）"
    refused(manager.post(tidal_path(GENERAL_WINDOW), json=switch), 409, "conflict")

    with stream(server, server.login(server.accounts.manager)) as ws:
        started = ok(manager.post(tidal_path(ENTERPRISE_WINDOW), json=switch), 201)
        until = START + timedelta(minutes=31)
        assert (started["window"], started["category"]) == (7, "general")
        assert started["category_name"] == "综合受理"
        assert datetime.fromisoformat(started["until"]) == until
        event = next_event(ws, "window.tidal_started")
        assert event["payload"]["window"] == 7
        assert event["payload"]["category"] == "general"
        assert datetime.fromisoformat(event["payload"]["until"]) == until
        assert event["payload"]["who"] == "李主任"
        assert event["window"]["tidal_category"] == "general"
        window = ok(manager.get(f"/api/windows/{ENTERPRISE_WINDOW}"))
        assert window["tidal_category"] == "general"
        assert datetime.fromisoformat(window["tidal_until"]) == until
        detail = refused(manager.post(tidal_path(ENTERPRISE_WINDOW), json=switch), 409, "conflict")
        assert detail == "7号窗口已在潮汐转办中（至10:31）"

        # Switched: the window calls general first although enterprise has waited longer.
        called = ok(clerk.post(f"/api/windows/{ENTERPRISE_WINDOW}/call-next"))
        assert called["number"] == general[0]
        ok(clerk.post(f"/api/tickets/{called['id']}/no-show"))

        ended = ok(manager.delete(tidal_path(ENTERPRISE_WINDOW)))
        assert (ended["window"], ended["category"]) == (7, "general")
        event = next_event(ws, "window.tidal_ended")
        assert event["payload"] == {"window": 7, "category": "general", "reason": "ended"}
        assert event["window"].get("tidal_category") is None
    refused(manager.delete(tidal_path(ENTERPRISE_WINDOW)), 409, "conflict")
    assert ok(manager.get(f"/api/windows/{ENTERPRISE_WINDOW}")).get("tidal_category") is None
    # Back to its own: enterprise again, though general still waits.
    called = ok(clerk.post(f"/api/windows/{ENTERPRISE_WINDOW}/call-next"))
    assert called["category"] == "enterprise"


def test_the_watch_ends_a_switch_when_its_time_is_up(
    hall: tuple[LiveServer, ManualClock],
) -> None:
    server, clock = hall
    kiosk = server.client(server.accounts.kiosk_token)
    clerk = server.client(server.accounts.clerk_tokens["clerk1"])
    admin = server.client(server.login(server.accounts.admin))
    issue(kiosk, "enterprise", 2)
    issue(kiosk, "general", 2)
    ok(clerk.post(f"/api/windows/{ENTERPRISE_WINDOW}/sign-in"))
    with stream(server, server.login(server.accounts.manager)) as ws:
        ok(
            admin.post(tidal_path(ENTERPRISE_WINDOW), json={"category": "general", "minutes": 5}),
            201,
        )
        assert next_event(ws, "window.tidal_started")["payload"]["who"] == "管理员"
        clock.advance(timedelta(minutes=4, seconds=59))
        assert ok(clerk.post(f"/api/windows/{ENTERPRISE_WINDOW}/call-next"))["category"] == (
            "general"
        )
        clock.advance(timedelta(seconds=1))
        event = next_event(ws, "window.tidal_ended")
        assert event["payload"] == {"window": 7, "category": "general", "reason": "expired"}
        assert event.get("clerk") is None
    window = ok(admin.get(f"/api/windows/{ENTERPRISE_WINDOW}"))
    assert (window.get("tidal_category"), window.get("tidal_until")) == (None, None)
    # A new switch may be made once the old one is over.
    ok(admin.post(tidal_path(ENTERPRISE_WINDOW), json={"category": "general", "minutes": 5}), 201)


def test_a_long_queue_gets_a_suggestion_and_its_alert_carries_it(
    hall: tuple[LiveServer, ManualClock],
) -> None:
    """General far beyond its one open window; window 7 may help, its own four applicants
    waiting a little longer."""
    server, _ = hall
    kiosk = server.client(server.accounts.kiosk_token)
    manager = server.client(server.login(server.accounts.manager))
    ok(server.client(server.accounts.clerk_tokens["clerk1"]).post("/api/windows/7/sign-in"))
    ok(server.client(server.accounts.clerk_tokens["clerk2"]).post("/api/windows/2/sign-in"))
    assert ok(manager.get("/api/tidal/suggestion")) is None  # nobody waits
    issue(kiosk, "enterprise", 4)
    with stream(server, server.login(server.accounts.manager)) as ws:
        issue(kiosk, "general", 21)
        alert = next_event(ws, "alert.queue_length")["alert"]
    suggestion = ok(manager.get("/api/tidal/suggestion"))
    assert suggestion is not None
    assert (suggestion["window"], suggestion["category"]) == (7, "general")
    assert suggestion["category_name"] == "综合受理"
    assert suggestion["gain_seconds"] == pytest.approx(
        suggestion["mean_wait_without_seconds"] - suggestion["mean_wait_with_seconds"], abs=0.2
    )
    assert suggestion["gain_seconds"] >= 60
    without = round(suggestion["mean_wait_without_seconds"] / 60)
    with_move = round(suggestion["mean_wait_with_seconds"] / 60)
    assert suggestion["message"] == (
        f"建议：7号窗口转办 综合受理 {suggestion['minutes']} 分钟，"
        f"预计平均等候 {without}→{with_move} 分钟"
    )
    # The alert was made from the same state: it carries the same move for general.
    assert alert["suggestion"] == suggestion
    assert alert["message"].endswith(f"建议开设潮汐窗口（{suggestion['message']}）")

    db = Database(server.database_url)
    try:
        with db.read_session() as session:
            scope = Scope(session, tidal_hall(), START)
            snapshot = tidal.live_hall(scope)
    finally:
        db.dispose()
    assert [len(snapshot.waiting[c]) for c in ("general", "enterprise")] == [21, 4]
    assert snapshot.arrivals_per_hour["general"] == 21
    assert [w.number for w in snapshot.windows if w.status == "open"] == [2, 7]
    assert snapshot.switches == ()
