"""What the clerk's screen says and keeps visible: the two-press 过号, the paused window's hint,
whole reasons and footer at 100 columns, notifications that hide nothing, a fast login."""

import asyncio
from datetime import UTC, datetime, timedelta

from rich.cells import cell_len
from textual.widgets import Footer
from textual.widgets._footer import FooterKey
from textual.widgets._toast import Toast

from clerk_tui.app import ClerkApp
from clerk_tui.availability import blocked_reason
from clerk_tui.screens.main import panel_actions
from clerk_tui.widgets.action_panel import ActionPanel
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.clerk_tui.console import Hall, console, settled
from tests.clerk_tui.helpers import text_of, type_burst, until
from tests.support import PASSWORD, LiveServer


def current(app: ClerkApp) -> tuple[str, str] | None:
    state = app.hall_state
    ticket = state.current if state else None
    return (ticket.number, ticket.status.value) if ticket else None


def test_no_show_needs_a_second_press_and_anything_else_cancels_it(server: LiveServer) -> None:
    hall = Hall(server)
    ticket = hall.issue()
    clock = ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))

    async def scenario() -> None:
        async with console(server.base_url, clock=clock) as (app, pilot):
            await pilot.press("f1")
            await until(pilot, lambda: current(app) == ("B001", "called"), "B001 called")
            await until(pilot, lambda: settled(app), "settled")

            await pilot.press("f5")
            await pilot.pause()
            assert "再按 F5 确认过号" in text_of(app, "#message")
            assert hall.ticket(ticket["id"])["status"] == "called"
            await pilot.press("escape")  # Esc cancels
            assert "再按 F5" not in text_of(app, "#message")

            await pilot.press("f5", "f2")  # any other key cancels (and does its own job)
            await until(pilot, lambda: settled(app), "the recall")
            assert hall.ticket(ticket["id"])["status"] == "called"
            assert "再按 F5" not in text_of(app, "#message")

            await pilot.press("f5")
            clock.advance(timedelta(seconds=6))  # too late: the next press asks again
            await until(pilot, lambda: "再按 F5" not in text_of(app, "#message"), "expiry")
            await pilot.press("f5")
            await pilot.pause()
            assert hall.ticket(ticket["id"])["status"] == "called"
            assert "再按 F5 确认过号" in text_of(app, "#message")

            await pilot.press("f5")  # confirmed
            await until(pilot, lambda: current(app) is None, "the no-show")

    asyncio.run(scenario())
    assert hall.ticket(ticket["id"])["status"] == "no_show"


def test_a_paused_window_says_how_to_resume(server: LiveServer) -> None:
    async def scenario() -> None:
        async with console(server.base_url) as (app, pilot):
            assert "按 F1 叫号" in text_of(app, "#plain-number")
            await pilot.press("f7", "enter")
            await until(pilot, lambda: "按 F7 恢复服务" in text_of(app, "#plain-number"), "hint")
            assert "F1" not in text_of(app, "#plain-number")

    asyncio.run(scenario())


def test_at_100_columns_every_reason_and_footer_key_is_whole(server: LiveServer) -> None:
    Hall(server).issue()

    async def scenario() -> None:
        async with console(server.base_url, size=(100, 30)) as (app, pilot):
            await pilot.press("f1")
            await until(pilot, lambda: current(app) == ("B001", "called"), "B001 called")
            await until(pilot, lambda: settled(app), "settled")
            await pilot.pause()
            panel = app.screen.query_one(ActionPanel)
            inside = panel.content_region.translate(-panel.region.offset)
            lines = panel.render_lines(inside)
            shown = "".join("".join(line.text.split()) for line in lines)
            state = app.hall_state
            assert state is not None
            reasons = [blocked_reason(action.id, state) for action in panel_actions(state)]
            assert [r for r in reasons if r], "some keys are blocked with a ticket called"
            for reason in filter(None, reasons):
                assert "".join(reason.split()) in shown
            assert "…" not in shown and "F9" in shown

            width = app.screen.size.width
            keys = list(app.screen.query_one(Footer).query(FooterKey))
            assert len(keys) == 10  # 市域通办 and 通办件 are in the 操作 panel only
            for key in keys:
                needed = cell_len(key.key_display) + 1 + cell_len(key.description)
                assert key.region.right <= width, key.description
                assert key.region.width >= needed, key.description

    asyncio.run(scenario())


def test_an_error_notification_covers_neither_the_message_nor_the_figures(
    server: LiveServer,
) -> None:
    Hall(server).issue()

    async def scenario() -> None:
        async with console(server.base_url, size=(100, 30), notifications=True) as (app, pilot):
            await pilot.press("f1")
            await until(pilot, lambda: current(app) == ("B001", "called"), "B001 called")
            await pilot.press("f1")  # refused: B001 is still at the window
            await until(pilot, lambda: bool(app.screen.query(Toast)), "the notification")
            await pilot.pause()
            toasts = [toast.region for toast in app.screen.query(Toast)]
            for selector in ("#message", "#stats-strip"):
                line = app.screen.query_one(selector).region
                assert not any(toast.overlaps(line) for toast in toasts), selector

    asyncio.run(scenario())


def test_a_fast_name_tab_password_enter_logs_in(server: LiveServer) -> None:
    async def scenario() -> None:
        async with QueueClient(server.base_url) as client:
            app = ClerkApp(client, window_no=3)
            async with app.run_test(size=(100, 30)) as pilot:
                await type_burst(pilot, [*"clerk1", "tab", *PASSWORD, "enter"])
                await until(pilot, lambda: settled(app), "signed in")

    asyncio.run(scenario())
