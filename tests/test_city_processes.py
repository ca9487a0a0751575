"""A city on PostgreSQL with several server processes: each hall's writes are serialised on
that hall's own lock, so two halls write in parallel while one hall's writes wait their
turn, across processes."""

import threading
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from queue_server.city import CityConfig, example_city_path, load_city_config
from queue_server.notify import libpq_url
from tests.city_support import CityAccounts, seed_city_accounts
from tests.support import ServerProcess, free_port

pytestmark = pytest.mark.postgresql_only

CITY_SECONDS = 10.0


@pytest.fixture
def city() -> CityConfig:
    return load_city_config(example_city_path())


@pytest.fixture
def processes(
    database_url: str, city: CityConfig
) -> Iterator[tuple[ServerProcess, ServerProcess, CityAccounts]]:
    accounts = seed_city_accounts(database_url, city)
    environment = {"YIMEN_CITY": str(example_city_path()), "YIMEN_KIOSK_ISSUE_SECONDS": "0"}
    servers = (
        ServerProcess(database_url, free_port(), environment=environment),
        ServerProcess(database_url, free_port(), environment=environment),
    )
    for server in servers:
        server.start()
    try:
        yield servers[0], servers[1], accounts
    finally:
        for server in servers:
            server.stop()


def issue(server: ServerProcess, token: str, timeout: float = CITY_SECONDS) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/api/tickets",
        json={"category": "general"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=timeout,
    )


def test_a_held_hall_lock_stops_that_hall_alone(
    database_url: str, processes: tuple[ServerProcess, ServerProcess, CityAccounts]
) -> None:
    """While a transaction holds hall `main`'s lock row, `kangbashi` issues through either
    process at once, and `main`'s ticket waits until the lock is let go. (On SQLite the one
    write lock would stop both halls: this is what PostgreSQL adds.)"""
    first, second, accounts = processes
    main, kangbashi = accounts.hall("main").kiosk_token, accounts.hall("kangbashi").kiosk_token
    waited: list[httpx.Response] = []
    with psycopg.connect(libpq_url(database_url)) as holder:
        holder.execute("SELECT code FROM hall WHERE code = 'main' FOR UPDATE")
        waiting = threading.Thread(target=lambda: waited.append(issue(second, main)))
        waiting.start()
        for server in (first, second):
            response = issue(server, kangbashi, timeout=5.0)
            assert response.status_code == 201, response.text
        waiting.join(timeout=1.0)
        assert waiting.is_alive() and not waited, "hall main wrote through a held lock"
        holder.rollback()
    waiting.join(timeout=CITY_SECONDS)
    assert [response.status_code for response in waited] == [201]
    assert waited[0].json()["number"] == "B001"


def test_two_halls_issuing_through_two_processes_number_without_gaps(
    processes: tuple[ServerProcess, ServerProcess, CityAccounts],
) -> None:
    """Kiosks of two halls, each hall's spread over both processes, issue at once: every
    hall has its own B001 and its numbers are unique and gap-free."""
    first, second, accounts = processes
    numbers: dict[str, list[str]] = {"main": [], "kangbashi": []}
    failures: list[str] = []

    def kiosk(server: ServerProcess, hall: str) -> None:
        for _ in range(10):
            response = issue(server, accounts.hall(hall).kiosk_token)
            if response.status_code != 201:
                failures.append(response.text)
                return
            numbers[hall].append(response.json()["number"])

    threads = [
        threading.Thread(target=kiosk, args=(server, hall))
        for server in (first, second)
        for hall in numbers
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    expected = [f"B{sequence:03d}" for sequence in range(1, 41)]
    for issued in numbers.values():
        assert sorted(issued) == expected
