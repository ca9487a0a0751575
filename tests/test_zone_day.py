"""A day of the 24-hour zone through HTTP with a manual clock, end to end: the devices' own
heartbeats, a clerk's inspections (on time, and one round missed), a terminal falling silent at
night, the repair case that opens, fixed and verified in the morning, a help request answered
and one escalated — then the statistics and their exports read back exactly for that day.

Monday 2026-12-07 (a working day) in the default hall (zone open all day, seven devices, of
which two are in service: ss-shebao and ss-gjj; the other five never report and count as not
available). The offline limit is one hour; devices in service beat every half hour."""

import csv
import io
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import openpyxl
from websockets.sync.client import ClientConnection

from queue_server.domain.clock import ManualClock
from tests.support import LiveServer, live_server
from tests.zone_support import beat, device_client, events_until, stream

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = 86_400
MONDAY = {"from": "2026-12-07", "to": "2026-12-07"}
SHEBAO, GJJ = "ss-shebao", "ss-gjj"
BEAT_EVERY = timedelta(minutes=30)


def at(hour: int, minute: int = 0, second: int = 0, *, day: int = 7) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=SHANGHAI)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


class Zone:
    """The hall, its clock, and the devices that are switched on (they beat every half hour
    of the clock while it runs)."""

    def __init__(self, hall: LiveServer, clock: ManualClock) -> None:
        self.hall = hall
        self.clock = clock
        self.devices = {name: device_client(hall, name) for name in (SHEBAO, GJJ)}
        self.on: set[str] = set()

    def switch_on(self, *names: str) -> None:
        for name in names:
            beat(self.devices[name], name)
            self.on.add(name)

    def run_until(self, moment: datetime) -> None:
        """The clock runs on to `moment`; each device switched on beats at every step."""
        while self.clock.now() < moment:
            self.clock.set(min(self.clock.now() + BEAT_EVERY, moment))
            for name in sorted(self.on):
                beat(self.devices[name], name)


