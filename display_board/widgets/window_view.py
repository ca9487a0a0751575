"""One window's own display: its name, current number, the clerk, or 暂停服务."""

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Static

from display_board.state import BoardState, window_label
from queue_server.protocol import WindowStatus


class WindowView(Vertical):
    def __init__(self, window_no: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.window_no = window_no

    def compose(self) -> ComposeResult:
        yield Static(f"{self.window_no} 号窗口", id="window-title")
        yield Static("", id="window-name")
        yield Digits("", id="window-number")
        yield Static("", id="window-status")
        yield Static("", id="window-clerk")

    def show_state(self, state: BoardState, *, highlight: bool) -> None:
        window = state.window(self.window_no)
        name = self.query_one("#window-name", Static)
        status = self.query_one("#window-status", Static)
        clerk = self.query_one("#window-clerk", Static)
        number = self.query_one("#window-number", Digits)
        if window is None:
            name.update("本大厅没有这个窗口")
            status.update("")
            clerk.update("")
            number.update("")
            return
        name.update(window.name)
        number.update(window.current.number if window.current else "")
        status.update(window_label(window))
        if window.clerk is not None:
            staff = f"　工号 {window.clerk.staff_no}" if window.clerk.staff_no else ""
            clerk.update(f"工作人员 {window.clerk.display_name}{staff}")
        else:
            clerk.update("")
        self.set_class(window.status == WindowStatus.PAUSED, "-paused")
        self.set_class(window.status == WindowStatus.CLOSED, "-closed")
        self.set_class(highlight, "-highlight")
