"""A throwaway PostgreSQL cluster for the test suite, and the fixtures that run a test on it.

The cluster is Debian's PostgreSQL (`make test` installs the `postgresql` package): `initdb`
and `pg_ctl` from /usr/lib/postgresql/*/bin, a data folder in a temporary directory, listening
on 127.0.0.1 on a free port. It starts once per session, the first time a test asks for it;
each test gets a database of its own, made from a template that is already migrated, and
dropped afterwards.

A test opts in to both databases with the `both_databases` marker: every test so marked that
uses `database_url` (directly, or through `server`) runs twice, `[sqlite]` and `[postgresql]`.
"""

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from queue_server.db import Database
from tests.support import free_port

DATABASES = ("sqlite", "postgresql")
BOTH_DATABASES_MARKER = "both_databases"
POSTGRESQL_ONLY_MARKER = "postgresql_only"
TEMPLATE = "yimen_template"
SUPERUSER = "postgres"

SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    # Several `queue-server serve` processes with their pools, plus the tests' own engines.
    "max_connections": "300",
    # The crash tests SIGKILL the queue server, never PostgreSQL or the machine: a commit that
    # PostgreSQL has acknowledged survives them without being flushed to disk. So the
    # throwaway cluster skips every flush, which makes CREATE DATABASE and commits cheap.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
}


@dataclass
class PostgresCluster:
    """A running cluster; `url(name)` is the psycopg 3 URL of one of its databases."""

    port: int
    _names: Iterator[int]

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit connection to the `postgres` database, for CREATE/DROP DATABASE."""
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        )

    def create_database(self, *, template: str = "template0", name: str | None = None) -> str:
        name = name or f"test_{next(self._names)}"
        with self.admin() as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def postgres_bin() -> Path:
    """The newest installed server's bin folder; fails the test (never skips) without one."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parts[-3])
    )
    if not candidates:
        pytest.fail(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): the suite runs "
            "its core tests on PostgreSQL too. Install Debian's package: "
            "scripts/system-packages.sh postgresql (make test does this).",
            pytrace=False,
        )
    return candidates[-1].parent


def _as_cluster_owner() -> tuple[list[str], int | None]:
    """`initdb` refuses to run as root (CI runs as root): then run the cluster as the
    `postgres` system user. Returns the command prefix and the uid to own the data folder."""
    if os.geteuid() != 0:
        return [], None
    try:
        owner = pwd.getpwnam(SUPERUSER)
    except KeyError:
        pytest.fail(
            "running as root, and there is no `postgres` system user to run the test cluster "
            "(Debian's postgresql package creates it)",
            pytrace=False,
        )
    return ["runuser", "-u", SUPERUSER, "--"], owner.pw_uid


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}",
            pytrace=False,
        )


@contextlib.contextmanager
def running_cluster() -> Iterator[PostgresCluster]:
    """initdb + pg_ctl start in a temporary folder; stopped and removed afterwards."""
    bin_dir = postgres_bin()
    prefix, owner_uid = _as_cluster_owner()
    root = Path(tempfile.mkdtemp(prefix="yimen-pg-"))
    data = root / "data"
    if owner_uid is not None:
        os.chown(root, owner_uid, -1)
    port = free_port()
    options = " ".join(f"-c {key}='{value}'" for key, value in SERVER_SETTINGS.items())
    try:
        _run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "--pgdata",
                str(data),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
                "--no-instructions",
            ]
        )
        pg_ctl = [*prefix, str(bin_dir / "pg_ctl"), "--pgdata", str(data)]
        log = str(root / "server.log")
        _run([*pg_ctl, "--wait", "--log", log, "-o", f"-p {port} {options}", "start"])
        try:
            yield PostgresCluster(port, itertools.count(1))
        finally:
            stop = [*pg_ctl, "--mode", "immediate", "--wait", "stop"]
            subprocess.run(stop, check=False, capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway cluster for the whole session, started by the first test that asks."""
    with running_cluster() as cluster:
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
