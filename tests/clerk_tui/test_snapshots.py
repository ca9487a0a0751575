"""What the clerk sees, pinned as SVG snapshots: every screen of the clerk console at the smallest
terminal it supports (100×30) and at a common larger one (160×45).

The server runs on a frozen clock and the console's clock is frozen five minutes later, so every
time and elapsed time on screen is the same on every run.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets._footer import FooterKey

from clerk_tui.app import ClerkApp
from clerk_tui.availability import blocked_reason
from clerk_tui.screens.confirm_quit import ConfirmQuitDialog
from clerk_tui.screens.main import WINDOW_ACTIONS
from clerk_tui.screens.outcome import OutcomeDialog
from clerk_tui.screens.transfer import TransferDialog
from clerk_tui.screens.window_choice import WindowChoiceScreen
from clerk_tui.widgets.status_bar import OfflineBanner
from queue_server.client import QueueClient
from queue_server.config import load_hall_config
from queue_server.domain.clock import ManualClock
from queue_server.protocol import WindowStatus
from tests.clerk_tui.console import Hall, log_in, settled
from tests.clerk_tui.helpers import until
from tests.support import LiveServer, live_server, seed_accounts, threaded_server

SERVER_TIME = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CONSOLE_TIME = SERVER_TIME + timedelta(minutes=5)
SMALLEST = (100, 30)
LARGE = (160, 45)
SIZES = [SMALLEST, LARGE]

Compare = Callable[..., bool]
Steps = Callable[[Pilot[None]], Awaitable[None]]
sizes = pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")


class SnapshotApp(ClerkApp):
    """Closes its client inside the app's own event loop, which snap_compare runs."""

    async def on_unmount(self) -> None:
        await self.client.aclose()


def console_app(server_url: str, window_no: int | None = 6) -> SnapshotApp:
    return SnapshotApp(
        QueueClient(server_url),
        window_no=window_no,
        clock=ManualClock(CONSOLE_TIME),
        reconnect_max_seconds=0.5,  # the offline banner always says 马上重试
    )


@pytest.fixture
def frozen_server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=ManualClock(SERVER_TIME)) as running:
        yield running


@pytest.fixture
def busy_console(frozen_server: LiveServer) -> SnapshotApp:
    """The console for window 6 of a hall where four people wait (see `busy_hall`)."""
    busy_hall(frozen_server)
    return console_app(frozen_server.base_url)


def busy_hall(server: LiveServer) -> None:
    hall = Hall(server)
    hall.issue()
    hall.issue(priority="elderly", matter="新生儿出生")
    hall.issue("consult")
    hall.issue()


def footer_settled(app: ClerkApp) -> bool:
    """The footer has caught up with the state: a key is dimmed exactly when it is blocked
    (the footer redraws its keys after a refresh, a moment after the state changes)."""
    state = app.hall_state
    if app.main is None or state is None:
        return False
    keys = list(app.main.query(FooterKey))
    window_actions = {action.id for action in WINDOW_ACTIONS}
    return bool(keys) and all(
        key.has_class("-disabled") == (blocked_reason(key.action, state) is not None)
        for key in keys
        if key.action in window_actions
    )


def current(app: ClerkApp) -> tuple[str, str] | None:
    state = app.hall_state
    ticket = state.current if state else None
    return (ticket.number, ticket.status.value) if ticket else None


async def signed_in(app: ClerkApp, pilot: Pilot[None]) -> None:
    """Log in as 窗口员1 and wait until the console has signed in and read the hall."""
    await log_in(pilot, "clerk1")
    await until(pilot, lambda: settled(app), "signed in")


async def serve_one_and_call_the_next(app: ClerkApp, pilot: Pilot[None]) -> None:
    """Log in at window 6, serve B002 (the elderly, called first), then call B001."""
    await signed_in(app, pilot)
    for key, done in (
        ("f1", lambda: current(app) == ("B002", "called")),
        ("f3", lambda: current(app) == ("B002", "serving")),
        ("f4", lambda: current(app) is None),
        ("f1", lambda: current(app) == ("B001", "called")),
    ):
        await pilot.press(key)
        await until(pilot, done, f"{key} to apply")

    def shows_everything() -> bool:
        state = app.hall_state
        return (
            settled(app)
            and state is not None
            and len(state.history) == 1
            and len(state.next_numbers) == 2
            and footer_settled(app)
        )

    await until(pilot, shows_everything, "the queue and history")


@sizes
def test_login_screen(snap_compare: Compare, size: tuple[int, int]) -> None:
    assert snap_compare(console_app("http://127.0.0.1:8000", None), terminal_size=size)


@sizes
def test_window_choice(
    snap_compare: Compare, frozen_server: LiveServer, size: tuple[int, int]
) -> None:
    Hall(frozen_server).clerk(1, 3)  # window 3 is taken by 窗口员2
    app = console_app(frozen_server.base_url, None)

    async def steps(pilot: Pilot[None]) -> None:
        await log_in(pilot, "clerk1")
        await until(pilot, lambda: isinstance(app.screen, WindowChoiceScreen), "the choice")

    assert snap_compare(app, terminal_size=size, run_before=steps)


