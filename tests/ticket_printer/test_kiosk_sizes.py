"""The kiosk at its smallest supported sizes, 80×24 and 100×30, through Textual's Pilot
against a real queue server: every category on screen and reachable by Tab, the focus kept
across a refresh of the hall, every material of 退休 on the confirm screen, focus visible on
every button."""

from functools import partial
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button

from queue_server.client import QueueClient
from tests.support import LiveServer
from tests.ticket_printer.pilot import (
    file_printer,
    focus_is_visible,
    screen_lines,
    shown,
    start,
    tap,
    until,
)
from tests.ticket_printer.support import RETIREMENT, run_async
from tests.tui import on_screen
from ticket_printer.kiosk.app import KioskApp
from ticket_printer.kiosk.screens.confirm import ConfirmScreen
from ticket_printer.kiosk.screens.matter import MatterScreen
from ticket_printer.kiosk.screens.ticket import TicketScreen

SIZES = [(80, 24), (100, 30)]
CATEGORIES = [
    "consult",
    "general",
    "enterprise",
    "unresolved",
    "assist",
    "pickup",
    "cross_region",
]

size_ids = pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")


def focused_id(app: KioskApp) -> str | None:
    return app.focused.id if app.focused is not None else None


def label_of(app: KioskApp, code: str) -> str:
    return str(app.screen.query_one(f"#category-{code}", Button).label)


@size_ids
def test_every_category_is_on_screen_and_reached_by_tab(
    server: LiveServer, tmp_path: Path, size: tuple[int, int]
) -> None:
    async def scenario() -> None:
        async with QueueClient(server.base_url, token=server.accounts.kiosk_token) as client:
            app = KioskApp(client, file_printer(tmp_path / "lp0"), device_name="kiosk-size")
            async with app.run_test(size=size) as pilot:
                await start(pilot, app)
                for code in CATEGORIES:
                    button = app.screen.query_one(f"#category-{code}", Button)
                    assert on_screen(button), f"{code} is cut off at {size}: {button.region}"
                    lines = str(button.label).count("\n") + 1
                    assert button.content_size.height >= lines, f"{code}'s label is cut"
                assert focused_id(app) == "category-consult"  # Enter works straight away
                reached = [focused_id(app)]
                for _ in CATEGORIES[1:]:
                    await pilot.press("tab")
                    reached.append(focused_id(app))
                    assert isinstance(app.focused, Button) and focus_is_visible(app.focused)
                assert reached == [f"category-{code}" for code in CATEGORIES]
                await pilot.press("enter")
                await shown(pilot, ConfirmScreen)

    run_async(scenario())


@size_ids
def test_a_refresh_keeps_the_focus_and_enter_still_issues(
    server: LiveServer, tmp_path: Path, size: tuple[int, int]
) -> None:
    """The hall changes (someone else takes a number) and the kiosk reads it again, as its
    10 s timer would: the applicant's choice keeps the focus and Enter takes the ticket."""
    other_kiosk = server.client(server.accounts.kiosk_token)

    async def scenario() -> None:
        async with QueueClient(server.base_url, token=server.accounts.kiosk_token) as client:
            app = KioskApp(client, file_printer(tmp_path / "lp0"), device_name="kiosk-focus")
            async with app.run_test(size=size) as pilot:
                await start(pilot, app)
                for _ in range(6):
                    await pilot.press("tab")
                assert focused_id(app) == "category-cross_region"
                for category in ("cross_region", "general"):
                    issued = other_kiosk.post("/api/tickets", json={"category": category})
                    assert issued.status_code == 201
                app.refresh_hall()
                await until(pilot, lambda: label_of(app, "cross_region").endswith("等候 1 人"))
                await until(pilot, lambda: label_of(app, "general").endswith("等候 1 人"))
                await pilot.pause()
                assert focused_id(app) == "category-cross_region"
                await pilot.press("enter")
                await shown(pilot, ConfirmScreen)
                assert focused_id(app) == "confirm"
                app.refresh_hall()
                await until(pilot, lambda: not any(w.is_running for w in app.workers))
                assert focused_id(app) == "confirm"
                await pilot.press("enter")
                await shown(pilot, TicketScreen)

    run_async(scenario())
    issued = other_kiosk.get("/api/hall").json()["categories"]
    waiting = {category["code"]: category["waiting"] for category in issued}
    assert waiting["cross_region"] == 2


