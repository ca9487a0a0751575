"""Ticket numbers and the service day they belong to."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def service_day(*, now: datetime, tz: ZoneInfo, start_hour: int) -> date:
    """The hall's service day at `now`: it begins at `start_hour` in the hall's time zone.

    With start_hour=4, 03:59 local time still belongs to yesterday's service day.
    """
    if now.tzinfo is None:
        raise ValueError("service_day needs a timezone-aware time")
    local = now.astimezone(tz)
    return (local - timedelta(hours=start_hour)).date()


def service_day_start(*, day: date, tz: ZoneInfo, start_hour: int) -> datetime:
    """The moment (timezone-aware, hall time) at which `day` begins."""
    return datetime.combine(day, time(hour=start_hour), tzinfo=tz)


def format_number(*, prefix: str, sequence: int) -> str:
    """A001 … A999, then A1000 …: a very busy day continues rather than wrapping."""
    if sequence < 1:
        raise ValueError("ticket sequences start at 1")
    return f"{prefix}{sequence:03d}"
