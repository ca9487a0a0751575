"""Slows password guessing: too many failed logins for one name, or from one address, and
further attempts are refused for a while.

An attempt is reserved (counted as a failure) before its password is checked, and given back
only when the password was right: fifty guesses sent at once get no more checks than fifty
sent one after another. Kept in memory per server process: a restart forgets, which is
acceptable for a hall's network, where argon2's own cost already limits guessing.
"""

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from queue_server.domain.errors import DomainError


class TooManyAttempts(DomainError):
    """HTTP 429; `retry_after` (whole seconds) becomes the `Retry-After` header."""

    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class RateLimited(TooManyAttempts):
    """A device sending more than it physically could (a kiosk issuing tickets)."""

    code = "rate_limited"


@dataclass(frozen=True, slots=True)
class Attempt:
    """A reserved login attempt: who tried, from where, and when."""

    name: str
    address: str
    at: datetime


class _Failures:
    """Failure times per key within a window, with a bound on how many keys are kept."""

    def __init__(self, *, limit: int, window: timedelta, max_keys: int) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._times: dict[str, deque[datetime]] = {}

    def wait(self, key: str, now: datetime) -> timedelta | None:
        """How long `key` must wait, or None when it may try now."""
        times = self._times.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.limit:
            return None
        return times[0] + self.window - now

    def add(self, key: str, now: datetime) -> None:
        if key not in self._times and len(self._times) >= self.max_keys:
            self._forget_stale(now)
            if len(self._times) >= self.max_keys:
                self._times.pop(next(iter(self._times)))
        self._times.setdefault(key, deque(maxlen=self.limit)).append(now)

    def remove(self, key: str, at: datetime) -> None:
        times = self._times.get(key)
        if times is not None and at in times:
            times.remove(at)

    def clear(self, key: str) -> None:
        self._times.pop(key, None)

    def __len__(self) -> int:
        return len(self._times)

    def _forget_stale(self, now: datetime) -> None:
        stale = [key for key, t in self._times.items() if not t or t[-1] <= now - self.window]
        for key in stale:
            del self._times[key]


def _minutes(wait: timedelta) -> int:
    return max(1, -(-int(wait.total_seconds()) // 60))


class LoginThrottle:
    """`limit` failures per name and `address_limit` per client address within `window`."""

    def __init__(
        self,
        *,
        limit: int = 5,
        address_limit: int = 20,
        window: timedelta = timedelta(minutes=5),
        max_names: int = 10_000,
    ) -> None:
        self.window = window
        self._names = _Failures(limit=limit, window=window, max_keys=max_names)
        self._addresses = _Failures(limit=address_limit, window=window, max_keys=max_names)

    def reserve(self, name: str, address: str, now: datetime) -> Attempt:
        """Count an attempt as failed before its password is checked; raise TooManyAttempts
        while the name or the address has used up its failures in the window."""
        for failures, key in ((self._names, name), (self._addresses, address)):
            wait = failures.wait(key, now)
            if wait is not None:
                raise TooManyAttempts(
                    f"登录失败次数过多，请{_minutes(wait)}分钟后再试",
                    retry_after=int(wait.total_seconds()) + 1,
                )
        self._names.add(name, now)
        self._addresses.add(address, now)
        return Attempt(name=name, address=address, at=now)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the name starts afresh and the address gets its try back."""
        self._names.clear(attempt.name)
        self._addresses.remove(attempt.address, attempt.at)

    @property
    def tracked_names(self) -> int:
        return len(self._names)
