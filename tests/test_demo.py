"""`make demo` runs `python -m queue_server.demo`: a hall worked by simulated clerks in real
time, whose logins (kept in an owner-only file) and URLs work, whose user's own ticket waits
for them, shown on a board that Ctrl+C closes together with everything the demo started;
`--headless` runs one short day and checks it."""

import contextlib
import fcntl
import os
import re
import select
import signal
import stat
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import free_port

ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")
ALTERNATE_SCREEN = "\x1b[?1049h"
"""What a full-screen Textual app writes first: the board has covered the logins."""
PASSWORD_LINE = re.compile(r"^\s*(\w+)\s+(\S+)\s+password (\S+)\s*$", re.MULTILINE)


def _demo(directory: Path, port: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "queue_server.demo",
        "--dir",
        str(directory),
        "--port",
        str(port),
        *extra,
    ]


def _passwords(text: str) -> dict[str, str]:
    return {name: password for _, name, password in PASSWORD_LINE.findall(text)}


DayRun = subprocess.CompletedProcess[str]


def _headless_day(directory: Path) -> DayRun:
    """One short day. The simulator gives up three day-hours after closing: a day squeezed
    much below half a minute leaves a loaded machine too little time for the last tickets."""
    return subprocess.run(
        _demo(
            directory,
            free_port(),
            "--headless",
            "--day-seconds",
            "30",
            "--arrival-scale",
            "0.05",
        ),
        capture_output=True,
        text=True,
        timeout=240,
    )


def _wait_for(log: Path, demo: subprocess.Popen[bytes], marker: str, within: float) -> str:
    deadline = time.monotonic() + within
    text = log.read_text("utf-8")
    while marker not in text:
        assert demo.poll() is None, text
        assert time.monotonic() < deadline, text
        time.sleep(0.1)
        text = log.read_text("utf-8")
    return text


@pytest.fixture(scope="module")
def headless_day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DayRun]:
    """One headless day for the module: its folder (logins, database) and what it printed."""
    directory = tmp_path_factory.mktemp("headless") / "demo"
    return directory, _headless_day(directory)


def test_headless_demo_serves_everyone_but_the_user(headless_day: tuple[Path, DayRun]) -> None:
    directory, run = headless_day
    assert run.returncode == 0, run.stdout + run.stderr
    assert "worked end to end" in run.stdout
    own = re.search(r"Your ticket:\s+(G\d{3}) \(跨域通办\)", run.stdout)
    assert own, run.stdout
    assert f"your ticket {own.group(1)} still waits for you at window 9" in run.stdout
    assert "自助服务区:    ss-print is out of paper (F10 in the manager console)" in run.stdout
    assert "The self-service zone reported: ss-print 暂停使用 (out of paper)" in run.stdout
    assert (directory / "hall.db").exists()
    assert "windows staffed" in (directory / "logs" / "simulator.log").read_text("utf-8")


