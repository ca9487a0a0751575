"""The terminal boards, driven through Textual's Pilot against a real queue server."""

import asyncio
from pathlib import Path

from display_board.app import BoardApp
from queue_server.client import QueueClient
from tests.display_board.support import (
    RestartableServer,
    clerk_at,
    row_of,
    wait_until,
    widget_text,
)
from tests.support import LiveServer

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
