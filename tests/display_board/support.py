"""Helpers for the board tests: read what a Textual board shows, wait for it, act as a clerk."""

import asyncio
import contextlib
import io
import re
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from rich.console import Console
from textual.app import App
from textual.widgets import Digits, Static

from queue_server.client import QueueClient
from queue_server.config import load_hall_config
from tests.support import PASSWORD, free_port, login, seed_accounts, threaded_server

WAIT_SECONDS = 15.0


def widget_text(app: App[None], selector: str) -> str:
    """What one widget shows, as plain text: Digits' value, a Static's content rendered."""
    widget = app.query_one(selector)
    if isinstance(widget, Digits):
        return widget.value
    assert isinstance(widget, Static), widget
    console = Console(file=io.StringIO(), width=160, color_system=None)
    console.print(widget.content)
    output = console.file
    assert isinstance(output, io.StringIO)
    return output.getvalue()


async def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll the board until `condition` holds; fail naming `what` after WAIT_SECONDS."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def clerk_at(base_url: str, name: str, window_no: int) -> AsyncIterator[QueueClient]:
    async with QueueClient(base_url) as clerk:
        await clerk.login(name, PASSWORD)
        await clerk.sign_in(window_no)
        yield clerk


def row_of(app: App[None], selector: str, marker: str) -> str:
    """The first line of a widget's table that contains `marker` ("" when none does)."""
    lines = widget_text(app, selector).splitlines()
    return next((line for line in lines if marker in line), "")


class RestartableServer:
    """A real server in a thread over one SQLite file, stopped and started again on the same
    port, so its clients must reconnect and resync (faster than a child process)."""

    def __init__(self, tmp_path: Path) -> None:
        self.database_url = f"sqlite:///{tmp_path / 'hall.db'}"
        self.hall = load_hall_config()
        self.accounts = seed_accounts(self.database_url, self.hall)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._running: contextlib.ExitStack | None = None

    def start(self) -> None:
        stack = contextlib.ExitStack()
        stack.enter_context(threaded_server(self.database_url, hall=self.hall, port=self.port))
        self._running = stack

    def stop(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None

    def __enter__(self) -> "RestartableServer":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def wait_connected(page: Page) -> None:
    """Wait until a web board has its snapshot and shows no offline banner."""
    expect(page.locator("body")).to_have_attribute("data-seq", re.compile(r"^\d+$"), timeout=10_000)
    expect(page.locator("#offline")).to_be_hidden()


@contextlib.contextmanager
def clerk_client(base_url: str, name: str, window_no: int) -> Iterator[httpx.Client]:
    """A clerk signed in to `window_no`, over HTTP."""
    token = login(base_url, name)
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.post(f"/api/windows/{window_no}/sign-in").status_code == 200
        yield client


def issue(base_url: str, kiosk_token: str, category: str = "general") -> dict[str, object]:
    """A ticket from the kiosk, with a priority note that no board may show."""
    response = httpx.post(
        f"{base_url}/api/tickets",
        json={"category": category, "priority": "other", "priority_note": "腿脚不便"},
        headers={"Authorization": f"Bearer {kiosk_token}"},
    )
    assert response.status_code == 201
    body: dict[str, object] = response.json()
    return body
