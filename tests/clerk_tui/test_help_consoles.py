"""一键求助 on the clerk console and the manager console, through Pilot against a real server
with a manual clock: open requests are highlighted (without a sound), turn red once escalated,
and one key (F12) answers the longest waiting; an answer from elsewhere clears the highlight.
Pinned as snapshots at the smallest size each console supports (100×30)."""

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from clerk_tui.app import ClerkApp
from clerk_tui.manager.app import ManagerApp
from clerk_tui.widgets.help_banner import HelpBanner
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.clerk_tui.console import log_in, settled
from tests.clerk_tui.helpers import until
from tests.support import KIOSK_DEVICES, LiveServer, live_server

START = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # 21:00 in the hall
SMALLEST = (100, 30)
HELP = "/api/help-requests"
Compare = Callable[..., bool]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def hall(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=clock, alert_check_seconds=0.05) as server:
        yield server


def press_help(server: LiveServer, token: str, **body: str) -> dict[str, Any]:
    response = server.client(token).post(HELP, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def requests(server: LiveServer) -> list[dict[str, Any]]:
    manager = server.client(server.accounts.clerk_tokens["clerk2"])
    rows: list[dict[str, Any]] = manager.get(HELP).json()
    return rows


def banner(app: ClerkApp | ManagerApp) -> HelpBanner:
    return app.screen.query_one(HelpBanner)


def banner_text(app: ClerkApp | ManagerApp) -> str:
    shown = banner(app)
    return str(shown.render()) if shown.display else ""


class QuietClerk(ClerkApp):
    """Counts bells: the highlight must come without a sound."""

    bells = 0

    def bell(self) -> None:
        self.bells += 1
        super().bell()


def test_the_clerk_sees_help_called_and_answers_with_one_key(
    hall: LiveServer, clock: ManualClock
) -> None:
    async def scenario() -> None:
        async with QueueClient(hall.base_url) as client:
            app = QuietClerk(client, window_no=3, clock=clock)
            async with app.run_test(size=SMALLEST) as pilot:
                await log_in(pilot, "clerk1")
                await until(pilot, lambda: settled(app), "the console to settle")
                assert not banner(app).display
                first = press_help(hall, hall.accounts.device_token, note="读卡器读不出社保卡")
                await until(pilot, lambda: "社保自助终端（ss-shebao）" in banner_text(app), "help")
                assert "21:00" in banner_text(app)
                assert "读卡器读不出社保卡" in banner_text(app)
                clock.advance(timedelta(minutes=1))
                press_help(hall, hall.accounts.kiosk_token, device=KIOSK_DEVICES[1])
                await until(pilot, lambda: "取号机 kiosk-2" in banner_text(app), "the second")
                assert banner_text(app).startswith("一键求助（2）：按 F12 响应最早的一条")
                clock.advance(timedelta(minutes=2, seconds=30))  # the first waited 3.5 min
                await until(pilot, lambda: banner(app).has_class("-escalated"), "escalation")
                assert "已超时" in banner_text(app)
                await pilot.press("f12")  # the longest waiting: the terminal
                await until(pilot, lambda: "ss-shebao" not in banner_text(app), "answered")
                answered = {r["id"]: r for r in requests(hall)}[first["id"]]
                assert answered["acked_by"] == "窗口员1"
                assert "已响应社保自助终端（ss-shebao）的一键求助" in str(
                    app.screen.query_one("#message").render()
                )
                assert "取号机 kiosk-2" in banner_text(app)
                assert app.bells == 0

    asyncio.run(scenario())


async def manager_logged_in(app: ManagerApp, pilot: Pilot[None]) -> None:
    await log_in(pilot, "manager")
    await until(pilot, lambda: app.live is not None, "the live figures")


def test_the_manager_answers_and_sees_an_answer_from_elsewhere(
    hall: LiveServer, clock: ManualClock
) -> None:
    async def scenario() -> None:
        async with QueueClient(hall.base_url) as client:
            app = ManagerApp(client, clock=clock, heartbeat_seconds=2.0)
            async with app.run_test(size=SMALLEST) as pilot:
                await manager_logged_in(app, pilot)
                first = press_help(hall, hall.accounts.kiosk_token, device=KIOSK_DEVICES[0])
                clock.advance(timedelta(seconds=20))
                press_help(hall, hall.accounts.device_token)
                await until(pilot, lambda: "一键求助（2）" in banner_text(app), "both requests")
                # A clerk answers the kiosk's from the floor: gone from the manager's screen.
                clerk = hall.client(hall.accounts.clerk_tokens["clerk3"])
                assert clerk.post(f"{HELP}/{first['id']}/ack").status_code == 200
                await until(pilot, lambda: "一键求助（1）" in banner_text(app), "the answer")
                await pilot.press("f12")
                await until(pilot, lambda: not banner(app).display, "every request answered")
                assert [r["acked_by"] for r in requests(hall)] == ["李主任", "窗口员3"]
                await pilot.press("f12")
                assert "没有待响应的一键求助" in str(
                    app.screen.query_one("#manager-message").render()
                )

    asyncio.run(scenario())


class SnapshotClerkApp(ClerkApp):
    async def on_unmount(self) -> None:
        await self.client.aclose()


class SnapshotManagerApp(ManagerApp):
    async def on_unmount(self) -> None:
        await self.client.aclose()


def test_clerk_help_snapshot(snap_compare: Compare, hall: LiveServer, clock: ManualClock) -> None:
    press_help(hall, hall.accounts.device_token, note="读卡器读不出社保卡")
    clock.advance(timedelta(minutes=4))
    press_help(hall, hall.accounts.kiosk_token, device=KIOSK_DEVICES[0])
    app = SnapshotClerkApp(QueueClient(hall.base_url), window_no=3, clock=clock)

    async def run_before(pilot: Pilot[None]) -> None:
        await log_in(pilot, "clerk1")
        await until(pilot, lambda: settled(app), "the console to settle")
        await until(pilot, lambda: "一键求助（2）" in banner_text(app), "both requests")
        await until(pilot, lambda: banner(app).has_class("-escalated"), "escalation")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SMALLEST, run_before=run_before)


def test_manager_help_snapshot(snap_compare: Compare, hall: LiveServer, clock: ManualClock) -> None:
    press_help(hall, hall.accounts.device_token)
    clock.advance(timedelta(minutes=1))
    app = SnapshotManagerApp(QueueClient(hall.base_url), clock=clock, heartbeat_seconds=2.0)

    async def run_before(pilot: Pilot[None]) -> None:
        await manager_logged_in(app, pilot)
        await until(pilot, lambda: "一键求助（1）" in banner_text(app), "the request")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SMALLEST, run_before=run_before)
