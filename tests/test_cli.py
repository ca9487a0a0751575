"""The `queue-server` command line: accounts, device tokens, config errors, quiet logs."""

import subprocess
import sys
from pathlib import Path

import httpx
from websockets.sync.client import connect

from queue_server.config import load_hall_config
from tests.support import ServerProcess, free_port, seed_accounts


def queue_server(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "queue_server.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_accounts_and_tokens_before_the_server_ever_ran(tmp_path: Path) -> None:
    db = str(tmp_path / "new" / "hall.db")
    added = queue_server(
        "user",
        "add",
        "wangfang",
        "--role",
        "clerk",
        "--password-stdin",
        "--display-name",
        "王芳",
        "--staff-no",
        "0301",
        "--db",
        db,
        stdin="s3cret-pass\n",
    )
    assert added.returncode == 0, added.stderr
    assert "s3cret-pass" not in added.stdout + added.stderr
    issued = queue_server("token", "issue", "kiosk-entrance", "--role", "kiosk", "--db", db)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert len(token) >= 40 and "\n" not in token
    stored = (tmp_path / "new" / "hall.db").read_bytes()
    assert token.encode() not in stored and b"s3cret-pass" not in stored

    server = ServerProcess(f"sqlite:///{db}", free_port())
    server.start()
    try:
        login = httpx.post(
            f"{server.base_url}/api/auth/login",
            json={"username": "wangfang", "password": "s3cret-pass"},
        ).json()
        assert (login["role"], login["display_name"]) == ("clerk", "王芳")
        ticket = httpx.post(
            f"{server.base_url}/api/tickets",
            json={"category": "consult"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert ticket.status_code == 201
    finally:
        server.stop()


def test_account_mistakes_are_explained(tmp_path: Path) -> None:
    db = str(tmp_path / "hall.db")
    no_stdin = queue_server("user", "add", "a", "--role", "admin", "--db", db)
    assert no_stdin.returncode == 2
    assert "--password-stdin" in no_stdin.stderr
    device = queue_server(
        "user",
        "add",
        "k",
        "--role",
        "kiosk",
        "--password-stdin",
        "--db",
        db,
        stdin="long-enough-pw\n",
    )
    assert device.returncode == 2
    assert "token issue" in device.stderr
    short = queue_server(
        "user", "add", "a", "--role", "admin", "--password-stdin", "--db", db, stdin="short\n"
    )
    assert short.returncode == 2
    assert "8 characters" in short.stderr
    person_token = queue_server("token", "issue", "x", "--role", "clerk", "--db", db)
    assert person_token.returncode == 2


def test_a_bad_hall_file_stops_the_server_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "hall.toml"
    text = (Path(__file__).parents[1] / "queue_server" / "default_hall.toml").read_text("utf-8")
    config.write_text(text.replace('prefix = "B"', 'prefix = "b1"'), encoding="utf-8")
    result = queue_server(
        "serve", "--db", str(tmp_path / "h.db"), "--config", str(config), "--port", str(free_port())
    )
    assert result.returncode == 2
    assert "categories.1.prefix" in result.stderr
    assert str(config) in result.stderr


def test_tokens_never_reach_the_log(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'hall.db'}"
    accounts = seed_accounts(database_url, load_hall_config())
    log = tmp_path / "server.log"
    server = ServerProcess(database_url, free_port(), log_path=log)
    server.start()
    try:
        url = server.base_url.replace("http", "ws")
        with connect(f"{url}/ws?token={accounts.board_token}") as ws:
            assert '"snapshot"' in str(ws.recv(timeout=5))
        httpx.get(f"{server.base_url}/api/hall?token={accounts.board_token}")
    finally:
        server.stop()
    text = log.read_text("utf-8")
    assert "/ws?token=[redacted]" in text
    assert accounts.board_token not in text
