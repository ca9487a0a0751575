"""Status pages of a hall as one shared view: which pages an event may change, and each
waiting ticket's place in its queue from the day's waiting rows, read once for every page.

Pure: the server reads the rows once per batch of pages (services/status_views.py) and the
hall's shared status task (status_fanout.py) decides from these which pages to read again.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from queue_server.domain.estimates import QueueAhead

FOLLOWS_EVERY_PAGE = ("window.", "cross_region.", "locker.", "journey.")
"""Events that may change any page of the hall: a window opened, closed or paused (which
changes every estimate), a 市域通办 case took a step, a locker was filled or emptied, a
journey moved (rare enough to read every page again)."""


@dataclass(frozen=True, slots=True)
class PageTicket:
    """What an event is matched against: the newest row behind a page's code."""

    id: int
    category: str
    number: str


@dataclass(frozen=True, slots=True)
class QueuedTicket:
    """One waiting ticket of a service day, as the queue counts see it."""

    id: int
    category: str
    queue_key: datetime
    target_window_no: int | None = None
    matter: str | None = None
    priority: bool = False
    """A priority ticket or a 补件 return visit: ranked ahead of the normal queue."""


def parse_event(text: str) -> dict[str, object] | None:
    """The event's fields, or None when the text is no JSON object (then it concerns all)."""
    try:
        event = json.loads(text)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def concerns(event: Mapping[str, object] | None, ticket: PageTicket) -> bool:
    """Whether an event may change this ticket's view: its own queue moved, it was acted on,
    or the event is of a kind that may change any page (`FOLLOWS_EVERY_PAGE`)."""
    if event is None or str(event.get("type", "")).startswith(FOLLOWS_EVERY_PAGE):
        return True
    for key in ("ticket", "new_ticket"):
        other = event.get(key)
        if isinstance(other, dict) and (
            other.get("id") == ticket.id
            or other.get("category") == ticket.category
            or other.get("number") == ticket.number
        ):
            return True
    return False


def concerned(event: Mapping[str, object] | None, pages: Mapping[str, PageTicket]) -> set[str]:
    """The codes of the pages an event may change."""
    return {code for code, ticket in pages.items() if concerns(event, ticket)}


def _in_order(queue: Iterable[QueuedTicket]) -> list[QueuedTicket]:
    return sorted(queue, key=lambda row: (row.queue_key, row.id))


def waiting_ahead(queue: Iterable[QueuedTicket], subject: QueuedTicket) -> int:
    """Tickets of the subject's queue (its category's, or the named window's it was sent to)
    that wait before it; priority calls may still jump."""
    place = (subject.queue_key, subject.id)
    return sum(
        1
        for row in queue
        if (row.queue_key, row.id) < place
        and (
            row.target_window_no == subject.target_window_no
            if subject.target_window_no is not None
            else row.category == subject.category and row.target_window_no is None
        )
    )


def queues_ahead(
    queue: Iterable[QueuedTicket],
    *,
    before: datetime | None = None,
    priority_only: bool = False,
) -> dict[str, QueueAhead]:
    """Per category, the waiting tickets of its own queue (not sent to a named window), with
    the matters they chose in queue order; with `before`, only those whose queue key is
    earlier; with `priority_only`, only priority tickets and return visits."""
    matters: dict[str, list[str | None]] = defaultdict(list)
    oldest: dict[str, datetime] = {}
    for row in _in_order(queue):
        if row.target_window_no is not None or (priority_only and not row.priority):
            continue
        if before is not None and not row.queue_key < before:
            continue
        matters[row.category].append(row.matter)
        oldest.setdefault(row.category, row.queue_key)
    return {
        category: QueueAhead(count=len(chosen), oldest=oldest[category], matters=tuple(chosen))
        for category, chosen in matters.items()
    }
