"""What a booking page may offer (预约取号): the free places of a day's slots, and why a day
cannot be booked. Pure: slots, taken places, the open days and the clock come in as arguments."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from queue_server.domain.appointments import Slot


@dataclass(frozen=True, slots=True)
class SlotPlaces:
    """A slot with its places: `capacity` in all, `free` still bookable."""

    slot: Slot
    capacity: int
    free: int


def slot_places(
    slots: Sequence[Slot], *, taken: Mapping[datetime, int], capacity: int, now: datetime
) -> list[SlotPlaces]:
    """Each slot that has not started by `now`, with its free places (never below zero: a
    capacity lowered after bookings leaves a slot full, not negative). `taken` counts the
    places per slot start (any time zone)."""
    return [
        SlotPlaces(slot, capacity, max(0, capacity - taken.get(slot.start, 0)))
        for slot in slots
        if slot.start > now
    ]


def day_text(day: date) -> str:
    """`12月8日`: a day as the page and the refusals say it."""
    return f"{day.month}月{day.day}日"


def closed_day_reason(day: date, *, open_days: Sequence[date]) -> str | None:
    """None when `day` can be booked now; else why not, in Chinese, naming the days that can."""
    if day in open_days:
        return None
    if not open_days:
        return f"{day_text(day)}不可预约：现在没有可预约的日期"
    first, last = open_days[0], open_days[-1]
    span = day_text(first) if first == last else f"{day_text(first)}至{day_text(last)}"
    return f"{day_text(day)}不可预约：现在可预约{span}的工作日"
