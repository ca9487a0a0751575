"""Every route, called with every role: the outcome is exactly what the role allows."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from queue_server.app import create_app
from queue_server.config import Settings
from tests.hall_support import CITY_WIDE, HALL_BOUND, CityServer, city_server
from tests.support import PASSWORD, LiveServer

pytestmark = pytest.mark.both_databases

ADMIN, MANAGER, CLERK, KIOSK, BOARD = "admin", "manager", "clerk", "kiosk", "board"
EVALUATOR = "evaluator"
DEVICE = "device"
"""A zone device's token: the 社保 terminal, which also reports the smart locker `locker-1`."""
EVERYONE = frozenset({ADMIN, MANAGER, CLERK, KIOSK, BOARD, EVALUATOR, DEVICE})
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
    ("POST", "/api/appointments/check-in"): frozenset({KIOSK, ADMIN}),
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
    ("POST", "/api/windows/{window_no}/tidal"): frozenset({MANAGER, ADMIN}),
    ("DELETE", "/api/windows/{window_no}/tidal"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/tidal/suggestion"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/hall"): EVERYONE,
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/api/matters"): EVERYONE,
    ("POST", "/api/devices/{name}/heartbeat"): frozenset({KIOSK, BOARD, DEVICE, ADMIN}),
    ("GET", "/api/devices"): frozenset({MANAGER, ADMIN}),
    ("POST", "/api/devices/{name}/inspections"): PEOPLE,
    ("GET", "/api/devices/{name}/inspections"): PEOPLE,
    ("POST", "/api/devices/{name}/faults"): PEOPLE,
    ("GET", "/api/repairs"): PEOPLE,
    ("POST", "/api/repairs/{repair_id}/assign"): PEOPLE,
    ("POST", "/api/repairs/{repair_id}/fix"): PEOPLE,
    ("POST", "/api/repairs/{repair_id}/verify"): PEOPLE,
    ("GET", "/api/public/tickets/{public_code}"): PUBLIC,
    ("GET", "/t/{public_code}"): PUBLIC,
    ("GET", "/status-page/{asset}"): PUBLIC,
    ("WS", "/ws/t/{public_code}"): PUBLIC,
    ("GET", "/api/stats"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/stats/live"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/live-state"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/stats/export"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/stats/cross-region"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/stats/cross-region/export"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/stats/self-service"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/stats/self-service/export"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/stats/journeys"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/stats/journeys/export"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/stats/appointments"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/stats/appointments/export"): frozenset({MANAGER, ADMIN}),
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
    ("GET", "/city"): PUBLIC,
    ("GET", "/city/assets/{name}"): PUBLIC,
    ("GET", "/book"): PUBLIC,
    ("GET", "/book/assets/{name}"): PUBLIC,
    ("GET", "/book/qr/{code}"): PUBLIC,
    ("GET", "/api/halls"): frozenset({MANAGER, ADMIN}),
    ("GET", "/api/public/halls"): PUBLIC,
    ("GET", "/api/public/appointments/slots"): PUBLIC,
    ("GET", "/api/public/appointments/options"): PUBLIC,
    ("GET", "/api/cross-region-cases"): PEOPLE,
    ("POST", "/api/cross-region-cases"): PEOPLE,
    ("GET", "/api/cross-region-cases/{case_id}"): PEOPLE,
    ("POST", "/api/cross-region-cases/{case_id}/forward"): PEOPLE,
    ("POST", "/api/cross-region-cases/{case_id}/accept"): PEOPLE,
    ("POST", "/api/cross-region-cases/{case_id}/return"): PEOPLE,
    ("POST", "/api/cross-region-cases/{case_id}/resubmit"): PEOPLE,
    ("POST", "/api/cross-region-cases/{case_id}/decide"): PEOPLE,
    ("POST", "/api/cross-region-cases/{case_id}/deliver"): PEOPLE,
    ("POST", "/api/help-requests"): frozenset({KIOSK, DEVICE, ADMIN}),
    ("GET", "/api/help-requests"): PEOPLE,
    ("POST", "/api/help-requests/{help_id}/ack"): PEOPLE,
    ("GET", "/api/lockers"): PEOPLE,
    ("POST", "/api/lockers/{name}/deposits"): PEOPLE,
    ("GET", "/api/lockers/{name}/deposits"): PEOPLE,
    ("POST", "/api/lockers/{name}/pickups"): frozenset({DEVICE}),
    ("POST", "/api/journeys/return"): frozenset({KIOSK, ADMIN}),
    ("GET", "/api/journeys"): PEOPLE,
    ("GET", "/api/journeys/{journey_id}"): PEOPLE,
    ("POST", "/api/journeys/{journey_id}/ready"): PEOPLE,
    ("POST", "/api/public/appointments"): ANONYMOUS_ONLY,
    ("GET", "/api/public/appointments/{code}"): ANONYMOUS_ONLY,
    ("POST", "/api/public/appointments/{code}/cancel"): ANONYMOUS_ONLY,
    ("GET", "/api/appointments"): PEOPLE,
}

