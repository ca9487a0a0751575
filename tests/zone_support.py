"""Test support for the 24-hour zone: a device token of the default hall's zone, the hall's
live stream, and the status history as stored."""

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from websockets.sync.client import ClientConnection, connect

from queue_server.db import Database
from queue_server.domain.enums import Role
from queue_server.models import DeviceStatusChange
from tests.support import LiveServer, issue_token

ZONE_DEVICES = ("ss-shebao", "ss-gjj", "ss-budongchan", "ss-tax", "ss-churujing", "ss-print")
LOCKER = "locker-1"


def device_client(server: LiveServer, name: str) -> httpx.Client:
    """A client with a `device` token issued for the zone device `name`."""
    return server.client(issue_token(server.database_url, name, Role.DEVICE))


def beat(client: httpx.Client, name: str, state: str = "ok", **extra: str) -> dict[str, Any]:
    kind = "locker" if name == LOCKER else "self_service"
    body = {"kind": kind, "state": state} | extra
    reply = client.post(f"/api/devices/{name}/heartbeat", json=body)
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()
    return answer


@contextlib.contextmanager
def stream(server: LiveServer, token: str) -> Iterator[ClientConnection]:
    """The hall's live stream past its snapshot."""
    with connect(f"{server.ws_url}/ws?token={token}", open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "snapshot"
        yield ws


def next_event(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
        if message["type"] != "heartbeat":
            return message


def events_until(ws: ClientConnection, type: str, timeout: float = 5) -> list[dict[str, Any]]:
    """Every event up to and including the next one of `type`."""
    seen = []
    while True:
        seen.append(next_event(ws, timeout))
        if seen[-1]["type"] == type:
            return seen


def no_more_events(ws: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        next_event(ws, timeout=0.5)


def status_history(database_url: str, device: str) -> list[tuple[datetime, str]]:
    """The device's `DeviceStatusChange` rows, oldest first."""
    db = Database(database_url)
    try:
        with db.read_session() as session:
            rows = session.exec(
                select(DeviceStatusChange)
                .where(DeviceStatusChange.device == device)
                .order_by(col(DeviceStatusChange.at), col(DeviceStatusChange.id))
            ).all()
            return [(row.at, row.status.value) for row in rows]
    finally:
        db.dispose()
