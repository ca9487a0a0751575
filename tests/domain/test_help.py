"""Which help requests are escalated: waited the limit or longer, not escalated before."""

from datetime import UTC, datetime, timedelta

from queue_server.domain.help import OpenHelp, unanswered

NOW = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
LIMIT = timedelta(minutes=3)


def test_requests_at_the_limit_are_due_oldest_first_and_each_once() -> None:
    requests = [
        OpenHelp(4, NOW - timedelta(minutes=2, seconds=59), escalated=False),
        OpenHelp(3, NOW - timedelta(minutes=3), escalated=False),
        OpenHelp(2, NOW - timedelta(minutes=10), escalated=True),
        OpenHelp(1, NOW - timedelta(minutes=5), escalated=False),
    ]
    assert [r.id for r in unanswered(requests, now=NOW, after=LIMIT)] == [1, 3]
    assert unanswered([], now=NOW, after=LIMIT) == []
