"""The clerk console driven by keys through Pilot against a real queue server."""

import asyncio
from pathlib import Path
from typing import Any

from clerk_tui.app import ClerkApp
from clerk_tui.keys import parse_keymap
from clerk_tui.screens.confirm_quit import ConfirmQuitDialog
from clerk_tui.screens.login import LoginScreen
from clerk_tui.screens.missing_materials import MissingMaterialsDialog
from clerk_tui.screens.outcome import OutcomeDialog
from clerk_tui.screens.requeue import RequeueDialog
from clerk_tui.screens.window_choice import WindowChoiceScreen
from queue_server.client import QueueClient
from queue_server.config import load_hall_config
from tests.clerk_tui.console import Hall, console, log_in, settled
from tests.clerk_tui.helpers import text_of, type_text, until
from tests.support import PASSWORD, LiveServer, live_server


def current_number(app: ClerkApp) -> str | None:
    state = app.hall_state
    current = state.current if state else None
    return current.number if current else None


def current_status(app: ClerkApp) -> str | None:
    state = app.hall_state
    current = state.current if state else None
    return current.status.value if current else None


def message(app: ClerkApp) -> str:
    return app.hall_state.message if app.hall_state else ""


def test_wrong_password_then_login_and_choose_a_window(server: LiveServer) -> None:
    hall = Hall(server)

    async def scenario() -> None:
        async with QueueClient(server.base_url) as client:
            app = ClerkApp(client)
            async with app.run_test(size=(100, 30)) as pilot:
                assert isinstance(app.screen, LoginScreen)
                assert app.focused is not None and app.focused.id == "username"
                await log_in(pilot, "clerk1", "not-the-password")
                await until(
                    pilot,
                    lambda: "用户名或密码错误" in text_of(app, "#login-error"),
                    "the wrong-password message",
                )
                assert app.focused is not None and app.focused.id == "password"
                await type_text(pilot, PASSWORD)
                await pilot.press("enter")
                await until(
                    pilot, lambda: isinstance(app.screen, WindowChoiceScreen), "window choice"
                )
                await pilot.press("down", "enter")  # the second window in the list: 2
                await until(pilot, lambda: settled(app), "signed in")
                assert app.hall_state is not None and app.hall_state.window_no == 2

    asyncio.run(scenario())
    assert hall.window(2)["clerk"]["display_name"] == "窗口员1"


def test_window_flag_signs_in_at_once_and_f1_calls_priority_first(server: LiveServer) -> None:
    hall = Hall(server)
    hall.issue()
    elderly = hall.issue(priority="elderly", matter="新生儿出生")

    async def scenario() -> None:
        async with console(server.base_url, window=3) as (app, pilot):
            assert hall.window(3)["status"] == "open"
            await pilot.press("f1")
            await until(pilot, lambda: current_number(app) == "B002", "B002 called")
            assert text_of(app, "#plain-number").startswith("当前号码：B002")
            assert "新生儿出生" in text_of(app, "#ticket-details")
            assert "老年人" in text_of(app, "#ticket-details")

    asyncio.run(scenario())
    called = hall.ticket(elderly["id"])
    assert (called["status"], called["window_no"]) == ("called", 3)


