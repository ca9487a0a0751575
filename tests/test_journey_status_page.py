"""The applicant's status page on a 360 px phone in headless Chromium through a 补件 journey:
the list to bring back (一次告知), the return code and how long it is valid after 补件; then,
live, where to collect the result once it is ready; the page as the server renders it reads
the same."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from queue_server.domain.clock import ManualClock
from tests.browser import axe_violations, clipped_elements, covering_elements, screenshot
from tests.support import LiveServer, live_server

PHONE = ViewportSize(width=360, height=740)
SHANGHAI = ZoneInfo("Asia/Shanghai")
WAIT_MS = 15_000
MISSING = ["出生医学证明", "户口簿复印件不清晰，请带原件"]


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", has_touch=True
    )
    context.set_default_timeout(WAIT_MS)
    opened = context.new_page()
    yield opened
    context.close()


def looks_right(page: Page, name: str) -> None:
    """Fits the phone, nothing cut off or covering the screen, axe clean."""
    screenshot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    assert clipped_elements(page) == [], name
    assert covering_elements(page) == [], name
    assert axe_violations(page) == [], name


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def serve(server: LiveServer, clerk: httpx.Client, **finish: Any) -> dict[str, Any]:
    """Call the next applicant at window 2, serve them and finish with `finish`."""
    called = ok(clerk.post("/api/windows/2/call-next"))
    ok(clerk.post(f"/api/tickets/{called['id']}/start"))
    done: dict[str, Any] = ok(clerk.post(f"/api/tickets/{called['id']}/finish", json=finish))
    return done


def test_the_phone_shows_what_to_bring_then_where_to_collect(tmp_path: Path, phone: Page) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI))
    with live_server(tmp_path, clock=clock, heartbeat_seconds=1.0) as server:
        kiosk = server.client(server.accounts.kiosk_token)
        ticket = ok(kiosk.post("/api/tickets", json={"category": "general"}), 201)
        clerk = server.client(server.login(server.accounts.clerks[0]))
        ok(clerk.post("/api/windows/2/sign-in"))
        done = serve(server, clerk, outcome="needs_documents", missing=MISSING)
        code = done["return_code"]

        phone.goto(f"{server.base_url}/t/{ticket['public_code']}")
        expect(phone.locator("#journey-status")).to_have_text("待补件")
        expect(phone.locator("#journey-missing li")).to_have_text(MISSING)
        expect(phone.locator("#journey-missing-label")).to_have_text("请补齐以下材料（共 2 项）")
        expect(phone.locator("#journey-code")).to_have_text(code)
        expect(phone.locator("#journey-valid")).to_have_text("有效期至 1月6日（周三）10:00")
        expect(phone.locator("#done")).to_be_hidden()
        box = phone.locator("#journey-code").bounding_box()
        assert box is not None and box["height"] >= 40, "the code is read out at the kiosk"
        looks_right(phone, "journey-status-page-needs-documents")
        expect(phone.locator("#connection")).to_have_text("实时更新中")

        back = ok(kiosk.post("/api/journeys/return", json={"return_code": code}), 201)
        serve(server, clerk, outcome="resolved")
        expect(phone.locator("#journey-status")).to_have_text("补件办理中")
        expect(phone.locator("#journey-code-box")).to_be_hidden()
        ok(clerk.post(f"/api/journeys/{back['journey_id']}/ready", json={"collect_at": "window"}))
        expect(phone.locator("#journey-status")).to_have_text("可领取")
        expect(phone.locator("#journey-note")).to_have_text(
            "请在取号机输入回执码取出件号，到12号窗口（统一出件）领取"
        )
        expect(phone.locator("#journey-missing-box")).to_be_hidden()
        looks_right(phone, "journey-status-page-ready-live")
        phone.reload()  # the page as rendered by the server, before its script runs again
        expect(phone.locator("#journey-status")).to_have_text("可领取")
        expect(phone.locator("#journey-note")).to_have_text(
            "请在取号机输入回执码取出件号，到12号窗口（统一出件）领取"
        )
        expect(phone.locator("#journey-code")).to_have_text(code)
        looks_right(phone, "journey-status-page-ready")
