"""一键求助 through HTTP and the websocket against a real server, with a manual clock: a
request acknowledged in time, one escalated once; who may raise, list and answer; bad input."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from queue_server.domain.clock import ManualClock
from tests.support import KIOSK_DEVICES, ZONE_DEVICE, LiveServer, live_server

pytestmark = pytest.mark.both_databases

START = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # 21:00 in the hall: the zone at night
HELP = "/api/help-requests"


@pytest.fixture
def night(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, ManualClock]]:
    clock = ManualClock(START)
    with live_server(
        tmp_path, database_url=database_url, clock=clock, alert_check_seconds=0.05
    ) as server:
        yield server, clock


@contextmanager
def stream(server: LiveServer, token: str) -> Iterator[ClientConnection]:
    with connect(f"{server.ws_url}/ws?token={token}", open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "snapshot"
        yield ws


def next_event(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
        if message["type"] != "heartbeat":
            return message


def no_more_events(ws: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        next_event(ws, timeout=0.5)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["code"] == code, response.text


def test_a_request_answered_in_time_and_one_escalated_once(
    night: tuple[LiveServer, ManualClock],
) -> None:
    server, clock = night
    terminal = server.client(server.accounts.device_token)
    kiosk = server.client(server.accounts.kiosk_token)
    clerk = server.client(server.accounts.clerk_tokens["clerk1"])
    manager = server.client(server.login(server.accounts.manager))
    with stream(server, server.login(server.accounts.manager)) as ws:
        first = ok(terminal.post(HELP, json={"note": "读卡器读不出社保卡"}), 201)
        assert first["device"] == ZONE_DEVICE
        assert first["device_label"] == "社保自助终端"
        assert (first["acked_at"], first["escalated"]) == (None, False)
        event = next_event(ws)
        assert event["type"] == "alert.help_requested"
        alert = event["alert"]
        assert alert["category"] == "self_service"
        assert alert["category_name"] == "24小时自助服务区"
        assert (alert["device"], alert["device_label"]) == (ZONE_DEVICE, "社保自助终端")
        assert alert["help_request_id"] == first["id"]
        assert alert["message"] == "社保自助终端（ss-shebao）有群众一键求助，请尽快前往"
        assert "读卡器" not in json.dumps(event, ensure_ascii=False)  # the note stays out
        assert ok(clerk.get(HELP))[0]["note"] == "读卡器读不出社保卡"

        clock.advance(timedelta(minutes=2))
        second = ok(kiosk.post(HELP, json={"device": KIOSK_DEVICES[0]}), 201)
        assert (second["device"], second["device_label"]) == (KIOSK_DEVICES[0], None)
        message = next_event(ws)["alert"]["message"]
        assert message == "取号机 kiosk-entrance有群众一键求助，请尽快前往"
        opened = ok(clerk.get(HELP, params={"open": "true"}))
        assert [r["id"] for r in opened] == [second["id"], first["id"]]

        # The clerk answers the first at 2 min 30 s; the manager's late answer is refused.
        clock.advance(timedelta(seconds=30))
        answered = ok(clerk.post(f"{HELP}/{first['id']}/ack"))
        assert answered["acked_by"] == "窗口员1"
        acked_at = datetime.fromisoformat(answered["acked_at"])
        assert acked_at == START + timedelta(minutes=2, seconds=30)
        event = next_event(ws)
        assert event["type"] == "help.acknowledged"
        assert event["payload"]["id"] == first["id"]
        assert event["clerk"]["display_name"] == "窗口员1"
        refused(manager.post(f"{HELP}/{first['id']}/ack"), 409, "conflict")

        # Three minutes pass for the first (answered) and only 1 min 30 s for the second.
        clock.advance(timedelta(seconds=30))
        no_more_events(ws)
        clock.advance(timedelta(minutes=2))  # 5 min: the second has waited 3 min
        event = next_event(ws)
        assert event["type"] == "alert.help_unanswered"
        assert event["alert"]["help_request_id"] == second["id"]
        assert event["alert"]["message"] == (
            "取号机 kiosk-entrance的一键求助已等候3分钟无人响应，请立即安排人员前往"
        )
        assert event["alert"]["threshold"] == 180
        clock.advance(timedelta(minutes=10))
        no_more_events(ws)  # once

        late = ok(manager.post(f"{HELP}/{second['id']}/ack"))
        assert (late["acked_by"], late["escalated"]) == ("李主任", True)
        assert next_event(ws)["type"] == "help.acknowledged"
    assert ok(clerk.get(HELP, params={"open": "true"})) == []
    every = ok(manager.get(HELP))
    assert [(r["id"], r["escalated"]) for r in every] == [
        (second["id"], True),
        (first["id"], False),
    ]


def test_who_may_raise_and_answer_and_bad_input_change_nothing(
    night: tuple[LiveServer, ManualClock],
) -> None:
    server, _ = night
    accounts = server.accounts
    terminal = server.client(accounts.device_token)
    kiosk = server.client(accounts.kiosk_token)
    board = server.client(accounts.board_token)
    clerk = server.client(accounts.clerk_tokens["clerk1"])
    admin = server.client(server.login(accounts.admin))

    def seq() -> int:
        newest: int = ok(board.get("/api/health"))["seq"]
        return newest

    before = seq()
    # A device token speaks only for itself, a kiosk token for its own kiosks.
    refused(terminal.post(HELP, json={"device": "ss-gjj"}), 403, "forbidden")
    refused(kiosk.post(HELP, json={"device": ZONE_DEVICE}), 403, "forbidden")
    # Staff, boards and evaluators do not press the button; devices do not list or answer.
    for token in (accounts.board_token, accounts.evaluator_token, accounts.clerk_tokens["clerk2"]):
        refused(server.client(token).post(HELP, json={}), 403, "wrong_role")
    refused(terminal.get(HELP), 403, "wrong_role")
    refused(kiosk.post(f"{HELP}/1/ack"), 403, "wrong_role")
    # Unknown ids and devices, bad shapes.
    refused(clerk.post(f"{HELP}/999/ack"), 404, "not_found")
    refused(admin.post(HELP, json={"device": "no-such-device"}), 404, "not_found")
    refused(terminal.post(HELP, json={"device": "坏 名字"}), 422, "invalid_request")
    refused(terminal.post(HELP, json={"note": "长" * 201}), 422, "invalid_request")
    refused(terminal.post(HELP, json={"colour": "red"}), 422, "invalid_request")
    refused(clerk.post(f"{HELP}/0/ack"), 422, "invalid_request")
    refused(clerk.post(f"{HELP}/abc/ack"), 422, "invalid_request")
    refused(clerk.get(HELP, params={"open": "perhaps"}), 422, "invalid_request")
    assert seq() == before
    assert ok(clerk.get(HELP)) == []
    # An admin testing the button names a zone device, or none.
    tested = ok(admin.post(HELP, json={"device": "ss-gjj"}), 201)
    assert tested["device_label"] == "公积金自助终端"
    assert ok(admin.post(HELP, json={}), 201)["device"] is None
