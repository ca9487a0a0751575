"""The four pages of the manager console: live hall, statistics, evaluations, cases."""

from collections.abc import Sequence
from datetime import date
from typing import ClassVar, TypeVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Label, Select, Static

from clerk_tui.manager import tidal_views, views
from clerk_tui.manager.charts import HourlyChart, SatisfactionChart, WaitChart
from clerk_tui.manager.messages import (
    CaseChosen,
    StatsRequested,
    TidalApplyWanted,
    TidalEndWanted,
)
from clerk_tui.manager.zone_stats import ZoneStatsSection
from queue_server.protocol import (
    CasePublic,
    EvaluationPublic,
    EventMessage,
    LiveStats,
    SelfServiceStatsReport,
    StatsGroupBy,
    StatsReport,
    TidalSuggestionPublic,
)

MAX_ALERTS_SHOWN = 50

CellT = TypeVar("CellT")


def fill(
    table: DataTable[CellT], rows: Sequence[tuple[CellT, ...]], keys: list[str] | None = None
) -> None:
    """Replace a table's rows, keeping the cursor where it was when it still fits."""
    row = table.cursor_row
    table.clear()
    for index, values in enumerate(rows):
        table.add_row(*values, key=keys[index] if keys else None)
    if rows:
        table.move_cursor(row=min(row, len(rows) - 1))


def table(table_id: str, columns: tuple[str, ...]) -> DataTable[str]:
    widget: DataTable[str] = DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
    widget.add_columns(*columns)
    return widget


class LivePage(Vertical):
    """The hall now; its keys apply the 潮汐 suggestion shown and end a switch in force."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(tidal_views.APPLY_KEY, "apply_tidal", "采纳潮汐"),
        Binding(tidal_views.END_KEY, "end_tidal", "结束潮汐"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.live: LiveStats | None = None
        self.suggestion: TidalSuggestionPublic | None = None

    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="live-summary", classes="page-title")
        yield Static("", id="tidal")
        with Horizontal(id="live-tables"):
            yield table("live-categories", views.LIVE_CATEGORY_COLUMNS)
            yield table("live-windows", views.LIVE_WINDOW_COLUMNS)
        yield Static("告警（最新在上）", classes="section-title")
        with VerticalScroll(id="alerts-box"):
            yield Static("暂无告警", id="alerts")

    def show_live(self, live: LiveStats) -> None:
        self.live = live
        self.query_one("#live-summary", Static).update(views.live_summary(live))
        fill(self.query_one("#live-categories", DataTable), views.live_category_rows(live))
        fill(self.query_one("#live-windows", DataTable), views.live_window_rows(live))

    def show_tidal(self, suggestion: TidalSuggestionPublic | None, timezone: str) -> None:
        """The suggestion and the switches in force; the line is hidden when there is none."""
        self.suggestion = suggestion
        lines = [
            tidal_views.suggestion_line(suggestion),
            tidal_views.switches_line(self.live, timezone),
        ]
        text = "\n".join(line for line in lines if line)
        tidal = self.query_one("#tidal", Static)
        tidal.update(text)
        tidal.set_class(bool(text), "-shown")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The 潮汐 keys are offered (and in the footer) only when there is something to do."""
        if action == "apply_tidal":
            return self.suggestion is not None
        if action == "end_tidal":
            return bool(tidal_views.switched_windows(self.live))
        return True

    def action_apply_tidal(self) -> None:
        if self.suggestion is None:
            self.notify("暂无潮汐建议", severity="warning")
            return
        self.post_message(TidalApplyWanted(self.suggestion))

    def action_end_tidal(self) -> None:
        windows = self.query_one("#live-windows", DataTable)
        selected = None
        if self.live is not None and 0 <= windows.cursor_row < len(self.live.windows):
            selected = self.live.windows[windows.cursor_row].number
        window = tidal_views.window_to_end(self.live, selected)
        if window is None:
            message = "没有潮汐转办" if not tidal_views.switched_windows(self.live) else None
            self.notify(message or "请在窗口列表中选中要结束潮汐转办的窗口", severity="warning")
            return
        self.post_message(TidalEndWanted(window))

    def show_alerts(self, alerts: list[EventMessage], timezone: str) -> None:
        lines = [views.alert_line(alert, timezone) for alert in alerts[:MAX_ALERTS_SHOWN]]
        self.query_one("#alerts", Static).update("\n".join(lines) or "暂无告警")