BODIES: dict[str, dict[str, Any]] = {
    "/api/auth/login": {"username": "nobody", "password": "x"},
    "/api/tickets": {"category": "general"},
    "/api/appointments/check-in": {"code": "NOSUCH23"},
    "/api/tickets/{ticket_id}/transfer": {"to_category": "unresolved", "reason": "材料不全"},
    "/api/windows/{window_no}/pause": {"reason": "会议"},
    "/api/windows/{window_no}/call": {"number": "B001"},
    "/api/windows/{window_no}/tidal": {"category": "general", "minutes": 30},
    "/api/devices/{name}/heartbeat": {"kind": "kiosk", "state": "ok"},
    "/api/devices/{name}/inspections": {"result": "ok"},
    "/api/devices/{name}/faults": {"summary": "屏幕无显示"},
    "/api/repairs/{repair_id}/assign": {"assignee": "维保公司"},
    "/api/windows/{window_no}/evaluation": {"ticket_id": 1, "level": 5},
    "/api/public/tickets/{public_code}/evaluation": {"level": 5},
    "/api/cases": {"summary": "户籍信息不一致，无法办理"},
    "/api/cases/{case_id}/classify": {"case_class": "simple"},
    "/api/cases/{case_id}/assign": {"department": "公安分局户政科"},
    "/api/cases/{case_id}/actions": {"note": "已联系部门"},
    "/api/cases/{case_id}/close": {"resolution": "done", "reply": "已办结"},
    "/api/cases/{case_id}/feedback": {"note": "已电话告知"},
    "/api/cases/{case_id}/follow-up": {"note": "群众满意", "level": 5},
    "/api/cross-region-cases": {
        "ticket_id": 1,
        "matter": "school_enrolment",
        "owner_hall": "kangbashi",
        "mode": "remote_accept",
        "delivery": "pickup",
    },
    # A matter done only where it belongs: refused (422) after the role and hall checks, so
    # no case exists for the step routes below (a step of another hall would be wrong_hall).
    "/api/cross-region-cases/{case_id}/forward": {"channel": "electronic"},
    "/api/cross-region-cases/{case_id}/accept": {},
    "/api/cross-region-cases/{case_id}/return": {"materials": ["户口簿原件"]},
    "/api/cross-region-cases/{case_id}/resubmit": {},
    "/api/cross-region-cases/{case_id}/decide": {"result": "approved"},
    "/api/cross-region-cases/{case_id}/deliver": {"channel": "pickup"},
    "/api/help-requests": {},
    # No ticket has this code: refused (404) after the role and hall checks.
    "/api/lockers/{name}/deposits": {"compartment": 1, "ticket_code": "ABCDEFGHJK"},
    "/api/lockers/{name}/pickups": {"pickup_code": "123456"},
    "/api/journeys/return": {"return_code": "ABCDEFGH"},
    "/api/journeys/{journey_id}/ready": {"collect_at": "window"},
    # A day long past: refused (409 day_not_open) after the token check, nothing booked.
    "/api/public/appointments": {
        "hall": "main",
        "category": "general",
        "day": "2026-01-05",
        "slot": "09:00",
        "id_number": "11010519491231002X",
    },
}