@size_ids
def test_every_material_of_retirement_is_on_the_confirm_screen(
    server: LiveServer, tmp_path: Path, size: tuple[int, int]
) -> None:
    async def scenario() -> None:
        async with QueueClient(server.base_url, token=server.accounts.kiosk_token) as client:
            app = KioskApp(client, file_printer(tmp_path / "lp0"), device_name="kiosk-list")
            async with app.run_test(size=size) as pilot:
                await start(pilot, app)
                await tap(pilot, "#category-general")
                await shown(pilot, MatterScreen)
                await tap(pilot, "#matter-search")
                await pilot.press(*"退休")
                await tap(pilot, "#matter-retirement")
                await shown(pilot, ConfirmScreen)
                await pilot.pause()
                seen = visible_materials(app)
                while len(seen) < len(RETIREMENT):  # the next page, if any, by its button
                    assert on_screen(app.screen.query_one("#materials-page"))
                    await tap(pilot, "#materials-next")
                    more = visible_materials(app)
                    assert more - seen, "下一页 showed nothing new"
                    seen |= more
                for selector in ("#confirm", "#back", "#priority-elderly"):
                    assert on_screen(app.screen.query_one(selector))

    run_async(scenario())


def visible_materials(app: KioskApp) -> set[int]:
    """The numbers of 退休's materials whose start is on screen, in a column drawn whole."""
    columns = list(app.screen.query(".material-column"))
    assert all(on_screen(column) for column in columns if column.region.area)
    text = "\n".join(screen_lines(app))
    assert "…" not in text, "a material is cut short"
    return {
        number
        for number, material in enumerate(RETIREMENT, start=1)
        if f"{number}. {material[:8]}" in text
    }


@size_ids
def test_every_button_shows_its_focus(
    server: LiveServer, tmp_path: Path, size: tuple[int, int]
) -> None:
    async def focus_each_button(pilot: Pilot[None], app: KioskApp) -> list[str]:
        """Everything Tab can reach on the screen: each shows its focus, scrolled into view."""
        checked = []
        for widget in app.screen.focus_chain:
            widget.focus()
            await pilot.pause()
            assert focus_is_visible(widget), f"{widget} shows no focus"
            await until(pilot, partial(on_screen, widget))  # scrolled into view
            checked.append(widget.id or "")
        return checked

    async def scenario() -> None:
        async with QueueClient(server.base_url, token=server.accounts.kiosk_token) as client:
            app = KioskApp(client, file_printer(tmp_path / "missing" / "lp0"), device_name="k")
            async with app.run_test(size=size) as pilot:
                await start(pilot, app)
                checked = await focus_each_button(pilot, app)
                assert checked == [
                    *(f"category-{code}" for code in CATEGORIES),
                    "check-in-entry",
                    "help",
                ]
                await tap(pilot, "#category-general")
                await shown(pilot, MatterScreen)
                assert {"back", "skip", "help"} <= set(await focus_each_button(pilot, app))
                await tap(pilot, "#skip")
                await shown(pilot, ConfirmScreen)
                checked = await focus_each_button(pilot, app)
                assert {"back", "confirm", "priority-elderly", "help"} <= set(checked)
                app.screen.query_one("#confirm", Button).focus()
                await pilot.press("enter")
                await shown(pilot, TicketScreen)  # the printer is missing: a fault
                assert {"reprint", "done", "help"} <= set(await focus_each_button(pilot, app))

    run_async(scenario())
