"""The applicant's status page `/t/{code}`: the public JSON view of one ticket, its live
websocket, and the page itself in headless Chromium on a phone-sized screen."""

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, WebSocketRoute, expect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from queue_server.open_pages import MAX_PAGES_PER_TICKET
from tests.browser import (
    axe_violations,
    clipped_elements,
    covering_elements,
    rendered_height_px,
    screenshot,
)
from tests.support import LiveServer, threaded_server

PHONE = ViewportSize(width=360, height=740)
HALL_TIMEZONE = "Asia/Shanghai"
WAIT_MS = 15_000


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


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A 360×740 phone, the size of the cheap Android phones many elderly applicants carry."""
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", timezone_id=HALL_TIMEZONE, has_touch=True
    )
    context.set_default_timeout(WAIT_MS)
    opened = context.new_page()
    yield opened
    context.close()


def looks_right(page: Page, name: str) -> None:
    """What a person checks at a glance: it fits the phone's width, nothing is cut off,
    nothing covers the screen, the number is large, and axe finds nothing serious."""
    screenshot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    assert clipped_elements(page) == [], name
    assert covering_elements(page) == [], name
    if page.locator("#number").count():
        assert rendered_height_px(page, "#number") >= 64, "the number is read at arm's length"
    assert axe_violations(page) == [], name


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


def test_nobody_ahead_is_no_wait_and_a_finished_ticket_needs_no_materials(
    server: LiveServer,
) -> None:
    ticket = issue(server, matter="退休")
    clerk = server.client(server.login(server.accounts.clerks[0]))
    assert clerk.post("/api/windows/4/sign-in").status_code == 200
    other = issue(server)
    view = httpx.get(f"{server.base_url}/api/public/tickets/{ticket['public_code']}").json()
    assert (view["ahead"], view["eta_minutes"]) == (0, 0), "the boards say 无需等候"
    assert view["materials"], "a waiting applicant is told what to bring"
    assert clerk.post("/api/windows/4/call", json={"number": ticket["number"]}).status_code == 200
    clerk.post(f"/api/tickets/{ticket['id']}/start")
    clerk.post(f"/api/tickets/{ticket['id']}/finish")
    done = httpx.get(f"{server.base_url}/api/public/tickets/{ticket['public_code']}").json()
    assert (done["status"], done["materials"]) == ("done", [])
    page = httpx.get(f"{server.base_url}/t/{ticket['public_code']}").text
    assert 'id="materials-label" hidden>请备齐以下材料' in page, "no checklist once done"
    assert "业务已办结" in page
    assert other["number"] not in page


def test_an_unknown_code_gets_a_readable_404_page(server: LiveServer) -> None:
    for code in ("ABCDEFGHJKMNPQRS", "not-a-code"):
        answer = httpx.get(f"{server.base_url}/t/{code}")
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("text/html")
        assert "没有找到这张号票" in answer.text
        assert '<html lang="zh-CN">' in answer.text


def test_every_page_has_one_header_policy(server: LiveServer) -> None:
    code = issue(server)["public_code"]
    token = server.accounts.evaluator_token
    for path in (f"/t/{code}", "/t/ABCDEFGHJKMNPQRS", f"/rate/window/2?token={token}"):
        headers = httpx.get(f"{server.base_url}{path}").headers
        assert headers["cache-control"] == "no-store", path
        assert headers["referrer-policy"] == "no-referrer", path
        assert headers["x-content-type-options"] == "nosniff", path
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
    for asset in ("/status-page/status.js", "/status-page/status.css", "/rate/assets/rate.js"):
        assert httpx.get(f"{server.base_url}{asset}").headers["cache-control"] == "no-cache"


def test_openapi_declares_what_the_page_routes_send(server: LiveServer) -> None:
    # The app builds its schema on the first request: seconds on a loaded machine, more than
    # httpx's default 5 s timeout; the server's client waits 10 s.
    paths = server.client().get("/openapi.json").json()["paths"]
    page = paths["/t/{public_code}"]["get"]["responses"]
    assert "text/html" in page["404"]["content"]
    asset = paths["/status-page/{asset}"]["get"]["responses"]
    for responses in (page, asset):
        schema = responses["422"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}
    wrong = httpx.get(f"{server.base_url}/status-page/secret.txt").json()
    assert set(wrong) == {"detail", "code", "errors"}
    too_long = httpx.get(f"{server.base_url}/t/{'A' * 65}").json()
    assert set(too_long) == {"detail", "code", "errors"}


def test_the_page_shows_nothing_personal_and_no_staff_text(server: LiveServer) -> None:
    ticket = issue(server, priority="other", priority_note="腿脚不便 王某")
    clerk = server.client(server.login(server.accounts.clerks[0]))
    clerk.post("/api/windows/4/sign-in")
    clerk.post("/api/windows/4/call", json={"number": ticket["number"]})
    clerk.post(f"/api/tickets/{ticket['id']}/start")
    clerk.post(f"/api/tickets/{ticket['id']}/finish", json={"outcome": "材料不全 已告知张三"})
    clerk.post("/api/windows/4/pause", json={"reason": "去找科长签字"})
    rated = httpx.post(
        f"{server.base_url}/api/public/tickets/{ticket['public_code']}/evaluation",
        json={"level": 2, "reasons": ["等候时间过长"], "comment": "我的手机号13800000000"},
        headers={"Idempotency-Key": "k1"},
    )
    assert rated.status_code == 201, rated.text
    page = httpx.get(f"{server.base_url}/t/{ticket['public_code']}").text
    assert "您的评价：不满意" in page
    for private in ("王某", "腿脚不便", "张三", "科长", "13800000000", "窗口员1", "0301"):
        assert private not in page


def test_each_app_counts_its_own_pages(server: LiveServer) -> None:
    """Two servers in one process on one database: each caps the pages it serves itself."""
    path = f"/ws/t/{issue(server)['public_code']}"
    with contextlib.ExitStack() as pages:
        for _ in range(MAX_PAGES_PER_TICKET):
            status_message(pages.enter_context(connect(server.ws_url + path, open_timeout=5)))
        host, port = pages.enter_context(threaded_server(server.database_url))
        with connect(f"ws://{host}:{port}{path}", open_timeout=5) as elsewhere:
            assert status_message(elsewhere)["number"] == "B001"


# --- the page in a phone's browser -------------------------------------------------------


def test_the_page_follows_a_ticket_from_the_queue_to_its_rating(
    server: LiveServer, phone: Page
) -> None:
    first = issue(server)
    mine = issue(server, matter="退休")
    phone.goto(f"{server.base_url}/t/{mine['public_code']}")
    expect(phone.locator("#connection")).to_have_text("实时更新中")
    expect(phone.locator("#number")).to_have_text("B002")
    expect(phone.locator("#category")).to_have_text("综合受理")
    expect(phone.locator("#status")).to_have_text("等候中")
    expect(phone.locator("#ahead")).to_have_text("1")
    expect(phone.locator("#eta")).to_have_text("暂无法估计等候时间")
    expect(phone.locator("#materials li").first).to_have_text("企业职工退休一件事办理申请表")
    looks_right(phone, "status-page-waiting")

    clerk = server.client(server.login(server.accounts.clerks[0]))
    clerk.post("/api/windows/4/sign-in")
    assert clerk.post("/api/windows/4/call-next").json()["id"] == first["id"]
    expect(phone.locator("#ahead")).to_have_text("0")
    expect(phone.locator("#eta")).to_have_text("无需等候，请留意叫号")
    looks_right(phone, "status-page-nobody-ahead")

    clerk.post(f"/api/tickets/{first['id']}/no-show")
    assert clerk.post("/api/windows/4/call-next").json()["id"] == mine["id"]
    expect(phone.locator("#call-window")).to_have_text("请到4号窗口")
    expect(phone.locator("#status")).to_have_text("已叫号")
    expect(phone.locator("#waiting")).to_be_hidden()
    looks_right(phone, "status-page-called")

    clerk.post(f"/api/tickets/{mine['id']}/start")
    clerk.post(f"/api/tickets/{mine['id']}/finish")
    expect(phone.locator("#status")).to_have_text("已办结")
    expect(phone.locator("#done")).to_contain_text("业务已办结")
    expect(phone.locator("#materials-label")).to_be_hidden()
    expect(phone.locator("#call")).to_be_hidden()
    choices = phone.locator("#levels .level")
    expect(choices).to_have_text(["非常满意", "满意", "基本满意", "不满意", "非常不满意"])
    for index in range(5):
        box = choices.nth(index).bounding_box()
        assert box is not None and box["height"] >= 56 and box["width"] >= 280, "easy to touch"
    looks_right(phone, "status-page-finished")

    phone.get_by_role("button", name="不满意", exact=True).click()
    expect(phone.locator("#rating-title")).to_have_text("您选择了“不满意”")
    submit = phone.get_by_role("button", name="提交评价")
    expect(submit).to_be_disabled()
    phone.get_by_role("button", name="等候时间过长").click()
    expect(submit).to_be_enabled()
    looks_right(phone, "status-page-reasons")
    submit.click()
    expect(phone.locator("#rated")).to_contain_text("感谢您的评价")
    expect(phone.locator("#rated-level")).to_have_text("您的评价：不满意")
    expect(phone.locator("#rating")).to_be_hidden()
    looks_right(phone, "status-page-rated")

    state = httpx.get(f"{server.base_url}/api/public/tickets/{mine['public_code']}/evaluation")
    evaluation = state.json()["evaluation"]
    assert (evaluation["level"], evaluation["channel"]) == (2, "status_page")
    phone.reload()
    expect(phone.locator("#rated-level")).to_have_text("您的评价：不满意")


def finished(server: LiveServer, window: int = 4) -> dict[str, Any]:
    ticket = issue(server)
    clerk = server.client(server.login(server.accounts.clerks[0]))
    clerk.post(f"/api/windows/{window}/sign-in")
    clerk.post(f"/api/windows/{window}/call", json={"number": ticket["number"]})
    clerk.post(f"/api/tickets/{ticket['id']}/start")
    assert clerk.post(f"/api/tickets/{ticket['id']}/finish").status_code == 200
    return ticket


def test_a_rating_that_fails_says_so_and_can_be_sent_again(server: LiveServer, phone: Page) -> None:
    ticket = finished(server)
    phone.route(
        "**/evaluation",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    phone.goto(f"{server.base_url}/t/{ticket['public_code']}")
    phone.get_by_role("button", name="满意", exact=True).click()
    expect(phone.get_by_role("alert")).to_have_text("网络不可用，评价未能提交，请稍后再试")
    expect(phone.locator("#levels .level")).to_have_count(5)
    looks_right(phone, "status-page-rating-failed")
    phone.unroute("**/evaluation")
    phone.get_by_role("button", name="满意", exact=True).click()
    expect(phone.locator("#rated-level")).to_have_text("您的评价：满意")
    expect(phone.get_by_role("alert")).to_be_hidden()


def test_a_ticket_rated_at_the_window_meanwhile_is_shown_as_rated(
    server: LiveServer, phone: Page
) -> None:
    ticket = finished(server, window=2)
    phone.goto(f"{server.base_url}/t/{ticket['public_code']}")
    expect(phone.locator("#levels .level")).to_have_count(5)
    tablet = server.client(server.accounts.evaluator_token)
    given = tablet.post("/api/windows/2/evaluation", json={"ticket_id": ticket["id"], "level": 5})
    assert given.status_code == 201, given.text
    phone.get_by_role("button", name="满意", exact=True).click()
    expect(phone.get_by_role("alert")).to_contain_text("已评价")
    expect(phone.locator("#rated-level")).to_have_text("您的评价：非常满意")


def test_the_page_shows_the_ticket_without_javascript(server: LiveServer, browser: Browser) -> None:
    issue(server)
    ticket = issue(server, matter="退休")
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", timezone_id=HALL_TIMEZONE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(f"{server.base_url}/t/{ticket['public_code']}")
        expect(page.locator("#number")).to_have_text("B002")
        expect(page.locator("#category")).to_have_text("综合受理")
        expect(page.locator("#status")).to_have_text("等候中")
        expect(page.locator("#ahead")).to_have_text("1")
        expect(page.locator("#eta")).to_have_text("暂无法估计等候时间")
        expect(page.locator("#connection")).to_have_text("本页不会自动更新，请刷新页面查看最新进度")
        expect(page.locator("#rating")).to_be_hidden()
        screenshot(page, "status-page-no-javascript")
        assert clipped_elements(page) == [] and covering_elements(page) == []
    finally:
        context.close()


def test_an_unknown_code_shows_a_page_a_person_can_read(server: LiveServer, phone: Page) -> None:
    answer = phone.goto(f"{server.base_url}/t/ABCDEFGHJKMNPQRS")
    assert answer is not None and answer.status == 404
    expect(phone.get_by_text("没有找到这张号票")).to_be_visible()
    expect(phone.locator("#message")).to_contain_text("请核对号票上的二维码")
    looks_right(phone, "status-page-not-found")


def test_a_lost_connection_is_shown_and_the_page_reconnects(
    server: LiveServer, phone: Page
) -> None:
    ticket = issue(server)
    link_down = [True]

    def socket(route: WebSocketRoute) -> None:
        if link_down[0]:
            route.close(code=1011, reason="down")
        else:
            route.connect_to_server()

    phone.route_web_socket("**/ws/t/*", socket)
    phone.goto(f"{server.base_url}/t/{ticket['public_code']}")
    expect(phone.locator("#offline")).to_be_visible()
    expect(phone.locator("#offline")).to_contain_text("网络连接中断，正在重新连接")
    expect(phone.locator("#number")).to_have_text(ticket["number"])
    looks_right(phone, "status-page-offline")
    link_down[0] = False
    # The page waits at most 15 s between attempts, however long the link was down.
    expect(phone.locator("#offline")).to_be_hidden(timeout=40_000)
    expect(phone.locator("#connection")).to_have_text("实时更新中")
