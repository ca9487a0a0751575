"""The web boards as the hall's people see them: real Chromium at the TVs' real sizes, each
important state photographed (test-artifacts/) and checked the way a person would look at it —
the newest number is there and big, every number readable from across the hall, nothing
covers the screen that should not, nothing is cut off, and axe-core finds no serious fault."""

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from queue_server.config import HallConfig, load_hall_config
from tests.browser import axe_violations, clipped_elements, covering_elements, screenshot
from tests.display_board.support import RestartableServer, clerk_client, issue, wait_connected
from tests.support import Accounts, LiveServer, live_server

MIN_NUMBER_PX = 40.0
"""Every number on a board at 1080p: an applicant reads it from five metres."""
MIN_LATEST_PX = 160.0
"""The newest call (and a window's own number) is far larger than everything else."""
HALL_NUMBERS = (
    "#clock",
    "#recent .number",
    "#recent .to",
    "#windows .no",
    "#windows .current",
    "#queues td.waiting",
    "#queues td.eta",
)
WINDOW_NUMBERS = ("#clock", "#window-title", "#window-clerk")
SMALL_DISPLAY = {"width": 1280, "height": 720}
"""A window's own display: a small monitor above the counter."""
WAITING_PER_CATEGORY = 2
RECENT_CALLS_SHOWN = 8
"""Whole rows of recent calls that fit at 1080p; older ones give way."""
RECENT_CALLS_KEPT = 12
PAUSE_REASON = "午休交接"
"""Staff free text: it must never reach a board."""


def font_sizes(page: Page, selector: str) -> list[float]:
    sizes: list[float] = page.eval_on_selector_all(
        selector, "els => els.map(el => parseFloat(getComputedStyle(el).fontSize))"
    )
    return sizes


def look_at(page: Page, name: str, *, numbers: tuple[str, ...], scale: float = 1.0) -> Path:
    """Photograph the page and check what a person would: no sheet over the screen, nothing
    cut off, every number at least MIN_NUMBER_PX (scaled to the screen), no serious axe fault."""
    shot = screenshot(page, name)
    assert covering_elements(page) == [], f"{name}: something covers the screen"
    assert clipped_elements(page) == [], f"{name}: something is cut off"
    smallest = {selector: min(font_sizes(page, selector), default=None) for selector in numbers}
    too_small = {
        selector: size
        for selector, size in smallest.items()
        if size is not None and size < MIN_NUMBER_PX * scale - 0.5
    }
    assert too_small == {}, f"{name}: numbers too small to read from afar"
    assert axe_violations(page) == [], f"{name}: axe-core"
    return shot


def expect_latest_call(page: Page, number: str, window_no: int) -> None:
    latest = page.locator("#latest-number")
    expect(latest).to_have_text(number)
    expect(page.locator("#latest-window")).to_have_text(f"请到 {window_no} 号窗口")
    expect(latest).to_be_in_viewport(ratio=1)
    assert min(font_sizes(page, "#latest-number")) >= MIN_LATEST_PX


def open_hall_board(page: Page, base_url: str, board_token: str) -> None:
    page.goto(f"{base_url}/board?token={board_token}")
    wait_connected(page)


@dataclass
class Staffing:
    """Who is at which window: a clerk calling, a clerk on a pause, or nobody."""

    calling: list[int]
    paused: list[int]


