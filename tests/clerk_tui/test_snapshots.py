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


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_main_screen(
    snap_compare: Compare, frozen_server: LiveServer, size: tuple[int, int]
) -> None:
    hall = Hall(frozen_server)
    hall.issue()
    hall.issue(priority="elderly", matter="新生儿出生")
    hall.issue("consult")
    hall.issue()
    app = SnapshotApp(QueueClient(frozen_server.base_url), window_no=6, clock=lambda: CONSOLE_TIME)

    async def serve_one_and_call_the_next(pilot: Pilot[None]) -> None:
        await log_in(pilot, "clerk1")
        await until(pilot, lambda: settled(app), "signed in")
        for key, done in (
            ("f1", lambda: _current(app) == ("B002", "called")),
            ("f3", lambda: _current(app) == ("B002", "serving")),
            ("f4", lambda: _current(app) is None),
            ("f1", lambda: _current(app) == ("B001", "called")),
        ):
            await pilot.press(key)
            await until(pilot, done, f"{key} to apply")
        await until(
            pilot,
            lambda: (
                settled(app)
                and app.hall_state is not None
                and len(app.hall_state.history) == 1
                and len(app.hall_state.next_numbers) == 2
            ),
            "the queue and history to be read again",
        )
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=serve_one_and_call_the_next)


def _current(app: ClerkApp) -> tuple[str, str] | None:
    state = app.hall_state
    ticket = state.current if state else None
    return (ticket.number, ticket.status.value) if ticket else None
