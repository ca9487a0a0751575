"""A throwaway PostgreSQL cluster (Debian's `initdb` and `pg_ctl`) on a free loopback port.

Shared by the test suite (`tests/postgres.py`, which skips every flush) and `make bench`
(`benchmarks/city.py`, which keeps PostgreSQL's durable defaults). It lives outside the
`queue_server` package on purpose: nothing a hall runs needs it.

As root (CI), `initdb` refuses to run: the cluster then runs as the `postgres` system user
that Debian's package creates, in a folder that user owns.
"""

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from tests.support import free_port

SUPERUSER = "postgres"
INSTALL_HINT = (
    "Install Debian's package: scripts/system-packages.sh postgresql "
    "(make test and make bench do this)."
)

COMMON_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    # Several `queue-server serve` processes with their pools, plus the callers' own engines.
    "max_connections": "300",
    "log_min_messages": "warning",
}

FAST_SETTINGS = {
    **COMMON_SETTINGS,
    # The crash tests SIGKILL the queue server, never PostgreSQL or the machine: a commit that
    # PostgreSQL has acknowledged survives them without being flushed to disk. So the test
    # cluster skips every flush, which makes CREATE DATABASE and commits cheap.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
}
"""For the test suite: fast, not durable."""

DURABLE_SETTINGS = {
    **COMMON_SETTINGS,
    # As a hall would run it: every commit flushed to disk before it is acknowledged.
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "shared_buffers": "128MB",
}
"""For the benchmarks: PostgreSQL's durable defaults, stated explicitly."""


class ClusterError(RuntimeError):
    """PostgreSQL is missing, or `initdb` / `pg_ctl` failed; the message says which."""


@dataclass
class PostgresCluster:
    """A running cluster; `url(name)` is the psycopg 3 URL of one of its databases."""

    port: int
    _names: Iterator[int]
    settings: Mapping[str, str]

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def connect(
        self, database: str = "postgres", *, autocommit: bool = True
    ) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            dbname=database,
            autocommit=autocommit,
        )

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit connection to the `postgres` database, for CREATE/DROP DATABASE."""
        return self.connect()

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
    """The newest installed server's bin folder."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parts[-3])
    )
    if not candidates:
        raise ClusterError(
            f"PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl). {INSTALL_HINT}"
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
        raise ClusterError(
            "running as root, and there is no `postgres` system user to run the cluster "
            "(Debian's postgresql package creates it)"
        ) from None
    return ["runuser", "-u", SUPERUSER, "--"], owner.pw_uid


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ClusterError(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )


@contextlib.contextmanager
def running_cluster(settings: Mapping[str, str] = FAST_SETTINGS) -> Iterator[PostgresCluster]:
    """initdb + pg_ctl start in a temporary folder with `settings`; stopped and removed
    afterwards."""
    bin_dir = postgres_bin()
    prefix, owner_uid = _as_cluster_owner()
    root = Path(tempfile.mkdtemp(prefix="yimen-pg-"))
    data = root / "data"
    if owner_uid is not None:
        os.chown(root, owner_uid, -1)
    port = free_port()
    options = " ".join(f"-c {key}='{value}'" for key, value in settings.items())
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
                "--no-sync",  # initdb's own files only; the server's settings decide the rest
                "--no-instructions",
            ]
        )
        pg_ctl = [*prefix, str(bin_dir / "pg_ctl"), "--pgdata", str(data)]
        log = str(root / "server.log")
        _run([*pg_ctl, "--wait", "--log", log, "-o", f"-p {port} {options}", "start"])
        try:
            yield PostgresCluster(port, itertools.count(1), dict(settings))
        finally:
            stop = [*pg_ctl, "--mode", "immediate", "--wait", "stop"]
            subprocess.run(stop, check=False, capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
