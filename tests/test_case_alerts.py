"""Overdue cases raise `alert.case_overdue` once, from the `case.*` events issue 6b appends."""

import functools
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from queue_server.app import prepare_database
from queue_server.city import city_of_one
from queue_server.config import load_hall_config
from queue_server.db import Database
from queue_server.services.alerts import WatchState, check
from queue_server.services.scope import Scope
from queue_server.services.stats_report import period_report, todays_alerts
from queue_server.services.stats_rollups import forget, roll_up

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _append(db: Database, type: str, day: date, payload: Mapping[str, object]) -> None:
    with db.write_session() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO event (hall, type, at, service_day, category, payload)"
            " VALUES ('main', ?, ?, ?, ?, ?)",
            (
                type,
                "2026-03-02 02:00:00.000000",
                day.isoformat(),
                "unresolved",
                json.dumps({"type": type, "at": "2026-03-02T02:00:00Z"} | dict(payload)),
            ),
        )


def test_an_open_case_past_its_due_date_raises_one_alert(tmp_path: Path) -> None:
    hall = load_hall_config()
    db = Database(f"sqlite:///{tmp_path / 'hall.db'}")
    prepare_database(db, city_of_one(hall))
    day = date(2026, 3, 2)
    for case_id, due in (("C1", "2026-03-03"), ("C2", "2026-03-03"), ("C3", "2026-03-20")):
        _append(
            db,
            "case.opened",
            day,
            {
                "case_id": case_id,
                "kind": "unresolved",
                "case_class": "ordinary",
                "due": due,
                "ticket_id": None,
                "category": "unresolved",
            },
        )
    _append(db, "case.closed", day, {"case_id": "C2", "closed_at": "…", "in_time": True})
    on_due_day = datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI)
    day_after = datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI)
    try:
        count, state = db.write_sync(
            lambda s: check(Scope(s, hall, on_due_day), state=WatchState())
        )
        assert count == 0
        count, state = db.write_sync(lambda s: check(Scope(s, hall, day_after), state=state))
        assert count == 1
        restarted = db.write_sync(
            lambda s: check(Scope(s, hall, day_after.replace(hour=11)), state=WatchState())
        )
        assert restarted[0] == 0
        alerts = db.read_sync(
            lambda s: todays_alerts(s, hall="main", day=date(2026, 3, 4), limit=10)
        )
    finally:
        db.dispose()
    assert [a.type for a in alerts] == ["alert.case_overdue"]
    alert = alerts[0].alert
    assert alert is not None
    assert (alert.case_id, alert.value, alert.category_name) == ("C1", 1.0, "办不成事反映")
    assert alert.message == "办不成事反映案件C1已超过办理期限1天，请尽快办结"
    assert alerts[0].at == datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


def test_cases_of_a_period_count_closings_made_after_it(tmp_path: Path) -> None:
    hall = load_hall_config()
    db = Database(f"sqlite:///{tmp_path / 'hall.db'}")
    prepare_database(db, city_of_one(hall))
    first, second = date(2026, 3, 2), date(2026, 3, 3)
    for case_id, case_class in (("C1", "simple"), ("C2", "simple"), ("C3", "hard")):
        opened = {"case_id": case_id, "kind": "unresolved", "case_class": case_class}
        _append(db, "case.opened", first, opened | {"due": "2026-03-02", "category": "unresolved"})
    _append(db, "case.closed", first, {"case_id": "C1", "in_time": True})
    _append(db, "case.closed", second, {"case_id": "C2", "in_time": False})
    now = datetime(2026, 3, 5, 10, 0, tzinfo=SHANGHAI)

    def cases() -> list[tuple[str, int, int, int, int, int]]:
        report = db.read_sync(
            lambda s: period_report(
                s, hall=hall, start=first, end=first, group_by="category", now=now
            )
        )
        return [
            (c.case_class, c.opened, c.closed_in_time, c.closed_late, c.open, c.overdue)
            for c in report.cases
        ]

    try:
        expected = [("hard", 1, 0, 0, 1, 1), ("simple", 2, 1, 1, 0, 0)]
        assert cases() == expected
        for day in (first, second):
            db.write_sync(functools.partial(roll_up, hall=hall, day=day, now=now))
        assert cases() == expected
        db.write_sync(lambda s: forget(s, "main", second))
        assert cases() == expected
    finally:
        db.dispose()
