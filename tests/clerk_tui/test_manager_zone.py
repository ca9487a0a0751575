"""The manager console's 自助服务区 page (F10), driven by keys through Pilot against a real
server: the zone's devices with their status, the open repair cases soonest due first with ⚠
when overdue, and the keys that inspect, report a fault, assign, fix and verify; pinned as an
SVG snapshot at the console's smallest size (100×30)."""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from clerk_tui.manager.app import ManagerApp
from clerk_tui.manager.dialogs import ChoiceDialog, FormDialog
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.clerk_tui.console import log_in
from tests.clerk_tui.helpers import type_text, until
from tests.clerk_tui.test_manager import SHANGHAI, rows, text_of
from tests.clerk_tui.test_manager_snapshots import SnapshotManagerApp, row_count, settled
from tests.support import LiveServer, live_server
from tests.zone_support import beat, device_client

SIZE = (100, 30)
Compare = Callable[..., bool]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI))  # a Sunday


@pytest.fixture
def zone(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    """Sunday 10:00: the printer and two terminals report ok, 社保 reports a fault (a repair
    case), staff report 税务's screen (another); Monday 10:30 both cases are overdue."""
    with live_server(tmp_path, clock=clock, device_offline_seconds=7 * 24 * 3600) as server:
        for name in ("ss-print", "ss-gjj", "ss-budongchan"):
            beat(device_client(server, name), name)
        beat(device_client(server, "ss-shebao"), "ss-shebao", "fault", detail="读卡器无响应")
        clock.advance(timedelta(minutes=20))
        manager = server.client(server.login("manager"))
        report = manager.post("/api/devices/ss-tax/faults", json={"summary": "屏幕无显示"})
        assert report.status_code == 201, report.text
        clock.set(datetime(2026, 12, 7, 10, 30, tzinfo=SHANGHAI))
        yield server


async def zone_page(app: ManagerApp, pilot: Pilot[None], repairs: int) -> None:
    await log_in(pilot, "manager")
    await until(pilot, lambda: app.live is not None, "the live figures")
    await pilot.press("f10")
    await until(pilot, lambda: row_count(app, "#zone-devices") == 7, "the zone's devices")
    await until(pilot, lambda: row_count(app, "#zone-repairs") == repairs, "the repair cases")


def test_zone_page(snap_compare: Compare, zone: LiveServer, clock: ManualClock) -> None:
    app = SnapshotManagerApp(QueueClient(zone.base_url), clock=clock, heartbeat_seconds=2.0)

    async def steps(pilot: Pilot[None]) -> None:
        await zone_page(app, pilot, repairs=2)
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


@pytest.mark.anyio
async def test_the_keys_inspect_report_assign_fix_and_verify(
    zone: LiveServer, clock: ManualClock
) -> None:
    async with QueueClient(zone.base_url) as client:
        app = ManagerApp(client, clock=clock, heartbeat_seconds=2.0)
        async with app.run_test(size=SIZE) as pilot:
            await zone_page(app, pilot, repairs=2)
            devices = rows(app, "#zone-devices")
            assert [row[0] for row in devices] == [
                "ss-shebao",
                "ss-gjj",
                "ss-budongchan",
                "ss-tax",
                "ss-churujing",
                "ss-print",
                "locker-1",
            ]
            assert devices[0][2:] == ["✖ 暂停使用", "12月6日 10:00", "1号 待派修"]
            assert devices[1][2] == "● 正常使用"
            assert devices[4][2:4] == ["? 状态未知", "—"]
            repairs = rows(app, "#zone-repairs")
            assert repairs[0] == [
                "1",
                "社保自助终端",
                "设备自报",
                "设备报告故障：读卡器无响应",
                "待派修",
                "—",
                "⚠ 10:00 已超期",
            ]
            assert repairs[1][:3] == ["2", "税务自助办税终端", "报修"]
            summary = text_of(app, "#zone-summary")
            assert "正常使用 3 · 暂停使用 2 · 状态未知 2" in summary
            assert "未验收维修单 2（⚠ 超期 2）" in summary

            # R on 不动产自助查询机: a third case.
            await pilot.press("down", "down", "r")
            await until(pilot, lambda: isinstance(app.screen, FormDialog), "the fault form")
            await type_text(pilot, "打印机卡纸")
            await pilot.press("enter")
            await until(pilot, lambda: row_count(app, "#zone-repairs") == 3, "the new case")
            budongchan = rows(app, "#zone-devices")[2]
            assert budongchan[2:] == ["✖ 暂停使用", "12月6日 10:00", "3号 待派修"]

            # I on it: found faulty again, the same case.
            await pilot.press("i")
            await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the result")
            await pilot.press("down", "enter")
            await until(pilot, lambda: isinstance(app.screen, FormDialog), "the note")
            await pilot.press("enter")
            await until(
                pilot, lambda: "3号维修单" in text_of(app, "#manager-message"), "the inspection"
            )
            manager = zone.client(zone.login("manager"))
            [inspection] = manager.get("/api/devices/ss-budongchan/inspections").json()
            assert (inspection["result"], inspection["repair_id"]) == ("fault", 3)

            # A, X, V on case 1 (soonest due): it reported ok meanwhile, so it works again.
            beat(device_client(zone, "ss-shebao"), "ss-shebao")
            await pilot.press("a")
            await until(pilot, lambda: isinstance(app.screen, FormDialog), "the assignee form")
            await type_text(pilot, "维保张师傅")
            await pilot.press("enter")
            await until(
                pilot, lambda: rows(app, "#zone-repairs")[0][4] == "维修中", "the assignment"
            )
            assert rows(app, "#zone-repairs")[0][5] == "维保张师傅"
            await pilot.press("x")
            await until(pilot, lambda: rows(app, "#zone-repairs")[0][4] == "待验收", "the fix")
            await pilot.press("v")
            await until(pilot, lambda: row_count(app, "#zone-repairs") == 2, "the verification")
            assert rows(app, "#zone-devices")[0][2] == "● 正常使用"
            assert "1号维修单已验收" in text_of(app, "#manager-message")
