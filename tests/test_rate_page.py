"""The window's evaluator page in headless Chromium: the clerk finishes a ticket at the window,
the tablet shows the five choices, the applicant touches one, and the rating is stored."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from queue_server.config import HallConfig, load_hall_config
from tests.browser import (
    axe_violations,
    clipped_elements,
    covering_elements,
    rendered_height_px,
    screenshot,
)
from tests.feedback_support import clerk_at, events, serve
from tests.support import LiveServer, live_server

WAIT_MS = 15_000
TABLET = ViewportSize(width=1280, height=800)
"""A 10-inch Android tablet in landscape, the usual 好差评 evaluator at a window."""


@pytest.fixture
def quick_idle_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The default hall, with the tablet going idle after 5 s instead of 60."""
    default = load_hall_config()
    hall = HallConfig.model_validate(
        {
            **default.model_dump(),
            "evaluation": {**default.evaluation.model_dump(), "idle_seconds": 5},
        }
    )
    with live_server(tmp_path, hall=hall) as running:
        yield running


@pytest.fixture
def tablet(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=TABLET, locale="zh-CN", timezone_id="Asia/Shanghai", has_touch=True
    )
    context.set_default_timeout(WAIT_MS)
    opened = context.new_page()
    yield opened
    context.close()


def looks_right(page: Page, name: str, *, axe: bool = True) -> None:
    """What a person checks: it fits the tablet, nothing is cut off or laid over the screen,
    and axe finds nothing serious."""
    screenshot(page, name)
    width, height = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert width <= TABLET["width"] and height <= TABLET["height"], f"{name} scrolls"
    assert clipped_elements(page) == [], name
    assert covering_elements(page) == [], name
    if axe:
        assert axe_violations(page) == [], name


