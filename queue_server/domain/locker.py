"""The smart locker's rules (智能文件柜): pickup codes derived from a secret, and the lockout
after too many wrong codes. Pure: the secret, the salt and the clock come in as arguments."""

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime, timedelta

CODE_DIGITS = 6
WRONG_CODES_LIMIT = 5
"""Wrong codes typed at one locker within WRONG_CODES_WINDOW before its code entry locks."""
WRONG_CODES_WINDOW = timedelta(minutes=10)
LOCKOUT = timedelta(minutes=10)
"""How long the code entry stays locked."""
PURPOSE = b"yimen locker pickup code v1"


def pickup_code(secret: bytes, *, hall: str, locker: str, salt: str) -> str:
    """The deposit's six-digit pickup code: HMAC-SHA-256 of the hall, locker and the
    deposit's random salt under the server's secret, reduced to six digits. Never stored:
    whoever holds the secret derives it again from the stored salt."""
    message = b"\x00".join((PURPOSE, hall.encode(), locker.encode(), salt.encode()))
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def codes_match(given: str, expected: str) -> bool:
    """Compared in constant time, so timing tells nothing about how close a guess was."""
    return hmac.compare_digest(given.encode(), expected.encode())


def locked_until(
    failures: Iterable[datetime],
    *,
    now: datetime,
    limit: int = WRONG_CODES_LIMIT,
    window: timedelta = WRONG_CODES_WINDOW,
    lockout: timedelta = LOCKOUT,
) -> datetime | None:
    """When the locker's code entry opens again, or None when it is open now. The `limit`-th
    wrong code within `window` locks it for `lockout` from that code on; wrong codes from
    before a lock ended never count again (a new lock needs `limit` fresh ones)."""
    counting: list[datetime] = []
    until: datetime | None = None
    for at in sorted(failures):
        if until is not None and at < until:
            continue
        counting = [earlier for earlier in counting if at - earlier < window]
        counting.append(at)
        if len(counting) >= limit:
            until = at + lockout
            counting = []
    if until is None or until <= now:
        return None
    return until
