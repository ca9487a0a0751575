"""The network side of the 自助服务区 page: an App base whose workers read the zone's devices
and open repair cases, and inspect, report, assign, fix and verify from the page's keys."""

import asyncio
from datetime import datetime

from textual import work
from textual.app import App

from clerk_tui.manager.dialogs import ChoiceDialog, Field, FormDialog
from clerk_tui.manager.messages import ZoneActionWanted
from clerk_tui.manager.zone_page import ZonePage
from queue_server.client import QueueClient, QueueError
from queue_server.protocol import EventMessage, InspectionResult, RepairCasePublic

ZONE_EVENTS = frozenset({"device.status_changed", "device.inspected", "alert.repair_overdue"})
STEP_DONE = {"assign": "已派修", "fix": "已登记修复", "verify": "已验收"}


def is_zone_event(event: EventMessage) -> bool:
    """The events after which the 自助服务区 page must be read again."""
    kind = str(event.type)
    return kind in ZONE_EVENTS or kind.startswith("repair.")


class ZoneDesk(App[None]):
    """A subclass sets `client` and tells where the page is (`zone_page`), the hall's time
    zone and clock (`zone_timezone`, `zone_now`) and how to tell the manager (`zone_say`)."""

    client: QueueClient

    def __init__(self) -> None:
        super().__init__()
        self.zone_labels: dict[str, str] = {}
        """Each zone device's label, as last read."""

    def zone_page(self) -> ZonePage | None:
        pages = list(self.screen.query(ZonePage))
        return pages[0] if pages else None

    def zone_timezone(self) -> str:
        return "Asia/Shanghai"

    def zone_now(self) -> datetime:
        raise NotImplementedError

    def zone_say(self, text: str, *, error: bool = False) -> None:
        self.notify(text, severity="error" if error else "information")

    def follow_zone(self, event: EventMessage) -> None:
        if is_zone_event(event) and self.zone_page() is not None:
            self.load_zone()

    @work(exclusive=True, group="zone", exit_on_error=False)
    async def load_zone(self) -> None:
        try:
            devices, repairs = await asyncio.gather(
                self.client.devices(), self.client.repairs(open_only=True)
            )
        except QueueError as error:
            self.zone_say(f"自助服务区读取失败：{error.detail}", error=True)
            return
        self.zone_labels = {d.name: d.label for d in devices if d.label is not None}
        page = self.zone_page()
        if page is not None:
            page.show(devices, repairs, self.zone_timezone(), self.zone_now())

    def on_zone_action_wanted(self, message: ZoneActionWanted) -> None:
        if message.device is not None:
            self._device_action(message.action, message.device)
        elif message.repair_id is not None:
            self._repair_action(message.action, message.repair_id)

    def _device_action(self, action: str, name: str) -> None:
        label = self.zone_labels.get(name, name)
        if action == "fault":

            def reported(values: dict[str, str] | None) -> None:
                if values is not None:
                    self.zone_fault(name, values["summary"])

            self.push_screen(
                FormDialog(f"报修 {label}（{name}）", [Field("summary", "故障情况")]), reported
            )
            return

        def noted(values: dict[str, str] | None) -> None:
            if values is not None:
                self.zone_inspect(name, InspectionResult.FAULT, values["note"] or None)

        def inspected(result: str | None) -> None:
            if result == InspectionResult.OK:
                self.zone_inspect(name, InspectionResult.OK, None)
            elif result == InspectionResult.FAULT:
                fields = [Field("note", "故障情况", required=False)]
                self.push_screen(FormDialog(f"巡检 {label}：发现故障", fields), noted)

        self.push_screen(
            ChoiceDialog(
                f"巡检 {label}（{name}）",
                [(InspectionResult.OK.value, "正常"), (InspectionResult.FAULT.value, "发现故障")],
            ),
            inspected,
        )

    def _repair_action(self, action: str, repair_id: int) -> None:
        if action != "assign":
            self.zone_step(repair_id, action, None)
            return

        def assigned(values: dict[str, str] | None) -> None:
            if values is not None:
                self.zone_step(repair_id, "assign", values["assignee"])

        self.push_screen(
            FormDialog(f"派修 {repair_id}号维修单", [Field("assignee", "维修人或维保单位")]),
            assigned,
        )

    @work(group="zone-step", exit_on_error=False)
    async def zone_inspect(self, name: str, result: InspectionResult, note: str | None) -> None:
        try:
            done = await self.client.inspect_device(name, result, note=note)
        except QueueError as error:
            self.zone_say(f"巡检失败：{error.detail}", error=True)
            return
        opened = f"，{done.repair_id}号维修单" if done.repair_id is not None else ""
        self.zone_say(f"已记录{self.zone_labels.get(name, name)}的巡检{opened}")
        self.load_zone()

    @work(group="zone-step", exit_on_error=False)
    async def zone_fault(self, name: str, summary: str) -> None:
        try:
            case = await self.client.report_fault(name, summary)
        except QueueError as error:
            self.zone_say(f"报修失败：{error.detail}", error=True)
            return
        self.zone_say(f"已报修：{case.device_label} {case.id}号维修单")
        self.load_zone()

    @work(group="zone-step", exit_on_error=False)
    async def zone_step(self, repair_id: int, step: str, assignee: str | None) -> None:
        try:
            case = await self._repair_step(repair_id, step, assignee)
        except QueueError as error:
            self.zone_say(f"操作失败：{error.detail}", error=True)
            return
        self.zone_say(f"{case.id}号维修单{STEP_DONE[step]}，当前状态：{case.status_label}")
        self.load_zone()

    async def _repair_step(
        self, repair_id: int, step: str, assignee: str | None
    ) -> RepairCasePublic:
        if step == "assign" and assignee is not None:
            return await self.client.assign_repair(repair_id, assignee)
        if step == "fix":
            return await self.client.fix_repair(repair_id)
        if step == "verify":
            return await self.client.verify_repair(repair_id)
        raise ValueError(f"unknown repair step {step!r}")