def test_demo_keeps_its_logins_in_an_owner_only_file_and_runs_in_real_time(
    tmp_path: Path, headless_day: tuple[Path, DayRun]
) -> None:
    directory, first = headless_day
    assert first.returncode == 0, first.stdout + first.stderr
    logins = directory / "logins.txt"
    assert stat.S_IMODE(logins.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    saved = _passwords(logins.read_text("utf-8"))
    assert saved.keys() == {"admin", "manager", "clerk1"}
    assert saved == _passwords(first.stdout)

    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("w") as output:
        demo = subprocess.Popen(_demo(directory, port), stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        text = _wait_for(log, demo, "Press Ctrl+C", within=120)
        started = time.monotonic()
        assert "the same as last time" in text
        assert _passwords(text) == saved
        assert stat.S_IMODE(logins.stat().st_mode) == 0o600
        kiosk = re.search(r"kiosk\s+token (\S+)", text)
        board = re.search(r"board\s+token (\S+)", text)
        status = re.search(r"Status page:\s+(\S+)\s+\(your own ticket (G\d{3})\)", text)
        assert kiosk and board and status, text
        assert f"{base}/docs" in text
        assert f"{base}/board?token={board.group(1)}" in text
        assert re.search(rf"clerk-tui --server {re.escape(base)} --window 9\b", text)
        assert status.group(1).startswith(f"{base}/t/")
        issued = httpx.post(
            f"{base}/api/tickets",
            json={"category": "consult"},
            headers={"Authorization": f"Bearer {kiosk.group(1)}"},
            timeout=60,
        )
        assert re.fullmatch(r"A\d{3}", issued.json()["number"])
        login = httpx.post(
            f"{base}/api/auth/login",
            json={"username": "clerk1", "password": saved["clerk1"]},
            timeout=60,
        )
        human = {"Authorization": f"Bearer {login.json()['token']}"}
        signed_in = httpx.post(f"{base}/api/windows/9/sign-in", headers=human, timeout=60)
        assert signed_in.status_code == 200, signed_in.text
        window = httpx.get(f"{base}/api/windows/9", headers=human, timeout=60).json()
        assert window["clerk"]["display_name"] == "王芳"

        # Real time: after half a minute, about as many arrivals as a real hall has in
        # that time (the crowd at the door, the user, the one above, a few more), and
        # nobody's service is over yet.
        text = _wait_for(log, demo, "号窗口办理", within=120)
        assert re.search(r"请 [A-F]\d{3} 号到 \d+ 号窗口办理", text), text
        time.sleep(max(0.0, 30 - (time.monotonic() - started)))
        admin = httpx.post(
            f"{base}/api/auth/login",
            json={"username": "admin", "password": saved["admin"]},
            timeout=60,
        )
        tickets = httpx.get(
            f"{base}/api/tickets",
            headers={"Authorization": f"Bearer {admin.json()['token']}"},
            timeout=60,
        ).json()
        assert len(tickets) <= 8 + 1 + 1 + 6, [t["number"] for t in tickets]
        assert not [t["number"] for t in tickets if t["status"] == "done"], tickets
        own = [t for t in tickets if t["number"] == status.group(2)]
        assert own and own[0]["status"] == "waiting", own
        _assert_zone_alive(base, kiosk.group(1), admin.json()["token"])
        _repair_the_printer(base, kiosk.group(1), admin.json()["token"])
    finally:
        demo.terminate()
        demo.wait(timeout=30)
    text = log.read_text("utf-8")
    assert "The hall's data is in" in text
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(f"{base}/api/health", timeout=1)
        raise AssertionError("the demo's server is still running after the demo stopped")


def zone_labels(base: str, token: str, **params: str) -> dict[str, str]:
    """What the hall's snapshot shows of each zone device (正常使用, 暂停使用, 状态未知),
    once every device has reported (waiting up to half a minute for the first round)."""
    deadline = time.monotonic() + 30
    while True:
        hall = httpx.get(
            f"{base}/api/hall",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert hall.status_code == 200, hall.text
        zone = hall.json()["self_service"]
        assert zone is not None, hall.text
        labels = {device["name"]: device["status_label"] for device in zone["devices"]}
        if "状态未知" not in labels.values() or time.monotonic() > deadline:
            return labels
        time.sleep(0.5)


ZONE_ALIVE = {
    "ss-shebao": "正常使用",
    "ss-gjj": "正常使用",
    "ss-budongchan": "正常使用",
    "ss-tax": "正常使用",
    "ss-churujing": "正常使用",
    "ss-print": "暂停使用",
    "locker-1": "正常使用",
}
"""The demo hall's zone once its devices have reported: the printer is out of paper."""


def _assert_zone_alive(base: str, kiosk: str, admin: str) -> None:
    """The zone's devices have reported, the empty printer has a repair case, and someone
    has pressed 一键求助, as a kiosk and the admin see it."""
    assert zone_labels(base, kiosk) == ZONE_ALIVE
    staff = {"Authorization": f"Bearer {admin}"}
    repairs = httpx.get(f"{base}/api/repairs", headers=staff, timeout=60).json()
    assert [(r["device"], r["source"]) for r in repairs] == [("ss-print", "heartbeat")], repairs
    helps = httpx.get(f"{base}/api/help-requests", headers=staff, timeout=60).json()
    assert [h["device"] for h in helps] == ["ss-shebao"], helps


def _repair_the_printer(base: str, kiosk: str, admin: str) -> None:
    """Staff put paper in and mark the case fixed: the printer reports ok at once, and once
    the case is verified the zone shows it 正常使用."""
    staff = {"Authorization": f"Bearer {admin}"}
    [case] = httpx.get(f"{base}/api/repairs", headers=staff, timeout=60).json()
    for step, body in (("assign", {"assignee": "赵师傅"}), ("fix", None)):
        done = httpx.post(
            f"{base}/api/repairs/{case['id']}/{step}", json=body, headers=staff, timeout=60
        )
        assert done.status_code == 200, done.text
    deadline = time.monotonic() + 30
    while _device_state(base, staff, "ss-print") != "ok":
        assert time.monotonic() < deadline, "the printer still reports no paper"
        time.sleep(0.2)
    verified = httpx.post(f"{base}/api/repairs/{case['id']}/verify", headers=staff, timeout=60)
    assert verified.status_code == 200, verified.text
    assert zone_labels(base, kiosk)["ss-print"] == "正常使用"


def _device_state(base: str, staff: dict[str, str], name: str) -> str:
    devices = httpx.get(f"{base}/api/devices", headers=staff, timeout=60).json()
    return str(next(device["state"] for device in devices if device["name"] == name))


def _descendants(root: int) -> set[int]:
    """Every living process below `root`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        children = {pid for pid, parent in parents.items() if parent in frontier}
        frontier = children - found
        found |= children
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Terminal:
    """The demo on a pseudo-terminal of 120×40, read as a person watching it would."""

    def __init__(self, command: list[str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"},
        )
        os.close(slave)
        self.raw = ""

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                self.raw += chunk.decode("utf-8", "replace")

    def text(self) -> str:
        return ANSI.sub("", self.raw)

    def wait_for(self, marker: str, within: float) -> None:
        deadline = time.monotonic() + within
        while marker not in self.raw and marker not in self.text():
            assert self.process.poll() is None, self.text()[-3000:]
            assert time.monotonic() < deadline, f"{marker!r} not in {self.text()[-3000:]}"
            self.read(0.5)

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        os.close(self.master)


@contextlib.contextmanager
def _terminal(command: list[str]) -> Iterator[Terminal]:
    terminal = Terminal(command)
    try:
        yield terminal
    finally:
        terminal.close()


def test_logins_stay_on_screen_and_ctrl_c_on_the_board_stops_everything(
    tmp_path: Path,
) -> None:
    with _terminal(_demo(tmp_path / "demo", free_port())) as terminal:
        terminal.wait_for("Press Enter to open the hall board", within=180)
        terminal.read(3)
        assert ALTERNATE_SCREEN not in terminal.raw, "the board covered the logins"
        assert re.search(r"clerk\s+clerk1\s+password \S+", terminal.text())
        children = _descendants(terminal.process.pid)
        assert len(children) >= 3, children  # the server, the simulator, the announcer
        terminal.type("\r")
        terminal.wait_for(ALTERNATE_SCREEN, within=60)
        terminal.wait_for("星期", within=120)  # the board's clock
        children |= _descendants(terminal.process.pid)
        terminal.type("\x03")
        deadline = time.monotonic() + 60
        while terminal.process.poll() is None and time.monotonic() < deadline:
            terminal.read(0.5)
        terminal.read(0.5)
        assert terminal.process.poll() == 0, terminal.text()[-2000:]
        assert "to quit the app" not in terminal.text()
        assert "Stopped. The hall's data is in" in terminal.text()
        assert not [pid for pid in children if _alive(pid)]
