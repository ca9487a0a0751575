"""The 自助服务区 page of the manager console: the zone's devices with their status, and the
open repair cases; keys to inspect, report a fault, assign, fix and verify."""

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from clerk_tui.manager import zone_views
from clerk_tui.manager.messages import ZoneActionWanted
from clerk_tui.manager.pages import fill, table
from queue_server.protocol import DevicePublic, RepairCasePublic


class ZonePage(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "device('inspect')", "巡检"),
        Binding("r", "device('fault')", "报修"),
        Binding("a", "repair('assign')", "派修"),
        Binding("x", "repair('fix')", "修复"),
        Binding("v", "repair('verify')", "验收"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="zone-summary", classes="page-title")
        yield Static(zone_views.HINT, classes="page-hint")
        yield table("zone-devices", zone_views.DEVICE_COLUMNS)
        yield Static("未验收的维修单（期限早的在上）", classes="section-title")
        yield table("zone-repairs", zone_views.REPAIR_COLUMNS)

    def show(
        self,
        devices: Sequence[DevicePublic],
        repairs: Sequence[RepairCasePublic],
        timezone: str,
        now: datetime,
    ) -> None:
        zone = zone_views.zone_devices(devices)
        by_device = {repair.device: repair for repair in repairs}
        ordered = sorted(repairs, key=lambda repair: (repair.due_at, repair.id))
        self.query_one("#zone-summary", Static).update(zone_views.zone_summary(zone, ordered))
        fill(
            self.query_one("#zone-devices", DataTable),
            [zone_views.device_row(d, by_device.get(d.name), timezone, now) for d in zone],
            [device.name for device in zone],
        )
        fill(
            self.query_one("#zone-repairs", DataTable),
            [zone_views.repair_row(repair, timezone, now) for repair in ordered],
            [str(repair.id) for repair in ordered],
        )

    def _chosen(self, table_id: str) -> str | None:
        chosen: DataTable[str] = self.query_one(table_id, DataTable)
        if not chosen.row_count:
            return None
        key = chosen.coordinate_to_cell_key(chosen.cursor_coordinate).row_key.value
        return None if key is None else str(key)

    def action_device(self, action: str) -> None:
        name = self._chosen("#zone-devices")
        if name is not None:
            self.post_message(ZoneActionWanted(action, device=name))

    def action_repair(self, action: str) -> None:
        repair = self._chosen("#zone-repairs")
        if repair is not None:
            self.post_message(ZoneActionWanted(action, repair_id=int(repair)))
