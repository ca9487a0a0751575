"""Which waiting ticket a window calls next, and why.

Order of precedence for every policy: tickets transferred to this very window, then priority
tickets and 补件 return visits (but never more than the category's priority ratio in a row
while others wait), then appointment tickets within their slot (never more than the category's
appointment ratio in a row while walk-ins wait), then the policy's own ordering of the normal
queue. A jump counts only when it passes someone: the ticket the policy would call anyway is a
normal call, which resets both streaks.

Overflow (跨窗通办): a window that `also_serves` other categories takes the eldest of them
when its own queue is empty, or when one of them is due — its longest wait past target or
more than its `overflow_waiting` people waiting — but never while one of its own categories
is past target. Overflow calls leave the window's streaks as they are.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import ClassVar, Protocol

from queue_server.domain.enums import CallReason

NO_RATIOS: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A waiting ticket as dispatch sees it."""

    ticket_id: int
    category: str
    queue_key: datetime
    priority: bool = False
    target_window: int | None = None
    appointment: bool = False
    """An appointment ticket still within its slot (until its check-in window closes); after
    that the shell passes it as an ordinary ticket."""
    return_visit: bool = False
    """A 补件 applicant back on the same journey: ranked with the priority tickets."""
    preferred_window: int | None = None
    """A return visit's journey clerk's window, while that clerk is signed in there and the
    window serves the category: that window takes it first, the others do not jump it."""

    @property
    def order(self) -> tuple[datetime, int]:
        return (self.queue_key, self.ticket_id)


@dataclass(frozen=True, slots=True)
class WindowView:
    number: int
    categories: tuple[str, ...]
    priority_streak: int = 0
    appointment_streak: int = 0
    also_serves: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OverflowRule:
    """When a category is due for help from windows that `also_serve` it."""

    target_wait: timedelta
    waiting_limit: int
    """Help comes once MORE than this many wait."""


NO_OVERFLOW: Mapping[str, OverflowRule] = MappingProxyType({})


QueueFront = tuple[datetime, int]
"""Where a category's queue starts: the (queue key, ticket id) of its first waiting ticket."""


@dataclass(frozen=True, slots=True)
class QueueSummary:
    """A category's own queue in brief, as dispatch and the wait estimator both see it."""

    front: QueueFront
    count: int


@dataclass(frozen=True, slots=True)
class Choice:
    ticket_id: int
    reason: CallReason


class DispatchPolicy(Protocol):
    name: ClassVar[str]

    def choose(
        self,
        *,
        window: WindowView,
        waiting: Sequence[Candidate],
        priority_ratio: Mapping[str, int],
        appointment_ratio: Mapping[str, int] = NO_RATIOS,
        now: datetime | None = None,
        overflow: Mapping[str, OverflowRule] = NO_OVERFLOW,
    ) -> Choice | None: ...

    def next_category(
        self,
        *,
        window: WindowView,
        queues: Mapping[str, QueueSummary],
        now: datetime | None = None,
        overflow: Mapping[str, OverflowRule] = NO_OVERFLOW,
    ) -> tuple[str, CallReason] | None:
        """The category whose front ticket the window calls next, leaving aside transfers,
        priority and appointment jumps: the policy's order, which the wait estimator replays."""
        ...


NORMAL_REASONS = frozenset({CallReason.LONGEST_WAIT, CallReason.CATEGORY_ORDER})
PRIORITY_REASONS = frozenset({CallReason.PRIORITY, CallReason.RETURN_VISIT})


def next_priority_streak(streak: int, reason: CallReason) -> int:
    """Consecutive priority jumps (priority tickets and return visits) at a window; a normal
    call resets it, others leave it."""
    if reason in PRIORITY_REASONS:
        return streak + 1
    if reason in NORMAL_REASONS:
        return 0
    return streak


def next_appointment_streak(streak: int, reason: CallReason) -> int:
    """Consecutive appointment jumps at a window; a normal call resets it, others leave it."""
    if reason is CallReason.APPOINTMENT:
        return streak + 1
    if reason in NORMAL_REASONS:
        return 0
    return streak


def past_target(queue: Sequence[Candidate], rule: OverflowRule, now: datetime | None) -> bool:
    """Whether the eldest of a category's waiting tickets has waited longer than its target."""
    if now is None or not queue:
        return False
    return now - min(c.queue_key for c in queue) > rule.target_wait


def summarise_queues(waiting: Sequence[Candidate]) -> dict[str, QueueSummary]:
    """Per category, the front and length of its own queue (tickets not sent to a window)."""
    fronts: dict[str, QueueFront] = {}
    counts: dict[str, int] = {}
    for candidate in waiting:
        if candidate.target_window is not None:
            continue
        code = candidate.category
        counts[code] = counts.get(code, 0) + 1
        if code not in fronts or candidate.order < fronts[code]:
            fronts[code] = candidate.order
    return {code: QueueSummary(fronts[code], counts[code]) for code in fronts}


