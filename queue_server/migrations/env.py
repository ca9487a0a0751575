"""Alembic environment: runs on the connection the server hands over, or on a URL."""

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

import queue_server.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        url = context.config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("no connection and no sqlalchemy.url given to alembic")
        engine = sa.create_engine(url)
        try:
            with engine.connect() as own:
                _run(own)
        finally:
            engine.dispose()
    else:
        _run(connection)


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
