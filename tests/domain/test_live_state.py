"""The hall's live state as a fold of ticket and window rows (pure), and the comparison of a
state held in memory with one read from the database."""

from dataclasses import replace
from datetime import date, datetime, timedelta

from queue_server.domain.enums import TicketStatus, WindowStatus
from queue_server.domain.live_state import (
    HallState,
    TicketFact,
    WindowFact,
    apply_facts,
    apply_ticket,
    built,
    differences,
    waiting_for,
)

S = TicketStatus
DAY = date(2026, 3, 2)
OPENING = datetime.fromisoformat("2026-03-02T09:00:00+08:00")


def at(minutes: float) -> datetime:
    return OPENING + timedelta(minutes=minutes)


def hall(history_limit: int = 560) -> HallState:
    return HallState(hall="main", day=DAY, history_limit=history_limit)


def issued(
    ticket_id: int,
    sequence: int,
    *,
    category: str = "general",
    minute: float | None = None,
    priority: bool = False,
) -> TicketFact:
    return TicketFact(
        id=ticket_id,
        service_day=DAY,
        category=category,
        sequence=sequence,
        status=S.WAITING,
        queue_key=at(sequence if minute is None else minute),
        priority=priority,
    )


def called(ticket: TicketFact, minute: float, clerk: int = 7) -> TicketFact:
    return replace(ticket, status=S.CALLED, clerk_id=clerk, called_at=at(minute))


def ended(ticket: TicketFact, status: TicketStatus, minute: float) -> TicketFact:
    return replace(ticket, status=status, finished_at=at(minute))


def queue_ids(state: HallState, category: str = "general") -> list[int]:
    return [ticket.id for ticket in state.queues.get(category, ())]


def test_issuing_counts_queues_and_raises_the_high_water_key() -> None:
    state = apply_facts(
        hall(), tickets=[issued(1, 1), issued(2, 2), issued(3, 1, category="consult")]
    )
    assert state.counters == {"general": 2, "consult": 1}
    assert state.issued("general") == 2 and state.issued("pickup") == 0
    assert queue_ids(state) == [1, 2] and queue_ids(state, "consult") == [3]
    assert state.own_queue_length("general") == 2
    assert state.key_high == {"general": at(2), "consult": at(1)}


def test_a_call_leaves_the_queue_and_finishing_makes_a_service_sample() -> None:
    first, second = issued(1, 1), issued(2, 2)
    state = apply_facts(hall(), tickets=[first, second])
    window = WindowFact(number=3, status=WindowStatus.OPEN, clerk_id=7, current_ticket_id=1)
    state = apply_facts(state, tickets=[called(first, 10)], windows=[window], seq=4)
    assert queue_ids(state) == [2]
    assert state.seq == 4
    assert state.ticket_at(state.windows[3]) == called(first, 10)
    done = ended(called(first, 10), S.DONE, 16)
    state = apply_facts(
        state, tickets=[done], windows=[replace(window, current_ticket_id=None)], seq=5
    )
    assert 1 not in state.tickets, "a ticket done leaves the hall"
    assert state.windows[3].current_ticket_id is None
    assert [(s.ticket_id, s.seconds) for s in state.history] == [(1, 360.0)]


def test_a_no_show_requeued_goes_back_in_queue_order_and_loses_its_sample() -> None:
    tickets = [issued(i, i) for i in range(1, 5)]
    state = apply_facts(hall(), tickets=tickets)
    no_show = ended(called(tickets[0], 5), S.NO_SHOW, 7)
    state = apply_ticket(state, no_show)
    assert queue_ids(state) == [2, 3, 4]
    assert [s.ticket_id for s in state.history] == [1]
    # Requeued behind two others: between ticket 3's key and ticket 4's.
    requeued = replace(no_show, status=S.WAITING, queue_key=at(3.5), finished_at=None)
    state = apply_ticket(state, requeued)
    assert queue_ids(state) == [2, 3, 1, 4]
    assert state.history == (), "a requeued ticket's time at the window is no sample"
    assert state.key_high["general"] == at(4)


def test_a_transfer_ends_one_ticket_and_queues_its_successor_elsewhere() -> None:
    ticket = called(issued(1, 1), 2)
    state = apply_facts(hall(), tickets=[ticket])
    moved = ended(ticket, S.TRANSFERRED, 9)
    # The successor keeps its number (general's sequence 7) in its new category.
    successor = replace(issued(2, 7, category="consult", minute=1), hop=1)
    to_window = replace(issued(3, 2, category="consult"), target_window_no=5)
    state = apply_facts(state, tickets=[moved, successor, to_window])
    assert queue_ids(state) == [] and queue_ids(state, "consult") == [2]
    assert 3 in state.tickets, "a ticket sent to a named window is at the hall, in no queue"
    assert [s.ticket_id for s in state.history] == [1]
    assert state.counters == {"general": 1, "consult": 2}, (
        "regression: a successor's sequence once counted as a number of its new category"
    )
    assert state.key_high["consult"] == at(2)


def test_queue_order_is_by_queue_key_then_id() -> None:
    same = at(1)
    tickets = [issued(5, 1, minute=1), issued(3, 2, minute=1), issued(4, 3, minute=0)]
    state = apply_facts(hall(), tickets=tickets)
    assert [t.queue_key for t in state.queues["general"]] == [at(0), same, same]
    assert queue_ids(state) == [4, 3, 5]


