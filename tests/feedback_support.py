"""Helpers for the 好差评 and case-desk tests: serve a ticket over HTTP, read the event log."""

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlmodel import col, select

from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.models import Event
from tests.support import LiveServer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_clock(year: int, month: int, day: int, hour: int = 10) -> ManualClock:
    """A manual clock at a local hall time (Asia/Shanghai)."""
    return ManualClock(datetime(year, month, day, hour, tzinfo=SHANGHAI))


def clerk_at(server: LiveServer, index: int, window: int) -> httpx.Client:
    client = server.client(server.login(server.accounts.clerks[index]))
    response = client.post(f"/api/windows/{window}/sign-in")
    assert response.status_code == 200, response.text
    return client


def issue(server: LiveServer, category: str = "general", **extra: Any) -> dict[str, Any]:
    with server.client(server.accounts.kiosk_token) as kiosk:
        response = kiosk.post("/api/tickets", json={"category": category, **extra})
    assert response.status_code == 201, response.text
    ticket: dict[str, Any] = response.json()
    return ticket


def serve(
    server: LiveServer, clerk: httpx.Client, window: int, category: str = "general"
) -> dict[str, Any]:
    """Issue a ticket and take it through call, start and finish at `window`."""
    ticket = issue(server, category)
    called = clerk.post(f"/api/windows/{window}/call-next")
    assert called.status_code == 200, called.text
    assert called.json()["id"] == ticket["id"]
    assert clerk.post(f"/api/tickets/{ticket['id']}/start").status_code == 200
    finished = clerk.post(f"/api/tickets/{ticket['id']}/finish")
    assert finished.status_code == 200, finished.text
    assert finished.json()["status"] == "done"
    return ticket


def events(server: LiveServer, *types: str) -> list[dict[str, Any]]:
    """The stored wire messages of the given types, in seq order."""
    db = Database(server.database_url)
    try:
        with db.read_session() as session:
            rows = session.exec(
                select(Event).where(col(Event.type).in_(types)).order_by(col(Event.seq))
            ).all()
            return [{"seq": row.seq, **json.loads(row.payload)} for row in rows]
    finally:
        db.dispose()
