"""The 24-hour self-service zone as everyone sees it: each configured device with whether it
works right now (its last heartbeat, silence, an open repair case)."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from queue_server.config import HallConfig
from queue_server.domain.enums import DeviceState
from queue_server.domain.self_service import (
    ZONE_STATUS_LABELS,
    Heard,
    RepairStatus,
    ZoneStatus,
    zone_status,
)
from queue_server.models import Device, RepairCase
from queue_server.protocol import SelfServiceZonePublic, ZoneDevicePublic
from queue_server.self_service_config import ZoneDevice

WORKING_STATES = frozenset({DeviceState.OK, DeviceState.PAPER_LOW})
"""What a zone device may report and still be used (paper running low still prints)."""


def heard_from(device: Device) -> Heard:
    return Heard(at=device.last_seen_at, working=device.state in WORKING_STATES)


def zone_statuses(
    session: Session, *, hall: HallConfig, now: datetime, offline_after: timedelta
) -> dict[str, ZoneStatus]:
    """Each configured zone device's status, by name, in two queries."""
    names = [device.name for device in hall.self_service.devices]
    if not names:
        return {}
    heard = {
        row.name: heard_from(row)
        for row in session.exec(
            select(Device).where(Device.hall == hall.code, col(Device.name).in_(names))
        )
    }
    repairing = set(
        session.exec(
            select(RepairCase.device).where(
                RepairCase.hall == hall.code,
                col(RepairCase.device).in_(names),
                RepairCase.status != RepairStatus.VERIFIED,
            )
        )
    )
    return {
        name: zone_status(
            heard.get(name), open_repair=name in repairing, now=now, offline_after=offline_after
        )
        for name in names
    }


def device_public(device: ZoneDevice, status: ZoneStatus) -> ZoneDevicePublic:
    return ZoneDevicePublic(
        name=device.name,
        kind=device.kind,
        label=device.label,
        services=list(device.services),
        department=device.department,
        phone=device.phone,
        status=status,
        status_label=ZONE_STATUS_LABELS[status],
    )


def zone_public(
    session: Session, *, hall: HallConfig, now: datetime, offline_after: timedelta
) -> SelfServiceZonePublic | None:
    """The zone, or None when the hall has no zone devices."""
    config = hall.self_service
    if not config.devices:
        return None
    statuses = zone_statuses(session, hall=hall, now=now, offline_after=offline_after)
    return SelfServiceZonePublic(
        hours=config.hours,
        open_now=hall.zone_schedule.is_open(now),
        devices=[device_public(device, statuses[device.name]) for device in config.devices],
    )
