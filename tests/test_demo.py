"""`make demo` runs `python -m queue_server.demo`: a fresh hall, worked by simulated clerks,
whose printed logins and URLs work; `--headless` runs one short day and checks it."""

import contextlib
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import free_port


def _demo(tmp_path: Path, port: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "queue_server.demo",
        "--dir",
        str(tmp_path / "demo"),
        "--port",
        str(port),
        *extra,
    ]


def test_demo_starts_a_usable_hall(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("w") as output:
        demo = subprocess.Popen(_demo(tmp_path, port), stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        text = ""
        while time.monotonic() < deadline and "Press Ctrl+C" not in text:
            assert demo.poll() is None, log.read_text("utf-8")
            time.sleep(0.1)
            text = log.read_text("utf-8")
        clerk = re.search(r"clerk\s+clerk1\s+password (\S+)", text)
        kiosk = re.search(r"kiosk\s+token (\S+)", text)
        board = re.search(r"board\s+token (\S+)", text)
        status = re.search(r"Status page:\s+(\S+)", text)
        assert clerk and kiosk and board and status, text
        assert f"{base}/docs" in text
        assert f"{base}/board?token={board.group(1)}" in text
        assert re.search(rf"clerk-tui --server {re.escape(base)} --window 2\b", text)
        issued = httpx.post(
            f"{base}/api/tickets",
            json={"category": "consult"},
            headers={"Authorization": f"Bearer {kiosk.group(1)}"},
            timeout=60,
        )
        assert re.fullmatch(r"A\d{3}", issued.json()["number"])
        assert status.group(1).startswith(f"{base}/t/")
        login = httpx.post(
            f"{base}/api/auth/login",
            json={"username": "clerk1", "password": clerk.group(1)},
            timeout=60,
        )
        token = login.json()["token"]
        human = {"Authorization": f"Bearer {token}"}
        assert (
            httpx.post(f"{base}/api/windows/2/sign-in", headers=human, timeout=60).status_code
            == 200
        )
        window = httpx.get(f"{base}/api/windows/2", headers=human, timeout=60).json()
        assert window["clerk"]["display_name"] == "王芳"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "号窗口办理" not in text:
            time.sleep(0.2)
            text = log.read_text("utf-8")
        assert re.search(r"请 [A-G]\d{3} 号到 \d+ 号窗口办理", text), text
    finally:
        demo.terminate()
        demo.wait(timeout=30)
    text = log.read_text("utf-8")
    assert "The hall's data is in" in text
    assert (tmp_path / "demo" / "hall.db").exists()
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(f"{base}/api/health", timeout=1)
        raise AssertionError("the demo's server is still running after the demo stopped")


def test_headless_demo_runs_a_day_end_to_end(tmp_path: Path) -> None:
    run = subprocess.run(
        _demo(
            tmp_path,
            free_port(),
            "--headless",
            "--day-seconds",
            "6",
            "--arrival-scale",
            "0.05",
        ),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "worked end to end" in run.stdout
    assert (tmp_path / "demo" / "hall.db").exists()
    assert (tmp_path / "demo" / "logs" / "simulator.log").read_text("utf-8")
