"""Device heartbeats: kiosks, boards, announcers and the zone's devices report their state;
managers list them (the zone's configured devices even before their first heartbeat)."""

from datetime import datetime, timedelta

from sqlmodel import col, select

from queue_server.domain.enums import DeviceKind, DeviceState, Role
from queue_server.domain.errors import Forbidden
from queue_server.domain.self_service import (
    ZONE_STATUS_LABELS,
    RepairSource,
    ZoneDeviceKind,
    ZoneStatus,
)
from queue_server.models import Device
from queue_server.protocol import DeviceHeartbeat, DevicePublic
from queue_server.self_service_config import ZoneDevice
from queue_server.services import repairs, zone_status_log
from queue_server.services.scope import Scope
from queue_server.services.zone import zone_statuses

KINDS_BY_ROLE: dict[Role, frozenset[DeviceKind]] = {
    Role.KIOSK: frozenset({DeviceKind.KIOSK}),
    Role.BOARD: frozenset({DeviceKind.BOARD, DeviceKind.ANNOUNCER}),
    Role.DEVICE: frozenset({DeviceKind.SELF_SERVICE, DeviceKind.LOCKER}),
    Role.ADMIN: frozenset(DeviceKind),
}


def device_public(device: Device, *, now: datetime, offline_after: timedelta) -> DevicePublic:
    online = now - device.last_seen_at <= offline_after
    return DevicePublic(
        name=device.name,
        kind=device.kind,
        state=device.state,
        detail=device.detail,
        last_seen_at=device.last_seen_at,
        online=online,
        status=device.state.value if online else "offline",
    )


FAULT_STATES: dict[DeviceState, str] = {
    DeviceState.FAULT: "设备报告故障",
    DeviceState.PAPER_OUT: "设备报告缺纸",
}
"""What a zone device may report that opens a repair case, and the case's summary."""


def zone_device_public(
    device: ZoneDevice,
    row: Device | None,
    status: ZoneStatus,
    *,
    now: datetime,
    offline_after: timedelta,
) -> DevicePublic:
    """A configured zone device: its last heartbeat if any, with its label, services and
    the status the zone shows."""
    if row is not None:
        public = device_public(row, now=now, offline_after=offline_after)
    else:
        kind = (
            DeviceKind.LOCKER if device.kind is ZoneDeviceKind.LOCKER else DeviceKind.SELF_SERVICE
        )
        public = DevicePublic(name=device.name, kind=kind, online=False, status="unknown")
    return public.model_copy(
        update={
            "label": device.label,
            "services": list(device.services),
            "zone_status": status,
            "zone_status_label": ZONE_STATUS_LABELS[status],
        }
    )


def after_zone_heartbeat(
    scope: Scope, device: ZoneDevice, heartbeat: DeviceHeartbeat, *, offline_after: timedelta
) -> None:
    """A fault or an empty paper tray opens the device's repair case (unless one is open);
    any change of the status the zone shows is recorded."""
    summary = FAULT_STATES.get(heartbeat.state)
    if summary is not None:
        repairs.ensure_open(
            scope,
            device,
            source=RepairSource.HEARTBEAT,
            summary=f"{summary}：{heartbeat.detail}" if heartbeat.detail else summary,
            offline_after=offline_after,
        )
    zone_status_log.sync(scope, offline_after=offline_after, device=device.name)


def record_heartbeat(
    scope: Scope, name: str, heartbeat: DeviceHeartbeat, *, offline_after: timedelta
) -> DevicePublic:
    """Store the device's state. A kiosk token reports kiosks only, a board token boards and
    announcers, and a device token only the device names it was issued for, so one kiosk can
    neither mask another's dead printer nor invent devices. An admin may report any device
    (to test it) without taking it over: the device's own token keeps working."""
    session, principal, now = scope.session, scope.caller, scope.now
    if heartbeat.kind not in KINDS_BY_ROLE.get(principal.role, frozenset()):
        raise Forbidden(f"此令牌不能报告{heartbeat.kind}设备的状态")
    is_admin = principal.role is Role.ADMIN
    if not is_admin and name not in principal.devices:
        names = "、".join(f"“{device}”" for device in sorted(principal.devices))
        raise Forbidden(f"此令牌只能报告设备{names}的状态，不能报告“{name}”")
    device = session.get(Device, (scope.code, name))
    if device is None:
        device = Device(
            hall=scope.code,
            name=name,
            kind=heartbeat.kind,
            state=heartbeat.state,
            token_name=principal.name,
            first_seen_at=now,
            last_seen_at=now,
        )
    device.kind = heartbeat.kind
    device.state = heartbeat.state
    device.detail = heartbeat.detail
    if not is_admin:
        device.token_name = principal.name
    device.last_seen_at = now
    session.add(device)
    session.flush()
    zone = scope.hall.self_service.device_by_name.get(name)
    if zone is None:
        return device_public(device, now=now, offline_after=offline_after)
    after_zone_heartbeat(scope, zone, heartbeat, offline_after=offline_after)
    status = zone_statuses(session, hall=scope.hall, now=now, offline_after=offline_after)[name]
    return zone_device_public(zone, device, status, now=now, offline_after=offline_after)


def list_devices(scope: Scope, *, offline_after: timedelta) -> list[DevicePublic]:
    """Every device that ever reported, then the zone's configured devices in the hall
    TOML's order (heard from or not)."""
    session, hall, now = scope.session, scope.hall, scope.now
    rows = session.exec(
        select(Device).where(Device.hall == hall.code).order_by(col(Device.kind), col(Device.name))
    ).all()
    zone = hall.self_service.device_by_name
    listed = [
        device_public(row, now=now, offline_after=offline_after)
        for row in rows
        if row.name not in zone
    ]
    statuses = zone_statuses(session, hall=hall, now=now, offline_after=offline_after)
    heard = {row.name: row for row in rows}
    return listed + [
        zone_device_public(
            device,
            heard.get(device.name),
            statuses[device.name],
            now=now,
            offline_after=offline_after,
        )
        for device in hall.self_service.devices
    ]
