"""The terminal boards, driven through Textual's Pilot against a real queue server."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from display_board.app import BoardApp
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.display_board.support import (
    RestartableServer,
    clerk_at,
    row_of,
    wait_until,
    widget_text,
)
from tests.support import LiveServer, live_server
from tests.tui import on_screen

SIZE = (160, 48)


async def _hall_board_shows_a_call(server: LiveServer) -> None:
    kiosk = QueueClient(server.base_url, token=server.accounts.kiosk_token)
    async with QueueClient(server.base_url, token=server.accounts.board_token) as board:
        app = BoardApp(board)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(lambda: app.board.seq is not None, "the first snapshot")
            assert widget_text(app, "#hall-name").strip() == "一门市民服务中心"
            assert "暂无叫号" in widget_text(app, "#latest-window")
            async with kiosk, clerk_at(server.base_url, "clerk1", 3) as clerk:
                await kiosk.issue_ticket("general")
                await kiosk.issue_ticket("general")
                await wait_until(
                    lambda: row_of(app, "#queues", "综合受理").split()[2:4] == ["2", "约"],
                    "two waiting in 综合受理",
                )
                called = await clerk.call_next(3)
            assert called is not None
            await wait_until(
                lambda: widget_text(app, "#latest-number") == called.number, "the call"
            )
            await pilot.pause()
            assert "请到 3 号窗口" in widget_text(app, "#latest-window")
            assert app.query_one("#latest").has_class("-highlight")
            recent = widget_text(app, "#recent")
            assert called.number in recent and "3 号窗口" in recent
            row = row_of(app, "#windows", " 3 ")
            assert called.number in row and "请前往" in row
            assert "请留意叫号" in widget_text(app, "#notice")
            assert not app.query_one("#offline").has_class("-offline")


def test_hall_board_shows_a_call_with_number_and_window(server: LiveServer) -> None:
    asyncio.run(_hall_board_shows_a_call(server))


async def _window_board_shows_clerk_and_pause(server: LiveServer) -> None:
    kiosk = QueueClient(server.base_url, token=server.accounts.kiosk_token)
    async with QueueClient(server.base_url, token=server.accounts.board_token) as board:
        app = BoardApp(board, window_no=2)
        async with app.run_test(size=SIZE), kiosk:
            await wait_until(lambda: app.board.seq is not None, "the first snapshot")
            assert widget_text(app, "#window-title").strip() == "2 号窗口"
            assert widget_text(app, "#window-status").strip() == "未开放"
            async with clerk_at(server.base_url, "clerk2", 2) as clerk:
                await wait_until(
                    lambda: "窗口员2" in widget_text(app, "#window-clerk"), "the clerk"
                )
                assert "工号 0302" in widget_text(app, "#window-clerk")
                await kiosk.issue_ticket("general")
                called = await clerk.call_next(2)
                assert called is not None
                await wait_until(
                    lambda: widget_text(app, "#window-number") == called.number, "the number"
                )
                await clerk.start(called.id)
                await clerk.finish(called.id)
                await clerk.pause(2, "会议")
                await wait_until(
                    lambda: widget_text(app, "#window-status").strip() == "暂停服务", "暂停服务"
                )
                assert app.query_one("#window").has_class("-paused")
                assert widget_text(app, "#window-number") == ""
                await clerk.resume(2)
                await wait_until(
                    lambda: widget_text(app, "#window-status").strip() == "空闲", "resumed"
                )


def test_window_board_shows_clerk_number_and_pause(server: LiveServer) -> None:
    asyncio.run(_window_board_shows_clerk_and_pause(server))


async def _boards_resync_after_restart(server: RestartableServer) -> None:
    async with QueueClient(server.base_url, token=server.accounts.board_token) as board:
        hall_app = BoardApp(board)
        window_app = BoardApp(board, window_no=4)
        async with hall_app.run_test(size=SIZE), window_app.run_test(size=SIZE):
            apps = (hall_app, window_app)
            await wait_until(lambda: all(a.board.connected for a in apps), "both connected")
            await asyncio.to_thread(server.stop)
            await wait_until(
                lambda: all(a.query_one("#offline").has_class("-offline") for a in apps),
                "the offline banners",
            )
            assert "连接已中断" in widget_text(hall_app, "#offline")
            await asyncio.to_thread(server.start)
            kiosk = QueueClient(server.base_url, token=server.accounts.kiosk_token)
            async with kiosk, clerk_at(server.base_url, "clerk4", 4) as clerk:
                await kiosk.issue_ticket("general")
                called = await clerk.call_next(4)
            assert called is not None
            await wait_until(
                lambda: widget_text(hall_app, "#latest-number") == called.number,
                "the call made after the restart on the hall board",
            )
            await wait_until(
                lambda: widget_text(window_app, "#window-number") == called.number,
                "the call on window 4's board",
            )
            assert not hall_app.query_one("#offline").has_class("-offline")
            assert "窗口员4" in widget_text(window_app, "#window-clerk")


def test_boards_resync_after_a_server_restart(tmp_path: Path) -> None:
    with RestartableServer(tmp_path) as server:
        asyncio.run(_boards_resync_after_restart(server))


# Snapshots ----------------------------------------------------------------------------------
#
# The boards at their smallest supported sizes (the hall board 100×30, a window's board 80×24)
# and at 160×45, on a server and a board clock that are both frozen. The calls are made before
# the board starts, so it draws them from its first snapshot, without the flash of a new call.

BOARD_TIME = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in the hall
HALL_BOARD_SIZES = [(100, 30), (160, 45)]
WINDOW_BOARD_SIZES = [(80, 24), (160, 45)]

Compare = Callable[..., bool]


def _size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


hall_board_sizes = pytest.mark.parametrize("size", HALL_BOARD_SIZES, ids=_size_id)
window_board_sizes = pytest.mark.parametrize("size", WINDOW_BOARD_SIZES, ids=_size_id)


class SnapshotBoard(BoardApp):
    """Closes its client inside the app's own event loop, which snap_compare runs."""

    async def on_unmount(self) -> None:
        self.workers.cancel_all()  # the live feed first, so it opens nothing after the close
        with contextlib.suppress(WorkerCancelled):
            await self.workers.wait_for_complete()
        await self.client.aclose()


