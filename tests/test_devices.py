"""Device heartbeats: kiosks and boards report their state, managers list every device with
its last state, and a device silent too long is listed as offline."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import Role
from tests.support import LiveServer, issue_token, live_server


def hall_devices(client: httpx.Client) -> list[dict[str, Any]]:
    """The listed devices less those of the 24-hour zone (tests/test_zone_devices.py)."""
    listed: list[dict[str, Any]] = client.get("/api/devices").json()
    return [device for device in listed if device["label"] is None]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))


@pytest.fixture
def hall(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=clock, device_offline_seconds=60) as running:
        yield running


def test_heartbeats_are_listed_with_state_and_offline_after_silence(
    hall: LiveServer, clock: ManualClock
) -> None:
    kiosk = hall.client(hall.accounts.kiosk_token)
    board = hall.client(hall.accounts.board_token)
    manager = hall.client(hall.login(hall.accounts.manager))
    assert hall_devices(manager) == []

    reply = kiosk.post(
        "/api/devices/kiosk-entrance/heartbeat",
        json={"kind": "kiosk", "state": "paper_out", "detail": "打印机缺纸"},
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "paper_out"
    board.post("/api/devices/board-hall/heartbeat", json={"kind": "board"})
    clock.advance(timedelta(seconds=45))
    board.post("/api/devices/announcer-hall/heartbeat", json={"kind": "announcer"})

    devices = {d["name"]: d for d in hall_devices(manager)}
    assert set(devices) == {"kiosk-entrance", "board-hall", "announcer-hall"}
    assert devices["kiosk-entrance"]["state"] == "paper_out"
    assert devices["kiosk-entrance"]["detail"] == "打印机缺纸"
    assert devices["kiosk-entrance"]["online"] is True
    assert devices["board-hall"]["kind"] == "board"

    clock.advance(timedelta(seconds=30))  # kiosk and board silent for 75 s, announcer 30 s
    statuses = {d["name"]: d["status"] for d in hall_devices(manager)}
    assert statuses == {
        "kiosk-entrance": "offline",
        "board-hall": "offline",
        "announcer-hall": "ok",
    }

    kiosk.post("/api/devices/kiosk-entrance/heartbeat", json={"kind": "kiosk", "state": "ok"})
    kiosk_entry = next(d for d in hall_devices(manager) if d["name"] == "kiosk-entrance")
    assert (kiosk_entry["status"], kiosk_entry["online"]) == ("ok", True)
    assert datetime.fromisoformat(kiosk_entry["last_seen_at"]) == clock.now()


def test_a_token_reports_only_its_own_kind_of_device(hall: LiveServer) -> None:
    kiosk = hall.client(hall.accounts.kiosk_token)
    board = hall.client(hall.accounts.board_token)
    refused = board.post("/api/devices/kiosk-2/heartbeat", json={"kind": "kiosk"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert kiosk.post("/api/devices/board-x/heartbeat", json={"kind": "board"}).status_code == 403
    bad = kiosk.post("/api/devices/kiosk-1/heartbeat", json={"kind": "kiosk", "state": "dusty"})
    assert bad.status_code == 422
    assert kiosk.post("/api/devices/bad name!/heartbeat", json={"kind": "kiosk"}).status_code in (
        404,
        422,
    )
    manager = hall.client(hall.login(hall.accounts.manager))
    assert hall_devices(manager) == []


def test_a_kiosk_cannot_report_for_another_kiosk(hall: LiveServer) -> None:
    other_token = issue_token(hall.database_url, "kiosk-2", Role.KIOSK)
    first = hall.client(hall.accounts.kiosk_token)
    second = hall.client(other_token)
    body = {"kind": "kiosk", "state": "paper_out"}
    assert first.post("/api/devices/kiosk-entrance/heartbeat", json=body).status_code == 200
    masked = second.post("/api/devices/kiosk-entrance/heartbeat", json={"kind": "kiosk"})
    assert masked.status_code == 403
    assert masked.json()["code"] == "forbidden"
    admin = hall.client(hall.login(hall.accounts.admin))
    [device] = hall_devices(admin)
    assert (device["name"], device["state"]) == ("kiosk-entrance", "paper_out")
    assert admin.post("/api/devices/kiosk-entrance/heartbeat", json={"kind": "kiosk"}).is_success


def test_an_admin_heartbeat_does_not_lock_the_device_out(
    hall: LiveServer, clock: ManualClock
) -> None:
    kiosk = hall.client(hall.accounts.kiosk_token)
    admin = hall.client(hall.login(hall.accounts.admin))
    body = {"kind": "kiosk", "state": "ok"}
    assert kiosk.post("/api/devices/kiosk-entrance/heartbeat", json=body).status_code == 200
    tested = admin.post("/api/devices/kiosk-entrance/heartbeat", json={"kind": "kiosk"})
    assert tested.status_code == 200
    clock.advance(timedelta(seconds=30))
    again = kiosk.post("/api/devices/kiosk-entrance/heartbeat", json={**body, "state": "paper_low"})
    assert again.status_code == 200, again.text
    clock.advance(timedelta(seconds=45))  # 75 s after the admin's heartbeat, 45 s after its own
    [device] = hall_devices(admin)
    assert (device["name"], device["status"]) == ("kiosk-entrance", "paper_low")


def test_a_device_token_reports_only_the_names_it_was_issued_for(hall: LiveServer) -> None:
    lobby = issue_token(hall.database_url, "kiosk-lobby", Role.KIOSK)
    kiosk = hall.client(lobby)
    assert kiosk.post("/api/devices/kiosk-lobby/heartbeat", json={"kind": "kiosk"}).is_success
    for index in range(5):
        invented = kiosk.post(
            f"/api/devices/kiosk-fake-{index}/heartbeat",
            json={"kind": "kiosk", "state": "paper_out"},
        )
        assert invented.status_code == 403
        assert invented.json()["detail"] == (
            f"此令牌只能报告设备“kiosk-lobby”的状态，不能报告“kiosk-fake-{index}”"
        )
    manager = hall.client(hall.login(hall.accounts.manager))
    assert [d["name"] for d in hall_devices(manager)] == ["kiosk-lobby"]
