"""`GET /api/stats/self-service` and its CSV/XLSX export over real HTTP, against a city of two
halls (`main` with the shipped zone of seven devices, all day; `kangbashi` without a zone) on a
manual clock: Monday 2026-11-30 of tests/domain/test_self_service_stats.py, read by each kind
of caller.

The help requests go through their API; the status history, inspections and repair cases are
written through the models, to the second and across a city (tests/test_zone_day.py drives
heartbeats, inspections and repairs through their API end to end)."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest

from queue_server.domain.clock import ManualClock
from tests.city_support import LiveCity, example_city_of, live_city
from tests.zone_stats_support import HelpCallers, ask_for_help, seed_zone_day, zone_device_token

TZ = ZoneInfo("Asia/Shanghai")
A, B = "main", "kangbashi"
PERIOD = {"from": "2026-11-30", "to": "2026-11-30"}
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
PATH = "/api/stats/self-service"
DEVICES = ["ss-shebao", "ss-gjj", "ss-budongchan", "ss-tax", "ss-churujing", "ss-print", "locker-1"]
DAY = 86_400
SHEBAO_AVAILABLE = 7_987 + 17_070 + 30_555
"""00:00–02:13:07, 09:15:30–14:00:00 and 14:00:45–22:30:00 (the domain test's timeline)."""


SUNDAY = datetime(2026, 11, 29, tzinfo=TZ)
"""The domain test's days a week earlier: the seeded login tokens must still be valid at the
manual clock's time."""


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveCity]:
    folder: Path = tmp_path_factory.mktemp("zone-stats")
    clock = ManualClock(NOW)
    with live_city(folder, city=example_city_of(folder, A, B), clock=clock) as c:
        seed_zone_day(c.database_url, sunday=SUNDAY, hall=A, clerk=f"{A}-clerk1")
        callers = HelpCallers(
            terminal=c.client(zone_device_token(c.database_url, "ss-shebao", A)),
            printer=c.client(zone_device_token(c.database_url, "ss-print", A)),
            kiosk=c.client(c.city.hall(A).kiosk_token),
            clerk=c.as_(f"{A}-clerk1"),
        )
        ask_for_help(callers, clock, sunday=SUNDAY)
        clock.set(NOW)
        yield c


