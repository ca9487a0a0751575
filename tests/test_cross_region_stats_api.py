"""`GET /api/stats/cross-region` and its CSV/XLSX export over real HTTP, against a city of two
halls (`main` and `kangbashi`) on a manual clock: the worked period of
tests/domain/test_cross_region_stats.py, across National Day 2026, read by each kind of caller."""

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest

from queue_server.domain.clock import ManualClock
from queue_server.domain.cross_region import CrossRegionStatus
from tests.city_support import LiveCity, example_city_of, live_city
from tests.hall_support import city_server

TZ = ZoneInfo("Asia/Shanghai")
A, B = "main", "kangbashi"
PERIOD = {"from": "2026-09-28", "to": "2026-10-16"}
NOW = datetime(2026, 10, 19, 10, 0, tzinfo=TZ)
STATES = [status.value for status in CrossRegionStatus]
ROW_KEYS = {
    "key",
    "label",
    "received_for_others",
    "decided_for_others",
    "by_state",
    "steps",
    "on_time",
    "late",
    "on_time_share",
    "delivered",
    "working_days_mean",
}


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


CASES = "/api/cross-region-cases"
MATTER = "social_security_card"
"""Allows both modes; its originals do not travel, so forwarding is due in 1 working day."""
WINDOW = 2


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


Caller = Callable[[str, str], httpx.Client]
"""An HTTP client of `role` (kiosk or clerk) of `hall`."""


def callers(city: LiveCity) -> Caller:
    def caller(hall: str, role: str) -> httpx.Client:
        if role == "kiosk":
            return city.client(city.city.hall(hall).kiosk_token)
        return city.as_(f"{hall}-{role}1")

    return caller


def open_case(caller: Caller, hall: str, **body: str) -> dict[str, Any]:
    """An applicant takes a ticket at `hall`; a clerk calls it to window 2, opens the case
    and finishes the ticket."""
    kiosk = caller(hall, "kiosk")
    ticket = ok(kiosk.post("/api/tickets", json={"category": "general"}), 201)
    window = caller(hall, "clerk")
    ok(window.post(f"/api/windows/{WINDOW}/sign-in"))
    called = ok(window.post(f"/api/windows/{WINDOW}/call-next"))
    assert called["id"] == ticket["id"]
    opening = {"ticket_id": ticket["id"], "matter": MATTER, "mode": "remote_accept", **body}
    case = ok(window.post(CASES, json=opening), 201)
    ok(window.post(f"/api/tickets/{ticket['id']}/start"))
    ok(window.post(f"/api/tickets/{ticket['id']}/finish", json={}))
    ok(window.post(f"/api/windows/{WINDOW}/sign-out"))
    return case


def take(caller: Caller, hall: str, case: dict[str, Any], step: str, **body: object) -> None:
    """A clerk of `hall` takes the case's next step."""
    ok(caller(hall, "clerk").post(f"{CASES}/{case['id']}/{step}", json=body))


