"""Test support: a real queue server on a free port, with accounts and device tokens."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn

from queue_server.app import create_app, prepare_database
from queue_server.config import HallConfig, Settings, load_hall_config
from queue_server.db import Database
from queue_server.domain.clock import Clock, SystemClock
from queue_server.domain.enums import Role
from queue_server.services.accounts import create_user, issue_device_token

PASSWORD = "correct-horse-42"
CLERKS = 8


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


def seed_accounts(database_url: str, hall: HallConfig) -> Accounts:
    db = Database(database_url)
    prepare_database(db, hall)
    accounts = Accounts()
    now = SystemClock().now()
    try:
        with db.write_session() as session:
            create_user(
                session=session,
                name=accounts.admin,
                role=Role.ADMIN,
                password=PASSWORD,
                display_name="管理员",
                staff_no=None,
                now=now,
            )
            create_user(
                session=session,
                name=accounts.manager,
                role=Role.MANAGER,
                password=PASSWORD,
                display_name="李主任",
                staff_no="0001",
                now=now,
            )
            for index, name in enumerate(accounts.clerks, start=1):
                create_user(
                    session=session,
                    name=name,
                    role=Role.CLERK,
                    password=PASSWORD,
                    display_name=f"窗口员{index}",
                    staff_no=f"03{index:02d}",
                    now=now,
                )
            accounts.kiosk_token = issue_device_token(
                session=session, name="kiosk-1", role=Role.KIOSK, now=now
            )
            accounts.board_token = issue_device_token(
                session=session, name="board-1", role=Role.BOARD, now=now
            )
    finally:
        db.dispose()
    return accounts


@dataclass
class LiveServer:
    base_url: str
    ws_url: str
    database_url: str
    accounts: Accounts

    def login(self, name: str) -> str:
        response = httpx.post(
            f"{self.base_url}/api/auth/login", json={"username": name, "password": PASSWORD}
        )
        response.raise_for_status()
        token: str = response.json()["token"]
        return token

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=10)


@contextlib.contextmanager
def threaded_server(
    database_url: str,
    *,
    hall: HallConfig | None = None,
    clock: Clock | None = None,
    **settings: object,
) -> Iterator[tuple[str, int]]:
    """Run the app under uvicorn in a thread; yields (host, port)."""
    port = free_port()
    app = create_app(
        Settings(database_url=database_url, **settings),  # type: ignore[arg-type]
        hall=hall,
        clock=clock,
    )
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws_ping_interval=5, ws_ping_timeout=5
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
    **settings: object,
) -> Iterator[LiveServer]:
    database_url = f"sqlite:///{tmp_path / 'hall.db'}"
    hall = hall or load_hall_config()
    accounts = seed_accounts(database_url, hall)
    with threaded_server(database_url, hall=hall, clock=clock, **settings) as (host, port):
        yield LiveServer(f"http://{host}:{port}", f"ws://{host}:{port}", database_url, accounts)


class ServerProcess:
    """The real `queue-server serve` command in a child process, for crash tests."""

    def __init__(self, database_url: str, port: int) -> None:
        self.database_url = database_url
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
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
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
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
