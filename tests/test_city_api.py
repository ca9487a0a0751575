"""The city-wide read endpoints over real HTTP, against a server of the example city:
`GET /api/halls`, `GET /api/public/halls` and `GET /api/stats?group_by=hall`."""

import io
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from queue_server.client import QueueClient, QueueError
from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.services.city import hall_summaries, public_halls
from tests.city_support import LiveCity, live_city
from tests.support import live_server

CITY = ("main", "kangbashi", "ejinhoro")
SUMMARY_KEYS = {
    "code",
    "name",
    "district",
    "address",
    "waiting",
    "longest_wait_seconds",
    "over_target",
    "windows_open",
    "windows_paused",
    "windows_closed",
    "alerts",
}
PUBLIC_HALL_KEYS = {"code", "name", "address", "district", "open_now", "categories"}
PUBLIC_CATEGORY_KEYS = {"code", "name", "waiting", "eta_minutes", "open"}


@pytest.fixture
def city(tmp_path: Path) -> Iterator[LiveCity]:
    with live_city(tmp_path) as running:
        yield running


def issue(city: LiveCity, hall: str, category: str, **extra: str) -> dict[str, Any]:
    kiosk = city.client(city.city.hall(hall).kiosk_token)
    response = kiosk.post("/api/tickets", json={"category": category, **extra})
    assert response.status_code == 201, response.text
    ticket: dict[str, Any] = response.json()
    return ticket


def clerk(city: LiveCity, hall: str, number: int = 1) -> httpx.Client:
    return city.as_(f"{hall}-clerk{number}")


def by_code(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in rows}


def summaries(client: httpx.Client) -> dict[str, dict[str, Any]]:
    response = client.get("/api/halls")
    assert response.status_code == 200, response.text
    rows = response.json()
    assert all(set(row) == SUMMARY_KEYS for row in rows)
    return by_code(rows)


def seq(city: LiveCity) -> int:
    """The city's newest event: unchanged when a refused request changed nothing."""
    value: int = city.client().get("/api/health").json()["seq"]
    return value


def test_summaries_change_in_the_one_hall_that_moved(city: LiveCity) -> None:
    manager = city.as_(city.city.manager)
    response = manager.get("/api/halls")
    assert [row["code"] for row in response.json()] == list(CITY)
    before = summaries(manager)
    assert before["kangbashi"]["name"] == "康巴什区政务服务中心"
    assert before["kangbashi"]["district"] == "康巴什区"
    assert before["ejinhoro"]["address"] == "内蒙古自治区鄂尔多斯市伊金霍洛旗阿勒腾席热镇"
    for row in before.values():
        assert (row["waiting"], row["longest_wait_seconds"], row["over_target"]) == (0, None, 0)
        assert row["windows_open"] == row["windows_paused"] == row["alerts"] == 0
        assert row["windows_closed"] > 0

    issue(city, "kangbashi", "consult")
    issue(city, "kangbashi", "general")
    issued = summaries(manager)
    assert issued["kangbashi"]["waiting"] == 2
    assert issued["kangbashi"]["longest_wait_seconds"] is not None
    assert issued["main"] == before["main"]
    assert issued["ejinhoro"] == before["ejinhoro"]

    window = clerk(city, "kangbashi")
    assert window.post("/api/windows/1/sign-in").status_code == 200
    called = window.post("/api/windows/1/call-next")
    assert called.status_code == 200, called.text
    assert called.json()["category"] == "consult"
    moved = summaries(manager)
    assert moved["kangbashi"]["waiting"] == 1
    assert moved["kangbashi"]["windows_open"] == 1
    assert moved["kangbashi"]["windows_closed"] == before["kangbashi"]["windows_closed"] - 1
    assert moved["main"] == before["main"]
    assert moved["ejinhoro"] == before["ejinhoro"]

    assert window.post("/api/windows/1/pause", json={"reason": "开会"}).status_code == 200
    paused = summaries(manager)["kangbashi"]
    assert (paused["windows_open"], paused["windows_paused"]) == (0, 1)


