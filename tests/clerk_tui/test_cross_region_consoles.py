"""市域通办 in the consoles, driven by keys through Pilot against a real server serving the
example city: a clerk of 一门市民服务中心 (`main`) opens a case from the ticket at the window
(Ctrl+T, or the transfer dialog's first choice) and forwards it from the case list of a 跨域通办
window (Ctrl+L); the manager of 康巴什 (`kangbashi`, the owning hall) accepts and decides it
from the 市域通办 page (F9); refusals are shown in words."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from clerk_tui.app import ClerkApp
from clerk_tui.cross_region.case_screen import CrossRegionCaseScreen
from clerk_tui.cross_region.dialogs import OpenCaseDialog
from clerk_tui.cross_region.list_screen import CrossRegionListScreen
from clerk_tui.manager.app import ManagerApp
from clerk_tui.manager.dialogs import ChoiceDialog, FormDialog
from clerk_tui.manager.main_screen import ManagerScreen
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.city_support import LiveCity, live_city
from tests.clerk_tui.console import console, log_in, settled
from tests.clerk_tui.helpers import type_text, until
from tests.clerk_tui.test_manager import SHANGHAI

MATTER = "flexible_employment"
"""灵活就业: both modes, every hall may own it, no paper originals to mail."""
CROSS_WINDOW = 9
"""The 跨域通办 window of the main hall (categories cross_region, general)."""
SIZE = (100, 30)
NEVER = 600.0
"""A refresh interval no test lasts: what changes, changes because of a key or the feed."""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def city(tmp_path: Path, clock: ManualClock) -> Iterator[LiveCity]:
    with live_city(tmp_path, clock=clock) as running:
        yield running


def issue(city: LiveCity, code: str = "main") -> dict[str, Any]:
    kiosk = city.client(city.city.hall(code).kiosk_token)
    response = kiosk.post("/api/tickets", json={"category": "general", "matter": MATTER})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def cases_of(city: LiveCity, person: str) -> list[dict[str, Any]]:
    response = city.as_(person).get("/api/cross-region-cases")
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


def open_and_forward(city: LiveCity, person: str, ticket_id: int) -> dict[str, Any]:
    """Open a case for 康巴什 from a ticket of the main hall and forward it electronically."""
    staff = city.as_(person)
    opened = staff.post(
        "/api/cross-region-cases",
        json={
            "ticket_id": ticket_id,
            "matter": MATTER,
            "owner_hall": "kangbashi",
            "mode": "remote_accept",
            "delivery": "pickup",
        },
    )
    assert opened.status_code == 201, opened.text
    case: dict[str, Any] = opened.json()
    forwarded = staff.post(
        f"/api/cross-region-cases/{case['id']}/forward", json={"channel": "electronic"}
    )
    assert forwarded.status_code == 200, forwarded.text
    return case


def forwarded_case(city: LiveCity) -> dict[str, Any]:
    """A case opened at the main hall's window 3 for 康巴什 and forwarded electronically."""
    ticket = issue(city)
    clerk = city.as_("main-clerk1")
    assert clerk.post("/api/windows/3/sign-in").status_code == 200
    assert clerk.post("/api/windows/3/call-next").json()["id"] == ticket["id"]
    return open_and_forward(city, "main-clerk1", ticket["id"])


def called(app: ClerkApp) -> bool:
    return app.hall_state is not None and app.hall_state.current is not None


