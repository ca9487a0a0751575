"""Each zone device's status history: a `DeviceStatusChange` row and a `device.status_changed`
event (its payload the device's `ZoneDevicePublic`) whenever the status a device shows changes."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from queue_server.domain.enums import EventType
from queue_server.domain.self_service import ZoneStatus
from queue_server.domain.zone_care import went_offline_at
from queue_server.models import Device, DeviceStatusChange
from queue_server.services import journal
from queue_server.services.scope import Scope
from queue_server.services.zone import device_public, zone_statuses


@dataclass(frozen=True, slots=True)
class Change:
    device: str
    status: ZoneStatus
    at: datetime


def last_recorded(session: Session, *, hall: str, device: str) -> DeviceStatusChange | None:
    return session.exec(
        select(DeviceStatusChange)
        .where(DeviceStatusChange.hall == hall, DeviceStatusChange.device == device)
        .order_by(col(DeviceStatusChange.at).desc(), col(DeviceStatusChange.id).desc())
        .limit(1)
    ).first()


def pending_changes(
    scope: Scope, *, offline_after: timedelta, device: str | None = None
) -> list[Change]:
    """The zone devices (or only `device`) whose status now differs from the last one
    recorded (none recorded: 状态未知). Going offline is dated when the silence passed the
    limit, unless something was recorded after that (then it is dated now)."""
    session, hall, now = scope.session, scope.hall, scope.now
    statuses = zone_statuses(session, hall=hall, now=now, offline_after=offline_after)
    changes = []
    for name, status in statuses.items():
        if device is not None and name != device:
            continue
        last = last_recorded(session, hall=hall.code, device=name)
        if status == (last.status if last else ZoneStatus.UNKNOWN):
            continue
        at = now
        heard = session.get(Device, (hall.code, name))
        if status is ZoneStatus.OFFLINE and heard is not None:
            offline_at = went_offline_at(heard.last_seen_at, offline_after=offline_after)
            if last is None or offline_at >= last.at:
                at = min(offline_at, now)
        changes.append(Change(name, status, at))
    return changes


def record(scope: Scope, change: Change) -> None:
    device = scope.hall.self_service.device_by_name[change.device]
    scope.session.add(
        DeviceStatusChange(
            hall=scope.code, device=change.device, at=change.at, status=change.status
        )
    )
    journal.record_payload(
        scope,
        type=EventType.DEVICE_STATUS_CHANGED,
        payload=device_public(device, change.status),
        category=None,
    )


def sync(scope: Scope, *, offline_after: timedelta, device: str) -> list[Change]:
    """Record the change of `device` pending now (in the caller's write transaction). Other
    devices' changes are the watch's: a device found offline there also gets its repair case,
    which recording it here would skip."""
    changes = pending_changes(scope, offline_after=offline_after, device=device)
    for change in changes:
        record(scope, change)
    return changes
