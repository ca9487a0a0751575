"""`WS /ws`: snapshot first, then ordered events; resume by `since`; slow clients left behind."""

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from queue_server.events import EventHub
from tests.support import LiveServer, live_server

pytestmark = pytest.mark.both_databases


def receive(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return message


def next_event(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    """The next message that is not a heartbeat."""
    while True:
        message = receive(ws, timeout)
        if message["type"] != "heartbeat":
            return message


def subscribe(server: LiveServer, token: str, since: int | None = None) -> ClientConnection:
    query = f"token={token}" + (f"&since={since}" if since is not None else "")
    return connect(f"{server.ws_url}/ws?{query}", open_timeout=5)


def issue(server: LiveServer, category: str = "general") -> dict[str, Any]:
    with server.client(server.accounts.kiosk_token) as kiosk:
        response = kiosk.post("/api/tickets", json={"category": category})
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


def test_snapshot_first_then_events_in_order(server: LiveServer) -> None:
    with subscribe(server, server.accounts.board_token) as ws:
        snapshot = receive(ws)
        assert snapshot["type"] == "snapshot"
        assert snapshot["hall"]["name"] == "一门市民服务中心"
        start = snapshot["seq"]
        ticket = issue(server)
        clerk = server.client(server.login(server.accounts.clerks[0]))
        clerk.post("/api/windows/2/sign-in")
        clerk.post("/api/windows/2/call-next")
        events = [next_event(ws) for _ in range(3)]
    assert [e["type"] for e in events] == ["ticket.issued", "window.signed_in", "ticket.called"]
    assert [e["seq"] for e in events] == [start + 1, start + 2, start + 3]
    called = events[2]
    assert called["ticket"]["id"] == ticket["id"]
    assert called["ticket"]["window_no"] == 2
    assert called["window"]["clerk"] == {"display_name": "窗口员1", "staff_no": "0301"}
    assert "public_code" not in called["ticket"]  # boards see no codes


def test_reconnect_with_since_gets_exactly_what_was_missed(server: LiveServer) -> None:
    with subscribe(server, server.accounts.board_token) as ws:
        seen = receive(ws)["seq"]
    missed = [issue(server)["number"] for _ in range(3)]
    with subscribe(server, server.accounts.board_token, since=seen) as ws:
        events = [next_event(ws) for _ in range(3)]
        assert [e["seq"] for e in events] == [seen + 1, seen + 2, seen + 3]
        assert [e["ticket"]["number"] for e in events] == missed
        issue(server)
        assert next_event(ws)["seq"] == seen + 4


def test_since_too_old_or_unknown_gets_a_snapshot(tmp_path: Path, database_url: str) -> None:
    with live_server(tmp_path, database_url=database_url, ws_replay_size=2) as server:
        for _ in range(4):
            issue(server)
        with subscribe(server, server.accounts.board_token, since=0) as ws:
            first = receive(ws)
            assert (first["type"], first["seq"]) == ("snapshot", 4)
            assert first["hall"]["categories"][1]["waiting"] == 4
        with subscribe(server, server.accounts.board_token, since=99) as ws:
            assert receive(ws)["type"] == "snapshot"
        with subscribe(server, server.accounts.board_token, since=2) as ws:
            assert [next_event(ws)["seq"] for _ in range(2)] == [3, 4]


def test_heartbeats_carry_the_last_seq(tmp_path: Path, database_url: str) -> None:
    with live_server(tmp_path, database_url=database_url, heartbeat_seconds=0.2) as server:
        issue(server)
        with subscribe(server, server.accounts.board_token) as ws:
            assert receive(ws)["type"] == "snapshot"
            beat = receive(ws)
    assert (beat["type"], beat["seq"]) == ("heartbeat", 1)


def test_bad_token_is_refused_with_a_reason(server: LiveServer) -> None:
    with subscribe(server, "forged") as ws:
        error = receive(ws)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert error["type"] == "error"
    assert "令牌" in error["detail"]
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


def test_a_stalled_client_does_not_hold_up_a_live_one(tmp_path: Path, database_url: str) -> None:
    with live_server(tmp_path, database_url=database_url, ws_queue_size=4) as server:
        with (
            subscribe(server, server.accounts.board_token) as stalled,
            subscribe(server, server.accounts.board_token) as live,
        ):
            receive(live)
            deadline = time.monotonic() + 30
            count = 60
            received: list[int] = []
            # The live client reads as events come: a client that stops reading stops
            # answering pings too, and on a busy machine issuing can outlast the ping timeout.
            reader = threading.Thread(
                target=lambda: received.extend(next_event(live)["seq"] for _ in range(count))
            )
            reader.start()
            with server.client(server.accounts.kiosk_token) as kiosk:
                for _ in range(count):
                    assert kiosk.post("/api/tickets", json={"category": "general"}).is_success
            reader.join(30)
            assert time.monotonic() < deadline
            # The stalled client, read at last, sees a consistent stream: increasing seqs,
            # and a snapshot wherever it was resynced.
            seqs = [m["seq"] for m in _drain(stalled)]
        assert received == sorted(set(received))
        assert len(received) == count
    assert seqs == sorted(seqs)
    assert seqs[-1] == received[-1]


def _drain(ws: ClientConnection) -> Iterator[dict[str, Any]]:
    while True:
        try:
            message = receive(ws, timeout=1)
        except TimeoutError:
            return
        if message["type"] != "heartbeat":
            yield message


def test_hub_overflow_flags_only_the_slow_subscriber() -> None:
    async def scenario() -> None:
        hub = EventHub(queue_size=2, replay_size=10)
        hub.start_at(0, [])
        with hub.subscribe() as slow, hub.subscribe() as fast:
            for seq in range(1, 6):
                hub.publish(seq, f'{{"seq":{seq}}}')
                item = await fast.queue.get()
                assert item[0] == seq
            assert slow.overflowed.is_set()
            assert not fast.overflowed.is_set()
            assert hub.since(2) == [(s, f'{{"seq":{s}}}') for s in (3, 4, 5)]
            assert hub.since(6) is None

    asyncio.run(scenario())


def test_whatever_a_client_sends_is_ignored(server: LiveServer) -> None:
    with subscribe(server, server.accounts.board_token) as ws:
        start = receive(ws)["seq"]
        ws.send(b"\x00\x01binary")
        ws.send("not json")
        issue(server)
        assert next_event(ws)["seq"] == start + 1
