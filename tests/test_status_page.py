"""The applicant's status page `/t/{code}`: the public JSON view of one ticket, its live
websocket, and the page itself in headless Chromium on a phone-sized screen."""

import contextlib
import json
import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from queue_server.api.status_page import MAX_PAGES_PER_TICKET
from tests.browser import screenshot
from tests.support import LiveServer


def issue(server: LiveServer, category: str = "general", **extra: str) -> dict[str, Any]:
    with server.client(server.accounts.kiosk_token) as kiosk:
        response = kiosk.post("/api/tickets", json={"category": category, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def status_message(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=10))
    assert message["type"] == "ticket_status"
    ticket: dict[str, Any] = message["ticket"]
    return ticket


def until(ws: ClientConnection, wanted: dict[str, Any]) -> dict[str, Any]:
    """The first view pushed that has the wanted values (a burst of events may be merged)."""
    while True:
        view = status_message(ws)
        if all(view[key] == value for key, value in wanted.items()):
            return view


def test_the_public_view_shows_one_ticket_and_nothing_personal(server: LiveServer) -> None:
    issue(server)
    ticket = issue(server, matter="newborn", priority="other", priority_note="腿脚不便 王某")
    response = httpx.get(f"{server.base_url}/api/public/tickets/{ticket['public_code']}")
    assert response.status_code == 200
    view = response.json()
    assert view["number"] == "B002"
    assert (view["status"], view["status_label"], view["ahead"]) == ("waiting", "等候中", 1)
    assert view["eta_minutes"] is None  # no window is open yet
    assert view["matter"] == "新生儿出生"
    assert view["materials"][0] == "夫妻双方身份证"
    text = response.text
    for private in ("priority", "腿脚不便", "public_code", '"id"'):
        assert private not in text
    missing = httpx.get(f"{server.base_url}/api/public/tickets/ABCDEFGHJKMNPQRS")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert httpx.get(f"{server.base_url}/api/public/tickets/1").status_code == 422


def test_the_websocket_follows_the_ticket_until_it_is_called(server: LiveServer) -> None:
    first = issue(server)
    mine = issue(server)
    clerk = server.client(server.login(server.accounts.clerks[0]))
    with connect(f"{server.ws_url}/ws/t/{mine['public_code']}", open_timeout=5) as ws:
        assert status_message(ws)["ahead"] == 1
        assert clerk.post("/api/windows/3/sign-in").status_code == 200
        view = status_message(ws)
        while view["eta_minutes"] is None:  # an open window gives an estimate
            view = status_message(ws)
        assert view["ahead"] == 1
        assert clerk.post("/api/windows/3/call-next").json()["id"] == first["id"]
        until(ws, {"ahead": 0})
        assert clerk.post(f"/api/tickets/{first['id']}/no-show").status_code == 200
        assert clerk.post("/api/windows/3/call-next").json()["id"] == mine["id"]
        view = until(ws, {"status": "called"})
    assert view["window_no"] == 3
    assert view["call_text"] == "请B002号到3号窗口办理"


def test_an_unknown_code_is_closed_at_once(server: LiveServer) -> None:
    with connect(f"{server.ws_url}/ws/t/ABCDEFGHJKMNPQRS", open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "error"
        try:
            ws.recv(timeout=5)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4404
        else:
            raise AssertionError("the socket stayed open")


def test_the_page_shows_the_ticket_and_updates_when_called(server: LiveServer, page: Page) -> None:
    issue(server)
    ticket = issue(server, matter="退休")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{server.base_url}/t/{ticket['public_code']}")
    expect(page.locator("#number")).to_have_text("B002")
    expect(page.locator("#category")).to_have_text("综合受理")
    expect(page.locator("#status")).to_have_text("等候中")
    expect(page.locator("#ahead")).to_have_text("1")
    expect(page.locator("#materials li").first).to_have_text("企业职工退休一件事办理申请表")
    expect(page.locator("#connection")).to_have_text("实时更新中")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # fits a phone
    screenshot(page, "status-page-waiting")

    clerk = server.client(server.login(server.accounts.clerks[0]))
    clerk.post("/api/windows/4/sign-in")
    clerk.post("/api/windows/4/call", json={"number": "B002"})
    expect(page.locator("#call-window")).to_have_text("请到4号窗口")
    expect(page.locator("#status")).to_have_text("已叫号")
    expect(page.locator("#waiting")).to_be_hidden()
    screenshot(page, "status-page-called")


def test_a_page_for_an_unknown_code_says_so(server: LiveServer, page: Page) -> None:
    page.goto(f"{server.base_url}/t/ABCDEFGHJKMNPQRS")
    expect(page.locator("#message")).to_contain_text("没有找到这张号票")


def test_one_ticket_is_followed_by_a_bounded_number_of_pages(server: LiveServer) -> None:
    url = f"{server.ws_url}/ws/t/{issue(server)['public_code']}"
    with contextlib.ExitStack() as pages:
        for _ in range(MAX_PAGES_PER_TICKET):
            status_message(pages.enter_context(connect(url, open_timeout=5)))
        with connect(url, open_timeout=5) as one_too_many:
            assert "页面太多" in json.loads(one_too_many.recv(timeout=5))["detail"]
            try:
                one_too_many.recv(timeout=5)
            except ConnectionClosed as closed:
                assert closed.rcvd is not None and closed.rcvd.code == 1013
            else:
                raise AssertionError("the socket stayed open")
    assert page_opens_again(url), "closing pages frees their places"


def page_opens_again(url: str, attempts: int = 50) -> bool:
    """The server frees a closed page's place when it notices the close: try until then."""
    for _ in range(attempts):
        with connect(url, open_timeout=5) as page:
            if json.loads(page.recv(timeout=5))["type"] == "ticket_status":
                return True
        time.sleep(0.1)
    return False
