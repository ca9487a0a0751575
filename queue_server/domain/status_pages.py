"""Status pages of a hall as one shared view: which pages an event may change, and each
waiting ticket's place in its queue from the day's waiting rows, read once for every page.

Pure: the server reads the rows once per batch of pages (services/status_views.py) and the
hall's shared status task (status_fanout.py) decides from these which pages to read again.
"""

import json
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from queue_server.domain.estimates import QueueAhead, WaitEstimate

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


class DayQueue:
    """A service day's waiting tickets, sorted once, for the places and estimates of many
    pages: each page's place is a bisection, not a pass over the whole queue."""

    def __init__(self, rows: Iterable[QueuedTicket]) -> None:
        self.rows = _in_order(rows)
        self._own: dict[str, list[QueuedTicket]] = defaultdict(list)
        self._sent: dict[int, list[QueuedTicket]] = defaultdict(list)
        for row in self.rows:
            if row.target_window_no is None:
                self._own[row.category].append(row)
            else:
                self._sent[row.target_window_no].append(row)
        self._own_keys = {c: [(r.queue_key, r.id) for r in q] for c, q in self._own.items()}
        self._sent_keys = {w: [(r.queue_key, r.id) for r in q] for w, q in self._sent.items()}

    def ahead(self, subject: QueuedTicket) -> int:
        """As `waiting_ahead`: tickets of the subject's queue that wait before it."""
        keys = (
            self._sent_keys.get(subject.target_window_no, [])
            if subject.target_window_no is not None
            else self._own_keys.get(subject.category, [])
        )
        return bisect_left(keys, (subject.queue_key, subject.id))

    def own(self, category: str) -> list[QueuedTicket]:
        """The category's own queue, front first."""
        return self._own.get(category, [])

    def queues_before(self, before: datetime) -> dict[str, QueueAhead]:
        """As `queues_ahead(rows, before=before)`, without the priority filter."""
        result = {}
        for category, queue in self._own.items():
            count = bisect_left(self._own_keys[category], (before, -1))
            if count:
                result[category] = QueueAhead(
                    count=count,
                    oldest=queue[0].queue_key,
                    matters=tuple(row.matter for row in queue[:count]),
                )
        return result


EXACT_PLACES = 10
"""The first places of a queue get an estimate of their own; those behind share a few."""


def sampled_places(length: int) -> list[int]:
    """The places of a queue of `length` whose estimates are worked out: the first
    `EXACT_PLACES`, then every half again as far back, and the last."""
    places = list(range(min(length, EXACT_PLACES)))
    place = EXACT_PLACES
    while place < length - 1:
        places.append(place)
        place = place * 3 // 2
    if length > EXACT_PLACES:
        places.append(length - 1)
    return places


def interpolated(estimates: Mapping[int, WaitEstimate | None], place: int) -> WaitEstimate | None:
    """The estimate at `place` from those worked out around it (`sampled_places`): on the
    straight line between its neighbours, which are minutes apart at most."""
    if place in estimates:
        return estimates[place]
    before = max((p for p in estimates if p < place), default=None)
    after = min((p for p in estimates if p > place), default=None)
    if before is None or after is None:
        return None
    low, high = estimates[before], estimates[after]
    if low is None or high is None:
        return None
    share = (place - before) / (after - before)
    return WaitEstimate(
        seconds=low.seconds + share * (high.seconds - low.seconds),
        low_seconds=low.low_seconds + share * (high.low_seconds - low.low_seconds),
        high_seconds=low.high_seconds + share * (high.high_seconds - low.high_seconds),
    )
