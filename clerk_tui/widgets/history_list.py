"""Recent tickets of this window: number, result, service time."""

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from clerk_tui import formatting
from queue_server.protocol import TicketPublic


class HistoryList(Widget):
    history: reactive[tuple[TicketPublic, ...]] = reactive((), layout=True)

    def render(self) -> Table | Text:
        if not self.history:
            return Text("今日本窗口尚无记录", style="dim")
        table = Table(box=None, pad_edge=False, expand=True, show_edge=False)
        table.add_column("号码", no_wrap=True)
        table.add_column("结果", no_wrap=True)
        table.add_column("办理时长", no_wrap=True, justify="right")
        for ticket in self.history:
            table.add_row(
                ticket.number, formatting.history_result(ticket), formatting.service_time(ticket)
            )
        return table
