"""潮汐 on the manager console's live page, against a real server: the suggestion is shown with
its expected gain, T applies it (the window's dispatch then calls the switched category), R
ends it by hand; pinned as an SVG snapshot at the smallest size (100×30)."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from clerk_tui.manager.app import ManagerApp
from clerk_tui.manager.pages import LivePage
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.clerk_tui.console import log_in
from tests.clerk_tui.helpers import until
from tests.clerk_tui.test_manager_snapshots import SnapshotManagerApp, settled
from tests.support import LiveServer, live_server
from tests.tidal_support import ENTERPRISE_WINDOW, GENERAL_WINDOW, tidal_hall

START = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in the hall
SMALLEST = (100, 30)
Compare = Callable[..., bool]


def ok(response: httpx.Response, status: int = 200) -> None:
    assert response.status_code == status, response.text


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[LiveServer]:
    """Windows 2 (综合受理) and 7 (企业服务专区, may serve 综合受理) open; four enterprise
    applicants and twenty general ones waiting."""
    with live_server(tmp_path, hall=tidal_hall(), clock=ManualClock(START)) as server:
        for clerk, window in (("clerk1", ENTERPRISE_WINDOW), ("clerk2", GENERAL_WINDOW)):
            ok(
                server.client(server.accounts.clerk_tokens[clerk]).post(
                    f"/api/windows/{window}/sign-in"
                )
            )
        kiosk = server.client(server.accounts.kiosk_token)
        for category in [*["enterprise"] * 4, *["general"] * 20]:
            ok(kiosk.post("/api/tickets", json={"category": category}), 201)
        yield server


def tidal_text(app: ManagerApp) -> str:
    return str(app.screen.query_one("#tidal", Static).render())


def suggested(app: ManagerApp) -> bool:
    return any(page.suggestion is not None for page in app.screen.query(LivePage))


def switched(app: ManagerApp) -> bool:
    return any("潮汐转办中：7号窗口" in str(t.render()) for t in app.screen.query("#tidal"))


@pytest.mark.anyio
async def test_the_suggestion_is_shown_applied_and_ended(hall: LiveServer) -> None:
    clerk = hall.client(hall.accounts.clerk_tokens["clerk1"])
    async with QueueClient(hall.base_url) as client:
        app = ManagerApp(client, clock=ManualClock(START), heartbeat_seconds=2.0)
        async with app.run_test(size=SMALLEST) as pilot:
            await log_in(pilot, "manager")
            await until(pilot, lambda: suggested(app), "the suggestion")
            await pilot.pause()
            shown = hall.client(hall.login("manager")).get("/api/tidal/suggestion").json()
            assert (shown["window"], shown["category"], shown["minutes"]) == (7, "general", 60)
            assert shown["message"].startswith("建议：7号窗口转办 综合受理 60 分钟，预计平均等候 ")
            assert tidal_text(app) == f"{shown['message']} · 按 T 采纳"
            keys = {key.description: key.key_display for key in app.screen.query(FooterKey)}
            assert keys["采纳潮汐"] == "t" and "结束潮汐" not in keys  # no switch yet

            await pilot.press("t")
            await until(pilot, lambda: switched(app), "the switch in force")
            assert tidal_text(app) == (
                "潮汐转办中：7号窗口转办 综合受理（至 11:00） · 在窗口列表选中后按 R 提前结束"
            )
            called = clerk.post(f"/api/windows/{ENTERPRISE_WINDOW}/call-next").json()
            assert called["category"] == "general"  # though enterprise has waited longer

            await pilot.pause()
            keys = {key.description: key.key_display for key in app.screen.query(FooterKey)}
            assert keys["结束潮汐"] == "r" and "采纳潮汐" not in keys
            await pilot.press("r")
            await until(pilot, lambda: not switched(app), "the switch ended")
            message = str(app.screen.query_one("#manager-message", Static).render())
            assert message == "已结束7号窗口的潮汐转办（综合受理）"
    ok(clerk.post(f"/api/tickets/{called['id']}/no-show"))
    assert clerk.post(f"/api/windows/{ENTERPRISE_WINDOW}/call-next").json()["category"] == (
        "enterprise"
    )


def test_snapshot_of_a_suggestion_and_a_switch(snap_compare: Compare, hall: LiveServer) -> None:
    """The live page with window 7 switched to general by applying the suggestion."""
    app = SnapshotManagerApp(QueueClient(hall.base_url), clock=ManualClock(START))

    async def steps(pilot: Pilot[None]) -> None:
        await log_in(pilot, "manager")
        await until(pilot, lambda: suggested(app), "the suggestion")
        await pilot.press("t")
        await until(pilot, lambda: switched(app), "the switch in force")
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=SMALLEST, run_before=steps)
