"""Two server processes on one PostgreSQL database, one killed (SIGKILL) while requests are in
flight and started again: each keeps its live state of the hall in step with the database.

Kiosks and clerks spread over both processes issue, call, start, finish, mark no-shows and
requeue at random. At the end each process says its state agrees with the database
(`GET /api/live-state`, which catches up first), numbers have no duplicates or gaps, and the
`ahead` of every answered ticket is what the event log says was waiting when it was issued.
"""

import json
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.config import load_hall_config
from tests.support import Accounts, ServerProcess, free_port, seed_accounts
from tests.test_concurrency import assert_numbers_contiguous, query
from tests.test_live_state_property import manager_login

pytestmark = pytest.mark.postgresql_only

WINDOWS = (1, 2, 3, 4, 5, 6)
CATEGORIES = ("general", "general", "consult", "pickup")
PER_PHASE = 25
"""Tickets issued before the kill, and again after the restart."""


@dataclass
class Answers:
    """Each issue's answer (`id`, `ahead`), as the kiosks received them."""

    issued: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, seconds: float = 30) -> None:
        """Until `count` tickets were issued (a loaded machine issues slowly), or `seconds`."""
        deadline = time.monotonic() + seconds
        while len(self.issued) < count and time.monotonic() < deadline:
            time.sleep(0.05)


def post(server: ServerProcess, token: str, path: str, body: Any = None) -> httpx.Response | None:
    """None when the process is down (killed, or starting again)."""
    try:
        return httpx.post(
            f"{server.base_url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
    except httpx.HTTPError:
        return None


def kiosk(
    servers: list[ServerProcess], token: str, seed: int, stop: threading.Event, answers: Answers
) -> None:
    chance = random.Random(seed)
    while not stop.is_set():
        server = chance.choice(servers)
        response = post(server, token, "/api/tickets", {"category": chance.choice(CATEGORIES)})
        if response is None:
            continue
        with answers.lock:
            if response.status_code == 201:
                answers.issued.append(response.json())
            else:
                answers.failures.append(f"issue: {response.status_code} {response.text}")


def clerk(
    servers: list[ServerProcess],
    token: str,
    window: int,
    seed: int,
    stop: threading.Event,
    answers: Answers,
) -> None:
    chance = random.Random(seed)
    no_shows: list[int] = []
    while not stop.is_set():
        server = chance.choice(servers)
        if no_shows and chance.random() < 0.3:
            post(server, token, f"/api/tickets/{no_shows.pop()}/requeue")
            continue
        called = post(server, token, f"/api/windows/{window}/call-next")
        if called is None or called.status_code != 200:
            if called is not None and called.status_code >= 500:
                answers.failures.append(f"call: {called.status_code} {called.text}")
            continue
        ticket = called.json()["id"]
        if chance.random() < 0.2:
            if post(server, token, f"/api/tickets/{ticket}/no-show") is not None:
                no_shows.append(ticket)
            continue
        for step, body in (("start", None), ("finish", {"outcome": None})):
            # After a kill, retry on the other process until the step is through.
            for _ in range(20):
                response = post(
                    chance.choice(servers), token, f"/api/tickets/{ticket}/{step}", body
                )
                if response is not None:
                    break


@pytest.fixture
def processes(
    database_url: str, tmp_path: Path
) -> Iterator[tuple[list[ServerProcess], Accounts, str]]:
    accounts = seed_accounts(database_url, load_hall_config())
    manager = manager_login(database_url, accounts)
    servers = [
        ServerProcess(database_url, free_port(), log_path=tmp_path / f"server{index}.log")
        for index in (1, 2)
    ]
    for server in servers:
        server.start()
    try:
        yield servers, accounts, manager
    finally:
        for server in servers:
            server.stop()


def assert_called_once_per_turn(database_url: str) -> None:
    """A ticket is called once, and once more after each requeue (never by two windows)."""
    turns: Counter[object] = Counter()
    for kind, ticket in query(database_url, "SELECT type, ticket_id FROM event ORDER BY seq"):
        if kind == "ticket.called":
            turns[ticket] += 1
        elif kind == "ticket.requeued":
            turns[ticket] -= 1
    assert [ticket for ticket, calls in turns.items() if calls > 1] == []


def waiting_when_issued(database_url: str) -> dict[int, int]:
    """For every ticket issued, how many waited in its category's own queue just before, as
    the event log (in seq order, the order the hall's lock let the writes through) tells."""
    waiting: dict[str, set[int]] = defaultdict(set)
    ahead: dict[int, int] = {}
    for kind, payload in query(database_url, "SELECT type, payload FROM event ORDER BY seq"):
        message = json.loads(str(payload))
        if kind == "ticket.issued":
            ticket = message["ticket"]
            ahead[ticket["id"]] = len(waiting[ticket["category"]])
        for key in ("ticket", "new_ticket"):
            ticket = message.get(key)
            if ticket is None:
                continue
            for queue in waiting.values():
                queue.discard(ticket["id"])
            if ticket["status"] == "waiting" and ticket.get("target_window_no") is None:
                waiting[ticket["category"]].add(ticket["id"])
    return ahead


def test_two_processes_and_a_kill_keep_the_live_state_in_step(
    processes: tuple[list[ServerProcess], Accounts, str], database_url: str
) -> None:
    servers, accounts, manager = processes
    answers = Answers()
    stop = threading.Event()
    threads = [
        threading.Thread(target=kiosk, args=(servers, accounts.kiosk_token, seed, stop, answers))
        for seed in range(3)
    ]
    for index, window in enumerate(WINDOWS):
        token = accounts.clerk_tokens[accounts.clerks[index]]
        response = post(servers[index % 2], token, f"/api/windows/{window}/sign-in")
        assert response is not None and response.status_code == 200, response
        threads.append(
            threading.Thread(
                target=clerk, args=(servers, token, window, 100 + index, stop, answers)
            )
        )
    for thread in threads:
        thread.start()
    try:
        answers.wait_for(PER_PHASE)
        before = len(answers.issued)
        servers[0].kill()
        stop.wait(0.5)
        servers[0].start()
        answers.wait_for(before + PER_PHASE)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    assert not answers.failures, answers.failures[:5]
    assert len(answers.issued) >= before + PER_PHASE, "issuing went on after the kill"
    for server in servers:
        response = httpx.get(
            f"{server.base_url}/api/live-state", headers={"Authorization": f"Bearer {manager}"}
        )
        assert response.status_code == 200, response.text
        state = response.json()
        assert state["consistent"], "\n".join(state["differences"])
    assert_numbers_contiguous(database_url)
    assert_called_once_per_turn(database_url)
    expected = waiting_when_issued(database_url)
    wrong = [
        (t["number"], t["ahead"], expected[t["id"]])
        for t in answers.issued
        if t["ahead"] != expected[t["id"]]
    ]
    assert wrong == [], "(number, answered ahead, waiting in the log)"
