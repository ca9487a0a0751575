"""Inspection rounds through HTTP with a manual clock: every zone device in service (heard from
once) is due an inspection inside each round on working days; a round that ends without one
raises `alert.inspection_missed` once per device, and none is due on a day off."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain.clock import ManualClock
from tests.support import live_server
from tests.zone_support import (
    LOCKER,
    ZONE_DEVICES,
    beat,
    device_client,
    events_until,
    next_event,
    no_more_events,
    stream,
)

pytestmark = pytest.mark.both_databases

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_missed_round_is_raised_once_per_device_on_working_days_only(
    tmp_path: Path, database_url: str
) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 7, 50, tzinfo=SHANGHAI))  # a Monday
    with live_server(
        tmp_path,
        clock=clock,
        database_url=database_url,
        alert_check_seconds=0.05,
        device_offline_seconds=7 * 24 * 3600,
    ) as hall:
        clerk = hall.client(hall.accounts.clerk_tokens[hall.accounts.clerks[0]])
        with stream(hall, hall.login(hall.accounts.manager)) as ws:
            in_service = [name for name in (*ZONE_DEVICES, LOCKER) if name != "ss-churujing"]
            for name in in_service:  # 出入境 is not installed yet: never heard from
                beat(device_client(hall, name), name)
                events_until(ws, "device.status_changed")
            early = clerk.post("/api/devices/ss-gjj/inspections", json={"result": "ok"})
            assert early.status_code == 201, early.text  # before 08:00: not this round's
            clock.set(datetime(2026, 12, 7, 8, 30, tzinfo=SHANGHAI))
            for name in ("ss-shebao", LOCKER):
                done = clerk.post(f"/api/devices/{name}/inspections", json={"result": "ok"})
                assert done.status_code == 201, done.text
            assert [next_event(ws)["type"] for _ in range(3)] == ["device.inspected"] * 3
            clock.set(datetime(2026, 12, 7, 8, 59, 59, tzinfo=SHANGHAI))
            no_more_events(ws)

            clock.set(datetime(2026, 12, 7, 9, 0, 30, tzinfo=SHANGHAI))
            missed = [next_event(ws) for _ in range(4)]
            assert {e["type"] for e in missed} == {"alert.inspection_missed"}
            alerts = {e["alert"]["device"]: e["alert"] for e in missed}
            assert set(alerts) == {"ss-gjj", "ss-budongchan", "ss-tax", "ss-print"}
            gjj = alerts["ss-gjj"]
            assert gjj["inspection_round"] == "开门前检查"
            assert gjj["device_label"] == "公积金自助终端"
            assert (gjj["category"], gjj["category_name"]) == ("self_service", "24小时自助服务区")
            assert gjj["message"] == (
                "公积金自助终端（ss-gjj）今日“开门前检查”未按时完成（应于09:00前巡检），请尽快检查"
            )
            assert gjj["value"] == pytest.approx(0.5)
            clock.set(datetime(2026, 12, 7, 12, 0, tzinfo=SHANGHAI))
            no_more_events(ws)

            clock.set(datetime(2026, 12, 13, 18, 30, tzinfo=SHANGHAI))  # a Sunday evening
            no_more_events(ws)
