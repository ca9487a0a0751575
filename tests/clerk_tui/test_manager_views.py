"""The manager console's pure functions: periods, levels, export paths, rows and series."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clerk_tui.cli import app
from clerk_tui.manager import views
from queue_server.protocol import (
    AlertPublic,
    EventMessage,
    EventType,
    HourLoadPublic,
    StatsReport,
    StatsRow,
)

TODAY = date(2026, 3, 3)


def row(key: str, **figures: float | int | None) -> StatsRow:
    counts = dict.fromkeys(
        [
            name
            for name, field in StatsRow.model_fields.items()
            if field.annotation is int and name not in ("key", "label")
        ],
        0,
    )
    times = dict.fromkeys(
        (
            f"{kind}_{stat}"
            for kind in ("wait", "service", "at_window")
            for stat in ("mean", "median", "p90", "max")
        ),
        None,
    )
    values: dict[str, object] = {
        **counts,
        **times,
        "within_target_share": None,
        "no_show_rate": None,
        "pause_seconds": 0.0,
        "satisfaction_score": None,
        "satisfaction_rate": None,
    }
    values.update(figures)
    return StatsRow.model_validate({"key": key, "label": key.upper(), **values})


def report(rows: list[StatsRow], total: StatsRow) -> StatsReport:
    return StatsReport(
        from_day=date(2026, 3, 1),
        to_day=date(2026, 3, 2),
        group_by="category",
        generated_at=datetime(2026, 3, 3, tzinfo=UTC),
        days=2,
        total=total,
        rows=rows,
        hourly=[
            HourLoadPublic(hour=8, arrivals=0, waiting_mean=0.0),
            HourLoadPublic(hour=9, arrivals=4, waiting_mean=1.5),
            HourLoadPublic(hour=10, arrivals=0, waiting_mean=0.25),
        ],
        pauses=[],
        cases=[],
    )


def test_periods_accept_iso_days_and_named_days_and_refuse_the_rest() -> None:
    assert views.parse_period("2026-03-01", "2026-03-02", today=TODAY) == (
        date(2026, 3, 1),
        date(2026, 3, 2),
    )
    assert views.parse_period("昨天", "", today=TODAY) == (date(2026, 3, 2), date(2026, 3, 2))
    assert views.parse_period(" 今天 ", "今天", today=TODAY) == (TODAY, TODAY)
    with pytest.raises(views.InputError, match="结束日期不能早于开始日期"):
        views.parse_period("2026-03-02", "2026-03-01", today=TODAY)
    with pytest.raises(views.InputError, match="不是有效日期"):
        views.parse_period("3月1日", "", today=TODAY)
    with pytest.raises(views.InputError, match="请输入开始日期"):
        views.parse_period("", "2026-03-01", today=TODAY)
    with pytest.raises(views.InputError, match="最长一年"):
        views.parse_period("2024-01-01", "2026-01-01", today=TODAY)


def test_levels_are_one_to_five() -> None:
    assert views.parse_level(" 4 ") == 4
    for bad in ("0", "6", "好", ""):
        with pytest.raises(views.InputError):
            views.parse_level(bad)


def test_export_target_fills_in_the_name_and_suffix(tmp_path: Path) -> None:
    start, end = date(2026, 3, 1), date(2026, 3, 2)
    assert views.export_target(
        str(tmp_path), start=start, end=end, group_by="window", fmt="xlsx"
    ) == (tmp_path / "yimen-stats-2026-03-01_2026-03-02-window.xlsx")
    assert views.export_target(
        str(tmp_path / "new") + "/", start=start, end=start, group_by="day", fmt="csv"
    ) == (tmp_path / "new" / "yimen-stats-2026-03-01-day.csv")
    assert views.export_target(
        str(tmp_path / "report"), start=start, end=end, group_by="day", fmt="csv"
    ) == (tmp_path / "report.csv")
    assert views.export_target(
        str(tmp_path / "a.CSV"), start=start, end=end, group_by="day", fmt="csv"
    ) == (tmp_path / "a.CSV")
    with pytest.raises(views.InputError):
        views.export_target("  ", start=start, end=end, group_by="day", fmt="csv")
    with pytest.raises(views.InputError):
        views.export_target("x", start=start, end=end, group_by="day", fmt="pdf")


def test_stats_rows_end_with_the_total_and_format_times_and_shares() -> None:
    general = row(
        "general", issued=3, served=2, no_show=1, wait_mean=125.0, within_target_share=0.5
    )
    total = row("all", issued=3, served=2, no_show=1, satisfaction_rate=1.0)
    rows = views.stats_rows(report([general], total))
    assert rows[0][:4] == ("GENERAL", "3", "2", "1")
    assert rows[0][7] == "2分05秒"
    assert rows[0][12] == "50%"
    assert rows[-1][0] == "合计"
    assert rows[-1][13] == "100%"
    assert len(rows[0]) == len(views.STATS_COLUMNS)


def test_chart_series() -> None:
    general = row("general", wait_median=60.0, wait_p90=300.0, wait_max=600.0)
    idle = row("pickup")
    total = row("all", very_satisfied=3, dissatisfied=1)
    figures = report([general, idle], total)
    assert views.hourly_series(figures) == ([9, 10], [4.0, 0.0], [1.5, 0.25])
    assert views.wait_series(figures) == (["GENERAL"], [1.0], [5.0], [10.0])
    series = views.satisfaction_series(total)
    assert series.labels[0] == "非常满意"
    assert series.values == [3.0, 0.0, 0.0, 1.0, 0.0]


def test_alert_line_shows_local_time_kind_and_message() -> None:
    event = EventMessage(
        type=EventType.ALERT_WAIT_TARGET,
        seq=7,
        at=datetime(2026, 3, 2, 1, 10, tzinfo=UTC),
        alert=AlertPublic(
            category="consult",
            category_name="咨询",
            value=601,
            threshold=600,
            ticket_number="A001",
            message="A001 等候超过目标",
        ),
    )
    assert views.is_alert(event)
    assert views.alert_line(event, "Asia/Shanghai") == "09:10 [等候超时] A001 等候超过目标"


def test_the_manager_subcommand_is_there() -> None:
    result = CliRunner().invoke(app, ["manager", "--help"])
    assert result.exit_code == 0, result.output
    assert "--server" in result.output
    assert "--export-dir" in result.output