def test_function_keys_run_a_ticket_life_cycle(server: LiveServer) -> None:
    hall = Hall(server)
    first, second, third = hall.issue(), hall.issue(), hall.issue()
    seen: dict[str, Any] = {}

    async def scenario() -> None:
        async with console(server.base_url, window=3) as (app, pilot):
            await pilot.press("f1")
            await until(pilot, lambda: current_status(app) == "called", "B001 called")
            await pilot.press("f4")  # illegal before starting: refused with the reason
            await until(pilot, lambda: "请先开始办理" in message(app), "the refusal")
            seen["illegal"] = hall.ticket(first["id"])["status"]
            await pilot.press("f2")
            await until(pilot, lambda: "重呼" in message(app), "recalled")
            seen["recall"] = hall.ticket(first["id"])["recall_count"]
            await pilot.press("f3")
            await until(pilot, lambda: current_status(app) == "serving", "serving")
            seen["start"] = hall.ticket(first["id"])["status"]
            await pilot.press("f4")
            await until(pilot, lambda: current_number(app) is None, "finished")
            seen["finish"] = hall.ticket(first["id"])["status"]

            await pilot.press("f1")
            await until(pilot, lambda: current_number(app) == "B002", "B002 called")
            await pilot.press("f5", "f5")  # 过号 asks, the second press confirms
            await until(pilot, lambda: current_number(app) is None, "no-show")
            seen["no_show"] = hall.ticket(second["id"])["status"]
            await pilot.press("f9")
            await until(pilot, lambda: isinstance(app.screen, RequeueDialog), "requeue dialog")
            await pilot.press("enter")
            await until(pilot, lambda: "过号重排" in message(app), "requeued")
            seen["requeue"] = hall.ticket(second["id"])["status"]

            await pilot.press("f8")
            await pilot.pause()
            await type_text(pilot, "b003")
            await pilot.press("enter")
            await until(pilot, lambda: current_number(app) == "B003", "B003 called by number")
            seen["call_number"] = hall.ticket(third["id"])["call_reason"]
            await pilot.press("f6")
            await pilot.pause()
            await pilot.press("f6")  # 办不成事反映: one more keystroke
            await until(pilot, lambda: current_number(app) is None, "transferred")
            seen["transfer"] = hall.ticket(third["id"])["status"]
            seen["moved"] = [
                (t["number"], t["status"]) for t in hall.tickets(category="unresolved")
            ]

            await pilot.press("f7")
            await pilot.pause()
            await pilot.press("down", "enter")  # 会议
            await until(pilot, lambda: _window_status(app) == "paused", "paused")
            seen["pause"] = (hall.window(3)["status"], hall.window(3)["pause_reason"])
            await pilot.press("f1")
            await until(pilot, lambda: "暂停服务中" in message(app), "calling refused")
            await pilot.press("f7")
            await until(pilot, lambda: _window_status(app) == "open", "resumed")
            seen["resume"] = hall.window(3)["status"]

    asyncio.run(scenario())
    assert seen == {
        "illegal": "called",
        "recall": 1,
        "start": "serving",
        "finish": "done",
        "no_show": "no_show",
        "requeue": "waiting",
        "call_number": "by_number",
        "transfer": "transferred",
        "moved": [("B003", "waiting")],
        "pause": ("paused", "会议"),
        "resume": "open",
    }


def _window_status(app: ClerkApp) -> str | None:
    state = app.hall_state
    return state.window.status.value if state and state.window else None


def test_transfer_to_a_window_with_a_typed_reason(server: LiveServer) -> None:
    hall = Hall(server)
    ticket = hall.issue()

    async def scenario() -> None:
        async with console(server.base_url, window=3) as (app, pilot):
            await pilot.press("f1")
            await until(pilot, lambda: current_number(app) == "B001", "called")
            await pilot.press("f6")
            await pilot.pause()
            await pilot.press("end", "enter")  # the last target: window 12
            await type_text(pilot, "need pickup")
            await pilot.press("enter")
            await until(pilot, lambda: current_number(app) is None, "transferred")

    asyncio.run(scenario())
    assert hall.ticket(ticket["id"])["status"] == "transferred"
    moved = [t for t in hall.tickets(status="waiting") if t["number"] == "B001"]
    assert [(t["category"], t["target_window_no"]) for t in moved] == [("general", 12)]


def test_live_updates_show_a_transfer_to_this_window(server: LiveServer) -> None:
    hall = Hall(server)
    hall.issue("consult")
    hall.issue("general")
    colleague = hall.clerk(1, 1)

    async def scenario() -> None:
        async with console(server.base_url, window=3) as (app, pilot):
            state = app.hall_state
            assert state is not None
            queues = [(q.code, q.waiting) for q in state.queues if q.waiting]
            assert queues == [("general", 1), ("consult", 1)]  # its own, then those it helps
            called = colleague.post("/api/windows/1/call-next").json()
            colleague.post(
                f"/api/tickets/{called['id']}/transfer", json={"to_window": 3, "reason": "转综窗"}
            )
            await until(
                pilot,
                lambda: app.hall_state is not None and app.hall_state.transferred_here == 1,
                "the transfer to show",
            )
            shown = app.hall_state
            assert shown is not None
            numbers = [(e.number, e.to_this_window) for e in shown.next_numbers]
            assert numbers == [("A001", True), ("B001", False)]
            await pilot.press("f1")
            await until(pilot, lambda: current_number(app) == "A001", "transfer called first")

    asyncio.run(scenario())


