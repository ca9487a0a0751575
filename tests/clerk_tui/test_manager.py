"""The manager console (`clerk-tui manager`) driven by keys through Pilot against a real queue
server running in virtual time."""

import asyncio
import csv
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from clerk_tui.manager.app import ManagerApp
from clerk_tui.manager.case_screen import CaseScreen
from clerk_tui.manager.dialogs import ChoiceDialog, FormDialog
from clerk_tui.manager.main_screen import ManagerScreen
from clerk_tui.screens.login import LoginScreen
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from queue_server.protocol import StatsRow
from tests.clerk_tui.console import log_in
from tests.clerk_tui.helpers import type_text, until
from tests.support import LiveServer, live_server

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIZE = (140, 44)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def hall(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=clock, alert_check_seconds=0.05) as running:
        yield running


@asynccontextmanager
async def manager_console(
    server: LiveServer, export_dir: Path | None = None
) -> AsyncIterator[tuple[ManagerApp, Pilot[None]]]:
    async with QueueClient(server.base_url) as client:
        app = ManagerApp(client, export_dir=export_dir, heartbeat_seconds=2.0)
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "manager")
            await until(pilot, lambda: app.live is not None, "the live figures")
            yield app, pilot


def text_of(app: ManagerApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def rows(app: ManagerApp, selector: str) -> list[list[str]]:
    table: DataTable[str] = app.screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def row_named(app: ManagerApp, selector: str, first: str) -> list[str] | None:
    return next((row for row in rows(app, selector) if row[0] == first), None)


def cell(app: ManagerApp, selector: str, first: str, column: int) -> str | None:
    row = row_named(app, selector, first)
    return row[column] if row is not None else None


async def clear_and_type(pilot: Pilot[None], text: str) -> None:
    await pilot.press("end", "ctrl+u")
    await type_text(pilot, text)


def test_a_clerk_is_told_the_console_is_for_managers(hall: LiveServer) -> None:
    async def scenario() -> None:
        async with QueueClient(hall.base_url) as client:
            app = ManagerApp(client)
            async with app.run_test(size=SIZE) as pilot:
                assert text_of(app, ".form-title") == "一门 · 管理控制台"
                await log_in(pilot, "clerk1")
                await until(
                    pilot,
                    lambda: "管理控制台只供" in text_of(app, "#login-error"),
                    "the wrong-role message",
                )
                assert isinstance(app.screen, LoginScreen)
                assert client.token is None

    asyncio.run(scenario())


def test_live_page_shows_who_waits_and_the_alert_when_a_wait_passes_its_target(
    hall: LiveServer, clock: ManualClock
) -> None:
    kiosk = hall.client(hall.accounts.kiosk_token)
    issued = kiosk.post("/api/tickets", json={"category": "consult"}).json()

    async def scenario() -> None:
        async with manager_console(hall) as (app, pilot):
            await until(
                pilot,
                lambda: cell(app, "#live-categories", "咨询", 1) == "1",
                "one person waiting for 咨询",
            )
            assert "等候 1 人" in text_of(app, "#live-summary")
            assert "暂无告警" in text_of(app, "#alerts")
            clock.advance(timedelta(minutes=10, seconds=1))
            await until(pilot, lambda: "等候超时" in text_of(app, "#alerts"), "the alert")
            assert issued["number"] in text_of(app, "#alerts")
            assert [alert.type for alert in app.alerts] == ["alert.wait_target"]
            await until(
                pilot,
                lambda: cell(app, "#live-categories", "咨询", 4) == "1",
                "one person over the target",
            )

    asyncio.run(scenario())


def play_a_day(server: LiveServer, clock: ManualClock) -> None:
    """Three 综合受理 tickets: B001 served (waits 4 min, served 6 min), B002 no-show, B003
    left waiting; then the clock moves to the next day, where B001 is rated 不满意."""
    kiosk = server.client(server.accounts.kiosk_token)
    clerk = server.client(server.login("clerk1"))
    tickets = [kiosk.post("/api/tickets", json={"category": "general"}).json() for _ in range(3)]
    assert clerk.post("/api/windows/2/sign-in").status_code == 200
    clock.advance(timedelta(minutes=4))
    assert clerk.post("/api/windows/2/call-next").json()["id"] == tickets[0]["id"]
    assert clerk.post(f"/api/tickets/{tickets[0]['id']}/start").status_code == 200
    clock.advance(timedelta(minutes=6))
    assert clerk.post(f"/api/tickets/{tickets[0]['id']}/finish").status_code == 200
    assert clerk.post("/api/windows/2/call-next").json()["id"] == tickets[1]["id"]
    assert clerk.post(f"/api/tickets/{tickets[1]['id']}/no-show").status_code == 200
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI))
    rated = server.client().post(
        f"/api/public/tickets/{tickets[0]['public_code']}/evaluation",
        json={"level": 2, "reasons": ["等候时间过长"]},
    )
    assert rated.status_code == 201, rated.text


