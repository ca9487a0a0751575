"""Wait estimates (ETA) from the live state of the hall."""

import math
import statistics
from collections.abc import Sequence


def typical_service_seconds(*, recent: Sequence[float], default: float) -> float:
    """The median of recent service times, robust to the odd hour-long case; the configured
    default until there are a few samples."""
    if len(recent) < 3:
        return default
    return float(statistics.median(recent))


def estimate_wait_minutes(
    *, ahead: int, serving_windows: int, service_seconds: float
) -> int | None:
    """Minutes until a ticket with `ahead` people before it is called; None when no open
    window serves its queue, since then nobody can say."""
    if ahead < 0:
        raise ValueError("ahead must be zero or more")
    if serving_windows <= 0:
        return None
    return math.ceil(ahead * service_seconds / serving_windows / 60)
