"""A token bucket: a burst of requests, then a steady rate; pure, with the time passed in."""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Rate:
    burst: int
    """Requests allowed in a row after a quiet spell."""
    seconds_per_request: float
    """The steady rate once the burst is used up; 0 means no limit."""


@dataclass(frozen=True, slots=True)
class Bucket:
    tokens: float
    at: datetime
    alerted_at: datetime | None = None
    """When a refusal last asked for an alert."""


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0
    """Seconds until the next request would be allowed (refusals only)."""
    alert: bool = False
    """A refusal that should be reported: the first one, or the first after `alert_every`."""


def take(
    bucket: Bucket | None, *, rate: Rate, now: datetime, alert_every: timedelta
) -> tuple[Bucket, Decision]:
    """Spend one token of `bucket` (None: a fresh, full bucket); returns the new bucket and
    whether the request may go ahead."""
    if bucket is None:
        bucket = Bucket(tokens=float(rate.burst), at=now)
    if rate.seconds_per_request <= 0:
        return bucket, Decision(allowed=True)
    elapsed = max(0.0, (now - bucket.at).total_seconds())
    tokens = min(float(rate.burst), bucket.tokens + elapsed / rate.seconds_per_request)
    if tokens >= 1:
        return Bucket(tokens - 1, now, bucket.alerted_at), Decision(allowed=True)
    retry_after = (1 - tokens) * rate.seconds_per_request
    alert = bucket.alerted_at is None or now - bucket.alerted_at >= alert_every
    alerted_at = now if alert else bucket.alerted_at
    return Bucket(tokens, now, alerted_at), Decision(False, retry_after, alert)
