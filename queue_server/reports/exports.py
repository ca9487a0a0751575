"""A statistics report as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese) or
as an XLSX workbook with one sheet per table."""

import csv
import io
from typing import Any

from openpyxl import Workbook

from queue_server.protocol import StatsReport, StatsRow
from queue_server.reports.labels import GROUP_LABELS, ROW_LABELS

COLUMNS = list(StatsRow.model_fields)


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
        writer.writerow(["" if value is None else value for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(report: StatsReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"按{GROUP_LABELS[report.group_by]}"
    sheet.append([f"统计区间 {report.from_day} 至 {report.to_day}"])
    sheet.append([ROW_LABELS.get(name, name) for name in COLUMNS])
    for row in _rows(report):
        sheet.append(row)
    hourly = workbook.create_sheet("分时段")
    hourly.append(["时段", "取号人数", "平均等候人数"])
    for load in report.hourly:
        hourly.append([f"{load.hour:02d}:00", load.arrivals, load.waiting_mean])
    pauses = workbook.create_sheet("暂停原因")
    pauses.append(["原因", "次数", "时长(秒)"])
    for pause in report.pauses:
        pauses.append([pause.reason, pause.pauses, pause.seconds])
    cases = workbook.create_sheet("办不成事")
    cases.append(["类型", "分类", "受理", "办结", "按时办结", "超时办结", "未办结", "已超期"])
    for case in report.cases:
        cases.append(
            [
                case.kind,
                case.case_class,
                case.opened,
                case.closed,
                case.closed_in_time,
                case.closed_late,
                case.open,
                case.overdue,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
