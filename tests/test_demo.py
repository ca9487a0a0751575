"""`make demo` runs `python -m queue_server.demo`: a fresh hall whose printed logins work."""

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import free_port


def test_demo_starts_a_usable_hall(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("w") as output:
        demo = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "queue_server.demo",
                "--dir",
                str(tmp_path / "demo"),
                "--port",
                str(port),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert demo.poll() is None, log.read_text("utf-8")
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        text = log.read_text("utf-8")
        clerk = re.search(r"clerk\s+clerk1\s+password (\S+)", text)
        kiosk = re.search(r"kiosk\s+token (\S+)", text)
        assert clerk and kiosk, text
        assert f"{base}/docs" in text
        issued = httpx.post(
            f"{base}/api/tickets",
            json={"category": "consult"},
            headers={"Authorization": f"Bearer {kiosk.group(1)}"},
        )
        assert issued.json()["number"] == "A001"
        login = httpx.post(
            f"{base}/api/auth/login", json={"username": "clerk1", "password": clerk.group(1)}
        )
        assert login.json()["role"] == "clerk"
    finally:
        demo.terminate()
        demo.wait(timeout=20)
    assert (tmp_path / "demo" / "hall.db").exists()
