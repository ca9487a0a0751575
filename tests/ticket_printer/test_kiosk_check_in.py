"""预约签到 at the kiosk through Pilot against a real server with a manual clock: by booking
code (typed, as a QR reader types it) and by ID number (as a card reader types it), printed
with 预约 and the slot; too late → the kiosk says so and one key takes a walk-in ticket of the
booking's category; an unknown code is refused in plain words. Snapshot at 80×24."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from queue_server.client import QueueClient
from queue_server.config import load_hall_config
from queue_server.domain.clock import ManualClock
from tests.appointment_support import ID_NUMBER, MONDAY, SECRET, at, book
from tests.support import LiveServer, live_server
from tests.ticket_printer.pilot import file_printer, idle, screen_lines, shown, start, tap, until
from tests.ticket_printer.support import run_async
from ticket_printer.kiosk.app import KioskApp
from ticket_printer.kiosk.screens.check_in import CheckInScreen
from ticket_printer.kiosk.screens.ticket import TicketScreen

HALL = load_hall_config().code
SIZE = (80, 24)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at(MONDAY, "09:05"))


@pytest.fixture
def server(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=clock, secret_key=SECRET) as running:
        yield running


def error_text(app: KioskApp) -> str:
    return str(app.screen.query_one("#check-in-error", Static).render())


async def scan(pilot: Pilot[None], text: str) -> None:
    """What a keyboard-wedge reader does: a burst of characters, then Enter."""
    await pilot.press(*text, "enter")


def test_check_in_by_code_and_by_id_number_prints_an_appointment_ticket(
    server: LiveServer, tmp_path: Path
) -> None:
    by_code = book(server.database_url, hall=HALL, slot="09:00")
    book(server.database_url, hall=HALL, slot="09:30", category="enterprise")
    target = tmp_path / "lp0"

    async def scenario() -> None:
        async with QueueClient(server.base_url, token=server.accounts.kiosk_token) as client:
            app = KioskApp(client, file_printer(target), device_name="kiosk-entrance")
            async with app.run_test(size=SIZE) as pilot:
                await start(pilot, app)
                await pilot.press("y")  # the key of 预约签到 on the home screen
                await shown(pilot, CheckInScreen)
                await scan(pilot, by_code.lower())
                await shown(pilot, TicketScreen)
                await until(pilot, lambda: "预约 09:00-09:30" in "\n".join(screen_lines(app)))
                await until(pilot, lambda: idle(app))
                printed = target.read_bytes()
                assert printed
                await pilot.press("escape")
                await start(pilot, app)
                await tap(pilot, "#check-in-entry")  # the button of 预约签到
                await shown(pilot, CheckInScreen)
                await scan(pilot, ID_NUMBER)
                await shown(pilot, TicketScreen)
                await until(pilot, lambda: "预约 09:30-10:00" in "\n".join(screen_lines(app)))

    run_async(scenario())
    admin = server.client(server.login(server.accounts.admin))
    tickets = admin.get("/api/tickets").json()
    assert [(t["category"], t["appointment_slot"]) for t in tickets] == [
        ("general", "09:00-09:30"),
        ("enterprise", "09:30-10:00"),
    ]


def test_too_late_offers_a_walk_in_ticket_with_one_key(
    server: LiveServer, clock: ManualClock, tmp_path: Path
) -> None:
    booking = book(server.database_url, hall=HALL, slot="08:30")
    clock.set(at(MONDAY, "09:30"))

    async def scenario() -> None:
        async with QueueClient(server.base_url, token=server.accounts.kiosk_token) as client:
            app = KioskApp(client, file_printer(tmp_path / "lp0"), device_name="kiosk-entrance")
            async with app.run_test(size=SIZE) as pilot:
                await start(pilot, app)
                await pilot.press("y")
                await shown(pilot, CheckInScreen)
                await scan(pilot, "NOSUCH23")
                await until(pilot, lambda: bool(error_text(app)))
                assert "没有这个预约码" in error_text(app)
                assert not app.screen.query_one("#walk-in").display
                await scan(pilot, booking)
                await until(pilot, lambda: app.screen.query_one("#walk-in").display)
                assert "时段已过" in error_text(app)
                assert "普通号" in error_text(app)
                app.save_screenshot(filename="kiosk-check-in-late.svg", path=str(tmp_path))
                await pilot.press("enter")  # one key: the walk-in ticket of 综合受理
                await shown(pilot, TicketScreen)

    run_async(scenario())
    admin = server.client(server.login(server.accounts.admin))
    tickets = admin.get("/api/tickets").json()
    assert [(t["category"], t["appointment_slot"]) for t in tickets] == [("general", None)]


def test_the_too_late_screen_at_the_smallest_size(
    server: LiveServer, clock: ManualClock, snap_compare: Callable[..., bool], tmp_path: Path
) -> None:
    booking = book(server.database_url, hall=HALL, slot="08:30")
    clock.set(at(MONDAY, "09:30"))
    client = QueueClient(server.base_url, token=server.accounts.kiosk_token)
    app = KioskApp(
        client,
        file_printer(tmp_path / "lp0"),
        device_name="kiosk-entrance",
        clock=ManualClock(at(MONDAY, "09:30")),
    )

    async def run_before(pilot: Pilot[None]) -> None:
        await start(pilot, app)
        await pilot.press("y")
        await shown(pilot, CheckInScreen)
        await scan(pilot, booking)
        await until(pilot, lambda: app.screen.query_one("#walk-in").display and idle(app))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
