"""补件回执 at the kiosk through Pilot against a real server, printing to a file printer: F4
(or the corner button) on the home screen, the return code typed as a scanner types it (a
burst and Enter), a printed return ticket continuing the journey; an unknown code and a
code already used say why on screen and print nothing."""

from pathlib import Path
from typing import Any

from textual.widgets import Static

from queue_server.client import QueueClient
from tests.browser import artifacts
from tests.support import LiveServer
from tests.ticket_printer.pilot import file_printer, shown, start, tap, until
from tests.ticket_printer.support import raster_blocks, run_async
from ticket_printer.kiosk.app import KioskApp
from ticket_printer.kiosk.screens.category import CategoryScreen
from ticket_printer.kiosk.screens.return_code import ReturnCodeScreen
from ticket_printer.kiosk.screens.ticket import TicketScreen

SMALLEST = (80, 24)


def text_of(app: KioskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def needs_documents(server: LiveServer) -> dict[str, Any]:
    """A ticket served at window 2 and finished as 补件: the answer carries the return code."""
    kiosk = server.client(server.accounts.kiosk_token)
    ticket = kiosk.post("/api/tickets", json={"category": "general", "matter": "新生儿出生"})
    assert ticket.status_code == 201, ticket.text
    clerk = server.client(server.accounts.clerk_tokens[server.accounts.clerks[0]])
    assert clerk.post("/api/windows/2/sign-in").status_code == 200
    called = clerk.post("/api/windows/2/call-next").json()
    assert clerk.post(f"/api/tickets/{called['id']}/start").status_code == 200
    done = clerk.post(
        f"/api/tickets/{called['id']}/finish",
        json={"outcome": "needs_documents", "missing": ["出生医学证明"]},
    )
    assert done.status_code == 200, done.text
    body: dict[str, Any] = done.json()
    return body


def test_a_return_code_prints_the_return_ticket(server: LiveServer, tmp_path: Path) -> None:
    finished = needs_documents(server)
    code = finished["return_code"]
    target = tmp_path / "lp0"

    async def scenario() -> None:
        async with QueueClient(server.base_url, token=server.accounts.kiosk_token) as client:
            app = KioskApp(client, file_printer(target), device_name="kiosk-entrance")
            async with app.run_test(size=SMALLEST) as pilot:
                await start(pilot, app)
                app.save_screenshot("kiosk-home-with-return.svg", path=str(artifacts()))
                await pilot.press("f4")
                await shown(pilot, ReturnCodeScreen)
                app.save_screenshot("kiosk-return-code.svg", path=str(artifacts()))
                await pilot.press(*"ABCDEFGH", "enter")
                await until(pilot, lambda: text_of(app, "#error") != "")
                assert text_of(app, "#error") == "没有找到这个回执码，请核对后重新输入"
                assert not target.exists()
                app.screen.query_one("#return-code").value = ""  # type: ignore[attr-defined]
                await pilot.press(*code.lower(), "enter")  # a scanner's burst
                await shown(pilot, TicketScreen)
                assert text_of(app, "#number-text") == "B002"
                await tap(pilot, "#done")
                await shown(pilot, CategoryScreen)

                await tap(pilot, "#return")  # the corner button, by touch
                await shown(pilot, ReturnCodeScreen)
                await pilot.press(*code, "enter")
                await until(pilot, lambda: text_of(app, "#error") != "")
                assert text_of(app, "#error") == "此回执码已取号（B002），请留意叫号"
                app.save_screenshot("kiosk-return-code-refused.svg", path=str(artifacts()))

    run_async(scenario())
    admin = server.client(server.login(server.accounts.admin))
    tickets = admin.get("/api/tickets").json()
    back = next(t for t in tickets if t["number"] == "B002")
    assert back["return_visit"] and back["journey_id"] == finished["journey_id"]
    assert back["matter"] == "新生儿出生"
    assert len(raster_blocks(target.read_bytes())) == 4  # printed once
