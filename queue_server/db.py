"""Engines, sessions and the write path.

Writes are serialised twice over: inside one process by one writer thread that group-commits
every waiting request in one transaction (`group_commit.py`, a SAVEPOINT per request), and
across processes by the database (SQLite takes its write lock at `BEGIN IMMEDIATE`; other
databases lock the `hall_lock` row). Every write commits before its response is built, with
SQLite in WAL mode and synchronous=FULL.
"""

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from queue_server.group_commit import GroupCommitWriter
from queue_server.models import HallLock

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 30_000
DISPOSE_WAIT_SECONDS = 10.0
"""How long `dispose` waits for reads still running in worker threads."""


def _sqlite_file(url: sa.URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _make_engine(url: str, *, immediate: bool) -> Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)

    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql(begin)

    return engine


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        parsed = sa.make_url(url)
        self.backend = parsed.get_backend_name()
        sqlite_file = _sqlite_file(parsed)
        if sqlite_file is not None:
            sqlite_file.parent.mkdir(parents=True, exist_ok=True)
        self.write_engine = _make_engine(url, immediate=True)
        self.read_engine = (
            _make_engine(url, immediate=False) if self.backend == "sqlite" else self.write_engine
        )
        self._writer: GroupCommitWriter | None = None
        self._reads_running = 0
        self._reads_done = threading.Condition()
        self.on_commit: Callable[[list[object]], None] | None = None
        """Called on the writer thread after each group commit with what its writes passed
        to `group_commit.after_commit` (the app hands the new events to the hub)."""

    def describe(self) -> str:
        """The URL without its password, for logs and /api/health."""
        return sa.make_url(self.url).render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest alembic revision."""
        config = Config()
        config.set_main_option("script_location", str(files("queue_server") / "migrations"))
        with self.write_engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with Session(self.write_engine) as session:
            if session.get(HallLock, 1) is None:
                session.add(HallLock(id=1))
                session.commit()

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session whose transaction holds the hall's write lock; commits on success."""
        with Session(self.write_engine, expire_on_commit=False) as session:
            session.exec(select(HallLock).where(HallLock.id == 1).with_for_update()).first()
            yield session
            session.commit()

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        with Session(self.read_engine) as session:
            yield session

    def write_sync(self, operation: Callable[[Session], T]) -> T:
        with self.write_session() as session:
            return operation(session)

    def read_sync(self, operation: Callable[[Session], T]) -> T:
        with self._reads_done:
            self._reads_running += 1
        try:
            with self.read_session() as session:
                return operation(session)
        finally:
            with self._reads_done:
                self._reads_running -= 1
                self._reads_done.notify_all()

    @property
    def writer(self) -> GroupCommitWriter:
        """The group-commit writer thread, started on first use."""
        if self._writer is None:
            self._writer = GroupCommitWriter(self.write_session, on_commit=self._committed)
        return self._writer

    def _committed(self, items: list[object]) -> None:
        if self.on_commit is not None:
            self.on_commit(items)

    async def write(self, operation: Callable[[Session], T]) -> T:
        """Run `operation` in its own savepoint of the next group commit; returns its result
        once that transaction has committed, or raises what it raised (its changes undone).

        The write goes on when the caller is cancelled, like a request the server has read."""
        future = asyncio.wrap_future(self.writer.submit(operation))
        return await asyncio.shield(future)

    async def read(self, operation: Callable[[Session], T]) -> T:
        return await anyio.to_thread.run_sync(self.read_sync, operation)

    def dispose(self) -> None:
        """Stop the writer, wait for reads still running (a cancelled `read` goes on in its
        worker thread), then close every pooled connection. A connection checked out while
        the pool is disposed would stay open until garbage collection."""
        if self._writer is not None:
            self._writer.close()
        with self._reads_done:
            self._reads_done.wait_for(lambda: self._reads_running == 0, DISPOSE_WAIT_SECONDS)
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()
