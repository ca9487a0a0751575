"""Slots of a day, the days open for booking, the check-in window (domain/appointments.py)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.appointments import (
    Slot,
    bookable_days,
    cancel_deadline,
    check_in_window,
    day_slots,
)
from queue_server.domain.opening_hours import parse_day

TZ = ZoneInfo("Asia/Shanghai")
TUESDAY = date(2026, 12, 8)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def weekdays(day: date) -> bool:
    return day.weekday() < 5


def test_slots_lie_inside_the_ranges_the_hall_hours_and_the_category_hours() -> None:
    slots = day_slots(
        day=TUESDAY,
        tz=TZ,
        ranges=parse_day("09:00-10:40,13:30-14:30"),
        hall_open=[
            (local(TUESDAY, 9), local(TUESDAY, 12)),
            (local(TUESDAY, 14), local(TUESDAY, 17)),
        ],
        slot_minutes=30,
        category_open=lambda moment: moment.astimezone(TZ).time() >= time(9, 30),
    )
    assert [(s.label, s.end_label) for s in slots] == [
        ("09:30", "10:00"),
        ("10:00", "10:30"),
        ("14:00", "14:30"),
    ]


def test_a_day_off_has_no_slots() -> None:
    assert (
        day_slots(
            day=TUESDAY, tz=TZ, ranges=parse_day("09:00-12:00"), hall_open=[], slot_minutes=30
        )
        == []
    )


def days_at(now: datetime) -> list[date]:
    return bookable_days(
        now=now, tz=TZ, is_workday=weekdays, min_days_ahead=1, max_days_ahead=3, cutoff=time(17)
    )


def test_bookable_days_skip_weekends_and_close_the_nearest_at_the_cutoff() -> None:
    friday = date(2026, 12, 4)
    assert days_at(local(friday, 16, 59)) == [
        date(2026, 12, 7),
        date(2026, 12, 8),
        date(2026, 12, 9),
    ]
    assert days_at(local(friday, 17)) == [date(2026, 12, 8), date(2026, 12, 9)]


def test_same_day_booking_when_allowed() -> None:
    days = bookable_days(
        now=local(TUESDAY, 8),
        tz=TZ,
        is_workday=weekdays,
        min_days_ahead=0,
        max_days_ahead=1,
        cutoff=time(12),
    )
    assert days == [TUESDAY, TUESDAY + timedelta(days=1)]


def test_check_in_window_and_cancel_deadline() -> None:
    slot = Slot(local(TUESDAY, 9), local(TUESDAY, 9, 30))
    window = check_in_window(slot, early_minutes=30, late_minutes=10)
    assert window.timing(local(TUESDAY, 8, 29)) == -1
    assert window.timing(local(TUESDAY, 8, 30)) == 0
    assert window.timing(local(TUESDAY, 9, 40)) == 0
    assert window.timing(local(TUESDAY, 9, 41)) == 1
    assert cancel_deadline(slot, cancel_hours=2) == local(TUESDAY, 7)
