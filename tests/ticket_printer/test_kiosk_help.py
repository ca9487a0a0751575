"""一键求助 on the kiosk through Textual's Pilot against a real server: the button is on
every screen, a tap calls staff (the request reaches the server, named after this kiosk) and
the applicant reads that staff are coming; pinned as a snapshot at 80×24."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.support import LiveServer, live_server
from tests.ticket_printer.pilot import file_printer, idle, shown, start, tap, until
from tests.ticket_printer.support import run_async
from ticket_printer.kiosk.app import KioskApp
from ticket_printer.kiosk.screens.confirm import ConfirmScreen
from ticket_printer.kiosk.screens.matter import MatterScreen
from ticket_printer.kiosk.screens.ticket import TicketScreen
from ticket_printer.kiosk.widgets.help_button import HELP_SENT

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in the hall
DEVICE = "kiosk-entrance"


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("help"), clock=ManualClock(NOW)) as server:
        yield server


def open_requests(server: LiveServer) -> list[dict[str, Any]]:
    clerk = server.client(server.accounts.clerk_tokens["clerk1"])
    rows: list[dict[str, Any]] = clerk.get("/api/help-requests", params={"open": "true"}).json()
    return rows


def notices(app: KioskApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


def kiosk(server: LiveServer, folder: Path, clock: ManualClock | None = None) -> KioskApp:
    client = QueueClient(server.base_url, token=server.accounts.kiosk_token)
    printer = file_printer(folder / "lp0")
    return KioskApp(client, printer, device_name=DEVICE, clock=clock or ManualClock(NOW))


def test_help_is_on_every_screen_and_calls_staff(hall: LiveServer, tmp_path: Path) -> None:
    async def scenario() -> None:
        clock = ManualClock(NOW)
        app = kiosk(hall, tmp_path, clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await start(pilot, app)
            before = len(open_requests(hall))
            await tap(pilot, "#help")
            await until(pilot, lambda: HELP_SENT in notices(app))
            calls = open_requests(hall)
            assert len(calls) == before + 1
            assert calls[0]["device"] == DEVICE
            # The same corner on each of the other screens.
            await tap(pilot, "#category-general")
            await shown(pilot, MatterScreen)
            assert app.screen.query_one("#help").region.area
            await tap(pilot, "#skip")
            await shown(pilot, ConfirmScreen)
            assert app.screen.query_one("#help").region.area
            # Tapped again within the minute: the confirmation again, no second call.
            app.clear_notifications()
            await tap(pilot, "#help")
            await until(pilot, lambda: HELP_SENT in notices(app) and idle(app))
            assert len(open_requests(hall)) == before + 1
            await tap(pilot, "#confirm")
            await shown(pilot, TicketScreen)
            clock.advance(timedelta(seconds=61))
            await tap(pilot, "#help")
            await until(pilot, lambda: len(open_requests(hall)) == before + 2)

    run_async(scenario())


def test_help_called_snapshot(snap_compare: Any, hall: LiveServer, tmp_path: Path) -> None:
    """80×24: the button in the corner, the categories beside it, the confirmation shown."""
    app = kiosk(hall, tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await start(pilot, app)
        await until(pilot, lambda: app.hall is not None and idle(app))
        app.screen.query_one("#category-consult").focus()
        await pilot.press("shift+tab")  # the focus moves to the help button: Enter presses it
        assert app.focused is not None and app.focused.id == "help"
        await pilot.press("enter")
        await until(pilot, lambda: HELP_SENT in notices(app) and idle(app))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
