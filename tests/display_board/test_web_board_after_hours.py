"""The hall's web board after hours, in real Chromium at 1080p on the hall's manual clock (the
page's own clock set to match): 今日休息 with the next opening and the 24-hour zone's devices, a
device that breaks shown 暂停使用, and the calls back by themselves when the hall opens.
Each state photographed and checked like the other board pages."""

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect

from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import EventType, Role
from queue_server.domain.self_service import ZoneStatus
from queue_server.services import journal
from queue_server.services.scope import Scope
from queue_server.services.zone import device_public
from tests.after_hours_support import MONDAY_LUNCH, MONDAY_MORNING, SUNDAY_EVENING, hall_with_hours
from tests.display_board.support import wait_connected
from tests.display_board.test_web_board_looks import HALL_NUMBERS, SMALL_DISPLAY, look_at
from tests.support import LiveServer, issue_token, live_server

AFTER_HOURS_NUMBERS = ("#clock", "#next-opening", "#zone-devices .label", "#zone-devices .status")
RECHECK_MS = 61_000
"""Longer than the board waits between two reads of the hall while it is closed."""
WATCH_TILE_SHAPES = """() => {
  window.tileShapes = [];
  const grid = document.getElementById("windows");
  new MutationObserver(() => {
    if (!document.body.classList.contains("is-closed")) {
      window.tileShapes.push(grid.style.getPropertyValue("--rows"));
    }
  }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
}"""
"""Records the rows the window tiles are in when the hall is shown again (after that render)."""


def report(server: LiveServer, name: str, state: str) -> None:
    token = issue_token(server.database_url, name, Role.DEVICE)
    beat = server.client(token).post(
        f"/api/devices/{name}/heartbeat", json={"kind": "self_service", "state": state}
    )
    assert beat.status_code == 200, beat.text


def announce(server: LiveServer, clock: ManualClock, name: str, status: ZoneStatus) -> None:
    """Write a `device.status_changed` event into the hall's log as the server writes it when a
    zone device's status changes (the zone-devices part); the server's tailer publishes it."""
    hall = hall_with_hours()
    db = Database(server.database_url)
    try:
        db.write_sync(
            lambda session: journal.record_payload(
                Scope(session, hall, clock.now()),
                type=EventType.DEVICE_STATUS_CHANGED,
                payload=device_public(hall.self_service.device_by_name[name], status),
            ),
            hall=hall.code,
        )
    finally:
        db.dispose()


def device(page: Page, name: str) -> str:
    return f'#zone-devices .zone-device[data-device="{name}"]'


def test_the_hall_board_after_hours_and_back_at_opening(tmp_path: Path, page: Page) -> None:
    clock = ManualClock(SUNDAY_EVENING)
    with live_server(tmp_path, hall=hall_with_hours(), clock=clock) as server:
        for name in ("ss-shebao", "ss-gjj", "ss-tax", "ss-print", "locker-1"):
            report(server, name, "ok")
        page.clock.install(time=SUNDAY_EVENING)
        page.clock.pause_at(SUNDAY_EVENING)  # no timer runs: the board reads no hall
        page.goto(f"{server.base_url}/board?token={server.accounts.board_token}")
        wait_connected(page)

        expect(page.locator("#closed-title")).to_have_text("今日休息")
        expect(page.locator("#next-opening")).to_have_text("下次开放：明天 09:00")
        expect(page.locator("#zone-heading")).to_have_text("24小时自助服务区 · 全天开放")
        expect(page.locator("#zone-devices .zone-device")).to_have_count(7)
        expect(page.locator(device(page, "ss-shebao"))).to_contain_text("正常使用")
        expect(page.locator(device(page, "ss-shebao"))).to_contain_text("参保信息查询")
        expect(page.locator("#windows")).to_be_hidden()

        announce(server, clock, "ss-tax", ZoneStatus.FAULT)  # no hall read: the event alone
        expect(page.locator(device(page, "ss-tax"))).to_contain_text("暂停使用")
        expect(page.locator(device(page, "ss-tax"))).not_to_contain_text("发票领用")
        announce(server, clock, "ss-tax", ZoneStatus.OK)
        expect(page.locator(device(page, "ss-tax"))).to_contain_text("正常使用")

        page.clock.resume()  # axe-core needs timers
        look_at(page, "web-hall-after-hours", numbers=AFTER_HOURS_NUMBERS)

        report(server, "ss-gjj", "fault")
        page.clock.run_for(RECHECK_MS)  # the board reads the hall again while closed
        broken = page.locator(device(page, "ss-gjj"))
        expect(broken).to_contain_text("暂停使用")
        expect(broken).not_to_contain_text("公积金查询")  # what a broken device does: not offered
        expect(page.locator("#zone-devices .zone-device").last).to_have_attribute(
            "data-device", "ss-churujing"
        )  # working devices first, then the others in the hall's order
        look_at(page, "web-hall-after-hours-fault", numbers=AFTER_HOURS_NUMBERS)

        page.evaluate(WATCH_TILE_SHAPES)
        opening = MONDAY_MORNING - timedelta(hours=1)
        clock.set(opening)
        page.clock.set_system_time(opening)
        page.clock.run_for(RECHECK_MS)
        expect(page.locator("#after-hours")).to_be_hidden()
        expect(page.locator("#windows .window-card")).to_have_count(12)
        expect(page.locator("#windows")).to_be_visible()
        shown_shapes = page.evaluate("window.tileShapes")
        assert shown_shapes and set(shown_shapes) == {"2"}, "tiles shaped for the hidden hall"
        look_at(page, "web-hall-open-again", numbers=HALL_NUMBERS)


def test_a_window_display_after_hours(tmp_path: Path, browser: Browser) -> None:
    """A window's own display (a small monitor) says the hall is closed and when it opens,
    and shows its window again at opening. The minute the page's clock jumps is longer than
    its dead-link limit, so it may also drop and resume its link on the way (a resumed link
    brings no snapshot): it still finds out that the hall has opened."""
    clock = ManualClock(MONDAY_LUNCH)
    with live_server(tmp_path, hall=hall_with_hours(), clock=clock) as server:
        display = ViewportSize(width=SMALL_DISPLAY["width"], height=SMALL_DISPLAY["height"])
        context = browser.new_context(viewport=display, locale="zh-CN")
        page = context.new_page()
        page.clock.install(time=MONDAY_LUNCH)
        page.goto(f"{server.base_url}/board/window/3?token={server.accounts.board_token}")
        wait_connected(page)
        expect(page.locator("#closed-title")).to_have_text("大厅已下班")
        expect(page.locator("#next-opening")).to_have_text("下次开放：今天 13:30")
        expect(page.locator("#window-number")).to_be_hidden()
        look_at(page, "web-window-after-hours", numbers=("#next-opening",), scale=720 / 1080)

        opening = MONDAY_LUNCH + timedelta(hours=1)
        clock.set(opening)
        page.clock.set_system_time(opening)
        page.clock.run_for(RECHECK_MS)
        expect(page.locator("#after-hours")).to_be_hidden()
        expect(page.locator("#window-number")).to_be_visible()
        context.close()
