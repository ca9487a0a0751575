"""PostgreSQL LISTEN/NOTIFY: tell every server process at once that a hall has new events.

A write transaction that appended events for a hall sends `NOTIFY yimen_events, '<hall>
<process>'` just before it commits (PostgreSQL delivers it at the commit, and drops it when
the transaction rolls back). Each process listens on its own connection and wakes that
hall's tailer, which reads the new rows in `seq` order; the notice carries no event, only
which hall to look at (so it stays far below the 8000-byte payload limit). A process ignores
its own notices: it publishes its events straight from its commits. The tailer's poll stays
as the fallback for a lost listening connection.
"""

import logging
import secrets
import threading
from collections.abc import Callable

import psycopg
import sqlalchemy as sa
from sqlmodel import Session

log = logging.getLogger(__name__)

CHANNEL = "yimen_events"
RECONNECT_SECONDS = 1.0
_WRITTEN_KEY = "yimen.halls_written"

PROCESS = secrets.token_hex(4)
"""This process's mark on its notices."""


def hall_written(session: Session, hall: str) -> None:
    """Note that this transaction appended events for `hall` (sent by `notify_written`)."""
    session.info.setdefault(_WRITTEN_KEY, set()).add(hall)


def notify_written(session: Session) -> None:
    """Send one notice per hall written, in the transaction about to commit. A hall whose
    events were all rolled back with their savepoint is notified in vain, which is harmless."""
    for hall in sorted(session.info.pop(_WRITTEN_KEY, ())):
        session.execute(
            sa.text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": f"{hall} {PROCESS}"},
        )


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg's own connection string."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """A daemon thread that LISTENs and calls `on_hall(code)` for other processes' notices."""

    def __init__(self, url: str, on_hall: Callable[[str], None]) -> None:
        self._conninfo = libpq_url(url)
        self._on_hall = on_hall
        self._stop = threading.Event()
        self.listening = threading.Event()
        """Set while the LISTEN connection is up (for tests and logs)."""
        self._thread = threading.Thread(target=self._run, name="event-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while not self._stop.is_set():
                        for notice in connection.notifies(timeout=0.5):
                            self._deliver(notice.payload)
            except psycopg.Error as error:
                log.warning("listening for other processes' events failed (%s); retrying", error)
            finally:
                self.listening.clear()
            self._stop.wait(RECONNECT_SECONDS)

    def _deliver(self, payload: str) -> None:
        hall, _, process = payload.partition(" ")
        if process != PROCESS:
            self._on_hall(hall)
