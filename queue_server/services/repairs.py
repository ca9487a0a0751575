"""Repair cases of the zone's devices (报修): opened by an inspection, by staff, by the device's
own heartbeat or by its silence; assigned, fixed and verified; one open case per device."""

from datetime import timedelta

from sqlmodel import Session, col, select

from queue_server.domain.enums import EventType
from queue_server.domain.errors import Conflict, NotFound
from queue_server.domain.self_service import (
    REPAIR_STATUS_LABELS,
    RepairSource,
    RepairStatus,
)
from queue_server.domain.zone_care import is_overdue, repair_due, repair_step
from queue_server.models import RepairCase
from queue_server.protocol import RepairCasePublic
from queue_server.self_service_config import ZoneDevice
from queue_server.services import journal, zone_status_log
from queue_server.services.scope import Scope

STEP_EVENTS = {
    "assign": EventType.REPAIR_ASSIGNED,
    "fix": EventType.REPAIR_FIXED,
    "verify": EventType.REPAIR_VERIFIED,
}


def zone_device(scope: Scope, name: str) -> ZoneDevice:
    """The configured zone device, or NotFound."""
    device = scope.hall.self_service.device_by_name.get(name)
    if device is None:
        raise NotFound(f"本厅自助服务区没有设备“{name}”")
    return device


def repair_public(case: RepairCase, scope: Scope) -> RepairCasePublic:
    if case.id is None:
        raise ValueError("a stored repair case has an id")
    device = scope.hall.self_service.device_by_name.get(case.device)
    return RepairCasePublic(
        id=case.id,
        device=case.device,
        device_label=device.label if device else case.device,
        source=case.source,
        summary=case.summary,
        status=case.status,
        status_label=REPAIR_STATUS_LABELS[case.status],
        opened_at=case.opened_at,
        due_at=case.due_at,
        overdue=is_overdue(status=case.status, due_at=case.due_at, now=scope.now),
        assignee=case.assignee,
        assigned_at=case.assigned_at,
        fixed_at=case.fixed_at,
        verified_at=case.verified_at,
    )


def open_case_of(session: Session, *, hall: str, device: str) -> RepairCase | None:
    return session.exec(
        select(RepairCase).where(
            RepairCase.hall == hall,
            RepairCase.device == device,
            RepairCase.status != RepairStatus.VERIFIED,
        )
    ).first()


def open_case(
    scope: Scope,
    device: ZoneDevice,
    *,
    source: RepairSource,
    summary: str,
    offline_after: timedelta,
    by: int | None = None,
) -> RepairCase:
    """Open a case for `device` (the caller checked that none is open), announce it and the
    device's new status."""
    case = RepairCase(
        hall=scope.code,
        device=device.name,
        source=source,
        summary=summary,
        status=RepairStatus.OPEN,
        opened_at=scope.now,
        due_at=repair_due(scope.now, repair_hours=scope.hall.self_service.repair_hours),
        opened_by=by,
    )
    scope.session.add(case)
    scope.session.flush()
    journal.record_payload(scope, type=EventType.REPAIR_OPENED, payload=repair_public(case, scope))
    zone_status_log.sync(scope, offline_after=offline_after, device=device.name)
    return case


def ensure_open(
    scope: Scope,
    device: ZoneDevice,
    *,
    source: RepairSource,
    summary: str,
    offline_after: timedelta,
    by: int | None = None,
) -> RepairCase:
    """The device's open case, opened now if it has none."""
    found = open_case_of(scope.session, hall=scope.code, device=device.name)
    if found is not None:
        return found
    return open_case(
        scope, device, source=source, summary=summary, offline_after=offline_after, by=by
    )


def report_fault(
    scope: Scope, name: str, *, summary: str, offline_after: timedelta
) -> RepairCasePublic:
    """Staff report a fault: a new case, or 409 when the device already has one open."""
    device = zone_device(scope, name)
    found = open_case_of(scope.session, hall=scope.code, device=name)
    if found is not None:
        raise Conflict(
            f"{device.label}已有未验收的维修单（{found.id}号，{REPAIR_STATUS_LABELS[found.status]}）"
        )
    case = open_case(
        scope,
        device,
        source=RepairSource.STAFF,
        summary=summary,
        offline_after=offline_after,
        by=scope.caller.user_id,
    )
    return repair_public(case, scope)


def _case(scope: Scope, repair_id: int) -> RepairCase:
    case = scope.session.get(RepairCase, repair_id)
    if case is None or case.hall != scope.code:
        raise NotFound(f"没有{repair_id}号维修单")
    return case


def take_step(
    scope: Scope,
    repair_id: int,
    step: str,
    *,
    offline_after: timedelta,
    assignee: str | None = None,
) -> RepairCasePublic:
    """Assign, fix or verify a case; verifying closes it, and the device shows what it
    reports again."""
    case = _case(scope, repair_id)
    case.status = repair_step(case.status, step)
    now = scope.now
    if step == "assign":
        case.assignee, case.assigned_at = assignee, now
    elif step == "fix":
        case.fixed_at = now
    else:
        case.verified_at, case.verified_by = now, scope.caller.user_id
    scope.session.add(case)
    scope.session.flush()
    journal.record_payload(scope, type=STEP_EVENTS[step], payload=repair_public(case, scope))
    if step == "verify":
        zone_status_log.sync(scope, offline_after=offline_after, device=case.device)
    return repair_public(case, scope)


def list_repairs(
    scope: Scope,
    *,
    device: str | None = None,
    status: RepairStatus | None = None,
    open_only: bool = False,
    limit: int = 200,
) -> list[RepairCasePublic]:
    """Newest first."""
    query = select(RepairCase).where(RepairCase.hall == scope.code)
    if device is not None:
        query = query.where(RepairCase.device == device)
    if status is not None:
        query = query.where(RepairCase.status == status)
    if open_only:
        query = query.where(RepairCase.status != RepairStatus.VERIFIED)
    rows = scope.session.exec(
        query.order_by(col(RepairCase.opened_at).desc(), col(RepairCase.id).desc()).limit(limit)
    ).all()
    return [repair_public(row, scope) for row in rows]
