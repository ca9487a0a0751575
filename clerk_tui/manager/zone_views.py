"""What the 自助服务区 page shows, as pure functions of the server's answers: each zone device
with its status, and the open repair cases with their due time (⚠ when overdue)."""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from queue_server.protocol import DevicePublic, RepairCasePublic, RepairSource, ZoneStatus

DEVICE_COLUMNS = ("设备", "名称", "状态", "最后心跳", "维修单")
REPAIR_COLUMNS = ("单号", "设备", "来源", "故障", "状态", "维修人", "期限")
SOURCE_LABELS = {
    RepairSource.INSPECTION: "巡检",
    RepairSource.STAFF: "报修",
    RepairSource.HEARTBEAT: "设备自报",
    RepairSource.OFFLINE: "离线",
}
STATUS_MARKS = {ZoneStatus.OK: "●", ZoneStatus.FAULT: "✖", ZoneStatus.OFFLINE: "✖"}
STOPPED = frozenset({ZoneStatus.FAULT, ZoneStatus.OFFLINE})
"""Shown as 暂停使用."""
HINT = "↑↓ 选择 · I 巡检 · R 报修（选中设备） · A 派修 · X 修复 · V 验收（选中维修单） · ⚠ 超期"


def zone_devices(devices: Sequence[DevicePublic]) -> list[DevicePublic]:
    """The devices of the 24-hour zone (those with a label), in the hall TOML's order."""
    return [device for device in devices if device.label is not None]


def _local(moment: datetime, timezone: str, now: datetime) -> str:
    local, today = moment.astimezone(ZoneInfo(timezone)), now.astimezone(ZoneInfo(timezone))
    if local.date() == today.date():
        return f"{local:%H:%M}"
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def device_row(
    device: DevicePublic, repair: RepairCasePublic | None, timezone: str, now: datetime
) -> tuple[str, ...]:
    status = device.zone_status or ZoneStatus.UNKNOWN
    label = f"{STATUS_MARKS.get(status, '?')} {device.zone_status_label or ''}"
    if status is ZoneStatus.OFFLINE:
        label += "（离线）"
    seen = _local(device.last_seen_at, timezone, now) if device.last_seen_at else "—"
    case = "—" if repair is None else f"{repair.id}号 {repair.status_label}"
    return (device.name, device.label or "", label, seen, case)


def repair_row(repair: RepairCasePublic, timezone: str, now: datetime) -> tuple[str, ...]:
    due = _local(repair.due_at, timezone, now)
    return (
        str(repair.id),
        repair.device_label,
        SOURCE_LABELS.get(repair.source, str(repair.source)),
        repair.summary,
        repair.status_label,
        repair.assignee or "—",
        f"⚠ {due} 已超期" if repair.overdue else due,
    )


def zone_summary(devices: Sequence[DevicePublic], repairs: Sequence[RepairCasePublic]) -> str:
    working = sum(device.zone_status is ZoneStatus.OK for device in devices)
    stopped = sum(device.zone_status in STOPPED for device in devices)
    unknown = len(devices) - working - stopped
    overdue = sum(repair.overdue for repair in repairs)
    parts = [f"24小时自助服务区 · {len(devices)}台设备"]
    parts += [f"正常使用 {working}", f"暂停使用 {stopped}"]
    if unknown:
        parts.append(f"状态未知 {unknown}")
    parts.append(f"未验收维修单 {len(repairs)}" + (f"（⚠ 超期 {overdue}）" if overdue else ""))
    return " · ".join(parts)