async def dialog_over_a_called_ticket(
    app: ClerkApp, pilot: Pilot[None], key: str, dialog: type[Screen[Any]]
) -> None:
    """With B001 called (`serve_one_and_call_the_next`), press `key` until `dialog` opens."""
    await serve_one_and_call_the_next(app, pilot)
    await pilot.press(key)
    await until(pilot, lambda: isinstance(app.screen, dialog), f"{dialog.__name__} to open")


@sizes
def test_main_screen_with_a_called_ticket(
    snap_compare: Compare, busy_console: SnapshotApp, size: tuple[int, int]
) -> None:
    app = busy_console

    async def steps(pilot: Pilot[None]) -> None:
        await serve_one_and_call_the_next(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=steps)


@sizes
def test_no_show_asks_for_a_second_press(
    snap_compare: Compare, busy_console: SnapshotApp, size: tuple[int, int]
) -> None:
    app = busy_console

    async def steps(pilot: Pilot[None]) -> None:
        await serve_one_and_call_the_next(app, pilot)
        await pilot.press("f5")
        await until(pilot, lambda: app.screen.query_one("#message").has_class("-confirm"), "ask")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=steps)


@sizes
def test_paused(snap_compare: Compare, busy_console: SnapshotApp, size: tuple[int, int]) -> None:
    app = busy_console

    def paused() -> bool:
        state = app.hall_state
        window = state.window if state else None
        paused = window is not None and window.status == WindowStatus.PAUSED
        return settled(app) and paused and footer_settled(app)

    async def steps(pilot: Pilot[None]) -> None:
        await signed_in(app, pilot)
        await pilot.press("f7", "enter")  # the first reason: 休息
        await until(pilot, paused, "the window paused")

    assert snap_compare(app, terminal_size=size, run_before=steps)


@sizes
def test_transfer_dialog(
    snap_compare: Compare, busy_console: SnapshotApp, size: tuple[int, int]
) -> None:
    app = busy_console

    async def steps(pilot: Pilot[None]) -> None:
        await dialog_over_a_called_ticket(app, pilot, "f6", TransferDialog)

    assert snap_compare(app, terminal_size=size, run_before=steps)


@sizes
def test_outcome_dialog(snap_compare: Compare, tmp_path: Path, size: tuple[int, int]) -> None:
    base = load_hall_config()
    categories = [
        c.model_copy(update={"finish_outcome_required": c.code == "unresolved"})
        for c in base.categories
    ]
    config = base.model_copy(update={"categories": categories})
    with live_server(tmp_path, hall=config, clock=ManualClock(SERVER_TIME)) as server:
        Hall(server).issue("unresolved")
        app = console_app(server.base_url, 11)

        async def steps(pilot: Pilot[None]) -> None:
            await signed_in(app, pilot)
            await pilot.press("f1")
            await until(pilot, lambda: current(app) == ("D001", "called"), "D001 called")
            await pilot.press("f3")
            await until(pilot, lambda: current(app) == ("D001", "serving"), "D001 served")
            await until(pilot, lambda: settled(app) and footer_settled(app), "the figures")
            await pilot.press("f4")
            await until(pilot, lambda: isinstance(app.screen, OutcomeDialog), "the question")

        assert snap_compare(app, terminal_size=size, run_before=steps)


@sizes
def test_confirm_quit(
    snap_compare: Compare, busy_console: SnapshotApp, size: tuple[int, int]
) -> None:
    app = busy_console

    async def steps(pilot: Pilot[None]) -> None:
        await dialog_over_a_called_ticket(app, pilot, "ctrl+q", ConfirmQuitDialog)

    assert snap_compare(app, terminal_size=size, run_before=steps)


@sizes
def test_offline_banner(snap_compare: Compare, tmp_path: Path, size: tuple[int, int]) -> None:
    hall_config = load_hall_config()
    database_url = f"sqlite:///{tmp_path / 'hall.db'}"
    accounts = seed_accounts(database_url, hall_config)
    stack = contextlib.ExitStack()
    host, port = stack.enter_context(
        threaded_server(database_url, hall=hall_config, clock=ManualClock(SERVER_TIME), port=None)
    )
    server = LiveServer(f"http://{host}:{port}", f"ws://{host}:{port}", database_url, accounts)
    busy_hall(server)
    app = console_app(server.base_url)

    def offline() -> bool:
        state = app.hall_state
        return (
            state is not None
            and not state.online
            and state.connection_note == "马上重试"
            and app.screen.query_one(OfflineBanner).has_class("-visible")
            and footer_settled(app)
        )

    async def steps(pilot: Pilot[None]) -> None:
        await serve_one_and_call_the_next(app, pilot)
        server.close_clients()
        await asyncio.to_thread(stack.close)
        await until(pilot, offline, "the banner")

    try:
        assert snap_compare(app, terminal_size=size, run_before=steps)
    finally:
        stack.close()
