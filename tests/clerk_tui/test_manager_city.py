"""The manager console in a city of several halls, driven by keys through Pilot against a real
server serving the shipped example city (`main`, `kangbashi`, `ejinhoro`): the hall switcher,
the 全市 page, and a hall-bound manager who gets neither."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from clerk_tui.manager.app import ManagerApp
from clerk_tui.manager.case_screen import CaseScreen
from clerk_tui.manager.dialogs import ChoiceDialog
from clerk_tui.manager.main_screen import ManagerScreen
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.city_support import LiveCity, live_city
from tests.clerk_tui.console import log_in
from tests.clerk_tui.helpers import until
from tests.clerk_tui.test_manager import SHANGHAI, rows, text_of

SIZE = (100, 30)
HALL_NAMES = {
    "main": "一门市民服务中心",
    "kangbashi": "康巴什区政务服务中心",
    "ejinhoro": "伊金霍洛旗政务服务中心",
}
WINDOWS = {"main": 12, "kangbashi": 6, "ejinhoro": 5}
NEVER = 600.0
"""A refresh interval no test lasts: what changes, changes because of the live feed."""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def city(tmp_path: Path, clock: ManualClock) -> Iterator[LiveCity]:
    with live_city(tmp_path, clock=clock, alert_check_seconds=0.05) as running:
        yield running


@asynccontextmanager
async def manager_console(
    server: LiveCity,
    name: str = "manager",
    *,
    live_refresh_seconds: float = 5.0,
    city_refresh_seconds: float = 5.0,
) -> AsyncIterator[tuple[ManagerApp, Pilot[None]]]:
    async with QueueClient(server.base_url) as client:
        app = ManagerApp(
            client,
            heartbeat_seconds=2.0,
            live_refresh_seconds=live_refresh_seconds,
            city_refresh_seconds=city_refresh_seconds,
        )
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, name)
            await until(pilot, lambda: app.live is not None, "the live figures")
            yield app, pilot


def kiosk(city: LiveCity, code: str) -> httpx.Client:
    return city.client(city.city.hall(code).kiosk_token)


def issue(city: LiveCity, code: str, category: str = "general") -> None:
    response = kiosk(city, code).post("/api/tickets", json={"category": category})
    assert response.status_code == 201, response.text


def waiting(app: ManagerApp) -> int:
    return 0 if app.live is None else sum(category.waiting for category in app.live.categories)


def page(app: ManagerApp) -> str:
    screen = app.screen
    assert isinstance(screen, ManagerScreen)
    return screen.page


def on_hall(app: ManagerApp, code: str) -> bool:
    return (
        app.client.hall_code == code
        and app.live is not None
        and len(rows(app, "#live-windows")) == WINDOWS[code]
    )


@pytest.mark.anyio
async def test_a_hall_bound_manager_sees_only_that_hall_with_no_switcher(city: LiveCity) -> None:
    async with manager_console(city, "kangbashi-manager") as (app, pilot):
        await until(pilot, lambda: len(rows(app, "#live-windows")) > 0, "the windows")
        assert not app.city_wide
        assert app.client.hall_code is None  # the server knows the manager's hall
        assert HALL_NAMES["kangbashi"] in text_of(app, "#manager-status")
        assert len(rows(app, "#live-windows")) == WINDOWS["kangbashi"]
        assert not app.screen.query("#city-page")
        await pilot.press("f8")
        await pilot.press("f7")
        assert page(app) == "live"


@pytest.mark.anyio
async def test_f8_switches_every_page_and_the_live_feed_to_the_chosen_hall(
    city: LiveCity,
) -> None:
    issue(city, "main")
    async with manager_console(city, live_refresh_seconds=NEVER, city_refresh_seconds=NEVER) as (
        app,
        pilot,
    ):
        await until(pilot, lambda: on_hall(app, "main"), "the first hall of the city")
        assert app.city_wide
        assert HALL_NAMES["main"] in text_of(app, "#manager-status")
        assert waiting(app) == 1
        await pilot.press("f4")

        await pilot.press("f8")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        options = dialog.query_one(OptionList)
        assert [str(options.get_option_at_index(i).prompt) for i in range(3)] == [
            "一门市民服务中心（市本级） · 等候 1 人 · 当前",
            "康巴什区政务服务中心（康巴什区） · 等候 0 人",
            "伊金霍洛旗政务服务中心（伊金霍洛旗） · 等候 0 人",
        ]
        assert options.highlighted == 0
        await pilot.press("down", "enter")

        await until(pilot, lambda: on_hall(app, "kangbashi"), "the chosen hall's windows")
        assert HALL_NAMES["kangbashi"] in text_of(app, "#manager-status")
        assert waiting(app) == 0
        assert page(app) == "cases"  # the manager stays on the page they were on
        # The live feed now follows 康巴什: its ticket shows at once, with no timer to help.
        issue(city, "kangbashi")
        await until(pilot, lambda: waiting(app) == 1, "康巴什's ticket, from its live feed")
        issue(city, "main")
        issue(city, "kangbashi", "consult")
        await until(pilot, lambda: waiting(app) == 2, "康巴什's second ticket")

        await pilot.press("escape")  # Esc in the switcher keeps the hall
        await pilot.press("f8")
        assert isinstance(app.screen, ChoiceDialog)
        assert app.screen.query_one(OptionList).highlighted == 1
        await pilot.press("escape")
        assert isinstance(app.screen, ManagerScreen)
        assert app.client.hall_code == "kangbashi"


@pytest.mark.anyio
async def test_the_city_page_shows_every_hall_live_with_trouble_marked(
    city: LiveCity, clock: ManualClock
) -> None:
    async with manager_console(city, city_refresh_seconds=0.2) as (app, pilot):
        await pilot.press("f7")
        assert page(app) == "city"
        await until(pilot, lambda: len(rows(app, "#city-halls")) == 3, "every hall")
        assert [row[0] for row in rows(app, "#city-halls")] == [
            "▸ 一门市民服务中心",
            "  康巴什区政务服务中心",
            "  伊金霍洛旗政务服务中心",
        ]
        assert rows(app, "#city-halls")[2][1:] == ["0", "—", "0", "0", "0", "5", "0"]

        issue(city, "ejinhoro")
        await until(pilot, lambda: rows(app, "#city-halls")[2][1] == "1", "the new ticket")
        clock.advance(timedelta(minutes=25))  # past 综合受理's 20-minute target
        await until(pilot, lambda: rows(app, "#city-halls")[2][3] == "⚠ 1", "over target")
        await until(pilot, lambda: rows(app, "#city-halls")[2][7].startswith("⚠"), "an alert")
        assert rows(app, "#city-halls")[2][2] == "25分00秒"
        assert rows(app, "#city-halls")[0][3] == "0"
        assert "1 个大厅需关注" in text_of(app, "#city-summary")

        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: on_hall(app, "ejinhoro"), "伊金霍洛旗's live page")
        assert page(app) == "live"
        assert HALL_NAMES["ejinhoro"] in text_of(app, "#manager-status")
        assert waiting(app) == 1
        await pilot.press("f7")
        await until(
            pilot, lambda: rows(app, "#city-halls")[2][0] == "▸ 伊金霍洛旗政务服务中心", "▸"
        )


@pytest.mark.anyio
async def test_a_case_names_its_hall_for_a_city_wide_manager(city: LiveCity) -> None:
    manager = city.as_("kangbashi-manager")
    opened = manager.post("/api/cases", json={"summary": "社保转移缺少原参保地证明"})
    assert opened.status_code == 201, opened.text
    async with manager_console(city) as (app, pilot):
        await pilot.press("f8", "down", "enter")
        await until(pilot, lambda: on_hall(app, "kangbashi"), "康巴什")
        await pilot.press("f4")
        await until(pilot, lambda: len(rows(app, "#case-list")) == 1, "康巴什's case")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CaseScreen), "the case")
        assert text_of(app, "#case-hall") == "大厅：康巴什区政务服务中心"
