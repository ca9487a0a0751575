"""Working days on the Chinese public-holiday calendar, with its make-up workdays (调休).

`add_working_days` is pure and takes the calendar as a function; `WorkCalendar` answers from
the `chinese-calendar` package, with the hall's own additions on top, and falls back to
Monday–Friday for a year the package does not know yet (it knows through 2026 in 1.11.0).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

ONE_DAY = timedelta(days=1)


def add_working_days(start: date, days: int, *, is_workday: Callable[[date], bool]) -> date:
    """The day on which `days` working days after `start` have passed.

    `days=0` means the same day, or the next working day when `start` is not one; otherwise
    `start` itself is not counted (a case opened on Friday with one day is due on the next
    working day)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    if days == 0:
        while not is_workday(current):
            current += ONE_DAY
        return current
    remaining = days
    while remaining:
        current += ONE_DAY
        if is_workday(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, *, is_workday: Callable[[date], bool]) -> int:
    """The working days after `start` up to and including `end` (0 when `end` is not after
    `start`): the inverse of `add_working_days`, so a step done on the day it was due took
    exactly the days it was allowed."""
    count = 0
    current = start
    while current < end:
        current += ONE_DAY
        if is_workday(current):
            count += 1
    return count


@dataclass(frozen=True)
class WorkCalendar:
    """The official calendar, corrected by the hall's configured extra holidays and workdays."""

    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def with_overrides(
        cls, *, holidays: Iterable[date], workdays: Iterable[date]
    ) -> "WorkCalendar":
        return cls(extra_holidays=frozenset(holidays), extra_workdays=frozenset(workdays))

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def is_statutory_holiday(self, day: date) -> bool:
        """A day off the calendar names (法定节假日), weekends inside a holiday included."""
        if day in self.extra_holidays:
            return True
        if day in self.extra_workdays:
            return False
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return False
        return bool(on_holiday and name)

    def add_working_days(self, start: date, days: int) -> date:
        return add_working_days(start, days, is_workday=self.is_workday)
