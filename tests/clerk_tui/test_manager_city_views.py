"""The 全市 page's pure functions: rows in the city's order, trouble marked, the summary and
the hall switcher's choices."""

from datetime import UTC, datetime

from rich.text import Text

from clerk_tui.manager import city
from queue_server.protocol import HallSummary


def hall(code: str, name: str, **figures: int | float | str | None) -> HallSummary:
    values: dict[str, object] = {
        "waiting": 0,
        "longest_wait_seconds": None,
        "over_target": 0,
        "windows_open": 0,
        "windows_paused": 0,
        "windows_closed": 0,
        "alerts": 0,
        **figures,
    }
    return HallSummary.model_validate({"code": code, "name": name, **values})


HALLS = [
    hall("main", "市政务服务中心", district="市本级", waiting=4, longest_wait_seconds=754.0,
         over_target=2, windows_open=3, windows_paused=1, windows_closed=5, alerts=1),
    hall("kangbashi", "康巴什区政务服务中心", district="康巴什区", waiting=1, windows_open=1),
    hall("ejinhoro", "伊金霍洛旗政务服务中心", alerts=3, windows_closed=2),
]  # fmt: skip


def plain(row: city.CityRow) -> list[str]:
    return [cell.plain if isinstance(cell, Text) else cell for cell in row]


def test_one_row_per_hall_in_the_order_given_with_the_current_hall_marked() -> None:
    rows = city.city_rows(HALLS, "kangbashi")
    assert [plain(row) for row in rows] == [
        ["  市政务服务中心", "4", "12分34秒", "⚠ 2", "3", "1", "5", "⚠ 1"],
        ["▸ 康巴什区政务服务中心", "1", "—", "0", "1", "0", "0", "0"],
        ["  伊金霍洛旗政务服务中心", "0", "—", "0", "0", "0", "2", "⚠ 3"],
    ]


def test_over_target_and_alert_cells_are_styled_only_when_not_zero() -> None:
    first, second, _ = city.city_rows(HALLS, None)
    over, alerts = first[3], first[7]
    assert isinstance(over, Text) and over.style == city.TROUBLE_STYLE
    assert isinstance(alerts, Text) and alerts.style == city.TROUBLE_STYLE
    assert second[3] == "0" and second[7] == "0"


def test_the_summary_adds_up_the_city() -> None:
    now = datetime(2026, 3, 2, 1, 5, 9, tzinfo=UTC)
    assert city.city_summary(HALLS, now, "Asia/Shanghai") == (
        "全市 3 个大厅 · 等候 5 人 · 超时 2 人 · 今日告警 4 条 · 2 个大厅需关注 · 09:05:09 更新"
    )


def test_the_switcher_names_each_hall_with_its_district_and_the_current_one() -> None:
    assert city.hall_choices(HALLS, "main") == [
        ("main", "市政务服务中心（市本级） · 等候 4 人 · 当前"),
        ("kangbashi", "康巴什区政务服务中心（康巴什区） · 等候 1 人"),
        ("ejinhoro", "伊金霍洛旗政务服务中心 · 等候 0 人"),
    ]