def test_history_is_newest_first_and_bounded() -> None:
    state = hall(history_limit=3)
    for index, end in enumerate([10, 30, 20, 40, 5], start=1):
        ticket = ended(called(issued(index, index), 1), S.DONE, end)
        state = apply_ticket(state, ticket)
    assert [s.ticket_id for s in state.history] == [4, 2, 3]
    assert [s.finished_at for s in state.history] == [at(40), at(30), at(20)]


def test_a_ticket_of_another_day_is_ignored_and_forgotten() -> None:
    yesterday = replace(issued(1, 9), service_day=DAY - timedelta(days=1))
    assert apply_ticket(hall(), yesterday) == hall()
    state = apply_ticket(hall(), issued(1, 1))
    state = apply_ticket(state, yesterday)
    assert state.tickets == {} and state.queues == {}


def test_a_ticket_of_an_earlier_day_still_at_a_window_keeps_the_window_busy() -> None:
    """Regression (found by tests/test_live_state_property.py): the day rolled over while a
    window held yesterday's ticket; the state forgot it, so the estimator took the window
    for free while the database (and `hall_load`) had it busy."""
    yesterday = DAY - timedelta(days=1)
    held = replace(called(issued(1, 9), 2), service_day=yesterday)
    window = WindowFact(number=3, status=WindowStatus.OPEN, clerk_id=7, current_ticket_id=1)
    state = apply_facts(hall(), tickets=[held], windows=[window])
    assert state.ticket_at(state.windows[3]) == held
    assert state.counters == {} and state.queues == {} and state.key_high == {}
    done = ended(held, S.DONE, 30)
    state = apply_facts(state, tickets=[done], windows=[replace(window, current_ticket_id=None)])
    assert state.tickets == {}
    assert state.history == (), "yesterday's ticket is no sample of today's service times"


def test_waiting_for_a_window_its_categories_and_what_was_sent_to_it() -> None:
    tickets = [
        issued(1, 1, minute=1),
        issued(2, 1, category="consult", minute=2, priority=True),
        issued(3, 2, minute=3),
        replace(issued(4, 3, minute=0), target_window_no=2),
        replace(issued(5, 4, minute=0), target_window_no=7),
        called(issued(6, 5, minute=0), 4),
    ]
    state = apply_facts(hall(), tickets=tickets)
    assert sorted(t.id for t in waiting_for(state, window=2, categories=["general"])) == [1, 3, 4]
    assert sorted(t.id for t in waiting_for(state, window=7, categories=["consult"])) == [2, 5]
    assert waiting_for(state, window=3, categories=["pickup"]) == []


def test_built_from_rows_equals_the_fold_of_the_same_rows() -> None:
    first = ended(called(issued(1, 1), 2), S.DONE, 8)
    second = issued(2, 2)
    window = WindowFact(number=1, status=WindowStatus.PAUSED, clerk_id=7, paused_at=at(9))
    folded = apply_facts(hall(), tickets=[first, second], windows=[window], seq=6)
    read = built(
        hall="main",
        day=DAY,
        seq=6,
        history_limit=560,
        counters={"general": 2},
        key_high={"general": at(2)},
        tickets=[first, second],
        windows=[window],
    )
    assert read == folded
    assert differences(folded, read) == []


def test_differences_name_every_disagreement() -> None:
    first, second = issued(1, 1), issued(2, 2)
    window = WindowFact(number=1, status=WindowStatus.OPEN, clerk_id=7)
    read = apply_facts(hall(), tickets=[first, second], windows=[window], seq=3)
    held = apply_facts(
        hall(),
        tickets=[first, called(second, 4)],
        windows=[replace(window, status=WindowStatus.PAUSED)],
        seq=2,
    )
    held = replace(held, counters={"general": 3})
    found = differences(held, read)
    assert found[0] == "seq: memory 2, database 3"
    assert "counters[general]: memory 3, database 2" in found
    assert any(line.startswith("tickets[2]: memory TicketFact(") for line in found)
    assert "queues[general]: memory [1], database [1, 2]" in found
    assert any(line.startswith("windows[1]: ") for line in found)
    assert len(found) == 5


def test_key_high_in_memory_may_run_ahead_of_the_database_never_behind() -> None:
    read = apply_facts(hall(), tickets=[issued(1, 1), issued(2, 2)])
    ahead = replace(read, key_high={"general": at(9)})
    assert differences(ahead, read) == []
    behind = replace(read, key_high={"general": at(1)})
    assert differences(behind, read) == [
        f"key_high[general]: memory {at(1)!r} before database {at(2)!r}"
    ]
    missing = replace(read, key_high={})
    assert len(differences(missing, read)) == 1


def test_differences_in_the_history() -> None:
    sample = ended(called(issued(1, 1), 2), S.DONE, 8)
    read = apply_ticket(hall(), sample)
    assert differences(replace(read, history=()), read) == ["history: memory [], database [1]"]
    other_times = apply_ticket(hall(), replace(sample, finished_at=at(9)))
    assert differences(other_times, read) == ["history: the same tickets with other times"]