def _walk(routes: Sequence[BaseRoute]) -> Iterator[tuple[str, str]]:
    for route in routes:
        if isinstance(route, APIWebSocketRoute):
            yield "WS", route.path_format
        elif isinstance(route, APIRoute | Route):
            # `path_format`: the path as OpenAPI names it, without `:int` convertors.
            yield from ((m, route.path_format) for m in route.methods or () if m != "HEAD")
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
    if role == DEVICE:
        return accounts.device_token
    name = {ADMIN: accounts.admin, MANAGER: accounts.manager, CLERK: accounts.clerks[0]}[role]
    return server.login(name)


def route_url(path: str, **values: object) -> str:
    """The path with its parameters filled in; `{name}`, `{asset}` and `{path}` are a device or
    a page asset."""
    assets = {
        "/api/devices/": "kiosk-1",
        "/api/lockers/": "locker-1",
        "/city/": "city.js",
        "/book/": "book.js",
    }
    name = next((n for prefix, n in assets.items() if path.startswith(prefix)), "rate.js")
    return path.format(
        name=name,
        asset="status.js",
        path="board.js",
        help_id=1,
        repair_id=1,
        journey_id=1,
        code="ABCDEFGH",
        **values,
    )


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
        assert_role_outcome(role, path, allowed, response, where)


def assert_role_outcome(
    role: str | None,
    path: str,
    allowed: frozenset[str] | str,
    response: httpx.Response,
    where: str,
) -> None:
    """The outcome `role` gets on a route that admits `allowed`: refused with wrong_role
    exactly when the role may not call it."""
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


# The hall axis: a city of several halls (the example city), one server for the module.

HOME, OTHER, UNKNOWN = "main", "kangbashi", "nowhere"
ONLY_IN_HOME = 10
"""A window `main` has and `kangbashi` (six windows) has not."""
CITY_ROUTES = frozenset(
    {("POST", "/api/auth/logout"), ("GET", "/api/auth/me"), ("GET", "/api/halls")}
)
"""Routes that act on the caller or the whole city, not on one hall: `hall=` changes nothing
there. (`GET /api/halls` comes with the city-api branch.)"""
CITY_WHEN_UNNAMED = frozenset(
    {
        ("GET", "/api/stats/cross-region"),
        ("GET", "/api/stats/cross-region/export"),
        ("GET", "/api/stats/self-service"),
        ("GET", "/api/stats/self-service/export"),
        ("GET", "/api/stats/journeys"),
        ("GET", "/api/stats/journeys/export"),
        ("GET", "/api/stats/appointments"),
        ("GET", "/api/stats/appointments/export"),
    }
)
"""Hall routes that answer a city-wide caller who names no hall for the whole city (every
hall and the city's total) instead of asking for one."""
ID_PARAMETERS = ("{ticket_id}", "{case_id}", "{window_no}")
HALL_ERRORS = frozenset({"wrong_hall", "hall_required"})
TABLET_PAGES = ("/api/windows/{window_no}/evaluation", "/rate/window/{window_no}")
"""Where an evaluator token may act on its one window only."""


def is_open(allowed: frozenset[str] | str) -> bool:
    return allowed in (PUBLIC, ANONYMOUS_ONLY)


def hall_routes() -> list[tuple[str, str, frozenset[str]]]:
    """Every HTTP route that acts on one hall, with the roles it admits: all of the matrix but
    the open routes and CITY_ROUTES, so a new route joins the hall axis by joining MATRIX."""
    return sorted(
        (method, path, allowed)
        for (method, path), allowed in MATRIX.items()
        if method != "WS" and not isinstance(allowed, str) and (method, path) not in CITY_ROUTES
    )


@dataclass(frozen=True)
class HallIds:
    """What one hall holds for the matrix to aim at."""

    ticket_id: int
    public_code: str
    case_id: int
    number: str
    issued_at: str


