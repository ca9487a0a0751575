"""Put a returning no-show back in the queue: pick it from today's no-shows."""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from queue_server.protocol import TicketPublic


class RequeueDialog(ModalScreen[int | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消")]
    AUTO_FOCUS = "#no-shows"

    def __init__(self, no_shows: list[TicketPublic]) -> None:
        super().__init__()
        self.no_shows = no_shows

    def compose(self) -> ComposeResult:
        options = [
            Option(f"{t.number}  {t.category_name}  {t.window_no or '—'}号窗口过号", id=str(t.id))
            for t in self.no_shows
        ]
        with Vertical(classes="dialog"):
            yield Static("过号重排：选择回来的号码", classes="dialog-title")
            yield OptionList(*options, id="no-shows")
            yield Static("↑↓ 选择 · Enter 重排 · Esc 取消", classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
