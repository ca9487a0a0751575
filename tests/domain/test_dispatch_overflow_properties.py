"""Overflow (跨窗通办) properties: a window never helps while its own category is over target,
helps only when the other category is due (past target, more than its limit waiting) or its
own queue is empty, keeps the priority ratio, and every ticket is reached in the end."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain.dispatch import (
    POLICIES,
    Candidate,
    OverflowRule,
    WindowView,
    next_priority_streak,
    past_target,
)
from queue_server.domain.enums import CallReason

BASE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CATEGORIES = ("consult", "general", "enterprise", "pickup")
policy_names = st.sampled_from(sorted(POLICIES))
rules = st.fixed_dictionaries(
    {
        code: st.builds(
            OverflowRule,
            target_wait=st.integers(min_value=1, max_value=30).map(lambda m: timedelta(minutes=m)),
            waiting_limit=st.integers(min_value=1, max_value=6),
        )
        for code in CATEGORIES
    }
)
ratios = st.fixed_dictionaries({code: st.integers(min_value=0, max_value=3) for code in CATEGORIES})


@st.composite
def windows(draw: st.DrawFn, number: int = 1) -> WindowView:
    """A window with one or two categories of its own and one or two others it helps with."""
    shuffled = draw(st.permutations(CATEGORIES))
    own = draw(st.integers(min_value=1, max_value=2))
    helps = draw(st.integers(min_value=1, max_value=2))
    return WindowView(
        number=number,
        categories=tuple(shuffled[:own]),
        also_serves=tuple(shuffled[own : own + helps]),
        priority_streak=draw(st.integers(min_value=0, max_value=4)),
    )


waiting_lists = st.lists(
    st.tuples(
        st.sampled_from(CATEGORIES),
        st.integers(min_value=0, max_value=40),
        st.booleans(),
        st.sampled_from([None, None, None, 1, 2]),
    ),
    max_size=25,
).map(
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


def queue_of(waiting: Sequence[Candidate], code: str) -> list[Candidate]:
    return [c for c in waiting if c.category == code and c.target_window is None]


def due(
    view: WindowView,
    waiting: Sequence[Candidate],
    code: str,
    rule: Mapping[str, OverflowRule],
    now: datetime,
) -> bool:
    """The rule written out from the issue: the other category is past target or has more
    than its limit waiting, or the window's own queue is empty."""
    queue = queue_of(waiting, code)
    own_empty = not any(queue_of(waiting, own) for own in view.categories)
    limit = rule[code].waiting_limit
    return bool(queue) and (own_empty or len(queue) > limit or past_target(queue, rule[code], now))


@settings(max_examples=400)
@given(
    policy_name=policy_names,
    view=windows(),
    waiting=waiting_lists,
    rule=rules,
    ratio=ratios,
    minute=st.integers(min_value=0, max_value=80),
)
def test_help_only_when_due_and_never_while_its_own_is_over_target(
    policy_name: str,
    view: WindowView,
    waiting: list[Candidate],
    rule: dict[str, OverflowRule],
    ratio: dict[str, int],
    minute: int,
) -> None:
    now = BASE + timedelta(minutes=minute)
    choice = POLICIES[policy_name].choose(
        window=view, waiting=waiting, priority_ratio=ratio, now=now, overflow=rule
    )
    callable_here = [
        c
        for c in waiting
        if c.target_window == view.number
        or (c.target_window is None and c.category in (*view.categories, *view.also_serves))
    ]
    if not callable_here:
        assert choice is None
        return
    assert choice is not None, "a window with someone it may serve must call"
    chosen = next(c for c in waiting if c.ticket_id == choice.ticket_id)
    assert chosen in callable_here
    own_over = any(past_target(queue_of(waiting, c), rule[c], now) for c in view.categories)
    if choice.reason is CallReason.OVERFLOW:
        assert chosen.category in view.also_serves and chosen.target_window is None
        assert not own_over, "helped while its own category is over target"
        assert due(view, waiting, chosen.category, rule, now), "helped before the thresholds"
        helped = [c for c in callable_here if c.category in view.also_serves]
        assert chosen == min(
            (c for c in helped if due(view, waiting, c.category, rule, now)),
            key=lambda c: c.order,
        ), "the eldest of the due categories"
    elif choice.reason is not CallReason.TRANSFER:
        assert chosen.category in view.categories, "another category without an overflow call"
        if not own_over:
            assert not any(due(view, waiting, code, rule, now) for code in view.also_serves)