def report(client: httpx.Client, **params: str) -> dict[str, Any]:
    response = client.get(PATH, params={**PERIOD, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_city_wide_callers_get_every_hall_its_devices_and_the_city_total(city: LiveCity) -> None:
    for name in (city.city.manager, city.city.admin):
        body = report(city.as_(name))
        assert (body["from_day"], body["to_day"]) == ("2026-11-30", "2026-11-30")
        main, kangbashi = body["rows"]
        total = body["total"]
        assert (main["key"], main["label"]) == (A, "一门市民服务中心")
        assert (total["key"], total["label"], total["devices"]) == ("total", "合计", [])
        devices = {row["key"]: row for row in main["devices"]}
        assert list(devices) == DEVICES
        assert devices["ss-shebao"]["label"] == "社保自助终端"

        shebao, gjj = devices["ss-shebao"], devices["ss-gjj"]
        assert (shebao["open_seconds"], shebao["available_seconds"]) == (DAY, SHEBAO_AVAILABLE)
        assert shebao["availability"] == round(SHEBAO_AVAILABLE / DAY, 4) == 0.6437
        assert (gjj["available_seconds"], gjj["availability"]) == (DAY, 1.0)
        assert devices["ss-tax"]["availability"] == 0.0
        assert main["device_count"] == 7
        assert main["open_seconds"] == 7 * DAY
        assert main["available_seconds"] == SHEBAO_AVAILABLE + DAY
        assert main["availability"] == round((SHEBAO_AVAILABLE + DAY) / (7 * DAY), 4)

        # Due from the three devices in service: ss-shebao, ss-gjj and ss-tax (heard from at
        # 08:45, inspected a second late).
        assert (main["inspections_due"], main["inspections_on_time"]) == (6, 3)
        assert (main["inspections_missed"], main["inspections_on_time_share"]) == (3, 0.5)
        assert main["rounds"] == {
            "开门前检查": {"due": 3, "on_time": 2, "missed": 1, "on_time_share": 0.6667},
            "闭门后检查": {"due": 3, "on_time": 1, "missed": 2, "on_time_share": 0.3333},
        }
        assert shebao["inspections_on_time_share"] == 1.0
        assert (devices["ss-tax"]["inspections_due"], devices["ss-tax"]["inspections_on_time"]) == (
            2,
            0,
        )
        assert devices["ss-budongchan"]["inspections_due"] == 0

        assert main["faults"] == shebao["faults"] == 2
        assert main["faults_by_source"] == {
            "inspection": 0,
            "staff": 0,
            "heartbeat": 1,
            "offline": 1,
        }
        assert (main["repaired"], main["repair_seconds_mean"]) == (2, (12_930 + 34_200) / 2)

        assert (main["help_requests"], main["help_acknowledged"], main["help_escalated"]) == (
            3,
            2,
            2,
        )
        assert (main["help_response_seconds_mean"], main["help_response_seconds_p90"]) == (
            180.0,
            300.0,
        )
        assert (shebao["help_requests"], shebao["help_response_seconds_mean"]) == (1, 60.0)
        assert (devices["ss-print"]["help_requests"], devices["ss-print"]["help_escalated"]) == (
            1,
            1,
        )

        assert (kangbashi["device_count"], kangbashi["devices"]) == (0, [])
        assert (kangbashi["open_seconds"], kangbashi["availability"]) == (0, None)
        assert kangbashi["help_response_seconds_p90"] is None
        for key in ("open_seconds", "available_seconds", "availability", "rounds", "faults"):
            assert total[key] == main[key], key
        assert total["help_response_seconds_p90"] == 300.0


def test_a_hall_manager_sees_only_their_hall(city: LiveCity) -> None:
    everything = report(city.as_(city.city.manager))
    rows = {row["key"]: row for row in everything["rows"]}
    for code in (A, B):
        own = report(city.as_(f"{code}-manager"))
        assert (own["rows"], own["total"]) == ([rows[code]], None)
        named = report(city.as_(city.city.admin), hall=code)
        assert (named["rows"], named["total"]) == ([rows[code]], None)


def test_the_clock_bounds_the_open_hours_of_today(city: LiveCity) -> None:
    """Tuesday up to 10:00: ten hours open; ss-gjj ok until its fault at 09:00."""
    body = report(city.as_(f"{A}-manager"), **{"from": "2026-12-01", "to": "2026-12-02"})
    (main,) = body["rows"]
    gjj = {row["key"]: row for row in main["devices"]}["ss-gjj"]
    assert (gjj["open_seconds"], gjj["available_seconds"]) == (10 * 3600, 9 * 3600)
    # Tuesday's before-opening round has ended: due from the three devices in service, missed.
    assert main["rounds"]["开门前检查"] == {
        "due": 3,
        "on_time": 0,
        "missed": 3,
        "on_time_share": 0.0,
    }
    assert main["rounds"]["闭门后检查"]["due"] == 0


@pytest.mark.parametrize("path", [PATH, f"{PATH}/export"])
def test_refusals(city: LiveCity, path: str) -> None:
    manager = city.as_(city.city.manager)
    cases: list[tuple[httpx.Client, dict[str, str], int, str]] = [
        (city.as_(f"{A}-clerk1"), {}, 403, "wrong_role"),
        (city.client(city.city.hall(A).kiosk_token), {}, 403, "wrong_role"),
        (city.client(), {}, 401, "unauthenticated"),
        (city.as_(f"{B}-manager"), {"hall": A}, 403, "wrong_hall"),
        (manager, {"hall": "nowhere"}, 404, "not_found"),
        (manager, {"from": "2026-11-30", "to": "2026-11-29"}, 422, "invalid_input"),
        (manager, {"from": "2024-01-01", "to": "2026-11-30"}, 422, "invalid_input"),
        (manager, {"from": "20261130"}, 422, "invalid_request"),
        (manager, {"format": "pdf"} if path.endswith("export") else {"to": "0"}, 422, ""),
    ]
    for client, params, status, code in cases:
        response = client.get(path, params={**PERIOD, **params})
        assert response.status_code == status, (params, response.text)
        if code:
            assert response.json()["code"] == code, params
        assert response.json()["detail"]
    assert manager.get(path).status_code == 422


def test_csv_and_xlsx_hold_the_same_figures(city: LiveCity) -> None:
    manager = city.as_(city.city.manager)
    body = report(manager)
    download = manager.get(f"{PATH}/export", params=PERIOD)
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"] == (
        'attachment; filename="yimen-self-service-2026-11-30-2026-11-30-city.csv"'
    )
    assert download.content.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [(row["hall"], row["device"]) for row in table] == [
        (A, ""),
        *((A, device) for device in DEVICES),
        (B, ""),
        ("total", ""),
    ]
    main, shebao = table[0], table[1]
    assert (main["availability"], shebao["availability"]) == (
        str(body["rows"][0]["availability"]),
        "0.6437",
    )
    assert (shebao["label"], shebao["available_seconds"]) == (
        "社保自助终端",
        f"{SHEBAO_AVAILABLE}.0",
    )
    assert (main["round_开门前检查_due"], main["round_闭门后检查_on_time"]) == ("3", "1")
    assert (main["faults"], main["faults_offline"], main["faults_staff"]) == ("2", "1", "0")
    assert (main["help_escalated"], main["help_response_seconds_p90"]) == ("2", "300.0")
    assert table[-2]["availability"] == ""  # kangbashi has no zone

    workbook = manager.get(f"{PATH}/export", params={**PERIOD, "format": "xlsx"})
    assert workbook.status_code == 200, workbook.text
    assert workbook.headers["content-disposition"].endswith('-city.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    assert sheet.title == "自助服务区"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "统计区间 2026-11-30 至 2026-11-30"
    heading = list(rows[1])
    assert heading[:4] == ["大厅代码", "设备", "名称", "开放时长(秒)"]
    assert "开门前检查·漏检" in heading and "故障·离线" in heading and "响应时长P90(秒)" in heading
    cells = [dict(zip(heading, row, strict=True)) for row in rows[2:]]
    assert cells[0]["完好率"] == body["rows"][0]["availability"]
    assert cells[1]["设备"] == "ss-shebao" and cells[1]["完好率"] == 0.6437
    assert cells[-1]["大厅代码"] == "total" and cells[-1]["一键求助"] == 3

    own = city.as_(f"{B}-manager").get(f"{PATH}/export", params=PERIOD)
    assert own.headers["content-disposition"].endswith(f'-{B}.csv"')
    assert [row["hall"] for row in csv.DictReader(io.StringIO(own.text.lstrip("\ufeff")))] == [B]
