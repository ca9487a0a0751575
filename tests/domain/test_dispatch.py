"""Dispatch: which waiting ticket a window calls next, and why."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain.dispatch import (
    POLICIES,
    Candidate,
    CategoryOrderPolicy,
    Choice,
    DispatchPolicy,
    LongestWaitPolicy,
    WindowView,
    next_priority_streak,
)
from queue_server.domain.enums import CallReason

BASE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CATEGORIES = ("consult", "general", "enterprise")
NORMAL_REASONS = {
    "longest_wait": CallReason.LONGEST_WAIT,
    "category_order": CallReason.CATEGORY_ORDER,
}
longest_wait = LongestWaitPolicy()
category_order = CategoryOrderPolicy()


def ticket(
    ticket_id: int,
    category: str = "general",
    *,
    minute: int = 0,
    priority: bool = False,
    target: int | None = None,
) -> Candidate:
    return Candidate(
        ticket_id=ticket_id,
        category=category,
        queue_key=BASE + timedelta(minutes=minute),
        priority=priority,
        target_window=target,
    )


def window(*categories: str, number: int = 1, streak: int = 0) -> WindowView:
    return WindowView(number=number, categories=categories or ("general",), priority_streak=streak)


def choose(
    policy: DispatchPolicy,
    view: WindowView,
    waiting: Sequence[Candidate],
    ratio: Mapping[str, int] | None = None,
) -> Choice | None:
    return policy.choose(
        window=view, waiting=waiting, priority_ratio=ratio if ratio is not None else {}
    )


def eligible(view: WindowView, waiting: Sequence[Candidate]) -> list[Candidate]:
    return [
        c
        for c in waiting
        if c.target_window == view.number
        or (c.target_window is None and c.category in view.categories)
    ]


def normal_pick(policy_name: str, view: WindowView, queue: Sequence[Candidate]) -> Candidate:
    """The policy's own ordering of the window's queue, written out from its description."""
    if policy_name == "longest_wait":
        return min(queue, key=lambda c: (c.queue_key, c.ticket_id))
    return min(queue, key=lambda c: (view.categories.index(c.category), c.queue_key, c.ticket_id))


# --- examples -------------------------------------------------------------------------------


def test_both_policies_are_registered_by_name() -> None:
    assert set(POLICIES) == {"longest_wait", "category_order"}
    for name, policy in POLICIES.items():
        assert policy.name == name


@pytest.mark.parametrize(
    ("reason", "streak"),
    [
        (CallReason.PRIORITY, 3),
        (CallReason.LONGEST_WAIT, 0),
        (CallReason.CATEGORY_ORDER, 0),
        (CallReason.TRANSFER, 2),
        (CallReason.BY_NUMBER, 2),
    ],
)
def test_next_priority_streak(reason: CallReason, streak: int) -> None:
    assert next_priority_streak(2, reason) == streak


@pytest.mark.parametrize("policy", [longest_wait, category_order], ids=lambda p: p.name)
def test_nobody_waiting_gives_none(policy: DispatchPolicy) -> None:
    assert choose(policy, window("general"), []) is None


@pytest.mark.parametrize("policy", [longest_wait, category_order], ids=lambda p: p.name)
def test_transfer_to_this_window_comes_first(policy: DispatchPolicy) -> None:
    waiting = [
        ticket(1, minute=0),
        ticket(2, minute=1, priority=True),
        ticket(3, "pickup", minute=5, target=1),
        ticket(4, "pickup", minute=4, target=1),
        ticket(5, "general", minute=2, target=2),
    ]
    assert choose(policy, window("general"), waiting, {"general": 3}) == Choice(
        4, CallReason.TRANSFER
    )


@pytest.mark.parametrize("policy", [longest_wait, category_order], ids=lambda p: p.name)
def test_tickets_for_another_window_are_never_chosen(policy: DispatchPolicy) -> None:
    waiting = [ticket(1, minute=0, target=2), ticket(2, minute=0, priority=True, target=3)]
    assert choose(policy, window("general"), waiting, {"general": 3}) is None
    waiting.append(ticket(3, minute=9))
    assert choose(policy, window("general"), waiting, {"general": 3}) == Choice(
        3, NORMAL_REASONS[policy.name]
    )


def test_longest_wait_takes_the_oldest_key_then_the_lowest_id() -> None:
    waiting = [
        ticket(7, "consult", minute=3),
        ticket(5, "general", minute=1),
        ticket(4, "consult", minute=1),
        ticket(2, "enterprise", minute=0),
    ]
    view = window("general", "consult")
    assert choose(longest_wait, view, waiting) == Choice(4, CallReason.LONGEST_WAIT)


def test_category_order_empties_its_first_category_before_helping() -> None:
    view = window("enterprise", "general")
    waiting = [ticket(1, "general", minute=0), ticket(2, "enterprise", minute=30)]
    assert choose(category_order, view, waiting) == Choice(2, CallReason.CATEGORY_ORDER)
    assert choose(category_order, view, waiting[:1]) == Choice(1, CallReason.CATEGORY_ORDER)
    reversed_view = window("general", "enterprise")
    assert choose(category_order, reversed_view, waiting) == Choice(1, CallReason.CATEGORY_ORDER)


def test_priority_jumps_the_queue_up_to_the_ratio() -> None:
    waiting = [ticket(1, minute=0), ticket(2, minute=5, priority=True)]
    assert choose(longest_wait, window(streak=0), waiting, {"general": 2}) == Choice(
        2, CallReason.PRIORITY
    )
    assert choose(longest_wait, window(streak=1), waiting, {"general": 2}) == Choice(
        2, CallReason.PRIORITY
    )
    assert choose(longest_wait, window(streak=2), waiting, {"general": 2}) == Choice(
        1, CallReason.LONGEST_WAIT
    )


def test_ratio_zero_turns_jumping_off() -> None:
    waiting = [ticket(1, minute=0), ticket(2, minute=5, priority=True)]
    for policy in (longest_wait, category_order):
        choice = choose(policy, window(), waiting, {"general": 0})
        assert choice == Choice(1, NORMAL_REASONS[policy.name])


def test_a_category_missing_from_the_ratios_does_not_jump() -> None:
    waiting = [ticket(1, minute=0), ticket(2, minute=5, priority=True)]
    assert choose(longest_wait, window(), waiting, {}) == Choice(1, CallReason.LONGEST_WAIT)


def test_a_priority_ticket_at_the_front_is_a_normal_call() -> None:
    # Nobody is jumped, so the streak must reset rather than grow.
    waiting = [ticket(1, minute=0, priority=True), ticket(2, minute=5)]
    choice = choose(longest_wait, window(streak=2), waiting, {"general": 3})
    assert choice == Choice(1, CallReason.LONGEST_WAIT)
    assert next_priority_streak(2, choice.reason) == 0


def test_the_eldest_priority_ticket_jumps_first() -> None:
    waiting = [
        ticket(1, minute=0),
        ticket(3, minute=7, priority=True),
        ticket(2, minute=6, priority=True),
    ]
    assert choose(longest_wait, window(), waiting, {"general": 3}) == Choice(2, CallReason.PRIORITY)


def test_the_ratio_is_that_of_the_jumping_ticket_s_category() -> None:
    view = window("general", "consult", streak=1)
    waiting = [ticket(1, "general", minute=0), ticket(2, "consult", minute=5, priority=True)]
    assert choose(longest_wait, view, waiting, {"general": 0, "consult": 2}) == Choice(
        2, CallReason.PRIORITY
    )
    assert choose(longest_wait, view, waiting, {"general": 5, "consult": 1}) == Choice(
        1, CallReason.LONGEST_WAIT
    )


def test_category_order_lets_priority_from_a_later_category_jump() -> None:
    view = window("enterprise", "general")
    waiting = [ticket(1, "enterprise", minute=9), ticket(2, "general", minute=0, priority=True)]
    assert choose(category_order, view, waiting, {"general": 1}) == Choice(2, CallReason.PRIORITY)
    assert choose(
        category_order, window("enterprise", "general", streak=1), waiting, {"general": 1}
    ) == Choice(1, CallReason.CATEGORY_ORDER)


# --- properties -----------------------------------------------------------------------------

candidate_fields = st.tuples(
    st.sampled_from(CATEGORIES),
    st.integers(min_value=0, max_value=30),
    st.booleans(),
    st.none() | st.integers(min_value=1, max_value=3),
)
waiting_lists = st.lists(candidate_fields, max_size=25).map(
    lambda rows: [
        Candidate(
            ticket_id=index,
            category=category,
            queue_key=BASE + timedelta(minutes=minute),
            priority=priority,
            target_window=target,
        )
        for index, (category, minute, priority, target) in enumerate(rows, start=1)
    ]
)
window_views = st.builds(
    WindowView,
    number=st.integers(min_value=1, max_value=3),
    categories=st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True).map(
        tuple
    ),
    priority_streak=st.integers(min_value=0, max_value=4),
)
ratios = st.fixed_dictionaries({code: st.integers(min_value=0, max_value=3) for code in CATEGORIES})
policy_names = st.sampled_from(sorted(POLICIES))


@given(policy_name=policy_names, view=window_views, waiting=waiting_lists, ratio=ratios)
def test_choice_follows_the_precedence(
    policy_name: str, view: WindowView, waiting: list[Candidate], ratio: dict[str, int]
) -> None:
    choice = choose(POLICIES[policy_name], view, waiting, ratio)
    allowed = eligible(view, waiting)
    if not allowed:
        assert choice is None
        return
    assert choice is not None, "a window with eligible tickets must call one"
    chosen = next(c for c in waiting if c.ticket_id == choice.ticket_id)
    assert chosen in allowed
    assert chosen.target_window in (None, view.number)

    transferred = [c for c in allowed if c.target_window == view.number]
    if transferred:
        assert choice == Choice(
            min(transferred, key=lambda c: c.order).ticket_id, CallReason.TRANSFER
        )
        return
    normal = normal_pick(policy_name, view, allowed)
    priority = [c for c in allowed if c.priority]
    eldest = min(priority, key=lambda c: c.order) if priority else None
    if eldest is not None and eldest != normal and view.priority_streak < ratio[eldest.category]:
        assert choice == Choice(eldest.ticket_id, CallReason.PRIORITY)
    else:
        assert choice == Choice(normal.ticket_id, NORMAL_REASONS[policy_name])


@settings(deadline=None)
@given(
    policy_name=policy_names,
    categories=st.permutations(CATEGORIES).map(tuple),
    ratio=ratios,
    data=st.data(),
)
def test_priority_never_jumps_more_than_the_ratio_in_a_row(
    policy_name: str, categories: tuple[str, ...], ratio: dict[str, int], data: st.DataObject
) -> None:
    """A run of calls with arrivals in between: priority jumps are honoured up to the ratio and
    never beyond, so the normal queue always moves."""
    policy = POLICIES[policy_name]
    waiting: list[Candidate] = []
    streak = run = 0
    next_id = 1
    for minute in range(data.draw(st.integers(min_value=1, max_value=60), label="steps")):
        for _ in range(data.draw(st.integers(min_value=0, max_value=3), label="arrivals")):
            category, priority, transfer = data.draw(
                st.tuples(st.sampled_from(categories), st.booleans(), st.integers(0, 9)),
                label="arrival",
            )
            waiting.append(
                Candidate(
                    ticket_id=next_id,
                    category=category,
                    queue_key=BASE + timedelta(minutes=minute),
                    priority=priority,
                    target_window=1 if transfer == 0 else None,
                )
            )
            next_id += 1
        view = WindowView(number=1, categories=categories, priority_streak=streak)
        choice = policy.choose(window=view, waiting=waiting, priority_ratio=ratio)
        if not waiting:
            assert choice is None
            continue
        assert choice is not None
        chosen = next(c for c in waiting if c.ticket_id == choice.ticket_id)
        if choice.reason is CallReason.PRIORITY:
            run += 1
            assert chosen.priority
            assert chosen != normal_pick(policy_name, view, waiting), "a jump must jump someone"
            assert run <= ratio[chosen.category], "priority jumped beyond the ratio"
        elif choice.reason is not CallReason.TRANSFER:
            assert choice.reason is NORMAL_REASONS[policy_name]
            run = 0
        streak = next_priority_streak(streak, choice.reason)
        assert streak == run
        waiting.remove(chosen)


HALL_WINDOWS = (
    (WindowView(number=1, categories=("consult",)), "longest_wait"),
    (WindowView(number=2, categories=("general", "consult")), "longest_wait"),
    (WindowView(number=3, categories=("enterprise", "general")), "category_order"),
)


@settings(deadline=None)
@given(data=st.data(), ratio=ratios)
def test_no_ticket_is_called_by_two_windows(data: st.DataObject, ratio: dict[str, int]) -> None:
    """Windows take turns at random from one shared waiting pool."""
    waiting: list[Candidate] = []
    called: dict[int, int] = {}
    streaks = {view.number: 0 for view, _ in HALL_WINDOWS}
    next_id = 1
    for minute in range(data.draw(st.integers(min_value=1, max_value=80), label="steps")):
        if data.draw(st.booleans(), label="arrive"):
            category, _, priority, target = data.draw(candidate_fields, label="arrival")
            waiting.append(
                Candidate(
                    ticket_id=next_id,
                    category=category,
                    queue_key=BASE + timedelta(minutes=minute),
                    priority=priority,
                    target_window=target,
                )
            )
            next_id += 1
            continue
        view, policy_name = data.draw(st.sampled_from(HALL_WINDOWS), label="window")
        view = WindowView(
            number=view.number, categories=view.categories, priority_streak=streaks[view.number]
        )
        choice = POLICIES[policy_name].choose(window=view, waiting=waiting, priority_ratio=ratio)
        if choice is None:
            assert not eligible(view, waiting)
            continue
        assert choice.ticket_id not in called, (
            f"ticket {choice.ticket_id} already called by window {called.get(choice.ticket_id)}"
        )
        chosen = next(c for c in waiting if c.ticket_id == choice.ticket_id)
        assert chosen in eligible(view, waiting)
        called[choice.ticket_id] = view.number
        streaks[view.number] = next_priority_streak(streaks[view.number], choice.reason)
        waiting.remove(chosen)
