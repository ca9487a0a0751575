"""When a category can be booked (预约取号): the slots of a day, the days open for booking,
and when a booking may be checked in. Pure: hours, calendar and clock come in as arguments."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.opening_hours import TimeRange
from queue_server.domain.workdays import working_days_between


@dataclass(frozen=True, slots=True)
class Slot:
    """One bookable slot: aware local start and end."""

    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """`HH:MM`, the slot's name on the wire."""
        return self.start.strftime("%H:%M")

    @property
    def end_label(self) -> str:
        return self.end.strftime("%H:%M")


def day_slots(
    *,
    day: date,
    tz: ZoneInfo,
    ranges: Sequence[TimeRange],
    hall_open: Sequence[tuple[datetime, datetime]],
    slot_minutes: int,
    category_open: Callable[[datetime], bool] | None = None,
) -> list[Slot]:
    """The slots of `day`: `slot_minutes` long, laid from the start of each appointment
    range, and kept only when they lie wholly inside it, inside one of the hall's open
    intervals of that day (`hall_open`: empty on a day off), and inside the category's own
    hours (`category_open`, asked of the first and last minute)."""
    midnight = datetime.combine(day, time(), tzinfo=tz)
    length = timedelta(minutes=slot_minutes)
    slots: list[Slot] = []
    for item in ranges:
        start = midnight + timedelta(minutes=item.start)
        limit = midnight + timedelta(minutes=item.end)
        while start + length <= limit:
            end = start + length
            inside_hall = any(
                open_at <= start and end <= close_at for open_at, close_at in hall_open
            )
            inside_category = category_open is None or (
                category_open(start) and category_open(end - timedelta(minutes=1))
            )
            if inside_hall and inside_category:
                slots.append(Slot(start, end))
            start = end
    return slots


def bookable_days(
    *,
    now: datetime,
    tz: ZoneInfo,
    is_workday: Callable[[date], bool],
    min_days_ahead: int,
    max_days_ahead: int,
    cutoff: time,
) -> list[date]:
    """The working days that can be booked at `now`: `min_days_ahead` to `max_days_ahead`
    working days after today. The nearest of them (exactly `min_days_ahead` ahead) closes at
    `cutoff` today, local time."""
    local = now.astimezone(tz)
    today = local.date()
    days: list[date] = []
    day = today - timedelta(days=1)
    while True:
        day += timedelta(days=1)
        if not is_workday(day):
            if (day - today).days > 3 * max_days_ahead + 60:
                return days
            continue
        ahead = working_days_between(today, day, is_workday=is_workday)
        if ahead > max_days_ahead:
            return days
        if ahead < min_days_ahead:
            continue
        if ahead == min_days_ahead and local.time() >= cutoff:
            continue
        days.append(day)


@dataclass(frozen=True, slots=True)
class CheckInWindow:
    opens: datetime
    closes: datetime

    def timing(self, now: datetime) -> int:
        """-1 too early, 0 within, 1 too late."""
        if now < self.opens:
            return -1
        return 0 if now <= self.closes else 1


def check_in_window(slot: Slot, *, early_minutes: int, late_minutes: int) -> CheckInWindow:
    """From `early_minutes` before the slot starts until `late_minutes` after it ends; a
    booking not checked in by then is a no-show."""
    return CheckInWindow(
        slot.start - timedelta(minutes=early_minutes), slot.end + timedelta(minutes=late_minutes)
    )


def cancel_deadline(slot: Slot, *, cancel_hours: float) -> datetime:
    return slot.start - timedelta(hours=cancel_hours)


def blocked_until(
    no_shows: Sequence[datetime],
    *,
    now: datetime,
    limit: int,
    window_days: int,
    block_days: int,
) -> datetime | None:
    """Until when a person may not book, given the times of their no-shows: `limit` of them
    within `window_days` block booking for `block_days` after the last of those; None when
    no such block lasts beyond `now`."""
    window, block = timedelta(days=window_days), timedelta(days=block_days)
    times = sorted(at for at in no_shows if at <= now)
    ends = [
        times[last] + block
        for last in range(limit - 1, len(times))
        if times[last] - times[last - limit + 1] <= window
    ]
    until = max(ends, default=None)
    return until if until is not None and until > now else None
