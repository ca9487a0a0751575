"""Starting the clerk console against a server and reading what it shows."""

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from textual.pilot import Pilot

from clerk_tui.app import ClerkApp
from queue_server.client import QueueClient
from queue_server.domain.clock import Clock
from tests.clerk_tui.helpers import type_text, until
from tests.support import PASSWORD, LiveServer


async def log_in(pilot: Pilot[None], username: str, password: str = PASSWORD) -> None:
    """Type as a clerk does: the name (focused first), Tab, the password, Enter."""
    await type_text(pilot, username)
    await pilot.press("tab")
    await type_text(pilot, password)
    await pilot.press("enter")


def settled(app: ClerkApp) -> bool:
    """Signed in, online, and the queue, history and figures have been read."""
    state = app.hall_state
    return state is not None and state.online and state.my_day is not None and state.busy is None


@contextlib.asynccontextmanager
async def console(
    base_url: str,
    *,
    clerk: str = "clerk1",
    window: int | None = 3,
    wait: bool = True,
    keymap: dict[str, str] | None = None,
    size: tuple[int, int] = (100, 30),
    clock: Clock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    notifications: bool = False,
) -> AsyncIterator[tuple[ClerkApp, Pilot[None]]]:
    """The console logged in as `clerk` and signed in to `window`, with its first read done."""
    async with QueueClient(base_url, transport=transport) as client:
        app = ClerkApp(client, window_no=window, clock=clock, keymap=keymap)
        async with app.run_test(size=size, notifications=notifications) as pilot:
            await log_in(pilot, clerk)
            if window is not None and wait:
                await until(pilot, lambda: settled(app), "the console to settle")
            yield app, pilot


class Hall:
    """The hall as seen over plain HTTP, to check what the console's keys did on the server."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.kiosk = server.client(server.accounts.kiosk_token)
        self.manager = server.client(server.login(server.accounts.manager))

    def issue(self, category: str = "general", **extra: Any) -> dict[str, Any]:
        response = self.kiosk.post("/api/tickets", json={"category": category, **extra})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        body: dict[str, Any] = self.manager.get(f"/api/tickets/{ticket_id}").json()
        return body

    def tickets(self, **params: str) -> list[dict[str, Any]]:
        body: list[dict[str, Any]] = self.manager.get("/api/tickets", params=params).json()
        return body

    def window(self, number: int) -> dict[str, Any]:
        body: dict[str, Any] = self.manager.get(f"/api/windows/{number}").json()
        return body

    def clerk(self, index: int, window: int) -> httpx.Client:
        client = self.server.client(self.server.login(self.server.accounts.clerks[index]))
        assert client.post(f"/api/windows/{window}/sign-in").status_code == 200
        return client
