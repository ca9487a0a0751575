"""Which status pages an event may change, and a waiting ticket's place in its queue, from
the day's waiting rows (domain/status_pages.py)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain.estimates import WaitEstimate
from queue_server.domain.status_pages import (
    EXACT_PLACES,
    DayQueue,
    PageTicket,
    QueuedTicket,
    concerned,
    interpolated,
    parse_event,
    queues_ahead,
    sampled_places,
    waiting_ahead,
)

NINE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PAGES = {
    "MINE": PageTicket(id=7, category="general", number="B007"),
    "OTHER": PageTicket(id=8, category="consult", number="A001"),
}


def at(minutes: int) -> datetime:
    return NINE + timedelta(minutes=minutes)


def event(text: str) -> set[str]:
    return concerned(parse_event(text), PAGES)


def test_a_ticket_event_concerns_the_pages_of_its_category_only() -> None:
    called = '{"seq":5,"type":"ticket.called","ticket":{"id":3,"category":"general"}}'
    assert event(called) == {"MINE"}
    issued = '{"seq":6,"type":"ticket.issued","ticket":{"id":9,"category":"consult"}}'
    assert event(issued) == {"OTHER"}


def test_a_transfer_concerns_both_queues_and_the_ticket_by_id_or_number() -> None:
    transfer = (
        '{"type":"ticket.transferred","ticket":{"id":3,"category":"enterprise"},'
        '"new_ticket":{"id":4,"category":"consult"}}'
    )
    assert event(transfer) == {"OTHER"}
    assert event('{"type":"ticket.recalled","ticket":{"id":7,"category":"x"}}') == {"MINE"}
    assert event('{"type":"ticket.recalled","ticket":{"number":"B007"}}') == {"MINE"}


def test_window_case_locker_and_journey_events_and_garbage_concern_every_page() -> None:
    for kind in ("window.paused", "cross_region.forwarded", "locker.deposited", "journey.ready"):
        assert event(f'{{"type":"{kind}"}}') == set(PAGES), kind
    assert event("not json") == set(PAGES)
    assert event('["a list"]') == set(PAGES)


def test_events_about_nothing_on_a_page_concern_none() -> None:
    assert event('{"type":"heartbeat"}') == set()
    assert event('{"type":"device.status_changed","payload":{"name":"k1"}}') == set()


def test_ahead_counts_the_own_queue_before_the_ticket_ties_broken_by_id() -> None:
    queue = [
        QueuedTicket(id=1, category="general", queue_key=at(0)),
        QueuedTicket(id=2, category="general", queue_key=at(5)),
        QueuedTicket(id=3, category="consult", queue_key=at(1)),
        QueuedTicket(id=4, category="general", queue_key=at(2), target_window_no=3),
        QueuedTicket(id=6, category="general", queue_key=at(5)),
    ]
    subject = QueuedTicket(id=5, category="general", queue_key=at(5))
    assert waiting_ahead([*queue, subject], subject) == 2  # ids 1 and 2, not 3, 4 or 6
    sent = QueuedTicket(id=9, category="consult", queue_key=at(9), target_window_no=3)
    assert waiting_ahead([*queue, sent], sent) == 1  # only the other ticket sent to window 3


def test_queues_ahead_keep_matters_in_queue_order_and_leave_out_sent_tickets() -> None:
    queue = [
        QueuedTicket(id=3, category="general", queue_key=at(4), matter="newborn"),
        QueuedTicket(id=1, category="general", queue_key=at(1)),
        QueuedTicket(id=2, category="consult", queue_key=at(2), priority=True),
        QueuedTicket(id=4, category="general", queue_key=at(3), target_window_no=2),
        QueuedTicket(id=5, category="general", queue_key=at(9)),
    ]
    found = queues_ahead(queue, before=at(9))
    assert found["general"].count == 2
    assert found["general"].oldest == at(1)
    assert found["general"].matters == (None, "newborn")
    assert found["consult"].count == 1
    assert set(queues_ahead(queue, priority_only=True)) == {"consult"}
    assert queues_ahead(queue, before=at(1)) == {}


QUEUED = st.builds(
    QueuedTicket,
    id=st.integers(1, 10_000),
    category=st.sampled_from(["consult", "general", "pickup"]),
    queue_key=st.integers(0, 60).map(at),
    target_window_no=st.none() | st.integers(1, 3),
    matter=st.none() | st.sampled_from(["户籍", "社保"]),
    priority=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(QUEUED, max_size=40, unique_by=lambda row: row.id),
    before=st.integers(0, 61).map(at),
)
def test_the_sorted_day_queue_answers_as_a_pass_over_every_row(
    rows: list[QueuedTicket], before: datetime
) -> None:
    queue = DayQueue(rows)
    for subject in rows:
        assert queue.ahead(subject) == waiting_ahead(rows, subject)
    assert queue.queues_before(before) == queues_ahead(rows, before=before)


def test_estimates_are_worked_out_at_the_front_and_ever_further_apart_behind() -> None:
    assert sampled_places(3) == [0, 1, 2]
    assert sampled_places(EXACT_PLACES) == list(range(EXACT_PLACES))
    places = sampled_places(300)
    assert places[:EXACT_PLACES] == list(range(EXACT_PLACES))
    assert places[EXACT_PLACES:] == [10, 15, 22, 33, 49, 73, 109, 163, 244, 299]
    assert len(sampled_places(2000)) <= 25


def test_a_place_between_two_worked_out_ones_lies_on_the_line_between_them() -> None:
    known = {10: WaitEstimate(600, 480, 720), 15: WaitEstimate(900, 780, 1020), 20: None}
    assert interpolated(known, 10) == known[10]
    assert interpolated(known, 12) == WaitEstimate(720, 600, 840)
    assert interpolated(known, 17) is None  # nobody can say at place 20
    assert interpolated(known, 30) is None