@settings(deadline=None)
@given(policy_name=policy_names, view=windows(), rule=rules, ratio=ratios, data=st.data())
def test_the_priority_ratio_holds_with_overflow(
    policy_name: str,
    view: WindowView,
    rule: dict[str, OverflowRule],
    ratio: dict[str, int],
    data: st.DataObject,
) -> None:
    """A run of calls with arrivals in between: priority jumps never exceed the ratio in a row,
    and overflow calls neither count as jumps nor break a run."""
    policy = POLICIES[policy_name]
    waiting: list[Candidate] = []
    streak = run = 0
    next_id = 1
    served = (*view.categories, *view.also_serves)
    for minute in range(data.draw(st.integers(min_value=1, max_value=60), label="steps")):
        arrivals = data.draw(
            st.lists(st.tuples(st.sampled_from(served), st.booleans()), max_size=3),
            label="arrivals",
        )
        for category, priority in arrivals:
            queue_key = BASE + timedelta(minutes=minute)
            waiting.append(Candidate(next_id, category, queue_key, priority=priority))
            next_id += 1
        choice = policy.choose(
            window=WindowView(view.number, view.categories, streak, also_serves=view.also_serves),
            waiting=waiting,
            priority_ratio=ratio,
            now=BASE + timedelta(minutes=minute),
            overflow=rule,
        )
        if not waiting:
            assert choice is None
            continue
        assert choice is not None
        chosen = next(c for c in waiting if c.ticket_id == choice.ticket_id)
        if choice.reason is CallReason.PRIORITY:
            run += 1
            assert chosen.priority and chosen.category in view.categories
            assert run <= ratio[chosen.category], "priority jumped beyond the ratio"
        elif choice.reason is not CallReason.OVERFLOW:
            run = 0
        streak = next_priority_streak(streak, choice.reason)
        assert streak == run
        waiting.remove(chosen)


HALL = (
    WindowView(number=1, categories=("consult",), also_serves=("pickup", "general")),
    WindowView(number=2, categories=("general",), also_serves=("enterprise",)),
    WindowView(number=3, categories=("general",)),
)
"""No window owns pickup or enterprise: only overflow reaches them."""


@settings(deadline=None)
@given(policy_name=policy_names, rule=rules, data=st.data())
def test_every_ticket_is_reached(
    policy_name: str, rule: dict[str, OverflowRule], data: st.DataObject
) -> None:
    """A day of arrivals and calls at windows picked at random, then the hall works on with no
    more arrivals: every ticket of a category some window serves or helps with is called."""
    policy = POLICIES[policy_name]
    waiting: list[Candidate] = []
    issued: set[int] = set()
    called: set[int] = set()
    next_id = 1
    minute = 0

    def call(view: WindowView) -> bool:
        choice = policy.choose(
            window=view,
            waiting=waiting,
            priority_ratio={},
            now=BASE + timedelta(minutes=minute),
            overflow=rule,
        )
        if choice is None:
            return False
        assert choice.ticket_id not in called
        called.add(choice.ticket_id)
        waiting[:] = [c for c in waiting if c.ticket_id != choice.ticket_id]
        return True

    for minute in range(data.draw(st.integers(min_value=1, max_value=40), label="minutes")):
        for category in data.draw(st.lists(st.sampled_from(CATEGORIES), max_size=4)):
            if (
                category == "consult"
                or category == "general"
                or any(category in view.also_serves for view in HALL)
            ):
                waiting.append(Candidate(next_id, category, BASE + timedelta(minutes=minute)))
                issued.add(next_id)
                next_id += 1
        for view in data.draw(st.lists(st.sampled_from(HALL), max_size=3), label="calls"):
            call(view)
    while any([call(view) for view in HALL]):
        minute += 1
    assert called == issued
