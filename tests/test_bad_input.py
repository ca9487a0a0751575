"""Bad requests get a clear 4xx JSON `{detail}` and change nothing."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from queue_server.app import create_app
from queue_server.config import Settings
from tests.support import LiveServer


@pytest.fixture
def clerk(server: LiveServer) -> httpx.Client:
    client = server.client(server.login(server.accounts.clerks[0]))
    assert client.post("/api/windows/2/sign-in").status_code == 200
    return client


def seq(server: LiveServer) -> int:
    with server.client() as anonymous:
        value: int = anonymous.get("/api/health").json()["seq"]
        return value


CASES: list[tuple[str, str, str, bytes | None, int, str]] = [
    # (who, method, path, raw body, status, a fragment of the detail)
    ("kiosk", "POST", "/api/tickets", b'{"category": "general"', 400, "JSON"),
    ("kiosk", "POST", "/api/tickets", b'{"category": "nope"}', 422, "未知的业务类别"),
    ("kiosk", "POST", "/api/tickets", b'{"category": 7}', 422, "category"),
    ("kiosk", "POST", "/api/tickets", b"{}", 422, "category"),
    ("kiosk", "POST", "/api/tickets", b"[]", 422, "请求参数有误"),
    (
        "kiosk",
        "POST",
        "/api/tickets",
        '{"category": "general", "name": "张三"}'.encode(),
        422,
        "name",
    ),
    (
        "kiosk",
        "POST",
        "/api/tickets",
        b'{"category": "general", "priority": "vip"}',
        422,
        "priority",
    ),
    (
        "kiosk",
        "POST",
        "/api/tickets",
        b'{"category": "general", "priority_note": "x"}',
        422,
        "priority_note",
    ),
    ("kiosk", "POST", "/api/tickets", b'{"category": "' + b"x" * 20_000 + b'"}', 413, "过大"),
    ("clerk", "POST", "/api/windows/99/call-next", None, 404, "没有99号窗口"),
    ("clerk", "POST", "/api/windows/abc/call-next", None, 422, "window_no"),
    ("clerk", "POST", "/api/windows/2/call", b'{"number": "12345678"}', 422, "number"),
    ("clerk", "POST", "/api/windows/2/call", b'{"number": "Z999"}', 404, "今日没有Z999号"),
    ("clerk", "POST", "/api/windows/2/pause", b'{"reason": ""}', 422, "reason"),
    ("clerk", "POST", "/api/windows/2/resume", None, 409, "没有暂停"),
    ("clerk", "POST", "/api/tickets/999/start", None, 404, "没有编号为999的票据"),
    ("clerk", "POST", "/api/tickets/1/start", None, 403, "不在您的2号窗口"),
    ("clerk", "POST", "/api/tickets/1/transfer", b'{"reason": "x"}', 422, "exactly one"),
    ("clerk", "POST", "/api/tickets/1/requeue", None, 409, "无需重排"),
    ("clerk", "POST", "/api/tickets/1/finish", b'{"outcome": 5}', 422, "outcome"),
    # Wrong types are refused, never converted: 0 is no date, true is no id, "3" no number.
    ("clerk", "GET", "/api/tickets?day=0", None, 422, "day"),
    ("clerk", "GET", "/api/tickets?day=20260302", None, 422, "day"),
    ("clerk", "GET", "/api/cases?opened_to=0", None, 422, "opened_to"),
    ("clerk", "GET", "/api/cases?ticket_id=1.0", None, 422, "ticket_id"),
    ("manager", "GET", "/api/evaluations?to=0", None, 422, "to"),
    ("manager", "GET", "/api/stats?from=0&to=2026-03-02", None, 422, "from"),
    ("clerk", "GET", "/api/windows/2/history?limit=true", None, 422, "limit"),
    ("clerk", "POST", "/api/cases", b'{"summary": "x", "ticket_id": true}', 422, "ticket_id"),
    ("clerk", "POST", "/api/cases", b'{"summary": "x", "ticket_id": "1"}', 422, "ticket_id"),
    ("clerk", "POST", "/api/tickets/1/transfer", b'{"to_window": 3.5, "reason": "x"}', 422, "to_"),
    ("clerk", "POST", "/api/tickets/1/transfer", b'{"to_window": true, "reason": "x"}', 422, "to_"),
]


@pytest.mark.parametrize(("who", "method", "path", "body", "status", "fragment"), CASES)
def test_bad_request_is_refused_clearly_and_changes_nothing(
    server: LiveServer,
    clerk: httpx.Client,
    who: str,
    method: str,
    path: str,
    body: bytes | None,
    status: int,
    fragment: str,
) -> None:
    kiosk = server.client(server.accounts.kiosk_token)
    assert kiosk.post("/api/tickets", json={"category": "general"}).status_code == 201
    before = seq(server)
    clients = {
        "kiosk": kiosk,
        "clerk": clerk,
        "manager": server.client(server.login(server.accounts.manager)),
    }
    client = clients[who]
    headers = {"content-type": "application/json"} if body is not None else {}
    response = client.request(method, path, content=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert fragment in detail
    assert seq(server) == before


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/tickets", "GET, POST"),
        ("/api/health", "GET"),
        ("/api/windows/2/call-next", "POST"),
    ],
)
def test_a_method_the_route_lacks_gets_405_with_allow(
    server: LiveServer, path: str, allowed: str
) -> None:
    admin = server.client(server.login(server.accounts.admin))
    response = admin.request("TRACE", path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json() == {"detail": "Method Not Allowed", "code": "http_error"}


def test_illegal_transition_names_the_ticket_and_state(
    server: LiveServer, clerk: httpx.Client
) -> None:
    kiosk = server.client(server.accounts.kiosk_token)
    ticket = kiosk.post("/api/tickets", json={"category": "general"}).json()
    clerk.post("/api/windows/2/call-next")
    before = seq(server)
    response = clerk.post(f"/api/tickets/{ticket['id']}/finish")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "B001号当前为“已叫号”，不能办结：请先开始办理",
        "code": "illegal_transition",
    }
    assert seq(server) == before


def test_idempotency_key_replays_and_refuses_reuse(server: LiveServer, clerk: httpx.Client) -> None:
    kiosk = server.client(server.accounts.kiosk_token)
    for _ in range(2):
        kiosk.post("/api/tickets", json={"category": "general"})
    key = {"Idempotency-Key": "f1-press-1"}
    first = clerk.post("/api/windows/2/call-next", headers=key)
    ticket = first.json()
    clerk.post(f"/api/tickets/{ticket['id']}/start")
    clerk.post(f"/api/tickets/{ticket['id']}/finish")
    retried = clerk.post("/api/windows/2/call-next", headers=key)
    assert (retried.status_code, retried.json()) == (200, ticket)
    waiting = clerk.get("/api/tickets?status=waiting").json()
    assert [t["number"] for t in waiting] == ["B002"]
    reused = clerk.post("/api/windows/2/pause", json={"reason": "休息"}, headers=key)
    assert reused.status_code == 422
    assert "Idempotency-Key" in reused.json()["detail"]


def test_an_oversized_chunked_body_is_refused_too(server: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"category": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    kiosk = server.client(server.accounts.kiosk_token)
    before = seq(server)
    response = kiosk.post(
        "/api/tickets", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert seq(server) == before


def test_an_unexpected_failure_still_answers_json() -> None:
    app = create_app(Settings(database_url="sqlite://"))

    async def broken() -> None:
        raise RuntimeError("disk on fire")

    app.add_api_route("/broken", broken)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
            return await client.get("/broken")

    response = asyncio.run(call())
    assert response.status_code == 500
    assert response.json() == {
        "detail": "服务器内部错误，操作未完成，请重试",
        "code": "internal_error",
    }
