"""The hall's live state in memory never disagrees with the database.

Hypothesis drives random operations through the HTTP API of a real server on a manual clock
(issue, call next or by number, recall, start, finish, no-show, requeue, transfer, cancel,
pause and resume, sign-in and sign-out, the service day rolling over); after every step the
server compares the state it decides from with one read afresh (`GET /api/live-state`), and
now and then the wait estimator's view of it (`live_load`) is compared with the one queried
from the database (`hall_load`). On SQLite and on PostgreSQL.
"""

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from queue_server.config import HallConfig, load_hall_config
from queue_server.db import Database
from queue_server.domain.clock import ManualClock, SystemClock
from queue_server.domain.enums import PriorityReason
from queue_server.models import User
from queue_server.protocol import TicketCreate, TicketPublic
from queue_server.services import issuing, live, windows
from queue_server.services.accounts import Principal, open_login
from queue_server.services.live_check import live_state_check
from queue_server.services.scope import Scope
from queue_server.services.views import window_states
from queue_server.services.waits import hall_load, history_limit, live_load
from tests.postgres import PostgresCluster
from tests.support import Accounts, seed_accounts, threaded_server
from tests.test_properties import (
    ARRIVING_CATEGORIES,
    CATEGORY_CODES,
    CLERK_INDEXES,
    EARLY_MORNING,
    ELAPSED,
    MAX_WAITING,
    MOSTLY,
    PRIORITIES,
    WINDOW_INDEXES,
    WINDOW_NUMBERS,
)

pytestmark = pytest.mark.both_databases

REFUSALS = frozenset({400, 403, 404, 409, 422})
"""What a move the hall does not allow gets; anything else (a 500) fails the run."""


@dataclass
class HallCopies:
    """The test's seeded database, copied afresh for every example (a file, or a PostgreSQL
    database made from it as a template)."""

    url: str
    accounts: Accounts
    manager_token: str
    hall: HallConfig
    folder: Path
    cluster: PostgresCluster | None
    made: int = 0

    @contextlib.contextmanager
    def copy(self) -> Iterator[str]:
        self.made += 1
        if self.cluster is None:
            source = Path(make_url(self.url).database or "")
            target = self.folder / f"example{self.made}.db"
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{source}{suffix}").exists():
                    shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
            yield f"sqlite:///{target}"
            return
        name = self.cluster.create_database(template=make_url(self.url).database or "")
        try:
            yield self.cluster.url(name)
        finally:
            self.cluster.drop_database(name)


