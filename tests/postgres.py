"""A throwaway PostgreSQL cluster for the test suite, and the fixtures that run a test on it.

The cluster is Debian's PostgreSQL (`make test` installs the `postgresql` package): `initdb`
and `pg_ctl` from /usr/lib/postgresql/*/bin, a data folder in a temporary directory, listening
on 127.0.0.1 on a free port (`benchmarks/pgcluster.py`, shared with `make bench`; here with
every flush skipped). It starts once per session, the first time a test asks for it;
each test gets a database of its own, made from a template that is already migrated, and
dropped afterwards.

A test opts in to both databases with the `both_databases` marker: every test so marked that
uses `database_url` (directly, or through `server`) runs twice, `[sqlite]` and `[postgresql]`.
"""

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.pgcluster import FAST_SETTINGS, ClusterError, PostgresCluster, running_cluster
from queue_server.db import Database

__all__ = ["PostgresCluster"]

DATABASES = ("sqlite", "postgresql")
BOTH_DATABASES_MARKER = "both_databases"
POSTGRESQL_ONLY_MARKER = "postgresql_only"
TEMPLATE = "yimen_template"


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway cluster for the whole session, started by the first test that asks."""
    with contextlib.ExitStack() as stack:
        try:
            cluster = stack.enter_context(running_cluster(FAST_SETTINGS))
        except ClusterError as error:
            pytest.fail(f"{error} The suite runs its core tests on PostgreSQL too.", pytrace=False)
        yield cluster


@pytest.fixture(scope="session")
def postgres_template(postgres_cluster: PostgresCluster) -> str:
    """A database migrated to the newest revision, copied for each test (a copy takes a
    fraction of what running every migration again does)."""
    postgres_cluster.create_database(name=TEMPLATE)
    database = Database(postgres_cluster.url(TEMPLATE))
    try:
        database.migrate()
    finally:
        database.dispose()
    return TEMPLATE


@pytest.fixture
def empty_postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A fresh empty database (no tables): for tests of the migrations themselves."""
    name = postgres_cluster.create_database()
    try:
        yield postgres_cluster.url(name)
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster, postgres_template: str) -> Iterator[str]:
    """A fresh database of this test's own, already at the newest schema, with no rows but
    the hall lock; dropped afterwards (connections still open are cut)."""
    name = postgres_cluster.create_database(template=postgres_template)
    try:
        yield postgres_cluster.url(name)
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture(scope="module", params=DATABASES)
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database shared by one module's tests (a server they all use), once on SQLite and
    once on PostgreSQL: the module's tests run twice, with ids [sqlite] and [postgresql]."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('module') / 'shared.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = cluster.create_database(template=request.getfixturevalue("postgres_template"))
    try:
        yield cluster.url(name)
    finally:
        cluster.drop_database(name)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database a test's server runs on: a SQLite file in `tmp_path`, or (in a test
    marked `both_databases`, run once per database) a fresh PostgreSQL database."""
    kind = getattr(request, "param", "sqlite")
    if kind == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return f"sqlite:///{tmp_path / 'hall.db'}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{BOTH_DATABASES_MARKER}: run each test that uses `database_url` (or `server`) on "
        "SQLite and on a throwaway PostgreSQL, with ids [sqlite] and [postgresql]",
    )
    config.addinivalue_line(
        "markers",
        f"{POSTGRESQL_ONLY_MARKER}: run a test that uses `database_url` on PostgreSQL only "
        "(its docstring says why)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each `both_databases` test that uses `database_url` on SQLite and on PostgreSQL,
    and each `postgresql_only` one on PostgreSQL alone."""
    if "database_url" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker
    if marker(POSTGRESQL_ONLY_MARKER):
        metafunc.parametrize("database_url", ["postgresql"], indirect=True, ids=["postgresql"])
    elif marker(BOTH_DATABASES_MARKER):
        metafunc.parametrize("database_url", DATABASES, indirect=True, ids=DATABASES)
