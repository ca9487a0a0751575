"""Driving the kiosk through Textual's Pilot: waiting, tapping, reading what is on screen."""

import asyncio
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from ticket_printer.escpos_output import PrintOptions
from ticket_printer.fonts import find_cjk_font
from ticket_printer.kiosk.app import KioskApp
from ticket_printer.printers import parse_printer_spec
from ticket_printer.printing import EscposPrinter

PATIENCE = 20.0
FOCUS_BORDER = "thick"


def file_printer(path: Path) -> EscposPrinter:
    return EscposPrinter(parse_printer_spec(f"file:{path}"), PrintOptions(), find_cjk_font())


async def until(pilot: Pilot[None], condition: Callable[[], object]) -> None:
    """Let the app run until `condition` holds; fail after PATIENCE seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the kiosk did not get there in time")
        await pilot.pause(0.05)


async def shown(pilot: Pilot[None], screen: type[Screen[None]]) -> None:
    """Wait until `screen` is the current screen and has been composed."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, screen) and bool(app.screen.children))


async def tap(pilot: Pilot[None], selector: str) -> None:
    """Touch a widget once it is laid out on the current screen."""
    app = pilot.app
    await until(pilot, lambda: any(w.region.area for w in app.screen.query(selector)))
    assert await pilot.click(selector), f"{selector} was not hit"


async def press(pilot: Pilot[None], selector: str) -> None:
    """Focus a control on the current screen and press Enter on it, as from a keyboard."""
    app = pilot.app
    await until(pilot, lambda: any(w.region.area for w in app.screen.query(selector)))
    app.screen.query_one(selector).focus()
    await pilot.press("enter")


async def start(pilot: Pilot[None], app: KioskApp) -> None:
    """Wait until the category buttons are laid out on screen."""
    await until(
        pilot,
        lambda: any(button.region.area for button in app.screen.query(".category")),
    )


def screen_lines(app: KioskApp) -> list[str]:
    """The characters on the terminal, row by row, as the applicant sees them."""
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip) for strip in strips]


def focus_is_visible(widget: Widget) -> bool:
    """Whether a focused control is drawn unlike an unfocused one: its thick frame."""
    return widget.has_focus and widget.styles.border_top[0] == FOCUS_BORDER


def idle(app: KioskApp) -> bool:
    """No network or printing work under way."""
    return not any(worker.is_running for worker in app.workers)
