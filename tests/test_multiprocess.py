"""Two server processes on one database (a SQLite file, or PostgreSQL): numbering, dispatch
and live events still hold."""

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from queue_server.config import load_hall_config
from tests.support import Accounts, ServerProcess, free_port, login, seed_accounts
from tests.test_concurrency import (
    Ledger,
    assert_called_at_most_once,
    assert_numbers_contiguous,
    kiosk_loop,
    window_loop,
)

pytestmark = pytest.mark.both_databases


def next_event(ws: ClientConnection) -> dict[str, Any]:
    """The next message that is not a heartbeat."""
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=5))
        if message["type"] != "heartbeat":
            return message


@pytest.fixture
def pair(database_url: str) -> Iterator[tuple[ServerProcess, ServerProcess, Accounts, str]]:
    accounts = seed_accounts(database_url, load_hall_config())
    servers = (ServerProcess(database_url, free_port()), ServerProcess(database_url, free_port()))
    for server in servers:
        server.start()
    try:
        yield servers[0], servers[1], accounts, database_url
    finally:
        for server in servers:
            server.stop()


def test_two_processes_share_numbering_and_never_double_call(
    pair: tuple[ServerProcess, ServerProcess, Accounts, str],
) -> None:
    first, second, accounts, database = pair
    ledger = Ledger()
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=kiosk_loop, args=(server.base_url, accounts.kiosk_token, seed, stop, ledger)
        )
        for seed, server in enumerate([first, second, first, second])
    ]
    threads += [
        threading.Thread(
            target=window_loop,
            args=(server.base_url, login(server.base_url, name), window, stop, ledger),
        )
        for server, name, window in zip(
            [first, second, first, second], accounts.clerks, [2, 3, 4, 5], strict=False
        )
    ]
    for thread in threads:
        thread.start()
    stop.wait(3)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(ledger.issued) > 20
    called = [ticket for ticket, _ in ledger.called]
    assert len(called) == len(set(called))
    assert sum(assert_numbers_contiguous(database).values()) == len(ledger.issued)
    assert_called_at_most_once(database)


def test_an_event_written_by_one_process_reaches_subscribers_of_the_other(
    pair: tuple[ServerProcess, ServerProcess, Accounts, str],
) -> None:
    first, second, accounts, _ = pair
    url = second.base_url.replace("http", "ws")
    with connect(f"{url}/ws?token={accounts.board_token}") as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "snapshot"
        issued = httpx.post(
            f"{first.base_url}/api/tickets",
            json={"category": "pickup"},
            headers={"Authorization": f"Bearer {accounts.kiosk_token}"},
        ).json()
        while True:
            message = json.loads(ws.recv(timeout=5))
            if message["type"] != "heartbeat":
                break
    assert (message["type"], message["ticket"]["id"]) == ("ticket.issued", issued["id"])


def test_resuming_with_since_on_the_other_process_gets_what_was_missed(
    database_url: str,
) -> None:
    """A board saw an event through one process, then reconnects through the other (the
    proxy picked another backend) with `since`: it gets the events after it, not a
    snapshot, even though the other process has not yet read them from the log (its poll
    is made slow here so that this moment is certain, not a race)."""
    accounts = seed_accounts(database_url, load_hall_config())
    writer = ServerProcess(database_url, free_port())
    reader = ServerProcess(database_url, free_port(), environment={"YIMEN_POLL_SECONDS": "60"})
    kiosk = {"Authorization": f"Bearer {accounts.kiosk_token}"}
    for server in (writer, reader):
        server.start()
    try:
        with connect(
            f"{writer.base_url.replace('http', 'ws')}/ws?token={accounts.board_token}"
        ) as ws:
            assert json.loads(ws.recv(timeout=5))["type"] == "snapshot"
            httpx.post(
                f"{writer.base_url}/api/tickets", json={"category": "general"}, headers=kiosk
            )
            seen = next_event(ws)
        missed = httpx.post(
            f"{writer.base_url}/api/tickets", json={"category": "general"}, headers=kiosk
        ).json()
        url = f"{reader.base_url.replace('http', 'ws')}/ws?token={accounts.board_token}"
        with connect(f"{url}&since={seen['seq']}") as ws:
            message = next_event(ws)
        assert (message["type"], message["seq"]) == ("ticket.issued", seen["seq"] + 1)
        assert message["ticket"]["id"] == missed["id"]
    finally:
        for server in (writer, reader):
            server.stop()


@pytest.mark.postgresql_only
def test_a_call_through_one_process_reaches_a_board_on_the_other_at_once(
    database_url: str,
) -> None:
    """PostgreSQL tells the other process at once (LISTEN/NOTIFY): with its poll made a
    minute long, the board still sees the call within seconds. (SQLite has no notices; there
    the poll is the only way, so this runs on PostgreSQL alone.)"""
    accounts = seed_accounts(database_url, load_hall_config())
    writer = ServerProcess(database_url, free_port())
    reader = ServerProcess(database_url, free_port(), environment={"YIMEN_POLL_SECONDS": "60"})
    for server in (writer, reader):
        server.start()
    try:
        url = f"{reader.base_url.replace('http', 'ws')}/ws?token={accounts.board_token}"
        with connect(url) as ws:
            assert json.loads(ws.recv(timeout=5))["type"] == "snapshot"
            issued = httpx.post(
                f"{writer.base_url}/api/tickets",
                json={"category": "general"},
                headers={"Authorization": f"Bearer {accounts.kiosk_token}"},
            ).json()
            message = next_event(ws)
        assert (message["type"], message["ticket"]["id"]) == ("ticket.issued", issued["id"])
    finally:
        for server in (writer, reader):
            server.stop()
