"""Every window's current number and state: serving, 暂停服务 or closed."""

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from display_board.state import window_label
from queue_server.protocol import WindowPublic, WindowStatus

STATUS_STYLES = {
    WindowStatus.OPEN: "bold green",
    WindowStatus.PAUSED: "bold yellow",
    WindowStatus.CLOSED: "dim",
}


class WindowGrid(Static):
    def show_windows(self, windows: tuple[WindowPublic, ...]) -> None:
        table = Table(expand=True, box=None, show_edge=False, header_style="bold")
        for heading in ("窗口", "业务", "当前号码", "状态"):
            table.add_column(heading, justify="center")
        for window in windows:
            table.add_row(
                f"{window.number}",
                window.name,
                window.current.number if window.current else "—",
                Text(window_label(window), style=STATUS_STYLES[window.status]),
            )
        self.update(table)
