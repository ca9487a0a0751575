"""The 24-hour zone's devices through HTTP against a real server: listed before their first
heartbeat, their status changes recorded and announced (`device.status_changed` with the
device's `ZoneDevicePublic`), silence detected by the watch, repair cases opened by a
heartbeat, by silence, by an inspection or by staff, and taken through to verified."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain.clock import ManualClock
from tests.support import LiveServer, live_server
from tests.zone_support import (
    LOCKER,
    ZONE_DEVICES,
    beat,
    device_client,
    events_until,
    next_event,
    no_more_events,
    status_history,
    stream,
)

pytestmark = pytest.mark.both_databases

SHANGHAI = ZoneInfo("Asia/Shanghai")
SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)
"""No inspection round is due on a Sunday: the streams carry only what a test does."""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SUNDAY)


@pytest.fixture
def hall(tmp_path: Path, database_url: str, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(
        tmp_path,
        clock=clock,
        database_url=database_url,
        device_offline_seconds=60,
        alert_check_seconds=0.05,
    ) as running:
        yield running


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_zone_devices_are_listed_before_their_first_heartbeat(hall: LiveServer) -> None:
    manager = hall.client(hall.login(hall.accounts.manager))
    listed = {device["name"]: device for device in ok(manager.get("/api/devices"))}
    assert set(listed) == {*ZONE_DEVICES, LOCKER}
    shebao = listed["ss-shebao"]
    assert shebao["label"] == "社保自助终端"
    assert shebao["services"] == ["参保信息查询", "社保缴费", "参保证明打印"]
    assert (shebao["kind"], shebao["state"], shebao["last_seen_at"]) == ("self_service", None, None)
    assert (shebao["status"], shebao["online"]) == ("unknown", False)
    assert (shebao["zone_status"], shebao["zone_status_label"]) == ("unknown", "状态未知")
    assert listed[LOCKER]["kind"] == "locker"


def test_a_heartbeat_fault_opens_a_repair_case_until_it_is_verified(
    hall: LiveServer, clock: ManualClock
) -> None:
    printer = device_client(hall, "ss-print")
    manager = hall.client(hall.login(hall.accounts.manager))
    with stream(hall, hall.login(hall.accounts.manager)) as ws:
        reply = beat(printer, "ss-print")
        assert (reply["zone_status"], reply["label"]) == ("ok", "证照打印机")
        changed = next_event(ws)
        assert changed["type"] == "device.status_changed"
        assert changed["payload"] == {
            "name": "ss-print",
            "kind": "printer",
            "label": "证照打印机",
            "services": ["营业执照打印", "电子证照打印"],
            "department": "市政务服务局",
            "phone": "12345",
            "status": "ok",
            "status_label": "正常使用",
        }
        started = clock.now()

        clock.advance(timedelta(minutes=10))
        reply = beat(printer, "ss-print", "paper_out", detail="A4纸用完")
        assert (reply["state"], reply["zone_status"]) == ("paper_out", "fault")
        opened, changed = next_event(ws), next_event(ws)
        assert opened["type"] == "repair.opened"
        case = opened["payload"]
        assert (case["device"], case["source"], case["status"]) == ("ss-print", "heartbeat", "open")
        assert case["summary"] == "设备报告缺纸：A4纸用完"
        assert datetime.fromisoformat(case["due_at"]) == clock.now() + timedelta(hours=24)
        assert (changed["type"], changed["payload"]["status"]) == ("device.status_changed", "fault")
        assert changed["payload"]["status_label"] == "暂停使用"
        faulted = clock.now()

        # Saying it again, or ok, changes nothing while the case is open.
        beat(printer, "ss-print", "paper_out")
        assert beat(printer, "ss-print")["zone_status"] == "fault"
        no_more_events(ws)
        assert [c["id"] for c in ok(manager.get("/api/repairs", params={"open": True}))] == [
            case["id"]
        ]
        twice = manager.post("/api/devices/ss-print/faults", json={"summary": "卡纸"})
        assert twice.status_code == 409, twice.text
        assert twice.json()["code"] == "conflict"

        url = f"/api/repairs/{case['id']}"
        early = manager.post(f"{url}/verify")
        assert (early.status_code, early.json()["code"]) == (409, "illegal_transition")
        assigned = ok(manager.post(f"{url}/assign", json={"assignee": "维保 张师傅"}))
        assert (assigned["status"], assigned["assignee"]) == ("assigned", "维保 张师傅")
        assert next_event(ws)["type"] == "repair.assigned"
        assert ok(manager.post(f"{url}/fix"))["status_label"] == "待验收"
        assert next_event(ws)["type"] == "repair.fixed"
        clock.advance(timedelta(seconds=30))
        verified = ok(manager.post(f"{url}/verify"))
        assert (verified["status"], verified["overdue"]) == ("verified", False)
        assert next_event(ws)["type"] == "repair.verified"
        back = next_event(ws)
        assert (back["type"], back["payload"]["status"]) == ("device.status_changed", "ok")
        assert back["payload"]["status_label"] == "正常使用"
        no_more_events(ws)
    assert ok(manager.get("/api/repairs", params={"open": True})) == []
    assert ok(manager.get("/api/repairs", params={"device": "ss-print"}))[0]["status"] == "verified"
    assert status_history(hall.database_url, "ss-print") == [
        (started, "ok"),
        (faulted, "fault"),
        (clock.now(), "ok"),
    ]


def test_silence_goes_offline_at_the_limit_and_opens_a_repair_case(
    hall: LiveServer, clock: ManualClock
) -> None:
    terminal = device_client(hall, "ss-gjj")
    manager = hall.client(hall.login(hall.accounts.manager))
    with stream(hall, hall.login(hall.accounts.manager)) as ws:
        beat(terminal, "ss-gjj")
        assert next_event(ws)["payload"]["status"] == "ok"
        last_seen = clock.now()
        clock.advance(timedelta(seconds=59))
        no_more_events(ws)
        clock.advance(timedelta(minutes=5))  # the watch notices 5 min after the limit
        [offline] = events_until(ws, "device.status_changed")
        opened, fault = events_until(ws, "device.status_changed")
        assert (offline["type"], offline["payload"]["status"]) == (
            "device.status_changed",
            "offline",
        )
        assert offline["payload"]["status_label"] == "暂停使用"
        assert (opened["type"], opened["payload"]["source"]) == ("repair.opened", "offline")
        assert opened["payload"]["summary"] == "设备自12月6日10:01起离线"
        assert (fault["type"], fault["payload"]["status"]) == ("device.status_changed", "fault")
        no_more_events(ws)
        detected = clock.now()

        # Back on line: still 暂停使用 until the repair is verified.
        assert beat(terminal, "ss-gjj")["zone_status"] == "fault"
        repair_id = opened["payload"]["id"]
        ok(manager.post(f"/api/repairs/{repair_id}/fix"))
        ok(manager.post(f"/api/repairs/{repair_id}/verify"))
        events = events_until(ws, "device.status_changed")
        assert [e["type"] for e in events] == [
            "repair.fixed",
            "repair.verified",
            "device.status_changed",
        ]
        assert events[-1]["payload"]["status"] == "ok"
    devices = {d["name"]: d for d in ok(manager.get("/api/devices"))}
    assert (devices["ss-gjj"]["zone_status"], devices["ss-gjj"]["status"]) == ("ok", "ok")
    assert status_history(hall.database_url, "ss-gjj") == [
        (last_seen, "ok"),
        (last_seen + timedelta(seconds=60), "offline"),
        (detected, "fault"),
        (detected, "ok"),
    ]


def test_another_devices_heartbeat_leaves_a_silent_device_to_the_watch(
    tmp_path: Path, database_url: str, clock: ManualClock
) -> None:
    """Recording a silent device's offline status from another device's heartbeat skipped its
    repair case, and the watch then found nothing left to do: the silent device stayed
    暂停使用 with nobody told to repair it."""
    with live_server(
        tmp_path, clock=clock, database_url=database_url, device_offline_seconds=60,
        alert_check_seconds=3600,
    ) as server:  # fmt: skip
        silent, busy = device_client(server, "ss-gjj"), device_client(server, "ss-tax")
        beat(silent, "ss-gjj")
        beat(busy, "ss-tax")
        clock.advance(timedelta(minutes=70))
        beat(busy, "ss-tax")
        manager = server.client(server.login(server.accounts.manager))
        recorded = [status for _, status in status_history(server.database_url, "ss-gjj")]
        cases = ok(manager.get("/api/repairs", params={"device": "ss-gjj"}))
        assert "offline" not in recorded or cases, (recorded, cases)


def test_inspections_and_staff_reports_open_one_case_which_turns_overdue_once(
    hall: LiveServer, clock: ManualClock
) -> None:
    clerk = hall.client(hall.accounts.clerk_tokens[hall.accounts.clerks[0]])
    manager = hall.client(hall.login(hall.accounts.manager))
    body = {"result": "ok", "checks": {"电源": True, "屏幕": True}, "note": "正常"}
    passed = ok(clerk.post("/api/devices/ss-tax/inspections", json=body), 201)
    assert (passed["by"], passed["result"], passed["repair_id"]) == ("窗口员1", "ok", None)
    with stream(hall, hall.login(hall.accounts.manager)) as ws:
        clock.advance(timedelta(minutes=1))
        failed = ok(
            clerk.post(
                "/api/devices/ss-tax/inspections",
                json={"result": "fault", "checks": {"电源": True, "读卡器": False}},
            ),
            201,
        )
        events = events_until(ws, "device.inspected")
        assert [e["type"] for e in events] == [
            "repair.opened",
            "device.status_changed",
            "device.inspected",
        ]
        case = events[0]["payload"]
        assert (case["source"], case["summary"]) == ("inspection", "巡检发现故障：读卡器")
        assert failed["repair_id"] == case["id"]
        assert events[-1]["payload"] == failed
        again = ok(clerk.post("/api/devices/ss-tax/inspections", json={"result": "fault"}), 201)
        assert again["repair_id"] == case["id"]
        assert next_event(ws)["type"] == "device.inspected"
        listed = ok(clerk.get("/api/devices/ss-tax/inspections"))
        assert [i["id"] for i in listed] == [again["id"], failed["id"], passed["id"]]

        report = {"summary": "屏幕无显示"}
        staff = ok(manager.post("/api/devices/ss-shebao/faults", json=report), 201)
        assert (staff["source"], staff["status_label"], staff["device_label"]) == (
            "staff",
            "待派修",
            "社保自助终端",
        )
        assert [e["type"] for e in events_until(ws, "device.status_changed")] == [
            "repair.opened",
            "device.status_changed",
        ]

        clock.advance(timedelta(hours=24, minutes=30))  # Monday 10:31: both cases past due
        seen = events_until(ws, "alert.repair_overdue")
        seen += [next_event(ws)]
        overdue = [e["alert"] for e in seen if e["type"] == "alert.repair_overdue"]
        assert sorted(a["repair_id"] for a in overdue) == sorted([case["id"], staff["id"]])
        alert = next(a for a in overdue if a["repair_id"] == case["id"])
        assert (alert["category"], alert["category_name"]) == ("self_service", "24小时自助服务区")
        assert (alert["device"], alert["device_label"]) == ("ss-tax", "税务自助办税终端")
        assert alert["message"] == (
            f"税务自助办税终端的{case['id']}号维修单应于12月7日10:01前修复验收，已超期，请尽快处理"
        )
        assert alert["value"] == pytest.approx(0.5)
        clock.advance(timedelta(hours=1))
        no_more_events(ws)
    manager = hall.client(hall.login(hall.accounts.manager))  # the first login has expired
    repairs = ok(manager.get("/api/repairs", params={"status": "open"}))
    assert {r["id"]: r["overdue"] for r in repairs} == {case["id"]: True, staff["id"]: True}


def test_bad_inspections_and_repair_steps_are_refused_and_change_nothing(
    hall: LiveServer,
) -> None:
    clerk = hall.client(hall.accounts.clerk_tokens[hall.accounts.clerks[0]])
    board = hall.client(hall.accounts.board_token)
    before = ok(clerk.get("/api/health"))["seq"]
    unknown = clerk.post("/api/devices/ss-nowhere/inspections", json={"result": "ok"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert unknown.json()["detail"] == "本厅自助服务区没有设备“ss-nowhere”"
    bad_item = clerk.post(
        "/api/devices/ss-tax/inspections", json={"result": "ok", "checks": {"柜门": True}}
    )
    assert bad_item.status_code == 422, bad_item.text
    assert bad_item.json()["detail"].startswith("“柜门”不是税务自助办税终端的检查项")
    maybe = clerk.post("/api/devices/ss-tax/inspections", json={"result": "maybe"})
    assert maybe.status_code == 422
    assert clerk.post("/api/devices/ss-tax/faults", json={"summary": ""}).status_code == 422
    assert clerk.post("/api/devices/kiosk-1/faults", json={"summary": "坏了"}).status_code == 404
    refused = board.post("/api/devices/ss-tax/inspections", json={"result": "ok"})
    assert (refused.status_code, refused.json()["code"]) == (403, "wrong_role")
    missing = clerk.post("/api/repairs/99/fix")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert clerk.post("/api/repairs/1/assign", json={"assignee": " "}).status_code == 422
    assert ok(clerk.get("/api/health"))["seq"] == before
    assert ok(clerk.get("/api/repairs")) == []


def test_kiosks_and_boards_hear_of_status_changes_without_staff_text(hall: LiveServer) -> None:
    """A board learns that a device stopped working, with the device as the zone shows it;
    what staff wrote on the repair case (summary, note, assignee) reaches staff only."""
    manager = hall.client(hall.login(hall.accounts.manager))
    clerk = hall.client(hall.accounts.clerk_tokens[hall.accounts.clerks[0]])
    with stream(hall, hall.accounts.board_token) as board:
        report = {"summary": "屏幕碎裂，疑似人为损坏"}
        case = ok(manager.post("/api/devices/ss-churujing/faults", json=report), 201)
        opened, changed = next_event(board), next_event(board)
        assert opened["type"] == "repair.opened"
        assert "summary" not in opened["payload"]
        assert opened["payload"]["device_label"] == "出入境自助签注机"
        assert changed["type"] == "device.status_changed"
        assert (changed["payload"]["name"], changed["payload"]["status_label"]) == (
            "ss-churujing",
            "暂停使用",
        )
        ok(manager.post(f"/api/repairs/{case['id']}/assign", json={"assignee": "王工 13900000000"}))
        assert "assignee" not in next_event(board)["payload"]
        body = {"result": "fault", "note": "屏幕碎裂"}
        ok(clerk.post("/api/devices/ss-churujing/inspections", json=body), 201)
        inspected = next_event(board)
        assert inspected["type"] == "device.inspected" and "note" not in inspected["payload"]