def test_statistics_of_a_period_and_its_export_to_xlsx_and_csv(
    hall: LiveServer, clock: ManualClock, tmp_path: Path
) -> None:
    play_a_day(hall, clock)
    exports = tmp_path / "exports"

    async def scenario() -> None:
        async with manager_console(hall, export_dir=exports) as (app, pilot):
            await pilot.press("f2")  # the period is today unless typed
            assert app.focused is not None and app.focused.id == "stats-from"
            await clear_and_type(pilot, "昨天")
            await pilot.press("enter")
            await until(pilot, lambda: row_named(app, "#stats-table", "合计") is not None, "stats")
            assert "2026-03-02 · 按业务类别" in text_of(app, "#stats-title")
            general = row_named(app, "#stats-table", "综合受理")
            assert general is not None
            assert general[1:7] == ["3", "1", "1", "0", "0", "1"]
            times = row_named(app, "#stats-times", "综合受理")
            assert times is not None
            assert times[1] == "7分00秒"  # mean wait: B001 called after 4 min, B002 after 10
            assert times[4] == "10分00秒"
            assert times[5] == "6分00秒"
            total = row_named(app, "#stats-table", "合计")
            assert total is not None and total[1:4] == ["3", "1", "1"]
            assert "评价 1 条" in text_of(app, "#satisfaction-summary")
            assert "到达人数" in text_of(app, "#chart-hourly .chart-title")

            await pilot.press("f6")
            await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "format choice")
            await pilot.press("down", "enter")  # XLSX
            await until(pilot, lambda: isinstance(app.screen, FormDialog), "path form")
            await pilot.press("enter")
            await until(pilot, lambda: app.saved is not None, "the XLSX export")
            await pilot.press("f6")
            await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "format choice")
            await pilot.press("enter")  # CSV
            await until(pilot, lambda: isinstance(app.screen, FormDialog), "path form")
            await pilot.press("enter")
            csv_path = exports / "yimen-stats-2026-03-02-category.csv"
            await until(pilot, lambda: app.saved == csv_path, "the CSV export")
            assert "已导出到" in text_of(app, "#manager-message")

            await pilot.press("f3")  # the same period's evaluations, and the follow-up case
            await until(pilot, lambda: len(rows(app, "#evaluation-list")) == 1, "evaluations")
            evaluation = rows(app, "#evaluation-list")[0]
            assert evaluation[1:] == [
                "B001",
                "综合受理",
                "2号",
                "窗口员1",
                "不满意",
                "等候时间过长",
            ]
            await until(pilot, lambda: len(rows(app, "#followups")) == 1, "the follow-up case")
            assert rows(app, "#followups")[0][1:4] == ["差评回访整改", "受理", "未分类"]

    asyncio.run(scenario())
    workbook = load_workbook(exports / "yimen-stats-2026-03-02-category.xlsx", read_only=True)
    sheet_rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert sheet_rows[0][0] == "统计区间 2026-03-02 至 2026-03-02"
    columns = list(StatsRow.model_fields)
    general_row = next(row for row in sheet_rows if row[0] == "general")
    assert general_row[columns.index("issued")] == 3
    assert general_row[columns.index("served")] == 1
    with (exports / "yimen-stats-2026-03-02-category.csv").open(encoding="utf-8-sig") as handle:
        table = list(csv.DictReader(handle))
    general_csv = next(row for row in table if row["key"] == "general")
    assert (general_csv["issued"], general_csv["no_show"]) == ("3", "1")


