"""Where a ticket stands in its queue: people ahead and the key for a requeued no-show."""

from collections.abc import Sequence
from datetime import datetime, timedelta

_TICK = timedelta(microseconds=1)


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
        return keys[0] - _TICK
    if len(keys) <= after:
        return max(now, keys[-1] + _TICK)
    before, behind = keys[after - 1], keys[after]
    return before + (behind - before) / 2
