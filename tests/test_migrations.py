"""The alembic migrations build exactly the schema the models describe, on SQLite and on
PostgreSQL, and running them again keeps the data."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from queue_server.config import load_hall_config
from queue_server.db import Database
from tests.support import seed_accounts

pytestmark = pytest.mark.both_databases


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Unlike the shared fixture, a PostgreSQL database here starts empty: the migrations
    under test build it."""
    if getattr(request, "param", "sqlite") == "postgresql":
        url: str = request.getfixturevalue("empty_postgres_url")
        yield url
    else:
        yield f"sqlite:///{tmp_path / 'hall.db'}"


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    db = Database(database_url)
    db.migrate()
    with db.write_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    db.dispose()


def test_migrating_twice_keeps_the_data(database_url: str) -> None:
    seed_accounts(database_url, load_hall_config())
    db = Database(database_url)
    db.migrate()
    with db.read_session() as session:
        assert (
            session.connection().exec_driver_sql("SELECT count(*) FROM user_account").scalar() == 10
        )
    db.dispose()