def test_a_case_is_worked_to_its_follow_up_through_the_console(hall: LiveServer) -> None:
    manager = hall.client(hall.login("manager"))
    opened = manager.post(
        "/api/cases", json={"summary": "营业执照变更缺少股东会决议，无法当场办理"}
    )
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["id"]

    async def choose(pilot: Pilot[None], app: ManagerApp, key: str, downs: int) -> None:
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), f"the {key} choice")
        await pilot.press(*["down"] * downs, "enter")

    async def fill(pilot: Pilot[None], app: ManagerApp, *values: str) -> None:
        await until(pilot, lambda: isinstance(app.screen, FormDialog), "the form")
        for value in values:
            await type_text(pilot, value)
            await pilot.press("enter")

    async def status_is(pilot: Pilot[None], app: ManagerApp, label: str) -> None:
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, CaseScreen)
                and app.screen.case is not None
                and app.screen.case.status_label == label
            ),
            f"status {label}",
        )

    async def scenario() -> None:
        async with manager_console(hall) as (app, pilot):
            await pilot.press("f4")
            await until(
                pilot, lambda: row_named(app, "#case-list", str(case_id)) is not None, "case"
            )
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, CaseScreen), "the case screen")
            screen = app.screen
            assert isinstance(screen, CaseScreen)
            await until(pilot, lambda: screen.case is not None, "the case read")
            assert "营业执照变更" in text_of(app, "#case-card")
            await pilot.press("f")  # 反馈 before 办结 is refused, with a reason
            assert "不能反馈" in text_of(app, "#case-message")

            await choose(pilot, app, "c", 1)  # 一般类
            await status_is(pilot, app, "分类")
            assert "分类：一般类" in text_of(app, "#case-card")
            await pilot.press("a")
            await fill(pilot, app, "manager", "市场监管局", "")
            await status_is(pilot, app, "转办")
            assert "转办部门：市场监管局" in text_of(app, "#case-card")
            await choose(pilot, app, "l", 1)  # 回访电话
            await fill(pilot, app, "已告知补材料")
            await until(
                pilot, lambda: "回访电话：已告知补材料" in text_of(app, "#case-card"), "log"
            )
            await choose(pilot, app, "x", 0)  # 办成
            await fill(pilot, app, "已办结变更")
            await status_is(pilot, app, "办结")
            assert "答复：已办结变更" in text_of(app, "#case-card")
            await pilot.press("f")
            await fill(pilot, app, "电话告知")
            await status_is(pilot, app, "反馈")
            await pilot.press("v")
            await fill(pilot, app, "回访满意")
            await status_is(pilot, app, "回访")
            assert "无需再办理" in text_of(app, "#case-message")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, ManagerScreen), "back to the list")

    asyncio.run(scenario())
    case: dict[str, Any] = manager.get(f"/api/cases/{case_id}").json()
    assert case["status"] == "followed_up"
    assert (case["case_class"], case["department"]) == ("ordinary", "市场监管局")
    assert case["owner"]["name"] == "manager"
    assert (case["resolution"], case["reply"]) == ("done", "已办结变更")
    assert (case["feedback"], case["followup_note"]) == ("电话告知", "回访满意")
    kinds = [entry["kind"] for entry in case["log"]]
    assert kinds == [
        "opened",
        "classified",
        "assigned",
        "callback",
        "closed",
        "feedback",
        "followed_up",
    ]


def test_a_period_that_is_not_a_date_is_explained(hall: LiveServer) -> None:
    async def scenario() -> None:
        async with manager_console(hall) as (app, pilot):
            await pilot.press("f2")
            await clear_and_type(pilot, "3月")
            await pilot.press("enter")
            await until(
                pilot, lambda: "不是有效日期" in text_of(app, "#stats-title"), "the period error"
            )

    asyncio.run(scenario())


def test_the_status_clock_ticking_while_the_screen_is_taken_down_is_harmless(
    hall: LiveServer,
) -> None:
    """At exit Textual removes the main screen's widgets while the one-second status clock may
    still tick: the tick must not fail the app (it once failed a manager console test)."""

    async def scenario() -> None:
        async with manager_console(hall) as (app, pilot):
            assert app.main is not None
            await app.main.query_one("#manager-status").remove()
            app._show_status()
            await pilot.pause()
            assert app.return_code is None

    asyncio.run(scenario())
