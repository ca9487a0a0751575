"""Slows password guessing: after too many failed logins for one name, refuse for a while.

Kept in memory per server process: a restart forgets, which is acceptable for a hall's
network, where argon2's own cost already limits guessing to a few tries a second.
"""

from collections import deque
from datetime import datetime, timedelta

from queue_server.domain.errors import DomainError


class TooManyAttempts(DomainError):
    code = "too_many_attempts"


class LoginThrottle:
    def __init__(
        self,
        *,
        limit: int = 5,
        window: timedelta = timedelta(minutes=5),
        max_names: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_names = max_names
        self._failures: dict[str, deque[datetime]] = {}

    def check(self, name: str, now: datetime) -> None:
        """Raise TooManyAttempts while `name` has used up its failures in the window."""
        failures = self._recent(name, now)
        if len(failures) >= self.limit:
            wait = failures[0] + self.window - now
            minutes = max(1, -(-int(wait.total_seconds()) // 60))
            raise TooManyAttempts(f"登录失败次数过多，请{minutes}分钟后再试")

    def failed(self, name: str, now: datetime) -> None:
        if name not in self._failures and len(self._failures) >= self.max_names:
            self._forget_stale(now)
            if len(self._failures) >= self.max_names:
                self._failures.pop(next(iter(self._failures)))
        self._failures.setdefault(name, deque(maxlen=self.limit)).append(now)

    @property
    def tracked_names(self) -> int:
        return len(self._failures)

    def succeeded(self, name: str) -> None:
        self._failures.pop(name, None)

    def _recent(self, name: str, now: datetime) -> deque[datetime]:
        failures = self._failures.get(name, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def _forget_stale(self, now: datetime) -> None:
        for name in [n for n, f in self._failures.items() if not f or f[-1] <= now - self.window]:
            del self._failures[name]
