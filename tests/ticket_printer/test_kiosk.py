"""The touch kiosk through Textual's Pilot against a real queue server, printing to file
printers: a ticket with category, matter and priority; a dead printer; a closed category."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from textual.widgets import Button, Static

from queue_server.client import QueueClient
from queue_server.config import parse_hall_config
from tests.browser import artifacts
from tests.support import LiveServer, live_server
from tests.test_config import DEFAULT_TEXT
from tests.ticket_printer.pilot import file_printer, screen_lines, shown, start, tap, until
from tests.ticket_printer.support import raster_blocks, run_async
from ticket_printer.kiosk.app import KioskApp
from ticket_printer.kiosk.screens.category import CategoryScreen
from ticket_printer.kiosk.screens.confirm import ConfirmScreen
from ticket_printer.kiosk.screens.matter import MatterScreen
from ticket_printer.kiosk.screens.ticket import TicketScreen

SIZE = (140, 50)


def keep_screenshot(app: KioskApp, name: str) -> None:
    """An SVG of the screen in test-artifacts/, for people reviewing the kiosk's looks."""
    app.save_screenshot(filename=f"{name}.svg", path=str(artifacts()))


def text_of(app: KioskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def staff_tickets(server: LiveServer) -> list[dict[str, object]]:
    admin = server.client(server.login(server.accounts.admin))
    tickets: list[dict[str, object]] = admin.get("/api/tickets").json()
    return tickets


def devices(server: LiveServer) -> dict[str, str]:
    """Each device's last reported state, as a manager sees it (the 24-hour zone's devices,
    listed before they report, left out)."""
    if not hasattr(server, "manager_token"):
        server.manager_token = server.login(server.accounts.manager)  # type: ignore[attr-defined]
    token: str = server.manager_token  # type: ignore[attr-defined]
    listed = httpx.get(
        f"{server.base_url}/api/devices", headers={"Authorization": f"Bearer {token}"}
    )
    return {d["name"]: d["state"] for d in listed.json() if d["label"] is None}


def test_three_taps_give_a_printed_ticket_with_matter_and_priority(
    server: LiveServer, tmp_path: Path
) -> None:
    target = tmp_path / "lp0"

    async def scenario() -> None:
        async with QueueClient(server.base_url, token=server.accounts.kiosk_token) as client:
            app = KioskApp(client, file_printer(target), device_name="kiosk-entrance")
            async with app.run_test(size=SIZE) as pilot:
                await start(pilot, app)
                label = str(app.screen.query_one("#category-general", Button).label)
                assert label == "综合受理\n无需等候"  # nobody waiting yet
                await tap(pilot, "#category-general")  # tap 1
                await shown(pilot, MatterScreen)
                await tap(pilot, "#matter-search")
                await pilot.press(*"出生")
                assert not app.screen.query_one("#matter-retirement").display
                await tap(pilot, "#matter-newborn")  # tap 2
                await shown(pilot, ConfirmScreen)
                assert "夫妻双方身份证" in "".join(screen_lines(app))
                assert not app.screen.query_one("#certificate-note").display
                await tap(pilot, "#priority-elderly")  # optional
                assert app.screen.query_one("#certificate-note").display
                assert text_of(app, "#certificate-note") == "请在窗口出示有效证件"
                keep_screenshot(app, "kiosk-confirm")
                await tap(pilot, "#confirm")  # tap 3
                await shown(pilot, TicketScreen)
                assert text_of(app, "#ticket-headline") == "请取走您的号票"
                assert text_of(app, "#number-text") == "B001"
                keep_screenshot(app, "kiosk-ticket")
                assert not app.screen.query_one("#reprint").display
                await tap(pilot, "#done")
                await shown(pilot, CategoryScreen)
                await until(
                    pilot,
                    lambda: (
                        "等候 1 人" in str(app.screen.query_one("#category-general", Button).label)
                    ),
                )

    run_async(scenario())
    [ticket] = staff_tickets(server)
    assert (ticket["number"], ticket["category"]) == ("B001", "general")
    assert (ticket["matter"], ticket["priority"]) == ("新生儿出生", "elderly")
    data = target.read_bytes()
    assert data.startswith(b"\x1b@") and b"\x1dV" in data
    assert len(raster_blocks(data)) == 4  # head, QR code, footer, QR code to /city
    assert devices(server) == {"kiosk-entrance": "ok"}


def test_a_dead_printer_shows_the_number_and_reprints(server: LiveServer, tmp_path: Path) -> None:
    target = tmp_path / "unplugged" / "lp0"

    async def scenario() -> None:
        async with QueueClient(server.base_url, token=server.accounts.kiosk_token) as client:
            app = KioskApp(client, file_printer(target), device_name="kiosk-2")
            async with app.run_test(size=SIZE) as pilot:
                await start(pilot, app)
                await tap(pilot, "#category-consult")  # no matters: straight to confirm
                await shown(pilot, ConfirmScreen)
                await tap(pilot, "#confirm")
                await shown(pilot, TicketScreen)
                assert text_of(app, "#ticket-headline") == "取号成功，但号票未能打印"
                assert "打印机未连接" in text_of(app, "#fault")
                assert "请记下您的号码 A001" in text_of(app, "#fault")
                assert text_of(app, "#number-text") == "A001"
                assert app.screen.query_one("#reprint").display
                keep_screenshot(app, "kiosk-printer-fault")
                await until(pilot, lambda: devices(server).get("kiosk-2") == "printer_offline")

                target.parent.mkdir()
                await tap(pilot, "#reprint")
                await until(pilot, lambda: text_of(app, "#ticket-headline") == "请取走您的号票")
                assert not app.screen.query_one("#reprint").display
                await until(pilot, lambda: devices(server).get("kiosk-2") == "ok")

    run_async(scenario())
    assert [t["number"] for t in staff_tickets(server)] == ["A001"]  # one ticket, not two
    assert len(raster_blocks(target.read_bytes())) == 4


@pytest.fixture
def capped_server(tmp_path: Path) -> Iterator[LiveServer]:
    text = DEFAULT_TEXT.replace('name = "出件"\n', 'name = "出件"\ndaily_cap = 1\n')
    with live_server(tmp_path, hall=parse_hall_config(text, source="capped.toml")) as running:
        yield running


def test_a_closed_category_is_shown_closed_and_cannot_be_chosen(
    capped_server: LiveServer, tmp_path: Path
) -> None:
    server = capped_server
    kiosk = server.client(server.accounts.kiosk_token)
    assert kiosk.post("/api/tickets", json={"category": "pickup"}).status_code == 201

    async def scenario() -> None:
        async with QueueClient(server.base_url, token=server.accounts.kiosk_token) as client:
            app = KioskApp(client, file_printer(tmp_path / "lp0"), device_name="kiosk-3")
            async with app.run_test(size=SIZE) as pilot:
                await start(pilot, app)
                pickup = app.screen.query_one("#category-pickup", Button)
                assert pickup.disabled
                assert str(pickup.label) == "出件\n暂停取号：今日号源已发完"
                keep_screenshot(app, "kiosk-categories")
                await pilot.click("#category-pickup")
                await pilot.pause(0.3)
                assert isinstance(app.screen, CategoryScreen)
                app.screen.query_one("#category-consult", Button).focus()
                await pilot.press("enter")  # the keyboard works too
                await shown(pilot, ConfirmScreen)
                await pilot.press("escape")
                await shown(pilot, CategoryScreen)

    run_async(scenario())
    assert [t["number"] for t in staff_tickets(server)] == ["F001"]
    assert not (tmp_path / "lp0").exists()


def test_a_refusal_is_shown_in_words_and_nothing_is_printed(
    server: LiveServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with QueueClient(server.base_url, token=server.accounts.kiosk_token) as client:
            app = KioskApp(client, file_printer(tmp_path / "lp0"), device_name="kiosk-4")
            async with app.run_test(size=SIZE) as pilot:
                await start(pilot, app)
                await tap(pilot, "#category-consult")
                await shown(pilot, ConfirmScreen)
                client.token = "revoked-token"
                await tap(pilot, "#confirm")
                await until(pilot, lambda: text_of(app, "#error").startswith("未能取号："))
                assert isinstance(app.screen, ConfirmScreen)
                assert not app.screen.query_one("#confirm", Button).disabled

    run_async(scenario())
    assert not (tmp_path / "lp0").exists()
    assert httpx.get(f"{server.base_url}/api/health").json()["seq"] == 0
