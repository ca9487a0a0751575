"""The statistics page's 24小时自助服务区 section: the hall's zone and each device over the
period (availability, inspections on time, faults and repair, help requests)."""

from typing import Final

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from clerk_tui.formatting import duration
from queue_server.protocol import SelfServiceFigures, SelfServiceStatsReport

ZONE_COLUMNS: Final = (
    "设备",
    "完好率",
    "巡检按时/应检",
    "故障",
    "平均修复",
    "求助",
    "超时未应",
    "平均响应",
    "响应P90",
)
SOURCE_LABELS: Final[dict[str, str]] = {
    "inspection": "巡检发现",
    "staff": "人工报修",
    "heartbeat": "设备自报",
    "offline": "离线",
}
NO_ZONE: Final = "本大厅未设24小时自助服务区"

Row = tuple[str, ...]


def availability(value: float | None) -> str:
    """完好率 to a tenth of a percent (99.9% and 100% differ by 86 seconds a day)."""
    return "—" if value is None else f"{value * 100:.1f}%"


def zone_row(figures: SelfServiceFigures, label: str) -> Row:
    return (
        label,
        availability(figures.availability),
        f"{figures.inspections_on_time}/{figures.inspections_due}",
        str(figures.faults),
        duration(figures.repair_seconds_mean),
        str(figures.help_requests),
        str(figures.help_escalated),
        duration(figures.help_response_seconds_mean),
        duration(figures.help_response_seconds_p90),
    )


def zone_rows(report: SelfServiceStatsReport) -> list[Row]:
    """Each device of the hall, then its zone as 合计 (the console reads one hall at a time)."""
    rows: list[Row] = []
    for hall in report.rows:
        rows.extend(zone_row(device, device.label) for device in hall.devices)
        rows.append(zone_row(hall, "合计"))
    return rows


def zone_summary(report: SelfServiceStatsReport) -> str:
    """Three lines of the hall's zone's figures, in words: availability and inspections,
    faults and repairs, help requests."""
    if not report.rows or not report.rows[0].devices:
        return NO_ZONE
    figures = report.rows[0]
    sources = " · ".join(
        f"{SOURCE_LABELS[source]} {count}"
        for source, count in figures.faults_by_source.items()
        if count
    )
    return (
        f"完好率 {availability(figures.availability)} · "
        f"巡检按时 {figures.inspections_on_time}/{figures.inspections_due}"
        f"（漏检 {figures.inspections_missed}）\n"
        f"故障 {figures.faults}{f'（{sources}）' if sources else ''} · "
        f"修复验收 {figures.repaired} · 平均修复 {duration(figures.repair_seconds_mean)}\n"
        f"一键求助 {figures.help_requests} · 已响应 {figures.help_acknowledged} · "
        f"超时未应 {figures.help_escalated} · "
        f"平均响应 {duration(figures.help_response_seconds_mean)} · "
        f"P90 {duration(figures.help_response_seconds_p90)}"
    )


class ZoneStatsSection(Vertical):
    """Filled by `show`; empty until the first report."""

    def compose(self) -> ComposeResult:
        yield Static("24小时自助服务区", classes="section-title")
        yield Static("", id="zone-stats-summary")
        table: DataTable[str] = DataTable(id="zone-stats", cursor_type="row", zebra_stripes=True)
        table.add_columns(*ZONE_COLUMNS)
        yield table

    def show(self, report: SelfServiceStatsReport) -> None:
        summary = zone_summary(report)
        self.query_one("#zone-stats-summary", Static).update(summary)
        table = self.query_one("#zone-stats", DataTable)
        table.clear()
        if summary != NO_ZONE:
            for row in zone_rows(report):
                table.add_row(*row)
        table.display = summary != NO_ZONE
