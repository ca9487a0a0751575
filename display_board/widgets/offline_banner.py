"""A red banner while the board has lost the server; hidden while the link is up."""

from textual.widgets import Static


class OfflineBanner(Static):
    def show_link(self, *, connected: bool, problem: str | None) -> None:
        self.set_class(not connected, "-offline")
        if not connected:
            self.update(f"与服务器的连接已中断，正在重连… {problem or ''}".rstrip())
