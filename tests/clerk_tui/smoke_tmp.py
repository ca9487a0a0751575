import asyncio
from tests.clerk_tui.helpers import type_text, until, text_of
from tests.support import LiveServer, PASSWORD
from clerk_tui.app import ClerkApp
from queue_server.client import QueueClient
import httpx

def test_smoke(server: LiveServer) -> None:
    async def scenario() -> None:
        with server.client(server.accounts.kiosk_token) as kiosk:
            kiosk.post("/api/tickets", json={"category": "general", "priority": "elderly", "matter": "新生儿出生"})
            kiosk.post("/api/tickets", json={"category": "general"})
        async with QueueClient(server.base_url) as client:
            app = ClerkApp(client, window_no=3)
            async with app.run_test(size=(80, 24)) as pilot:
                await type_text(pilot, "clerk1")
                await pilot.press("tab")
                await type_text(pilot, PASSWORD)
                await pilot.press("enter")
                await until(pilot, lambda: app.main is not None and app.main.is_mounted, "main")
                await until(pilot, lambda: app.hall_state is not None and app.hall_state.next_numbers != (), "queue")
                await pilot.press("f1")
                await until(pilot, lambda: app.hall_state is not None and app.hall_state.current is not None, "called")
                await pilot.press("f4")
                await pilot.pause(0.5)
                print(app.export_screenshot())
                app.save_screenshot("/tmp/smoke.svg")
                print(text_of(app, "#message"))
                print(app.screen.query_one("#queue-list").render()); print(app.hall_state.next_numbers)
    asyncio.run(scenario())
