"""What staff write (reasons, pause reasons, outcomes) reaches staff only: devices get every
event and snapshot without it; and a stream ends (4401) when its token stops working."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from queue_server.domain.clock import ManualClock
from tests.support import LiveServer, live_server

PRIVATE = "张三 13800138000 材料不全"


def subscribe(server: LiveServer, token: str, since: int | None = None) -> ClientConnection:
    query = f"token={token}" + (f"&since={since}" if since is not None else "")
    return connect(f"{server.ws_url}/ws?{query}", open_timeout=5)


def messages_until(ws: ClientConnection, kind: str) -> Iterator[dict[str, Any]]:
    """Every message up to and including the first of type `kind`."""
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=10))
        yield message
        if message["type"] == kind:
            return


def test_transfer_reasons_and_pause_reasons_reach_staff_only(server: LiveServer) -> None:
    clerk = server.client(server.login(server.accounts.clerks[0]))
    manager_token = server.login(server.accounts.manager)
    kiosk = server.client(server.accounts.kiosk_token)
    assert clerk.post("/api/windows/2/sign-in").status_code == 200
    ticket = kiosk.post("/api/tickets", json={"category": "general"}).json()
    with (
        subscribe(server, server.accounts.board_token) as board,
        subscribe(server, manager_token) as manager,
    ):
        start = json.loads(board.recv(timeout=10))["seq"]
        assert clerk.post("/api/windows/2/call-next").json()["id"] == ticket["id"]
        moved = clerk.post(
            f"/api/tickets/{ticket['id']}/transfer", json={"to_window": 3, "reason": PRIVATE}
        )
        assert moved.status_code == 200, moved.text
        paused = clerk.post("/api/windows/2/pause", json={"reason": f"陪{PRIVATE}"})
        assert paused.status_code == 200, paused.text
        seen_by_board = list(messages_until(board, "window.paused"))
        seen_by_manager = list(messages_until(manager, "window.paused"))
    transferred = next(m for m in seen_by_manager if m["type"] == "ticket.transferred")
    assert transferred["reason"] == PRIVATE
    assert next(m for m in seen_by_manager if m["type"] == "window.paused")["reason"]
    public = next(m for m in seen_by_board if m["type"] == "ticket.transferred")
    assert "reason" not in public
    assert public["new_ticket"]["target_window_no"] == 3
    called = next(m for m in seen_by_board if m["type"] == "ticket.called")
    assert called["ticket"]["call_reason"] == "longest_wait"
    assert not any(PRIVATE in json.dumps(m, ensure_ascii=False) for m in seen_by_board)

    with subscribe(server, server.accounts.board_token, since=start) as replay:
        replayed = list(messages_until(replay, "window.paused"))
    assert [m["type"] for m in replayed] == [m["type"] for m in seen_by_board]
    assert not any(PRIVATE in json.dumps(m, ensure_ascii=False) for m in replayed)
    with subscribe(server, server.accounts.board_token) as fresh:
        snapshot = json.loads(fresh.recv(timeout=10))
    assert PRIVATE not in json.dumps(snapshot, ensure_ascii=False)
    for token in (server.accounts.board_token, server.accounts.kiosk_token):
        hall = httpx.get(
            f"{server.base_url}/api/hall", headers={"Authorization": f"Bearer {token}"}
        ).text
        assert PRIVATE not in hall
    staff_hall = clerk.get("/api/hall").json()
    assert staff_hall["windows"][1]["pause_reason"] == f"陪{PRIVATE}"


def closed_code(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=10)
    return closed.value.rcvd.code if closed.value.rcvd else None


def test_a_logged_out_token_stream_is_closed(tmp_path: Path) -> None:
    with live_server(tmp_path, ws_token_check_seconds=0.2) as server:
        token = server.login(server.accounts.clerks[0])
        with subscribe(server, token) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
            assert server.client(token).post("/api/auth/logout").status_code == 204
            assert closed_code(ws) == 4401


def test_an_expired_token_stream_is_closed(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    with live_server(tmp_path, clock=clock, ws_token_check_seconds=0.2) as server:
        token = server.login(server.accounts.manager)
        with subscribe(server, token) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
            clock.advance(timedelta(hours=12, seconds=1))
            assert closed_code(ws) == 4401
