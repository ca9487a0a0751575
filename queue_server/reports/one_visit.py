"""The 一次办成率 report (`GET /api/stats/journeys/export`) as CSV or XLSX: one row per hall,
then its categories, then each category's matters; the city's total last (when there is one)."""

from typing import Any, Final

from queue_server.protocol import OneVisitStats, OneVisitStatsReport
from queue_server.reports.exports import _csv, _period, _saved, _workbook

FIGURES: Final[list[str]] = [
    "completed",
    "one_visit",
    "visits",
    "visits_per_matter",
    "one_visit_share",
    "journeys",
    "days_to_collection_mean",
]
COLUMNS: Final[list[str]] = ["hall", "category", "matter", "label", *FIGURES]
"""`hall` is the hall's code (or `total`); `category` and `matter` are empty on the row of a
whole hall, `matter` on the row of a whole category."""
LABELS: Final[dict[str, str]] = {
    "hall": "大厅代码",
    "category": "业务类别",
    "matter": "事项",
    "label": "名称",
    "completed": "办结事项",
    "one_visit": "一次办成",
    "visits": "到厅次数",
    "visits_per_matter": "每件事到厅次数",
    "one_visit_share": "一次办成率",
    "journeys": "补件后办结",
    "days_to_collection_mean": "首次到厅至出件平均天数",
}


def _cells(hall: str, category: str, matter: str, stats: OneVisitStats) -> list[Any]:
    return [hall, category, matter, stats.label, *(getattr(stats, name) for name in FIGURES)]


def _rows(report: OneVisitStatsReport) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for hall in [*report.rows, *([report.total] if report.total else [])]:
        rows.append(_cells(hall.key, "", "", hall))
        for category in hall.categories:
            rows.append(_cells(hall.key, category.key, "", category))
            rows += [
                _cells(hall.key, category.key, matter.key or "-", matter)
                for matter in category.matters
            ]
    return rows


def one_visit_csv(report: OneVisitStatsReport) -> bytes:
    """The header holds the column keys (COLUMNS)."""
    return _csv(COLUMNS, _rows(report))


def one_visit_xlsx(report: OneVisitStatsReport) -> bytes:
    return _saved(
        _workbook(
            "一次办成率",
            _period(report.from_day, report.to_day),
            [LABELS[column] for column in COLUMNS],
            _rows(report),
        )
    )