@pytest.fixture
def copies(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> HallCopies:
    hall = load_hall_config()
    accounts = seed_accounts(database_url, hall)
    cluster = None
    if database_url.startswith("postgresql"):
        cluster = request.getfixturevalue("postgres_cluster")
    return HallCopies(
        database_url, accounts, manager_login(database_url, accounts), hall, tmp_path, cluster
    )


def manager_login(database_url: str, accounts: Accounts) -> str:
    """A login token for the manager (the seeded accounts have ones for the clerks)."""
    db = Database(database_url)
    try:
        with db.write_session() as session:
            user = session.exec(select(User).where(User.name == accounts.manager)).one()
            token, _ = open_login(
                session=session, user=user, now=SystemClock().now(), ttl=timedelta(hours=12)
            )
            return token
    finally:
        db.dispose()


class LiveStateMachine(RuleBasedStateMachine):
    """Moves through the API, aimed mostly at what can succeed; the server's answers are not
    predicted here (tests/test_properties.py does that): only that memory and database agree."""

    def __init__(self, copies: HallCopies) -> None:
        super().__init__()
        self.stack = contextlib.ExitStack()
        self.hall = copies.hall
        self.clock = ManualClock(EARLY_MORNING)
        url = self.stack.enter_context(copies.copy())
        host, port = self.stack.enter_context(
            threaded_server(url, hall=self.hall, clock=self.clock)
        )
        self.reader = Database(url)
        self.stack.callback(self.reader.dispose)

        def client(token: str) -> httpx.Client:
            return self.stack.enter_context(
                httpx.Client(
                    base_url=f"http://{host}:{port}",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=10,
                )
            )

        accounts = copies.accounts
        self.kiosk = client(accounts.kiosk_token)
        self.manager = client(copies.manager_token)
        self.clerks = {
            f"窗口员{index}": client(accounts.clerk_tokens[name])
            for index, name in enumerate(accounts.clerks, start=1)
        }
        self.windows: dict[int, dict[str, Any]] = {}
        self.tickets: list[dict[str, Any]] = []
        self.refresh()

    def teardown(self) -> None:
        self.stack.close()

    # --- helpers ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read what the hall looks like now, to aim the next move."""
        windows = self.kiosk.get("/api/windows")
        windows.raise_for_status()
        self.windows = {w["number"]: w for w in windows.json()}
        tickets = self.manager.get("/api/tickets")
        tickets.raise_for_status()
        self.tickets = tickets.json()

    def send(self, client: httpx.Client, path: str, body: dict[str, Any] | None = None) -> None:
        response = client.post(path, json=body)
        event(f"{path.rsplit('/', 1)[-1]}: {response.status_code}")
        assert response.status_code < 300 or response.status_code in REFUSALS, (
            f"POST {path} {body}: {response.status_code} {response.text}"
        )
        self.refresh()

    def clerk_at(self, number: int) -> httpx.Client:
        """The clerk signed in at the window (the manager, refused, when nobody is)."""
        clerk = self.windows[number]["clerk"]
        return self.clerks[clerk["display_name"]] if clerk else self.manager

    def staffed(self, *, idle: bool | None = None) -> list[int]:
        return [
            number
            for number, window in self.windows.items()
            if window["clerk"] is not None and (idle is None or (window["current"] is None) == idle)
        ]

    def choose(self, pool: list[int], index: int, focus: bool) -> int:
        pool = pool if focus and pool else list(WINDOW_NUMBERS)
        return pool[index % len(pool)]

    def tickets_in(self, *statuses: str) -> list[dict[str, Any]]:
        return [t for t in self.tickets if t["status"] in statuses]

    # --- rules ------------------------------------------------------------------------------

    @initialize(
        minutes=st.integers(min_value=0, max_value=600),
        staffed=st.lists(st.sampled_from(WINDOW_NUMBERS), unique=True, min_size=1, max_size=6),
    )
    def open_the_hall(self, minutes: int, staffed: list[int]) -> None:
        self.clock.advance(timedelta(minutes=minutes))
        clerks = list(self.clerks.values())
        for clerk, window in zip(clerks, staffed, strict=False):
            self.send(clerk, f"/api/windows/{window}/sign-in")

    @precondition(lambda self: len(self.tickets_in("waiting")) < MAX_WAITING)
    @rule(arrivals=st.lists(st.tuples(ARRIVING_CATEGORIES, PRIORITIES, ELAPSED), max_size=4))
    def issue(self, arrivals: list[tuple[str, PriorityReason | None, int]]) -> None:
        """A few applicants take numbers at the kiosk."""
        for category, priority, elapsed in arrivals:
            self.clock.advance(timedelta(seconds=elapsed))
            body: dict[str, Any] = {"category": category}
            if priority is not None:
                body["priority"] = priority.value
            response = self.kiosk.post("/api/tickets", json=body)
            assert response.status_code == 201, response.text
        self.refresh()

    @rule(
        window=WINDOW_INDEXES,
        focus=MOSTLY,
        elapsed=ELAPSED,
        by_number=st.sampled_from([False, False, False, True]),
        pick=st.integers(min_value=0),
    )
    def call(self, window: int, focus: bool, elapsed: int, by_number: bool, pick: int) -> None:
        """The clerk of a free window calls the next ticket, now and then a number (特呼)."""
        self.clock.advance(timedelta(seconds=elapsed))
        waiting = self.tickets_in("waiting")
        wanted = {t["category"] for t in waiting}
        useful = [
            number
            for number in self.staffed(idle=True)
            if wanted & set(self.hall.window_by_number[number].may_serve)
        ]
        number = self.choose(useful or self.staffed(idle=True), window, focus)
        clerk = self.clerk_at(number)
        if by_number and waiting:
            ticket = waiting[pick % len(waiting)]
            self.send(clerk, f"/api/windows/{number}/call", {"number": ticket["number"]})
        else:
            self.send(clerk, f"/api/windows/{number}/call-next")

    @rule(
        action=st.sampled_from(["recall", "start", "finish", "finish", "no-show"]),
        window=WINDOW_INDEXES,
        elapsed=ELAPSED,
    )
    def act(self, action: str, window: int, elapsed: int) -> None:
        """The clerk at a window recalls, starts, finishes or marks a no-show its ticket
        (with no ticket at any window, a free one calls)."""
        self.clock.advance(timedelta(seconds=elapsed))
        busy = self.staffed(idle=False)
        if not busy:
            self.call(window=window, focus=True, elapsed=0, by_number=False, pick=0)
            return
        number = busy[window % len(busy)]
        current = self.windows[number]["current"]
        if action == "finish" and current["status"] == "called":
            self.send(self.clerk_at(number), f"/api/tickets/{current['id']}/start")
        body = {"outcome": None} if action == "finish" else None
        self.send(self.clerk_at(number), f"/api/tickets/{current['id']}/{action}", body)

    @rule(
        change=st.sampled_from(["sign-in", "sign-in", "sign-out", "pause", "resume", "next day"]),
        clerk=CLERK_INDEXES,
        window=WINDOW_INDEXES,
        focus=MOSTLY,
        minutes=st.integers(min_value=0, max_value=120),
    )
    def staff(self, change: str, clerk: int, window: int, focus: bool, minutes: int) -> None:
        """Clerks sign in and out and pause; now and then the service day ends."""
        if change == "next day":
            self.next_service_day(minutes)
        elif change == "sign-in":
            busy = {w["clerk"]["display_name"] for w in self.windows.values() if w["clerk"]}
            free = [name for name in self.clerks if name not in busy] if focus else []
            names = free or list(self.clerks)
            empty = [n for n, w in self.windows.items() if not w["clerk"]]
            number = self.choose(empty, window, focus)
            self.send(self.clerks[names[clerk % len(names)]], f"/api/windows/{number}/sign-in")
        else:
            number = self.choose(self.staffed(), window, focus)
            body = {"reason": "会议"} if change == "pause" else None
            self.send(self.clerk_at(number), f"/api/windows/{number}/{change}", body)

    @rule(
        move=st.sampled_from(["requeue", "transfer", "transfer", "cancel"]),
        pick=st.integers(min_value=0),
        window=WINDOW_INDEXES,
        to_window=st.none() | st.sampled_from(WINDOW_NUMBERS),
        to_category=st.sampled_from(CATEGORY_CODES),
    )
    def move(
        self, move: str, pick: int, window: int, to_window: int | None, to_category: str
    ) -> None:
        """A no-show back in the queue, a ticket sent to another category or window, or one
        cancelled (the applicant gave up)."""
        no_shows, waiting = self.tickets_in("no_show"), self.tickets_in("waiting")
        busy = self.staffed(idle=False)
        if move == "requeue" and no_shows:
            ticket = no_shows[pick % len(no_shows)]
            clerk = self.clerk_at(self.choose(self.staffed(), window, True))
            self.send(clerk, f"/api/tickets/{ticket['id']}/requeue")
        elif move == "transfer" and busy:
            number = busy[window % len(busy)]
            body: dict[str, Any] = {"reason": "需转其他业务"}
            body.update({"to_window": to_window} if to_window else {"to_category": to_category})
            ticket_id = self.windows[number]["current"]["id"]
            self.send(self.clerk_at(number), f"/api/tickets/{ticket_id}/transfer", body)
        elif waiting:
            ticket = waiting[pick % len(waiting)]
            body = {"reason": "群众放弃办理"}
            self.send(self.manager, f"/api/tickets/{ticket['id']}/cancel", body)

    def next_service_day(self, minutes: int) -> None:
        """The clock passes the next 04:00 in Beijing: a new service day, whatever still
        stands from the last one (tickets at windows, windows staffed)."""
        local = self.clock.now().astimezone(self.hall.tz)
        start = local.replace(hour=self.hall.hall.service_day_start_hour, minute=0, second=0)
        if start <= local:
            start += timedelta(days=1)
        self.clock.advance(start - local + timedelta(minutes=minutes))
        self.refresh()

    @rule(before=st.integers(min_value=0, max_value=8))
    def loads_agree(self, before: int) -> None:
        """The estimator's view from the state equals the one it queries; the server's state
        equals this one (`memory_and_database_agree`), so the server's view does too."""
        now = self.clock.now()
        keys = sorted(t["issued_at"] for t in self.tickets_in("waiting"))
        cut = datetime.fromisoformat(keys[before % len(keys)]) if keys else None
        with self.reader.read_session() as session:
            scope = Scope(session, self.hall, now)
            state = live.rebuild(
                session,
                hall=scope.code,
                day=scope.today,
                seq=0,
                history_limit=history_limit(self.hall),
            )
            states = window_states(session, self.hall)
            for before_key, priority_only in ((None, False), (None, True), (cut, False)):
                queried = hall_load(
                    session,
                    self.hall,
                    states=states,
                    day=scope.today,
                    before=before_key,
                    priority_only=priority_only,
                )
                held = live_load(state, self.hall, before=before_key, priority_only=priority_only)
                assert held == queried, (before_key, priority_only)

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def memory_and_database_agree(self) -> None:
        response = self.manager.get("/api/live-state")
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        assert answer["hall"] == "main"
        assert answer["consistent"], "\n".join(answer["differences"])


def test_memory_and_database_never_disagree(copies: HallCopies) -> None:
    class OneHall(LiveStateMachine):
        def __init__(self) -> None:
            super().__init__(copies)

    run_state_machine_as_test(
        OneHall,
        settings=settings(
            max_examples=12,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_a_write_after_another_process_wrote_catches_up_first(database_url: str) -> None:
    """Regression (found by tests/test_live_state_processes.py): a process that wrote
    something other than a ticket (here a sign-in) after another process had written folded
    its own rows into its stale state and took the newest seq, so the other process's
    writes in between were never read. Two `Database` objects on one database are two
    processes here (each engine keeps its own live state)."""
    hall = load_hall_config()
    accounts = seed_accounts(database_url, hall)
    first, second = Database(database_url), Database(database_url)
    clock = ManualClock(EARLY_MORNING + timedelta(hours=5))
    try:
        with first.read_session() as session:
            user = session.exec(select(User).where(User.name == accounts.clerks[0])).one()
            clerk = Principal(
                token_id=1, role=user.role, name=user.name, user_id=user.id, display_name=None
            )

        def issue(session: Session) -> TicketPublic:
            request = TicketCreate(category="general")
            return issuing.issue_ticket(Scope(session, hall, clock.now()), request)

        first.write_sync(issue, hall="main")
        second.write_sync(issue, hall="main")
        first.write_sync(
            lambda session: windows.sign_in(Scope(session, hall, clock.now(), clerk), 1),
            hall="main",
        )
        check = first.write_sync(
            lambda session: live_state_check(Scope(session, hall, clock.now())), hall="main"
        )
    finally:
        first.dispose()
        second.dispose()
    assert check.differences == []
