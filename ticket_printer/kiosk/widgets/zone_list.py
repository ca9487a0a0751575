"""The 24-hour zone on the kiosk after hours: the devices that work now with what each does,
then those out of use (暂停使用) or not heard from, one line each."""

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from queue_server.domain.after_hours import zone_heading
from queue_server.protocol import SelfServiceZonePublic, ZoneDevicePublic, ZoneStatus


def working_first(devices: list[ZoneDevicePublic]) -> list[ZoneDevicePublic]:
    """The devices a person can use now first, in the hall's order, then the others."""
    return sorted(devices, key=lambda device: device.status is not ZoneStatus.OK)


STATUS_STYLES = {
    ZoneStatus.OK: "bold #4dff88",
    ZoneStatus.FAULT: "bold black on #ffd24d",
    ZoneStatus.OFFLINE: "bold black on #ffd24d",
    ZoneStatus.UNKNOWN: "#bbbbbb",
}


def zone_text(zone: SelfServiceZonePublic) -> Text:
    """The heading, then each device's label (padded so the states line up) and state; under
    a working device, what it does."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(zone_heading(hours=zone.hours, open_now=zone.open_now), style="bold #ffd24d")
    width = max((cell_len(device.label) for device in zone.devices), default=0)
    for device in working_first(zone.devices):
        working = device.status is ZoneStatus.OK
        label = device.label + " " * (width - cell_len(device.label))
        text.append("\n")
        text.append(f"{label}　", style="bold" if working else "#bbbbbb")
        text.append(device.status_label, style=STATUS_STYLES[device.status])
        if working and device.services:
            text.append("\n　" + "、".join(device.services))
    return text


class ZoneList(Static):
    def show_zone(self, zone: SelfServiceZonePublic | None) -> None:
        self.display = zone is not None and bool(zone.devices)
        self.update(zone_text(zone) if zone is not None else "")
