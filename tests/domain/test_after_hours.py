"""When an open hall closes, whether a day has no opening at all, and the words people read
while the hall is closed (pure; 2026 calendar)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from queue_server.domain.after_hours import (
    closed_message,
    closed_title,
    next_opening_text,
    zone_heading,
)
from queue_server.domain.opening_hours import Schedule, WeeklyHours
from tests.domain.test_opening_hours import SCHEDULE, TZ, at


def every_day(text: str) -> Schedule:
    return Schedule(WeeklyHours.every_day(text), TZ, SCHEDULE.day_kind)


def test_next_closing_is_the_end_of_the_current_opening() -> None:
    assert SCHEDULE.next_closing(at("2026-12-07 10:00")) == at("2026-12-07 12:00")
    assert SCHEDULE.next_closing(at("2026-12-07 14:00")) == at("2026-12-07 17:00")
    assert SCHEDULE.next_closing(at("2026-12-07 12:30")) is None  # closed now


def test_an_opening_across_midnight_closes_at_its_real_end() -> None:
    nights = Schedule(
        WeeklyHours.parse({"mon": "18:00-24:00", "tue": "00:00-02:00,08:00-09:00"}),
        TZ,
        SCHEDULE.day_kind,
    )
    assert nights.next_closing(at("2026-12-07 23:00")) == at("2026-12-08 02:00")


def test_a_hall_open_all_day_every_day_never_closes() -> None:
    assert every_day("00:00-24:00").next_closing(at("2026-12-07 10:00")) is None
    assert every_day("00:00-24:00").closed_all_day(at("2026-12-07 10:00")) is False


def test_days_with_no_opening_at_all() -> None:
    assert SCHEDULE.closed_all_day(at("2026-12-06 20:00"))  # a Sunday
    assert SCHEDULE.closed_all_day(at("2026-10-01 10:00"))  # 国庆节, a Thursday
    assert not SCHEDULE.closed_all_day(at("2026-12-07 20:00"))  # a Monday evening
    assert not SCHEDULE.closed_all_day(at("2026-10-10 07:00"))  # a make-up Saturday


def test_what_a_closed_hall_says() -> None:
    now = at("2026-12-06 20:00")
    monday = at("2026-12-07 09:00")
    assert closed_title(day_off=True) == "今日休息"
    assert closed_title(day_off=False) == "大厅已下班"
    assert next_opening_text(monday, now) == "下次开放：明天 09:00"
    assert next_opening_text(None, now) == "开放时间另行通知"
    assert closed_message(day_off=True, opens_at=monday, now=now) == (
        "今日休息，明天 09:00 开始取号"
    )
    assert closed_message(day_off=False, opens_at=None, now=now) == "大厅已下班，开放时间另行通知"


def test_the_zone_heading() -> None:
    assert zone_heading(hours="00:00-24:00", open_now=True) == "24小时自助服务区 · 全天开放"
    assert zone_heading(hours="06:00-22:00", open_now=False) == (
        "24小时自助服务区 · 开放时间 06:00-22:00（现在未开放）"
    )


def test_describing_an_opening_in_another_time_zone_uses_the_hall_s() -> None:
    utc_now = datetime(2026, 12, 6, 12, 0, tzinfo=ZoneInfo("UTC"))  # 20:00 in the hall
    assert next_opening_text(at("2026-12-07 09:00"), utc_now) == "下次开放：明天 09:00"
