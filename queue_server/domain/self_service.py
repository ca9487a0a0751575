"""The 24-hour self-service zone (24小时自助服务区): its devices' kinds and states, inspections,
repair cases, help requests and locker deposits, as the hall's vocabulary and pure rules.

Values are wire names: add new members, never rename one.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class ZoneDeviceKind(StrEnum):
    """What a device of the zone is (the hall TOML's `kind`)."""

    TERMINAL = "terminal"
    """A self-service terminal (自助终端): 社保, 公积金, 税务 …"""
    LOCKER = "locker"
    """A smart locker (智能文件柜) for collecting results day and night."""
    PRINTER = "printer"
    """A certificate or document printer (证照打印)."""
    OTHER = "other"


class ZoneStatus(StrEnum):
    """How a zone device stands right now, wherever the zone is shown."""

    OK = "ok"
    FAULT = "fault"
    """Out of order: a fault was reported or a repair case is open (暂停使用)."""
    OFFLINE = "offline"
    """Silent longer than the server's offline limit."""
    UNKNOWN = "unknown"
    """Configured but never heard from."""


ZONE_STATUS_LABELS: dict[ZoneStatus, str] = {
    ZoneStatus.OK: "正常使用",
    ZoneStatus.FAULT: "暂停使用",
    ZoneStatus.OFFLINE: "暂停使用",
    ZoneStatus.UNKNOWN: "状态未知",
}


class InspectionResult(StrEnum):
    OK = "ok"
    FAULT = "fault"


class RepairStatus(StrEnum):
    """A repair case: open → assigned → fixed → verified."""

    OPEN = "open"
    ASSIGNED = "assigned"
    FIXED = "fixed"
    VERIFIED = "verified"


REPAIR_STATUS_LABELS: dict[RepairStatus, str] = {
    RepairStatus.OPEN: "待派修",
    RepairStatus.ASSIGNED: "维修中",
    RepairStatus.FIXED: "待验收",
    RepairStatus.VERIFIED: "已验收",
}


class RepairSource(StrEnum):
    """What opened a repair case."""

    INSPECTION = "inspection"
    STAFF = "staff"
    HEARTBEAT = "heartbeat"
    """The device reported `fault` or `paper_out` itself."""
    OFFLINE = "offline"
    """The device fell silent during the zone's hours."""


class DepositStatus(StrEnum):
    STORED = "stored"
    PICKED_UP = "picked_up"


@dataclass(frozen=True, slots=True)
class Heard:
    """The last heartbeat of a device: when, and whether it said it works."""

    at: datetime
    working: bool


def zone_status(
    heard: Heard | None, *, open_repair: bool, now: datetime, offline_after: timedelta
) -> ZoneStatus:
    """A device with an open repair case is faulty whatever it says; otherwise silence beyond
    the limit is offline, and its own report decides."""
    if open_repair:
        return ZoneStatus.FAULT
    if heard is None:
        return ZoneStatus.UNKNOWN
    if now - heard.at > offline_after:
        return ZoneStatus.OFFLINE
    return ZoneStatus.OK if heard.working else ZoneStatus.FAULT
