"""The group-commit writer: one transaction for every waiting write; savepoints only when one of
them fails."""

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import event as sa_event
from sqlmodel import Session, select

from queue_server.config import load_hall_config
from queue_server.db import Database
from queue_server.domain.errors import Conflict
from queue_server.group_commit import GroupCommitWriter, WriterClosed, after_commit
from queue_server.models import NumberCounter
from tests.support import seed_accounts

DAY = "2026-11-23"
T = TypeVar("T")


def run_async(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """In a thread of its own: asyncio.run refuses a thread whose loop is running (as the
    main thread's is while Playwright's sync API is open)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(scenario())).result()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    seed_accounts(url, load_hall_config())
    database = Database(url)
    try:
        yield database
    finally:
        database.dispose()


def _add_counter(category: str) -> Callable[[Session], str]:
    def operation(session: Session) -> str:
        session.add(
            NumberCounter(
                hall="main", service_day=date.fromisoformat(DAY), category=category, last_sequence=1
            )
        )
        session.flush()
        after_commit(session, category)
        return category

    return operation


def _stored(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute("SELECT category FROM number_counter")}


def _fail_after_writing(category: str) -> Callable[[Session], str]:
    def operation(session: Session) -> str:
        _add_counter(category)(session)
        raise Conflict("this request's own changes must vanish")

    return operation


def _held_writer(db: Database, gate: threading.Event, committed: list[object]) -> GroupCommitWriter:
    """A writer whose first transaction waits for `gate`: what is submitted before it opens
    forms one batch."""

    @contextmanager
    def held_transaction() -> Iterator[Session]:
        gate.wait(10)
        with db.write_session() as session:
            yield session

    return GroupCommitWriter(held_transaction, on_commit=committed.extend)


def test_waiting_writes_share_one_commit_and_each_gets_its_answer(
    db: Database, tmp_path: Path
) -> None:
    gate = threading.Event()
    committed: list[list[object]] = []

    @contextmanager
    def held_transaction() -> Iterator[Session]:
        gate.wait(10)  # every request below is queued before the first batch starts
        with db.write_session() as session:
            yield session

    writer = GroupCommitWriter(held_transaction, on_commit=committed.append)
    try:
        futures = [writer.submit(_add_counter(f"c{i}")) for i in range(20)]
        gate.set()
        answers = [future.result(timeout=10) for future in futures]
    finally:
        writer.close()
    assert answers == [f"c{i}" for i in range(20)]
    assert writer.batches <= 2  # the first request may be taken alone, the rest together
    assert _stored(tmp_path / "hall.db") >= set(answers)
    assert [item for batch in committed for item in batch] == answers


def test_a_failing_request_rolls_back_only_its_own_changes(db: Database, tmp_path: Path) -> None:
    gate = threading.Event()
    committed: list[object] = []
    writer = _held_writer(db, gate, committed)
    try:
        before = writer.submit(_add_counter("before"))
        failing = writer.submit(_fail_after_writing("failed"))
        after = writer.submit(_add_counter("after"))
        gate.set()
        assert before.result(timeout=10) == "before"
        assert after.result(timeout=10) == "after"
        with pytest.raises(Conflict):
            failing.result(timeout=10)
    finally:
        writer.close()
    stored = _stored(tmp_path / "hall.db")
    assert {"before", "after"} <= stored
    assert "failed" not in stored
    assert committed == ["before", "after"]


def test_a_batch_takes_savepoints_only_when_one_of_its_requests_fails(db: Database) -> None:
    """Without a failure the batch runs bare; with one, it is rolled back and run again with a
    savepoint per request, so the others run twice and are committed (and handed on) once."""
    savepoints: list[str] = []
    sa_event.listen(db.write_engine, "savepoint", lambda _c, name: savepoints.append(name))
    runs: list[str] = []

    def counted(operation: Callable[[Session], str]) -> Callable[[Session], str]:
        def run(session: Session) -> str:
            result = operation(session)
            runs.append(result)
            return result

        return run

    gate, committed = threading.Event(), list[object]()
    writer = _held_writer(db, gate, committed)
    try:
        futures = [writer.submit(counted(_add_counter(f"bare{i}"))) for i in range(3)]
        gate.set()
        assert [future.result(timeout=10) for future in futures] == ["bare0", "bare1", "bare2"]
    finally:
        writer.close()
    assert savepoints == []
    assert runs == ["bare0", "bare1", "bare2"]

    runs.clear()
    gate, committed = threading.Event(), []
    writer = _held_writer(db, gate, committed)
    try:
        before = writer.submit(counted(_add_counter("before")))
        failing = writer.submit(_fail_after_writing("failed"))
        after = writer.submit(counted(_add_counter("after")))
        gate.set()
        assert (before.result(timeout=10), after.result(timeout=10)) == ("before", "after")
        with pytest.raises(Conflict):
            failing.result(timeout=10)
    finally:
        writer.close()
    assert len(savepoints) == 3
    assert runs == ["before", "before", "after"]
    assert committed == ["before", "after"]


def test_when_the_commit_fails_nobody_is_told_it_succeeded(db: Database, tmp_path: Path) -> None:
    @contextmanager
    def failing_commit() -> Iterator[Session]:
        with Session(db.write_engine) as session:
            yield session
            session.rollback()
            raise OSError("disk gone")

    committed: list[object] = []
    writer = GroupCommitWriter(failing_commit, on_commit=committed.extend)
    try:
        future = writer.submit(_add_counter("lost"))
        with pytest.raises(OSError, match="disk gone"):
            future.result(timeout=10)
    finally:
        writer.close()
    assert "lost" not in _stored(tmp_path / "hall.db")
    assert committed == []


def test_a_closed_writer_refuses_new_work(db: Database) -> None:
    writer = GroupCommitWriter(db.write_session)
    writer.close()
    with pytest.raises(WriterClosed):
        writer.submit(_add_counter("late"))


def test_an_answered_write_is_already_committed(db: Database, tmp_path: Path) -> None:
    """Another connection sees every row of a write the moment its caller is answered."""

    async def scenario() -> None:
        for index in range(10):
            category = f"seen{index}"
            await db.write(_add_counter(category))
            assert category in _stored(tmp_path / "hall.db")

    run_async(scenario)


def test_concurrent_async_writes_are_batched(db: Database) -> None:
    async def scenario() -> list[str]:
        return list(await asyncio.gather(*(db.write(_add_counter(f"g{i}")) for i in range(50))))

    answers = run_async(scenario)
    assert answers == [f"g{i}" for i in range(50)]
    assert db.writer().batches < 50
    with db.read_session() as session:
        assert len(session.exec(select(NumberCounter)).all()) == 50


def test_a_lone_failing_write_leaves_nothing_behind(db: Database, tmp_path: Path) -> None:
    async def scenario() -> None:
        with pytest.raises(Conflict):
            await db.write(_fail_after_writing("alone"))
        assert await db.write(_add_counter("next")) == "next"

    run_async(scenario)
    stored = _stored(tmp_path / "hall.db")
    assert "alone" not in stored
    assert "next" in stored
