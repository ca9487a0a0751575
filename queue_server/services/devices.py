"""Device heartbeats: kiosks, boards and announcers report their state; managers list them."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from queue_server.domain.enums import DeviceKind, Role
from queue_server.domain.errors import Forbidden
from queue_server.models import Device
from queue_server.protocol import DeviceHeartbeat, DevicePublic
from queue_server.services.scope import Scope

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
    return device_public(device, now=now, offline_after=offline_after)


def list_devices(
    session: Session, *, hall: str, now: datetime, offline_after: timedelta
) -> list[DevicePublic]:
    rows = session.exec(
        select(Device).where(Device.hall == hall).order_by(col(Device.kind), col(Device.name))
    ).all()
    return [device_public(row, now=now, offline_after=offline_after) for row in rows]
