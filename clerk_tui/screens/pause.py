"""Pause the window with a reason: a preset, or typed."""

from typing import ClassVar, Final

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

PAUSE_REASONS: Final = ("休息", "会议", "系统故障", "临时离开", "业务培训")


class PauseDialog(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消")]
    AUTO_FOCUS = "#reasons"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("暂停服务：选择原因", classes="dialog-title")
            yield OptionList(*[Option(r, id=r) for r in PAUSE_REASONS], id="reasons")
            yield Input(id="other-reason", placeholder="其他原因：输入后按 Enter")
            yield Static(
                "↑↓ 选择 · Enter 确认 · Tab 输入其他原因 · Esc 取消", classes="dialog-hint"
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