class StatsPage(VerticalScroll):
    """Opens on today: 从 holds today's date and 至 is empty (an empty 至 means the 从 day)."""

    def __init__(self, today: date, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.today = today

    def compose(self) -> ComposeResult:
        with Horizontal(id="period"):
            yield Label("从")
            yield Input(self.today.isoformat(), id="stats-from", placeholder="YYYY-MM-DD")
            yield Label("至")
            yield Input(id="stats-to", placeholder="同开始日期")
            yield Select(
                [(views.GROUP_LABELS[key], key) for key in views.GROUP_ORDER],
                value="category",
                allow_blank=False,
                id="stats-group",
            )
        yield Static(
            "输入日期（或“今天”“昨天”）后按 Enter 查询 · F6 导出 CSV/XLSX", classes="page-hint"
        )
        yield Static("", id="stats-title", classes="page-title")
        yield table("stats-table", views.pick([views.STATS_COLUMNS], views.STATS_COUNTS)[0])
        yield table("stats-times", views.pick([views.STATS_COLUMNS], views.STATS_TIMES)[0])
        with Horizontal(classes="charts"):
            yield HourlyChart(id="chart-hourly")
            yield WaitChart(id="chart-wait")
        with Horizontal(classes="charts"):
            yield SatisfactionChart(id="chart-satisfaction")
            with Vertical(id="stats-side"):
                yield Static("", id="satisfaction-summary")
        yield Static("办不成事与回访工单", classes="section-title")
        yield table("case-figures", views.CASE_FIGURE_COLUMNS)
        yield ZoneStatsSection(id="zone-stats-section")

    def group_by(self) -> StatsGroupBy:
        return cast(StatsGroupBy, self.query_one("#stats-group", Select).value)

    def period(self) -> tuple[date, date]:
        """The typed period; raises views.InputError with a message for the manager."""
        return views.parse_period(
            self.query_one("#stats-from", Input).value,
            self.query_one("#stats-to", Input).value,
            today=self.today,
        )

    def request(self) -> None:
        try:
            start, end = self.period()
        except views.InputError as error:
            self.query_one("#stats-title", Static).update(f"⚠ {error}")
            return
        self.post_message(StatsRequested(start, end, self.group_by()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.request()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.request()

    def show_report(self, report: StatsReport) -> None:
        self.query_one("#stats-title", Static).update(views.stats_title(report))
        rows = views.stats_rows(report)
        fill(self.query_one("#stats-table", DataTable), views.pick(rows, views.STATS_COUNTS))
        fill(self.query_one("#stats-times", DataTable), views.pick(rows, views.STATS_TIMES))
        self.query_one("#chart-hourly", HourlyChart).show(*views.hourly_series(report))
        self.query_one("#chart-wait", WaitChart).show(*views.wait_series(report))
        self.query_one("#chart-satisfaction", SatisfactionChart).show(
            views.satisfaction_series(report.total)
        )
        self.query_one("#satisfaction-summary", Static).update(
            views.satisfaction_summary(report.total)
        )
        fill(self.query_one("#case-figures", DataTable), views.case_figure_rows(report))

    def show_zone(self, report: SelfServiceStatsReport) -> None:
        self.query_one(ZoneStatsSection).show(report)


class CaseTable(DataTable[str]):
    """Cases, one per row; Enter opens the chosen one."""

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(CaseChosen(int(event.row_key.value)))


def case_table(table_id: str) -> CaseTable:
    widget = CaseTable(id=table_id, cursor_type="row", zebra_stripes=True)
    widget.add_columns(*views.CASE_COLUMNS)
    return widget


def show_cases(widget: DataTable[str], cases: list[CasePublic]) -> None:
    fill(widget, [views.case_row(case) for case in cases], [str(case.id) for case in cases])


class EvaluationsPage(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("", id="evaluations-title", classes="page-title")
        yield table("evaluation-list", views.EVALUATION_COLUMNS)
        yield Static("差评回访整改工单（Enter 打开办理）", classes="section-title")
        yield case_table("followups")

    def show_evaluations(
        self, start: date, end: date, evaluations: list[EvaluationPublic], timezone: str
    ) -> None:
        period = start.isoformat() if start == end else f"{start} 至 {end}"
        bad = sum(1 for evaluation in evaluations if evaluation.level <= 2)
        self.query_one("#evaluations-title", Static).update(
            f"{period} 的评价 {len(evaluations)} 条，其中差评 {bad} 条（期间在统计页选择）"
        )
        fill(
            self.query_one("#evaluation-list", DataTable),
            [views.evaluation_row(evaluation, timezone) for evaluation in evaluations],
        )

    def show_followups(self, cases: list[CasePublic]) -> None:
        show_cases(self.query_one("#followups", CaseTable), cases)


class CasesPage(Vertical):
    def compose(self) -> ComposeResult:
        yield Static(
            "办不成事反映工单，按办理时限排列 · ↑↓ 选择 · Enter 打开办理",
            classes="page-title",
        )
        yield case_table("case-list")

    def show_cases(self, cases: list[CasePublic]) -> None:
        show_cases(self.query_one("#case-list", CaseTable), cases)
