"""The no-show rule (domain/appointments.py `blocked_until`): `limit` no-shows within
`window_days` block booking for `block_days` after the last of them."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.appointments import blocked_until

START = datetime(2026, 12, 1, 9, tzinfo=UTC)
RULE = {"limit": 3, "window_days": 30, "block_days": 30}


def days(*offsets: float) -> list[datetime]:
    return [START + timedelta(days=offset) for offset in offsets]


def test_fewer_than_the_limit_never_block() -> None:
    assert blocked_until(days(0, 1), now=START + timedelta(days=2), **RULE) is None


def test_the_limit_within_the_window_blocks_after_the_last() -> None:
    now = START + timedelta(days=10)
    assert blocked_until(days(0, 5, 9), now=now, **RULE) == START + timedelta(days=39)


def test_the_window_is_inclusive_and_spread_out_no_shows_do_not_block() -> None:
    now = START + timedelta(days=31)
    assert blocked_until(days(0, 15, 30), now=now, **RULE) == START + timedelta(days=60)
    assert blocked_until(days(0, 15, 30.5), now=now, **RULE) is None


def test_the_block_expires() -> None:
    no_shows = days(0, 1, 2)
    assert blocked_until(no_shows, now=START + timedelta(days=31.9), **RULE) is not None
    assert blocked_until(no_shows, now=START + timedelta(days=32), **RULE) is None


def test_a_later_run_extends_the_block_and_future_times_do_not_count() -> None:
    now = START + timedelta(days=26)
    assert blocked_until(days(0, 1, 2, 20, 25), now=now, **RULE) == START + timedelta(days=55)
    assert blocked_until(days(20, 25, 27), now=now, **RULE) is None


@given(st.lists(st.floats(min_value=0, max_value=200), max_size=8), st.floats(0, 250))
def test_a_block_always_ends_after_now_and_after_the_limit_is_reached(
    offsets: list[float], now_offset: float
) -> None:
    now = START + timedelta(days=now_offset)
    until = blocked_until(days(*offsets), now=now, **RULE)
    past = sorted(at for at in days(*offsets) if at <= now)
    if until is None:
        return
    assert until > now
    assert len(past) >= RULE["limit"]
    assert until - timedelta(days=RULE["block_days"]) in past
