"""Every route, called with every role: the outcome is exactly what the role allows."""

from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from queue_server.app import create_app
from queue_server.config import Settings
from tests.support import LiveServer

ADMIN, MANAGER, CLERK, KIOSK, BOARD = "admin", "manager", "clerk", "kiosk", "board"
EVALUATOR = "evaluator"
EVERYONE = frozenset({ADMIN, MANAGER, CLERK, KIOSK, BOARD, EVALUATOR})
PEOPLE = frozenset({ADMIN, MANAGER, CLERK})
PUBLIC = "public"
ANONYMOUS_ONLY = "anonymous only"
"""Public, but refused (403 wrong_role) to anyone who shows a token: applicants only."""

# (method, path) -> roles allowed; PUBLIC needs no token at all.
MATRIX: dict[tuple[str, str], frozenset[str] | str] = {
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): PEOPLE,
    ("GET", "/api/auth/me"): EVERYONE,
    ("GET", "/api/auth/me/today"): PEOPLE,
    ("POST", "/api/tickets"): frozenset({KIOSK, ADMIN}),
    ("GET", "/api/tickets"): PEOPLE,
    ("GET", "/api/tickets/{ticket_id}"): PEOPLE,
    ("POST", "/api/tickets/{ticket_id}/recall"): frozenset({CLERK}),
    ("POST", "/api/tickets/{ticket_id}/start"): frozenset({CLERK}),
    ("POST", "/api/tickets/{ticket_id}/finish"): frozenset({CLERK}),
    ("POST", "/api/tickets/{ticket_id}/no-show"): frozenset({CLERK}),
    ("POST", "/api/tickets/{ticket_id}/requeue"): frozenset({CLERK}),
    ("POST", "/api/tickets/{ticket_id}/transfer"): frozenset({CLERK}),
    ("POST", "/api/tickets/{ticket_id}/cancel"): PEOPLE,
    ("GET", "/api/windows"): EVERYONE,
    ("GET", "/api/windows/{window_no}"): EVERYONE,
    ("GET", "/api/windows/{window_no}/history"): PEOPLE,
    ("POST", "/api/windows/{window_no}/sign-in"): frozenset({CLERK}),
    ("POST", "/api/windows/{window_no}/sign-out"): frozenset({CLERK, ADMIN}),
    ("POST", "/api/windows/{window_no}/pause"): frozenset({CLERK}),
    ("POST", "/api/windows/{window_no}/resume"): frozenset({CLERK}),
    ("POST", "/api/windows/{window_no}/call-next"): frozenset({CLERK}),
    ("POST", "/api/windows/{window_no}/call"): frozenset({CLERK}),
    ("GET", "/api/hall"): EVERYONE,
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/api/matters"): EVERYONE,
    ("POST", "/api/devices/{name}/heartbeat"): frozenset({KIOSK, BOARD, ADMIN}),
    ("GET", "/api/devices"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/public/tickets/{public_code}"): PUBLIC,
    ("GET", "/t/{public_code}"): PUBLIC,
    ("GET", "/status-page/{asset}"): PUBLIC,
    ("WS", "/ws/t/{public_code}"): PUBLIC,
    ("GET", "/api/stats"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/stats/live"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/stats/export"): frozenset({MANAGER, ADMIN}),
    ("WS", "/ws"): EVERYONE,
    ("GET", "/board"): frozenset({BOARD, MANAGER, ADMIN}),
    ("GET", "/board/window/{window_no}"): frozenset({BOARD, MANAGER, ADMIN}),
    ("GET", "/board/{path}"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/api/windows/{window_no}/evaluation"): frozenset({EVALUATOR, MANAGER, ADMIN}),
    ("POST", "/api/windows/{window_no}/evaluation"): frozenset({EVALUATOR}),
    ("GET", "/api/public/tickets/{public_code}/evaluation"): PUBLIC,
    ("POST", "/api/public/tickets/{public_code}/evaluation"): ANONYMOUS_ONLY,
    ("GET", "/api/evaluations"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/cases"): PEOPLE,
    ("POST", "/api/cases"): PEOPLE,
    ("GET", "/api/cases/{case_id}"): PEOPLE,
    ("POST", "/api/cases/{case_id}/classify"): PEOPLE,
    ("POST", "/api/cases/{case_id}/assign"): PEOPLE,
    ("POST", "/api/cases/{case_id}/actions"): PEOPLE,
    ("POST", "/api/cases/{case_id}/close"): PEOPLE,
    ("POST", "/api/cases/{case_id}/feedback"): PEOPLE,
    ("POST", "/api/cases/{case_id}/follow-up"): PEOPLE,
    ("GET", "/rate/window/{window_no}"): frozenset({EVALUATOR, MANAGER, ADMIN}),
    ("GET", "/rate/assets/{name}"): PUBLIC,
    ("GET", "/api/halls"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/public/halls"): PUBLIC,
}

BODIES: dict[str, dict[str, Any]] = {
    "/api/auth/login": {"username": "nobody", "password": "x"},
    "/api/tickets": {"category": "general"},
    "/api/tickets/{ticket_id}/transfer": {"to_category": "unresolved", "reason": "材料不全"},
    "/api/windows/{window_no}/pause": {"reason": "会议"},
    "/api/windows/{window_no}/call": {"number": "B001"},
    "/api/devices/{name}/heartbeat": {"kind": "kiosk", "state": "ok"},
    "/api/windows/{window_no}/evaluation": {"ticket_id": 1, "level": 5},
    "/api/public/tickets/{public_code}/evaluation": {"level": 5},
    "/api/cases": {"summary": "户籍信息不一致，无法办理"},
    "/api/cases/{case_id}/classify": {"case_class": "simple"},
    "/api/cases/{case_id}/assign": {"department": "公安分局户政科"},
    "/api/cases/{case_id}/actions": {"note": "已联系部门"},
    "/api/cases/{case_id}/close": {"resolution": "done", "reply": "已办结"},
    "/api/cases/{case_id}/feedback": {"note": "已电话告知"},
    "/api/cases/{case_id}/follow-up": {"note": "群众满意", "level": 5},
}


def _walk(routes: Sequence[BaseRoute]) -> Iterator[tuple[str, str]]:
    for route in routes:
        if isinstance(route, APIWebSocketRoute):
            yield "WS", route.path
        elif isinstance(route, APIRoute | Route):
            yield from ((m, route.path) for m in route.methods or () if m != "HEAD")
        elif hasattr(route, "original_router"):  # FastAPI wraps included routers
            yield from _walk(route.original_router.routes)
        elif isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            yield "GET", f"{route.path}/{{path}}"
        else:
            raise AssertionError(f"unknown route type {type(route)}")


def app_routes() -> set[tuple[str, str]]:
    return set(_walk(create_app(Settings(database_url="sqlite://")).routes))


def test_matrix_covers_every_route() -> None:
    assert app_routes() == set(MATRIX)


def _token_for(server: LiveServer, role: str) -> str:
    accounts = server.accounts
    if role == KIOSK:
        return accounts.kiosk_token
    if role == BOARD:
        return accounts.board_token
    if role == EVALUATOR:
        return accounts.evaluator_token
    name = {ADMIN: accounts.admin, MANAGER: accounts.manager, CLERK: accounts.clerks[0]}[role]
    return server.login(name)


def route_url(path: str, **values: object) -> str:
    """The path with its parameters filled in; `{name}`, `{asset}` and `{path}` are a device or
    a page asset."""
    name = "kiosk-1" if path.startswith("/api/devices/") else "rate.js"
    return path.format(name=name, asset="status.js", path="board.js", **values)


@pytest.mark.parametrize("role", [None, *sorted(EVERYONE)])
def test_every_http_route_admits_exactly_its_roles(server: LiveServer, role: str | None) -> None:
    with server.client(server.accounts.kiosk_token) as kiosk:
        ticket = kiosk.post("/api/tickets", json={"category": "general"}).json()
    ticket_id, public_code = ticket["id"], ticket["public_code"]
    token = _token_for(server, role) if role else None
    logout_last = sorted(MATRIX.items(), key=lambda item: (item[0][1] == "/api/auth/logout", item))
    for (method, path), allowed in logout_last:
        if method == "WS":
            continue
        url = route_url(path, ticket_id=ticket_id, window_no=3, public_code=public_code, case_id=1)
        with server.client(token) as client:
            response = client.request(method, url, json=BODIES.get(path))
        where = f"{role or 'anonymous'} {method} {path} -> {response.status_code}"
        if allowed == ANONYMOUS_ONLY:
            if role is None:
                assert response.status_code not in (401, 403), where
            else:
                assert response.status_code == 403, where
                assert response.json()["code"] == "wrong_role", where
        elif allowed == PUBLIC:
            assert response.status_code not in (401, 403) or path == "/api/auth/login", where
        elif role is None:
            assert response.status_code == 401, where
            assert response.json()["code"] == "unauthenticated", where
        elif role in allowed:
            assert response.status_code != 401, where
            if response.status_code == 403:
                assert response.json()["code"] != "wrong_role", where
        else:
            assert response.status_code == 403, where
            assert response.json()["code"] == "wrong_role", where


def test_refused_calls_change_nothing(server: LiveServer) -> None:
    with server.client(server.accounts.board_token) as board:
        before = board.get("/api/health").json()["seq"]
        for (method, path), allowed in MATRIX.items():
            if method == "POST" and allowed != PUBLIC and BOARD not in allowed:
                url = route_url(path, ticket_id=1, window_no=3, public_code="ABCDEFGHJK", case_id=1)
                assert board.post(url, json=BODIES.get(path)).status_code == 403
        assert board.get("/api/health").json()["seq"] == before


def test_bad_and_revoked_tokens_are_refused(server: LiveServer) -> None:
    token = server.login(server.accounts.manager)
    with server.client(token) as manager:
        assert manager.get("/api/auth/me").json()["role"] == MANAGER
        assert manager.post("/api/auth/logout").status_code == 204
        response = manager.get("/api/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    with server.client("not-a-token") as stranger:
        assert stranger.get("/api/hall").status_code == 401
    wrong = httpx.post(
        f"{server.base_url}/api/auth/login",
        json={"username": server.accounts.manager, "password": "wrong-password"},
    )
    assert wrong.status_code == 403
    assert wrong.json()["detail"] == "用户名或密码错误"
