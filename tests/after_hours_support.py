"""A hall with opening hours (Monday–Friday, a lunch break; closed at weekends and on public
holidays) and the moments the after-hours tests use, in UTC (the hall is on UTC+8)."""

from datetime import UTC, datetime

from queue_server.config import HallConfig, parse_hall_config
from tests.test_config import DEFAULT_TEXT

WEEKDAY_HOURS = "09:00-12:00,13:30-17:00"
OPENING_HOURS = "\n[opening_hours]\n" + "".join(
    f'{day} = "{WEEKDAY_HOURS}"\n' for day in ("mon", "tue", "wed", "thu", "fri")
)

SUNDAY_EVENING = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
"""Sunday 6 December 2026, 20:00 in the hall: a day off."""
MONDAY_MORNING = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
"""Monday 7 December, 10:00: open."""
MONDAY_LUNCH = datetime(2026, 12, 7, 4, 30, tzinfo=UTC)
"""Monday 7 December, 12:30: the lunch break."""
NATIONAL_DAY = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
"""Thursday 1 October 2026 (国庆节), 10:00: a public holiday on a weekday."""
MAKEUP_SATURDAY_EARLY = datetime(2026, 10, 10, 0, 30, tzinfo=UTC)
"""Saturday 10 October 2026, 08:30: a make-up working day (调休上班), not open yet."""
MAKEUP_SATURDAY_OPENING = datetime(2026, 10, 10, 1, 0, tzinfo=UTC)
"""The same Saturday, 09:00: it opens with a weekday's hours."""


def hall_with_hours() -> HallConfig:
    """The default hall (with its 24-hour zone) and weekday opening hours."""
    return parse_hall_config(DEFAULT_TEXT + OPENING_HOURS, source="after_hours.toml")
