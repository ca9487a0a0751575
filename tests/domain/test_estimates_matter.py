"""Estimates that know the matter, the clerk, and the policy's own order."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from queue_server.domain.dispatch import (
    POLICIES,
    Candidate,
    OverflowRule,
    WindowView,
)
from queue_server.domain.estimates import (
    MIN_CLERK_SAMPLES,
    QueueAhead,
    ServiceTime,
    WindowLoad,
    clerk_speed,
    estimate_wait,
    matter_service_time,
)

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
FIVE = ServiceTime(300.0, 0.5)
FORTY = ServiceTime(2400.0, 0.5)


def test_a_matter_is_learned_once_it_has_a_few_tickets_and_falls_back_to_its_category() -> None:
    assert matter_service_time(recent=[2400.0, 2300.0], category=FIVE) == FIVE
    learned = matter_service_time(recent=[2400.0] * 10, category=FIVE)
    assert 1200.0 < learned.mean_seconds < 2400.0


def test_the_matters_ahead_decide_the_wait() -> None:
    """One 新生儿出生 ahead (forty minutes) against one pickup-length ticket ahead."""
    window = WindowLoad(number=1, categories=("general",))

    def wait(matters: tuple[str | None, ...]) -> float:
        estimate = estimate_wait(
            category="general",
            queues={"general": QueueAhead(1, NOW - timedelta(minutes=1), matters)},
            windows=[window],
            service={"general": FIVE},
            matter_service={("general", "newborn"): FORTY},
            now=NOW,
        )
        assert estimate is not None
        return estimate.seconds

    assert wait(("newborn",)) == pytest.approx(2400.0)
    assert wait((None,)) == pytest.approx(300.0)
    assert wait(()) == pytest.approx(300.0)


def test_the_matter_at_the_window_decides_its_rest() -> None:
    def wait(matter: str | None) -> float:
        window = WindowLoad(
            number=1,
            categories=("general",),
            busy_category="general",
            busy_matter=matter,
            busy_since=NOW,
        )
        estimate = estimate_wait(
            category="general",
            queues={},
            windows=[window],
            service={"general": FIVE},
            matter_service={("general", "newborn"): FORTY},
            now=NOW,
        )
        assert estimate is not None
        return estimate.seconds

    assert wait("newborn") == pytest.approx(2400.0)
    assert wait(None) == pytest.approx(300.0)


def test_a_clerk_is_typical_until_there_is_enough_history_then_as_fast_as_they_are() -> None:
    assert clerk_speed(ratios=[2.0] * (MIN_CLERK_SAMPLES - 1)) == 1.0
    slow = clerk_speed(ratios=[2.0] * 30)
    assert 1.5 < slow < 2.0
    assert clerk_speed(ratios=[0.1] * 1000) == 0.5
    assert clerk_speed(ratios=[1.0, 0.9, 1.1] * 10) == pytest.approx(1.0)


def test_a_slow_clerk_takes_longer_for_the_same_queue() -> None:
    def wait(speed: float) -> float:
        estimate = estimate_wait(
            category="a",
            queues={"a": QueueAhead(3, NOW - timedelta(minutes=3))},
            windows=[WindowLoad(number=1, categories=("a",), speed=speed)],
            service={"a": FIVE},
            now=NOW,
        )
        assert estimate is not None
        return estimate.seconds

    assert wait(1.5) == pytest.approx(1.5 * wait(1.0))


def test_an_also_serving_window_helps_an_estimate_once_its_own_queue_is_empty() -> None:
    """Window 2 serves b and also_serves a: with nothing of its own it takes a's tickets."""
    queues = {"a": QueueAhead(4, NOW - timedelta(minutes=4))}
    windows = [
        WindowLoad(number=1, categories=("a",)),
        WindowLoad(number=2, categories=("b",), also_serves=("a",)),
    ]
    helped = estimate_wait(
        category="a", queues=queues, windows=windows, service={"a": FIVE, "b": FIVE}, now=NOW
    )
    alone = estimate_wait(
        category="a",
        queues=queues,
        windows=windows[:1],
        service={"a": FIVE, "b": FIVE},
        now=NOW,
    )
    assert helped is not None and alone is not None
    assert helped.seconds == pytest.approx(600.0)
    assert alone.seconds == pytest.approx(1200.0)
    only_helper = estimate_wait(
        category="a", queues=queues, windows=windows[1:], service={"a": FIVE}, now=NOW
    )
    assert only_helper is not None


# --- one order for dispatch and the estimator ---------------------------------------------

CATEGORIES = ("a", "b", "c")
STEP_SECONDS = {"a": 61, "b": 67, "c": 71}
"""Tickets of a category arrive this far apart (primes: no two fronts ever tie)."""
SERVICE_SECONDS = {"a": 7.0, "b": 1100.0, "c": 130_000.0}


@st.composite
def _halls(draw: st.DrawFn) -> tuple[str, tuple[str, ...], tuple[str, ...], dict[str, int]]:
    policy = draw(st.sampled_from(sorted(POLICIES)))
    own = tuple(draw(st.permutations(CATEGORIES))[: draw(st.integers(1, 2))])
    also = tuple(c for c in CATEGORIES if c not in own and draw(st.booleans()))
    counts = {c: draw(st.integers(0, 4)) for c in CATEGORIES}
    return policy, own, also, counts


@given(_halls(), st.sampled_from(CATEGORIES))
def test_the_estimator_replays_the_order_dispatch_calls_in(
    hall: tuple[str, tuple[str, ...], tuple[str, ...], dict[str, int]], probe: str
) -> None:
    """One window, queues spread evenly, fixed service times: calling `choose` again and
    again until it reaches a newcomer takes exactly the time the estimator says, whatever
    the policy and with overflow — both follow the policy's one order."""
    policy, own, also, counts = hall
    assume(probe in (*own, *also))
    waiting = [
        Candidate(
            ticket_id=index * 10 + position,
            category=code,
            queue_key=NOW - timedelta(seconds=STEP_SECONDS[code] * (counts[code] - position)),
        )
        for index, code in enumerate(CATEGORIES)
        for position in range(counts[code])
    ]
    newcomer = Candidate(ticket_id=1000, category=probe, queue_key=NOW)
    overflow = {c: OverflowRule(timedelta(minutes=20), 2) for c in CATEGORIES}
    window = WindowView(1, own, also_serves=also)
    elapsed = 0.0
    queue = [*waiting, newcomer]
    while True:
        choice = POLICIES[policy].choose(
            window=window,
            waiting=queue,
            priority_ratio={},
            now=NOW + timedelta(seconds=elapsed),
            overflow=overflow,
        )
        assert choice is not None
        if choice.ticket_id == newcomer.ticket_id:
            break
        called = next(c for c in queue if c.ticket_id == choice.ticket_id)
        queue.remove(called)
        elapsed += SERVICE_SECONDS[called.category]
    estimate = estimate_wait(
        category=probe,
        queues={
            code: QueueAhead(count, NOW - timedelta(seconds=STEP_SECONDS[code] * count))
            for code, count in counts.items()
            if count
        },
        windows=[WindowLoad(number=1, categories=own, policy=policy, also_serves=also)],
        service={code: ServiceTime(seconds, 0.1) for code, seconds in SERVICE_SECONDS.items()},
        now=NOW,
        overflow=overflow,
    )
    assert estimate is not None
    assert estimate.seconds == pytest.approx(elapsed)
