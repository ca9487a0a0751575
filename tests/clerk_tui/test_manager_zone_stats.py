"""The statistics page's 24小时自助服务区 section, against a real server holding the hand-made
Monday of tests/zone_stats_support.py: the manager reads the zone's figures and each device's, and
the section is pinned as an SVG snapshot at the smallest terminal (100×30)."""

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from clerk_tui.manager.app import ManagerApp
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.clerk_tui.console import log_in
from tests.clerk_tui.helpers import until
from tests.clerk_tui.test_manager import clear_and_type
from tests.clerk_tui.test_manager_snapshots import SnapshotManagerApp, settled
from tests.support import LiveServer, live_server
from tests.zone_stats_support import HelpCallers, ask_for_help, seed_zone_day, zone_device_token

SHANGHAI = ZoneInfo("Asia/Shanghai")
SUNDAY = datetime(2026, 2, 8, tzinfo=SHANGHAI)
MONDAY = "2026-02-09"
Compare = Callable[..., bool]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 2, 10, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def zone_day(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=clock) as server:
        seed_zone_day(server.database_url, sunday=SUNDAY, hall="main", clerk="clerk1")
        now = clock.now()
        callers = HelpCallers(
            terminal=server.client(zone_device_token(server.database_url, "ss-shebao")),
            printer=server.client(zone_device_token(server.database_url, "ss-print")),
            kiosk=server.client(server.accounts.kiosk_token),
            clerk=server.client(server.accounts.clerk_tokens["clerk1"]),
        )
        ask_for_help(callers, clock, sunday=SUNDAY)
        clock.set(now)
        yield server


def zone_rows(app: ManagerApp) -> list[tuple[str, ...]]:
    table = app.screen.query_one("#zone-stats", DataTable)
    return [
        tuple(str(cell) for cell in table.get_row_at(index)) for index in range(table.row_count)
    ]


async def read_monday(app: ManagerApp, pilot: Pilot[None]) -> None:
    """Log in, F2, type Monday's date into 从, Enter; Tab on until the zone's table."""
    await log_in(pilot, "manager")
    await until(pilot, lambda: app.live is not None, "the live figures")
    await pilot.press("f2")
    await clear_and_type(pilot, MONDAY)
    await pilot.press("enter")
    await until(pilot, lambda: len(zone_rows(app)) == 8, "the zone's figures")
    for _ in range(10):
        if app.focused is not None and app.focused.id == "zone-stats":
            break
        await pilot.press("tab")
    assert app.focused is not None and app.focused.id == "zone-stats"


@pytest.mark.anyio
async def test_the_manager_reads_the_zone_and_each_device(
    zone_day: LiveServer, clock: ManualClock
) -> None:
    async with QueueClient(zone_day.base_url) as client:
        app = ManagerApp(client, clock=clock, heartbeat_seconds=2.0)
        async with app.run_test(size=(100, 30)) as pilot:
            await read_monday(app, pilot)
            rows = zone_rows(app)
            assert rows[0] == (
                "社保自助终端",
                "64.4%",
                "2/2",
                "2",
                "6小时32分",
                "1",
                "0",
                "1分00秒",
                "1分00秒",
            )
            assert rows[1][:3] == ("公积金自助终端", "100.0%", "1/2")
            assert rows[3][:3] == ("税务自助办税终端", "0.0%", "0/2")
            assert rows[-1][:4] == ("合计", "23.5%", "3/6", "2")
            summary = str(app.screen.query_one("#zone-stats-summary", Static).render())
            assert "巡检按时 3/6（漏检 3）" in summary
            assert "故障 2（设备自报 1 · 离线 1）" in summary
            assert "一键求助 3 · 已响应 2 · 超时未应 2" in summary
            assert "平均响应 3分00秒 · P90 5分00秒" in summary


def test_zone_section_snapshot(
    snap_compare: Compare, zone_day: LiveServer, clock: ManualClock
) -> None:
    app = SnapshotManagerApp(QueueClient(zone_day.base_url), clock=clock, heartbeat_seconds=2.0)

    async def steps(pilot: Pilot[None]) -> None:
        await read_monday(app, pilot)
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=steps)
