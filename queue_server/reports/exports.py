"""Statistics reports as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese) or
as an XLSX workbook with one sheet per table: the period report (`GET /api/stats/export`),
the 市域通办 report (`GET /api/stats/cross-region/export`) and the self-service zone's
(`GET /api/stats/self-service/export`)."""

import csv
import io
from typing import Any

from openpyxl import Workbook

from queue_server.domain.cross_region import CrossRegionStatus
from queue_server.domain.self_service import RepairSource
from queue_server.domain.stats.cross_region import TIMED_STEPS
from queue_server.protocol import (
    CrossRegionStatsReport,
    CrossRegionStatsRow,
    SelfServiceFigures,
    SelfServiceStatsReport,
    StatsReport,
    StatsRow,
)
from queue_server.reports.labels import (
    CROSS_REGION_LABELS,
    GROUP_LABELS,
    REPAIR_SOURCE_LABELS,
    ROUND_FIGURE_LABELS,
    ROW_LABELS,
    SELF_SERVICE_LABELS,
    STATE_LABELS,
    STEP_FIGURE_LABELS,
    STEP_KIND_LABELS,
)

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


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else safe_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _workbook(title: str, period: str, header: list[str], rows: list[list[Any]]) -> Workbook:
    """A workbook whose first sheet holds the period, the header and the rows."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    _append(sheet, [period])
    _append(sheet, header)
    for row in rows:
        _append(sheet, row)
    return workbook


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _period(start: object, end: object) -> str:
    return f"统计区间 {start} 至 {end}"


def to_csv(report: StatsReport) -> bytes:
    """The grouped rows and a total row; the header holds the JSON keys."""
    return _csv(COLUMNS, _rows(report))


def to_xlsx(report: StatsReport) -> bytes:
    workbook = _workbook(
        f"按{GROUP_LABELS[report.group_by]}",
        _period(report.from_day, report.to_day),
        [ROW_LABELS.get(name, name) for name in COLUMNS],
        _rows(report),
    )
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
    return _saved(workbook)


CROSS_REGION_COLUMNS: list[str] = [
    "key",
    "label",
    "received_for_others",
    "decided_for_others",
    *(f"state_{status}" for status in CrossRegionStatus),
    *(f"{step}_{figure}" for step in TIMED_STEPS for figure in STEP_FIGURE_LABELS),
    "on_time",
    "late",
    "on_time_share",
    "delivered",
    "working_days_mean",
]
"""The JSON row flattened: `by_state` as `state_<status>`, `steps` as `<step>_<figure>`."""


def _cross_region_cells(row: CrossRegionStatsRow) -> list[Any]:
    steps = [
        getattr(row.steps[step], figure) for step in TIMED_STEPS for figure in STEP_FIGURE_LABELS
    ]
    return [
        row.key,
        row.label,
        row.received_for_others,
        row.decided_for_others,
        *(row.by_state[status] for status in CrossRegionStatus),
        *steps,
        row.on_time,
        row.late,
        row.on_time_share,
        row.delivered,
        row.working_days_mean,
    ]


def _cross_region_rows(report: CrossRegionStatsReport) -> list[list[Any]]:
    rows = [*report.rows, *([report.total] if report.total else [])]
    return [_cross_region_cells(row) for row in rows]


def _cross_region_heading(column: str) -> str:
    if column.startswith("state_"):
        return f"状态·{STATE_LABELS[column.removeprefix('state_')]}"
    step, _, figure = column.partition("_")
    if step in STEP_KIND_LABELS and figure in STEP_FIGURE_LABELS:
        return f"{STEP_KIND_LABELS[step]}·{STEP_FIGURE_LABELS[figure]}"
    return CROSS_REGION_LABELS[column]


def cross_region_csv(report: CrossRegionStatsReport) -> bytes:
    """One row per hall and the city's total (when the report has one); the header holds
    the flattened JSON keys."""
    return _csv(CROSS_REGION_COLUMNS, _cross_region_rows(report))


def cross_region_xlsx(report: CrossRegionStatsReport) -> bytes:
    return _saved(
        _workbook(
            "市域通办",
            _period(report.from_day, report.to_day),
            [_cross_region_heading(column) for column in CROSS_REGION_COLUMNS],
            _cross_region_rows(report),
        )
    )


SELF_SERVICE_FIGURES: list[str] = [
    "open_seconds",
    "available_seconds",
    "availability",
    "inspections_due",
    "inspections_on_time",
    "inspections_missed",
    "inspections_on_time_share",
]
SELF_SERVICE_LATER: list[str] = [
    "repaired",
    "repair_seconds_mean",
    "help_requests",
    "help_acknowledged",
    "help_escalated",
    "help_response_seconds_mean",
    "help_response_seconds_p90",
]


def _round_names(report: SelfServiceStatsReport) -> list[str]:
    """Every hall's round names, in the order they first appear."""
    names = [name for row in report.rows for name in row.rounds]
    return list(dict.fromkeys(names))


