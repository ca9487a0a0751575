"""The web boards in real headless Chromium against a real queue server."""

import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.browser import screenshot
from tests.display_board.support import RestartableServer, clerk_client, issue, wait_connected
from tests.support import LiveServer

CALL_SHOWN_WITHIN_SECONDS = 1.0


def test_a_call_appears_on_the_hall_board_within_a_second(server: LiveServer, page: Page) -> None:
    page.goto(f"{server.base_url}/board?token={server.accounts.board_token}")
    wait_connected(page)
    expect(page.locator("#hall-name")).to_have_text("一门市民服务中心")
    expect(page.locator("#windows .window-card")).to_have_count(12)
    ticket = issue(server.base_url, server.accounts.kiosk_token)
    general = page.locator('#queues tr[data-category="general"] td.waiting')
    expect(general).to_have_text("1")
    with clerk_client(server.base_url, "clerk1", 5) as clerk:
        sent = time.monotonic()
        response = clerk.post("/api/windows/5/call-next")
        assert response.status_code == 200
        expect(page.locator("#latest-number")).to_have_text(str(ticket["number"]))
        shown_after = time.monotonic() - sent
    assert shown_after < CALL_SHOWN_WITHIN_SECONDS, f"the call took {shown_after:.2f} s"
    expect(page.locator("#latest-window")).to_have_text("请到 5 号窗口")
    expect(page.locator("#latest")).to_have_class("latest highlight")
    expect(page.locator("#recent li").first).to_contain_text(f"{ticket['number']}5 号窗口")
    card = page.locator('#windows .window-card[data-window="5"]')
    expect(card).to_contain_text(str(ticket["number"]))
    expect(card).to_contain_text("请前往")
    expect(general).to_have_text("0")
    body = page.content()
    assert str(ticket["public_code"]) not in body
    assert "腿脚不便" not in body
    assert screenshot(page, "web-hall-board").stat().st_size > 10_000


def test_window_board_shows_number_clerk_and_pause(server: LiveServer, page: Page) -> None:
    page.goto(f"{server.base_url}/board/window/3?token={server.accounts.board_token}")
    wait_connected(page)
    expect(page.locator("#window-title")).to_have_text("3 号窗口")
    expect(page.locator("#window-status")).to_have_text("未开放")
    ticket = issue(server.base_url, server.accounts.kiosk_token)
    with clerk_client(server.base_url, "clerk3", 3) as clerk:
        expect(page.locator("#window-clerk")).to_have_text("工作人员 窗口员3　工号 0303")
        assert clerk.post("/api/windows/3/call-next").status_code == 200
        expect(page.locator("#window-number")).to_have_text(str(ticket["number"]))
        screenshot(page, "web-window-board")
        clerk.post(f"/api/tickets/{ticket['id']}/no-show").raise_for_status()
        clerk.post("/api/windows/3/pause", json={"reason": "会议"}).raise_for_status()
        expect(page.locator("#paused")).to_be_visible()
        expect(page.locator("#paused")).to_have_text("暂停服务")
        screenshot(page, "web-window-board-paused")
        clerk.post("/api/windows/3/resume").raise_for_status()
        expect(page.locator("#paused")).to_be_hidden()
        expect(page.locator("#window-status")).to_have_text("空闲")


def test_the_web_board_reconnects_after_a_server_restart(tmp_path: Path, page: Page) -> None:
    with RestartableServer(tmp_path) as server:
        page.goto(f"{server.base_url}/board?token={server.accounts.board_token}")
        wait_connected(page)
        server.stop()
        expect(page.locator("#offline")).to_be_visible(timeout=10_000)
        screenshot(page, "web-hall-board-offline")
        server.start()
        ticket = issue(server.base_url, server.accounts.kiosk_token)
        with clerk_client(server.base_url, "clerk2", 2) as clerk:
            assert clerk.post("/api/windows/2/call-next").status_code == 200
        expect(page.locator("#latest-number")).to_have_text(str(ticket["number"]), timeout=10_000)
        expect(page.locator("#offline")).to_be_hidden()
        card = page.locator('#windows .window-card[data-window="2"]')
        expect(card).to_contain_text(str(ticket["number"]))


def test_the_board_pages_check_the_token(server: LiveServer, page: Page) -> None:
    refused = page.goto(f"{server.base_url}/board")
    assert refused is not None and refused.status == 401
    expect(page.locator("body")).to_contain_text("需要登录")
    refused = page.goto(f"{server.base_url}/board/window/2?token={server.accounts.kiosk_token}")
    assert refused is not None and refused.status == 403
    expect(page.locator("body")).to_contain_text("无权打开显示屏")
    missing = page.goto(f"{server.base_url}/board/window/99?token={server.accounts.board_token}")
    assert missing is not None and missing.status == 404
    as_json = httpx.get(f"{server.base_url}/board", params={"token": "wrong"})
    assert as_json.status_code == 401
    assert as_json.json()["code"] == "unauthenticated"
    manager = httpx.get(
        f"{server.base_url}/board", params={"token": server.login(server.accounts.manager)}
    )
    assert manager.status_code == 200
    assert manager.headers["referrer-policy"] == "no-referrer"


def test_pages_refusals_and_assets_share_one_header_policy(server: LiveServer, page: Page) -> None:
    """One policy for everything a board loads: never cached, no referrer, only its own
    script and style sheet (which still run: the page connects and the refusal is styled)."""
    board = server.accounts.board_token
    responses = {
        "hall page": httpx.get(f"{server.base_url}/board", params={"token": board}),
        "window page": httpx.get(f"{server.base_url}/board/window/3", params={"token": board}),
        "refusal": httpx.get(f"{server.base_url}/board", headers={"Accept": "text/html"}),
        "style sheet": httpx.get(f"{server.base_url}/board/board.css"),
        "script": httpx.get(f"{server.base_url}/board/board.js"),
    }
    for what, response in responses.items():
        assert response.headers["cache-control"] == "no-store", what
        assert response.headers["referrer-policy"] == "no-referrer", what
        assert response.headers["x-content-type-options"] == "nosniff", what
        assert "script-src 'self'" in response.headers["content-security-policy"], what
    assert responses["style sheet"].headers["content-type"].startswith("text/css")
    assert "javascript" in responses["script"].headers["content-type"]
    for unserved in ("/board/hall.html", "/board/window.html", "/board/assets/board.css"):
        assert httpx.get(f"{server.base_url}{unserved}").status_code == 404, unserved

    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))
    page.goto(f"{server.base_url}/board")
    expect(page.locator("body")).to_have_css("font-size", "48px")
    page.goto(f"{server.base_url}/board?token={board}")
    wait_connected(page)
    expect(page.locator("#queues tbody tr")).to_have_count(7)
    assert [text for text in violations if "Content Security Policy" in text] == []