def text(app: ClerkApp | ManagerApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def case_rows(app: ClerkApp | ManagerApp) -> list[list[str]]:
    table: DataTable[str] = app.screen.query_one("#cross-region-cases", DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def case_status(app: ClerkApp | ManagerApp) -> str | None:
    screen = app.screen
    if not isinstance(screen, CrossRegionCaseScreen) or screen.case is None:
        return None
    return screen.case.status


@asynccontextmanager
async def manager_console(
    city: LiveCity, clock: ManualClock, name: str = "kangbashi-manager"
) -> AsyncIterator[tuple[ManagerApp, Pilot[None]]]:
    async with QueueClient(city.base_url) as client:
        app = ManagerApp(client, clock=clock, heartbeat_seconds=2.0, live_refresh_seconds=NEVER)
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, name)
            await until(pilot, lambda: app.live is not None, "the live figures")
            await until(pilot, lambda: app.followed_seq is not None, "the live feed")
            yield app, pilot


@pytest.mark.anyio
async def test_a_clerk_opens_a_case_from_the_ticket_at_the_window_and_forwards_it(
    city: LiveCity, clock: ManualClock
) -> None:
    ticket = issue(city)
    async with console(city.base_url, clerk="main-clerk1", window=CROSS_WINDOW, clock=clock) as (
        app,
        pilot,
    ):
        await pilot.press("f1")
        await until(pilot, lambda: called(app), "the call")
        await until(pilot, lambda: settled(app), "settled")
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, OpenCaseDialog), "the opening form")
        dialog = app.screen
        assert isinstance(dialog, OpenCaseDialog)
        await pilot.pause()
        # The ticket's matter comes first chosen; the owner is the first other hall.
        assert dialog.query_one("#xr-matter").value == MATTER  # type: ignore[attr-defined]
        assert dialog.query_one("#xr-owner").value == "kangbashi"  # type: ignore[attr-defined]
        await pilot.press("f10")
        await until(pilot, lambda: not isinstance(app.screen, OpenCaseDialog), "the case opened")
        await until(pilot, lambda: "已开市域通办件" in text(app, "#message"), "the news")
        owned = cases_of(city, "kangbashi-manager")
        assert [(c["ticket_id"], c["owner_hall"], c["status"]) for c in owned] == [
            (ticket["id"], "kangbashi", "received")
        ]
        assert owned[0]["code"] in text(app, "#message")

        # The same matter for the same ticket again: the server refuses, the form says why.
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, OpenCaseDialog), "the form again")
        await pilot.pause()
        await pilot.press("f10")
        await until(pilot, lambda: "开件失败" in text(app, "#form-error"), "the refusal")
        assert f"已登记市域通办案件{owned[0]['code']}" in text(app, "#form-error")
        await pilot.press("escape")

        # The window is a 跨域通办 window: its case list, and the receiving hall's step.
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, CrossRegionListScreen), "the list")
        await until(pilot, lambda: len(case_rows(app)) == 1, "the case in the list")
        assert case_rows(app)[0][0] == owned[0]["code"]
        assert case_rows(app)[0][-1] == "转递"
        await pilot.press("enter")
        await until(pilot, lambda: case_status(app) == "received", "the case read")
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the channels")
        await pilot.press("enter")  # 电子流转
        await until(pilot, lambda: case_status(app) == "forwarded", "forwarded")
        assert "已转递" in text(app, "#case-message")
        await pilot.press("escape")
        await until(pilot, lambda: case_rows(app)[0][1] == "已转递", "the list read again")
        assert case_rows(app)[0][-1] == "—"
    assert cases_of(city, "kangbashi-manager")[0]["status"] == "forwarded"


@pytest.mark.anyio
async def test_the_transfer_dialog_offers_cross_region_first(
    city: LiveCity, clock: ManualClock
) -> None:
    issue(city)
    async with console(city.base_url, clerk="main-clerk1", window=3, clock=clock) as (app, pilot):
        await pilot.press("f1")
        await until(pilot, lambda: called(app), "the call")
        await until(pilot, lambda: settled(app), "settled")
        await pilot.press("f6")
        await pilot.press("enter")  # the first choice: 市域通办
        await until(pilot, lambda: isinstance(app.screen, OpenCaseDialog), "the opening form")
        await pilot.press("escape")
        await pilot.press("ctrl+l")  # window 3 is no 跨域通办 window: no case list
        await pilot.pause()
        assert not isinstance(app.screen, CrossRegionListScreen)


