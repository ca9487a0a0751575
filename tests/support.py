"""Test support: a real queue server on a free port, with accounts and device tokens."""

import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from queue_server.app import create_app, prepare_database
from queue_server.city import CityConfig, city_of_one
from queue_server.config import HallConfig, Settings, load_hall_config
from queue_server.db import Database
from queue_server.domain.clock import Clock, SystemClock
from queue_server.domain.enums import Role
from queue_server.models import User
from queue_server.security import hash_password
from queue_server.services.accounts import issue_device_token, open_login

PASSWORD = "correct-horse-42"
CLERKS = 8
KIOSK_DEVICES = ("kiosk-entrance", "kiosk-2", "kiosk-3", "kiosk-4")
"""The kiosks the tests run with the one seeded kiosk token (besides kiosk-1 itself)."""
BOARD_DEVICES = ("board-hall", "announcer-hall")
ZONE_DEVICE = "ss-shebao"
ZONE_LOCKER = "locker-1"
"""A self-service terminal of the default hall's 24-hour zone."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Accounts:
    """Login names (all with PASSWORD) and device tokens created before the server starts."""

    admin: str = "admin"
    manager: str = "manager"
    clerks: list[str] = field(default_factory=lambda: [f"clerk{i}" for i in range(1, CLERKS + 1)])
    kiosk_token: str = ""
    board_token: str = ""
    evaluator_token: str = ""
    device_token: str = ""
    """The token of the zone's 社保 terminal (ZONE_DEVICE, `--role device`), which also
    reports the zone's smart locker (ZONE_LOCKER)."""
    clerk_tokens: dict[str, str] = field(default_factory=dict)
    """A login token per clerk, opened before the server starts: tests that staff many windows
    skip the slow (argon2) login over HTTP."""


@functools.cache
def _password_hash() -> str:
    """Argon2 is slow on purpose; the seeded accounts share one hash of PASSWORD."""
    return hash_password(PASSWORD)


def seed_accounts(database_url: str, hall: HallConfig, *, clerks: int = CLERKS) -> Accounts:
    """Accounts for the tests: an admin, a manager, `clerks` clerks, one device of each kind."""
    db = Database(database_url)
    prepare_database(db, city_of_one(hall))
    accounts = Accounts(clerks=[f"clerk{i}" for i in range(1, clerks + 1)])
    now = SystemClock().now()

    def person(name: str, role: Role, display_name: str, staff_no: str | None) -> User:
        return User(
            name=name,
            role=role,
            password_hash=_password_hash(),
            display_name=display_name,
            staff_no=staff_no,
            created_at=now,
        )

    try:
        with db.write_session() as session:
            session.add(person(accounts.admin, Role.ADMIN, "管理员", None))
            session.add(person(accounts.manager, Role.MANAGER, "李主任", "0001"))
            for index, name in enumerate(accounts.clerks, start=1):
                clerk = person(name, Role.CLERK, f"窗口员{index}", f"03{index:02d}")
                session.add(clerk)
                session.flush()
                accounts.clerk_tokens[name], _ = open_login(
                    session=session, user=clerk, now=now, ttl=timedelta(hours=12)
                )
            accounts.kiosk_token = issue_device_token(
                session=session, name="kiosk-1", role=Role.KIOSK, now=now, devices=KIOSK_DEVICES
            )
            accounts.board_token = issue_device_token(
                session=session, name="board-1", role=Role.BOARD, now=now, devices=BOARD_DEVICES
            )
            accounts.evaluator_token = issue_device_token(
                session=session, name="evaluator-1", role=Role.EVALUATOR, now=now
            )
            accounts.device_token = issue_device_token(
                session=session,
                name=ZONE_DEVICE,
                role=Role.DEVICE,
                now=now,
                devices=[ZONE_LOCKER],
            )
    finally:
        db.dispose()
    return accounts


def issue_token(database_url: str, name: str, role: Role, **binding: Any) -> str:
    """Issue one more device token straight into a server's database (`devices=`,
    `window_no=` bind it like `queue-server token issue --device/--window`)."""
    db = Database(database_url)
    try:
        with db.write_session() as session:
            return issue_device_token(
                session=session, name=name, role=role, now=SystemClock().now(), **binding
            )
    finally:
        db.dispose()


def login(base_url: str, name: str) -> str:
    """Log a seeded account in over HTTP and return its bearer token."""
    response = httpx.post(
        f"{base_url}/api/auth/login", json={"username": name, "password": PASSWORD}
    )
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


@dataclass
class LiveServer:
    base_url: str
    ws_url: str
    database_url: str
    accounts: Accounts
    open_clients: list[httpx.Client] = field(default_factory=list)

    def login(self, name: str) -> str:
        return login(self.base_url, name)

    def client(self, token: str | None = None) -> httpx.Client:
        """An HTTP client for this server; closed when the server stops."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = httpx.Client(base_url=self.base_url, headers=headers, timeout=10)
        self.open_clients.append(client)
        return client

    def close_clients(self) -> None:
        for client in self.open_clients:
            client.close()
        self.open_clients.clear()


@contextlib.contextmanager
def threaded_server(
    database_url: str,
    *,
    hall: HallConfig | None = None,
    clock: Clock | None = None,
    port: int | None = None,
    city: CityConfig | None = None,
    **settings: object,
) -> Iterator[tuple[str, int]]:
    """Run the app under uvicorn in a thread; yields (host, port). Pass the `port` of a stopped
    server to restart it where its clients expect it; `city` serves a city of several halls
    (see tests/city_support.py for its accounts)."""
    port = port if port is not None else free_port()
    server_settings = Settings(database_url=database_url, **settings)  # type: ignore[arg-type]
    app = create_app(server_settings, city=city, hall=hall, clock=clock)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_ping_interval=5,
        ws_ping_timeout=5,
        ws_per_message_deflate=server_settings.ws_per_message_deflate,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def live_server(
    tmp_path: Path,
    *,
    hall: HallConfig | None = None,
    clock: Clock | None = None,
    clerks: int = CLERKS,
    database_url: str | None = None,
    **settings: object,
) -> Iterator[LiveServer]:
    """A seeded server over `database_url` (by default a SQLite file in `tmp_path`)."""
    database_url = database_url or f"sqlite:///{tmp_path / 'hall.db'}"
    hall = hall or load_hall_config()
    accounts = seed_accounts(database_url, hall, clerks=clerks)
    server = threaded_server(database_url, hall=hall, clock=clock, port=None, city=None, **settings)
    with server as (host, port):
        running = LiveServer(f"http://{host}:{port}", f"ws://{host}:{port}", database_url, accounts)
        try:
            yield running
        finally:
            running.close_clients()


class ServerProcess:
    """The real `queue-server serve` command in a child process, for crash tests."""

    def __init__(
        self,
        database_url: str,
        port: int,
        *,
        log_path: Path | None = None,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.environment = environment or {}
        """Extra environment variables (`YIMEN_...` settings) for the server."""
        self.port = port
        self.log_path = log_path
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "queue_server.cli",
                "serve",
                "--db",
                self.database_url,
                "--port",
                str(self.port),
            ],
            stdout=log,
            stderr=log,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.environment},
        )
        if not isinstance(log, int):
            log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("queue-server exited during start")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/api/health", timeout=1).status_code == 200:
                    return
            time.sleep(0.05)
        raise RuntimeError("queue-server did not answer in time")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
