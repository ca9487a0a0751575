"""The 市域通办 case list: the cases involving the hall, soonest due first; Enter opens one."""

from collections.abc import Mapping, Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from clerk_tui.cross_region import views
from clerk_tui.cross_region.messages import CrossRegionCaseChosen
from queue_server.protocol import CrossRegionCasePublic


class CrossRegionTable(DataTable[str]):
    """Cases, one per row, keyed by id; Enter opens the chosen one."""

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(CrossRegionCaseChosen(int(event.row_key.value)))


class CrossRegionList(Vertical):
    """Set the cases with `show`; the title counts them and the overdue ones."""

    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="cross-region-title", classes="page-title")
        table = CrossRegionTable(id="cross-region-cases", cursor_type="row", zebra_stripes=True)
        table.add_columns(*views.CASE_COLUMNS)
        yield table

    def show(
        self, cases: Sequence[CrossRegionCasePublic], halls: Mapping[str, str], timezone: str
    ) -> None:
        ordered = views.soonest_due_first(cases)
        self.query_one("#cross-region-title", Static).update(views.list_title(ordered))
        table = self.query_one(CrossRegionTable)
        row = table.cursor_row
        table.clear()
        for case in ordered:
            table.add_row(*views.case_row(case, halls, timezone), key=str(case.id))
        if ordered:
            table.move_cursor(row=min(row, len(ordered) - 1))

    def forget(self) -> None:
        self.query_one(CrossRegionTable).clear()
        self.query_one("#cross-region-title", Static).update("正在读取…")
