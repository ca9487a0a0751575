"""预约 statistics as CSV and XLSX: a row per hall, then one per category of the hall, then
the city's total and its categories."""

from typing import Any, Final

from queue_server.protocol import AppointmentStatsFigures, AppointmentStatsReport
from queue_server.reports.exports import _csv, _period, _saved, _workbook

FIGURES: Final = [
    name for name in AppointmentStatsFigures.model_fields if name not in ("key", "label")
]
COLUMNS: Final = ["hall", "category", "label", *FIGURES]
LABELS: Final[dict[str, str]] = {
    "hall": "大厅代码",
    "category": "业务代码",
    "label": "名称",
    "booked": "预约数",
    "cancelled": "已取消",
    "checked_in": "已签到",
    "no_shows": "爽约",
    "appointment_tickets": "预约号已叫号",
    "appointment_wait_seconds_mean": "预约号平均等候(秒)",
    "appointment_wait_seconds_p90": "预约号90%等候(秒)",
    "walk_in_tickets": "现场号已叫号",
    "walk_in_wait_seconds_mean": "现场号平均等候(秒)",
    "walk_in_wait_seconds_p90": "现场号90%等候(秒)",
}


def _cells(figures: AppointmentStatsFigures, hall: str, category: str) -> list[Any]:
    return [hall, category, figures.label, *(getattr(figures, name) for name in FIGURES)]


def _rows(report: AppointmentStatsReport) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for row in [*report.rows, *([report.total] if report.total is not None else [])]:
        rows.append(_cells(row, row.key, ""))
        rows.extend(_cells(category, row.key, category.key) for category in row.categories)
    return rows


def appointments_csv(report: AppointmentStatsReport) -> bytes:
    """The header holds the JSON keys (`category` empty on a hall's own row)."""
    return _csv(COLUMNS, _rows(report))


def appointments_xlsx(report: AppointmentStatsReport) -> bytes:
    return _saved(
        _workbook(
            "预约",
            _period(report.from_day, report.to_day),
            [LABELS[column] for column in COLUMNS],
            _rows(report),
        )
    )
