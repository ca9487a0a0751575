"""The manager console's 预约 page (F11), driven by keys through Pilot against a real server on
a manual clock: a day's slots with places booked, check-ins, no-shows and cancellations, the
bookings with masked ID numbers, the keys that change the day, and the page following new
bookings and the watch's no-shows live; pinned as an SVG snapshot at the smallest size."""

import itertools
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from textual.pilot import Pilot

from clerk_tui.manager.app import ManagerApp
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from queue_server.domain.identity import check_digit
from queue_server.services import appointments
from tests.clerk_tui.console import log_in
from tests.clerk_tui.helpers import until
from tests.clerk_tui.test_manager import SHANGHAI, rows, text_of
from tests.clerk_tui.test_manager_snapshots import (
    SnapshotManagerApp,
    reading,
    settled,
    tables_sized,
)
from tests.support import LiveServer, live_server

SIZE = (100, 30)
Compare = Callable[..., bool]


def id_number(serial: int) -> str:
    first = f"11010119900101{serial:03d}"
    return first + check_digit(first)


ALICE, BOB, CAROL, DAVE, ERIN = (id_number(serial) for serial in (11, 22, 33, 44, 55))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI))  # a Monday


def book(
    server: LiveServer, person: str, slot: str, category: str = "general", **extra: str
) -> str:
    response = httpx.post(
        f"{server.base_url}/api/public/appointments",
        json={
            "hall": "main",
            "category": category,
            "day": "2026-12-08",
            "slot": slot,
            "id_number": person,
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code


@pytest.fixture
def booked(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    """Tuesday's bookings, made on Monday: two at 09:00 (one for 新生儿出生), one for 企业
    at 09:30, and one at 16:30 cancelled again. Booking codes are numbered (YMBKAA22,
    YMBKAA33…), so the snapshot is the same on every run."""
    digits = itertools.cycle("23456789")
    monkeypatch.setattr(appointments, "new_short_code", lambda: f"YMBKAA{next(digits) * 2}")
    with live_server(tmp_path, clock=clock, booking_seconds=0, alert_check_seconds=0.05) as server:
        book(server, ALICE, "09:00", matter="newborn")
        book(server, BOB, "09:00")
        book(server, CAROL, "09:30", category="enterprise")
        late = book(server, DAVE, "16:30")
        cancel = httpx.post(f"{server.base_url}/api/public/appointments/{late}/cancel")
        assert cancel.status_code == 200, cancel.text
        yield server


async def appointments_page(app: ManagerApp, pilot: Pilot[None]) -> None:
    await log_in(pilot, "manager")
    await until(pilot, lambda: app.live is not None, "the live figures")
    await pilot.press("f11")
    await until(pilot, lambda: "12月7日" in text_of(app, "#appointments-summary"), "today")


async def tuesday(app: ManagerApp, pilot: Pilot[None]) -> None:
    await pilot.press("right_square_bracket")
    await until(pilot, lambda: "12月8日" in text_of(app, "#appointments-summary"), "Tuesday")
    await until(pilot, lambda: not reading(app) and tables_sized(app), "the tables")


def test_appointments_page(snap_compare: Compare, booked: LiveServer, clock: ManualClock) -> None:
    """Tuesday 09:41: the 09:00 bookings were not checked in, and the watch has marked them."""
    clock.set(datetime(2026, 12, 8, 9, 41, tzinfo=SHANGHAI))
    manager = booked.client(booked.login("manager"))

    def no_shows() -> int:
        slots = manager.get("/api/appointments", params={"category": "general"}).json()
        return int(slots[0]["no_shows"])

    deadline = time.monotonic() + 15
    while no_shows() < 2:
        assert time.monotonic() < deadline, "the watch did not mark the no-shows"
        time.sleep(0.05)
    app = SnapshotManagerApp(QueueClient(booked.base_url), clock=clock, heartbeat_seconds=2.0)

    async def steps(pilot: Pilot[None]) -> None:
        await log_in(pilot, "manager")
        await until(pilot, lambda: app.live is not None, "the live figures")
        await pilot.press("f11")
        await until(pilot, lambda: "爽约 2" in text_of(app, "#appointments-summary"), "the day")
        await settled(app, pilot)  # every read done (the message line too), columns sized

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


@pytest.mark.anyio
async def test_the_page_shows_a_day_changes_days_and_follows_bookings(
    booked: LiveServer, clock: ManualClock
) -> None:
    async with QueueClient(booked.base_url) as client:
        app = ManagerApp(client, clock=clock, heartbeat_seconds=2.0)
        async with app.run_test(size=SIZE) as pilot:
            await appointments_page(app, pilot)
            assert text_of(app, "#appointments-summary") == (
                "12月7日 周一（今天） · 已约 0/78 · 已签到 0 · 爽约 0 · 已取消 0"
            )
            assert rows(app, "#appointment-bookings") == []

            await tuesday(app, pilot)
            assert text_of(app, "#appointments-summary") == (
                "12月8日 周二（明天） · 已约 3/78 · 已签到 0 · 爽约 0 · 已取消 1"
            )
            slots = rows(app, "#appointment-slots")
            assert len(slots) == 26
            assert slots[0] == ["综合受理", "09:00-09:30", "4", "2", "—", "—", "—"]
            assert slots[12] == ["综合受理", "16:30-17:00", "4", "0", "—", "—", "1"]
            assert slots[14] == ["企业服务专区", "09:30-10:00", "2", "1", "—", "—", "—"]
            masked = "1****************"
            assert rows(app, "#appointment-bookings") == [
                [
                    "09:00",
                    "综合受理",
                    "YMBKAA22",
                    masked + ALICE[-1],
                    "新生儿出生",
                    "○ 已预约",
                    "—",
                ],
                ["09:00", "综合受理", "YMBKAA33", masked + BOB[-1], "—", "○ 已预约", "—"],
                ["09:30", "企业服务专区", "YMBKAA44", masked + CAROL[-1], "—", "○ 已预约", "—"],
                ["16:30", "综合受理", "YMBKAA55", masked + DAVE[-1], "—", "— 已取消", "—"],
            ]

            # A booking made meanwhile fills the slot: the page follows the hall's events.
            book(booked, ERIN, "09:30", category="enterprise")
            await until(
                pilot,
                lambda: rows(app, "#appointment-slots")[14][3] == "2 满",
                "the new booking",
            )

            await pilot.press("left_square_bracket", "left_square_bracket")
            await until(
                pilot,
                lambda: "12月6日 周日（昨天）" in text_of(app, "#appointments-summary"),
                "Sunday",
            )
            assert "没有预约时段" in text_of(app, "#appointments-summary")
            assert rows(app, "#appointment-slots") == []
            await pilot.press("t")
            await until(pilot, lambda: "12月7日" in text_of(app, "#appointments-summary"), "today")
