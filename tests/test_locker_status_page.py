"""The applicant's status page with a result waiting in the smart locker: the pickup code and
the zone's hours on a 360 px phone in headless Chromium, shown live when staff deposit and
gone once picked up; a 市域通办 case's result deposited in the pickup hall's locker shows on
the page of the ticket the case was opened from, in another hall."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from queue_server.city import example_city_path, load_city_config
from queue_server.domain.clock import ManualClock
from queue_server.domain.cross_region import Decision, Delivery
from queue_server.domain.enums import Role
from tests.browser import axe_violations, clipped_elements, covering_elements, screenshot
from tests.city_support import LiveCity, live_city
from tests.support import issue_token, live_server, login
from tests.test_status_page_cross_region import Case, at_window
from tests.test_status_page_cross_region import issue as issue_cross_region

PHONE = ViewportSize(width=360, height=740)
SHANGHAI = ZoneInfo("Asia/Shanghai")
WAIT_MS = 15_000
SECRET = "status page test secret"
EJINHORO_LOCKER = """
[self_service]
hours = "07:00-22:00"

[[self_service.devices]]
name = "locker-e"
kind = "locker"
label = "伊金霍洛旗智能文件柜"
services = ["办件结果自助领取"]
compartments = 12
"""


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
    """Fits the phone, nothing cut off or covering the screen, the code large, axe clean."""
    screenshot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    assert clipped_elements(page) == [], name
    assert covering_elements(page) == [], name
    box = page.locator("#locker-code").bounding_box()
    assert box is not None and box["height"] >= 56, "the code is read and typed at arm's length"
    assert axe_violations(page) == [], name


def test_the_phone_shows_the_pickup_code_until_it_is_used(tmp_path: Path, phone: Page) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 16, 0, tzinfo=SHANGHAI))
    with live_server(tmp_path, clock=clock, secret_key=SECRET, heartbeat_seconds=1.0) as server:
        with server.client(server.accounts.kiosk_token) as kiosk:
            ticket = kiosk.post("/api/tickets", json={"category": "general"}).json()
        phone.goto(f"{server.base_url}/t/{ticket['public_code']}")
        expect(phone.locator("#connection")).to_have_text("实时更新中")
        expect(phone.locator("#locker")).to_be_hidden()
        clerk = server.client(server.accounts.clerk_tokens[server.accounts.clerks[0]])
        body = {"compartment": 5, "ticket_code": ticket["public_code"]}
        deposit = clerk.post("/api/lockers/locker-1/deposits", json=body)
        assert deposit.status_code == 201, deposit.text
        code = deposit.json()["pickup_code"]
        expect(phone.locator("#locker-code")).to_have_text(code)
        expect(phone.locator("#locker-where")).to_have_text(
            "请到24小时自助服务区的智能文件柜输入取件码"
        )
        expect(phone.locator("#locker-hours")).to_have_text("自助服务区24小时开放")
        looks_right(phone, "locker-status-page-live")
        phone.reload()  # the page as rendered by the server, before its script runs again
        expect(phone.locator("#locker-code")).to_have_text(code)
        looks_right(phone, "locker-status-page")
        device = server.client(issue_token(server.database_url, "locker-1", Role.DEVICE))
        picked = device.post("/api/lockers/locker-1/pickups", json={"pickup_code": code})
        assert picked.json() == {"compartment": 5}
        expect(phone.locator("#locker")).to_be_hidden()
        assert code not in phone.content()


def city_with_a_locker_in_ejinhoro(folder: Path) -> Path:
    """The example city, with ejinhoro's hall file given a zone open 07:00–22:00 and a
    locker."""
    example = example_city_path().parent
    ejinhoro = folder / "ejinhoro.toml"
    ejinhoro.write_text(
        (example / "ejinhoro.toml").read_text(encoding="utf-8") + EJINHORO_LOCKER,
        encoding="utf-8",
    )
    text = (example / "city.toml").read_text(encoding="utf-8")
    text = text.replace(
        '"../../default_hall.toml"', f'"{example.parent.parent / "default_hall.toml"}"'
    )
    text = text.replace('"kangbashi.toml"', f'"{example / "kangbashi.toml"}"')
    city = folder / "city.toml"
    city.write_text(text, encoding="utf-8")
    return city


def test_a_case_result_in_the_pickup_halls_locker_shows_on_the_original_ticket(
    tmp_path: Path, phone: Page
) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI))
    config = load_city_config(city_with_a_locker_in_ejinhoro(tmp_path))
    with live_city(tmp_path, city=config, clock=clock, secret_key=SECRET) as city:
        ticket = issue_cross_region(city)
        at_window(city, ticket)
        case = Case(city, ticket)
        case.open(owner="kangbashi", delivery=Delivery.PICKUP, pickup="ejinhoro")
        case.forward()
        case.accept()
        case.decide(Decision.APPROVED)
        body = {"compartment": 2, "case_id": case.case_id}
        main_clerk = city.as_("main-clerk1")
        assert main_clerk.post("/api/lockers/locker-1/deposits", json=body).status_code == 404
        ejinhoro = city.client(login(city.base_url, "ejinhoro-clerk1"))
        deposit = ejinhoro.post("/api/lockers/locker-e/deposits", json=body)
        assert deposit.status_code == 201, deposit.text
        code = deposit.json()["pickup_code"]
        assert deposit.json()["case_code"] and deposit.json()["ticket_number"] == ticket["number"]
        view = public_view(city, ticket)
        assert view["locker"]["locker_label"] == "伊金霍洛旗智能文件柜"
        assert view["locker"]["zone_hours"] == "每天 07:00-22:00 开放"
        assert view["locker"]["pickup_code"] == code
        phone.goto(f"{city.base_url}/t/{ticket['public_code']}")
        expect(phone.locator("#locker-code")).to_have_text(code)
        expect(phone.locator("#locker-hours")).to_have_text("自助服务区每天 07:00-22:00 开放")
        expect(phone.locator("#case")).to_be_visible()
        looks_right(phone, "locker-status-page-cross-region")
        device = city.client(
            issue_token(city.database_url, "locker-e", Role.DEVICE, hall="ejinhoro")
        )
        picked = device.post("/api/lockers/locker-e/pickups", json={"pickup_code": code})
        assert picked.json() == {"compartment": 2}
        assert public_view(city, ticket)["locker"] is None


def public_view(city: LiveCity, ticket: dict[str, Any]) -> dict[str, Any]:
    response = httpx.get(f"{city.base_url}/api/public/tickets/{ticket['public_code']}")
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view
