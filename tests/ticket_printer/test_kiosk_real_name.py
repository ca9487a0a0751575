"""实名取号 at the kiosk through Textual's Pilot against a real queue server: a real-name
category asks for the ID number (typed, or a card reader's burst + Enter) before it issues,
says at once when the number is wrong, and says why when the daily allowance is used up."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from textual.widgets import Input, Static

from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.appointment_support import MONDAY, SECRET, at, book
from tests.browser import artifacts
from tests.real_name_support import ID_NUMBER, REAL_NAME_LIMIT, real_name_hall
from tests.support import LiveServer, live_server
from tests.ticket_printer.pilot import file_printer, screen_lines, shown, start, tap, until
from tests.ticket_printer.support import run_async
from tests.tui import on_screen
from ticket_printer.kiosk.app import KioskApp
from ticket_printer.kiosk.screens.check_in import CheckInScreen
from ticket_printer.kiosk.screens.confirm import ConfirmScreen
from ticket_printer.kiosk.screens.id_number import IdNumberScreen
from ticket_printer.kiosk.screens.matter import MatterScreen
from ticket_printer.kiosk.screens.ticket import TicketScreen

SMALLEST = (80, 24)


@pytest.fixture
def hall_server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path, hall=real_name_hall()) as running:
        yield running


def text_of(app: KioskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def issued(server: LiveServer) -> list[str]:
    admin = server.client(server.login(server.accounts.admin))
    return [ticket["number"] for ticket in admin.get("/api/tickets").json()]


def test_a_real_name_category_asks_for_the_id_number_before_it_issues(
    hall_server: LiveServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with QueueClient(
            hall_server.base_url, token=hall_server.accounts.kiosk_token
        ) as client:
            app = KioskApp(client, file_printer(tmp_path / "lp0"), device_name="kiosk-entrance")
            async with app.run_test(size=SMALLEST) as pilot:
                await start(pilot, app)
                await tap(pilot, "#category-general")
                await shown(pilot, MatterScreen)
                await tap(pilot, "#skip")
                await shown(pilot, ConfirmScreen)
                await tap(pilot, "#confirm")
                await shown(pilot, IdNumberScreen)
                page = "".join(screen_lines(app))
                assert "综合受理：实名取号" in page
                assert f"每人每天最多取{REAL_NAME_LIMIT}个号" in page
                for selector in ("#id-number", "#confirm", "#back", "#id-why"):
                    assert on_screen(app.screen.query_one(selector)), selector
                assert app.focused is app.screen.query_one("#id-number", Input)
                # A slip of the finger: the check digit says so before anything is sent.
                await pilot.press(*(ID_NUMBER[:17] + "5"), "enter")
                await until(pilot, lambda: "校验位不正确" in text_of(app, "#error"))
                assert app.screen.query_one("#id-number", Input).value == ""
                assert issued(hall_server) == []
                # The card reader types the number and Enter in one burst; dots only.
                await pilot.press(*ID_NUMBER[:17])
                lines = "".join(screen_lines(app))
                assert ID_NUMBER[:6] not in lines and "•" in lines
                app.save_screenshot(filename="kiosk-real-name.svg", path=str(artifacts()))
                await pilot.press(ID_NUMBER[17], "enter")
                await shown(pilot, TicketScreen)
                assert text_of(app, "#number-text") == "B001"

    run_async(scenario())
    assert issued(hall_server) == ["B001"]


def test_the_kiosk_says_why_a_person_gets_no_more_tickets_today(
    hall_server: LiveServer, tmp_path: Path
) -> None:
    kiosk = httpx.Client(
        base_url=hall_server.base_url,
        headers={"Authorization": f"Bearer {hall_server.accounts.kiosk_token}"},
    )
    with kiosk:
        for _ in range(REAL_NAME_LIMIT):
            body = {"category": "general", "id_number": ID_NUMBER}
            assert kiosk.post("/api/tickets", json=body).status_code == 201

    async def scenario() -> None:
        async with QueueClient(
            hall_server.base_url, token=hall_server.accounts.kiosk_token
        ) as client:
            app = KioskApp(client, file_printer(tmp_path / "lp0"), device_name="kiosk-2")
            async with app.run_test(size=SMALLEST) as pilot:
                await start(pilot, app)
                await tap(pilot, "#category-general")
                await shown(pilot, MatterScreen)
                await tap(pilot, "#skip")
                await shown(pilot, ConfirmScreen)
                await tap(pilot, "#confirm")
                await shown(pilot, IdNumberScreen)
                await pilot.press(*ID_NUMBER, "enter")
                await until(pilot, lambda: "最多取2个号" in text_of(app, "#error"))
                assert isinstance(app.screen, IdNumberScreen) and not app.screen.busy
                assert on_screen(app.screen.query_one("#error"))
                app.save_screenshot(filename="kiosk-real-name-refused.svg", path=str(artifacts()))
                await tap(pilot, "#back")
                await until(pilot, lambda: len(app.screen_stack) == 2)

    run_async(scenario())
    assert issued(hall_server) == ["B001", "B002"]


def test_a_walk_in_after_a_missed_slot_asks_for_the_id_number_too(tmp_path: Path) -> None:
    """Too late for the booking, the one-key walk-in ticket of a real-name category goes
    through the ID number like any other ticket of it."""
    clock = ManualClock(at(MONDAY, "09:30"))
    with live_server(tmp_path, hall=real_name_hall(), clock=clock, secret_key=SECRET) as server:
        booking = book(server.database_url, hall="main", slot="08:30")

        async def scenario() -> None:
            async with QueueClient(server.base_url, token=server.accounts.kiosk_token) as client:
                app = KioskApp(client, file_printer(tmp_path / "lp0"), device_name="kiosk-3")
                async with app.run_test(size=SMALLEST) as pilot:
                    await start(pilot, app)
                    await pilot.press("y")
                    await shown(pilot, CheckInScreen)
                    await pilot.press(*booking, "enter")
                    await until(pilot, lambda: app.screen.query_one("#walk-in").display)
                    await pilot.press("enter")  # the walk-in ticket of 综合受理
                    await shown(pilot, IdNumberScreen)
                    await pilot.press(*ID_NUMBER, "enter")
                    await shown(pilot, TicketScreen)

        run_async(scenario())
        admin = server.client(server.login(server.accounts.admin))
        tickets = admin.get("/api/tickets").json()
    assert [(t["category"], t["appointment_slot"]) for t in tickets] == [("general", None)]
