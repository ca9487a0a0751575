"""What a city-wide manager sees, pinned as SVG snapshots at the console's smallest size
(100×30): the 全市 page with a hall in trouble, and the hall switcher open.

The server and the console share one frozen clock, so every figure and time is the same on
every run.
"""

import contextlib
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable
from websockets.sync.client import ClientConnection, connect

from clerk_tui.manager.app import ManagerApp
from clerk_tui.manager.dialogs import ChoiceDialog
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.city_support import LiveCity, live_city
from tests.clerk_tui.console import log_in
from tests.clerk_tui.helpers import until
from tests.clerk_tui.test_manager import SHANGHAI, rows
from tests.clerk_tui.test_manager_snapshots import SnapshotManagerApp, reading, settled

SIZE = (100, 30)
NEVER = 600.0
Compare = Callable[..., bool]


ALERTS_EXPECTED = {"main": 1, "ejinhoro": 2}
"""The tickets left waiting past their target, per hall, once the clock moves 25 minutes."""


def feed(city: LiveCity, person: str) -> ClientConnection:
    """The live feed of a hall-bound person's hall."""
    return connect(f"{city.ws_url}/ws?token={city.city.token(person)}", open_timeout=5)


@pytest.fixture
def played(tmp_path: Path) -> Iterator[tuple[LiveCity, ManualClock]]:
    """The main hall with one number at window 2 and one waiting, 伊金霍洛旗 with two waiting,
    康巴什 empty; 25 minutes on, every waiting number is past its target and has raised its
    alert."""
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    with live_city(tmp_path, clock=clock, alert_check_seconds=0.05) as city:
        for code, category in [
            ("main", "general"),
            ("main", "consult"),
            ("ejinhoro", "general"),
            ("ejinhoro", "consult"),
        ]:
            kiosk = city.client(city.city.hall(code).kiosk_token)
            response = kiosk.post("/api/tickets", json={"category": category})
            assert response.status_code == 201, response.text
        clerk = city.as_("main-clerk1")
        assert clerk.post("/api/windows/2/sign-in").status_code == 200
        assert clerk.post("/api/windows/2/call-next").status_code == 200
        with contextlib.ExitStack() as stack:
            feeds = {
                code: stack.enter_context(feed(city, f"{code}-manager")) for code in ALERTS_EXPECTED
            }
            clock.advance(timedelta(minutes=25))
            for code, expected in ALERTS_EXPECTED.items():
                alerts = 0
                while alerts < expected:  # the server checks every 0.05 s
                    message = json.loads(feeds[code].recv(timeout=15))
                    alerts += message["type"] == "alert.wait_target"
        yield city, clock


def manager_app(city: LiveCity, clock: ManualClock) -> SnapshotManagerApp:
    return SnapshotManagerApp(
        QueueClient(city.base_url),
        clock=clock,
        heartbeat_seconds=2.0,
        live_refresh_seconds=NEVER,
        city_refresh_seconds=NEVER,
    )


def main_tables_sized(app: ManagerApp) -> bool:
    """Like `settled`, for the main screen's tables, also under a dialog."""
    assert app.main is not None
    return not any(
        table._require_update_dimensions or table._updated_cells
        for table in app.main.query(DataTable)
    )


async def logged_in(app: ManagerApp, pilot: Pilot[None]) -> None:
    """Logged in, following the hall, and every read it set off done: the live feed's
    snapshot reads the live figures once more, which would redraw a table mid-snapshot."""
    await log_in(pilot, "manager")
    await until(pilot, lambda: app.live is not None, "the live figures")
    await until(pilot, lambda: len(rows(app, "#live-windows")) > 0, "the windows")
    await until(
        pilot,
        lambda: app.followed_seq is not None and not reading(app),
        "the read set off by the live feed's snapshot",
    )
    await until(pilot, lambda: main_tables_sized(app), "the tables' column widths")


def test_city_page(snap_compare: Compare, played: tuple[LiveCity, ManualClock]) -> None:
    app = manager_app(*played)

    async def steps(pilot: Pilot[None]) -> None:
        await logged_in(app, pilot)
        await pilot.press("f7")
        await until(pilot, lambda: len(rows(app, "#city-halls")) == 3, "every hall")
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_hall_switcher(snap_compare: Compare, played: tuple[LiveCity, ManualClock]) -> None:
    app = manager_app(*played)

    async def steps(pilot: Pilot[None]) -> None:
        await logged_in(app, pilot)
        await until(pilot, lambda: len(app.halls) == 3, "the halls")
        await settled(app, pilot)
        await pilot.press("f8")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the switcher")
        await until(pilot, lambda: main_tables_sized(app), "the tables under the switcher")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)
