"""Two server processes on one database (a SQLite file, or PostgreSQL): numbering, dispatch
and live events still hold."""

import json
import threading
from collections.abc import Iterator

import httpx
import pytest
from websockets.sync.client import connect

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
