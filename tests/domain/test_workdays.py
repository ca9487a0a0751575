"""Working days on the Chinese holiday calendar: holidays skipped, make-up workdays counted."""

from datetime import date, timedelta

import pytest

from queue_server.domain.workdays import WorkCalendar, add_working_days, working_days_between

CALENDAR = WorkCalendar()


def weekdays_only(day: date) -> bool:
    return day.weekday() < 5


def test_counts_working_days_after_the_start() -> None:
    friday = date(2025, 3, 7)
    assert add_working_days(friday, 1, is_workday=weekdays_only) == date(2025, 3, 10)
    assert add_working_days(friday, 5, is_workday=weekdays_only) == date(2025, 3, 14)


def test_zero_days_is_the_same_day_or_the_next_working_day() -> None:
    assert add_working_days(date(2025, 3, 7), 0, is_workday=weekdays_only) == date(2025, 3, 7)
    assert add_working_days(date(2025, 3, 8), 0, is_workday=weekdays_only) == date(2025, 3, 10)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2025, 3, 7), -1, is_workday=weekdays_only)


def test_national_day_2026_is_skipped_and_its_make_up_saturday_counts() -> None:
    # 2026: 1–7 October off; Sunday 20 September and Saturday 10 October are workdays.
    assert not CALENDAR.is_workday(date(2026, 10, 1))
    assert CALENDAR.is_workday(date(2026, 10, 10))
    assert CALENDAR.is_workday(date(2026, 9, 20))
    opened = date(2026, 9, 25)  # a Friday
    due = CALENDAR.add_working_days(opened, 15)
    assert due == date(2026, 10, 22)
    plain = add_working_days(opened, 15, is_workday=weekdays_only)
    assert plain == date(2026, 10, 16), "without the holiday calendar it would be a week early"
    counted = [
        opened + timedelta(days=n)
        for n in range(1, (due - opened).days + 1)
        if CALENDAR.is_workday(opened + timedelta(days=n))
    ]
    assert len(counted) == 15
    assert date(2026, 10, 10) in counted
    assert not any(date(2026, 10, 1) <= day <= date(2026, 10, 7) for day in counted)


def test_one_day_before_a_holiday_lands_after_it() -> None:
    assert CALENDAR.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_spring_festival_make_up_saturday_2026() -> None:
    # 14 February 2026 (a Saturday) is a make-up workday before the Spring Festival break.
    assert CALENDAR.is_workday(date(2026, 2, 14))
    assert CALENDAR.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)


def test_hall_overrides_come_first() -> None:
    calendar = WorkCalendar.with_overrides(
        holidays=[date(2026, 9, 28)], workdays=[date(2026, 10, 3)]
    )
    assert not calendar.is_workday(date(2026, 9, 28))
    assert calendar.is_workday(date(2026, 10, 3))
    assert calendar.add_working_days(date(2026, 9, 25), 1) == date(2026, 9, 29)


def test_a_year_the_package_does_not_know_falls_back_to_weekdays() -> None:
    assert CALENDAR.is_workday(date(2031, 3, 3))  # a Monday
    assert not CALENDAR.is_workday(date(2031, 3, 1))  # a Saturday
    calendar = WorkCalendar.with_overrides(holidays=[date(2031, 3, 3)], workdays=[])
    assert calendar.add_working_days(date(2031, 2, 28), 1) == date(2031, 3, 4)


def test_working_days_between_is_the_inverse_of_adding_them() -> None:
    friday = date(2025, 3, 7)
    assert working_days_between(friday, friday, is_workday=weekdays_only) == 0
    assert working_days_between(friday, date(2025, 3, 9), is_workday=weekdays_only) == 0
    assert working_days_between(friday, date(2025, 3, 10), is_workday=weekdays_only) == 1
    assert working_days_between(date(2025, 3, 10), friday, is_workday=weekdays_only) == 0
    start = date(2026, 9, 30)
    for days in range(8):
        end = CALENDAR.add_working_days(start, days)
        assert working_days_between(start, end, is_workday=CALENDAR.is_workday) == days


def test_working_days_between_skip_national_day_and_count_its_make_up_saturday() -> None:
    """2026-09-30 (Wed) to 2026-10-12 (Mon): 10-01…10-07 are off, Saturday 10-10 is worked;
    the working days after 09-30 are 10-08, 10-09, 10-10 and 10-12."""
    start, end = date(2026, 9, 30), date(2026, 10, 12)
    assert working_days_between(start, end, is_workday=CALENDAR.is_workday) == 4
    assert working_days_between(start, end, is_workday=weekdays_only) == 8
