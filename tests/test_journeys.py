"""The journey from 补件 to 出件 through HTTP with a manual clock, on both databases: a clerk
finishes as 补件 listing what is missing, the applicant's status page shows the list and the
return code, the code typed at the kiosk gives a return ticket continuing the journey, the
result is marked ready and collected at the 出件 window, or from the smart locker; an
unreturned journey expires; bad input changes nothing, and no event carries the list or the
code."""

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from queue_server.catalog import read_catalog
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import Role
from tests.support import LiveServer, issue_token, live_server

pytestmark = pytest.mark.both_databases

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET = "a test secret that only these tests know"
MATTER = "新生儿出生"
TYPED = "户口簿复印件不清晰"


def materials() -> list[str]:
    matter = read_catalog().find(MATTER)
    assert matter is not None and len(matter.materials) >= 2
    return list(matter.materials)


@contextlib.contextmanager
def journey_hall(tmp_path: Path, database_url: str, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(
        tmp_path,
        clock=clock,
        database_url=database_url,
        alert_check_seconds=0.05,
        secret_key=SECRET,
    ) as server:
        yield server


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    detail: str = body["detail"]
    return detail


def kiosk(server: LiveServer) -> httpx.Client:
    return server.client(server.accounts.kiosk_token)


def clerk_at(server: LiveServer, index: int, window: int) -> httpx.Client:
    """A clerk logged in now (tokens last 12 hours of the manual clock), at `window`."""
    client = server.client(server.login(server.accounts.clerks[index]))
    ok(client.post(f"/api/windows/{window}/sign-in"))
    return client


def call_next(clerk: httpx.Client, window: int) -> dict[str, Any]:
    """Call the next applicant and start serving them."""
    called: dict[str, Any] = ok(clerk.post(f"/api/windows/{window}/call-next"))
    ok(clerk.post(f"/api/tickets/{called['id']}/start"))
    return called


def finish(clerk: httpx.Client, ticket: dict[str, Any], **body: Any) -> httpx.Response:
    return clerk.post(f"/api/tickets/{ticket['id']}/finish", json=body)


def status_page(server: LiveServer, ticket: dict[str, Any]) -> dict[str, Any]:
    page: dict[str, Any] = ok(server.client().get(f"/api/public/tickets/{ticket['public_code']}"))
    return page


@contextlib.contextmanager
def stream(server: LiveServer) -> Iterator[ClientConnection]:
    """The hall's live stream as a board sees it, past its snapshot."""
    with connect(f"{server.ws_url}/ws?token={server.accounts.board_token}", open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "snapshot"
        yield ws


def journey_events(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    """The next `count` journey events; every message on the way is checked for the list
    of missing materials (staff free text) and the return code, which boards never get."""
    found: list[dict[str, Any]] = []
    while len(found) < count:
        text = ws.recv(timeout=5)
        assert isinstance(text, str)
        assert TYPED not in text and "出生医学证明" not in text
        message: dict[str, Any] = json.loads(text)
        if message["type"].startswith("journey."):
            found.append(message)
    return found


def test_a_needs_documents_visit_returns_and_ends_collected(
    tmp_path: Path, database_url: str
) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 9, 30, tzinfo=SHANGHAI))
    listed = materials()
    with journey_hall(tmp_path, database_url, clock) as server, stream(server) as ws:
        first = ok(
            kiosk(server).post("/api/tickets", json={"category": "general", "matter": MATTER}), 201
        )
        first_clerk = clerk_at(server, 0, 2)
        assert call_next(first_clerk, 2)["id"] == first["id"]
        done = ok(
            finish(
                first_clerk,
                first,
                outcome="needs_documents",
                missing=[listed[0], f"  {TYPED} ", TYPED],
            )
        )
        code = done["return_code"]
        assert len(code) == 8 and not set(code) & set("01IO")
        assert done["journey_id"] is not None and done["outcome"] == "needs_documents"
        journey_id = done["journey_id"]

        page = status_page(server, first)["journey"]
        assert page == {
            "status": "awaiting_documents",
            "status_label": "待补件",
            "return_code": code,
            "missing": [listed[0], TYPED],
            "valid_until": page["valid_until"],
            "collect_text": None,
        }
        assert datetime.fromisoformat(page["valid_until"]) == clock.now() + timedelta(days=30)

        staff = ok(first_clerk.get(f"/api/journeys/{journey_id}"))
        assert (staff["status"], staff["return_code"], staff["matter"]) == (
            "awaiting_documents",
            code,
            MATTER,
        )
        assert [(v["number"], v["clerk"], v["missing"]) for v in staff["visits"]] == [
            (first["number"], "窗口员1", [listed[0], TYPED])
        ]

        # Two days later the applicant types the code (as a scanner or a hurried thumb does).
        clock.advance(timedelta(days=2))
        back = ok(
            kiosk(server).post(
                "/api/journeys/return", json={"return_code": code.lower()[:4] + "-" + code[4:]}
            ),
            201,
        )
        assert (back["return_visit"], back["journey_id"], back["category"], back["matter"]) == (
            True,
            journey_id,
            "general",
            MATTER,
        )
        detail = refused(
            kiosk(server).post("/api/journeys/return", json={"return_code": code}), 409, "conflict"
        )
        assert back["number"] in detail
        second_clerk = clerk_at(server, 1, 3)
        assert call_next(second_clerk, 3)["id"] == back["id"]
        again = ok(finish(second_clerk, back, outcome="needs_documents", missing=[listed[1]]))
        assert again["return_code"] == code and again["journey_id"] == journey_id
        assert status_page(server, back)["journey"]["missing"] == [listed[1]]

        clock.advance(timedelta(days=1))
        second_clerk = clerk_at(server, 1, 3)
        first_clerk = clerk_at(server, 0, 2)
        third = ok(kiosk(server).post("/api/journeys/return", json={"return_code": code}), 201)
        assert call_next(second_clerk, 3)["id"] == third["id"]
        resolved = ok(finish(second_clerk, third, outcome="resolved"))
        assert resolved["return_code"] is None
        detail = refused(
            kiosk(server).post("/api/journeys/return", json={"return_code": code}), 409, "conflict"
        )
        assert "材料已收齐" in detail
        staff = ok(first_clerk.get(f"/api/journeys/{journey_id}"))
        assert staff["status"] == "returned"
        assert [v["missing"] for v in staff["visits"]] == [[listed[0], TYPED], [listed[1]], []]
        assert [j["id"] for j in ok(first_clerk.get("/api/journeys?status=returned"))] == [
            journey_id
        ]

        ready = ok(second_clerk.post(f"/api/journeys/{journey_id}/ready", json={}))
        assert (ready["status"], ready["collect_at"]) == ("ready", "window")
        page = status_page(server, first)["journey"]
        assert page["status"] == "ready" and page["missing"] == []
        assert page["collect_text"] == "请在取号机输入回执码取出件号，到12号窗口（统一出件）领取"
        assert page["return_code"] == code

        pickup = ok(kiosk(server).post("/api/journeys/return", json={"return_code": code}), 201)
        assert (pickup["category"], pickup["return_visit"], pickup["journey_id"]) == (
            "pickup",
            False,
            journey_id,
        )
        desk = clerk_at(server, 2, 12)
        assert call_next(desk, 12)["id"] == pickup["id"]
        ok(finish(desk, pickup))
        assert status_page(server, third)["journey"] == {
            "status": "collected",
            "status_label": "已领取",
            "return_code": None,
            "missing": [],
            "valid_until": None,
            "collect_text": None,
        }
        detail = refused(
            kiosk(server).post("/api/journeys/return", json={"return_code": code}), 409, "conflict"
        )
        assert "已经领取" in detail

        events = journey_events(ws, 6)
        assert [e["type"] for e in events] == [
            "journey.opened",
            "journey.returned",
            "journey.documents_requested",
            "journey.returned",
            "journey.ready",
            "journey.collected",
        ]
        assert events[0]["payload"] | {"valid_until": None} == {
            "id": journey_id,
            "category": "general",
            "matter": MATTER,
            "status": "awaiting_documents",
            "valid_until": None,
            "missing_count": 2,
            "ticket_id": first["id"],
        }
        assert all(code not in json.dumps(event) for event in events)


def test_bad_finishes_and_codes_change_nothing(tmp_path: Path, database_url: str) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 9, 30, tzinfo=SHANGHAI))
    with journey_hall(tmp_path, database_url, clock) as server:
        ticket = ok(
            kiosk(server).post("/api/tickets", json={"category": "general", "matter": MATTER}), 201
        )
        clerk = clerk_at(server, 0, 2)
        call_next(clerk, 2)
        detail = refused(
            finish(clerk, ticket, outcome="resolved", missing=[TYPED]), 422, "invalid_input"
        )
        assert "补件" in detail
        detail = refused(finish(clerk, ticket, outcome="needs_documents"), 422, "invalid_input")
        assert "缺少" in detail
        refused(
            finish(clerk, ticket, outcome="needs_documents", missing=["  "]), 422, "invalid_request"
        )
        assert ok(clerk.get(f"/api/tickets/{ticket['id']}"))["status"] == "serving"
        assert ok(clerk.get("/api/journeys")) == []

        refused(
            kiosk(server).post("/api/journeys/return", json={"return_code": "ABCDEFGH"}),
            404,
            "not_found",
        )
        refused(
            kiosk(server).post("/api/journeys/return", json={"return_code": ""}),
            422,
            "invalid_request",
        )
        refused(clerk.get("/api/journeys/999"), 404, "not_found")

        # Without a catalog matter, 补件 may leave the list to the conversation at the window.
        walk_in = ok(kiosk(server).post("/api/tickets", json={"category": "general"}), 201)
        ok(finish(clerk, ticket, outcome="resolved"))
        call_next(clerk, 2)
        done = ok(finish(clerk, walk_in, outcome="needs_documents"))
        journey_id = done["journey_id"]
        detail = refused(clerk.post(f"/api/journeys/{journey_id}/ready", json={}), 409, "conflict")
        assert "待补件" in detail
        assert ok(clerk.get(f"/api/journeys/{journey_id}"))["status"] == "awaiting_documents"


