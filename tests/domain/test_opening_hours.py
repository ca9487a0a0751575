"""Opening hours: ranges, weekdays, public holidays and make-up working days (2026 calendar)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from queue_server.config import ConfigError, load_hall_config, parse_hall_config
from queue_server.domain.opening_hours import (
    DayKind,
    Schedule,
    TimeRange,
    WeeklyHours,
    day_kind_from,
    describe_opening,
    format_day,
    parse_day,
)
from queue_server.domain.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
WEEKDAY = "09:00-12:00,13:30-17:00"
HOURS = WeeklyHours.parse(
    {"mon": WEEKDAY, "tue": WEEKDAY, "wed": WEEKDAY, "thu": WEEKDAY, "fri": WEEKDAY,
     "sat": "09:00-12:00"}
)  # fmt: skip
CALENDAR = WorkCalendar()
SCHEDULE = Schedule(
    HOURS,
    TZ,
    day_kind_from(
        is_workday=CALENDAR.is_workday, is_statutory_holiday=CALENDAR.is_statutory_holiday
    ),
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_parse_day_sorts_ranges_and_reads_closed_and_midnight() -> None:
    assert parse_day("13:30-17:00, 09:00-12:00") == (TimeRange(540, 720), TimeRange(810, 1020))
    assert parse_day("closed") == ()
    assert parse_day("00:00-24:00") == (TimeRange(0, 1440),)
    assert format_day(parse_day(WEEKDAY)) == WEEKDAY


@pytest.mark.parametrize(
    "text", ["9:00-17:00", "09:00-08:00", "09:00-12:00,11:00-13:00", "25:00-26:00", "open", ""]
)
def test_parse_day_refuses_what_is_not_hours(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_day(text)


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (date(2026, 12, 7), DayKind.REGULAR),  # Monday
        (date(2026, 12, 6), DayKind.REGULAR),  # Sunday: its own weekday's hours
        (date(2026, 10, 1), DayKind.HOLIDAY),  # National Day, a Thursday
        (date(2026, 10, 3), DayKind.HOLIDAY),  # a Saturday inside the holiday
        (date(2026, 9, 20), DayKind.MAKEUP_WORKDAY),  # Sunday worked for National Day
    ],
)
def test_day_kinds_on_the_2026_calendar(day: date, kind: DayKind) -> None:
    assert SCHEDULE.day_kind(day) is kind


def test_open_within_ranges_only() -> None:
    assert SCHEDULE.is_open(at("2026-12-07T09:00"))
    assert not SCHEDULE.is_open(at("2026-12-07T12:30"))
    assert not SCHEDULE.is_open(at("2026-12-07T17:00"))
    assert SCHEDULE.is_open(at("2026-12-05T11:59"))  # Saturday morning
    assert not SCHEDULE.is_open(at("2026-12-06T10:00"))  # Sunday
    assert SCHEDULE.is_open(at("2026-12-07T01:30").replace(tzinfo=UTC))  # 09:30 in Beijing


def test_next_opening_over_lunch_night_weekend_and_holiday() -> None:
    assert SCHEDULE.next_opening(at("2026-12-07T10:00")) is None
    assert SCHEDULE.next_opening(at("2026-12-07T12:30")) == at("2026-12-07T13:30")
    assert SCHEDULE.next_opening(at("2026-12-07T18:00")) == at("2026-12-08T09:00")
    assert SCHEDULE.next_opening(at("2026-12-05T12:00")) == at("2026-12-07T09:00")
    # National Day week: closed 1–7 October 2026 (Saturday 3rd included), open on the 8th.
    assert SCHEDULE.next_opening(at("2026-09-30T18:00")) == at("2026-10-08T09:00")


def test_make_up_working_day_keeps_weekday_hours() -> None:
    sunday_worked = date(2026, 9, 20)
    assert [(s.hour, e.hour) for s, e in SCHEDULE.intervals_on(sunday_worked)] == [
        (9, 12),
        (13, 17),
    ]
    assert SCHEDULE.is_open(at("2026-09-20T14:00"))


def test_open_intervals_are_clipped_to_the_period() -> None:
    intervals = list(SCHEDULE.open_intervals(at("2026-12-07T10:00"), at("2026-12-08T10:00")))
    assert intervals == [
        (at("2026-12-07T10:00"), at("2026-12-07T12:00")),
        (at("2026-12-07T13:30"), at("2026-12-07T17:00")),
        (at("2026-12-08T09:00"), at("2026-12-08T10:00")),
    ]


def test_describe_opening_in_words() -> None:
    now = at("2026-12-05T20:00")  # Saturday evening
    assert describe_opening(at("2026-12-05T21:00"), now) == "今天 21:00"
    assert describe_opening(at("2026-12-06T09:00"), now) == "明天 09:00"
    assert describe_opening(at("2026-12-07T09:00"), now) == "12月7日（周一）09:00"


def test_the_shipped_hall_is_always_open_and_has_a_zone() -> None:
    hall = load_hall_config()
    assert hall.schedule.is_open(at("2026-10-01T03:00"))
    assert hall.schedule.next_opening(at("2026-10-01T03:00")) is None
    assert hall.zone_schedule.is_open(at("2026-10-01T03:00"))
    assert {device.kind for device in hall.self_service.devices} >= {"terminal", "locker"}


SMALL_HALL = """
[hall]
name = "某大厅"
[[categories]]
code = "general"
prefix = "B"
name = "综合受理"
[[windows]]
number = 1
name = "综合受理"
zone = "综窗受理区"
categories = ["general"]
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[opening_hours]\nmon = "9-17"\n', "opening_hours.mon"),
        ('[opening_hours]\nmonday = "09:00-17:00"\n', "opening_hours.monday"),
        ('[self_service]\nhours = "closed"\n', "self_service.hours"),
        (
            '[[self_service.devices]]\nname = "locker-1"\nkind = "locker"\nlabel = "柜"\n',
            "compartments",
        ),
        (
            '[[self_service.devices]]\nname = "a"\nkind = "terminal"\nlabel = "终端"\n'
            '[[self_service.devices]]\nname = "a"\nkind = "printer"\nlabel = "打印机"\n',
            "duplicate",
        ),
    ],
)
def test_bad_hours_and_zones_are_refused_with_the_key(extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_hall_config(SMALL_HALL + extra, source="hall.toml")


def test_a_hall_with_hours_closes_on_sunday() -> None:
    hall = parse_hall_config(
        SMALL_HALL + '[opening_hours]\nmon = "09:00-17:00"\n', source="hall.toml"
    )
    assert hall.schedule.is_open(at("2026-12-07T10:00"))
    assert not hall.schedule.is_open(at("2026-12-06T10:00"))
    assert hall.schedule.next_opening(at("2026-12-06T10:00")) == at("2026-12-07T09:00")
