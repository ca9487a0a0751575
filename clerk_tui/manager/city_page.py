"""The 全市 page of a city-wide manager: every hall on one line, live; Enter goes to one."""

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from clerk_tui.manager import city
from clerk_tui.manager.messages import HallChosen
from clerk_tui.manager.pages import fill
from queue_server.protocol import HallSummary


class HallTable(DataTable[city.CityCell]):
    """The halls, one per row keyed by code; Enter switches the console to the chosen one."""

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(HallChosen(event.row_key.value))


class CityPage(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("正在读取全市各大厅…", id="city-summary", classes="page-title")
        yield Static(
            "↑↓ 选择 · Enter 切换到该大厅 · ▸ 当前大厅 · ⚠ 有人等候超时，或今日有告警",
            classes="page-hint",
        )
        table = HallTable(id="city-halls", cursor_type="row", zebra_stripes=True)
        table.add_columns(*city.CITY_COLUMNS)
        yield table

    def show_halls(
        self, halls: list[HallSummary], current: str | None, now: datetime, timezone: str
    ) -> None:
        self.query_one("#city-summary", Static).update(city.city_summary(halls, now, timezone))
        fill(self.query_one(HallTable), city.city_rows(halls, current), [h.code for h in halls])
