"""Call a given number to this window (特呼)."""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class CallNumberDialog(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消")]
    AUTO_FOCUS = "#number"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("特呼：输入号码", classes="dialog-title")
            yield Input(id="number", placeholder="如 B012", max_length=6)
            yield Static("Enter 呼叫 · Esc 取消", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip().upper())

    def action_cancel(self) -> None:
        self.dismiss(None)