def steps_of(city: LiveCity, case: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(step, hall, due day) of each step row, as the service recorded them."""
    detail = ok(city.as_(f"{case['receiving_hall']}-manager").get(f"{CASES}/{case['id']}"))
    return [
        (
            s["step"],
            s["hall"],
            None if s["due_at"] is None else datetime.fromisoformat(s["due_at"]).date().isoformat(),
        )
        for s in detail["steps"]
    ]


@pytest.fixture
def city(tmp_path: Path) -> Iterator[LiveCity]:
    """Two halls; clerks work three cases through the API on a manual clock, and the clock
    stops on Monday 2026-10-19 10:00 (the domain test works the figures out by hand):

    1. received at main 09-30 for kangbashi, picked up at main 10-12 (4 working days), its
       delivery late (due the make-up Saturday 10-10);
    2. received at kangbashi 10-09 for main, to be mailed; forwarded late, returned for 补正 on
       time, resubmitted; main's re-check open and overdue since 10-16;
    3. received at main 09-24 (before the period) for kangbashi, accepted on time 09-28, its
       decision open and overdue since 10-10."""
    clock = ManualClock(at(9, 24, 10))
    with live_city(tmp_path, city=example_city_of(tmp_path, A, B), clock=clock) as c:
        caller = callers(c)
        third = open_case(caller, A, owner_hall=B, delivery="pickup")
        clock.set(at(9, 24, 11))
        take(caller, A, third, "forward", channel="electronic")
        clock.set(at(9, 28, 10))
        take(caller, B, third, "accept")
        clock.set(at(9, 30, 10))
        first = open_case(caller, A, owner_hall=B, delivery="pickup")
        clock.set(at(9, 30, 16))
        take(caller, A, first, "forward", channel="electronic")
        clock.set(at(10, 8, 9))
        take(caller, B, first, "accept")
        clock.set(at(10, 9, 11))
        take(caller, B, first, "decide", result="approved")
        clock.set(at(10, 9, 15))
        second = open_case(caller, B, owner_hall=A, delivery="mail", mail_address="某街道1号")
        clock.set(at(10, 12, 8))
        take(caller, B, second, "forward", channel="electronic")
        clock.set(at(10, 12, 9, 30))
        take(caller, A, first, "deliver", channel="pickup")
        clock.set(at(10, 13, 17))
        take(caller, A, second, "return", materials=["户口簿原件"])
        clock.set(at(10, 15, 9))
        take(caller, B, second, "resubmit")
        clock.set(NOW)
        assert steps_of(c, first) == [
            ("receive", A, None),
            ("forward", A, "2026-10-08"),
            ("accept", B, "2026-10-08"),
            ("decide", B, "2026-10-14"),
            ("deliver", A, "2026-10-10"),
        ]
        assert steps_of(c, second) == [
            ("receive", B, None),
            ("forward", B, "2026-10-10"),
            ("return", A, "2026-10-13"),
            ("resubmit", B, None),
            ("accept", A, "2026-10-16"),
        ]
        assert steps_of(c, third)[-1] == ("decide", B, "2026-10-10")
        yield c


def report(client: httpx.Client, **params: str) -> dict[str, Any]:
    response = client.get("/api/stats/cross-region", params={**PERIOD, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def step_shares(row: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {step: (s["on_time"], s["counted"]) for step, s in row["steps"].items()}


def test_city_wide_callers_get_every_hall_and_the_city_total(city: LiveCity) -> None:
    for name in (city.city.manager, city.city.admin):
        body = report(city.as_(name))
        assert (body["from_day"], body["to_day"]) == ("2026-09-28", "2026-10-16")
        rows = {row["key"]: row for row in body["rows"]}
        assert list(rows) == [A, B]
        assert all(set(row) == ROW_KEYS for row in [*rows.values(), body["total"]])
        main, kangbashi, total = rows[A], rows[B], body["total"]
        assert (main["label"], kangbashi["label"]) == ("一门市民服务中心", "康巴什区政务服务中心")
        assert (total["key"], total["label"]) == ("total", "合计")

        assert (main["received_for_others"], main["decided_for_others"]) == (1, 0)
        assert (kangbashi["received_for_others"], kangbashi["decided_for_others"]) == (1, 1)
        assert (total["received_for_others"], total["decided_for_others"]) == (2, 1)
        both = {state: 0 for state in STATES} | {"delivered": 1, "forwarded": 1}
        assert main["by_state"] == kangbashi["by_state"] == total["by_state"] == both

        assert step_shares(main) == {
            "forward": (1, 1),
            "accept": (0, 1),
            "return": (1, 1),
            "decide": (0, 0),
            "deliver": (0, 1),
        }
        assert step_shares(kangbashi) == {
            "forward": (0, 1),
            "accept": (2, 2),
            "return": (0, 0),
            "decide": (1, 2),
            "deliver": (0, 0),
        }
        assert main["steps"]["deliver"] == {
            "counted": 1,
            "on_time": 0,
            "late": 1,
            "on_time_share": 0.0,
        }
        assert main["steps"]["decide"]["on_time_share"] is None
        assert (main["on_time"], main["late"], main["on_time_share"]) == (2, 2, 0.5)
        assert (kangbashi["on_time"], kangbashi["late"], kangbashi["on_time_share"]) == (3, 2, 0.6)
        assert (total["on_time"], total["late"], total["on_time_share"]) == (5, 4, 0.5556)
        for figure in ("received_for_others", "decided_for_others", "on_time", "late"):
            assert total[figure] == main[figure] + kangbashi[figure], figure

        assert (main["delivered"], main["working_days_mean"]) == (1, 4.0)
        assert (kangbashi["delivered"], kangbashi["working_days_mean"]) == (0, None)
        assert (total["delivered"], total["working_days_mean"]) == (1, 4.0)


def test_a_hall_manager_sees_only_their_hall(city: LiveCity) -> None:
    everything = report(city.as_(city.city.manager))
    rows = {row["key"]: row for row in everything["rows"]}
    for code in (A, B):
        own = report(city.as_(f"{code}-manager"))
        assert own["total"] is None
        assert own["rows"] == [rows[code]]
        assert report(city.as_(f"{code}-manager"), hall=code)["rows"] == [rows[code]]
        named = report(city.as_(city.city.admin), hall=code)
        assert (named["rows"], named["total"]) == ([rows[code]], None)
    other = city.as_(f"{B}-manager").get("/api/stats/cross-region", params={**PERIOD, "hall": A})
    assert (other.status_code, other.json()["code"]) == (403, "wrong_hall")


def test_a_quiet_period_lists_every_hall_with_zeros(city: LiveCity) -> None:
    body = report(city.as_(city.city.admin), **{"from": "2026-11-02", "to": "2026-11-06"})
    for row in [*body["rows"], body["total"]]:
        assert (row["received_for_others"], row["decided_for_others"]) == (0, 0)
        assert set(row["by_state"].values()) == {0}
        assert (row["on_time"], row["late"], row["on_time_share"]) == (0, 0, None)
        assert (row["delivered"], row["working_days_mean"]) == (0, None)


@pytest.mark.parametrize("path", ["/api/stats/cross-region", "/api/stats/cross-region/export"])
def test_refusals(city: LiveCity, path: str) -> None:
    manager = city.as_(city.city.manager)
    cases: list[tuple[httpx.Client, dict[str, str], int, str]] = [
        (city.as_(f"{A}-clerk1"), {}, 403, "wrong_role"),
        (city.client(city.city.hall(A).kiosk_token), {}, 403, "wrong_role"),
        (city.client(), {}, 401, "unauthenticated"),
        (city.as_(f"{A}-manager"), {"hall": B}, 403, "wrong_hall"),
        (manager, {"hall": "nowhere"}, 404, "not_found"),
        (manager, {"from": "2026-10-16", "to": "2026-09-28"}, 422, "invalid_input"),
        (manager, {"from": "2024-01-01", "to": "2026-10-16"}, 422, "invalid_input"),
        (manager, {"from": "20260928"}, 422, "invalid_request"),
        (manager, {"format": "pdf"} if path.endswith("export") else {"to": "0"}, 422, ""),
    ]
    for client, params, status, code in cases:
        response = client.get(path, params={**PERIOD, **params})
        assert response.status_code == status, (params, response.text)
        if code:
            assert response.json()["code"] == code, params
        assert response.json()["detail"]
    no_dates = manager.get(path)
    assert no_dates.status_code == 422


def test_csv_and_xlsx_hold_the_same_figures(city: LiveCity) -> None:
    manager = city.as_(city.city.manager)
    body = report(manager)
    download = manager.get("/api/stats/cross-region/export", params=PERIOD)
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"] == (
        'attachment; filename="yimen-cross-region-2026-09-28-2026-10-16-city.csv"'
    )
    assert download.content.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [row["key"] for row in table] == [A, B, "total"]
    main, kangbashi, total = table
    assert (main["received_for_others"], kangbashi["decided_for_others"]) == ("1", "1")
    assert main["label"] == "一门市民服务中心"
    assert (main["state_delivered"], main["state_forwarded"], main["state_received"]) == (
        "1",
        "1",
        "0",
    )
    assert (main["deliver_counted"], main["deliver_late"], main["deliver_on_time_share"]) == (
        "1",
        "1",
        "0.0",
    )
    assert main["decide_on_time_share"] == ""
    assert (total["on_time_share"], total["working_days_mean"]) == ("0.5556", "4.0")
    assert kangbashi["working_days_mean"] == ""

    workbook = manager.get("/api/stats/cross-region/export", params={**PERIOD, "format": "xlsx"})
    assert workbook.status_code == 200, workbook.text
    assert workbook.headers["content-disposition"].endswith('-city.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    assert sheet.title == "市域通办"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "统计区间 2026-09-28 至 2026-10-16"
    heading = list(rows[1])
    assert heading[:4] == ["大厅代码", "大厅", "为他厅收件", "为他厅办结"]
    assert "状态·已送达" in heading and "送达·按时率" in heading and "补正告知·超时" in heading
    cells = [dict(zip(heading, row, strict=True)) for row in rows[2:]]
    assert [row["大厅代码"] for row in cells] == [A, B, "total"]
    assert cells[1]["为他厅办结"] == body["rows"][1]["decided_for_others"] == 1
    assert cells[2]["按时率"] == body["total"]["on_time_share"] == 0.5556
    assert cells[0]["收件至送达平均工作日"] == 4.0
    assert cells[1]["收件至送达平均工作日"] is None

    own = city.as_(f"{B}-manager").get(
        "/api/stats/cross-region/export", params={**PERIOD, "format": "csv"}
    )
    assert own.headers["content-disposition"].endswith(f'-{B}.csv"')
    assert [row["key"] for row in csv.DictReader(io.StringIO(own.text.lstrip("\ufeff")))] == [B]


def test_days_are_the_halls_local_dates(city: LiveCity) -> None:
    """10-09 alone, in Beijing time: kangbashi received case 2 and decided case 1 that day."""
    day = date(2026, 10, 9).isoformat()
    body = report(city.as_(city.city.manager), **{"from": day, "to": day})
    rows = {row["key"]: row for row in body["rows"]}
    assert (rows[B]["received_for_others"], rows[B]["decided_for_others"]) == (1, 1)
    assert rows[A]["received_for_others"] == 0


@pytest.mark.both_databases
def test_the_report_reads_the_cases_on_both_databases(database_url: str) -> None:
    """The example city's three halls, on SQLite and PostgreSQL: a case received at main for
    kangbashi and forwarded today counts on both sides, quiet ejinhoro with zeros."""
    with city_server(database_url) as server:

        def caller(hall: str, role: str) -> httpx.Client:
            return server.client(server.token(hall, role))

        case = open_case(caller, A, owner_hall=B, delivery="pickup")
        take(caller, A, case, "forward", channel="electronic")
        take(caller, B, case, "accept")
        manager = server.client(server.token(None, "manager"))
        today = datetime.fromisoformat(case["opened_at"]).astimezone(TZ).date().isoformat()
        response = manager.get("/api/stats/cross-region", params={"from": today, "to": today})
        body = ok(response)
        rows = {row["key"]: row for row in body["rows"]}
        assert list(rows) == [A, B, "ejinhoro"]
        assert rows[A]["received_for_others"] == body["total"]["received_for_others"] == 1
        assert rows[A]["steps"]["forward"] == {
            "counted": 1,
            "on_time": 1,
            "late": 0,
            "on_time_share": 1.0,
        }
        assert rows[B]["steps"]["accept"]["on_time"] == 1
        assert rows[A]["by_state"]["accepted"] == rows[B]["by_state"]["accepted"] == 1
        assert rows["ejinhoro"]["by_state"]["accepted"] == 0
        assert body["total"]["on_time_share"] == 1.0
