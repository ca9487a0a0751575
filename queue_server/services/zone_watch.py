"""The watch's rounds over the 24-hour zone: silence past the offline limit (a status change,
and a repair case when it happens during the zone's hours), inspection rounds missed
(`alert.inspection_missed`, once) and repair cases past due (`alert.repair_overdue`, once)."""

from datetime import datetime, timedelta

from sqlmodel import col, select

from queue_server.domain.enums import EventType
from queue_server.domain.self_service import RepairSource, RepairStatus, ZoneStatus
from queue_server.domain.zone_care import MissedRound, Round, missed_rounds
from queue_server.models import Device, InspectionAlert, RepairCase, ZoneInspection
from queue_server.protocol import ZONE_CATEGORY, ZONE_CATEGORY_NAME, AlertPublic
from queue_server.services import journal, repairs, zone_status_log
from queue_server.services.scope import Scope


def _local_midnight(scope: Scope) -> datetime:
    local = scope.now.astimezone(scope.hall.tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def due_missed_rounds(scope: Scope) -> list[MissedRound]:
    hall, session = scope.hall, scope.session
    zone = hall.self_service
    if not zone.devices:
        return []
    midnight = _local_midnight(scope)
    inspected: dict[str, list[datetime]] = {}
    for device, at in session.exec(
        select(ZoneInspection.device, ZoneInspection.at).where(
            ZoneInspection.hall == hall.code, col(ZoneInspection.at) >= midnight
        )
    ):
        inspected.setdefault(device, []).append(at)
    raised = frozenset(
        (row.device, row.round)
        for row in session.exec(
            select(InspectionAlert).where(
                InspectionAlert.hall == hall.code, InspectionAlert.day == midnight.date()
            )
        )
    )
    names = [device.name for device in zone.devices]
    first_seen = dict(
        session.exec(
            select(Device.name, Device.first_seen_at).where(
                Device.hall == hall.code, col(Device.name).in_(names)
            )
        ).all()
    )
    in_service = {name: first_seen[name] for name in names if name in first_seen}
    return missed_rounds(
        now=scope.now,
        tz=hall.tz,
        is_workday=hall.work_calendar.is_workday(midnight.date()),
        rounds=[Round(r.name, r.start, r.end) for r in zone.inspections],
        in_service=in_service,
        inspected=inspected,
        raised=raised,
    )


def overdue_cases(scope: Scope) -> list[RepairCase]:
    return list(
        scope.session.exec(
            select(RepairCase)
            .where(
                RepairCase.hall == scope.code,
                RepairCase.status != RepairStatus.VERIFIED,
                col(RepairCase.due_at) < scope.now,
                col(RepairCase.overdue_alerted_at).is_(None),
            )
            .order_by(col(RepairCase.due_at), col(RepairCase.id))
        ).all()
    )


def _zone_alert(scope: Scope, device_name: str, message: str, **fields: object) -> AlertPublic:
    device = scope.hall.self_service.device_by_name.get(device_name)
    return AlertPublic.model_validate(
        {
            "category": ZONE_CATEGORY,
            "category_name": ZONE_CATEGORY_NAME,
            "device": device_name,
            "device_label": device.label if device else device_name,
            "message": message,
        }
        | fields
    )


def _raise_missed(scope: Scope, missed: MissedRound) -> None:
    label = scope.hall.self_service.device_by_name[missed.device].label
    end = missed.end.astimezone(scope.hall.tz)
    scope.session.add(
        InspectionAlert(
            hall=scope.code, device=missed.device, day=missed.day, round=missed.round, at=scope.now
        )
    )
    alert = _zone_alert(
        scope,
        missed.device,
        f"{label}（{missed.device}）今日“{missed.round}”未按时完成（应于{end:%H:%M}前巡检），"
        "请尽快检查",
        value=round((scope.now - missed.end).total_seconds() / 60, 3),
        threshold=0.0,
        inspection_round=missed.round,
    )
    journal.record(scope, type=EventType.ALERT_INSPECTION_MISSED, alert=alert)


def _raise_overdue(scope: Scope, case: RepairCase) -> None:
    label = repairs.repair_public(case, scope).device_label
    due = case.due_at.astimezone(scope.hall.tz)
    case.overdue_alerted_at = scope.now
    scope.session.add(case)
    alert = _zone_alert(
        scope,
        case.device,
        f"{label}的{case.id}号维修单应于{due.month}月{due.day}日{due:%H:%M}前修复验收，"
        "已超期，请尽快处理",
        value=round((scope.now - case.due_at).total_seconds() / 3600, 3),
        threshold=scope.hall.self_service.repair_hours,
        repair_id=case.id,
    )
    journal.record(scope, type=EventType.ALERT_REPAIR_OVERDUE, alert=alert)


def check(scope: Scope, *, offline_after: timedelta, dry_run: bool = False) -> int:
    """Do what is due now (in the caller's write transaction) and return how much; with
    `dry_run`, only count it (in a read transaction)."""
    if not scope.hall.self_service.devices:
        return 0
    changes = zone_status_log.pending_changes(scope, offline_after=offline_after)
    missed = due_missed_rounds(scope)
    overdue = overdue_cases(scope)
    if dry_run:
        return len(changes) + len(missed) + len(overdue)
    zone = scope.hall.self_service
    for change in changes:
        zone_status_log.record(scope, change)
        if change.status is ZoneStatus.OFFLINE and scope.hall.zone_schedule.is_open(change.at):
            at = change.at.astimezone(scope.hall.tz)
            repairs.ensure_open(
                scope,
                zone.device_by_name[change.device],
                source=RepairSource.OFFLINE,
                summary=f"设备自{at.month}月{at.day}日{at:%H:%M}起离线",
                offline_after=offline_after,
            )
    for round_missed in missed:
        _raise_missed(scope, round_missed)
    for case in overdue:
        _raise_overdue(scope, case)
    return len(changes) + len(missed) + len(overdue)