@dataclass(frozen=True)
class City:
    server: CityServer
    ids: dict[str, HallIds]

    def url(self, path: str, hall: str, *, window_no: int = 3) -> str:
        ids = self.ids[hall]
        return route_url(
            path,
            ticket_id=ids.ticket_id,
            public_code=ids.public_code,
            case_id=ids.case_id,
            window_no=window_no,
        )

    def snapshot(self) -> dict[str, object]:
        """The city's newest seq and every hall's tickets and windows, as a city-wide manager
        sees them: refused calls must leave all of it as it was."""
        manager = self.server.accounts.city_wide[MANAGER]
        seen: dict[str, object] = {"seq": self.server.seq()}
        for code in (HOME, OTHER):
            with self.server.client(manager, hall=code) as client:
                seen[f"{code} tickets"] = client.get("/api/tickets").json()
                seen[f"{code} windows"] = client.get("/api/windows").json()
                seen[f"{code} cases"] = client.get("/api/cases").json()
        return seen


@pytest.fixture(scope="module")
def city(module_database_url: str) -> Iterator[City]:
    """A real server for the example city (on each database in turn); in `main` and
    `kangbashi` a waiting ticket and an open case, and kangbashi's first clerk signed in at
    its window 3."""
    with city_server(module_database_url) as server:
        ids: dict[str, HallIds] = {}
        for code in (HOME, OTHER):
            with server.client(server.token(code, KIOSK)) as kiosk:
                ticket = kiosk.post("/api/tickets", json={"category": "general"}).json()
            with server.client(server.token(code, MANAGER)) as manager:
                case = manager.post("/api/cases", json={"summary": f"{code}：材料不全"}).json()
            ids[code] = HallIds(
                ticket["id"],
                ticket["public_code"],
                case["id"],
                ticket["number"],
                ticket["issued_at"],
            )
        with server.client(server.token(OTHER, CLERK)) as clerk:
            assert clerk.post("/api/windows/3/sign-in").status_code == 200
        yield City(server, ids)


def _outcome(response: httpx.Response) -> tuple[int, str | None]:
    code = None
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        code = body.get("code") if isinstance(body, dict) else None
    return response.status_code, code


@pytest.mark.parametrize("role", HALL_BOUND)
def test_a_caller_in_its_own_hall_gets_what_its_role_allows(city: City, role: str) -> None:
    """Same hall, named or not: exactly the single-hall matrix, and never a hall refusal."""
    token = city.server.token(HOME, role)
    for hall in (None, HOME):
        for method, path, allowed in hall_routes():
            with city.server.client(token, hall=hall) as client:
                response = client.request(method, city.url(path, HOME), json=BODIES.get(path))
            where = f"{role}@{HOME} hall={hall} {method} {path} -> {_outcome(response)}"
            assert_role_outcome(role, path, allowed, response, where)
            assert _outcome(response)[1] not in HALL_ERRORS, where


@pytest.mark.parametrize("role", HALL_BOUND)
def test_a_hall_bound_caller_naming_another_hall_is_refused(city: City, role: str) -> None:
    """`hall=` of another hall: 403 wrong_hall; of no hall: 404; nothing changes."""
    token = city.server.token(HOME, role)
    before = city.snapshot()
    for method, path, allowed in hall_routes():
        for hall, expected in ((OTHER, (403, "wrong_hall")), (UNKNOWN, (404, "not_found"))):
            with city.server.client(token, hall=hall) as client:
                response = client.request(method, city.url(path, OTHER), json=BODIES.get(path))
            where = f"{role}@{HOME} hall={hall} {method} {path} -> {_outcome(response)}"
            if role in allowed:
                assert _outcome(response) == expected, where
            else:
                assert _outcome(response) == (403, "wrong_role"), where
    assert city.snapshot() == before


@pytest.mark.parametrize(
    ("bound", "role"), [*((True, r) for r in HALL_BOUND), *((False, r) for r in CITY_WIDE)]
)
def test_another_halls_tickets_windows_and_cases_do_not_exist_for_a_caller(
    city: City, bound: bool, role: str
) -> None:
    """A kangbashi caller (or a city-wide one acting in kangbashi) aiming at main's ticket,
    case and window ids: kangbashi has no such thing (404), and nothing changes anywhere."""
    token = city.server.token(OTHER if bound else None, role)
    before = city.snapshot()
    aimed = [route for route in hall_routes() if any(p in route[1] for p in ID_PARAMETERS)]
    assert len(aimed) > 25
    for method, path, allowed in aimed:
        url = city.url(path, HOME, window_no=ONLY_IN_HOME)
        with city.server.client(token, hall=None if bound else OTHER) as client:
            response = client.request(method, url, json=BODIES.get(path))
        where = f"{role} bound={bound} in {OTHER}: {method} {url} -> {_outcome(response)}"
        if role == EVALUATOR and path.startswith(TABLET_PAGES) and role in allowed:
            # The tablet's token rates one window of its hall: any other is forbidden.
            assert _outcome(response) == (403, "forbidden"), where
        elif role in allowed:
            assert _outcome(response) == (404, "not_found"), where
        else:
            assert _outcome(response) == (403, "wrong_role"), where
    assert city.snapshot() == before


