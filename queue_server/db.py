"""Engines, sessions and the write path.

Writes are serialised per hall, twice over: inside one process by a writer thread that
group-commits every waiting request in one transaction (`group_commit.py`, a SAVEPOINT per
request), and across processes by the database. On PostgreSQL each hall has its own writer
whose transactions lock that hall's row in `hall`, so two halls' writes run in parallel; SQLite
has one write lock for the whole file (taken at `BEGIN IMMEDIATE`), so one writer serves every
hall. Writes that belong to no hall (logins, accounts, housekeeping) take no hall lock. Every
write commits before its response is built, with SQLite in WAL mode and synchronous=FULL.
"""

import asyncio
import functools
import threading
from collections.abc import Callable, Iterable, Iterator
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

from queue_server.group_commit import GroupCommitWriter, pending_items
from queue_server.models import HallRecord
from queue_server.notify import notify_written
from queue_server.services import live

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
        # What is deleted or overwritten (a person's hash past retention) is zeroed in the
        # file rather than left in free space.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql(begin)

    return engine


@contextmanager
def _foreign_keys_off(connection: sa.Connection) -> Iterator[None]:
    """SQLite rebuilds a table to change its keys; foreign keys must be off meanwhile (and
    can only be switched outside a transaction). Checked again afterwards."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


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
        self._writers: dict[str | None, GroupCommitWriter] = {}
        self._writers_lock = threading.Lock()
        self._reads_running = 0
        self._reads_done = threading.Condition()
        self.on_commit: Callable[[list[object]], None] | None = None
        """Called on the writer thread after each group commit with what its writes passed
        to `group_commit.after_commit` (the app hands the new events to the hub)."""

    def describe(self) -> str:
        """The URL without its password, for logs and /api/health."""
        return sa.make_url(self.url).render_as_string(hide_password=True)

    def migrate(self, *, hall_code: str = "main") -> None:
        """Create or upgrade the schema to the newest alembic revision. Rows written before
        halls existed are filed under `hall_code`."""
        config = Config()
        config.set_main_option("script_location", str(files("queue_server") / "migrations"))
        config.attributes["hall_code"] = hall_code
        with self.write_engine.connect() as connection:
            config.attributes["connection"] = connection
            with _foreign_keys_off(connection):
                command.upgrade(config, "head")

    def ensure_halls(self, codes: Iterable[str]) -> None:
        """Give every hall its lock row."""
        with Session(self.write_engine) as session:
            known = set(session.exec(select(HallRecord.code)).all())
            session.add_all(HallRecord(code=code) for code in codes if code not in known)
            session.commit()

    @contextmanager
    def write_session(self, hall: str | None = None) -> Iterator[Session]:
        """A session whose transaction holds `hall`'s write lock (none for None); commits on
        success."""
        with Session(self.write_engine, expire_on_commit=False) as session:
            if hall is not None and self.backend != "sqlite":
                locked = session.exec(
                    select(HallRecord.code).where(HallRecord.code == hall).with_for_update()
                ).first()
                if locked is None:
                    raise LookupError(f"hall {hall!r} has no lock row; was the city prepared?")
            yield session
            if self.backend == "postgresql":
                notify_written(session)
            session.commit()

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        with Session(self.read_engine) as session:
            yield session

    def write_sync(self, operation: Callable[[Session], T], *, hall: str | None = None) -> T:
        """Run `operation` in a transaction of its own, outside the writer thread (commands,
        tests): its writes reach this process's live state as the writer's do."""
        with self.write_session(hall) as session, live.settling(session):
            result = operation(session)
        live.promote(pending_items(session))
        return result

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

    def writer(self, hall: str | None = None) -> GroupCommitWriter:
        """The group-commit writer thread for `hall`'s writes, started on first use (SQLite:
        one for every hall, since the file has a single write lock anyway)."""
        key = None if self.backend == "sqlite" else hall
        with self._writers_lock:
            writer = self._writers.get(key)
            if writer is None:
                writer = GroupCommitWriter(
                    functools.partial(self.write_session, key),
                    on_commit=self._committed,
                    around=live.settling,
                    name=f"group-commit-{key or 'city'}",
                )
                self._writers[key] = writer
        return writer

    def _committed(self, items: list[object]) -> None:
        live.promote(items)
        if self.on_commit is not None:
            self.on_commit(items)

    async def write(self, operation: Callable[[Session], T], *, hall: str | None = None) -> T:
        """Run `operation` in the next group commit of `hall`'s writer (it may run twice: see
        group_commit.py); returns its result once that transaction has committed, or raises
        what it raised (its changes undone).

        The write goes on when the caller is cancelled, like a request the server has read."""
        future = asyncio.wrap_future(self.writer(hall).submit(operation))
        return await asyncio.shield(future)

    async def read(self, operation: Callable[[Session], T]) -> T:
        return await anyio.to_thread.run_sync(self.read_sync, operation)

    def dispose(self) -> None:
        """Stop the writers, wait for reads still running (a cancelled `read` goes on in its
        worker thread), then close every pooled connection. A connection checked out while
        the pool is disposed would stay open until garbage collection."""
        with self._writers_lock:
            writers = list(self._writers.values())
            self._writers.clear()
        for writer in writers:
            writer.close()
        with self._reads_done:
            self._reads_done.wait_for(lambda: self._reads_running == 0, DISPOSE_WAIT_SECONDS)
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()
