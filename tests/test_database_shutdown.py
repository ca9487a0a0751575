"""Closing a `Database` leaves no connection open, even with a read still running."""

import asyncio
import threading

import pytest
import sqlalchemy as sa

from queue_server.db import Database
from tests.postgres import PostgresCluster

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def open_connections(cluster: PostgresCluster, database: str) -> int:
    with cluster.admin() as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (database,)
        ).fetchone()
    assert row is not None
    return int(str(row[0]))


async def test_dispose_waits_for_a_cancelled_read(
    postgres_cluster: PostgresCluster, postgres_url: str
) -> None:
    """The server cancels its tailer and watch tasks at shutdown, then disposes the engine.
    A read cancelled mid-way still runs to its end in its worker thread; were the engine
    disposed before it returned its connection, that connection would stay open until
    garbage collection (psycopg then warns; a server keeps it until exit)."""
    database_name = sa.make_url(postgres_url).database
    assert database_name is not None
    db = Database(postgres_url)
    started, release = threading.Event(), threading.Event()

    def slow_read(session: object) -> None:
        assert isinstance(session, sa.orm.Session)
        session.connection().exec_driver_sql("SELECT 1")
        started.set()
        release.wait(5)

    reading = asyncio.create_task(db.read(slow_read))
    await asyncio.to_thread(started.wait, 5)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    threading.Timer(0.3, release.set).start()
    db.dispose()
    assert open_connections(postgres_cluster, database_name) == 0
