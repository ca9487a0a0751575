"""Per-key request limits kept in memory for one app (see domain/rate_limit.py for the rule)."""

import threading
from collections.abc import Hashable
from datetime import timedelta

from queue_server.domain.clock import Clock
from queue_server.domain.rate_limit import Bucket, Decision, Rate, take

DEFAULT_ALERT_EVERY = timedelta(minutes=10)
DEFAULT_MAX_KEYS = 10_000


class RateLimiter:
    """One token bucket per key (a device token's id, a client address), on an injected clock."""

    def __init__(
        self,
        rate: Rate,
        *,
        clock: Clock,
        alert_every: timedelta = DEFAULT_ALERT_EVERY,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        self.rate = rate
        self.alert_every = alert_every
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: dict[Hashable, Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: Hashable) -> Decision:
        now = self._clock.now()
        with self._lock:
            if key not in self._buckets and len(self._buckets) >= self.max_keys:
                self._buckets.clear()
            bucket, decision = take(
                self._buckets.get(key), rate=self.rate, now=now, alert_every=self.alert_every
            )
            self._buckets[key] = bucket
        return decision
