"""Driving the clerk console through Pilot: typing, waiting for conditions, reading text."""

import time
from collections.abc import Callable

from textual import events
from textual.pilot import Pilot
from textual.widgets import Static

from clerk_tui.app import ClerkApp

KEY_NAMES = {"-": "minus", " ": "space", ".": "full_stop", "_": "underscore"}


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*[KEY_NAMES.get(char, char) for char in text])


KEY_CHARACTERS = {"tab": "\t", "enter": "\r", "escape": "\x1b"}


async def type_burst(pilot: Pilot[None], keys: list[str]) -> None:
    """Send `keys` all at once, as a fast typist or a password manager's auto-type does:
    unlike `pilot.press`, nothing is handled before the next key is already queued."""
    for key in keys:
        event = events.Key(key, KEY_CHARACTERS.get(key, key if len(key) == 1 else None))
        pilot.app.post_message(event)
    await pilot.pause()


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
