"""The terminal hall board after hours, against a real server on a manual clock: 今日休息 with
the next opening and the 24-hour zone (a faulty device shown 暂停使用), pinned at the smallest
hall board size; the calls back by themselves at opening; `device.status_changed` folded in."""

import asyncio
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from display_board.app import BoardApp
from display_board.state import BoardState, apply_event
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import Role
from queue_server.protocol import (
    EventMessage,
    EventType,
    SelfServiceZonePublic,
    ZoneDeviceKind,
    ZoneDevicePublic,
    ZoneStatus,
)
from tests.after_hours_support import MONDAY_MORNING, SUNDAY_EVENING, hall_with_hours
from tests.display_board.support import wait_until, widget_text
from tests.display_board.test_terminal_boards import HALL_BOARD_SIZES, SnapshotBoard
from tests.support import LiveServer, issue_token, live_server

Compare = Callable[..., bool]
SMALLEST = HALL_BOARD_SIZES[0]


def report(server: LiveServer, name: str, state: str) -> None:
    token = issue_token(server.database_url, name, Role.DEVICE)
    beat = server.client(token).post(
        f"/api/devices/{name}/heartbeat", json={"kind": "self_service", "state": state}
    )
    assert beat.status_code == 200, beat.text


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SUNDAY_EVENING)


@pytest.fixture
def closed_hall(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, hall=hall_with_hours(), clock=clock) as server:
        for name in ("ss-shebao", "ss-tax", "ss-print", "locker-1"):
            report(server, name, "ok")
        report(server, "ss-gjj", "fault")
        yield server


def test_after_hours_snapshot_at_the_smallest_size(
    snap_compare: Compare, closed_hall: LiveServer, clock: ManualClock
) -> None:
    client = QueueClient(closed_hall.base_url, token=closed_hall.accounts.board_token)
    app = SnapshotBoard(client, clock=clock)

    async def closed(pilot: Pilot[None]) -> None:
        await wait_until(lambda: app.board.seq is not None and app.board.connected, "snapshot")
        await pilot.pause()
        assert app.query_one("#hall").has_class("-closed")
        assert widget_text(app, "#closed-title").strip() == "今日休息"
        assert widget_text(app, "#next-opening").strip() == "下次开放：明天 09:00"

    assert snap_compare(app, terminal_size=SMALLEST, run_before=closed)


def test_the_board_goes_back_to_its_calls_at_opening(
    closed_hall: LiveServer, clock: ManualClock
) -> None:
    async def scenario() -> None:
        client = QueueClient(closed_hall.base_url, token=closed_hall.accounts.board_token)
        app = BoardApp(client, clock=clock, queue_refresh_seconds=0.2)
        async with app.run_test(size=SMALLEST) as pilot:
            hall = app.query_one("#hall")
            await wait_until(lambda: hall.has_class("-closed"), "the after-hours notice")
            assert app.query_one("#after-hours").display
            clock.set(MONDAY_MORNING - timedelta(hours=1))  # Monday 09:00
            await wait_until(lambda: not hall.has_class("-closed"), "the calls again")
            await pilot.pause()
            assert app.query_one("#calls").display and app.query_one("#overview").display
            assert not app.query_one("#after-hours").display
            await client.aclose()

    asyncio.run(scenario())


def zone_device(name: str, status: ZoneStatus) -> ZoneDevicePublic:
    return ZoneDevicePublic(
        name=name,
        kind=ZoneDeviceKind.TERMINAL,
        label=name,
        status=status,
        status_label="正常使用" if status is ZoneStatus.OK else "暂停使用",
    )


def test_a_device_status_change_event_updates_the_zone() -> None:
    zone = SelfServiceZonePublic(
        hours="00:00-24:00",
        open_now=True,
        devices=[zone_device("a", ZoneStatus.OK), zone_device("b", ZoneStatus.OK)],
    )
    state = BoardState(zone=zone, open_now=False, seq=1)
    broken = zone_device("b", ZoneStatus.FAULT)
    event = EventMessage(
        type=EventType.DEVICE_STATUS_CHANGED,
        seq=2,
        at=SUNDAY_EVENING,
        payload=broken.model_dump(mode="json"),
    )
    after = apply_event(state, event)
    assert after.zone is not None
    assert [d.status for d in after.zone.devices] == [ZoneStatus.OK, ZoneStatus.FAULT]
    assert after.seq == 2
