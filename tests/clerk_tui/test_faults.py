"""The console under faults: a server restart, and an answer that never comes back."""

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from clerk_tui.app import ClerkApp
from clerk_tui.availability import OFFLINE
from clerk_tui.widgets.action_panel import ActionPanel
from clerk_tui.widgets.status_bar import OfflineBanner
from queue_server.client import IDEMPOTENCY_HEADER
from queue_server.config import load_hall_config
from tests.clerk_tui.console import Hall, console
from tests.clerk_tui.helpers import until
from tests.support import LiveServer, seed_accounts, threaded_server


def current(app: ClerkApp) -> tuple[str, str] | None:
    state = app.hall_state
    ticket = state.current if state else None
    return (ticket.number, ticket.status.value) if ticket else None


def online(app: ClerkApp) -> bool:
    return app.hall_state is not None and app.hall_state.online


def banner_shown(app: ClerkApp) -> bool:
    return app.screen.query_one(OfflineBanner).has_class("-visible")


def test_a_server_restart_shows_the_banner_refuses_keys_and_recovers(tmp_path: Path) -> None:
    hall_config = load_hall_config()
    database_url = f"sqlite:///{tmp_path / 'hall.db'}"
    accounts = seed_accounts(database_url, hall_config)
    stack = contextlib.ExitStack()
    servers: list[LiveServer] = []

    def start(port: int | None = None) -> LiveServer:
        host, bound = stack.enter_context(
            threaded_server(database_url, hall=hall_config, port=port)
        )
        base = f"http://{host}:{bound}"
        servers.append(LiveServer(base, f"ws://{host}:{bound}", database_url, accounts))
        return servers[-1]

    async def scenario() -> None:
        server = await asyncio.to_thread(start)
        hall = Hall(server)
        first = hall.issue()
        async with console(server.base_url, window=3) as (app, pilot):
            await pilot.press("f1")
            await until(pilot, lambda: current(app) == ("B001", "called"), "B001 called")
            assert not banner_shown(app)
            server.close_clients()
            await asyncio.to_thread(stack.close)
            await until(pilot, lambda: not online(app), "offline noticed")
            assert banner_shown(app)
            await pilot.pause()
            panel = app.screen.query_one(ActionPanel)
            shown = [
                line.text
                for line in panel.render_lines(panel.content_region.translate(-panel.region.offset))
            ]
            assert any("F9" in line for line in shown), "every key still listed at 100x30"
            await pilot.press("f3")
            await until(
                pilot,
                lambda: OFFLINE in (app.hall_state.message if app.hall_state else ""),
                "refused",
            )

            restarted = await asyncio.to_thread(start, int(server.base_url.rsplit(":", 1)[1]))
            hall = Hall(restarted)
            assert hall.ticket(first["id"])["status"] == "called"  # F3 was not sent
            await until(pilot, lambda: online(app), "back online", seconds=20)
            assert not banner_shown(app)
            hall.issue()
            await until(
                pilot,
                lambda: (
                    app.hall_state is not None
                    and [e.number for e in app.hall_state.next_numbers] == ["B002"]
                ),
                "a ticket issued after the restart",
            )
            assert current(app) == ("B001", "called")
            await pilot.press("f3")
            await until(pilot, lambda: current(app) == ("B001", "serving"), "started")
        assert hall.ticket(first["id"])["status"] == "serving"

    try:
        asyncio.run(scenario())
    finally:
        for running in servers:
            running.close_clients()
        stack.close()


class Unreachable(httpx.AsyncBaseTransport):
    """Drops every call-next while `down`, before it reaches the server; records the keys."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.down = False
        self.keys: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/call-next"):
            self.keys.append(request.headers[IDEMPOTENCY_HEADER])
            if self.down:
                raise httpx.ConnectError("cable pulled", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def transport() -> Iterator[Unreachable]:
    yield Unreachable()


def test_an_unanswered_press_says_so_and_its_repeat_reuses_the_key(
    server: LiveServer, transport: Unreachable
) -> None:
    hall = Hall(server)
    hall.issue()
    hall.issue()

    async def scenario() -> None:
        async with console(server.base_url, window=3, transport=transport) as (app, pilot):
            transport.down = True
            await pilot.press("f1")
            await until(
                pilot,
                lambda: app.hall_state is not None and "无法确认" in app.hall_state.message,
                "the unconfirmed message",
            )
            assert app.keys.unsettled() == 1
            transport.down = False
            await pilot.press("f1")
            await until(pilot, lambda: current(app) == ("B001", "called"), "B001 called")
            assert app.keys.unsettled() == 0

    asyncio.run(scenario())
    assert len(transport.keys) == 5  # four tries of the first press, one of the second
    assert len(set(transport.keys)) == 1
    assert [t["number"] for t in hall.tickets(status="called")] == ["B001"]