@pytest.fixture(scope="module")
def frozen_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Tickets waiting, three calls a minute apart, one ticket being served, window 4 paused."""
    clock = ManualClock(BOARD_TIME)
    with live_server(tmp_path_factory.mktemp("boards"), clock=clock) as server:
        kiosk = server.client(server.accounts.kiosk_token)
        for category, count in (("general", 6), ("consult", 2), ("enterprise", 1)):
            for _ in range(count):
                assert kiosk.post("/api/tickets", json={"category": category}).status_code == 201
        clerks = {
            window: server.client(server.login(server.accounts.clerks[window - 1]))
            for window in (1, 2, 3, 4)
        }
        for window, clerk in clerks.items():
            assert clerk.post(f"/api/windows/{window}/sign-in").status_code == 200
        ticket = clerks[4].post("/api/windows/4/call-next").json()
        for step in ("start", "finish"):
            assert clerks[4].post(f"/api/tickets/{ticket['id']}/{step}", json={}).is_success
        assert clerks[4].post("/api/windows/4/pause", json={"reason": "会议"}).is_success
        for window in (1, 3, 2):
            clock.advance(timedelta(minutes=1))
            assert clerks[window].post(f"/api/windows/{window}/call-next").status_code == 200
        ticket = clerks[3].get("/api/windows/3").json()["current"]
        assert clerks[3].post(f"/api/tickets/{ticket['id']}/start").is_success
        yield server


def board(server_url: str, token: str, window_no: int | None = None) -> BoardApp:
    client = QueueClient(server_url, token=token)
    return SnapshotBoard(client, window_no=window_no, clock=ManualClock(BOARD_TIME))


async def settled(app: BoardApp) -> None:
    await wait_until(lambda: app.board.seq is not None and app.board.connected, "the snapshot")


def drawn(app: BoardApp) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def wait(pilot: Pilot[None]) -> None:
        await settled(app)
        await pilot.pause()

    return wait


@hall_board_sizes
def test_hall_board_snapshot(
    snap_compare: Compare, frozen_hall: LiveServer, size: tuple[int, int]
) -> None:
    app = board(frozen_hall.base_url, frozen_hall.accounts.board_token)

    async def every_row_shown(pilot: Pilot[None]) -> None:
        await drawn(app)(pilot)
        for selector in ("#windows", "#queues"):
            assert on_screen(app.query_one(selector)), f"{selector} is cut off at {size}"

    assert snap_compare(app, terminal_size=size, run_before=every_row_shown)


@window_board_sizes
def test_window_board_snapshot(
    snap_compare: Compare, frozen_hall: LiveServer, size: tuple[int, int]
) -> None:
    """Window 3, serving its number."""
    app = board(frozen_hall.base_url, frozen_hall.accounts.board_token, window_no=3)
    assert snap_compare(app, terminal_size=size, run_before=drawn(app))


@window_board_sizes
def test_paused_window_snapshot(
    snap_compare: Compare, frozen_hall: LiveServer, size: tuple[int, int]
) -> None:
    app = board(frozen_hall.base_url, frozen_hall.accounts.board_token, window_no=4)
    assert snap_compare(app, terminal_size=size, run_before=drawn(app))


@hall_board_sizes
def test_offline_banner_snapshot(snap_compare: Compare, size: tuple[int, int]) -> None:
    """A hall board started while its server is down (nothing listens on port 9)."""
    app = board("http://127.0.0.1:9", "board-token")

    async def offline(pilot: Pilot[None]) -> None:
        await wait_until(lambda: app.query_one("#offline").has_class("-offline"), "the banner")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=offline)
