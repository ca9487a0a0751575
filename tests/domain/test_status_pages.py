"""Which status pages an event may change, and a waiting ticket's place in its queue, from
the day's waiting rows (domain/status_pages.py)."""

from datetime import UTC, datetime, timedelta

from queue_server.domain.status_pages import (
    PageTicket,
    QueuedTicket,
    concerned,
    parse_event,
    queues_ahead,
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
