"""The newest call, large: the number and the window, highlighted for a few seconds."""

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Static

from display_board.state import RecentCall


class LatestCall(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("当前叫号", classes="caption")
        yield Digits("", id="latest-number")
        yield Static("", id="latest-window")

    def show_call(self, call: RecentCall | None, *, highlight: bool) -> None:
        self.query_one("#latest-number", Digits).update(call.number if call else "")
        where = f"请到 {call.window_no} 号窗口" if call else "暂无叫号"
        self.query_one("#latest-window", Static).update(where)
        self.set_class(highlight, "-highlight")