@pytest.mark.anyio
async def test_the_owning_hall_accepts_and_decides_from_the_cross_region_page(
    city: LiveCity, clock: ManualClock
) -> None:
    case = forwarded_case(city)
    async with manager_console(city, clock) as (app, pilot):
        await pilot.press("f9")
        screen = app.screen
        assert isinstance(screen, ManagerScreen) and screen.page == "cross_region"
        await until(pilot, lambda: len(case_rows(app)) == 1, "the case on the page")
        assert case_rows(app)[0][0] == case["code"]
        assert case_rows(app)[0][-1] == "受理/补正"
        await pilot.press("enter")
        await until(pilot, lambda: case_status(app) == "forwarded", "the case read")
        await pilot.press("a")
        await until(pilot, lambda: case_status(app) == "accepted", "accepted")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the decisions")
        await pilot.press("down", "enter")  # 不予办理
        await until(pilot, lambda: isinstance(app.screen, FormDialog), "the reason")
        await pilot.press("enter")
        assert "请填写" in text(app, "#form-error")
        await type_text(pilot, "材料不全")
        await pilot.press("enter")
        await until(pilot, lambda: case_status(app) == "decided", "decided")
        assert "不予办理（材料不全）" in text(app, "#cross-region-card")
        await pilot.press("escape")
        await until(pilot, lambda: case_rows(app)[0][1] == "已办结", "the list read again")
        assert case_rows(app)[0][-1] == "—"  # 送达 is the pickup hall's (main)
    decided = city.as_("main-manager").get(f"/api/cross-region-cases/{case['id']}").json()
    assert (decided["status"], decided["result"], decided["reason"]) == (
        "decided",
        "rejected",
        "材料不全",
    )


@pytest.mark.anyio
async def test_the_page_follows_the_steps_of_the_hall_on_its_live_feed(
    city: LiveCity, clock: ManualClock
) -> None:
    case = forwarded_case(city)
    async with manager_console(city, clock) as (app, pilot):
        await pilot.press("f9")
        await until(pilot, lambda: len(case_rows(app)) == 1, "the case on the page")
        assert case_rows(app)[0][1] == "已转递"
        # Another terminal of 康巴什 accepts it: cross_region.accepted on the hall's feed.
        accepted = city.as_("kangbashi-manager").post(
            f"/api/cross-region-cases/{case['id']}/accept", json={}
        )
        assert accepted.status_code == 200, accepted.text
        await until(pilot, lambda: case_rows(app)[0][1] == "已受理", "the page read again")
        assert case_rows(app)[0][-1] == "办结"


@pytest.mark.anyio
async def test_an_overdue_step_marks_the_case_when_its_alert_arrives(
    tmp_path: Path, clock: ManualClock
) -> None:
    with live_city(tmp_path, clock=clock, alert_check_seconds=0.05) as city:
        forwarded_case(city)  # on Monday at 9:00: 受理 is due at the end of Tuesday
        clock.advance(timedelta(hours=38))  # Tuesday 23:00 (a login lasts 12 hours)
        async with manager_console(city, clock) as (app, pilot):
            await pilot.press("f9")
            await until(pilot, lambda: len(case_rows(app)) == 1, "the case on the page")
            assert not case_rows(app)[0][5].startswith("⚠")
            clock.advance(timedelta(hours=2))
            await until(pilot, lambda: case_rows(app)[0][5].startswith("⚠"), "the ⚠ mark")
            assert "逾期 1 件" in text(app, "#cross-region-title")
            assert any(alert.type == "alert.cross_region_overdue" for alert in app.alerts)


@pytest.mark.anyio
async def test_the_pickup_hall_hands_the_result_over_at_its_pickup_window(
    city: LiveCity, clock: ManualClock
) -> None:
    case = forwarded_case(city)
    owner = city.as_("kangbashi-manager")
    for step, body in [("accept", {}), ("decide", {"result": "approved"})]:
        response = owner.post(f"/api/cross-region-cases/{case['id']}/{step}", json=body)
        assert response.status_code == 200, response.text
    async with console(city.base_url, clerk="main-clerk2", window=12, clock=clock) as (app, pilot):
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, CrossRegionListScreen), "the list")
        await until(pilot, lambda: len(case_rows(app)) == 1, "the case in the list")
        assert case_rows(app)[0][1:2] == ["已办结"] and case_rows(app)[0][-1] == "送达"
        await pilot.press("enter")
        await until(pilot, lambda: case_status(app) == "decided", "the case read")
        # By mail, though the applicant chose to pick it up: the server says no, in words.
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the channels")
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, FormDialog), "the tracking number")
        await type_text(pilot, "SF1234567890")
        await pilot.press("enter")
        await until(pilot, lambda: "送达失败" in text(app, "#case-message"), "the refusal")
        assert "申请人选择的是窗口领取" in text(app, "#case-message")
        assert case_status(app) == "decided"
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the channels")
        await pilot.press("enter")  # 窗口领取, the applicant's choice, comes highlighted
        await until(pilot, lambda: case_status(app) == "delivered", "delivered")
        assert "已送达，当前状态：已出件" in text(app, "#case-message")