def test_an_unreturned_journey_expires(tmp_path: Path, database_url: str) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 9, 30, tzinfo=SHANGHAI))
    with journey_hall(tmp_path, database_url, clock) as server, stream(server) as ws:
        ticket = ok(kiosk(server).post("/api/tickets", json={"category": "general"}), 201)
        clerk = clerk_at(server, 0, 2)
        call_next(clerk, 2)
        done = ok(finish(clerk, ticket, outcome="needs_documents", missing=[TYPED]))
        assert [e["type"] for e in journey_events(ws, 1)] == ["journey.opened"]
        clock.advance(timedelta(days=30, seconds=1))
        (expired,) = journey_events(ws, 1)
        assert expired["type"] == "journey.expired"
        assert expired["payload"]["id"] == done["journey_id"]
        assert expired["payload"]["missing_count"] == 0
        detail = refused(
            kiosk(server).post("/api/journeys/return", json={"return_code": done["return_code"]}),
            409,
            "conflict",
        )
        assert "过有效期" in detail
        assert status_page(server, ticket)["journey"]["status"] == "expired"


def test_a_ready_result_in_the_locker_shows_its_code(tmp_path: Path, database_url: str) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 9, 30, tzinfo=SHANGHAI))
    with journey_hall(tmp_path, database_url, clock) as server:
        first = ok(kiosk(server).post("/api/tickets", json={"category": "general"}), 201)
        clerk = clerk_at(server, 0, 2)
        call_next(clerk, 2)
        done = ok(finish(clerk, first, outcome="needs_documents", missing=[TYPED]))
        back = ok(
            kiosk(server).post("/api/journeys/return", json={"return_code": done["return_code"]}),
            201,
        )
        call_next(clerk, 2)
        ok(finish(clerk, back, outcome="resolved"))
        ok(clerk.post(f"/api/journeys/{done['journey_id']}/ready", json={"collect_at": "locker"}))
        page = status_page(server, back)
        assert page["journey"]["collect_text"] == "办理结果将存入智能文件柜，存入后本页会显示取件码"
        assert page["journey"]["return_code"] is None and page["locker"] is None

        deposit = ok(
            clerk.post(
                "/api/lockers/locker-1/deposits",
                json={"compartment": 5, "ticket_code": first["public_code"]},
            ),
            201,
        )
        page = status_page(server, back)
        assert (
            page["journey"]["collect_text"]
            == "办理结果已存入智能文件柜，请凭取件码到24小时自助服务区领取"
        )
        assert page["locker"]["pickup_code"] == deposit["pickup_code"]
        detail = refused(
            kiosk(server).post("/api/journeys/return", json={"return_code": done["return_code"]}),
            409,
            "conflict",
        )
        assert "智能文件柜" in detail

        device = server.client(issue_token(server.database_url, "locker-1", Role.DEVICE))
        pickup = {"pickup_code": deposit["pickup_code"]}
        assert ok(device.post("/api/lockers/locker-1/pickups", json=pickup)) == {"compartment": 5}
        page = status_page(server, first)
        assert page["journey"]["status"] == "collected" and page["locker"] is None


