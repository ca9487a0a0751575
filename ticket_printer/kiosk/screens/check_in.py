"""预约签到: a booking code or an ID number, typed or sent by a keyboard-wedge QR or ID card
reader (a burst of characters and Enter); too late for the slot, a walk-in ticket of the same
category is one key away (Enter, on the offered button)."""

import re

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from ticket_printer.kiosk.messages import CheckInRequested, StartOver, WalkInRequested
from ticket_printer.kiosk.widgets.help_button import HelpButton

PROMPT = "请扫描预约二维码、输入预约码，或刷身份证 / 输入身份证号"
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")


def is_id_number(text: str) -> bool:
    """18 characters of a 居民身份证号: the check digit is the server's to verify."""
    return ID_NUMBER.fullmatch(text.strip()) is not None


class CheckInScreen(Screen[None]):
    AUTO_FOCUS = "#check-in-input"
    busy: reactive[bool] = reactive(False)
    error: reactive[str] = reactive("")
    walk_in: reactive[str] = reactive("")
    """The category code whose walk-in ticket is offered after a too-late refusal ("" none)."""
    walk_in_name: str = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="check-in-page"):
            yield Static("预约签到", classes="title")
            yield Static(PROMPT, classes="subtitle")
            yield Input(
                placeholder="预约码或身份证号", id="check-in-input", max_length=32, password=False
            )
            yield Static("", id="check-in-error", classes="error")
            with Horizontal(classes="actions"):
                yield Button("返回", id="back", classes="secondary")
                yield Button("签到取号", id="check-in", classes="primary")
                walk_in = Button("", id="walk-in", classes="primary")
                walk_in.display = False
                yield walk_in
        yield HelpButton()

    def on_mount(self) -> None:
        self.watch_error(self.error)
        self.watch_walk_in(self.walk_in)

    def watch_busy(self, busy: bool) -> None:
        if self.is_mounted:
            button = self.query_one("#check-in", Button)
            button.label = "正在签到…" if busy else "签到取号"
            button.set_class(busy, "-busy")

    def watch_error(self, error: str) -> None:
        if self.is_mounted:
            shown = self.query_one("#check-in-error", Static)
            shown.update(error)
            shown.display = bool(error)

    def watch_walk_in(self, category: str) -> None:
        if not self.is_mounted:
            return
        button = self.query_one("#walk-in", Button)
        button.label = f"取普通号（{self.walk_in_name or category}）"
        button.display = bool(category)
        if category:
            button.focus()

    def _submit(self) -> None:
        field = self.query_one("#check-in-input", Input)
        text = field.value.strip()
        if self.busy or not text:
            return
        field.value = ""
        self.error = ""
        self.walk_in = ""
        self.post_message(CheckInRequested(text))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "back":
            self.post_message(StartOver())
        elif event.button.id == "check-in":
            self._submit()
        elif event.button.id == "walk-in" and self.walk_in and not self.busy:
            self.post_message(WalkInRequested(self.walk_in))
