"""Driving the clerk console through Pilot: typing, waiting for conditions, reading text."""

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Static

from clerk_tui.app import ClerkApp

KEY_NAMES = {"-": "minus", " ": "space", ".": "full_stop", "_": "underscore"}


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*[KEY_NAMES.get(char, char) for char in text])


async def until(
    pilot: Pilot[None], condition: Callable[[], bool], what: str, seconds: float = 15.0
) -> None:
    """Let the app run until `condition` holds; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await pilot.pause(0.05)


def text_of(app: ClerkApp, selector: str) -> str:
    """The plain text a Static shows, as a screen reader would get it."""
    return str(app.screen.query_one(selector, Static).render())
