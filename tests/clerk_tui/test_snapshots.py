"""What the clerk sees, pinned as SVG snapshots at the smallest and a large terminal.

The server runs on a frozen clock and the console's clock is frozen five minutes later, so every
time and elapsed time on screen is the same on every run.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from clerk_tui.app import ClerkApp
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.clerk_tui.console import Hall, log_in, settled
from tests.clerk_tui.helpers import until
from tests.support import LiveServer, live_server

SERVER_TIME = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CONSOLE_TIME = SERVER_TIME + timedelta(minutes=5)
SIZES = [(80, 24), (160, 48)]

Compare = Callable[..., bool]


class SnapshotApp(ClerkApp):
    """Closes its client inside the app's own event loop, which snap_compare runs."""

    async def on_unmount(self) -> None:
        await self.client.aclose()


@pytest.fixture
def frozen_server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=ManualClock(SERVER_TIME)) as running:
        yield running


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_login_screen(snap_compare: Compare, size: tuple[int, int]) -> None:
    assert snap_compare(SnapshotApp(QueueClient("http://127.0.0.1:8000")), terminal_size=size)


def test_main_screen(snap_compare: Compare, frozen_server: LiveServer) -> None:
    """80×24 after serving one ticket and calling the next; then 160×48 of the same state, as
    the console shows it when it starts again (the clerk is still signed in)."""
    hall = Hall(frozen_server)
    hall.issue()
    hall.issue(priority="elderly", matter="新生儿出生")
    hall.issue("consult")
    hall.issue()

    def console_app() -> ClerkApp:
        client = QueueClient(frozen_server.base_url)
        return SnapshotApp(client, window_no=6, clock=lambda: CONSOLE_TIME)

    def shows_everything(app: ClerkApp) -> bool:
        state = app.hall_state
        return (
            settled(app)
            and state is not None
            and _current(app) == ("B001", "called")
            and len(state.history) == 1
            and len(state.next_numbers) == 2
        )

    small = console_app()

    async def serve_one_and_call_the_next(pilot: Pilot[None]) -> None:
        await log_in(pilot, "clerk1")
        await until(pilot, lambda: settled(small), "signed in")
        for key, done in (
            ("f1", lambda: _current(small) == ("B002", "called")),
            ("f3", lambda: _current(small) == ("B002", "serving")),
            ("f4", lambda: _current(small) is None),
            ("f1", lambda: _current(small) == ("B001", "called")),
        ):
            await pilot.press(key)
            await until(pilot, done, f"{key} to apply")
        await until(pilot, lambda: shows_everything(small), "the queue and history")
        await pilot.pause()

    assert snap_compare(small, terminal_size=(80, 24), run_before=serve_one_and_call_the_next)

    large = console_app()

    async def log_in_again(pilot: Pilot[None]) -> None:
        await log_in(pilot, "clerk1")
        await until(pilot, lambda: shows_everything(large), "the same state")
        await pilot.pause()

    assert snap_compare(large, terminal_size=(160, 48), run_before=log_in_again)


def _current(app: ClerkApp) -> tuple[str, str] | None:
    state = app.hall_state
    ticket = state.current if state else None
    return (ticket.number, ticket.status.value) if ticket else None
