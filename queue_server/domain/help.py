"""一键求助: which help requests have waited too long for staff (pure)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class OpenHelp:
    """A help request nobody has acknowledged yet."""

    id: int
    requested_at: datetime
    escalated: bool


def unanswered(requests: Sequence[OpenHelp], *, now: datetime, after: timedelta) -> list[OpenHelp]:
    """The open requests that have waited `after` or longer and were not escalated yet, in
    the order they were made: each is escalated once."""
    due = [r for r in requests if not r.escalated and now - r.requested_at >= after]
    return sorted(due, key=lambda r: (r.requested_at, r.id))


def waited_minutes(requested_at: datetime, now: datetime) -> float:
    return (now - requested_at).total_seconds() / 60
