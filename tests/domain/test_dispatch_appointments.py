"""Dispatch of appointment tickets within their slot and of 补件 return visits."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain.dispatch import (
    POLICIES,
    Candidate,
    Choice,
    WindowView,
    next_appointment_streak,
    next_priority_streak,
)
from queue_server.domain.enums import CallReason

BASE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CATEGORIES = ("general", "enterprise")
NORMAL = {CallReason.LONGEST_WAIT, CallReason.CATEGORY_ORDER}
policy_names = st.sampled_from(sorted(POLICIES))


def ticket(
    ticket_id: int,
    category: str = "general",
    *,
    minute: int = 0,
    priority: bool = False,
    appointment: bool = False,
    return_visit: bool = False,
    preferred: int | None = None,
) -> Candidate:
    return Candidate(
        ticket_id=ticket_id,
        category=category,
        queue_key=BASE + timedelta(minutes=minute),
        priority=priority,
        appointment=appointment,
        return_visit=return_visit,
        preferred_window=preferred,
    )


def choose(
    waiting: Sequence[Candidate],
    *,
    number: int = 1,
    priority_streak: int = 0,
    appointment_streak: int = 0,
    priority_ratio: int = 1,
    appointment_ratio: int = 2,
    policy: str = "longest_wait",
) -> Choice | None:
    view = WindowView(
        number=number,
        categories=CATEGORIES,
        priority_streak=priority_streak,
        appointment_streak=appointment_streak,
    )
    return POLICIES[policy].choose(
        window=view,
        waiting=waiting,
        priority_ratio=dict.fromkeys(CATEGORIES, priority_ratio),
        appointment_ratio=dict.fromkeys(CATEGORIES, appointment_ratio),
    )


# --- examples -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "streak"),
    [
        (CallReason.APPOINTMENT, 3),
        (CallReason.LONGEST_WAIT, 0),
        (CallReason.CATEGORY_ORDER, 0),
        (CallReason.PRIORITY, 2),
        (CallReason.RETURN_VISIT, 2),
        (CallReason.TRANSFER, 2),
        (CallReason.BY_NUMBER, 2),
    ],
)
def test_next_appointment_streak(reason: CallReason, streak: int) -> None:
    assert next_appointment_streak(2, reason) == streak


def test_a_return_visit_counts_as_a_priority_jump_and_an_appointment_does_not() -> None:
    assert next_priority_streak(1, CallReason.RETURN_VISIT) == 2
    assert next_priority_streak(1, CallReason.APPOINTMENT) == 1


def test_an_appointment_jumps_walk_ins_up_to_its_ratio() -> None:
    waiting = [ticket(1, minute=0), ticket(2, minute=5, appointment=True)]
    assert choose(waiting) == Choice(2, CallReason.APPOINTMENT)
    assert choose(waiting, appointment_streak=1) == Choice(2, CallReason.APPOINTMENT)
    assert choose(waiting, appointment_streak=2) == Choice(1, CallReason.LONGEST_WAIT)


def test_an_appointment_past_its_slot_is_an_ordinary_ticket() -> None:
    # The shell passes appointment=False once the check-in window has closed.
    waiting = [ticket(1, minute=0), ticket(2, minute=5, appointment=False)]
    assert choose(waiting) == Choice(1, CallReason.LONGEST_WAIT)


def test_an_appointment_at_the_front_is_a_normal_call() -> None:
    waiting = [ticket(1, minute=0, appointment=True), ticket(2, minute=5)]
    choice = choose(waiting, appointment_streak=1)
    assert choice == Choice(1, CallReason.LONGEST_WAIT)
    assert next_appointment_streak(1, CallReason.LONGEST_WAIT) == 0


def test_appointments_alone_are_called_in_the_policy_s_order() -> None:
    # Passing only other appointments is no jump: walk-ins are not behind it.
    waiting = [ticket(1, "enterprise", appointment=True), ticket(2, appointment=True)]
    assert choose(waiting, policy="category_order") == Choice(2, CallReason.CATEGORY_ORDER)


def test_priority_comes_before_appointments() -> None:
    waiting = [
        ticket(1, minute=0),
        ticket(2, minute=3, appointment=True),
        ticket(3, minute=6, priority=True),
    ]
    assert choose(waiting) == Choice(3, CallReason.PRIORITY)
    assert choose(waiting, priority_streak=1) == Choice(2, CallReason.APPOINTMENT)


def test_the_eldest_appointment_goes_first() -> None:
    waiting = [
        ticket(1, minute=0),
        ticket(3, "enterprise", minute=7, appointment=True),
        ticket(2, minute=6, appointment=True),
    ]
    assert choose(waiting) == Choice(2, CallReason.APPOINTMENT)


def test_a_return_visit_is_served_with_priority() -> None:
    waiting = [ticket(1, minute=0), ticket(2, minute=9, return_visit=True)]
    assert choose(waiting) == Choice(2, CallReason.RETURN_VISIT)
    assert choose(waiting, priority_streak=1) == Choice(1, CallReason.LONGEST_WAIT)


def test_a_return_visit_waits_for_its_clerk_s_window() -> None:
    waiting = [
        ticket(1, minute=0),
        ticket(2, minute=2, priority=True),
        ticket(3, minute=9, return_visit=True, preferred=2),
    ]
    # Window 1 does not jump it (its clerk is signed in at window 2) but serves the priority.
    assert choose(waiting, number=1) == Choice(2, CallReason.PRIORITY)
    assert choose([waiting[0], waiting[2]], number=1) == Choice(1, CallReason.LONGEST_WAIT)
    # Window 2 takes it first, before an older priority ticket.
    assert choose(waiting, number=2) == Choice(3, CallReason.RETURN_VISIT)


def test_a_return_visit_at_the_front_is_called_by_any_window() -> None:
    waiting = [ticket(1, minute=0, return_visit=True, preferred=2), ticket(2, minute=5)]
    assert choose(waiting, number=1) == Choice(1, CallReason.LONGEST_WAIT)


# --- properties -----------------------------------------------------------------------------

arrivals = st.tuples(
    st.sampled_from(CATEGORIES),
    st.sampled_from(["walk_in", "walk_in", "appointment", "priority", "return_visit"]),
    st.none() | st.integers(min_value=1, max_value=2),
)


@settings(deadline=None)
@given(
    policy_name=policy_names,
    priority_ratio=st.integers(min_value=0, max_value=3),
    appointment_ratio=st.integers(min_value=1, max_value=3),
    data=st.data(),
)
def test_walk_ins_never_starve(
    policy_name: str, priority_ratio: int, appointment_ratio: int, data: st.DataObject
) -> None:
    """A window calling while tickets of every kind arrive: between two calls of a walk-in
    the window never makes more than `appointment_ratio` appointment calls while a walk-in
    waits, nor more than the priority ratio priority jumps; both streaks match the calls."""
    policy = POLICIES[policy_name]
    waiting: list[Candidate] = []
    priority_streak = appointment_streak = 0
    appointment_run = priority_run = 0
    next_id = 1
    for minute in range(data.draw(st.integers(min_value=1, max_value=60), label="steps")):
        for _ in range(data.draw(st.integers(min_value=0, max_value=3), label="arrivals")):
            category, kind, preferred = data.draw(arrivals, label="arrival")
            waiting.append(
                Candidate(
                    ticket_id=next_id,
                    category=category,
                    queue_key=BASE + timedelta(minutes=minute),
                    priority=kind == "priority",
                    appointment=kind == "appointment",
                    return_visit=kind == "return_visit",
                    preferred_window=preferred if kind == "return_visit" else None,
                )
            )
            next_id += 1
        view = WindowView(
            number=1,
            categories=CATEGORIES,
            priority_streak=priority_streak,
            appointment_streak=appointment_streak,
        )
        choice = policy.choose(
            window=view,
            waiting=waiting,
            priority_ratio=dict.fromkeys(CATEGORIES, priority_ratio),
            appointment_ratio=dict.fromkeys(CATEGORIES, appointment_ratio),
        )
        if not waiting:
            assert choice is None
            continue
        assert choice is not None
        chosen = next(c for c in waiting if c.ticket_id == choice.ticket_id)
        walk_in_waits = any(not c.appointment for c in waiting if c is not chosen)
        if choice.reason is CallReason.APPOINTMENT:
            assert chosen.appointment
            assert walk_in_waits, "an appointment jump must pass someone"
            appointment_run += 1
            assert appointment_run <= appointment_ratio, "walk-ins starve behind appointments"
        elif choice.reason in (CallReason.PRIORITY, CallReason.RETURN_VISIT):
            assert chosen.priority or chosen.return_visit
            assert chosen.preferred_window in (None, 1) or chosen.priority
            priority_run += 1
            assert priority_run <= priority_ratio, "priority jumped beyond the ratio"
        else:
            assert choice.reason in NORMAL
            appointment_run = priority_run = 0
        priority_streak = next_priority_streak(priority_streak, choice.reason)
        appointment_streak = next_appointment_streak(appointment_streak, choice.reason)
        assert (priority_streak, appointment_streak) == (priority_run, appointment_run)
        waiting.remove(chosen)


@settings(deadline=None)
@given(policy_name=policy_names, data=st.data())
def test_every_waiting_ticket_is_called_in_a_bounded_number_of_calls(
    policy_name: str, data: st.DataObject
) -> None:
    """With arrivals stopped, whoever is at the policy's front is called within priority ratio
    + appointment ratio + 1 calls: nobody waits forever behind jumps."""
    policy = POLICIES[policy_name]
    kinds = data.draw(st.lists(arrivals, min_size=1, max_size=30), label="queue")
    waiting = [
        Candidate(
            ticket_id=index,
            category=category,
            queue_key=BASE + timedelta(minutes=index),
            priority=kind == "priority",
            appointment=kind == "appointment",
            return_visit=kind == "return_visit",
            preferred_window=preferred if kind == "return_visit" else None,
        )
        for index, (category, kind, preferred) in enumerate(kinds, start=1)
    ]
    view = WindowView(number=1, categories=CATEGORIES)
    since_normal = 0
    while waiting:
        choice = policy.choose(
            window=view,
            waiting=waiting,
            priority_ratio=dict.fromkeys(CATEGORIES, 1),
            appointment_ratio=dict.fromkeys(CATEGORIES, 2),
        )
        assert choice is not None
        since_normal = 0 if choice.reason in NORMAL else since_normal + 1
        assert since_normal <= 3
        view = WindowView(
            number=1,
            categories=CATEGORIES,
            priority_streak=next_priority_streak(view.priority_streak, choice.reason),
            appointment_streak=next_appointment_streak(view.appointment_streak, choice.reason),
        )
        waiting = [c for c in waiting if c.ticket_id != choice.ticket_id]
