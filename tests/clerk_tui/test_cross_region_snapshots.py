"""市域通办 in the consoles, pinned as SVG snapshots at their smallest size (100×30): the owning
hall's 市域通办 page with an overdue case marked ⚠, one case with its steps, due dates and log,
and the clerk's opening form. The server and the consoles share one frozen clock."""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from clerk_tui.cross_region.case_screen import CrossRegionCaseScreen
from clerk_tui.cross_region.dialogs import OpenCaseDialog
from clerk_tui.manager.app import ManagerApp
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.city_support import LiveCity, live_city
from tests.clerk_tui.console import log_in, settled
from tests.clerk_tui.helpers import until
from tests.clerk_tui.test_cross_region_consoles import (
    CROSS_WINDOW,
    called,
    case_rows,
    issue,
    open_and_forward,
)
from tests.clerk_tui.test_manager import SHANGHAI
from tests.clerk_tui.test_manager_snapshots import SnapshotManagerApp, reading, tables_sized
from tests.clerk_tui.test_snapshots import SnapshotApp

SIZE = (100, 30)
NEVER = 600.0
Compare = Callable[..., bool]
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
"""A Monday: the first case's 受理 is due at the end of Tuesday."""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def cases(tmp_path: Path, clock: ManualClock) -> Iterator[LiveCity]:
    """Two cases of the main hall forwarded to 康巴什: one on Monday, overdue by Wednesday
    morning, and one on Wednesday, due on Thursday."""
    with live_city(tmp_path, clock=clock) as city:
        open_and_forward(city, "main-manager", issue(city)["id"])
        clock.advance(timedelta(days=2))
        open_and_forward(city, "main-manager", issue(city)["id"])
        yield city


async def quiet(app: ManagerApp, pilot: Pilot[None]) -> None:
    await until(pilot, lambda: not reading(app) and tables_sized(app), "the reads and widths")
    await pilot.pause()


def manager_app(city: LiveCity, clock: ManualClock) -> SnapshotManagerApp:
    return SnapshotManagerApp(
        QueueClient(city.base_url), clock=clock, heartbeat_seconds=2.0, live_refresh_seconds=NEVER
    )


async def on_the_page(app: ManagerApp, pilot: Pilot[None]) -> None:
    await log_in(pilot, "kangbashi-manager")
    await until(pilot, lambda: app.live is not None, "the live figures")
    await until(pilot, lambda: app.followed_seq is not None, "the live feed")
    await pilot.press("f9")
    await until(pilot, lambda: len(case_rows(app)) == 2, "both cases")
    await quiet(app, pilot)


def test_cross_region_page(snap_compare: Compare, cases: LiveCity, clock: ManualClock) -> None:
    app = manager_app(cases, clock)

    async def steps(pilot: Pilot[None]) -> None:
        await on_the_page(app, pilot)
        assert case_rows(app)[0][5].startswith("⚠")

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_cross_region_case(snap_compare: Compare, cases: LiveCity, clock: ManualClock) -> None:
    app = manager_app(cases, clock)

    def shown() -> bool:
        screen = app.screen
        return isinstance(screen, CrossRegionCaseScreen) and screen.case is not None

    async def steps(pilot: Pilot[None]) -> None:
        await on_the_page(app, pilot)
        await pilot.press("enter")
        await until(pilot, shown, "the overdue case")
        await quiet(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_opening_form(snap_compare: Compare, cases: LiveCity, clock: ManualClock) -> None:
    issue(cases)
    app = SnapshotApp(QueueClient(cases.base_url), window_no=CROSS_WINDOW, clock=clock)

    async def steps(pilot: Pilot[None]) -> None:
        await log_in(pilot, "main-clerk1")
        await until(pilot, lambda: settled(app), "the console to settle")
        await pilot.press("f1")
        await until(pilot, lambda: called(app) and settled(app), "the call")
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, OpenCaseDialog), "the opening form")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)
