"""A real `queue-server serve` in a child process, on loopback: on a fresh copy of a seeded
SQLite file (`running_server`), or on any database and city (`serving`)."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from queue_server.config import load_hall_config
from tests.support import PASSWORD, Accounts, free_port, seed_accounts

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
LOG_TAIL_CHARACTERS = 2000


class ServerFailed(RuntimeError):
    """The server did not start, or died; the message ends with the tail of its log."""


@dataclass(frozen=True, slots=True)
class SeededDatabase:
    """A migrated SQLite file with the test accounts, copied for each server started."""

    database_file: Path
    accounts: Accounts


def seed_database(directory: Path) -> SeededDatabase:
    """Create the accounts once: hashing their passwords takes seconds."""
    database_file = directory / "seed.db"
    accounts = seed_accounts(f"sqlite:///{database_file}", load_hall_config())
    return SeededDatabase(database_file=database_file, accounts=accounts)


@dataclass(frozen=True, slots=True)
class ServeProcess:
    """One `queue-server serve` child process."""

    base_url: str
    ws_url: str
    log_file: Path
    process: "subprocess.Popen[bytes]"

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise ServerFailed(
                f"queue-server exited with code {self.process.returncode}\n{log_tail(self)}"
            )


@dataclass(frozen=True, slots=True)
class RunningServer(ServeProcess):
    """A server of the default hall on a fresh copy of a seeded SQLite file."""

    database_file: Path
    accounts: Accounts
    password: str


def log_tail(server: ServeProcess) -> str:
    try:
        text = server.log_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no server log)"
    return text[-LOG_TAIL_CHARACTERS:]


def _wait_until_healthy(server: ServeProcess) -> None:
    health = f"{server.base_url}/api/health"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        server.check_alive()
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(health, timeout=1, trust_env=False).status_code == 200:
                return
        time.sleep(0.05)
    raise ServerFailed(
        f"queue-server did not answer within {START_TIMEOUT_SECONDS:.0f} s\n{log_tail(server)}"
    )


def _stop(process: "subprocess.Popen[bytes]") -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def launch(
    database_url: str,
    log_file: Path,
    *,
    arguments: Sequence[str] = (),
    environment: Mapping[str, str] | None = None,
) -> ServeProcess:
    """Start `queue-server serve --db database_url [arguments]` on a free loopback port,
    without waiting for it (`supervised` waits, and stops it). Its log (uvicorn's access log
    included, as in production) goes to `log_file`, whose tail is shown when it dies.

    One kiosk token stands for many kiosks in the benchmarks, so the per-kiosk issuing limit
    is lifted (`YIMEN_KIOSK_ISSUE_SECONDS=0`); `environment` adds or overrides settings."""
    port = free_port()
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "queue_server.cli",
                "serve",
                "--db",
                database_url,
                "--host",
                HOST,
                "--port",
                str(port),
                *arguments,
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "PYTHONUNBUFFERED": "1",
                "YIMEN_KIOSK_ISSUE_SECONDS": "0",
                **(environment or {}),
            },
        )
    return ServeProcess(
        base_url=f"http://{HOST}:{port}",
        ws_url=f"ws://{HOST}:{port}",
        log_file=log_file,
        process=process,
    )


@contextlib.contextmanager
def supervised(server: ServeProcess) -> Iterator[ServeProcess]:
    """Wait until a launched server answers, yield it, and stop it when the block ends."""
    try:
        _wait_until_healthy(server)
        yield server
        server.check_alive()
    except Exception:
        print(f"server log (tail):\n{log_tail(server)}", file=sys.stderr)
        raise
    finally:
        _stop(server.process)


@contextlib.contextmanager
def serving(database_url: str, log_file: Path) -> Iterator[ServeProcess]:
    """One server on `database_url` (see `launch`), until the block ends."""
    with supervised(launch(database_url, log_file)) as server:
        yield server


@contextlib.contextmanager
def running_server(seed: SeededDatabase) -> Iterator[RunningServer]:
    """Serve a fresh copy of `seed` from a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="yimen-bench-") as directory:
        database_file = Path(directory) / "hall.db"
        for suffix in ("", "-wal"):  # a WAL left behind holds committed rows too
            source = seed.database_file.with_name(seed.database_file.name + suffix)
            if source.exists():
                shutil.copyfile(source, database_file.with_name(database_file.name + suffix))
        log_file = Path(directory) / "server.log"
        with serving(f"sqlite:///{database_file}", log_file) as process:
            yield RunningServer(
                base_url=process.base_url,
                ws_url=process.ws_url,
                log_file=process.log_file,
                process=process.process,
                database_file=database_file,
                accounts=seed.accounts,
                password=PASSWORD,
            )
