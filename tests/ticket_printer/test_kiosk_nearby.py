"""就近办 at the kiosk, through Textual's Pilot against a real server of a city of three halls:
the confirm screen points to a much quicker hall (the ticket can still be taken here), the
printed ticket carries a QR code to `/city`, and after hours the screen shows that QR code."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Static

from queue_server.client import QueueClient
from queue_server.config import parse_hall_config
from queue_server.domain.clock import ManualClock
from tests.browser import artifacts
from tests.city_support import LiveCity, live_city
from tests.nearby_support import issue, nearby_city, open_window
from tests.support import live_server
from tests.test_config import DEFAULT_TEXT
from tests.ticket_printer.pilot import file_printer, screen_lines, shown, start, tap, until
from tests.ticket_printer.support import raster_blocks, run_async
from ticket_printer.kiosk.app import KioskApp
from ticket_printer.kiosk.qr_text import qr_text
from ticket_printer.kiosk.screens.confirm import ConfirmScreen
from ticket_printer.kiosk.screens.matter import MatterScreen
from ticket_printer.kiosk.screens.ticket import TicketScreen
from ticket_printer.raster import CITY_QR_BOX_FRACTION, qr_image

SIZE = (120, 40)
EVENING = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # 20:00 in the hall


@pytest.fixture
def city(tmp_path: Path) -> Iterator[LiveCity]:
    """综合受理 is crowded at 市民中心 (about 80 minutes, target 20) and quick at 康巴什."""
    with live_city(tmp_path, city=nearby_city(tmp_path)) as running:
        open_window(running, "main", 2)
        open_window(running, "kangbashi", 2)
        issue(running, "main", "general", 8)
        issue(running, "kangbashi", "general", 1)
        yield running


def elsewhere(app: KioskApp) -> str:
    return str(app.screen.query_one("#elsewhere", Static).render())


def test_the_confirm_screen_names_a_much_quicker_hall_and_the_ticket_can_still_be_taken(
    city: LiveCity, tmp_path: Path
) -> None:
    target = tmp_path / "lp0"

    async def scenario() -> None:
        token = city.city.hall("main").kiosk_token
        async with QueueClient(city.base_url, token=token) as client:
            app = KioskApp(client, file_printer(target), device_name="kiosk-entrance")
            async with app.run_test(size=SIZE) as pilot:
                await start(pilot, app)
                await tap(pilot, "#category-general")
                await shown(pilot, MatterScreen)
                await tap(pilot, "#matter-household_move")
                await shown(pilot, ConfirmScreen)
                await until(pilot, lambda: app.screen.query_one("#elsewhere").display)
                words = elsewhere(app)
                assert "康巴什区政务服务中心" in words
                assert "内蒙古自治区鄂尔多斯市康巴什区政务服务中心" in words  # the address
                assert "您也可以继续在这里取号" in words
                assert "市域通办" not in words  # 康巴什 decides it itself
                assert "康巴什区政务服务中心" in "".join(screen_lines(app))
                app.save_screenshot(filename="kiosk-confirm-elsewhere.svg", path=str(artifacts()))
                await tap(pilot, "#confirm")
                await shown(pilot, TicketScreen)

    run_async(scenario())
    data = target.read_bytes()
    city_code = qr_image(f"{city.base_url}/city", side=int(576 * CITY_QR_BOX_FRACTION))
    assert len(raster_blocks(data)) == 4  # head, status QR, footer, the QR code to /city
    assert raster_blocks(data)[3].image.size[1] == city_code.height


def test_no_hint_where_the_wait_is_within_target(city: LiveCity) -> None:
    async def scenario() -> None:
        token = city.city.hall("kangbashi").kiosk_token
        async with QueueClient(city.base_url, token=token) as client:
            app = KioskApp(
                client, file_printer(Path("/dev/null")), device_name="kangbashi-kiosk-entrance"
            )
            async with app.run_test(size=SIZE) as pilot:
                await start(pilot, app)
                await tap(pilot, "#category-general")
                await shown(pilot, MatterScreen)
                await tap(pilot, "#matter-retirement")
                await shown(pilot, ConfirmScreen)
                await until(pilot, lambda: not any(w.is_running for w in app.workers))
                assert not app.screen.query_one("#elsewhere").display
                assert elsewhere(app) == ""

    run_async(scenario())


def test_a_hint_across_the_city_for_a_matter_this_hall_does_not_decide(city: LiveCity) -> None:
    open_window(city, "ejinhoro", 2)
    issue(city, "kangbashi", "general", 9)  # 康巴什 is now as slow as 市民中心

    async def scenario() -> None:
        token = city.city.hall("main").kiosk_token
        async with QueueClient(city.base_url, token=token) as client:
            app = KioskApp(client, file_printer(Path("/dev/null")), device_name="kiosk-entrance")
            async with app.run_test(size=SIZE) as pilot:
                await start(pilot, app)
                await tap(pilot, "#category-general")
                await shown(pilot, MatterScreen)
                await tap(pilot, "#matter-household_move")
                await shown(pilot, ConfirmScreen)
                await until(pilot, lambda: app.screen.query_one("#elsewhere").display)
                assert "伊金霍洛旗政务服务中心" in elsewhere(app)
                assert "可在那里市域通办" in elsewhere(app)

    run_async(scenario())


def test_after_hours_the_kiosk_shows_a_qr_code_to_the_city_page(tmp_path: Path) -> None:
    hours = 'opening_hours = [{ start = "08:30", end = "17:00" }]\n'
    text = DEFAULT_TEXT.replace("\nservice_minutes = ", "\n" + hours + "service_minutes = ")
    hall = parse_hall_config(text, source="evening.toml")

    async def scenario(base_url: str, token: str) -> None:
        async with QueueClient(base_url, token=token) as client:
            app = KioskApp(client, file_printer(tmp_path / "lp0"), device_name="kiosk-entrance")
            async with app.run_test(size=(80, 24)) as pilot:
                page = app.screen.query_one("#category-page")
                await until(pilot, lambda: page.has_class("-after-hours"))
                await pilot.pause()
                assert app.screen.query_one("#after-hours").display
                assert not app.screen.query_one("#categories").display
                lines = "\n".join(screen_lines(app))
                rows = [row for row in qr_text(f"{base_url}/city").splitlines() if row.strip()]
                assert len(rows) >= 12
                assert all(row in lines for row in rows)  # the whole code, uncut, on screen
                assert "现在不在取号时间" in lines
                app.save_screenshot(filename="kiosk-after-hours-city.svg", path=str(artifacts()))

    with live_server(tmp_path, hall=hall, clock=ManualClock(EVENING)) as server:
        run_async(scenario(server.base_url, server.accounts.kiosk_token))
