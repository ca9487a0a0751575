"""A hand-made day of the 24-hour zone, written row by row through the models: the day the
statistics tests read back (tests/test_self_service_stats_api.py, the manager console's
snapshot). Its figures are worked out in tests/domain/test_self_service_stats.py."""

from datetime import datetime, timedelta

from sqlmodel import select

from queue_server.db import Database
from queue_server.domain.self_service import (
    InspectionResult,
    RepairSource,
    RepairStatus,
    ZoneStatus,
)
from queue_server.models import (
    DeviceStatusChange,
    HelpRequest,
    RepairCase,
    User,
    ZoneInspection,
)


def seed_zone_day(database_url: str, *, sunday: datetime, hall: str, clerk: str) -> None:
    """`hall`'s Monday after `sunday` (midnight), row by row: ss-shebao's day of the domain
    test, ss-gjj ok since Sunday, ss-tax faulty from 08:45, the other four never heard from
    (not in service: no inspection due); four inspections; two
    repair cases (and one of Sunday's, verified Monday after midnight); three help requests;
    `clerk` inspects and answers."""

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
            helps = [
                ("ss-shebao", at(7, 3), at(7, 3, 1), None),
                (None, at(7, 10), at(7, 10, 5), at(7, 10, 3)),
                ("ss-print", at(7, 11), None, at(7, 11, 3)),
            ]
            session.add_all(
                HelpRequest(
                    hall=hall,
                    device=device,
                    token_name="kiosk-1",
                    requested_at=requested,
                    acked_at=acked,
                    acked_by=inspector.id if acked else None,
                    escalated_at=escalated,
                )
                for device, requested, acked, escalated in helps
            )
    finally:
        db.dispose()