def staff_the_hall(
    base_url: str, accounts: Accounts, hall: HallConfig, clerks: list[str], staffing: Staffing
) -> dict[int, str]:
    """Issue a ticket for each calling window, then a few more that wait; sign clerks in, who
    pause or call (all at once, as in a real hall); recall the first window's call. Returns
    the number each calling window shows."""
    first_category = {window.number: window.categories[0] for window in hall.windows}
    at_windows = [first_category[window_no] for window_no in staffing.calling]
    waiting = [c.code for c in hall.categories for _ in range(WAITING_PER_CATEGORY)]
    staffed = dict(zip(sorted(staffing.calling + staffing.paused), clerks, strict=False))

    def open_window(window_no: int) -> tuple[int, str, int] | None:
        token = accounts.clerk_tokens[staffed[window_no]]
        with httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            client.post(f"/api/windows/{window_no}/sign-in").raise_for_status()
            if window_no in staffing.paused:
                reason = {"reason": PAUSE_REASON}
                client.post(f"/api/windows/{window_no}/pause", json=reason).raise_for_status()
                return None
            called = client.post(f"/api/windows/{window_no}/call-next")
            called.raise_for_status()
            return window_no, called.json()["number"], called.json()["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        for categories in (at_windows, waiting):
            list(pool.map(lambda code: issue(base_url, accounts.kiosk_token, code), categories))
        calls = sorted(call for call in pool.map(open_window, staffed) if call is not None)
    first_window, _, ticket_id = calls[0]
    token = accounts.clerk_tokens[staffed[first_window]]
    recalled = httpx.post(
        f"{base_url}/api/tickets/{ticket_id}/recall",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    recalled.raise_for_status()
    return {window_no: number for window_no, number, _ in calls}


def expect_staffed(
    page: Page, base_url: str, token: str, shown: dict[int, str], staffing: Staffing
) -> None:
    for window_no, number in shown.items():
        card = page.locator(f'#windows .window-card[data-window="{window_no}"]')
        expect(card).to_contain_text(number)
    for window_no in staffing.paused:
        card = page.locator(f'#windows .window-card[data-window="{window_no}"]')
        expect(card).to_have_class(re.compile(r"\bpaused\b"))
        expect(card).to_contain_text("暂停服务")
    recalled = min(shown)
    expect(page.locator("#recent li").first).to_contain_text(f"{shown[recalled]}")
    expect(page.locator("#recent li").first).to_contain_text("重呼")
    hall = httpx.get(f"{base_url}/api/hall", headers={"Authorization": f"Bearer {token}"})
    counts = [str(category["waiting"]) for category in hall.json()["categories"]]
    assert sum(map(int, counts)) == WAITING_PER_CATEGORY * len(counts)
    expect(page.locator("#queues td.waiting")).to_have_text(counts)


def test_the_hall_board_idle_calling_paused_busy_and_offline(tmp_path: Path, page: Page) -> None:
    """The default hall (12 windows, 7 categories) through a morning, on one server."""
    with RestartableServer(tmp_path) as server:
        base, accounts = server.base_url, server.accounts
        open_hall_board(page, base, accounts.board_token)
        expect(page.locator("#windows .window-card")).to_have_count(12)
        expect(page.locator("#queues tbody tr")).to_have_count(7)
        expect(page.locator("#latest-number")).to_have_text("—")
        look_at(page, "web-hall-idle", numbers=HALL_NUMBERS)

        ticket = issue(base, accounts.kiosk_token)
        with clerk_client(base, "clerk1", 5) as clerk:
            clerk.post("/api/windows/5/call-next").raise_for_status()
        expect_latest_call(page, str(ticket["number"]), 5)
        expect(page.locator('#queues tr[data-category="general"] td.waiting')).to_have_text("0")
        look_at(page, "web-hall-call", numbers=HALL_NUMBERS)

        with clerk_client(base, "clerk2", 9) as clerk:
            clerk.post("/api/windows/9/pause", json={"reason": PAUSE_REASON}).raise_for_status()
        paused = page.locator('#windows .window-card[data-window="9"]')
        expect(paused).to_have_class(re.compile(r"\bpaused\b"))
        expect(paused).to_contain_text("暂停服务")
        expect_latest_call(page, str(ticket["number"]), 5)
        look_at(page, "web-hall-paused", numbers=HALL_NUMBERS)

        staffing = Staffing(calling=[1, 2, 3, 4, 6, 7], paused=[])
        shown = staff_the_hall(base, accounts, server.hall, accounts.clerks[2:], staffing)
        expect_staffed(
            page, base, accounts.board_token, shown, Staffing(staffing.calling, paused=[9])
        )
        expect(page.locator("#recent li")).to_have_count(7)
        look_at(page, "web-hall-busy-12", numbers=HALL_NUMBERS)
        body = page.content()
        assert PAUSE_REASON not in body and "腿脚不便" not in body
        assert str(ticket["public_code"]) not in body

        server.stop()
        expect(page.locator("#offline")).to_be_visible(timeout=10_000)
        expect(page.locator("#offline")).to_be_in_viewport(ratio=1)
        look_at(page, "web-hall-offline", numbers=HALL_NUMBERS)


def hall_with(windows: int) -> HallConfig:
    """The default hall's 7 categories over `windows` windows, every category served; the
    boards keep more recent calls than the hall board has room for."""
    default = load_hall_config()
    codes = [category.code for category in default.categories]
    names = {category.code: category.name for category in default.categories}

    def serves(number: int) -> list[str]:
        own = codes[(number - 1) % len(codes)]
        spill = [code for index, code in enumerate(codes) if index % windows == number - 1]
        return [own, *(code for code in spill if code != own)]

    return HallConfig.model_validate(
        {
            **default.model_dump(),
            "board": {**default.board.model_dump(), "recent_calls": RECENT_CALLS_KEPT},
            "windows": [
                {
                    "number": number,
                    "name": names[serves(number)[0]],
                    "zone": "综合服务区",
                    "categories": serves(number),
                }
                for number in range(1, windows + 1)
            ],
        }
    )


@dataclass
class Hall:
    server: LiveServer
    config: HallConfig


@pytest.fixture(params=[6, 24], ids=lambda count: f"{count}-windows")
def big_or_small_hall(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hall]:
    count: int = request.param
    config = hall_with(count)
    with live_server(tmp_path, hall=config, clerks=count) as running:
        yield Hall(running, config)


def test_the_hall_board_holds_with_few_and_many_windows(
    big_or_small_hall: Hall, page: Page
) -> None:
    """Every window staffed but one paused and the last closed; 7 categories waiting."""
    server, config = big_or_small_hall.server, big_or_small_hall.config
    count = len(config.windows)
    open_hall_board(page, server.base_url, server.accounts.board_token)
    expect(page.locator("#windows .window-card")).to_have_count(count)
    expect(page.locator("#queues tbody tr")).to_have_count(7)
    staffing = Staffing(calling=[n for n in range(1, count) if n != 2], paused=[2])
    shown = staff_the_hall(
        server.base_url, server.accounts, config, server.accounts.clerks, staffing
    )
    expect_staffed(page, server.base_url, server.accounts.board_token, shown, staffing)
    recalled = min(shown)
    expect_latest_call(page, shown[recalled], recalled)
    expect(page.locator(f'#windows .window-card[data-window="{count}"]')).to_contain_text("未开放")
    expect(page.locator("#recent li")).to_have_count(min(len(shown), RECENT_CALLS_SHOWN))
    look_at(page, f"web-hall-busy-{count}", numbers=HALL_NUMBERS)


def open_window_board(browser: Browser, base_url: str, token: str, size: dict[str, int]) -> Page:
    context = browser.new_context(viewport=size, locale="zh-CN")  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{base_url}/board/window/3?token={token}")
    wait_connected(page)
    return page


def test_the_window_board_on_a_tv_and_a_small_display(tmp_path: Path, browser: Browser) -> None:
    """Window 3's own display at 1920×1080 and at 1280×720: closed, calling, paused, offline."""
    sizes = {"1080p": {"width": 1920, "height": 1080}, "720p": SMALL_DISPLAY}
    with RestartableServer(tmp_path) as server:
        pages = {
            label: open_window_board(browser, server.base_url, server.accounts.board_token, size)
            for label, size in sizes.items()
        }

        def look(state: str) -> None:
            for label, page in pages.items():
                scale = sizes[label]["height"] / 1080
                look_at(page, f"web-window-{state}-{label}", numbers=WINDOW_NUMBERS, scale=scale)
                number = min(font_sizes(page, "#window-number"))
                assert number >= MIN_LATEST_PX * scale, f"{label}: the number is {number} px"

        for page in pages.values():
            expect(page.locator("#window-status")).to_have_text("未开放")
            expect(page.locator("#window-number")).to_have_text("—")
        look("closed")

        ticket = issue(server.base_url, server.accounts.kiosk_token)
        with clerk_client(server.base_url, "clerk3", 3) as clerk:
            clerk.post("/api/windows/3/call-next").raise_for_status()
            for page in pages.values():
                expect(page.locator("#window-number")).to_have_text(str(ticket["number"]))
                expect(page.locator("#window-number")).to_be_in_viewport(ratio=1)
                expect(page.locator("#window-clerk")).to_have_text("工作人员 窗口员3　工号 0303")
            look("call")

            clerk.post(f"/api/tickets/{ticket['id']}/no-show").raise_for_status()
            clerk.post("/api/windows/3/pause", json={"reason": PAUSE_REASON}).raise_for_status()
            for page in pages.values():
                expect(page.locator("#paused")).to_be_visible()
                expect(page.locator("#paused")).to_have_text("暂停服务")
            look("paused")
            for page in pages.values():
                body = page.content()
                assert PAUSE_REASON not in body and "腿脚不便" not in body

            clerk.post("/api/windows/3/resume").raise_for_status()
            for page in pages.values():
                expect(page.locator("#paused")).to_be_hidden()
                expect(page.locator("#window-status")).to_have_text("空闲")

        server.stop()
        for page in pages.values():
            expect(page.locator("#offline")).to_be_visible(timeout=10_000)
        look("offline")
        for page in pages.values():
            page.context.close()
