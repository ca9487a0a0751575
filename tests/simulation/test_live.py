"""The live simulator works a short day on a real server through its public API."""

import os
import subprocess
import sys

from tests.support import PASSWORD, LiveServer

FINAL = {"done", "transferred", "cancelled", "no_show"}


def test_a_short_live_day_ends_with_every_ticket_final(server: LiveServer) -> None:
    real_clerk = server.client(server.login(server.accounts.clerks[-1]))
    assert real_clerk.post("/api/windows/2/sign-in").status_code == 200
    bots = ",".join(f"{name}:{PASSWORD}" for name in server.accounts.clerks[:-1])
    env = {
        **os.environ,
        "YIMEN_SIM_CLERKS": bots,
        "YIMEN_SIM_KIOSK_TOKEN": server.accounts.kiosk_token,
    }
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "queue_server.cli",
            "simulate",
            "--server",
            server.base_url,
            "--day-seconds",
            "8",
            "--arrival-scale",
            "0.06",
            "--seed",
            "3",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert PASSWORD not in output and server.accounts.kiosk_token not in output
    assert "left to somebody else: windows [2]" in output

    admin = server.client(server.login(server.accounts.admin))
    tickets = admin.get("/api/tickets").json()
    assert len(tickets) >= 15
    assert {t["status"] for t in tickets} <= FINAL
    assert sum(t["status"] == "done" for t in tickets) >= 0.8 * len(tickets)
    windows = {w["number"]: w for w in admin.get("/api/windows").json()}
    assert windows[2]["clerk"]["display_name"] == "窗口员8"
    assert all(w["status"] == "closed" for n, w in windows.items() if n != 2)
    served_at = {t["window_no"] for t in tickets if t["status"] == "done"}
    assert 2 not in served_at
    assert len(served_at) >= 4