def open_tablet(page: Page, server: LiveServer, window: int) -> None:
    page.goto(f"{server.base_url}/rate/window/{window}?token={server.accounts.evaluator_token}")
    expect(page.locator("body")).to_have_attribute("data-screen", "idle", timeout=WAIT_MS)
    expect(page.locator("#link")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    assert "token=" not in page.url, "the token leaves the address bar once read"


def manager_evaluations(server: LiveServer) -> list[dict[str, object]]:
    manager = server.client(server.login(server.accounts.manager))
    listed: list[dict[str, object]] = manager.get("/api/evaluations").json()
    return listed


def test_the_tablet_asks_after_a_finish_and_stores_the_touch(
    server: LiveServer, page: Page
) -> None:
    open_tablet(page, server, 2)
    expect(page.locator("#window-name")).to_contain_text("2号窗口")
    screenshot(page, "rate-idle")
    clerk = clerk_at(server, 0, 2)
    ticket = serve(server, clerk, 2)

    expect(page.locator("body")).to_have_attribute("data-screen", "choices", timeout=WAIT_MS)
    expect(page.locator("#ticket-number")).to_have_text(f"{ticket['number']}号")
    choices = page.locator("#levels .level")
    expect(choices).to_have_text(["非常满意", "满意", "基本满意", "不满意", "非常不满意"])
    screenshot(page, "rate-choices")
    page.get_by_role("button", name="满意", exact=True).click()
    expect(page.locator("body")).to_have_attribute("data-screen", "thanks", timeout=WAIT_MS)

    [stored] = manager_evaluations(server)
    assert (stored["ticket_id"], stored["level"], stored["channel"]) == (ticket["id"], 4, "window")
    assert stored["window_no"] == 2


def test_a_bad_review_on_the_tablet_needs_a_reason(server: LiveServer, page: Page) -> None:
    open_tablet(page, server, 3)
    clerk = clerk_at(server, 0, 3)
    other = clerk_at(server, 1, 4)
    serve(server, other, 4)  # finished at another window: this tablet stays idle
    ticket = serve(server, clerk, 3)
    expect(page.locator("#ticket-number")).to_have_text(f"{ticket['number']}号", timeout=WAIT_MS)

    page.get_by_role("button", name="非常不满意").click()
    expect(page.locator("body")).to_have_attribute("data-screen", "reasons")
    submit = page.get_by_role("button", name="提交评价")
    expect(submit).to_be_disabled()
    page.get_by_role("button", name="等候时间过长").click()
    page.locator("#comment").fill("排队一个多小时")
    expect(submit).to_be_enabled()
    screenshot(page, "rate-reasons")
    submit.click()
    expect(page.locator("body")).to_have_attribute("data-screen", "thanks", timeout=WAIT_MS)

    [stored] = manager_evaluations(server)
    assert (stored["ticket_id"], stored["level"]) == (ticket["id"], 1)
    assert (stored["reasons"], stored["comment"]) == (["等候时间过长"], "排队一个多小时")
    [opened] = events(server, "case.opened")
    assert opened["payload"]["kind"] == "followup"


def test_a_tablet_opened_after_the_finish_still_asks(server: LiveServer, page: Page) -> None:
    ticket = serve(server, clerk_at(server, 0, 5), 5)
    page.goto(f"{server.base_url}/rate/window/5?token={server.accounts.evaluator_token}")
    expect(page.locator("#ticket-number")).to_have_text(f"{ticket['number']}号", timeout=WAIT_MS)
    expect(page.locator("body")).to_have_attribute("data-screen", "choices")
    page.get_by_role("button", name="非常满意").click()
    expect(page.locator("body")).to_have_attribute("data-screen", "thanks", timeout=WAIT_MS)
    [stored] = manager_evaluations(server)
    assert (stored["ticket_id"], stored["level"]) == (ticket["id"], 5)


def test_the_tablet_goes_idle_unrated_after_its_timeout(
    quick_idle_server: LiveServer, page: Page
) -> None:
    server = quick_idle_server
    open_tablet(page, server, 2)
    serve(server, clerk_at(server, 0, 2), 2)
    expect(page.locator("body")).to_have_attribute("data-screen", "choices", timeout=WAIT_MS)
    expect(page.locator("body")).to_have_attribute("data-screen", "idle", timeout=WAIT_MS)
    assert manager_evaluations(server) == []


def test_the_page_refuses_staff_tokens_and_unknown_windows(server: LiveServer) -> None:
    clerk_token = server.login(server.accounts.clerks[0])
    with httpx.Client(base_url=server.base_url) as client:
        refused = client.get("/rate/window/2", params={"token": clerk_token})
        assert refused.status_code == 403
        assert refused.json()["code"] == "wrong_role"
        assert client.get("/rate/window/2").status_code == 401
        unknown = client.get("/rate/window/99", params={"token": server.accounts.evaluator_token})
        assert unknown.status_code == 404
        page = client.get("/rate/window/2", params={"token": server.accounts.evaluator_token})
        assert page.status_code == 200
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "服务评价" in page.text
        assert client.get("/rate/assets/rate.js").status_code == 200
        assert client.get("/rate/assets/secret.txt").status_code == 422


def test_the_tablet_reads_well_in_each_state(server: LiveServer, tablet: Page) -> None:
    open_tablet(tablet, server, 2)
    expect(tablet.locator("#screen-idle h1")).to_be_visible()
    looks_right(tablet, "rate-tablet-idle")

    ticket = serve(server, clerk_at(server, 0, 2), 2)
    number = tablet.locator("#ticket-number")
    expect(number).to_have_text(f"{ticket['number']}号")
    assert rendered_height_px(tablet, "#ticket-number") >= 32, "the number reads at arm's length"
    for choice in tablet.locator("#levels .level").all():
        box = choice.bounding_box()
        assert box is not None and box["width"] >= 150 and box["height"] >= 150
        assert box["x"] + box["width"] <= TABLET["width"], "every choice on screen"
    looks_right(tablet, "rate-tablet-choices")

    tablet.clock.install()  # hold the 4-second thanks screen while a person looks at it
    tablet.clock.pause_at(tablet.evaluate("Date.now()") + 1000)
    tablet.get_by_role("button", name="非常满意").click()
    expect(tablet.locator("body")).to_have_attribute("data-screen", "thanks")
    expect(tablet.locator("#screen-thanks h1")).to_have_text("感谢您的评价！")
    looks_right(tablet, "rate-tablet-thanks", axe=False)
    tablet.clock.resume()  # axe-core needs timers; it is done well within the 4 seconds
    assert axe_violations(tablet) == []
    assert tablet.evaluate("document.body.dataset.screen") == "thanks", "axe saw the thanks"
    expect(tablet.locator("body")).to_have_attribute("data-screen", "idle")
