"""The 出件 window puts the result of the ticket at the window into the smart locker (Ctrl+K),
driven by keys through Pilot against a real server: the compartment typed in the dialog, the
pickup code told to the clerk and shown on the applicant's status page; an occupied
compartment is refused in the dialog, and other windows do not offer the key."""

import io
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Input

from clerk_tui.app import ClerkApp
from clerk_tui.screens.locker_deposit import LockerDepositDialog
from clerk_tui.widgets.action_panel import ActionPanel
from tests.browser import artifacts
from tests.clerk_tui.console import Hall, console
from tests.clerk_tui.helpers import text_of, type_text, until
from tests.support import LiveServer

PICKUP_WINDOW = 12
"""统一出件 (category pickup) in the default hall."""


def message(app: ClerkApp) -> str:
    return app.hall_state.message if app.hall_state else ""


def panel_text(app: ClerkApp) -> str:
    """The 操作 panel's lines as the clerk reads them."""
    panel = app.screen.query_one(ActionPanel)
    console = Console(file=io.StringIO(), width=60)
    console.print(panel.render())
    text: str = console.file.getvalue()  # type: ignore[attr-defined]
    return text


def public_view(server: LiveServer, public_code: str) -> dict[str, Any]:
    view: dict[str, Any] = server.client().get(f"/api/public/tickets/{public_code}").json()
    return view


def deposits(server: LiveServer) -> list[dict[str, Any]]:
    staff = server.client(server.accounts.clerk_tokens["clerk2"])
    rows: list[dict[str, Any]] = staff.get("/api/lockers/locker-1/deposits").json()
    return rows


@pytest.mark.anyio
async def test_the_pickup_window_deposits_the_result_in_the_locker(server: LiveServer) -> None:
    hall = Hall(server)
    first = hall.issue("pickup")
    second = hall.issue("pickup")
    async with console(server.base_url, window=PICKUP_WINDOW) as (app, pilot):
        await pilot.press("f1")
        await until(
            pilot,
            lambda: app.hall_state is not None and app.hall_state.current is not None,
            "called",
        )
        assert "存入文件柜" in panel_text(app)
        await pilot.press("ctrl+k")
        await until(pilot, lambda: isinstance(app.screen, LockerDepositDialog), "the dialog")
        assert app.focused is not None and app.focused.id == "compartment"
        assert "空格：1、2、3" in text_of(app, "#free-compartments")
        app.save_screenshot("locker-deposit-dialog.svg", path=str(artifacts()))
        await type_text(pilot, "5")
        await pilot.press("enter")
        await until(pilot, lambda: "取件码" in message(app), f"the pickup code: {message(app)}")
        [row] = deposits(server)
        assert row["compartment"] == 5 and row["ticket_number"] == first["number"]
        assert row["pickup_code"] in message(app)
        assert f"{first['number']}号的办理结果已存入 5 号格口" in message(app)
        assert (
            public_view(server, first["public_code"])["locker"]["pickup_code"] == row["pickup_code"]
        )

        await pilot.press("f3", "f4")  # start and finish the first, call the second
        await until(
            pilot, lambda: app.hall_state is not None and app.hall_state.current is None, "done"
        )
        await pilot.press("f1")
        await until(
            pilot,
            lambda: (
                app.hall_state is not None
                and app.hall_state.current is not None
                and app.hall_state.current.number == second["number"]
            ),
            "the second ticket",
        )
        await pilot.press("ctrl+k")
        await until(pilot, lambda: isinstance(app.screen, LockerDepositDialog), "the dialog")
        await type_text(pilot, "5")
        await pilot.press("enter")
        assert text_of(app, "#locker-error") == "5 号格口已有物品，请换一个格口"
        app.screen.query_one("#compartment", Input).value = ""
        await type_text(pilot, "25")
        await pilot.press("enter")
        assert text_of(app, "#locker-error") == "智能文件柜只有 1–24 号格口"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, LockerDepositDialog), "closed")
    assert len(deposits(server)) == 1


@pytest.mark.anyio
async def test_other_windows_do_not_offer_the_locker(server: LiveServer) -> None:
    hall = Hall(server)
    hall.issue("general")
    async with console(server.base_url, window=3) as (app, pilot):
        await pilot.press("f1")
        await until(
            pilot,
            lambda: app.hall_state is not None and app.hall_state.current is not None,
            "called",
        )
        assert "存入文件柜" not in panel_text(app)
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert not isinstance(app.screen, LockerDepositDialog)
    assert deposits(server) == []
