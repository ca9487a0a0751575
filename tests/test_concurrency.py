"""Many kiosks and windows at once against the real `queue-server` process, and a SIGKILL in
the middle of it: nothing acknowledged is lost, nothing is issued or called twice. On SQLite
and on PostgreSQL (the SIGKILL kills the queue server, not the database)."""

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
import sqlalchemy as sa

from queue_server.config import load_hall_config
from tests.support import ServerProcess, free_port, login, seed_accounts

CATEGORIES = ["general", "consult", "enterprise", "cross_region"]
WINDOWS = [2, 3, 4, 5, 6, 7, 8, 9]
KIOSKS = 4

pytestmark = pytest.mark.both_databases


@dataclass
class Ledger:
    """What the server acknowledged to the load's clients."""

    issued: list[tuple[int, str, str]] = field(default_factory=list)
    called: list[tuple[int, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Hall:
    process: ServerProcess
    database: str
    """The database URL."""
    kiosk_token: str
    clerks: list[str]


@pytest.fixture
def hall(database_url: str) -> Iterator[Hall]:
    accounts = seed_accounts(database_url, load_hall_config())
    process = ServerProcess(database_url, free_port())
    process.start()
    try:
        yield Hall(process, database_url, accounts.kiosk_token, accounts.clerks)
    finally:
        process.stop()


def kiosk_loop(base_url: str, token: str, seed: int, stop: threading.Event, ledger: Ledger) -> None:
    chooser = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:
        while not stop.is_set():
            try:
                response = client.post(
                    "/api/tickets", json={"category": chooser.choice(CATEGORIES)}
                )
            except httpx.TransportError:
                return
            assert response.status_code == 201, response.text
            body = response.json()
            with ledger.lock:
                ledger.issued.append((body["id"], body["category"], body["number"]))


def window_loop(
    base_url: str, token: str, window: int, stop: threading.Event, ledger: Ledger
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:
        try:
            assert client.post(f"/api/windows/{window}/sign-in").status_code == 200
            while not stop.is_set():
                response = client.post(f"/api/windows/{window}/call-next")
                if response.status_code == 204:
                    time.sleep(0.005)
                    continue
                assert response.status_code == 200, response.text
                ticket_id = response.json()["id"]
                with ledger.lock:
                    ledger.called.append((ticket_id, window))
                for action in ("start", "finish"):
                    assert client.post(f"/api/tickets/{ticket_id}/{action}").status_code == 200
        except httpx.TransportError:
            return


def run_load(hall: Hall, seconds: float, *, kill_after: float | None = None) -> Ledger:
    ledger = Ledger()
    stop = threading.Event()
    base = hall.process.base_url
    threads = [
        threading.Thread(target=kiosk_loop, args=(base, hall.kiosk_token, seed, stop, ledger))
        for seed in range(KIOSKS)
    ]
    threads += [
        threading.Thread(target=window_loop, args=(base, login(base, name), window, stop, ledger))
        for name, window in zip(hall.clerks, WINDOWS, strict=True)
    ]
    for thread in threads:
        thread.start()
    if kill_after is not None:
        time.sleep(kill_after)
        hall.process.kill()
    time.sleep(max(0.0, seconds - (kill_after or 0)))
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive()
    return ledger


def query(database: str, sql: str) -> list[tuple[object, ...]]:
    """Rows of `sql` read straight from the database at URL `database`."""
    engine = sa.create_engine(database)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def assert_intact(database: str) -> None:
    """A SQLite file written by the killed process passes SQLite's integrity check. (On
    PostgreSQL the killed process only held connections: the database server, which owns
    the files, was not killed, so there is no file of ours to check.)"""
    if sa.make_url(database).get_backend_name() == "sqlite":
        assert query(database, "PRAGMA integrity_check") == [("ok",)]


def assert_numbers_contiguous(database: str) -> dict[str, int]:
    rows = query(database, "SELECT category, sequence FROM ticket WHERE hop = 0")
    by_category: dict[str, list[int]] = defaultdict(list)
    for category, sequence in rows:
        by_category[str(category)].append(int(str(sequence)))
    for category, sequences in by_category.items():
        assert sorted(sequences) == list(range(1, len(sequences) + 1)), category
    return {category: len(sequences) for category, sequences in by_category.items()}


def assert_called_at_most_once(database: str) -> None:
    calls = query(database, "SELECT ticket_id FROM event WHERE type = 'ticket.called'")
    repeated = [ticket for ticket, count in Counter(calls).items() if count > 1]
    assert repeated == []


def test_kiosks_and_windows_in_parallel(hall: Hall) -> None:
    ledger = run_load(hall, seconds=4)
    assert len(ledger.issued) > 50
    assert len(ledger.called) > 20
    ids = [ticket_id for ticket_id, _, _ in ledger.issued]
    assert len(set(ids)) == len(ids)
    numbers = [(category, number) for _, category, number in ledger.issued]
    assert len(set(numbers)) == len(numbers)
    called = [ticket_id for ticket_id, _ in ledger.called]
    assert len(set(called)) == len(called), "a ticket was called by two windows"
    counts = assert_numbers_contiguous(hall.database)
    assert sum(counts.values()) == len(ledger.issued)
    assert_called_at_most_once(hall.database)
    issued_events = query(hall.database, "SELECT count(*) FROM event WHERE type='ticket.issued'")
    assert issued_events == [(len(ledger.issued),)]


def test_sigkill_under_load_loses_nothing_acknowledged(hall: Hall) -> None:
    ledger = run_load(hall, seconds=3, kill_after=2)
    assert ledger.issued and ledger.called

    stored = {
        int(str(row[0])): (str(row[1]), str(row[2]))
        for row in query(hall.database, "SELECT id, category, number FROM ticket")
    }
    for ticket_id, category, number in ledger.issued:
        assert stored.get(ticket_id) == (category, number)
    called_events = set(
        query(hall.database, "SELECT ticket_id, window_no FROM event WHERE type='ticket.called'")
    )
    assert {(tid, window) for tid, window in ledger.called} <= called_events
    assert_intact(hall.database)
    assert_called_at_most_once(hall.database)
    before = assert_numbers_contiguous(hall.database)

    hall.process.start()
    headers = {"Authorization": f"Bearer {hall.kiosk_token}"}
    with httpx.Client(base_url=hall.process.base_url, headers=headers) as kiosk:
        for category in CATEGORIES:
            ticket = kiosk.post("/api/tickets", json={"category": category}).json()
            assert int(ticket["number"][1:]) == before.get(category, 0) + 1
    assert_numbers_contiguous(hall.database)
