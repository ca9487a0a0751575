"""A short-lived, in-process cache of resolved bearer tokens.

Looking a token up costs a database read on every request. A hit here skips it, under two
rules that keep revocation prompt:
- a token revoked through this process (logout) is forgotten at once;
- any other change made behind this process's back (another server process revoking it, an
  account switched off) takes effect within `ttl_seconds`, after which the token is read
  from the database again.
Expiry is checked on every hit against the hall's clock. Entries are keyed by the token's
SHA-256 digest, never the token itself.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from queue_server.security import token_digest
from queue_server.services.accounts import Principal

DEFAULT_TTL_SECONDS = 5.0
DEFAULT_MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class _Entry:
    principal: Principal
    expires_at: datetime | None
    fresh_until: float


class TokenCache:
    """`ttl_seconds` = 0 turns the cache off."""

    def __init__(
        self,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._monotonic = monotonic
        self._entries: dict[str, _Entry] = {}
        self._revoked: set[int] = set()
        """Token ids revoked here: a lookup that raced with the revocation is not cached."""
        self._lock = threading.Lock()

    def get(self, token: str, now: datetime) -> Principal | None:
        """The cached principal, or None when the token must be read from the database."""
        digest = token_digest(token)
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if entry.fresh_until <= self._monotonic() or (
                entry.expires_at is not None and entry.expires_at <= now
            ):
                del self._entries[digest]
                return None
            return entry.principal

    def put(self, token: str, principal: Principal, expires_at: datetime | None) -> None:
        if self.ttl_seconds <= 0:
            return
        entry = _Entry(principal, expires_at, self._monotonic() + self.ttl_seconds)
        with self._lock:
            if principal.token_id in self._revoked:
                return
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[token_digest(token)] = entry

    def forget_token_id(self, token_id: int) -> None:
        """Drop the token with this database id (it was just revoked here)."""
        with self._lock:
            if len(self._revoked) >= self.max_entries:
                self._revoked.clear()
            self._revoked.add(token_id)
            for digest in [d for d, e in self._entries.items() if e.principal.token_id == token_id]:
                del self._entries[digest]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
