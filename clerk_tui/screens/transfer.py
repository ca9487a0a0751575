"""Transfer the current ticket to a category or a window, with a reason.

办不成事反映 (category `unresolved`) is one keystroke away: F6 again in this dialog. The first
choice, 市域通办, sends the matter to the hall that owns it: it opens the case form instead.
"""

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from queue_server.protocol import CategoryPublic, WindowPublic

UNRESOLVED = "unresolved"
UNRESOLVED_REASON = "办不成事反映"
CROSS_REGION = "cross_region"


@dataclass(frozen=True, slots=True)
class TransferChoice:
    reason: str
    to_category: str | None = None
    to_window: int | None = None
    cross_region: bool = False
    """市域通办 was chosen: open a case for the owning hall rather than transfer."""


class TransferDialog(ModalScreen[TransferChoice | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消"),
        Binding("f6", "unresolved", "转办不成事反映", priority=True),
    ]
    AUTO_FOCUS = "#targets"

    def __init__(
        self, number: str, categories: list[CategoryPublic], windows: list[WindowPublic]
    ) -> None:
        super().__init__()
        self.number = number
        self.categories = categories
        self.windows = windows
        self.target: Option | None = None

    def compose(self) -> ComposeResult:
        options = [Option("市域通办：开件，转属地大厅办理", id=CROSS_REGION)]
        options += [Option(f"类别：{c.name}", id=f"category:{c.code}") for c in self.categories]
        options += [
            Option(f"窗口：{w.number}号 {w.name}", id=f"window:{w.number}") for w in self.windows
        ]
        with Vertical(classes="dialog"):
            yield Static(f"转移 {self.number} 号", classes="dialog-title")
            yield Static("再按 F6：直接转“办不成事反映”", classes="dialog-hint")
            yield OptionList(*options, id="targets")
            yield Input(id="reason", placeholder="转移原因（必填），Enter 确认")
            yield Static("↑↓ 选择去向 · Enter 下一步 · Esc 取消", classes="dialog-hint")
            yield Static("", id="transfer-error", classes="form-error")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == CROSS_REGION:
            self.dismiss(TransferChoice(reason="市域通办", cross_region=True))
            return
        self.target = event.option
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reason = event.value.strip()
        if self.target is None or self.target.id is None:
            self.query_one("#transfer-error", Static).update("请先选择转移去向")
            self.query_one("#targets", OptionList).focus()
            return
        if not reason:
            self.query_one("#transfer-error", Static).update("请填写转移原因")
            return
        kind, _, value = self.target.id.partition(":")
        if kind == "category":
            self.dismiss(TransferChoice(reason=reason, to_category=value))
        else:
            self.dismiss(TransferChoice(reason=reason, to_window=int(value)))

    def action_unresolved(self) -> None:
        self.dismiss(TransferChoice(reason=UNRESOLVED_REASON, to_category=UNRESOLVED))

    def action_cancel(self) -> None:
        self.dismiss(None)