def test_a_return_visit_is_served_first_by_the_clerk_who_asked(
    tmp_path: Path, database_url: str
) -> None:
    """With priority by the category's windows, and by the window of the journey's clerk
    while that clerk is signed in there; when the clerk has left, by any window at once."""
    clock = ManualClock(datetime(2026, 12, 7, 9, 30, tzinfo=SHANGHAI))
    with journey_hall(tmp_path, database_url, clock) as server:
        issuer = kiosk(server)
        first = ok(issuer.post("/api/tickets", json={"category": "general"}), 201)
        second = ok(issuer.post("/api/tickets", json={"category": "general"}), 201)
        asked, left = clerk_at(server, 0, 2), clerk_at(server, 1, 3)
        assert call_next(asked, 2)["id"] == first["id"]
        assert call_next(left, 3)["id"] == second["id"]
        code_here = ok(finish(asked, first, outcome="needs_documents", missing=[TYPED]))
        code_gone = ok(finish(left, second, outcome="needs_documents", missing=[TYPED]))
        ok(left.post("/api/windows/3/sign-out"))
        walk_ins = [
            ok(issuer.post("/api/tickets", json={"category": "general"}), 201) for _ in "ab"
        ]
        back_here = ok(
            issuer.post("/api/journeys/return", json={"return_code": code_here["return_code"]}),
            201,
        )
        back_gone = ok(
            issuer.post("/api/journeys/return", json={"return_code": code_gone["return_code"]}),
            201,
        )
        other = clerk_at(server, 2, 4)
        called = call_next(other, 4)
        assert (called["id"], called["call_reason"]) == (back_gone["id"], "return_visit")
        ok(finish(other, called, outcome="resolved"))
        # The other return visit waits for its clerk's window; window 4 takes the walk-in.
        assert call_next(other, 4)["id"] == walk_ins[0]["id"]
        called = call_next(asked, 2)
        assert (called["id"], called["call_reason"]) == (back_here["id"], "return_visit")
