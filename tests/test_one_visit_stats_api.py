"""`GET /api/stats/journeys` (一次办成率) over a hand-made week of tickets and journeys in the
database, through HTTP; and its CSV and XLSX exports."""

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from queue_server.client import QueueClient
from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import JourneyStatus, TicketStatus
from queue_server.models import Journey, Ticket
from tests.support import LiveServer, live_server

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 5, 11)
NOW = datetime.combine(MONDAY + timedelta(days=7), time(9), TZ)
RETIREMENT, NEWBORN = "企业职工退休", "新生儿出生"


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), TZ)


class Week:
    """Rows written straight into the hall's database, as the server would have left them."""

    def __init__(self, database_url: str) -> None:
        self.db = Database(database_url)
        self.sequence = 0

    def ticket(
        self,
        day: date,
        category: str,
        *,
        matter: str | None = None,
        outcome: str | None = "resolved",
        status: TicketStatus = TicketStatus.DONE,
        journey: int | None = None,
        return_visit: bool = False,
    ) -> int:
        self.sequence += 1
        row = Ticket(
            hall="main",
            service_day=day,
            category=category,
            number=f"X{self.sequence:03d}",
            sequence=self.sequence,
            status=status,
            matter=matter,
            public_code=f"CODE{self.sequence:012d}",
            issued_at=at(day, 9),
            queue_key=at(day, 9),
            finished_at=at(day, 10) if status is TicketStatus.DONE else None,
            outcome=outcome,
            journey_id=journey,
            return_visit=return_visit,
        )
        with self.db.write_session() as session:
            session.add(row)
            session.flush()
            assert row.id is not None
            return row.id

    def journey(
        self,
        first_day: date,
        category: str,
        *,
        matter: str | None,
        returns: list[date],
        collected: date | None,
    ) -> None:
        first = self.ticket(first_day, category, matter=matter, outcome="needs_documents")
        with self.db.write_session() as session:
            journey = Journey(
                hall="main",
                category=category,
                matter=matter,
                return_code=f"RC{first:06d}",
                status=JourneyStatus.COLLECTED if collected else JourneyStatus.READY,
                first_ticket_id=first,
                opened_at=at(first_day, 10),
                valid_until=at(first_day + timedelta(days=30), 10),
                collected_at=at(collected, 15) if collected else None,
            )
            session.add(journey)
            session.flush()
            assert journey.id is not None
            journey_id = journey.id
        for day in returns:
            self.ticket(day, category, matter=matter, journey=journey_id, return_visit=True)
        if collected:
            self.ticket(collected, "pickup", journey=journey_id)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=ManualClock(NOW)) as running:
        week = Week(running.database_url)
        tuesday, wednesday, thursday, friday = (MONDAY + timedelta(days=n) for n in (1, 2, 3, 4))
        # Done at the window in one visit.
        week.ticket(MONDAY, "general", matter=RETIREMENT)
        week.ticket(tuesday, "general", matter=RETIREMENT)
        week.ticket(tuesday, "general", matter=NEWBORN)
        week.ticket(wednesday, "general")
        week.ticket(friday, "enterprise")
        # 补件 journeys collected this week: 2 visits / 3 days, 3 visits / 4 days, 2 / 2.
        week.journey(MONDAY, "general", matter=RETIREMENT, returns=[wednesday], collected=thursday)
        week.journey(
            MONDAY,
            "general",
            matter=RETIREMENT,
            returns=[tuesday, wednesday],
            collected=friday,
        )
        week.journey(wednesday, "enterprise", matter=None, returns=[thursday], collected=friday)
        # Not completed matters of this week: a journey not collected yet, a result
        # collected without a journey, a ticket finished 办不成, one finished the week before,
        # a no-show.
        week.journey(thursday, "general", matter=NEWBORN, returns=[], collected=None)
        week.ticket(thursday, "pickup")
        week.ticket(thursday, "general", outcome="unresolved")
        week.ticket(MONDAY - timedelta(days=3), "general", matter=RETIREMENT)
        week.ticket(friday, "general", status=TicketStatus.NO_SHOW, outcome=None)
        week.db.dispose()
        yield running


def report(server: LiveServer, path: str = "/api/stats/journeys", **params: str) -> Any:
    manager = server.client(server.login(server.accounts.manager))
    end = MONDAY + timedelta(days=6)
    response = manager.get(path, params={"from": str(MONDAY), "to": str(end), **params})
    assert response.status_code == 200, response.text
    return response


def test_the_weeks_one_visit_figures_per_category_and_matter(server: LiveServer) -> None:
    body = report(server).json()
    [hall] = body["rows"]
    figures = ("completed", "one_visit", "visits", "journeys")
    assert [hall[name] for name in figures] == [8, 5, 12, 3]
    assert hall["one_visit_share"] == pytest.approx(5 / 8)
    assert hall["visits_per_matter"] == pytest.approx(1.5)
    assert hall["days_to_collection_mean"] == pytest.approx(3.0)
    general, enterprise = hall["categories"]
    assert (general["key"], general["label"]) == ("general", "综合受理")
    assert [general[name] for name in figures] == [6, 4, 9, 2]
    assert general["days_to_collection_mean"] == pytest.approx(3.5)
    by_matter = {m["key"]: m for m in general["matters"]}
    assert [m["label"] for m in general["matters"]] == [RETIREMENT, NEWBORN, "（未选事项）"]
    assert [by_matter[RETIREMENT][name] for name in figures] == [4, 2, 7, 2]
    assert by_matter[RETIREMENT]["one_visit_share"] == pytest.approx(0.5)
    assert [by_matter[NEWBORN][name] for name in figures] == [1, 1, 1, 0]
    assert [enterprise[name] for name in figures] == [2, 1, 3, 1]
    assert enterprise["days_to_collection_mean"] == pytest.approx(2.0)


def test_the_exports_hold_the_same_figures(server: LiveServer) -> None:
    text = report(server, "/api/stats/journeys/export").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    first = rows[0]
    assert (first["hall"], first["category"], first["completed"], first["one_visit"]) == (
        "main",
        "",
        "8",
        "5",
    )
    retirement = next(r for r in rows if r["matter"] == RETIREMENT)
    assert (retirement["category"], retirement["visits"], retirement["one_visit_share"]) == (
        "general",
        "7",
        "0.5",
    )
    workbook = report(server, "/api/stats/journeys/export", format="xlsx").content
    sheet = load_workbook(io.BytesIO(workbook)).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[1][:5] == ("大厅代码", "业务类别", "事项", "名称", "办结事项")
    assert values[2][4] == 8
    assert len(values) == 2 + len(rows)


@pytest.mark.anyio
async def test_the_client_reads_and_exports_the_report(server: LiveServer) -> None:
    token = server.login(server.accounts.manager)
    end = MONDAY + timedelta(days=6)
    async with QueueClient(server.base_url, token=token) as client:
        week = await client.one_visit_stats(start=MONDAY, end=end)
        workbook = await client.export_one_visit_stats(start=MONDAY, end=end, format="xlsx")
    [hall] = week.rows
    assert (hall.completed, hall.one_visit, hall.visits) == (8, 5, 12)
    assert [category.key for category in hall.categories] == ["general", "enterprise"]
    sheet = load_workbook(io.BytesIO(workbook)).active
    assert sheet is not None and sheet.title == "一次办成率"
