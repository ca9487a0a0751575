"""A hand-made day of the 24-hour zone: the day the statistics tests read back
(tests/test_self_service_stats_api.py, the manager console's snapshot). Its figures are worked
out in tests/domain/test_self_service_stats.py."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlmodel import select

from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import Role
from queue_server.domain.self_service import (
    InspectionResult,
    RepairSource,
    RepairStatus,
    ZoneStatus,
)
from queue_server.models import (
    DeviceStatusChange,
    RepairCase,
    User,
    ZoneInspection,
)
from tests.support import issue_token

HELP = "/api/help-requests"


def seed_zone_day(database_url: str, *, sunday: datetime, hall: str, clerk: str) -> None:
    """`hall`'s Monday after `sunday` (midnight), row by row: ss-shebao's day of the domain
    test, ss-gjj ok since Sunday, ss-tax faulty from 08:45, the other four never heard from
    (not in service: no inspection due); four inspections by `clerk`; two repair cases (and
    one of Sunday's, verified Monday after midnight).
    Written through the models, so each change falls on its exact second (tests/test_zone_day.py
    drives the real API); the help requests go through the API (`ask_for_help`)."""

    def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
        """`day` 6 is Sunday, 7 Monday, 8 Tuesday (as in the domain test's December)."""
        return sunday + timedelta(days=day - 6, hours=hour, minutes=minute, seconds=second)

    db = Database(database_url)
    try:
        with db.write_session(hall) as session:
            inspector = session.exec(select(User).where(User.name == clerk)).one()
            assert inspector.id is not None
            timeline = [
                ("ss-shebao", at(6, 20), ZoneStatus.OK),
                ("ss-shebao", at(7, 2, 13, 7), ZoneStatus.OFFLINE),
                ("ss-shebao", at(7, 5, 40), ZoneStatus.FAULT),
                ("ss-shebao", at(7, 9, 15, 30), ZoneStatus.OK),
                ("ss-shebao", at(7, 14), ZoneStatus.FAULT),
                ("ss-shebao", at(7, 14, 0, 45), ZoneStatus.OK),
                ("ss-shebao", at(7, 22, 30), ZoneStatus.OFFLINE),
                ("ss-gjj", at(6, 8), ZoneStatus.OK),
                ("ss-tax", at(7, 8, 45), ZoneStatus.FAULT),  # first heard from, faulty
                ("ss-gjj", at(8, 9), ZoneStatus.FAULT),  # Tuesday: after the period
                ("retired-device", at(7, 1), ZoneStatus.OK),  # not configured: ignored
            ]
            session.add_all(
                DeviceStatusChange(hall=hall, device=device, at=moment, status=status)
                for device, moment, status in timeline
            )
            session.add_all(
                ZoneInspection(
                    hall=hall,
                    device=device,
                    at=moment,
                    result=InspectionResult.OK,
                    user_id=inspector.id,
                )
                for device, moment in [
                    ("ss-shebao", at(7, 8, 10)),
                    ("ss-shebao", at(7, 17, 20)),
                    ("ss-gjj", at(7, 8, 30)),
                    ("ss-tax", at(7, 9, 0, 1)),  # a second after the round: late
                ]
            )
            repairs = [
                (RepairSource.OFFLINE, at(7, 5, 40), at(7, 9, 15, 30)),
                (RepairSource.HEARTBEAT, at(7, 14), None),
                (RepairSource.STAFF, at(6, 15), at(7, 0, 30)),
            ]
            for source, opened, verified in repairs:
                session.add(
                    RepairCase(
                        hall=hall,
                        device="ss-shebao",
                        source=source,
                        summary="故障",
                        status=RepairStatus.VERIFIED if verified else RepairStatus.OPEN,
                        opened_at=opened,
                        due_at=opened + timedelta(days=1),
                        verified_at=verified,
                    )
                )
    finally:
        db.dispose()


@dataclass(frozen=True)
class HelpCallers:
    """Who calls for help and who answers, as HTTP clients of the hall."""

    terminal: httpx.Client
    """The token of ss-shebao."""
    printer: httpx.Client
    """The token of ss-print."""
    kiosk: httpx.Client
    clerk: httpx.Client


def zone_device_token(database_url: str, name: str, hall: str | None = None) -> str:
    """A `device` token of the zone device `name` (of `hall`, in a city)."""
    return issue_token(database_url, name, Role.DEVICE, hall=hall)


def ask_for_help(callers: HelpCallers, clock: ManualClock, *, sunday: datetime) -> None:
    """Monday's 一键求助 through the API, the clock set to each moment: at 03:00 the 社保
    terminal's, answered at 03:01 (60 s); at 10:00 the kiosk's (naming no zone device),
    answered at 10:05 (300 s, escalated); at 11:00 the printer's, never answered. The clock is
    left at 11:00."""
    monday = sunday + timedelta(days=1)

    def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    clock.set(monday + timedelta(hours=3))
    first = ok(callers.terminal.post(HELP, json={"note": "读不出社保卡"}), 201)
    clock.set(monday + timedelta(hours=3, minutes=1))
    ok(callers.clerk.post(f"{HELP}/{first['id']}/ack"))
    clock.set(monday + timedelta(hours=10))
    second = ok(callers.kiosk.post(HELP, json={}), 201)
    clock.set(monday + timedelta(hours=10, minutes=5))
    ok(callers.clerk.post(f"{HELP}/{second['id']}/ack"))
    clock.set(monday + timedelta(hours=11))
    ok(callers.printer.post(HELP, json={}), 201)
