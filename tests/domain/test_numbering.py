"""Ticket numbers and the hall's service day."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.numbering import format_number, service_day, service_day_start

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZONES = [
    "Asia/Shanghai",
    "Asia/Urumqi",
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]


@pytest.mark.parametrize(
    ("sequence", "number"),
    [(1, "A001"), (9, "A009"), (42, "A042"), (999, "A999"), (1000, "A1000"), (12345, "A12345")],
)
def test_format_number_is_prefix_and_at_least_three_digits(sequence: int, number: str) -> None:
    assert format_number(prefix="A", sequence=sequence) == number


@pytest.mark.parametrize("sequence", [0, -1])
def test_format_number_refuses_sequences_below_one(sequence: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        format_number(prefix="A", sequence=sequence)


@given(
    prefix=st.sampled_from("ABCDEFG"),
    count=st.integers(min_value=1, max_value=1500),
)
def test_numbers_of_a_day_are_distinct_and_read_back(prefix: str, count: int) -> None:
    numbers = [format_number(prefix=prefix, sequence=n) for n in range(1, count + 1)]
    assert len(set(numbers)) == count
    for sequence, number in enumerate(numbers, start=1):
        assert re.fullmatch(rf"{prefix}\d{{3,}}", number)
        assert int(number[1:]) == sequence


def test_service_day_starts_at_the_configured_local_hour() -> None:
    # 19:59Z on 1 March is 03:59 on 2 March in Shanghai: still the service day of 1 March.
    before = datetime(2026, 3, 1, 19, 59, tzinfo=UTC)
    at = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    assert service_day(now=before, tz=SHANGHAI, start_hour=4) == date(2026, 3, 1)
    assert service_day(now=at, tz=SHANGHAI, start_hour=4) == date(2026, 3, 2)


def test_service_day_is_never_the_utc_date() -> None:
    # 17:00Z on 1 March is 01:00 on 2 March in Shanghai.
    evening_utc = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    assert service_day(now=evening_utc, tz=SHANGHAI, start_hour=0) == date(2026, 3, 2)
    # 22:00Z on 1 March is 06:00 on 2 March, after a 04:00 start.
    assert service_day(
        now=datetime(2026, 3, 1, 22, 0, tzinfo=UTC), tz=SHANGHAI, start_hour=4
    ) == date(2026, 3, 2)


def test_service_day_does_not_depend_on_the_zone_of_the_input() -> None:
    moment = datetime(2026, 3, 1, 19, 59, tzinfo=UTC)
    elsewhere = moment.astimezone(ZoneInfo("America/New_York"))
    assert service_day(now=elsewhere, tz=SHANGHAI, start_hour=4) == date(2026, 3, 1)


def test_service_day_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        service_day(now=datetime(2026, 3, 1, 12, 0), tz=SHANGHAI, start_hour=4)


def test_service_day_start_is_the_local_start_hour() -> None:
    start = service_day_start(day=date(2026, 3, 2), tz=SHANGHAI, start_hour=4)
    assert start.tzinfo is SHANGHAI
    assert start.astimezone(UTC) == datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


@given(
    now=st.datetimes(
        min_value=datetime(2000, 1, 2), max_value=datetime(2090, 12, 30), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
    start_hour=st.integers(min_value=0, max_value=23),
)
def test_now_falls_within_its_service_day(now: datetime, zone: str, start_hour: int) -> None:
    tz = ZoneInfo(zone)
    day = service_day(now=now, tz=tz, start_hour=start_hour)
    begins = service_day_start(day=day, tz=tz, start_hour=start_hour)
    ends = service_day_start(day=day + timedelta(days=1), tz=tz, start_hour=start_hour)
    assert begins.astimezone(UTC) <= now < ends.astimezone(UTC)


@given(
    now=st.datetimes(
        min_value=datetime(2000, 1, 2), max_value=datetime(2090, 12, 30), timezones=st.just(UTC)
    ),
    start_hour=st.integers(min_value=0, max_value=23),
)
def test_service_day_in_shanghai_is_local_date_shifted_by_start_hour(
    now: datetime, start_hour: int
) -> None:
    # Shanghai has no daylight saving: the day is the date of (UTC + 8 h - start hour).
    expected = (now + timedelta(hours=8 - start_hour)).date()
    assert service_day(now=now, tz=SHANGHAI, start_hour=start_hour) == expected
