"""The hall board after hours: 大厅已下班 (or 今日休息) with the next opening, then the 24-hour
zone's devices — what works now and what it does, then what is out of use."""

from datetime import datetime

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from queue_server.domain.after_hours import closed_title, next_opening_text, zone_heading
from queue_server.protocol import SelfServiceZonePublic, ZoneStatus

STATUS_STYLES = {
    ZoneStatus.OK: "bold #4dff88",
    ZoneStatus.FAULT: "bold #000000 on #ffd24d",
    ZoneStatus.OFFLINE: "bold #000000 on #ffd24d",
    ZoneStatus.UNKNOWN: "#a9b3c6",
}


def zone_table(zone: SelfServiceZonePublic) -> Table:
    """One row a device, working ones first (in the hall's order), with what each does."""
    table = Table(expand=True, box=None, show_edge=False, show_header=False, pad_edge=False)
    table.add_column("设备", no_wrap=True, style="bold")
    table.add_column("状态", no_wrap=True)
    table.add_column("可办理", no_wrap=True, overflow="ellipsis", ratio=1)
    ordered = sorted(zone.devices, key=lambda device: device.status is not ZoneStatus.OK)
    for device in ordered:
        working = device.status is ZoneStatus.OK
        table.add_row(
            device.label if working else f"[#a9b3c6]{device.label}[/]",
            f"[{STATUS_STYLES[device.status]}]{device.status_label}[/]",
            "、".join(device.services) if working else "",
        )
    return table


class AfterHours(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("", id="closed-title")
        yield Static("", id="next-opening")
        yield Static("", id="zone-heading", classes="caption")
        yield Static("", id="zone-devices")

    def show_closed(
        self,
        *,
        day_off: bool,
        opens_at: datetime | None,
        zone: SelfServiceZonePublic | None,
        now: datetime,
    ) -> None:
        self.query_one("#closed-title", Static).update(closed_title(day_off=day_off))
        self.query_one("#next-opening", Static).update(next_opening_text(opens_at, now))
        heading = self.query_one("#zone-heading", Static)
        devices = self.query_one("#zone-devices", Static)
        heading.display = devices.display = zone is not None and bool(zone.devices)
        if zone is not None:
            heading.update(zone_heading(hours=zone.hours, open_now=zone.open_now))
            devices.update(zone_table(zone))
