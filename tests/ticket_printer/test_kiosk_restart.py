"""`run_kiosk` starts the kiosk again after a crash, logging the crash, and keeps one crash
log open for all its runs, closed when it ends (it used to open another on every restart
and close none); each run closes its own connections to the server."""

import asyncio
import threading
from pathlib import Path

import pytest

from queue_server.client import QueueClient
from tests.ticket_printer.pilot import file_printer
from ticket_printer.kiosk.app import KioskApp, run_kiosk


class FaultyDriverKiosk(KioskApp):
    """A kiosk whose start-up fails the way a buggy driver or a library bug would."""

    def on_mount(self) -> None:
        raise RuntimeError("printer driver bug")


class ClosingKiosk(KioskApp):
    """A kiosk closed as soon as it is up, as by the operator."""

    def on_mount(self) -> None:
        super().on_mount()
        self.exit()


def test_crashes_restart_the_kiosk_with_one_crash_log_closed_at_the_end(tmp_path: Path) -> None:
    crash_log = tmp_path / "kiosk.log"
    made: list[KioskApp] = []

    def make_app() -> KioskApp:
        kind = FaultyDriverKiosk if len(made) < 2 else ClosingKiosk
        client = QueueClient("http://127.0.0.1:9", token="kiosk-token")
        app = kind(client, file_printer(tmp_path / "lp0"), device_name="kiosk-restart")
        made.append(app)
        return app

    def run() -> None:
        run_kiosk(make_app, crash_log=crash_log, headless=True, restart_pause_seconds=0)

    thread = threading.Thread(target=run, name="kiosk-restarts")  # away from any event loop
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()

    assert [type(app) for app in made] == [FaultyDriverKiosk, FaultyDriverKiosk, ClosingKiosk]
    assert [app.return_code for app in made] == [1, 1, 0]
    logged = crash_log.read_text(encoding="utf-8")
    assert logged.count("printer driver bug") >= 2
    files = {id(app.error_console.file): app.error_console.file for app in made}
    assert len(files) == 1, "a crash log opened for every run"
    assert all(file.closed for file in files.values())
    for app in made:  # and each run's connections to the server are closed with it
        with pytest.raises(RuntimeError, match="client has been closed"):
            asyncio.run(app.client.hall())
