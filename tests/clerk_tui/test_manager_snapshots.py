"""What the hall manager sees, pinned as SVG snapshots: every page of the manager console and the
case screen, at the smallest terminal it supports (100×30) and at a common larger one (160×45).

The server and the console share one frozen clock, so every figure and time is the same on
every run.
"""

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from rich.measure import Measurement
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.widgets.data_table import Column

from clerk_tui.manager.app import ManagerApp
from clerk_tui.manager.case_screen import CaseScreen
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.clerk_tui.console import log_in
from tests.clerk_tui.helpers import until
from tests.clerk_tui.test_manager import SHANGHAI, clear_and_type, play_a_day
from tests.support import LiveServer, live_server

SIZES = [(100, 30), (160, 45)]
Compare = Callable[..., bool]
sizes = pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")


class SnapshotManagerApp(ManagerApp):
    """Closes its client inside the app's own event loop, which snap_compare runs."""

    async def on_unmount(self) -> None:
        await self.client.aclose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def played(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    """Yesterday's three tickets and a bad rating, an open case, and this morning's hall:
    two waiting, one at window 2."""
    with live_server(tmp_path, clock=clock) as server:
        play_a_day(server, clock)
        manager = server.client(server.login("manager"))
        opened = manager.post(
            "/api/cases", json={"summary": "营业执照变更缺少股东会决议，无法当场办理"}
        )
        assert opened.status_code == 201, opened.text
        kiosk = server.client(server.accounts.kiosk_token)
        for category in ("general", "consult", "general"):
            assert kiosk.post("/api/tickets", json={"category": category}).status_code == 201
        clerk = server.client(server.login("clerk1"))
        assert clerk.post("/api/windows/2/sign-in").status_code == 200
        assert clerk.post("/api/windows/2/call-next").status_code == 200
        yield server


def manager_app(server: LiveServer, clock: ManualClock) -> SnapshotManagerApp:
    return SnapshotManagerApp(QueueClient(server.base_url), clock=clock, heartbeat_seconds=2.0)


def row_count(app: ManagerApp, selector: str) -> int:
    return app.screen.query_one(selector, DataTable).row_count


def column_fits(app: ManagerApp, table: DataTable[str], column: Column) -> bool:
    """The column is as wide as its widest cell, measured as the table measures it (a string
    cell is read as markup)."""
    console = app.console
    widths = (
        Measurement.get(console, console.options, Text.from_markup(str(cell))).maximum
        for cell in table.get_column(column.key)
    )
    return column.content_width >= max(widths, default=0)


def tables_sized(app: ManagerApp) -> bool:
    """Every table on screen has sized its columns for the rows it holds. A DataTable does that
    on its next idle after rows arrive; a snapshot taken in between (a loaded machine) shows
    every cell cut to its heading's width."""
    return all(
        column_fits(app, table, column)
        for table in app.screen.query(DataTable)
        for column in table.ordered_columns
    )


FOLLOWING = frozenset({"live"})
"""The live feed's worker, which runs for good; every other worker is a read or an action whose
answer lands on screen (the help banner's read once moved the whole page down two lines)."""


def reading(app: ManagerApp) -> bool:
    """A read is still on its way: when it lands it fills its table or banner again."""
    return any(worker.group not in FOLLOWING and not worker.is_finished for worker in app.workers)


async def settled(app: ManagerApp, pilot: Pilot[None]) -> None:
    await until(
        pilot, lambda: not reading(app) and tables_sized(app), "the reads and column widths"
    )
    await pilot.pause()


async def logged_in(app: ManagerApp, pilot: Pilot[None]) -> None:
    await log_in(pilot, "manager")
    await until(pilot, lambda: app.live is not None, "the live figures")
    await until(pilot, lambda: row_count(app, "#live-windows") > 0, "the windows")


@sizes
def test_live_page(
    snap_compare: Compare, played: LiveServer, clock: ManualClock, size: tuple[int, int]
) -> None:
    app = manager_app(played, clock)

    async def steps(pilot: Pilot[None]) -> None:
        await logged_in(app, pilot)
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=steps)


@sizes
def test_statistics_page(
    snap_compare: Compare, played: LiveServer, clock: ManualClock, size: tuple[int, int]
) -> None:
    app = manager_app(played, clock)

    async def steps(pilot: Pilot[None]) -> None:
        await logged_in(app, pilot)
        await pilot.press("f2")
        await clear_and_type(pilot, "昨天")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: app.period is not None and row_count(app, "#stats-table") > 1,
            "the statistics",
        )
        await pilot.press("tab", "tab", "tab")  # on to the table: no blinking cursor in 从
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=steps)


@sizes
def test_evaluations_page(
    snap_compare: Compare, played: LiveServer, clock: ManualClock, size: tuple[int, int]
) -> None:
    app = manager_app(played, clock)

    async def steps(pilot: Pilot[None]) -> None:
        await logged_in(app, pilot)
        await pilot.press("f2")  # the evaluations of the period chosen there: yesterday
        await clear_and_type(pilot, "昨天")
        await pilot.press("enter")
        await until(pilot, lambda: app.period is not None, "the statistics")
        await pilot.press("f3")
        await until(pilot, lambda: row_count(app, "#evaluation-list") == 1, "the evaluation")
        await until(pilot, lambda: row_count(app, "#followups") == 1, "the follow-up case")
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=steps)


@sizes
def test_cases_page(
    snap_compare: Compare, played: LiveServer, clock: ManualClock, size: tuple[int, int]
) -> None:
    app = manager_app(played, clock)

    async def steps(pilot: Pilot[None]) -> None:
        await logged_in(app, pilot)
        await pilot.press("f4")
        await until(pilot, lambda: row_count(app, "#case-list") == 1, "the case")
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=steps)


@sizes
def test_case_screen(
    snap_compare: Compare, played: LiveServer, clock: ManualClock, size: tuple[int, int]
) -> None:
    app = manager_app(played, clock)

    def case_shown() -> bool:
        screen = app.screen
        return isinstance(screen, CaseScreen) and screen.case is not None

    async def steps(pilot: Pilot[None]) -> None:
        await logged_in(app, pilot)
        await pilot.press("f4")
        await until(pilot, lambda: row_count(app, "#case-list") == 1, "the case")
        await pilot.press("enter")
        await until(pilot, case_shown, "the case screen")
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=steps)
