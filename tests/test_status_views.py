"""Many status pages of one category over real websockets against a real server: a call
reaches every page with its new view, and the database reads it costs do not grow with the
number of pages (the hall's pages share one view, services/status_views.py)."""

import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from websockets.sync.client import ClientConnection, connect

from tests.support import LiveServer, live_server

PAGES = 50
READS_PER_CALL = 40
"""Every SELECT any engine of this process runs from the call until the last page has its
view: the call's own transaction, the shared view's batch, the event tailer. With a read per
page this was 400 (12 now)."""


class SelectCounter:
    """Counts the SELECTs of every engine in this process (the server runs in a thread)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, *args: Any) -> None:
        statement: str = args[2]
        if statement.lstrip().upper().startswith("SELECT"):
            with self._lock:
                self.count += 1


@pytest.fixture
def selects() -> Iterator[SelectCounter]:
    counter = SelectCounter()
    event.listen(Engine, "before_cursor_execute", counter)
    yield counter
    event.remove(Engine, "before_cursor_execute", counter)


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path, kiosk_issue_seconds=0) as running:
        yield running


def view(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=10))
    assert message["type"] == "ticket_status"
    ticket: dict[str, Any] = message["ticket"]
    return ticket


def until(ws: ClientConnection, **wanted: Any) -> dict[str, Any]:
    while True:
        seen = view(ws)
        if all(seen[key] == value for key, value in wanted.items()):
            return seen


def test_a_call_reaches_every_page_of_the_category_in_reads_that_do_not_grow_with_pages(
    hall: LiveServer, selects: SelectCounter
) -> None:
    with hall.client(hall.accounts.kiosk_token) as kiosk:
        tickets = [
            kiosk.post("/api/tickets", json={"category": "general"}).json() for _ in range(PAGES)
        ]
    clerk = hall.client(hall.login(hall.accounts.clerks[0]))
    assert clerk.post("/api/windows/3/sign-in").status_code == 200
    with contextlib.ExitStack() as stack:
        pages = [
            stack.enter_context(connect(f"{hall.ws_url}/ws/t/{t['public_code']}", open_timeout=5))
            for t in tickets
        ]
        for place, page in enumerate(pages):
            until(page, ahead=place)
        before = selects.count
        assert clerk.post("/api/windows/3/call-next").json()["id"] == tickets[0]["id"]
        called = until(pages[0], status="called")
        assert called["window_no"] == 3
        for place, page in enumerate(pages[1:]):
            assert until(page, ahead=place)["status"] == "waiting"
        reads = selects.count - before
    assert reads <= READS_PER_CALL, f"{reads} SELECTs for one call with {PAGES} pages open"
