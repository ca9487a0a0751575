"""The hall's live state held in memory, checked against the database (`GET /api/live-state`)."""

from queue_server.domain.live_state import differences
from queue_server.protocol import LiveStatePublic
from queue_server.services import live
from queue_server.services.journal import latest_seq
from queue_server.services.scope import Scope


def live_state_check(scope: Scope) -> LiveStatePublic:
    """Run in the hall's writer (holding its lock): the state this process holds, caught up
    from the event log as any write would, against one rebuilt from the rows."""
    held = live.working(scope)
    read = live.rebuild(
        scope.session,
        hall=scope.code,
        day=scope.today,
        seq=latest_seq(scope.session, scope.code),
        history_limit=held.history_limit,
    )
    found = differences(held, read)
    return LiveStatePublic(hall=scope.code, seq=held.seq, consistent=not found, differences=found)
