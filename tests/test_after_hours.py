"""The hall after hours over HTTP: `GET /api/hall` tells whether it is open, when it opens or
closes and what its 24-hour zone offers; a ticket asked for while it is closed is refused with
when to come back."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import Role
from tests.after_hours_support import (
    MAKEUP_SATURDAY_EARLY,
    MAKEUP_SATURDAY_OPENING,
    MONDAY_LUNCH,
    MONDAY_MORNING,
    NATIONAL_DAY,
    SUNDAY_EVENING,
    hall_with_hours,
)
from tests.support import LiveServer, issue_token, live_server

ZONE_DEVICES = ["ss-shebao", "ss-gjj", "ss-budongchan", "ss-tax", "ss-churujing", "ss-print"]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SUNDAY_EVENING)


@pytest.fixture
def hall_server(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, hall=hall_with_hours(), clock=clock) as server:
        yield server


def hall(server: LiveServer, token: str) -> dict[str, Any]:
    response = server.client(token).get("/api/hall")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def issue(server: LiveServer) -> httpx.Response:
    return server.client(server.accounts.kiosk_token).post(
        "/api/tickets", json={"category": "general"}
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_sunday_is_a_day_off_and_tickets_wait_for_monday(hall_server: LiveServer) -> None:
    snapshot = hall(hall_server, hall_server.accounts.kiosk_token)
    assert (snapshot["open_now"], snapshot["day_off"], snapshot["closes_at"]) == (
        False,
        True,
        None,
    )
    assert at(snapshot["opens_at"]) == MONDAY_MORNING - timedelta(hours=1)  # Monday 09:00
    assert {c["closed_reason"] for c in snapshot["categories"]} == {"不在办理时间"}
    refused = issue(hall_server)
    assert refused.status_code == 409
    assert refused.json() == {"detail": "今日休息，明天 09:00 开始取号", "code": "unavailable"}


def test_open_hours_and_the_lunch_break(hall_server: LiveServer, clock: ManualClock) -> None:
    clock.set(MONDAY_MORNING)
    snapshot = hall(hall_server, hall_server.accounts.kiosk_token)
    assert (snapshot["open_now"], snapshot["opens_at"], snapshot["day_off"]) == (True, None, False)
    assert at(snapshot["closes_at"]) == MONDAY_MORNING + timedelta(hours=2)  # 12:00
    assert issue(hall_server).status_code == 201
    clock.set(MONDAY_LUNCH)
    snapshot = hall(hall_server, hall_server.accounts.kiosk_token)
    assert (snapshot["open_now"], snapshot["day_off"]) == (False, False)
    assert at(snapshot["opens_at"]) == MONDAY_LUNCH + timedelta(hours=1)  # 13:30
    refused = issue(hall_server)
    assert (refused.status_code, refused.json()["detail"]) == (
        409,
        "大厅已下班，今天 13:30 开始取号",
    )


def test_a_public_holiday_and_a_make_up_working_day(
    hall_server: LiveServer, clock: ManualClock
) -> None:
    clock.set(NATIONAL_DAY)
    snapshot = hall(hall_server, hall_server.accounts.kiosk_token)
    assert (snapshot["open_now"], snapshot["day_off"]) == (False, True)
    assert snapshot["opens_at"] == "2026-10-08T09:00:00+08:00"
    assert issue(hall_server).json()["detail"] == "今日休息，10月8日（周四）09:00 开始取号"
    clock.set(MAKEUP_SATURDAY_EARLY)
    snapshot = hall(hall_server, hall_server.accounts.kiosk_token)
    assert (snapshot["open_now"], snapshot["day_off"]) == (False, False)
    assert issue(hall_server).json()["detail"] == "大厅已下班，今天 09:00 开始取号"
    clock.set(MAKEUP_SATURDAY_OPENING)
    assert hall(hall_server, hall_server.accounts.kiosk_token)["open_now"] is True
    assert issue(hall_server).status_code == 201


def test_the_snapshot_shows_the_zone_and_a_faulty_device(hall_server: LiveServer) -> None:
    zone = hall(hall_server, hall_server.accounts.board_token)["self_service"]
    assert (zone["hours"], zone["open_now"]) == ("00:00-24:00", True)
    assert [d["name"] for d in zone["devices"]] == [*ZONE_DEVICES, "locker-1"]
    assert {d["status_label"] for d in zone["devices"]} == {"状态未知"}
    shebao = issue_token(hall_server.database_url, "ss-shebao", Role.DEVICE)
    gjj = issue_token(hall_server.database_url, "ss-gjj", Role.DEVICE)
    for token, name, state in ((shebao, "ss-shebao", "ok"), (gjj, "ss-gjj", "fault")):
        beat = hall_server.client(token).post(
            f"/api/devices/{name}/heartbeat", json={"kind": "self_service", "state": state}
        )
        assert beat.status_code == 200, beat.text
    devices = {
        d["name"]: d
        for d in hall(hall_server, hall_server.accounts.kiosk_token)["self_service"]["devices"]
    }
    assert (devices["ss-shebao"]["status"], devices["ss-shebao"]["status_label"]) == (
        "ok",
        "正常使用",
    )
    assert (devices["ss-gjj"]["status"], devices["ss-gjj"]["status_label"]) == ("fault", "暂停使用")
    assert devices["ss-shebao"]["services"]


def test_a_hall_without_opening_hours_is_always_open(server: LiveServer) -> None:
    snapshot = hall(server, server.accounts.kiosk_token)
    assert (snapshot["open_now"], snapshot["opens_at"], snapshot["closes_at"]) == (True, None, None)
    assert snapshot["day_off"] is False
    assert snapshot["self_service"]["devices"]
