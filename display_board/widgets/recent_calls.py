"""The last calls, newest first: number → window."""

from rich.table import Table
from textual.widgets import Static

from display_board.state import RecentCall


class RecentCalls(Static):
    def show_calls(self, calls: tuple[RecentCall, ...]) -> None:
        table = Table(expand=True, box=None, show_edge=False, header_style="bold")
        table.add_column("号码", justify="center")
        table.add_column("窗口", justify="center")
        for call in calls:
            recall = " (重呼)" if call.recall else ""
            table.add_row(call.number, f"{call.window_no} 号窗口{recall}")
        self.update(table)
        self.set_class(not calls, "-empty")
