"""When a hall (or its 24-hour zone) is open: daily time ranges, a weekly schedule, holidays.

A schedule is written as the hall TOML writes it: `"09:00-12:00,13:30-17:00"`, `"closed"`,
or `"00:00-24:00"` for all day. Public holidays close the hall; a make-up working day (调休)
opens with the hours of a weekday (the first of Monday–Friday that opens). Everything here is
pure: moments are aware datetimes, the calendar is a function of the day.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOSED = "closed"
ALL_DAY = "00:00-24:00"
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_DAY = timedelta(days=1)
LOOKAHEAD_DAYS = 40
"""How far `next_opening` looks; longer than any Chinese public holiday."""


class DayKind(StrEnum):
    """What the calendar makes of a day, as far as opening hours care."""

    REGULAR = "regular"
    """An ordinary day: the hours of its weekday."""
    HOLIDAY = "holiday"
    """A public holiday (法定节假日): closed."""
    MAKEUP_WORKDAY = "makeup_workday"
    """A weekend day worked instead (调休上班): the hours of a weekday."""


@dataclass(frozen=True, slots=True)
class TimeRange:
    """`start` to `end` on one day, in minutes after midnight; `end` may be 1440 (24:00)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= 24 * 60:
            raise ValueError(f"{_clock(self.start)}-{_clock(self.end)}: end must be later")

    def text(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_day(text: str) -> tuple[TimeRange, ...]:
    """`"09:00-12:00,13:30-17:00"` → the ranges, sorted and not overlapping; `"closed"` → ()."""
    cleaned = text.strip()
    if cleaned == CLOSED:
        return ()
    ranges: list[TimeRange] = []
    for part in cleaned.split(","):
        match = _RANGE.match(part.strip())
        if match is None:
            raise ValueError(f'{part.strip()!r}: write "HH:MM-HH:MM" (or "closed")')
        h1, m1, h2, m2 = (int(group) for group in match.groups())
        if m1 > 59 or m2 > 59 or h1 > 23 or h2 > 24 or (h2 == 24 and m2):
            raise ValueError(f"{part.strip()!r}: not a time of day")
        ranges.append(TimeRange(h1 * 60 + m1, h2 * 60 + m2))
    ranges.sort(key=lambda item: item.start)
    for before, after in pairwise(ranges):
        if after.start < before.end:
            raise ValueError(f"{before.text()} and {after.text()} overlap")
    return tuple(ranges)


def format_day(ranges: tuple[TimeRange, ...]) -> str:
    return ",".join(item.text() for item in ranges) if ranges else CLOSED


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Opening ranges for each weekday (Monday first)."""

    days: tuple[tuple[TimeRange, ...], ...]

    @classmethod
    def always(cls) -> "WeeklyHours":
        return cls.every_day(ALL_DAY)

    @classmethod
    def every_day(cls, text: str) -> "WeeklyHours":
        ranges = parse_day(text)
        return cls(tuple(ranges for _ in WEEKDAY_KEYS))

    @classmethod
    def parse(cls, by_key: dict[str, str]) -> "WeeklyHours":
        """From the TOML table: a missing weekday key is closed."""
        return cls(tuple(parse_day(by_key.get(key, CLOSED)) for key in WEEKDAY_KEYS))

    @property
    def is_always_open(self) -> bool:
        return all(day == (TimeRange(0, 24 * 60),) for day in self.days)

    @property
    def workday_ranges(self) -> tuple[TimeRange, ...]:
        """The hours a make-up working day keeps: the first weekday (Mon–Fri) that opens."""
        return next((day for day in self.days[:5] if day), ())

    def ranges_on(self, day: date, kind: DayKind) -> tuple[TimeRange, ...]:
        if kind is DayKind.HOLIDAY:
            return ()
        if kind is DayKind.MAKEUP_WORKDAY:
            return self.workday_ranges
        return self.days[day.weekday()]


@dataclass(frozen=True, slots=True)
class Schedule:
    """Weekly hours on a calendar in a time zone: the questions the hall asks of them."""

    hours: WeeklyHours
    tz: ZoneInfo
    day_kind: Callable[[date], DayKind]

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of a local day, as aware datetimes (the end of a 24:00 range
        is the next midnight)."""
        midnight = datetime.combine(day, time(), tzinfo=self.tz)
        return [
            (midnight + timedelta(minutes=item.start), midnight + timedelta(minutes=item.end))
            for item in self.hours.ranges_on(day, self.day_kind(day))
        ]

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        return any(start <= local < end for start, end in self.intervals_on(local.date()))

    def next_opening(self, moment: datetime) -> datetime | None:
        """The first moment after `moment` at which a closed hall opens; None when it is
        open now or stays closed for longer than `LOOKAHEAD_DAYS`."""
        if self.is_open(moment):
            return None
        local = moment.astimezone(self.tz)
        for start, _ in self._intervals_from(local.date()):
            if start > local:
                return start
        return None

    def next_closing(self, moment: datetime) -> datetime | None:
        """When an open hall closes: the end of the opening `moment` is in, followed across
        midnight while the next day's opening starts at once; None when it is closed now or
        does not close within `LOOKAHEAD_DAYS` (always open)."""
        if not self.is_open(moment):
            return None
        local = moment.astimezone(self.tz)
        closing: datetime | None = None
        for start, end in self._intervals_from(local.date()):
            if end <= local:
                continue
            if closing is not None and start > closing:
                return closing
            closing = end if closing is None else max(closing, end)
        return None

    def closed_all_day(self, moment: datetime) -> bool:
        """Whether the local day of `moment` has no opening at all (a weekend, a holiday)."""
        return not self.intervals_on(moment.astimezone(self.tz).date())

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open intervals within [start, end), clipped; for availability figures."""
        first = start.astimezone(self.tz).date() - _DAY
        day = first
        while datetime.combine(day, time(), tzinfo=self.tz) < end:
            for open_at, close_at in self.intervals_on(day):
                clipped = (max(open_at, start), min(close_at, end))
                if clipped[0] < clipped[1]:
                    yield clipped
            day += _DAY

    def _intervals_from(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        for offset in range(LOOKAHEAD_DAYS + 1):
            yield from self.intervals_on(day + offset * _DAY)


def day_kind_from(
    *, is_workday: Callable[[date], bool], is_statutory_holiday: Callable[[date], bool]
) -> Callable[[date], DayKind]:
    """A day's kind from two calendar questions: a weekend day that is worked is a make-up
    working day; a day off that the calendar names a holiday (including a weekend inside a
    holiday) is a holiday; anything else follows its weekday."""

    def kind(day: date) -> DayKind:
        weekend = day.weekday() >= 5
        if is_workday(day):
            return DayKind.MAKEUP_WORKDAY if weekend else DayKind.REGULAR
        if is_statutory_holiday(day):
            return DayKind.HOLIDAY
        return DayKind.REGULAR if weekend else DayKind.HOLIDAY

    return kind


def describe_opening(opens_at: datetime, now: datetime) -> str:
    """ "今天 13:30" / "明天 09:00" / "12月8日（周一）09:00": when the hall opens, in words."""
    local_now = now.astimezone(opens_at.tzinfo)
    days = (opens_at.date() - local_now.date()).days
    clock = opens_at.strftime("%H:%M")
    if days == 0:
        return f"今天 {clock}"
    if days == 1:
        return f"明天 {clock}"
    weekday = "一二三四五六日"[opens_at.weekday()]
    return f"{opens_at.month}月{opens_at.day}日（周{weekday}）{clock}"
