"""Alert checks: each condition once, queue alerts again only after the queue recovered."""

from datetime import UTC, date, datetime, timedelta

from queue_server.domain.alerts import (
    CASE_OVERDUE,
    QUEUE_LENGTH,
    SERVICE_LIMIT,
    WAIT_TARGET,
    Alert,
    OpenCase,
    ServingTicket,
    Thresholds,
    WaitingTicket,
    case_alerts,
    queue_alerts,
    ticket_alerts,
)

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
LIMITS = Thresholds(
    target_wait_seconds={"general": 1200},
    service_limit_seconds={"general": 1800},
    queue_length={"general": 2, "consult": None},
)


def test_waits_and_services_past_their_limits_are_flagged_once() -> None:
    waiting = [
        WaitingTicket(1, "B001", "general", NOW - timedelta(seconds=1201)),
        WaitingTicket(2, "B002", "general", NOW - timedelta(seconds=1200)),
    ]
    serving = [ServingTicket(3, "B003", "general", 4, NOW - timedelta(seconds=1900))]
    alerts = ticket_alerts(now=NOW, waiting=waiting, serving=serving, thresholds=LIMITS, raised=())
    assert alerts == [
        Alert(WAIT_TARGET, "general", 1201.0, 1200.0, ticket_id=1, number="B001"),
        Alert(SERVICE_LIMIT, "general", 1900.0, 1800.0, ticket_id=3, number="B003", window_no=4),
    ]
    again = ticket_alerts(
        now=NOW,
        waiting=waiting,
        serving=serving,
        thresholds=LIMITS,
        raised={(WAIT_TARGET, 1), (SERVICE_LIMIT, 3)},
    )
    assert again == []


def test_a_long_queue_is_flagged_each_time_it_crosses_the_line() -> None:
    alerts, flagged = queue_alerts(
        waiting={"general": 3, "consult": 50}, thresholds=LIMITS, flagged=frozenset()
    )
    assert alerts == [Alert(QUEUE_LENGTH, "general", 3.0, 2.0)]
    alerts, flagged = queue_alerts(waiting={"general": 4}, thresholds=LIMITS, flagged=flagged)
    assert (alerts, flagged) == ([], frozenset({"general"}))
    alerts, flagged = queue_alerts(waiting={"general": 2}, thresholds=LIMITS, flagged=flagged)
    assert (alerts, flagged) == ([], frozenset())
    alerts, _ = queue_alerts(waiting={"general": 3}, thresholds=LIMITS, flagged=flagged)
    assert len(alerts) == 1


def test_open_cases_past_their_due_date_are_flagged_once() -> None:
    cases = [
        OpenCase("7", "unresolved", "unresolved", date(2026, 3, 1)),
        OpenCase("8", "followup", "general", date(2026, 3, 2)),
        OpenCase("9", "unresolved", "unresolved", date(2026, 2, 20)),
    ]
    alerts = case_alerts(today=date(2026, 3, 2), cases=cases, raised={"9"})
    assert alerts == [Alert(CASE_OVERDUE, "unresolved", 1.0, 0.0, case_id="7")]
