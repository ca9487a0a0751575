"""The `queue-server` command line: accounts, device tokens, config errors, quiet logs."""

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from queue_server.city import example_city_path, load_city_config
from queue_server.config import load_hall_config
from tests.hall_support import city_server, example_city
from tests.support import ServerProcess, free_port, seed_accounts, threaded_server


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


@pytest.mark.parametrize(("setting", "compressed"), [(None, False), ("true", True)])
def test_websocket_compression_is_off_unless_asked_for(
    tmp_path: Path, setting: str | None, compressed: bool
) -> None:
    """A board offers permessage-deflate, as browsers do; `serve` accepts it only when
    YIMEN_WS_PER_MESSAGE_DEFLATE says so."""
    database_url = f"sqlite:///{tmp_path / 'hall.db'}"
    accounts = seed_accounts(database_url, load_hall_config())
    environment = {"YIMEN_WS_PER_MESSAGE_DEFLATE": setting} if setting else {}
    server = ServerProcess(database_url, free_port(), environment=environment)
    server.start()
    try:
        url = server.base_url.replace("http", "ws")
        with connect(f"{url}/ws?token={accounts.board_token}", compression="deflate") as ws:
            assert '"snapshot"' in str(ws.recv(timeout=5))
            accepted = ws.response.headers.get("Sec-WebSocket-Extensions") if ws.response else None
    finally:
        server.stop()
    assert (accepted is not None and "permessage-deflate" in accepted) is compressed


def _city_with(folder: Path, *codes: str) -> Path:
    """A city file of the example city's halls `codes`, next to the example's hall files."""
    example = example_city_path()
    lines = ['[city]\nname = "鄂尔多斯市"\n']
    for code in codes:
        config = example_city().entry(code).config_path
        assert config is not None
        lines.append(f'[[halls]]\ncode = "{code}"\nconfig = "{config}"\n')
    path = folder / "city.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert example.is_file()
    return path


def test_a_city_dropping_a_hall_with_data_stops_the_server(
    database_url: str, tmp_path: Path
) -> None:
    with (
        city_server(database_url) as server,
        server.client(server.token("kangbashi", "kiosk")) as kiosk,
    ):
        assert kiosk.post("/api/tickets", json={"category": "general"}).status_code == 201
    smaller = _city_with(tmp_path, "main", "ejinhoro")
    result = queue_server(
        "serve", "--db", database_url, "--city", str(smaller), "--port", str(free_port())
    )
    assert result.returncode == 2, result.stderr
    assert str(smaller) in result.stderr
    assert "halls" in result.stderr and "kangbashi" in result.stderr
    assert "Traceback" not in result.stderr


def test_clerks_and_devices_of_a_city_name_their_hall(database_url: str) -> None:
    city = str(example_city_path())

    def add(name: str, role: str, *hall: str) -> subprocess.CompletedProcess[str]:
        return queue_server(
            "user", "add", name, "--role", role, "--password-stdin", *hall,
            "--db", database_url, "--city", city, stdin="long-enough-pw\n",
        )  # fmt: skip

    def token(name: str, role: str, *hall: str) -> subprocess.CompletedProcess[str]:
        return queue_server(
            "token", "issue", name, "--role", role, *hall, "--db", database_url, "--city", city
        )

    for refused in (add("wangfang", "clerk"), token("kiosk-1", "kiosk"), token("b", "board")):
        assert refused.returncode == 2
        assert "--hall" in refused.stderr and "kangbashi" in refused.stderr
    unknown = add("wangfang", "clerk", "--hall", "dongsheng")
    assert unknown.returncode == 2
    assert "dongsheng" in unknown.stderr and city in unknown.stderr
    assert token("kiosk-1", "kiosk", "--hall", "nowhere").returncode == 2
    clerk = add("wangfang", "clerk", "--hall", "kangbashi")
    assert clerk.returncode == 0, clerk.stderr
    assert "kangbashi" in clerk.stdout
    manager = add("lizhuren", "manager")
    assert manager.returncode == 0, manager.stderr
    assert "city-wide" in manager.stdout
    issued = token("kiosk-9", "kiosk", "--hall", "kangbashi")
    assert issued.returncode == 0, issued.stderr
    kiosk_token = issued.stdout.strip()
    with threaded_server(database_url, city=example_city()) as (host, port):
        base = f"http://{host}:{port}"
        ticket = httpx.post(
            f"{base}/api/tickets",
            json={"category": "general"},
            headers={"Authorization": f"Bearer {kiosk_token}"},
        )
        assert ticket.status_code == 201, ticket.text
        login = httpx.post(
            f"{base}/api/auth/login", json={"username": "lizhuren", "password": "long-enough-pw"}
        ).json()["token"]
        headers = {"Authorization": f"Bearer {login}"}
        mine = httpx.get(f"{base}/api/tickets", params={"hall": "kangbashi"}, headers=headers)
        assert [t["id"] for t in mine.json()] == [ticket.json()["id"]]
        elsewhere = httpx.get(f"{base}/api/tickets", params={"hall": "main"}, headers=headers)
        assert elsewhere.json() == []
        clerk_login = httpx.post(
            f"{base}/api/auth/login", json={"username": "wangfang", "password": "long-enough-pw"}
        ).json()["token"]
        clerk_tickets = httpx.get(
            f"{base}/api/tickets", headers={"Authorization": f"Bearer {clerk_login}"}
        )
        assert [t["id"] for t in clerk_tickets.json()] == [ticket.json()["id"]]


def test_a_hall_that_never_had_data_may_leave_the_city(database_url: str, tmp_path: Path) -> None:
    """A hall served once but never used (no ticket, event or account) holds no data: a city
    file without it still starts."""
    with threaded_server(database_url, city=example_city()):
        pass
    smaller = load_city_config(_city_with(tmp_path, "main", "kangbashi"))
    with threaded_server(database_url, city=smaller) as (host, port):
        assert httpx.get(f"http://{host}:{port}/api/health").status_code == 200
