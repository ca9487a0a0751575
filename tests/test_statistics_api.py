"""Statistics, exports and alerts through the HTTP API and websocket of a real server that
runs in virtual time."""

import asyncio
import csv
import io
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from queue_server.client import QueueClient, QueueError
from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.protocol import EventMessage, StatsReport
from tests.support import PASSWORD, LiveServer, live_server

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 2)
NEXT = date(2026, 3, 3)

pytestmark = pytest.mark.both_databases


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def hall(tmp_path: Path, database_url: str, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(
        tmp_path, database_url=database_url, clock=clock, alert_check_seconds=0.2
    ) as running:
        yield running


def wait_for(condition: object, timeout: float = 15.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def day_scalar(server: LiveServer, sql: str, day: date) -> object:
    """One value of `sql` about service day `day` (the parameter `:day`)."""
    statement = sa.text(sql).bindparams(sa.bindparam("day", day, type_=sa.Date))
    db = Database(server.database_url)
    try:
        with db.read_session() as session:
            return session.connection().execute(statement).scalar()
    finally:
        db.dispose()


def newest_event_seq(server: LiveServer, day: date) -> object:
    return day_scalar(server, "SELECT max(seq) FROM event WHERE service_day = :day", day)


def rollup_seq(server: LiveServer, day: date) -> object:
    """The `last_seq` of the day's roll-up, or None when it has none."""
    sql = "SELECT last_seq FROM stats_rollup WHERE dimension = 'day' AND service_day = :day"
    return day_scalar(server, sql, day)


def rollup_days(server: LiveServer) -> set[date]:
    db = Database(server.database_url)
    try:
        with db.read_session() as session:
            rows = session.connection().exec_driver_sql(
                "SELECT DISTINCT service_day FROM stats_rollup WHERE dimension = 'day'"
            )
            return {date.fromisoformat(str(day)) for (day,) in rows}
    finally:
        db.dispose()


def play_a_day(server: LiveServer, clock: ManualClock) -> None:
    """09:00 A001 and B001 issued; B001 waits 5 min, no-show, requeued, served after 15 min;
    A001 transferred to enterprise; window 2 paused 10 min for a meeting; B002 left waiting."""
    kiosk = server.client(server.accounts.kiosk_token)
    clerk = server.client(server.login("clerk1"))
    other = server.client(server.login("clerk2"))

    def minutes(n: float) -> None:
        clock.advance(timedelta(minutes=n))

    a001 = kiosk.post("/api/tickets", json={"category": "consult"}).json()
    b001 = kiosk.post("/api/tickets", json={"category": "general"}).json()
    assert clerk.post("/api/windows/2/sign-in").status_code == 200
    assert other.post("/api/windows/1/sign-in").status_code == 200
    minutes(5)
    assert clerk.post("/api/windows/2/call-next").json()["id"] == b001["id"]
    assert clerk.post(f"/api/tickets/{b001['id']}/no-show").status_code == 200
    minutes(1)
    assert clerk.post(f"/api/tickets/{b001['id']}/requeue").status_code == 200
    assert other.post("/api/windows/1/call-next").json()["id"] == a001["id"]
    assert other.post(f"/api/tickets/{a001['id']}/start").status_code == 200
    minutes(2)
    moved = other.post(
        f"/api/tickets/{a001['id']}/transfer",
        json={"to_category": "enterprise", "reason": "企业事项"},
    ).json()
    assert moved["category"] == "enterprise"
    assert clerk.post("/api/windows/2/pause", json={"reason": "会议"}).status_code == 200
    minutes(7)
    assert clerk.post("/api/windows/2/resume").status_code == 200
    assert clerk.post("/api/windows/2/call-next").json()["id"] == b001["id"]
    assert clerk.post(f"/api/tickets/{b001['id']}/start").status_code == 200
    minutes(10)
    assert clerk.post(f"/api/tickets/{b001['id']}/finish").status_code == 200
    kiosk.post("/api/tickets", json={"category": "general"})
    clock.set(datetime(2026, 3, 3, 3, 59, tzinfo=SHANGHAI))
    late = kiosk.post("/api/tickets", json={"category": "general"}).json()
    assert late["service_day"] == "2026-03-02"
    clock.set(datetime(2026, 3, 3, 4, 0, tzinfo=SHANGHAI))
    early = kiosk.post("/api/tickets", json={"category": "general"}).json()
    assert early["service_day"] == "2026-03-03"


_managers: dict[str, httpx.Client] = {}


def as_manager(server: LiveServer) -> httpx.Client:
    """One manager login per server: logins are slow on purpose (argon2)."""
    if server.base_url not in _managers or _managers[server.base_url].is_closed:
        _managers[server.base_url] = server.client(server.login("manager"))
    return _managers[server.base_url]


def report(server: LiveServer, start: date, end: date, group_by: str) -> StatsReport:
    manager = as_manager(server)
    response = manager.get(
        "/api/stats", params={"from": str(start), "to": str(end), "group_by": group_by}
    )
    assert response.status_code == 200, response.text
    return StatsReport.model_validate_json(response.content)


def test_a_played_day_gives_exact_figures_before_and_after_its_roll_up(
    hall: LiveServer, clock: ManualClock
) -> None:
    play_a_day(hall, clock)
    before = report(hall, DAY, DAY, "category")
    total = before.total
    assert (total.issued, total.transferred_in, total.served) == (4, 1, 1)
    assert (total.no_show, total.transferred, total.abandoned, total.open) == (0, 1, 3, 0)
    assert (total.requeued, total.pauses, total.pause_seconds) == (1, 1, 420.0)
    assert (total.wait_max, total.service_max) == (15 * 60.0, 10 * 60.0)
    rows = {row.key: row for row in before.rows}
    assert rows["general"].wait_mean == 15 * 60.0
    assert rows["consult"].wait_mean == 6 * 60.0
    assert rows["enterprise"].abandoned == 1
    arrivals = [(load.hour, load.arrivals) for load in before.hourly if load.arrivals]
    assert arrivals == [(3, 1), (9, 3)]
    assert before.pauses[0].reason == "会议"
    assert report(hall, NEXT, NEXT, "day").total.issued == 1

    wait_for(lambda: DAY in rollup_days(hall))
    after = report(hall, DAY, DAY, "category")
    assert after.model_dump(exclude={"generated_at"}) == before.model_dump(exclude={"generated_at"})


def test_grouped_by_window_clerk_hour_and_day(hall: LiveServer, clock: ManualClock) -> None:
    play_a_day(hall, clock)
    windows = {row.key: row for row in report(hall, DAY, DAY, "window").rows}
    assert (windows["2"].served, windows["2"].pause_seconds) == (1, 420.0)
    assert windows["2"].label == "2号窗口 综合受理"
    assert windows["1"].transferred == 1
    clerks = {row.label: row for row in report(hall, DAY, DAY, "clerk").rows}
    assert clerks["窗口员1"].served == 1
    days = report(hall, DAY, NEXT, "day")
    assert [(row.key, row.issued) for row in days.rows] == [
        ("2026-03-02", 4),
        ("2026-03-03", 1),
    ]


def test_a_late_event_drops_the_roll_up_and_it_is_built_again(
    hall: LiveServer, clock: ManualClock
) -> None:
    play_a_day(hall, clock)
    wait_for(lambda: DAY in rollup_days(hall))
    manager = as_manager(hall)
    waiting = manager.get("/api/tickets", params={"day": str(DAY), "status": "waiting"}).json()
    assert manager.post(f"/api/tickets/{waiting[0]['id']}/cancel").status_code == 200
    # The watch may roll the day up again at once (it checks every 0.2 s), so what must hold
    # is that no roll-up older than the late event is left.
    newest = newest_event_seq(hall, DAY)
    assert rollup_seq(hall, DAY) in (None, newest)
    wait_for(lambda: rollup_seq(hall, DAY) == newest)
    assert report(hall, DAY, DAY, "category").total.cancelled == 1


def test_exports_in_csv_and_xlsx(hall: LiveServer, clock: ManualClock) -> None:
    play_a_day(hall, clock)
    manager = as_manager(hall)
    params = {"from": str(DAY), "to": str(DAY), "group_by": "category"}
    response = manager.get("/api/stats/export", params=params | {"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["key"] for row in table] == ["consult", "enterprise", "general", "total"]
    assert table[-1]["issued"] == "4"
    assert table[2]["wait_mean"] == "900.0"
    response = manager.get("/api/stats/export", params=params | {"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["按业务类别"]
    assert [cell.value for cell in sheet[2]][:4] == ["分组", "名称", "取号", "转入"]
    assert [cell.value for cell in sheet[3]][:3] == ["consult", "咨询", 1]
    assert book.sheetnames == ["按业务类别", "分时段", "暂停原因", "办不成事"]


def test_bad_periods_and_roles_are_refused(hall: LiveServer) -> None:
    manager = as_manager(hall)
    response = manager.get("/api/stats", params={"from": "2026-03-05", "to": "2026-03-01"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
    assert "结束日期" in response.json()["detail"]
    response = manager.get(
        "/api/stats", params={"from": "2026-03-01", "to": "2026-03-02", "group_by": "nope"}
    )
    assert response.status_code == 422
    clerk = hall.client(hall.login("clerk1"))
    response = clerk.get("/api/stats/live")
    assert (response.status_code, response.json()["code"]) == (403, "wrong_role")


async def _alerts(server: LiveServer, clock: ManualClock) -> list[EventMessage]:
    async with QueueClient(server.base_url) as kiosk, QueueClient(server.base_url) as manager:
        kiosk.token = server.accounts.kiosk_token
        await manager.login("manager", PASSWORD)
        ticket = await kiosk.issue_ticket("consult")
        seen: list[EventMessage] = []
        subscription = manager.subscribe()

        async def listen() -> None:
            async for item in subscription:
                if isinstance(item, EventMessage) and item.type.startswith("alert."):
                    seen.append(item)
                    return

        listener = asyncio.create_task(listen())
        await asyncio.sleep(0.3)
        assert not seen
        clock.advance(timedelta(minutes=10, seconds=1))
        await asyncio.wait_for(listener, 15)
        await asyncio.sleep(0.5)
        live = await manager.live_stats()
        consult = next(c for c in live.categories if c.code == "consult")
        assert (consult.waiting, consult.over_target) == (1, 1)
        assert consult.longest_wait_seconds == 601.0
        assert [alert.type for alert in live.alerts] == ["alert.wait_target"]
        assert live.alerts[0].ticket is not None
        assert live.alerts[0].ticket.id == ticket.id
        assert live.today.issued == 1
        with pytest.raises(QueueError):
            await kiosk.live_stats()
        return seen


def test_a_wait_past_its_target_raises_one_alert_over_the_websocket(
    hall: LiveServer, clock: ManualClock
) -> None:
    seen = asyncio.run(_alerts(hall, clock))
    alert = seen[0]
    assert alert.type == "alert.wait_target"
    assert alert.alert is not None
    assert alert.alert.ticket_number == "A001"
    assert alert.alert.threshold == 600.0
    assert "超过目标等候时间10分钟" in alert.alert.message


def test_long_services_and_long_queues_raise_alerts(hall: LiveServer, clock: ManualClock) -> None:
    kiosk = hall.client(hall.accounts.kiosk_token)
    for _ in range(21):
        kiosk.post("/api/tickets", json={"category": "pickup"})
    clerk = hall.client(hall.login("clerk1"))
    clerk.post("/api/windows/12/sign-in")
    ticket = clerk.post("/api/windows/12/call-next").json()
    clerk.post(f"/api/tickets/{ticket['id']}/start")
    clock.advance(timedelta(minutes=9, seconds=30))
    manager = as_manager(hall)

    def alert_types() -> list[str]:
        return sorted(a["type"] for a in manager.get("/api/stats/live").json()["alerts"])

    wait_for(lambda: "alert.service_limit" in alert_types())
    assert alert_types() == ["alert.queue_length", "alert.service_limit"]
    clock.advance(timedelta(seconds=20))
    time.sleep(0.5)
    assert alert_types() == ["alert.queue_length", "alert.service_limit"]
    live = manager.get("/api/stats/live").json()
    assert live["windows_open"] == 1
    assert next(w for w in live["windows"] if w["number"] == 12)["serving_seconds"] == 590.0


def test_the_client_reads_stats_and_exports(hall: LiveServer, clock: ManualClock) -> None:
    play_a_day(hall, clock)

    async def read() -> tuple[StatsReport, bytes]:
        async with QueueClient(hall.base_url) as client:
            await client.login("admin", PASSWORD)
            report = await client.stats(start=DAY, end=DAY, group_by="hour")
            data = await client.export_stats(start=DAY, end=DAY, format="xlsx")
            return report, data

    report, data = asyncio.run(read())
    assert [row.key for row in report.rows] == ["03", "09"]
    assert data[:2] == b"PK"
    assert httpx.get(f"{hall.base_url}/api/stats/live").status_code == 401
