"""Queue keys: issued tickets in order, and where a returning no-show is put back."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.queueing import QUEUE_KEY_STEP, next_queue_key, requeue_key

BASE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _keys(*seconds: int) -> list[datetime]:
    return [BASE + timedelta(seconds=s) for s in seconds]


def test_empty_queue_gives_now() -> None:
    now = BASE + timedelta(hours=1)
    assert requeue_key(waiting_keys=[], after=3, now=now) == now


def test_after_zero_puts_the_ticket_at_the_front() -> None:
    keys = _keys(10, 20, 30)
    key = requeue_key(waiting_keys=keys, after=0, now=BASE + timedelta(hours=1))
    assert key < min(keys)


def test_lands_between_the_neighbours() -> None:
    keys = _keys(10, 20, 30, 40, 50)
    key = requeue_key(waiting_keys=keys, after=3, now=BASE + timedelta(hours=1))
    assert keys[2] < key < keys[3]


def test_keys_need_not_be_sorted() -> None:
    keys = _keys(50, 10, 40, 30, 20)
    key = requeue_key(waiting_keys=keys, after=2, now=BASE + timedelta(hours=1))
    assert BASE + timedelta(seconds=20) < key < BASE + timedelta(seconds=30)


def test_fewer_waiting_than_after_goes_to_the_back_at_now() -> None:
    keys = _keys(10, 20)
    now = BASE + timedelta(hours=1)
    assert requeue_key(waiting_keys=keys, after=3, now=now) == now


def test_back_of_the_queue_stays_behind_keys_later_than_now() -> None:
    # Transferred tickets keep their issue time, so keys are usually earlier than now; but a
    # requeued key placed earlier may lie after `now`: the ticket still goes behind it.
    keys = _keys(10, 20)
    now = BASE
    key = requeue_key(waiting_keys=keys, after=5, now=now)
    assert key > max(keys)


def test_negative_after_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        requeue_key(waiting_keys=[], after=-1, now=BASE)


# Keys in whole milliseconds, as distinct instants.
distinct_keys = st.lists(st.integers(min_value=0, max_value=10**7), unique=True, max_size=30).map(
    lambda millis: [BASE + timedelta(milliseconds=m) for m in millis]
)


@given(
    keys=distinct_keys,
    after=st.integers(min_value=0, max_value=40),
    now_offset=st.integers(min_value=-(10**7), max_value=2 * 10**7),
)
def test_requeued_key_lands_after_exactly_after_keys(
    keys: list[datetime], after: int, now_offset: int
) -> None:
    now = BASE + timedelta(milliseconds=now_offset)
    key = requeue_key(waiting_keys=keys, after=after, now=now)
    ahead = sum(1 for k in keys if k < key)
    behind = sum(1 for k in keys if k > key)
    assert ahead == min(after, len(keys))
    assert ahead + behind == len(keys), "the key ties with a waiting ticket"
    assert key.tzinfo is not None


def test_first_ticket_of_a_queue_is_keyed_by_its_issue_time() -> None:
    assert next_queue_key(latest=None, now=BASE) == BASE


def test_later_ticket_is_keyed_by_its_issue_time() -> None:
    now = BASE + QUEUE_KEY_STEP
    assert next_queue_key(latest=BASE, now=now) == now


def test_tickets_issued_at_one_instant_get_distinct_keys() -> None:
    first = next_queue_key(latest=None, now=BASE)
    second = next_queue_key(latest=first, now=BASE)
    third = next_queue_key(latest=second, now=BASE)
    assert first < second < third
    assert third - first == 2 * QUEUE_KEY_STEP


# Issue times as a virtual clock gives them: never going back, often several at one instant.
issue_times = st.lists(st.integers(min_value=0, max_value=5), max_size=30).map(
    lambda steps: [BASE + timedelta(microseconds=sum(steps[: i + 1])) for i in range(len(steps))]
)


def issued_keys(times: list[datetime]) -> list[datetime]:
    keys: list[datetime] = []
    for now in times:
        keys.append(next_queue_key(latest=keys[-1] if keys else None, now=now))
    return keys


@given(times=issue_times)
def test_issued_keys_increase_by_at_least_the_step(times: list[datetime]) -> None:
    keys = issued_keys(times)
    for issued, key in zip(times, keys, strict=True):
        assert key >= issued
    for earlier, later in itertools.pairwise(keys):
        assert later - earlier >= QUEUE_KEY_STEP


@given(times=issue_times, after=st.integers(min_value=0, max_value=40))
def test_requeue_among_tickets_issued_at_one_instant_still_lands_after_exactly_after(
    times: list[datetime], after: int
) -> None:
    keys = issued_keys(times)
    now = times[-1] if times else BASE
    key = requeue_key(waiting_keys=keys, after=after, now=now)
    assert sum(1 for k in keys if k < key) == min(after, len(keys))
    assert key not in keys