def self_service_columns(report: SelfServiceStatsReport) -> list[str]:
    """The JSON figures flattened: `rounds` as `round_<name>_<figure>`, `faults_by_source`
    as `faults_<source>`; a row per hall, then one per device of the hall (`device` set),
    then the city's total."""
    return [
        "hall",
        "device",
        "label",
        *SELF_SERVICE_FIGURES,
        *(
            f"round_{name}_{figure}"
            for name in _round_names(report)
            for figure in ROUND_FIGURE_LABELS
        ),
        "faults",
        *(f"faults_{source}" for source in RepairSource),
        *SELF_SERVICE_LATER,
    ]


def _self_service_cells(
    figures: SelfServiceFigures, hall: str, device: str, rounds: list[str]
) -> list[Any]:
    per_round = [
        None if name not in figures.rounds else getattr(figures.rounds[name], figure)
        for name in rounds
        for figure in ROUND_FIGURE_LABELS
    ]
    return [
        hall,
        device,
        figures.label,
        *(getattr(figures, name) for name in SELF_SERVICE_FIGURES),
        *per_round,
        figures.faults,
        *(figures.faults_by_source.get(source, 0) for source in RepairSource),
        *(getattr(figures, name) for name in SELF_SERVICE_LATER),
    ]


def _self_service_rows(report: SelfServiceStatsReport) -> list[list[Any]]:
    rounds = _round_names(report)
    rows: list[list[Any]] = []
    for row in report.rows:
        rows.append(_self_service_cells(row, row.key, "", rounds))
        rows.extend(
            _self_service_cells(device, row.key, device.key, rounds) for device in row.devices
        )
    if report.total is not None:
        rows.append(_self_service_cells(report.total, report.total.key, "", rounds))
    return rows


def _self_service_heading(column: str, rounds: list[str]) -> str:
    if column.startswith("faults_"):
        return f"故障·{REPAIR_SOURCE_LABELS[column.removeprefix('faults_')]}"
    for name in rounds:
        prefix = f"round_{name}_"
        if column.startswith(prefix):
            return f"{name}·{ROUND_FIGURE_LABELS[column.removeprefix(prefix)]}"
    return SELF_SERVICE_LABELS[column]


def self_service_csv(report: SelfServiceStatsReport) -> bytes:
    """A row per hall, then its devices, then the city's total (when the report has one);
    the header holds the flattened JSON keys."""
    return _csv(self_service_columns(report), _self_service_rows(report))


def self_service_xlsx(report: SelfServiceStatsReport) -> bytes:
    rounds = _round_names(report)
    return _saved(
        _workbook(
            "自助服务区",
            _period(report.from_day, report.to_day),
            [_self_service_heading(column, rounds) for column in self_service_columns(report)],
            _self_service_rows(report),
        )
    )
