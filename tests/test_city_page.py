"""The public 就近办 page `/city` in headless Chromium on a 360 px phone, against a real server
of a city of three halls: every hall's waits, a matter picked, a lost connection."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, ViewportSize, expect

from tests.browser import axe_violations, clipped_elements, covering_elements, screenshot
from tests.city_support import LiveCity, live_city
from tests.nearby_support import issue, nearby_city, open_window

PHONE = ViewportSize(width=360, height=740)
WAIT_MS = 15_000


@pytest.fixture
def city(tmp_path: Path) -> Iterator[LiveCity]:
    with live_city(tmp_path, city=nearby_city(tmp_path)) as running:
        open_window(running, "main", 2)
        open_window(running, "kangbashi", 2)
        issue(running, "main", "general", 8)
        issue(running, "kangbashi", "general", 1)
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


def looks_right(page: Page, name: str) -> None:
    screenshot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    assert clipped_elements(page) == [], name
    # The answer's card is meant to fill much of the phone; an overlay hiding the page is not.
    assert covering_elements(page, share=0.8) == [], name
    assert axe_violations(page) == [], name


def test_the_page_is_public_and_holds_nothing_personal(city: LiveCity) -> None:
    kiosk = city.client(city.city.hall("main").kiosk_token)
    taken = kiosk.post(
        "/api/tickets", json={"category": "general", "priority": "other", "priority_note": "张三"}
    )
    assert taken.status_code == 201
    page = city.client().get("/city")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<option value="household_move">户籍迁入</option>' in page.text
    assert "鄂尔多斯市" in page.text
    assert "张三" not in page.text
    for asset in ("city.css", "city.js"):
        served = city.client().get(f"/city/assets/{asset}")
        assert served.status_code == 200
    assert city.client().get("/city/assets/other.js").status_code == 422


def test_every_halls_waits_then_where_to_go_for_a_matter(city: LiveCity, phone: Page) -> None:
    phone.goto(f"{city.base_url}/city")
    halls = phone.locator("#hall-list > li")
    expect(halls).to_have_count(3)
    main = phone.locator('#hall-list > li[data-hall="main"]')
    expect(main).to_contain_text("市民中心")
    expect(main.locator(".queue", has_text="综合受理")).to_contain_text("等候 8 人")
    expect(phone.locator("#where")).to_be_hidden()
    expect(phone.locator("#updated")).to_contain_text("更新于")
    looks_right(phone, "city-page-halls")

    phone.select_option("#matter", "household_move")
    where = phone.locator("#where-list > li")
    expect(where).to_have_count(3)
    expect(where.first).to_have_attribute("data-hall", "kangbashi")
    expect(where.first).to_contain_text("推荐：现在最快")
    expect(where.first).to_contain_text("康巴什区政务服务中心")  # its address
    expect(where.first).to_contain_text("本厅受理办理")
    expect(where.nth(1)).to_have_attribute("data-hall", "main")
    expect(where.nth(1)).to_contain_text("市域通办")
    expect(where.nth(2)).to_contain_text("暂无窗口办理")  # 伊金霍洛: no window open
    assert "matter=household_move" in phone.url
    looks_right(phone, "city-page-matter-picked")

    phone.select_option("#matter", "site_check")
    expect(where).to_have_count(1)
    expect(where.first).to_have_attribute("data-hall", "kangbashi")

    phone.goto(f"{city.base_url}/city?matter=retirement")
    expect(phone.locator("#matter")).to_have_value("retirement")
    expect(where).to_have_count(3)


def test_a_lost_connection_keeps_the_last_waits_and_says_since_when(
    city: LiveCity, phone: Page
) -> None:
    phone.goto(f"{city.base_url}/city?matter=household_move")
    expect(phone.locator("#where-list > li")).to_have_count(3)
    expect(phone.locator("#offline")).to_be_hidden()

    phone.context.set_offline(True)
    expect(phone.locator("#offline")).to_be_visible()
    expect(phone.locator("#offline")).to_contain_text("网络连接中断，以下是")
    expect(phone.locator("#hall-list > li")).to_have_count(3)
    expect(phone.locator("#where-list > li")).to_have_count(3)
    looks_right(phone, "city-page-offline")

    phone.context.set_offline(False)
    expect(phone.locator("#offline")).to_be_hidden()
    expect(phone.locator(".city-page")).to_have_attribute("data-state", "live")


def test_a_server_that_cannot_answer_is_said_plainly(city: LiveCity, phone: Page) -> None:
    def refuse(route: Route) -> None:
        route.fulfill(status=503, json={"detail": "busy", "code": "unavailable"})

    phone.route("**/api/public/halls*", refuse)
    phone.goto(f"{city.base_url}/city")
    expect(phone.locator("#offline")).to_contain_text("暂时无法获取各大厅的排队情况")
    expect(phone.locator(".city-page")).to_have_attribute("data-state", "error")
    expect(phone.locator("#halls-loading")).to_be_hidden()
    looks_right(phone, "city-page-error")