def overflow_due_in(
    window: WindowView,
    queues: Mapping[str, QueueSummary],
    *,
    now: datetime | None,
    overflow: Mapping[str, OverflowRule],
) -> frozenset[str]:
    """The categories the window `also_serves` that it should help with now, from each
    category's queue in brief: the one rule, shared with the wait estimator."""
    if not window.also_serves:
        return frozenset()

    def late(code: str) -> bool:
        rule = overflow.get(code)
        if rule is None or now is None:
            return False
        return now - queues[code].front[0] > rule.target_wait

    own = [code for code in window.categories if code in queues and queues[code].count > 0]
    if any(late(code) for code in own):
        return frozenset()
    due = set()
    for code in window.also_serves:
        queue = queues.get(code)
        if queue is None or queue.count <= 0:
            continue
        rule = overflow.get(code)
        if not own or (rule is not None and (queue.count > rule.waiting_limit or late(code))):
            due.add(code)
    return frozenset(due)


def _jumps_first(window: WindowView, candidate: Candidate) -> bool:
    """Whether a waiting ticket may jump the queue at this window as a priority."""
    welcome = candidate.return_visit and candidate.preferred_window in (None, window.number)
    return candidate.priority or welcome


def _priority_rank(window: WindowView, candidate: Candidate) -> tuple[bool, datetime, int]:
    """Return visits waiting for this very window first, then by the queue's order."""
    here = candidate.return_visit and candidate.preferred_window == window.number
    return (not here, *candidate.order)


class _BasePolicy:
    name: ClassVar[str] = ""
    normal_reason: ClassVar[CallReason] = CallReason.LONGEST_WAIT

    def choose(
        self,
        *,
        window: WindowView,
        waiting: Sequence[Candidate],
        priority_ratio: Mapping[str, int],
        appointment_ratio: Mapping[str, int] = NO_RATIOS,
        now: datetime | None = None,
        overflow: Mapping[str, OverflowRule] = NO_OVERFLOW,
    ) -> Choice | None:
        transferred = [c for c in waiting if c.target_window == window.number]
        if transferred:
            first = min(transferred, key=lambda c: c.order)
            return Choice(first.ticket_id, CallReason.TRANSFER)

        queues = summarise_queues(waiting)
        picked = self.next_category(window=window, queues=queues, now=now, overflow=overflow)
        if picked is None:
            return None
        code, reason = picked
        front = queues[code].front
        normal = next(c for c in waiting if c.target_window is None and c.order == front)
        if reason is CallReason.OVERFLOW:
            return Choice(normal.ticket_id, CallReason.OVERFLOW)

        served = set(window.categories)
        queue = [c for c in waiting if c.target_window is None and c.category in served]
        priority = [c for c in queue if _jumps_first(window, c)]
        if priority:
            eldest = min(priority, key=lambda c: _priority_rank(window, c))
            ratio = priority_ratio.get(eldest.category, 0)
            if eldest != normal and window.priority_streak < ratio:
                reason = CallReason.RETURN_VISIT if eldest.return_visit else CallReason.PRIORITY
                return Choice(eldest.ticket_id, reason)
        booked = [c for c in queue if c.appointment]
        if booked:
            eldest = min(booked, key=lambda c: c.order)
            ratio = appointment_ratio.get(eldest.category, 0)
            if not normal.appointment and window.appointment_streak < ratio:
                return Choice(eldest.ticket_id, CallReason.APPOINTMENT)
        return Choice(normal.ticket_id, self.normal_reason)

    def next_category(
        self,
        *,
        window: WindowView,
        queues: Mapping[str, QueueSummary],
        now: datetime | None = None,
        overflow: Mapping[str, OverflowRule] = NO_OVERFLOW,
    ) -> tuple[str, CallReason] | None:
        due = overflow_due_in(window, queues, now=now, overflow=overflow)
        if due:
            return min(due, key=lambda code: queues[code].front), CallReason.OVERFLOW
        fronts = {
            code: queues[code].front
            for code in window.categories
            if code in queues and queues[code].count > 0
        }
        if not fronts:
            return None
        return self._order(window, fronts), self.normal_reason

    def _order(self, window: WindowView, fronts: Mapping[str, QueueFront]) -> str:
        """Of the window's own categories with someone waiting, the one it calls next."""
        raise NotImplementedError


class LongestWaitPolicy(_BasePolicy):
    """The ticket that has waited longest among all the window's categories."""

    name = "longest_wait"
    normal_reason = CallReason.LONGEST_WAIT

    def _order(self, window: WindowView, fronts: Mapping[str, QueueFront]) -> str:
        return min(fronts, key=lambda code: fronts[code])


class CategoryOrderPolicy(_BasePolicy):
    """The window's categories strictly in their configured order: a specialist window first
    empties its own queue, then helps the others."""

    name = "category_order"
    normal_reason = CallReason.CATEGORY_ORDER

    def _order(self, window: WindowView, fronts: Mapping[str, QueueFront]) -> str:
        return next(code for code in window.categories if code in fronts)


POLICIES: Mapping[str, DispatchPolicy] = {
    policy.name: policy for policy in (LongestWaitPolicy(), CategoryOrderPolicy())
}
