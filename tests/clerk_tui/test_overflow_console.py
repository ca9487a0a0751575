"""跨窗通办 in the clerk console, against a real server: the window header lists the categories
the window helps with, the queue panel counts them, and a ticket called to help (call reason
`overflow`) says 跨窗协办 with its category's name; pinned as an SVG snapshot at the smallest
size (100×30)."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from clerk_tui.app import ClerkApp
from clerk_tui.widgets.current_ticket import CurrentTicket
from clerk_tui.widgets.queue_list import QueueList
from clerk_tui.widgets.status_bar import StatusBar
from queue_server.domain.clock import ManualClock
from tests.clerk_tui.console import Hall, console
from tests.clerk_tui.helpers import text_of, until
from tests.clerk_tui.test_snapshots import (
    CONSOLE_TIME,
    SERVER_TIME,
    SMALLEST,
    console_app,
    current,
    footer_settled,
    signed_in,
)
from tests.overflow_support import HELPER, overflow_hall
from tests.support import LiveServer, live_server

Compare = Callable[..., bool]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """The hall where window 12 (出件) helps with 咨询, on a frozen clock, two 咨询 waiting."""
    with live_server(tmp_path, hall=overflow_hall(), clock=ManualClock(SERVER_TIME)) as running:
        hall = Hall(running)
        hall.issue("consult")
        hall.issue("consult")
        yield running


def shows_the_help(app: ClerkApp) -> bool:
    """A001 is at the window and the queue has been read again after the call."""
    state = app.hall_state
    return (
        current(app) == ("A001", "called")
        and state is not None
        and [(q.name, q.waiting, q.helped) for q in state.queues]
        == [("出件", 0, False), ("咨询", 1, True)]
    )


@pytest.mark.anyio
async def test_the_console_says_when_the_window_helps(server: LiveServer) -> None:
    async with console(server.base_url, window=HELPER, clock=ManualClock(CONSOLE_TIME)) as (
        app,
        pilot,
    ):
        screen = app.screen
        assert "12号窗口 统一出件 · 协办：咨询 · 窗口员1" in str(
            screen.query_one(StatusBar).render()
        )
        assert "跨窗协办" not in text_of(app, "#ticket-details")
        await pilot.press("f1")
        await until(pilot, lambda: shows_the_help(app), "A001 called to help")
        await pilot.pause()
        assert text_of(app, "#ticket-details").startswith("跨窗协办：咨询\n")
        assert screen.query_one(CurrentTicket).has_class("-overflow")
        queue = str(screen.query_one(QueueList).render())
        assert "出件：0 人等候" in queue
        assert "咨询（协办）：1 人等候（最久 5分00秒）" in queue
        assert "排队顺序：A002" in queue
    assert Hall(server).tickets(status="called")[0]["call_reason"] == "overflow"


def test_snapshot_of_a_window_helping(snap_compare: Compare, server: LiveServer) -> None:
    app = console_app(server.base_url, window_no=HELPER)

    async def steps(pilot: Pilot[None]) -> None:
        await signed_in(app, pilot)
        await pilot.press("f1")
        await until(pilot, lambda: shows_the_help(app) and footer_settled(app), "the help")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SMALLEST, run_before=steps)


@pytest.mark.anyio
async def test_a_long_help_list_gives_way_to_the_clock(tmp_path: Path) -> None:
    # The default hall's window 6 helps with five categories: at 100 columns the list is cut
    # short, and the clerk, the hall, the connection and the clock still show.
    with live_server(tmp_path, clock=ManualClock(SERVER_TIME)) as running:
        async with console(running.base_url, window=6, clock=ManualClock(CONSOLE_TIME)) as (
            app,
            _,
        ):
            line = str(app.screen.query_one(StatusBar).render())
    assert line.startswith("6号窗口 综合受理 · 协办：出件、帮办代办")
    assert "…" in line and "企业服务专区" not in line
    assert line.endswith(" · 窗口员1 · 一门市民服务中心  ● 在线  09:05:00")
