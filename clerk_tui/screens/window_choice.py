"""Choose the window to sign in to."""

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from clerk_tui.messages import WindowChosen
from queue_server.protocol import WindowPublic, WindowStatus


def describe(window: WindowPublic) -> str:
    if window.status == WindowStatus.CLOSED or window.clerk is None:
        holder = "空闲"
    else:
        holder = f"{window.clerk.display_name}已签到"
    return f"{window.number:>3}号  {window.name}（{window.zone}）  {holder}"


class WindowChoiceScreen(Screen[None]):
    AUTO_FOCUS = "#windows"

    error: reactive[str] = reactive("")

    def __init__(self, windows: list[WindowPublic], display_name: str, error: str = "") -> None:
        super().__init__()
        self.windows = windows
        self.display_name = display_name
        self.set_reactive(WindowChoiceScreen.error, error)

    def compose(self) -> ComposeResult:
        with Vertical(id="window-form", classes="form"):
            yield Static(f"{self.display_name}，请选择窗口签到", classes="form-title")
            yield OptionList(
                *[Option(describe(w), id=str(w.number)) for w in self.windows], id="windows"
            )
            yield Static("↑↓ 选择 · Enter 签到 · Ctrl+Q 退出", classes="form-note")
            yield Static(self.error, id="window-error", classes="form-error")

    def watch_error(self, error: str) -> None:
        if self.is_mounted:
            self.query_one("#window-error", Static).update(error)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.error = "正在签到…"
            self.post_message(WindowChosen(int(event.option.id)))
