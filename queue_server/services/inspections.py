"""Inspections of the zone's devices (巡检) by staff of the hall: a `fault` result opens the
device's repair case (or finds the one open)."""

from datetime import timedelta

from sqlmodel import col, select

from queue_server.domain.enums import EventType
from queue_server.domain.errors import InvalidInput
from queue_server.domain.self_service import InspectionResult, RepairSource
from queue_server.models import User, ZoneInspection
from queue_server.protocol import InspectionCreate, InspectionPublic
from queue_server.services import journal, repairs
from queue_server.services.scope import Scope


def inspection_public(inspection: ZoneInspection, *, by: str) -> InspectionPublic:
    if inspection.id is None:
        raise ValueError("a stored inspection has an id")
    return InspectionPublic(
        id=inspection.id,
        device=inspection.device,
        at=inspection.at,
        result=inspection.result,
        checks=dict(inspection.checks),
        note=inspection.note,
        by=by,
        repair_id=inspection.repair_id,
    )


def inspect(
    scope: Scope, name: str, body: InspectionCreate, *, offline_after: timedelta
) -> InspectionPublic:
    device = repairs.zone_device(scope, name)
    checks = body.checks or {}
    checklist = scope.hall.self_service.checklist(device.kind)
    unknown = [item for item in checks if item not in checklist]
    if unknown:
        raise InvalidInput(
            f"“{unknown[0]}”不是{device.label}的检查项（检查项：{'、'.join(checklist)}）"
        )
    caller = scope.caller
    if caller.user_id is None:
        raise InvalidInput("巡检须由工作人员登录后提交")
    inspection = ZoneInspection(
        hall=scope.code,
        device=name,
        at=scope.now,
        result=body.result,
        checks=checks,
        note=body.note,
        user_id=caller.user_id,
    )
    scope.session.add(inspection)
    scope.session.flush()
    if body.result is InspectionResult.FAULT:
        failed = [item for item, passed in checks.items() if not passed]
        summary = body.note or (f"巡检发现故障：{'、'.join(failed)}" if failed else "巡检发现故障")
        repair = repairs.ensure_open(
            scope,
            device,
            source=RepairSource.INSPECTION,
            summary=summary[:200],
            offline_after=offline_after,
            by=caller.user_id,
        )
        inspection.repair_id = repair.id
        scope.session.add(inspection)
    public = inspection_public(inspection, by=caller.display_name or caller.name)
    journal.record_payload(scope, type=EventType.DEVICE_INSPECTED, payload=public)
    return public


def list_inspections(scope: Scope, name: str, *, limit: int = 100) -> list[InspectionPublic]:
    """The device's inspections, newest first."""
    repairs.zone_device(scope, name)
    rows = scope.session.exec(
        select(ZoneInspection, User)
        .join(User, col(User.id) == col(ZoneInspection.user_id))
        .where(ZoneInspection.hall == scope.code, ZoneInspection.device == name)
        .order_by(col(ZoneInspection.at).desc(), col(ZoneInspection.id).desc())
        .limit(limit)
    ).all()
    return [inspection_public(row, by=user.display_name or user.name) for row, user in rows]
