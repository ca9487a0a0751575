"""Where a ticket stands in its queue: people ahead and the key for a requeued no-show."""

from collections.abc import Sequence
from datetime import datetime, timedelta

QUEUE_KEY_STEP = timedelta(milliseconds=1)
"""The least gap between the queue keys of two tickets issued in one category, so a requeued
no-show always has room between them, even when a virtual clock issues many at one instant."""


def next_queue_key(*, latest: datetime | None, now: datetime) -> datetime:
    """The queue key of a newly issued ticket: its issue time, or just behind the latest key
    of its queue when that is not earlier."""
    if latest is None or now >= latest + QUEUE_KEY_STEP:
        return now
    return latest + QUEUE_KEY_STEP


def requeue_key(*, waiting_keys: Sequence[datetime], after: int, now: datetime) -> datetime:
    """Queue key that puts a returning no-show behind the first `after` waiting tickets.

    `waiting_keys` are the keys of the tickets now waiting in that queue, front first. With
    fewer than `after` tickets waiting, the ticket goes to the back.
    """
    if after < 0:
        raise ValueError("after must be zero or more")
    keys = sorted(waiting_keys)
    if not keys:
        return now
    if after == 0:
        return keys[0] - QUEUE_KEY_STEP
    if len(keys) <= after:
        return max(now, keys[-1] + QUEUE_KEY_STEP)
    before, behind = keys[after - 1], keys[after]
    return before + (behind - before) / 2
