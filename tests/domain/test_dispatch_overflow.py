"""Overflow (跨窗通办): a window helping with the categories it `also_serves`."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from queue_server.domain.dispatch import POLICIES, Candidate, Choice, OverflowRule, WindowView
from queue_server.domain.enums import CallReason
from queue_server.domain.tidal import SWITCH_POLICY, switched

BASE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
RULES = {
    "pickup": OverflowRule(timedelta(minutes=10), waiting_limit=3),
    "consult": OverflowRule(timedelta(minutes=10), waiting_limit=3),
}
WINDOW = WindowView(number=12, categories=("pickup",), also_serves=("consult",))


def ticket(ticket_id: int, category: str, minute: int) -> Candidate:
    return Candidate(ticket_id, category, BASE + timedelta(minutes=minute))


def choose(waiting: Sequence[Candidate], *, minute: int) -> Choice | None:
    return POLICIES["longest_wait"].choose(
        window=WINDOW,
        waiting=waiting,
        priority_ratio={},
        now=BASE + timedelta(minutes=minute),
        overflow=RULES,
    )


def test_an_idle_window_helps() -> None:
    assert choose([ticket(1, "consult", 0)], minute=1) == Choice(1, CallReason.OVERFLOW)


def test_its_own_queue_comes_first_while_the_other_is_not_due() -> None:
    waiting = [ticket(1, "consult", 0), ticket(2, "pickup", 5)]
    assert choose(waiting, minute=6) == Choice(2, CallReason.LONGEST_WAIT)


def test_help_once_the_other_category_is_past_target() -> None:
    waiting = [ticket(1, "consult", 0), ticket(2, "pickup", 5)]
    assert choose(waiting, minute=11) == Choice(1, CallReason.OVERFLOW)


def test_help_once_more_than_the_limit_wait() -> None:
    waiting = [ticket(i, "consult", i) for i in range(1, 5)] + [ticket(9, "pickup", 0)]
    assert choose(waiting, minute=6) == Choice(1, CallReason.OVERFLOW)
    assert choose(waiting[1:], minute=6) == Choice(9, CallReason.LONGEST_WAIT)


def test_a_limit_of_zero_helps_as_soon_as_one_waits() -> None:
    waiting = [ticket(1, "consult", 5), ticket(2, "pickup", 0)]
    eager = {**RULES, "consult": OverflowRule(timedelta(minutes=10), waiting_limit=0)}
    assert POLICIES["longest_wait"].choose(
        window=WINDOW,
        waiting=waiting,
        priority_ratio={},
        now=BASE.replace(minute=6),
        overflow=eager,
    ) == Choice(1, CallReason.OVERFLOW)
    assert choose(waiting, minute=6) == Choice(2, CallReason.LONGEST_WAIT)


def test_never_while_its_own_category_is_past_target() -> None:
    waiting = [ticket(i, "consult", i) for i in range(1, 9)] + [ticket(9, "pickup", 0)]
    assert choose(waiting, minute=30) == Choice(9, CallReason.LONGEST_WAIT)


def test_a_switched_window_calls_the_switched_category_first() -> None:
    view = switched(WINDOW, "consult")
    assert view.categories == ("consult", "pickup")
    assert view.also_serves == ()
    waiting = [ticket(1, "pickup", 0), ticket(2, "consult", 5)]
    choice = POLICIES[SWITCH_POLICY].choose(window=view, waiting=waiting, priority_ratio={})
    assert choice == Choice(2, CallReason.CATEGORY_ORDER)
