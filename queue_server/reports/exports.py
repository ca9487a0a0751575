"""A statistics report as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese) or
as an XLSX workbook with one sheet per table."""

import csv
import io
from typing import Any

from openpyxl import Workbook

from queue_server.protocol import StatsReport, StatsRow
from queue_server.reports.labels import GROUP_LABELS, ROW_LABELS

COLUMNS = list(StatsRow.model_fields)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Free text (a pause reason a clerk typed, a name) that a spreadsheet would run as a
    formula is written as text: with a leading apostrophe, as OWASP advises for CSV/XLSX."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _append(sheet: Any, values: list[Any]) -> None:
    sheet.append([safe_cell(value) for value in values])


def _rows(report: StatsReport) -> list[list[Any]]:
    rows = [[getattr(row, name) for name in COLUMNS] for row in report.rows]
    rows.append([getattr(report.total, name) for name in COLUMNS])
    return rows


def to_csv(report: StatsReport) -> bytes:
    """The grouped rows and a total row; the header holds the JSON keys."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in _rows(report):
        writer.writerow(["" if value is None else safe_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(report: StatsReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"按{GROUP_LABELS[report.group_by]}"
    _append(sheet, [f"统计区间 {report.from_day} 至 {report.to_day}"])
    _append(sheet, [ROW_LABELS.get(name, name) for name in COLUMNS])
    for row in _rows(report):
        _append(sheet, row)
    hourly = workbook.create_sheet("分时段")
    _append(hourly, ["时段", "取号人数", "平均等候人数"])
    for load in report.hourly:
        _append(hourly, [f"{load.hour:02d}:00", load.arrivals, load.waiting_mean])
    pauses = workbook.create_sheet("暂停原因")
    _append(pauses, ["原因", "次数", "时长(秒)"])
    for pause in report.pauses:
        _append(pauses, [pause.reason, pause.pauses, pause.seconds])
    cases = workbook.create_sheet("办不成事")
    _append(cases, ["类型", "分类", "受理", "办结", "按时办结", "超时办结", "未办结", "已超期"])
    for case in report.cases:
        _append(
            cases,
            [
                case.kind,
                case.case_class,
                case.opened,
                case.closed,
                case.closed_in_time,
                case.closed_late,
                case.open,
                case.overdue,
            ],
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