def types(events: Iterable[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


def play_the_day(zone: Zone, ws: ClientConnection) -> dict[str, Any]:
    """Sunday 22:00 to Tuesday 00:30; what the day left behind, for the figures."""
    hall = zone.hall
    clerk = hall.client(hall.accounts.clerk_tokens[hall.accounts.clerks[0]])
    zone.switch_on(SHEBAO, GJJ)
    assert types(events_until(ws, "device.status_changed")) == ["device.status_changed"]
    assert types(events_until(ws, "device.status_changed")) == ["device.status_changed"]

    # 02:00 the terminal's last heartbeat: offline at 03:00, noticed at 03:10.
    zone.run_until(at(2))
    zone.on.discard(SHEBAO)
    zone.run_until(at(3))
    # The watch notices the silence at 03:10, before the other terminal's next heartbeat (a
    # heartbeat that records another device's offline status opens no repair case for it).
    zone.clock.set(at(3, 10))
    offline = events_until(ws, "device.status_changed")[-1]
    assert (offline["payload"]["name"], offline["payload"]["status"]) == (SHEBAO, "offline")
    opened, fault = events_until(ws, "device.status_changed")
    assert (opened["type"], opened["payload"]["source"]) == ("repair.opened", "offline")
    assert fault["payload"]["status"] == "fault"
    case = opened["payload"]

    # Before opening: both inspected on time, the terminal found faulty (its case stays one).
    zone.run_until(at(8, 10))
    ok(clerk.post(f"/api/devices/{GJJ}/inspections", json={"result": "ok"}), 201)
    zone.run_until(at(8, 20))
    found = ok(
        clerk.post(
            f"/api/devices/{SHEBAO}/inspections",
            json={"result": "fault", "checks": {"电源": False}, "note": "无法开机"},
        ),
        201,
    )
    assert found["repair_id"] == case["id"]

    # The contractor restarts it at 09:30; fixed at 10:00, verified at 10:15:30.
    zone.run_until(at(9, 30))
    zone.switch_on(SHEBAO)
    manager = hall.client(hall.login(hall.accounts.manager))
    repair = f"/api/repairs/{case['id']}"
    ok(manager.post(f"{repair}/assign", json={"assignee": "维保 张师傅"}))
    zone.run_until(at(10))
    ok(manager.post(f"{repair}/fix"))
    zone.run_until(at(10, 15, 30))
    verified = ok(manager.post(f"{repair}/verify"))
    assert verified["status"] == "verified"
    back = events_until(ws, "device.status_changed")[-1]
    assert (back["payload"]["name"], back["payload"]["status"]) == (SHEBAO, "ok")

    # After closing: only the 公积金 terminal is inspected; the 社保 one's round is missed.
    zone.run_until(at(17, 30))
    ok(clerk.post(f"/api/devices/{GJJ}/inspections", json={"result": "ok"}), 201)
    zone.run_until(at(18, 0, 30))
    missed = events_until(ws, "alert.inspection_missed")[-1]["alert"]
    assert (missed["device"], missed["inspection_round"]) == (SHEBAO, "闭门后检查")

    # 20:00 a request answered in 90 s; 21:00 one escalated at 21:03, answered at 21:05.
    zone.run_until(at(20))
    first = ok(zone.devices[SHEBAO].post("/api/help-requests", json={"note": "读不出社保卡"}), 201)
    zone.run_until(at(20, 1, 30))
    ok(clerk.post(f"/api/help-requests/{first['id']}/ack"))
    zone.run_until(at(21))
    second = ok(zone.devices[GJJ].post("/api/help-requests", json={}), 201)
    zone.run_until(at(21, 3, 30))
    unanswered = events_until(ws, "alert.help_unanswered")[-1]["alert"]
    assert unanswered["help_request_id"] == second["id"]
    zone.run_until(at(21, 5))
    ok(clerk.post(f"/api/help-requests/{second['id']}/ack"))

    zone.run_until(at(0, 30, day=8))
    return {"case": verified}


def test_a_day_of_the_zone_and_its_figures(tmp_path: Path) -> None:
    clock = ManualClock(at(22, day=6))
    with live_server(
        tmp_path,
        clock=clock,
        device_offline_seconds=3600,
        alert_check_seconds=0.05,
        login_ttl_hours=48,  # the manager's live stream stays open all day
    ) as hall:
        zone = Zone(hall, clock)
        with stream(hall, hall.login(hall.accounts.manager)) as ws:
            played = play_the_day(zone, ws)
        manager = hall.client(hall.login(hall.accounts.manager))
        body = ok(manager.get("/api/stats/self-service", params=MONDAY))
        table = manager.get("/api/stats/self-service/export", params=MONDAY)
        workbook = manager.get(
            "/api/stats/self-service/export", params={**MONDAY, "format": "xlsx"}
        )
        case = played["case"]

    (main,) = body["rows"]
    devices = {row["key"]: row for row in main["devices"]}
    shebao, gjj = devices[SHEBAO], devices[GJJ]
    # 社保: ok 00:00–03:00 (10,800 s), offline then faulty until verified at 10:15:30, ok to
    # midnight (49,470 s). 公积金: ok all day.
    assert (shebao["open_seconds"], shebao["available_seconds"]) == (DAY, 10_800 + 49_470)
    assert shebao["availability"] == round(60_270 / DAY, 4) == 0.6976
    assert (gjj["available_seconds"], gjj["availability"]) == (DAY, 1.0)
    assert devices["ss-tax"]["availability"] == 0.0
    assert main["availability"] == round((60_270 + DAY) / (7 * DAY), 4) == 0.2425

    assert main["rounds"] == {
        "开门前检查": {"due": 2, "on_time": 2, "missed": 0, "on_time_share": 1.0},
        "闭门后检查": {"due": 2, "on_time": 1, "missed": 1, "on_time_share": 0.5},
    }
    assert (main["faults"], main["faults_by_source"]["offline"]) == (1, 1)
    opened = datetime.fromisoformat(case["opened_at"])
    assert opened == at(3, 10)
    assert (main["repaired"], main["repair_seconds_mean"]) == (
        1,
        (at(10, 15, 30) - opened).total_seconds(),
    )
    assert (main["help_requests"], main["help_acknowledged"], main["help_escalated"]) == (2, 2, 1)
    assert (main["help_response_seconds_mean"], main["help_response_seconds_p90"]) == (195, 300)
    assert (shebao["help_requests"], gjj["help_escalated"]) == (1, 1)

    assert table.status_code == 200, table.text
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    hall_row, by_device = rows[0], {row["device"]: row for row in rows[1:-1]}
    assert [(row["hall"], row["device"]) for row in (hall_row, rows[-1])] == [
        ("main", ""),
        ("total", ""),
    ]
    assert by_device[SHEBAO]["availability"] == "0.6976"
    assert hall_row["help_response_seconds_p90"] == "300.0"
    assert (hall_row["round_闭门后检查_missed"], hall_row["faults_offline"]) == ("1", "1")

    assert workbook.status_code == 200, workbook.text
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    heading, *cells = list(sheet.iter_rows(values_only=True))[1:]
    named = [dict(zip(heading, row, strict=True)) for row in cells]
    assert [(row["设备"], row["完好率"]) for row in named][:3] == [
        (None, 0.2425),
        (SHEBAO, 0.6976),
        (GJJ, 1.0),
    ]
    assert (named[0]["大厅代码"], named[0]["超时未响应"]) == ("main", 1)
