"""The applicant follows a 市域通办 case behind the QR code of the ticket it was opened from:
the public JSON view and the status page on a 360 px phone in every state of the case."""

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from websockets.sync.client import connect

from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from queue_server.domain.cross_region import (
    CrossRegionStatus,
    CrossRegionStep,
    Decision,
    Delivery,
)
from queue_server.services.housekeeping import prune
from tests.browser import axe_violations, clipped_elements, covering_elements, screenshot
from tests.city_support import LiveCity, live_city
from tests.support import login

S = CrossRegionStatus
P = CrossRegionStep

PHONE = ViewportSize(width=360, height=740)
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
WAIT_MS = 15_000
CASES = "/api/cross-region-cases"
HEARTBEAT_SECONDS = 1.0
"""The test server's heartbeat: the page re-reads the case at least this often."""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)


@pytest.fixture
def city(tmp_path: Path, clock: ManualClock) -> Iterator[LiveCity]:
    with live_city(
        tmp_path, clock=clock, heartbeat_seconds=HEARTBEAT_SECONDS, kiosk_issue_seconds=0
    ) as running:
        yield running


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", has_touch=True
    )
    context.set_default_timeout(WAIT_MS)
    opened = context.new_page()
    yield opened
    context.close()


class Case:
    """Takes a case through its steps the way the halls' staff do: each step posted by a clerk
    of the hall whose step it is."""

    def __init__(self, city: LiveCity, ticket: dict[str, Any]) -> None:
        self.city, self.ticket = city, ticket
        self.case_id = 0
        self.owner = self.delivering = ""

    def _post(self, hall: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Logged in afresh: the test's clock runs days ahead of the seeded logins."""
        token = login(self.city.base_url, f"{hall}-clerk1")
        response = httpx.post(
            f"{self.city.base_url}{CASES}{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code in (200, 201), response.text
        answer: dict[str, Any] = response.json()
        return answer

    def open(self, *, owner: str, delivery: Delivery, pickup: str | None = None) -> None:
        """At main's window 9, where the ticket is being served."""
        body: dict[str, Any] = {
            "ticket_id": self.ticket["id"],
            "matter": "flexible_employment",
            "owner_hall": owner,
            "mode": "remote_accept",
            "delivery": delivery.value,
        }
        if pickup is not None:
            body["pickup_hall"] = pickup
        if delivery is Delivery.MAIL:
            body["mail_address"] = "康巴什区某小区3号楼 李四收"
        self.case_id = self._post("main", "", body)["id"]
        self.owner, self.delivering = owner, pickup or "main"

    def forward(self) -> None:
        self._post("main", f"/{self.case_id}/forward", {"channel": "electronic"})

    def return_(self, materials: list[str]) -> None:
        body = {"materials": materials, "note": "王科长：张三的户口簿复印件不清楚"}
        self._post(self.owner, f"/{self.case_id}/return", body)

    def resubmit(self) -> None:
        self._post("main", f"/{self.case_id}/resubmit", {})

    def accept(self) -> None:
        self._post(self.owner, f"/{self.case_id}/accept", {})

    def decide(self, result: Decision) -> None:
        body = {"result": result.value, "reason": "王科长审批意见"}
        self._post(self.owner, f"/{self.case_id}/decide", body)

    def deliver(self) -> None:
        self._post(self.delivering, f"/{self.case_id}/deliver", {"channel": "pickup"})


def at_window(city: LiveCity, ticket: dict[str, Any]) -> None:
    """main's clerk calls the ticket to window 9 (跨域通办) and starts serving it."""
    clerk = city.as_("main-clerk1")
    assert clerk.post("/api/windows/9/sign-in").status_code == 200
    assert clerk.post("/api/windows/9/call", json={"number": ticket["number"]}).status_code == 200
    assert clerk.post(f"/api/tickets/{ticket['id']}/start").status_code == 200


PRIVATE = ("SF1234567890", "李四", "张三", "王科长", "mail_address", "tracking")


def issue(city: LiveCity) -> dict[str, Any]:
    with city.client(city.city.hall("main").kiosk_token) as kiosk:
        response = kiosk.post("/api/tickets", json={"category": "cross_region"})
    assert response.status_code == 201, response.text
    ticket: dict[str, Any] = response.json()
    return ticket


def public_case(city: LiveCity, ticket: dict[str, Any]) -> dict[str, Any]:
    response = httpx.get(f"{city.base_url}/api/public/tickets/{ticket['public_code']}")
    assert response.status_code == 200, response.text
    for private in PRIVATE:
        assert private not in response.text
    case: dict[str, Any] = response.json()["cross_region"]
    return case


def looks_right(page: Page, name: str) -> None:
    """Fits the phone, nothing cut off or covering the screen, the state large, axe clean."""
    screenshot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    assert clipped_elements(page) == [], name
    assert covering_elements(page) == [], name
    box = page.locator("#case-status").bounding_box()
    assert box is not None and box["height"] >= 40, "the state is read at arm's length"
    assert axe_violations(page) == [], name
    for private in PRIVATE:
        assert private not in page.content(), name


def steps_shown(page: Page) -> list[str]:
    return [text.replace("\n", " ") for text in page.locator("#case-steps li").all_inner_texts()]


def test_the_phone_follows_a_case_through_every_state(
    city: LiveCity, clock: ManualClock, phone: Page
) -> None:
    ticket = issue(city)
    phone.goto(f"{city.base_url}/t/{ticket['public_code']}")
    expect(phone.locator("#connection")).to_have_text("实时更新中")
    expect(phone.locator("#case")).to_be_hidden()
    at_window(city, ticket)
    case = Case(city, ticket)

    case.open(owner="kangbashi", delivery=Delivery.PICKUP, pickup="ejinhoro")
    finished = city.as_("main-clerk1").post(f"/api/tickets/{ticket['id']}/finish", json={})
    assert finished.status_code == 200, finished.text
    expect(phone.locator("#case-status")).to_have_text("已收件")
    expect(phone.locator("#case-matter")).to_have_text("灵活就业")
    expect(phone.locator("#case-due")).to_have_text("最晚 12月8日（周二）转递")
    expect(phone.locator("#case-owner")).to_have_text("康巴什区政务服务中心")
    expect(phone.locator("#case-delivery")).to_have_text("到伊金霍洛旗政务服务中心领取")
    expect(phone.locator("#status")).to_be_hidden()
    looks_right(phone, "status-page-case-received")

    clock.advance(timedelta(hours=3))
    case.forward()
    expect(phone.locator("#case-status")).to_have_text("已转递")
    expect(phone.locator("#case-summary")).to_have_text(
        "材料已转递至康巴什区政务服务中心，等待受理"
    )
    expect(phone.locator("#case-due")).to_have_text("最晚 12月8日（周二）受理")
    assert public_case(city, ticket)["status"] == "forwarded"
    looks_right(phone, "status-page-case-forwarded")

    clock.advance(timedelta(days=1))
    missing = ["户口簿原件及复印件", "近期免冠一寸照片两张", "灵活就业人员登记表（本人签字）"]
    case.return_(missing)
    expect(phone.locator("#case-status")).to_have_text("需补正")
    expect(phone.locator("#case-summary")).to_have_text(
        "材料需要补正：请带齐下列全部材料，一次性交回一门市民服务中心"
    )
    expect(phone.locator("#case-materials li")).to_have_text(missing)
    expect(phone.locator("#case-materials-label")).to_have_text("需要补正的材料（共 3 项）")
    expect(phone.locator("#case-due")).to_be_hidden()
    assert steps_shown(phone) == [
        "收件 12月7日（周一）",
        "转递 12月7日（周一）",
        "告知补正 12月8日（周二）",
        "补正材料转递 等您交回材料",
    ]
    returned = public_case(city, ticket)
    assert (returned["status"], returned["materials"], returned["due_on"]) == (
        "returned",
        missing,
        None,
    )
    looks_right(phone, "status-page-case-returned")

    clock.advance(timedelta(days=1))
    case.resubmit()
    expect(phone.locator("#case-summary")).to_have_text(
        "补正材料已转递至康巴什区政务服务中心，等待受理"
    )
    expect(phone.locator("#case-materials-box")).to_be_hidden()
    case.accept()
    expect(phone.locator("#case-status")).to_have_text("已受理")
    expect(phone.locator("#case-due")).to_have_text("最晚 12月16日（周三）办结")
    looks_right(phone, "status-page-case-accepted")

    clock.advance(timedelta(days=2))
    case.decide(Decision.APPROVED)
    expect(phone.locator("#case-status")).to_have_text("已办结")
    expect(phone.locator("#case-summary")).to_have_text(
        "已办结（准予办理），请到伊金霍洛旗政务服务中心领取办理结果"
    )
    expect(phone.locator("#case-due")).to_have_text("最晚 12月14日（周一）出件")
    assert steps_shown(phone)[-1] == "出件 等您领取"
    looks_right(phone, "status-page-case-decided")

    clock.advance(timedelta(days=1))
    case.deliver()
    expect(phone.locator("#case-status")).to_have_text("已出件")
    expect(phone.locator("#case-due")).to_be_hidden()
    assert steps_shown(phone)[-1] == "出件 12月12日（周六）"
    delivered = public_case(city, ticket)
    assert (delivered["status"], delivered["status_label"]) == ("delivered", "已出件")
    looks_right(phone, "status-page-case-delivered")


def busy_hall(city: LiveCity, stop: threading.Event) -> None:
    """Other people's tickets, one every 0.2 s: events of the hall that concern nobody else."""
    with city.client(city.city.hall("main").kiosk_token) as kiosk:
        while not stop.wait(0.2):
            assert kiosk.post("/api/tickets", json={"category": "consult"}).status_code == 201


def test_a_step_in_another_hall_reaches_the_page_however_busy_its_own_hall_is(
    city: LiveCity, clock: ManualClock
) -> None:
    ticket = issue(city)
    at_window(city, ticket)
    case = Case(city, ticket)
    case.open(owner="kangbashi", delivery=Delivery.PICKUP)
    case.forward()
    stop = threading.Event()
    noise = threading.Thread(target=busy_hall, args=(city, stop))
    with connect(f"{city.ws_url}/ws/t/{ticket['public_code']}", open_timeout=5) as ws:
        first = json.loads(ws.recv(timeout=10))["ticket"]["cross_region"]
        assert first["status"] == "forwarded"
        noise.start()
        try:
            case.accept()  # kangbashi's step: an event on kangbashi's stream only
            taken = time.monotonic()
            while True:
                view = json.loads(ws.recv(timeout=4 * HEARTBEAT_SECONDS))["ticket"]
                if view["cross_region"]["status"] == "accepted":
                    break
            assert time.monotonic() - taken < 3 * HEARTBEAT_SECONDS
        finally:
            stop.set()
            noise.join()


def test_the_qr_code_still_shows_the_case_after_a_transfer_and_days_later(
    city: LiveCity, clock: ManualClock
) -> None:
    """The case was opened from the ticket's first row; the clerk then sent the applicant on
    to another queue (a new row with the same code); days later, after the server's
    housekeeping, the code still leads to the case (no ticket row is ever pruned)."""
    ticket = issue(city)
    at_window(city, ticket)
    clerk = city.as_("main-clerk1")
    case = Case(city, ticket)
    case.open(owner="kangbashi", delivery=Delivery.PICKUP)
    moved = clerk.post(
        f"/api/tickets/{ticket['id']}/transfer", json={"to_category": "consult", "reason": "咨询"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] != ticket["id"]
    case.forward()
    case.return_(["户口簿原件"])

    clock.advance(timedelta(days=10))
    db = Database(city.database_url)
    try:
        with db.write_session() as session:
            prune(session=session, now=clock.now())
    finally:
        db.dispose()
    answer = httpx.get(f"{city.base_url}/t/{ticket['public_code']}")
    assert answer.status_code == 200
    page = answer.text
    assert 'id="case-status" class="case-status">需补正<' in page, "shown without JavaScript"
    assert "<li>户口簿原件</li>" in page
    assert "一次性交回一门市民服务中心" in page
    assert 'id="status" class="status" hidden>' in page, "the queue's own state gives way"
    assert public_case(city, ticket)["status"] == "returned"
