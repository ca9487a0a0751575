"""The client's zone-device methods against a real server: a device token's heartbeat, an
inspection, a fault report and the repair case's steps, read back as typed models."""

import pytest

from queue_server.client import QueueClient, QueueError
from queue_server.domain.enums import Role
from queue_server.protocol import (
    DeviceKind,
    DeviceState,
    InspectionResult,
    RepairSource,
    RepairStatus,
    ZoneStatus,
)
from tests.support import LiveServer, issue_token


@pytest.mark.anyio
async def test_the_client_inspects_reports_and_repairs_a_zone_device(server: LiveServer) -> None:
    device_token = issue_token(server.database_url, "ss-gjj", Role.DEVICE)
    async with QueueClient(server.base_url, token=device_token) as device:
        reported = await device.heartbeat("ss-gjj", kind=DeviceKind.SELF_SERVICE)
        assert (reported.label, reported.zone_status) == ("公积金自助终端", ZoneStatus.OK)
    async with QueueClient(server.base_url) as client:
        await client.login(server.accounts.manager, "correct-horse-42")
        inspection = await client.inspect_device(
            "ss-gjj", InspectionResult.FAULT, checks={"读卡器": False}, note="读卡器不读卡"
        )
        assert inspection.repair_id is not None and inspection.by == "李主任"
        assert [i.id for i in await client.inspections("ss-gjj")] == [inspection.id]
        with pytest.raises(QueueError) as refused:
            await client.report_fault("ss-gjj", "屏幕无显示")
        assert (refused.value.status_code, refused.value.code) == (409, "conflict")
        case = await client.report_fault("ss-tax", "屏幕无显示")
        assert (case.source, case.status) == (RepairSource.STAFF, RepairStatus.OPEN)
        open_cases = await client.repairs(open_only=True)
        assert {c.id for c in open_cases} == {inspection.repair_id, case.id}
        assert [c.id for c in await client.repairs(device="ss-tax")] == [case.id]
        assigned = await client.assign_repair(case.id, "税务局信息中心")
        assert (assigned.status, assigned.assignee) == (RepairStatus.ASSIGNED, "税务局信息中心")
        assert (await client.fix_repair(case.id)).status is RepairStatus.FIXED
        assert (await client.verify_repair(case.id)).status is RepairStatus.VERIFIED
        assert [c.id for c in await client.repairs(status=RepairStatus.VERIFIED)] == [case.id]
        devices = {d.name: d for d in await client.devices()}
        assert devices["ss-gjj"].state is DeviceState.OK
        assert devices["ss-gjj"].zone_status is ZoneStatus.FAULT
        assert devices["ss-tax"].zone_status is ZoneStatus.UNKNOWN
