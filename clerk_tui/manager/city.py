"""Pure functions for a city-wide manager: the 全市 page's rows and summary, and the hall
switcher's choices, from the halls' live summaries (`GET /api/halls`)."""

from datetime import datetime
from typing import Final

from rich.text import Text

from clerk_tui.formatting import clock, duration
from queue_server.protocol import HallSummary

CityCell = str | Text
CityRow = tuple[CityCell, ...]

CITY_COLUMNS: Final = ("大厅", "等候", "最长等候", "超时", "服务中", "暂停", "未开", "告警")
TROUBLE_STYLE: Final = "bold red"
"""Over-target and alert cells that are not zero: trouble a manager should see at a glance."""
TROUBLE_MARK: Final = "⚠ "
CITY_REFRESH_SECONDS: Final = 5.0
"""How often the 全市 page reads every hall again (there is no city-wide live feed)."""
CURRENT_MARK: Final = "▸ "
"""Before the name of the hall the console is on now."""


def trouble(count: int) -> CityCell:
    """A count that is bad when not zero: marked and styled then, plain otherwise."""
    if count <= 0:
        return str(count)
    return Text(f"{TROUBLE_MARK}{count}", style=TROUBLE_STYLE)


def hall_name(hall: HallSummary, current: str | None) -> CityCell:
    if hall.code == current:
        return Text(f"{CURRENT_MARK}{hall.name}", style="bold")
    return f"  {hall.name}"


def city_rows(halls: list[HallSummary], current: str | None) -> list[CityRow]:
    """One row per hall, in the order given (the city's order, as the server lists them)."""
    return [
        (
            hall_name(hall, current),
            str(hall.waiting),
            duration(hall.longest_wait_seconds),
            trouble(hall.over_target),
            str(hall.windows_open),
            str(hall.windows_paused),
            str(hall.windows_closed),
            trouble(hall.alerts),
        )
        for hall in halls
    ]


def city_summary(halls: list[HallSummary], now: datetime, timezone: str) -> str:
    """The city's totals above the table, with the time of the reading."""
    waiting = sum(hall.waiting for hall in halls)
    over = sum(hall.over_target for hall in halls)
    alerts = sum(hall.alerts for hall in halls)
    troubled = sum(1 for hall in halls if hall.over_target or hall.alerts)
    return (
        f"全市 {len(halls)} 个大厅 · 等候 {waiting} 人 · 超时 {over} 人 · 今日告警 {alerts} 条"
        f" · {troubled} 个大厅需关注 · {clock(now, timezone)} 更新"
    )


def hall_choice(hall: HallSummary, current: str | None) -> tuple[str, str]:
    """The switcher's option for a hall: its code, and name, district and queue for people."""
    district = f"（{hall.district}）" if hall.district else ""
    mark = " · 当前" if hall.code == current else ""
    return hall.code, f"{hall.name}{district} · 等候 {hall.waiting} 人{mark}"


def hall_choices(halls: list[HallSummary], current: str | None) -> list[tuple[str, str]]:
    return [hall_choice(hall, current) for hall in halls]