def test_summaries_count_as_the_live_statistics_do(city: LiveCity) -> None:
    issue(city, "ejinhoro", "consult")
    issue(city, "ejinhoro", "consult")
    issue(city, "ejinhoro", "general")
    admin = city.as_(city.city.admin)
    live = admin.get("/api/stats/live", params={"hall": "ejinhoro"}).json()
    row = summaries(admin)["ejinhoro"]
    assert row["waiting"] == sum(c["waiting"] for c in live["categories"]) == 3
    assert row["over_target"] == sum(c["over_target"] for c in live["categories"])
    assert row["windows_closed"] == live["windows_closed"]
    assert row["alerts"] == len(live["alerts"])


def test_a_wait_past_its_target_shows_in_its_hall_only(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    with live_city(tmp_path, clock=clock, alert_check_seconds=0.1) as city:
        manager = city.as_(city.city.manager)
        issue(city, "kangbashi", "consult")
        issue(city, "main", "general")
        clock.advance(timedelta(minutes=11))
        deadline = time.monotonic() + 15
        while summaries(manager)["kangbashi"]["alerts"] == 0:
            assert time.monotonic() < deadline, "no alert raised in time"
            time.sleep(0.05)
        rows = summaries(manager)
        assert rows["kangbashi"]["over_target"] == 1
        assert rows["kangbashi"]["longest_wait_seconds"] == 660.0
        assert rows["kangbashi"]["alerts"] == 1
        assert rows["main"]["over_target"] == 0, "20 minutes is the target of 综合受理"
        assert rows["main"]["alerts"] == 0
        assert rows["ejinhoro"]["waiting"] == rows["ejinhoro"]["alerts"] == 0
        live = manager.get("/api/stats/live", params={"hall": "kangbashi"}).json()
        assert [alert["type"] for alert in live["alerts"]] == ["alert.wait_target"]


def test_a_hall_bound_manager_sees_only_their_hall(city: LiveCity) -> None:
    issue(city, "main", "consult")
    own = city.as_("kangbashi-manager").get("/api/halls")
    assert own.status_code == 200
    assert [row["code"] for row in own.json()] == ["kangbashi"]
    assert own.json()[0]["waiting"] == 0
    named = city.as_("kangbashi-manager").get("/api/halls", params={"hall": "main"})
    assert [row["code"] for row in named.json()] == ["kangbashi"], "hall= is not a parameter"
    everything = city.as_(city.city.admin).get("/api/halls", params={"hall": "main"})
    assert [row["code"] for row in everything.json()] == list(CITY)
    assert by_code(everything.json())["main"]["waiting"] == 1


@pytest.mark.parametrize("caller", ["clerk", "kiosk", "board", "evaluator"])
def test_halls_refuse_terminals(city: LiveCity, caller: str) -> None:
    hall = city.city.hall("main")
    token = {
        "clerk": city.city.token("main-clerk1"),
        "kiosk": hall.kiosk_token,
        "board": hall.board_token,
        "evaluator": hall.evaluator_token,
    }[caller]
    before = seq(city)
    response = city.client(token).get("/api/halls")
    assert (response.status_code, response.json()["code"]) == (403, "wrong_role")
    assert seq(city) == before


def test_halls_need_a_token(city: LiveCity) -> None:
    for client in (city.client(), city.client("not-a-token")):
        response = client.get("/api/halls")
        assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_public_halls_need_no_token_and_hold_no_personal_data(city: LiveCity) -> None:
    issue(city, "main", "general", priority="other", priority_note="轮椅陪同张三")
    window = clerk(city, "main")
    assert window.post("/api/windows/2/sign-in").status_code == 200
    assert window.post("/api/windows/2/pause", json={"reason": "李四请假去医院"}).status_code == 200

    anonymous = city.client().get("/api/public/halls")
    assert anonymous.status_code == 200
    assert anonymous.headers["content-type"].startswith("application/json")
    assert anonymous.headers["cache-control"] == "no-store"
    assert anonymous.headers["x-content-type-options"] == "nosniff"
    halls = anonymous.json()
    assert [hall["code"] for hall in halls] == list(CITY)
    for hall in halls:
        assert set(hall) == PUBLIC_HALL_KEYS
        assert hall["categories"]
        for category in hall["categories"]:
            assert set(category) == PUBLIC_CATEGORY_KEYS
    text = anonymous.text
    for private in ("张三", "李四", "窗口员", "clerk", "token", "public_code"):
        assert private not in text
    main = by_code(halls)["main"]
    assert main["address"] == "内蒙古自治区鄂尔多斯市康巴什区市民中心"
    assert main["open_now"] is True
    assert by_code(main["categories"])["general"]["waiting"] == 1

    with_token = city.client("any-token-at-all").get("/api/public/halls")
    assert with_token.status_code == 200
    assert with_token.json() == halls


def test_public_halls_show_the_kiosk_estimate_and_follow_events(city: LiveCity) -> None:
    window = clerk(city, "ejinhoro")
    assert window.post("/api/windows/1/sign-in").status_code == 200
    first = city.client().get("/api/public/halls").json()
    issue(city, "ejinhoro", "consult")
    issue(city, "ejinhoro", "consult")
    after = city.client().get("/api/public/halls").json()
    assert after != first, "a new event is seen at once, whatever the cache"
    kiosk = city.client(city.city.hall("ejinhoro").kiosk_token)
    snapshot = kiosk.get("/api/hall").json()
    public = by_code(by_code(after)["ejinhoro"]["categories"])
    for category in snapshot["categories"]:
        shown = public[category["code"]]
        assert shown["waiting"] == category["waiting"]
        assert shown["eta_minutes"] == category["eta_minutes"]
        assert shown["open"] == category["open"]
    assert public["consult"]["waiting"] == 2
    assert public["consult"]["eta_minutes"] is not None
    for code in ("main", "kangbashi"):
        assert by_code(after)[code] == by_code(first)[code]


def service_day(city: LiveCity) -> str:
    day: str = (
        city.client(city.city.hall("main").kiosk_token).get("/api/hall").json()["service_day"]
    )
    return day


def serve_one(city: LiveCity, hall: str, category: str, window_no: int) -> None:
    issue(city, hall, category)
    window = clerk(city, hall)
    assert window.post(f"/api/windows/{window_no}/sign-in").status_code == 200
    called = window.post(f"/api/windows/{window_no}/call-next")
    assert called.status_code == 200, called.text
    ticket_id = called.json()["id"]
    assert window.post(f"/api/tickets/{ticket_id}/start").status_code == 200
    finished = window.post(f"/api/tickets/{ticket_id}/finish", json={})
    assert finished.status_code == 200, finished.text
    assert window.post(f"/api/windows/{window_no}/sign-out").status_code == 200


FIGURES = ("issued", "called", "served", "no_show", "cancelled", "open")


def test_group_by_hall_rows_sum_to_the_city_total(city: LiveCity) -> None:
    serve_one(city, "main", "consult", 1)
    serve_one(city, "kangbashi", "consult", 1)
    issue(city, "kangbashi", "general")
    issue(city, "ejinhoro", "consult")
    issue(city, "ejinhoro", "consult")
    issue(city, "ejinhoro", "general")
    day = service_day(city)
    period = {"from": day, "to": day}
    for name in (city.city.manager, city.city.admin):
        response = city.as_(name).get("/api/stats", params={**period, "group_by": "hall"})
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["group_by"] == "hall"
        rows = by_code([{"code": row["key"], **row} for row in report["rows"]])
        assert list(rows) == list(CITY)
        assert rows["kangbashi"]["label"] == "康巴什区政务服务中心"
        assert [rows[code]["issued"] for code in CITY] == [1, 2, 3]
        assert [rows[code]["served"] for code in CITY] == [1, 1, 0]
        assert report["total"]["key"] == "total"
        for figure in FIGURES:
            assert report["total"][figure] == sum(rows[code][figure] for code in CITY), figure
        assert report["days"] == 1
        assert sum(hour["arrivals"] for hour in report["hourly"]) == 6
    for code in CITY:
        own = city.as_(city.city.manager).get(
            "/api/stats", params={**period, "group_by": "category", "hall": code}
        )
        own_total = own.json()["total"]
        for figure in FIGURES:
            assert own_total[figure] == rows[code][figure], (code, figure)
        assert own_total["wait_mean"] == rows[code]["wait_mean"]

    export = city.as_(city.city.manager).get(
        "/api/stats/export", params={**period, "group_by": "hall"}
    )
    assert export.status_code == 200, export.text
    assert 'filename="yimen-stats-' in export.headers["content-disposition"]
    assert "伊金霍洛旗政务服务中心" in export.text
    assert "合计" in export.text
    workbook = city.as_(city.city.admin).get(
        "/api/stats/export", params={**period, "group_by": "hall", "format": "xlsx"}
    )
    assert workbook.status_code == 200, workbook.text
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    assert sheet.title == "按大厅"
    labels = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert labels[:3] == ["一门市民服务中心", "康巴什区政务服务中心", "伊金霍洛旗政务服务中心"]


def test_group_by_hall_lists_quiet_halls_with_zeros(city: LiveCity) -> None:
    issue(city, "kangbashi", "consult")
    day = service_day(city)
    report = (
        city.as_(city.city.admin)
        .get("/api/stats", params={"from": day, "to": day, "group_by": "hall"})
        .json()
    )
    rows = {row["key"]: row for row in report["rows"]}
    assert list(rows) == list(CITY)
    assert (rows["main"]["issued"], rows["kangbashi"]["issued"], rows["ejinhoro"]["issued"]) == (
        0,
        1,
        0,
    )
    assert report["total"]["issued"] == 1


@pytest.mark.parametrize("path", ["/api/stats", "/api/stats/export"])
def test_group_by_hall_refusals(city: LiveCity, path: str) -> None:
    issue(city, "main", "consult")
    day = service_day(city)
    period = {"from": day, "to": day, "group_by": "hall"}
    before = seq(city)
    cases: list[tuple[httpx.Client, dict[str, str], int, str]] = [
        (city.as_("kangbashi-manager"), {}, 403, "wrong_hall"),
        (city.as_("kangbashi-manager"), {"hall": "kangbashi"}, 422, "invalid_input"),
        (city.as_(city.city.manager), {"hall": "main"}, 422, "invalid_input"),
        (city.as_(city.city.admin), {"hall": "kangbashi"}, 422, "invalid_input"),
        (city.as_("main-clerk1"), {}, 403, "wrong_role"),
        (city.client(city.city.hall("main").kiosk_token), {}, 403, "wrong_role"),
        (city.client(), {}, 401, "unauthenticated"),
    ]
    for client, extra, status, code in cases:
        response = client.get(path, params={**period, **extra})
        assert (response.status_code, response.json()["code"]) == (status, code), extra
        assert response.json()["detail"]
    refused = city.as_(city.city.manager).get(path, params={**period, "hall": "main"})
    assert "hall" in refused.json()["detail"]
    assert seq(city) == before


def test_stats_keep_needing_a_hall_for_other_groupings(city: LiveCity) -> None:
    day = service_day(city)
    period = {"from": day, "to": day, "group_by": "category"}
    needs = city.as_(city.city.manager).get("/api/stats", params=period)
    assert (needs.status_code, needs.json()["code"]) == (422, "hall_required")
    other = city.as_("kangbashi-manager").get("/api/stats", params={**period, "hall": "main"})
    assert (other.status_code, other.json()["code"]) == (403, "wrong_hall")
    unknown = city.as_(city.city.manager).get("/api/stats", params={**period, "hall": "nowhere"})
    assert unknown.status_code == 404
    own = city.as_("kangbashi-manager").get("/api/stats", params=period)
    assert own.status_code == 200


def test_a_city_of_one_hall_reports_by_hall_too(tmp_path: Path) -> None:
    with live_server(tmp_path) as hall:
        kiosk = hall.client(hall.accounts.kiosk_token)
        assert kiosk.post("/api/tickets", json={"category": "consult"}).status_code == 201
        day = kiosk.get("/api/hall").json()["service_day"]
        manager = hall.client(hall.login(hall.accounts.manager))
        report = manager.get("/api/stats", params={"from": day, "to": day, "group_by": "hall"})
        assert report.status_code == 200, report.text
        rows = report.json()["rows"]
        assert [(row["key"], row["issued"]) for row in rows] == [("main", 1)]
        assert report.json()["total"]["issued"] == 1
        listed = manager.get("/api/halls").json()
        assert [(row["code"], row["waiting"]) for row in listed] == [("main", 1)]
        public = hall.client().get("/api/public/halls").json()
        assert [row["code"] for row in public] == ["main"]
        assert public[0]["address"] is None


@pytest.mark.anyio
async def test_the_client_reads_the_city_and_acts_in_its_hall(city: LiveCity) -> None:
    issue(city, "kangbashi", "consult")
    admin = city.city.token(city.city.admin)
    async with (
        QueueClient(city.base_url, token=admin) as everywhere,
        QueueClient(city.base_url, token=admin, hall="kangbashi") as kangbashi,
        QueueClient(city.base_url) as anyone,
    ):
        summaries = await everywhere.halls()
        assert [(row.code, row.waiting) for row in summaries] == [
            ("main", 0),
            ("kangbashi", 1),
            ("ejinhoro", 0),
        ]
        snapshot = await kangbashi.hall()
        assert snapshot.name == "康巴什区政务服务中心"
        public = await anyone.public_halls()
        assert [hall.code for hall in public] == list(CITY)
        consult = {c.code: c for c in public[1].categories}["consult"]
        assert consult.waiting == 1
        with pytest.raises(QueueError) as refused:
            await kangbashi.stats(
                start=snapshot.service_day, end=snapshot.service_day, group_by="hall"
            )
        assert (refused.value.status_code, refused.value.code) == (422, "invalid_input")
        report = await everywhere.stats(
            start=snapshot.service_day, end=snapshot.service_day, group_by="hall"
        )
        assert [row.key for row in report.rows] == list(CITY)


def statements(database_url: str, read: Callable[[Session], object]) -> int:
    """How many SQL statements `read` runs on a fresh read session of the city's database,
    the transaction's `BEGIN` (SQLite) left out."""
    db = Database(database_url)
    count = 0

    def counted(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        nonlocal count
        count += statement != "BEGIN"

    sa.event.listen(db.read_engine, "before_cursor_execute", counted)
    try:
        db.read_sync(read)
    finally:
        db.dispose()
    return count


def test_the_city_reads_cost_a_few_queries_per_hall_whatever_the_tickets(
    city: LiveCity,
) -> None:
    assert city.config is not None
    halls = city.config.halls
    now = datetime.now(UTC)

    def costs() -> tuple[int, int]:
        return (
            statements(city.database_url, lambda s: hall_summaries(s, halls=halls, now=now)),
            statements(city.database_url, lambda s: public_halls(s, halls=halls, now=now)),
        )

    quiet = costs()
    admin = city.as_(city.city.admin)
    for code in CITY:
        for number in range(12):
            category = "consult" if number % 2 else "general"
            reply = admin.post("/api/tickets", params={"hall": code}, json={"category": category})
            assert reply.status_code == 201, reply.text
    window = clerk(city, "main")
    assert window.post("/api/windows/1/sign-in").status_code == 200
    assert window.post("/api/windows/1/call-next").status_code == 200
    busy = costs()
    assert busy == quiet
    summary_cost, public_cost = busy
    assert summary_cost <= 3 * len(halls)
    assert public_cost <= 10 * len(halls), "the kiosk snapshot: about nine queries a hall"
