"""The alembic migrations build exactly the schema the models describe."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from queue_server.config import load_hall_config
from queue_server.db import Database
from tests.support import seed_accounts


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hall.db'}")
    db.migrate()
    with db.write_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    db.dispose()


def test_migrating_twice_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    seed_accounts(url, load_hall_config())
    db = Database(url)
    db.migrate()
    with db.read_session() as session:
        assert (
            session.connection().exec_driver_sql("SELECT count(*) FROM user_account").scalar() == 10
        )
    db.dispose()
