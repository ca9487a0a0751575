"""Ask before quitting while a ticket is at the window."""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmQuitDialog(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "退出"),
        Binding("n,escape", "answer(False)", "留下"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("确认退出", classes="dialog-title")
            yield Static(self.question, id="quit-question")
            yield Static("Y / Enter 退出并签退 · N / Esc 留下", classes="dialog-hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