@pytest.mark.parametrize("role", CITY_WIDE)
def test_a_city_wide_caller_names_the_hall(city: City, role: str) -> None:
    """Without `hall=`: 422 hall_required (saying a hall is needed); an unknown hall: 404;
    nothing changes. With `hall=kangbashi`: exactly what the role allows, in kangbashi."""
    token = city.server.token(None, role)
    before = city.snapshot()
    for method, path, allowed in hall_routes():
        for hall, expected in ((None, (422, "hall_required")), (UNKNOWN, (404, "not_found"))):
            with city.server.client(token, hall=hall) as client:
                response = client.request(method, city.url(path, OTHER), json=BODIES.get(path))
            where = f"city {role} hall={hall} {method} {path} -> {_outcome(response)}"
            if role in allowed and hall is None and (method, path) in CITY_WHEN_UNNAMED:
                assert_role_outcome(role, path, allowed, response, where)
                assert _outcome(response)[1] not in HALL_ERRORS, where
            elif role in allowed:
                assert _outcome(response) == expected, where
                assert ("大厅" if hall is None else UNKNOWN) in response.json()["detail"], where
            else:
                assert _outcome(response) == (403, "wrong_role"), where
    assert city.snapshot() == before
    for method, path, allowed in hall_routes():
        with city.server.client(token, hall=OTHER) as client:
            response = client.request(method, city.url(path, OTHER), json=BODIES.get(path))
        where = f"city {role} hall={OTHER} {method} {path} -> {_outcome(response)}"
        assert_role_outcome(role, path, allowed, response, where)
        assert _outcome(response)[1] not in HALL_ERRORS, where


@pytest.mark.parametrize(
    ("hall", "role"),
    [(None, None), *((HOME, r) for r in HALL_BOUND), *((None, r) for r in CITY_WIDE)],
)
def test_open_and_caller_routes_ignore_the_hall(
    city: City, hall: str | None, role: str | None
) -> None:
    """Login, health, the public ticket pages and the caller's own routes answer the same
    whatever `hall=` says, for anyone; a public code finds its ticket in any hall."""
    token = city.server.token(hall, role) if role else None
    other = city.ids[OTHER]
    for named in (None, OTHER, UNKNOWN):
        for (method, path), allowed in MATRIX.items():
            if method == "WS" or not (is_open(allowed) or (method, path) in CITY_ROUTES):
                continue
            if path == "/api/auth/logout":
                continue  # below, with a token of its own
            with city.server.client(token, hall=named) as client:
                response = client.request(method, city.url(path, OTHER), json=BODIES.get(path))
            where = f"{role}@{hall} hall={named} {method} {path} -> {_outcome(response)}"
            assert_role_outcome(role, path, allowed, response, where)
            assert _outcome(response)[1] not in HALL_ERRORS, where
            if path.startswith(("/api/public/tickets/{public_code}", "/t/")) and method == "GET":
                assert response.status_code == 200, where
        with city.server.client(hall=named) as anonymous:
            found = anonymous.get(f"/api/public/tickets/{other.public_code}").json()
            assert (found["number"], found["issued_at"]) == (other.number, other.issued_at)
    if role in PEOPLE:
        name = f"city-{role}" if hall is None else f"{hall}-{role}"
        name += "1" if role == CLERK else ""
        with city.server.client(hall=UNKNOWN) as anonymous:
            login = anonymous.post("/api/auth/login", json={"username": name, "password": PASSWORD})
        assert login.status_code == 200, login.text
        with city.server.client(login.json()["token"], hall=UNKNOWN) as client:
            assert client.post("/api/auth/logout").status_code == 204
