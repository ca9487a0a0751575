"""The finish outcome, asked only for categories that require one (办结 / 补件 / 办不成)."""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from queue_server.domain.enums import OUTCOME_LABELS


class OutcomeDialog(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消")]
    AUTO_FOCUS = "#outcomes"

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number

    def compose(self) -> ComposeResult:
        options = [Option(label, id=outcome.value) for outcome, label in OUTCOME_LABELS.items()]
        with Vertical(classes="dialog"):
            yield Static(f"{self.number} 号办结：选择办理结果", classes="dialog-title")
            yield OptionList(*options, id="outcomes")
            yield Static("↑↓ 选择 · Enter 确认 · Esc 取消", classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
