"""Which waiting ticket a window calls next, and why.

Order of precedence for every policy: tickets transferred to this very window, then priority
tickets (but never more than the category's ratio in a row while others wait), then the
policy's own ordering of the normal queue.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol

from queue_server.domain.enums import CallReason


@dataclass(frozen=True, slots=True)
class Candidate:
    """A waiting ticket as dispatch sees it."""

    ticket_id: int
    category: str
    queue_key: datetime
    priority: bool = False
    target_window: int | None = None

    @property
    def order(self) -> tuple[datetime, int]:
        return (self.queue_key, self.ticket_id)


@dataclass(frozen=True, slots=True)
class WindowView:
    number: int
    categories: tuple[str, ...]
    priority_streak: int = 0


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
    ) -> Choice | None: ...


def next_priority_streak(streak: int, reason: CallReason) -> int:
    """Consecutive priority jumps at a window; a normal call resets it, others leave it."""
    if reason is CallReason.PRIORITY:
        return streak + 1
    if reason in (CallReason.LONGEST_WAIT, CallReason.CATEGORY_ORDER):
        return 0
    return streak


class _BasePolicy:
    name: ClassVar[str] = ""
    normal_reason: ClassVar[CallReason] = CallReason.LONGEST_WAIT

    def choose(
        self,
        *,
        window: WindowView,
        waiting: Sequence[Candidate],
        priority_ratio: Mapping[str, int],
    ) -> Choice | None:
        transferred = [c for c in waiting if c.target_window == window.number]
        if transferred:
            first = min(transferred, key=lambda c: c.order)
            return Choice(first.ticket_id, CallReason.TRANSFER)

        served = set(window.categories)
        queue = [c for c in waiting if c.target_window is None and c.category in served]
        if not queue:
            return None
        normal = self._pick_normal(window, queue)
        priority = [c for c in queue if c.priority]
        if priority:
            eldest = min(priority, key=lambda c: c.order)
            ratio = priority_ratio.get(eldest.category, 0)
            if eldest != normal and window.priority_streak < ratio:
                return Choice(eldest.ticket_id, CallReason.PRIORITY)
        return Choice(normal.ticket_id, self.normal_reason)

    def _pick_normal(self, window: WindowView, queue: Sequence[Candidate]) -> Candidate:
        raise NotImplementedError


class LongestWaitPolicy(_BasePolicy):
    """The ticket that has waited longest among all the window's categories."""

    name = "longest_wait"
    normal_reason = CallReason.LONGEST_WAIT

    def _pick_normal(self, window: WindowView, queue: Sequence[Candidate]) -> Candidate:
        return min(queue, key=lambda c: c.order)


class CategoryOrderPolicy(_BasePolicy):
    """The window's categories strictly in their configured order: a specialist window first
    empties its own queue, then helps the others."""

    name = "category_order"
    normal_reason = CallReason.CATEGORY_ORDER

    def _pick_normal(self, window: WindowView, queue: Sequence[Candidate]) -> Candidate:
        rank = {code: index for index, code in enumerate(window.categories)}
        return min(queue, key=lambda c: (rank[c.category], c.order))


POLICIES: Mapping[str, DispatchPolicy] = {
    policy.name: policy for policy in (LongestWaitPolicy(), CategoryOrderPolicy())
}
