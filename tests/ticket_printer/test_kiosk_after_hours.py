"""The kiosk outside the hall's opening hours, against a real server on the same manual clock:
今日休息 on a Sunday and on a public holiday, 大厅已下班 before a make-up working day opens, the
next opening, the 24-hour zone's devices (a faulty one shown 暂停使用), the QR code to /city, and
the categories back by themselves once the hall opens."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import Role
from tests.after_hours_support import (
    MAKEUP_SATURDAY_EARLY,
    MAKEUP_SATURDAY_OPENING,
    NATIONAL_DAY,
    SUNDAY_EVENING,
    hall_with_hours,
)
from tests.support import LiveServer, issue_token, live_server
from tests.ticket_printer.pilot import file_printer, screen_lines, start, until
from tests.ticket_printer.support import run_async
from tests.ticket_printer.test_kiosk import keep_screenshot
from ticket_printer.kiosk.app import KioskApp
from ticket_printer.kiosk.qr_text import qr_text

SIZE = (80, 24)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SUNDAY_EVENING)


@pytest.fixture
def hall_server(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, hall=hall_with_hours(), clock=clock) as server:
        yield server


def report(server: LiveServer, name: str, state: str) -> None:
    token = issue_token(server.database_url, name, Role.DEVICE)
    beat = server.client(token).post(
        f"/api/devices/{name}/heartbeat", json={"kind": "self_service", "state": state}
    )
    assert beat.status_code == 200, beat.text


def state_of(lines: list[str], label: str) -> str:
    """The state written after a device's label on its line."""
    line = next(line for line in lines if label in line)
    return line.split(label, 1)[1].strip().split()[0]


def closed_page(
    server: LiveServer, clock: ManualClock, tmp_path: Path, *, screenshot: str
) -> list[str]:
    """What the kiosk shows once it has read the closed hall."""
    shown: list[str] = []

    async def scenario() -> None:
        client = QueueClient(server.base_url, token=server.accounts.kiosk_token)
        app = KioskApp(client, file_printer(tmp_path / "lp0"), device_name="kiosk-1", clock=clock)
        async with app.run_test(size=SIZE) as pilot:
            page = app.screen.query_one("#category-page")
            await until(pilot, lambda: page.has_class("-after-hours") and app.hall is not None)
            await pilot.pause()
            assert not app.screen.query_one("#categories").display
            shown.extend(screen_lines(app))
            keep_screenshot(app, screenshot)

    run_async(scenario())
    return shown


def test_on_a_sunday_the_kiosk_says_closed_today_and_shows_the_zone(
    hall_server: LiveServer, clock: ManualClock, tmp_path: Path
) -> None:
    report(hall_server, "ss-shebao", "ok")
    report(hall_server, "ss-tax", "ok")
    report(hall_server, "ss-gjj", "fault")
    lines = closed_page(hall_server, clock, tmp_path, screenshot="kiosk-after-hours-sunday")
    text = "\n".join(lines)
    assert "今日休息　下次开放：明天 09:00" in text
    assert "24小时自助服务区 · 全天开放" in text
    assert state_of(lines, "社保自助终端") == "正常使用"
    assert "参保信息查询、社保缴费、参保证明打印" in text
    assert state_of(lines, "税务自助办税终端") == "正常使用"
    assert state_of(lines, "公积金自助终端") == "暂停使用"
    assert state_of(lines, "不动产自助查询机") == "状态未知"  # never heard from
    assert "公积金查询" not in text  # what a broken device does is not offered
    working = next(i for i, line in enumerate(lines) if "税务自助办税终端" in line)
    broken = next(i for i, line in enumerate(lines) if "公积金自助终端" in line)
    assert working < broken  # what works comes first
    rows = [row for row in qr_text(f"{hall_server.base_url}/city").splitlines() if row.strip()]
    assert all(row in text for row in rows)  # the whole QR code, uncut


def test_on_a_public_holiday_the_kiosk_tells_the_day_after_the_holidays(
    hall_server: LiveServer, clock: ManualClock, tmp_path: Path
) -> None:
    clock.set(NATIONAL_DAY)
    text = "\n".join(
        closed_page(hall_server, clock, tmp_path, screenshot="kiosk-after-hours-holiday")
    )
    assert "今日休息　下次开放：10月8日（周四）09:00" in text
    assert "状态未知" in text  # no device has reported yet


def test_on_a_make_up_working_day_the_kiosk_opens_by_itself(
    hall_server: LiveServer, clock: ManualClock, tmp_path: Path
) -> None:
    """A Saturday worked instead of a holiday: 大厅已下班 until 09:00, then the categories,
    with no key pressed and no restart."""
    clock.set(MAKEUP_SATURDAY_EARLY)

    async def scenario() -> None:
        client = QueueClient(hall_server.base_url, token=hall_server.accounts.kiosk_token)
        app = KioskApp(
            client,
            file_printer(tmp_path / "lp0"),
            device_name="kiosk-1",
            clock=clock,
            refresh_seconds=0.2,
        )
        async with app.run_test(size=SIZE) as pilot:
            page = app.screen.query_one("#category-page")
            await until(pilot, lambda: page.has_class("-after-hours") and app.hall is not None)
            await pilot.pause()
            assert "大厅已下班　下次开放：今天 09:00" in "\n".join(screen_lines(app))
            clock.set(MAKEUP_SATURDAY_OPENING)
            await start(pilot, app)
            await until(pilot, lambda: not page.has_class("-after-hours"))
            await pilot.pause()
            text = "\n".join(screen_lines(app))
            assert "请选择您要办理的业务" in text
            assert "大厅已下班" not in text
            assert all(category.open for category in app.category_screen.categories)

    run_async(scenario())