def test_quitting_while_serving_asks_then_signs_out(server: LiveServer) -> None:
    hall = Hall(server)
    ticket = hall.issue()

    async def scenario() -> None:
        async with console(server.base_url, window=3) as (app, pilot):
            await pilot.press("f1")
            await until(pilot, lambda: current_number(app) == "B001", "called")
            await pilot.press("ctrl+q")
            await until(pilot, lambda: isinstance(app.screen, ConfirmQuitDialog), "asked")
            assert "B001" in text_of(app, "#quit-question")
            await pilot.press("n")
            await until(pilot, lambda: not isinstance(app.screen, ConfirmQuitDialog), "stays")
            assert app.is_running
            await pilot.press("ctrl+q")
            await until(pilot, lambda: isinstance(app.screen, ConfirmQuitDialog), "asked again")
            await pilot.press("y")
            await until(pilot, lambda: not app.is_running, "the console to exit")

    asyncio.run(scenario())
    window = hall.window(3)
    assert (window["status"], window["clerk"]) == ("closed", None)
    assert hall.ticket(ticket["id"])["status"] == "called"


def test_finish_asks_the_outcome_only_where_the_category_requires_it(tmp_path: Path) -> None:
    base = load_hall_config()
    categories = [
        c.model_copy(update={"finish_outcome_required": c.code == "unresolved"})
        for c in base.categories
    ]
    config = base.model_copy(update={"categories": categories})
    with live_server(tmp_path, hall=config) as server:
        hall = Hall(server)
        plain = hall.issue("assist")
        complaint = hall.issue("unresolved")

        async def scenario() -> None:
            async with console(server.base_url, window=11) as (app, pilot):
                for _ in range(2):
                    await pilot.press("f1")
                    await until(pilot, lambda: current_number(app) is not None, "called")
                    await pilot.press("f3")
                    await until(pilot, lambda: current_status(app) == "serving", "serving")
                    await pilot.press("f4")
                    if current_number(app) == "D001":
                        await until(
                            pilot, lambda: isinstance(app.screen, OutcomeDialog), "the question"
                        )
                        await pilot.press("down", "enter")  # 补件
                        await until(
                            pilot,
                            lambda: isinstance(app.screen, MissingMaterialsDialog),
                            "what is missing",
                        )
                        await pilot.press("enter")  # no matter, no list: the field confirms
                    await until(pilot, lambda: current_number(app) is None, "finished")

        asyncio.run(scenario())
        assert hall.ticket(complaint["id"])["outcome"] == "needs_documents"
        assert hall.ticket(complaint["id"])["journey_id"] is not None
        assert hall.ticket(plain["id"])["outcome"] is None


def test_a_taken_window_offers_the_others_and_rebound_keys_work(server: LiveServer) -> None:
    hall = Hall(server)
    hall.clerk(1, 3)
    keymap = parse_keymap('[keys]\ncall_next = "f12"', source="test")

    async def scenario() -> None:
        async with console(server.base_url, window=3, wait=False, keymap=keymap) as (app, pilot):
            await until(
                pilot, lambda: isinstance(app.screen, WindowChoiceScreen), "the window choice"
            )
            await until(
                pilot,
                lambda: "3号窗口已由窗口员2签到" in text_of(app, "#window-error"),
                "why window 3 cannot be had",
            )
            await pilot.press("down", "down", "down", "enter")  # window 4
            await until(pilot, lambda: settled(app), "signed in elsewhere")
            assert app.hall_state is not None and app.hall_state.window_no == 4
            await pilot.press("f1")  # no longer bound
            await pilot.press("f12")
            await until(pilot, lambda: message(app) == "暂无等候的号码", "F12 to call")

    asyncio.run(scenario())


def test_the_clock_ticking_while_the_screen_is_taken_down_is_harmless(server: LiveServer) -> None:
    """At exit Textual removes the main screen's widgets while the app's one-second clock may
    still tick: the tick must not fail the app (it once failed a whole console test)."""

    async def scenario() -> None:
        async with console(server.base_url, window=5) as (app, pilot):
            assert app.main is not None
            await app.main.query_one("StatusBar").remove()
            app._tick()
            await pilot.pause()
            assert app.return_code is None

    asyncio.run(scenario())
