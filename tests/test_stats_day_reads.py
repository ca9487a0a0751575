"""Reading one day of the event log costs that day's events, not the whole log's.

A hall's log grows by some 5,000 events a day; the live statistics read today's events and
today's alerts. Without statistics on the table (SQLite's planner has none unless ANALYZE
runs), `WHERE hall = ? AND service_day = ? ORDER BY seq` walked the whole hall's log in seq
order (`ix_event_hall_seq`) instead of finding the day (`ix_event_day_type`): ~1.9 s for the
live view over a year. Measured here in SQLite virtual-machine steps, which do not depend on
the machine's speed or load.
"""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from queue_server.db import Database
from queue_server.services.stats_events import day_events
from queue_server.services.stats_report import todays_alerts

HALL = "main"
TODAY = date(2025, 6, 3)
EVENTS_TODAY = 50
STEPS_PER_TICK = 100
AT = datetime(2025, 6, 3, 9, tzinfo=UTC).isoformat()


def _log(path: Path, *, events_before_today: int) -> Database:
    """A hall whose log holds `EVENTS_TODAY` events today (one an alert) and
    `events_before_today` on the days before."""
    database = Database(f"sqlite:///{path}")
    database.migrate()
    rows: list[tuple[str, date, dict[str, object]]] = []
    for index in range(events_before_today):
        day = TODAY - timedelta(days=1 + index // 5000)
        rows.append(("ticket.issued", day, {"ticket": {"id": index, "category": "general"}}))
    for index in range(EVENTS_TODAY):
        if index == EVENTS_TODAY // 2:
            rows.append(("alert.queue_length", TODAY, {"type": "alert.queue_length", "at": AT}))
        else:
            rows.append(("ticket.issued", TODAY, {"ticket": {"id": index, "category": "general"}}))
    with database.write_session() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO event (hall, type, at, service_day, category, payload)"
            " VALUES (?, ?, ?, ?, 'general', ?)",
            [(HALL, kind, AT, day, json.dumps(data)) for kind, day, data in rows],
        )
    return database


def _steps(database: Database, read: Callable[[Session], object]) -> int:
    """SQLite virtual-machine steps (in ticks of `STEPS_PER_TICK`) that `read` takes."""
    ticks = 0

    def tick() -> int:
        nonlocal ticks
        ticks += 1
        return 0

    with database.read_session() as session:
        raw = session.connection().connection.driver_connection
        assert raw is not None
        raw.set_progress_handler(tick, STEPS_PER_TICK)
        try:
            read(session)
        finally:
            raw.set_progress_handler(None, 0)
    return ticks


def _read_today(session: Session) -> object:
    events, _ = day_events(session, HALL, TODAY)
    assert len(events) == EVENTS_TODAY
    return events


def _alerts_today(session: Session) -> object:
    alerts = todays_alerts(session, hall=HALL, day=TODAY, limit=20)
    assert len(alerts) == 1
    return alerts


def test_reading_a_day_and_its_alerts_does_not_grow_with_the_days_before(tmp_path: Path) -> None:
    short = _log(tmp_path / "short.db", events_before_today=500)
    long = _log(tmp_path / "long.db", events_before_today=50_000)
    try:
        for read in (_read_today, _alerts_today):
            few, many = _steps(short, read), _steps(long, read)
            # 100 times the log: the same day costs (nearly) the same.
            assert many <= 2 * few + 10, (read.__name__, few, many)
    finally:
        short.dispose()
        long.dispose()
