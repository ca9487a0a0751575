"""A hall day over HTTP: issue, call, serve, no-show, requeue, transfer, pause — against a real
server, checking what the clerk and the applicant would see."""

from typing import Any

import httpx
import pytest

from tests.support import LiveServer

pytestmark = pytest.mark.both_databases


@pytest.fixture
def kiosk(server: LiveServer) -> httpx.Client:
    return server.client(server.accounts.kiosk_token)


def clerk_at(server: LiveServer, index: int, window: int) -> httpx.Client:
    client = server.client(server.login(server.accounts.clerks[index]))
    assert client.post(f"/api/windows/{window}/sign-in").status_code == 200
    return client


def issue(kiosk: httpx.Client, category: str, **extra: Any) -> dict[str, Any]:
    response = kiosk.post("/api/tickets", json={"category": category, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_issue_reports_number_place_and_eta(server: LiveServer, kiosk: httpx.Client) -> None:
    first = issue(kiosk, "general")
    assert first["number"] == "B001"
    assert first["status"] == "waiting"
    assert first["ahead"] == 0
    assert first["eta_minutes"] is None  # no window open yet: nobody can say
    assert len(first["public_code"]) == 16
    clerk_at(server, 0, 2)
    second = issue(kiosk, "general", priority="elderly")
    assert (second["number"], second["ahead"]) == ("B002", 1)
    assert second["eta_minutes"] == 0  # an elderly applicant is called before the one ahead
    third = issue(kiosk, "general")
    assert third["eta_minutes"] == 20  # two ahead, one window, 10 configured minutes
    assert issue(kiosk, "consult")["number"] == "A001"


def test_full_service_of_one_ticket(server: LiveServer, kiosk: httpx.Client) -> None:
    ticket = issue(kiosk, "general", matter="新生儿出生")
    clerk = clerk_at(server, 0, 3)
    called = clerk.post("/api/windows/3/call-next").json()
    assert (called["id"], called["status"], called["window_no"]) == (ticket["id"], "called", 3)
    assert called["call_reason"] == "longest_wait"
    recalled = clerk.post(f"/api/tickets/{ticket['id']}/recall").json()
    assert (recalled["status"], recalled["recall_count"]) == ("called", 1)
    assert clerk.post(f"/api/tickets/{ticket['id']}/start").json()["status"] == "serving"
    finished = clerk.post(f"/api/tickets/{ticket['id']}/finish", json={"outcome": "办结"}).json()
    assert (finished["status"], finished["outcome"]) == ("done", "办结")
    window = clerk.get("/api/windows/3").json()
    assert window["current"] is None
    assert window["clerk"] == {"display_name": "窗口员1", "staff_no": "0301"}
    assert clerk.post("/api/windows/3/call-next").status_code == 204


def test_priority_jumps_but_never_more_than_the_ratio(
    server: LiveServer, kiosk: httpx.Client
) -> None:
    normal = [issue(kiosk, "general")["number"] for _ in range(2)]
    elderly = [issue(kiosk, "general", priority="elderly")["number"] for _ in range(4)]
    clerk = clerk_at(server, 0, 2)
    calls = []
    for _ in range(6):
        ticket = clerk.post("/api/windows/2/call-next").json()
        calls.append((ticket["number"], ticket["call_reason"]))
        clerk.post(f"/api/tickets/{ticket['id']}/start")
        clerk.post(f"/api/tickets/{ticket['id']}/finish")
    assert calls == [
        (elderly[0], "priority"),
        (elderly[1], "priority"),
        (elderly[2], "priority"),
        (normal[0], "longest_wait"),  # ratio 3 reached: the normal queue gets its turn
        (elderly[3], "priority"),
        (normal[1], "longest_wait"),
    ]


def test_no_show_requeue_goes_behind_the_configured_number(
    server: LiveServer, kiosk: httpx.Client
) -> None:
    late = issue(kiosk, "consult")
    others = [issue(kiosk, "consult")["number"] for _ in range(5)]
    clerk = clerk_at(server, 0, 1)
    assert clerk.post("/api/windows/1/call-next").json()["id"] == late["id"]
    gone = clerk.post(f"/api/tickets/{late['id']}/no-show").json()
    assert gone["status"] == "no_show"
    back = clerk.post(f"/api/tickets/{late['id']}/requeue").json()
    assert back["status"] == "waiting"
    queue = [t["number"] for t in clerk.get("/api/tickets?status=waiting&category=consult").json()]
    assert queue == [*others[:3], late["number"], *others[3:]]  # requeue_after = 3


def test_transfer_to_unresolved_keeps_number_and_issue_time(
    server: LiveServer, kiosk: httpx.Client
) -> None:
    ticket = issue(kiosk, "general", priority="disabled")
    clerk = clerk_at(server, 0, 2)
    desk = clerk_at(server, 1, 11)
    clerk.post("/api/windows/2/call-next")
    clerk.post(f"/api/tickets/{ticket['id']}/start")
    moved = clerk.post(
        f"/api/tickets/{ticket['id']}/transfer",
        json={"to_category": "unresolved", "reason": "系统无法受理"},
    ).json()
    assert moved["number"] == ticket["number"]
    assert moved["category"] == "unresolved"
    assert moved["issued_at"] == ticket["issued_at"]
    assert moved["priority"] == "disabled"
    assert moved["transferred_from_id"] == ticket["id"]
    assert clerk.get(f"/api/tickets/{ticket['id']}").json()["status"] == "transferred"
    called = desk.post("/api/windows/11/call-next").json()
    assert called["id"] == moved["id"]


def test_transfer_to_a_named_window_goes_first_there(
    server: LiveServer, kiosk: httpx.Client
) -> None:
    waiting = issue(kiosk, "enterprise")
    ticket = issue(kiosk, "general")
    clerk = clerk_at(server, 0, 2)
    expert = clerk_at(server, 1, 7)
    clerk.post("/api/windows/2/call-next")
    moved = clerk.post(
        f"/api/tickets/{ticket['id']}/transfer", json={"to_window": 7, "reason": "企业事项"}
    ).json()
    assert moved["target_window_no"] == 7
    first = expert.post("/api/windows/7/call-next").json()
    assert (first["id"], first["call_reason"]) == (moved["id"], "transfer")
    expert.post(f"/api/tickets/{first['id']}/no-show")
    assert expert.post("/api/windows/7/call-next").json()["id"] == waiting["id"]


def test_call_by_number_and_pause(server: LiveServer, kiosk: httpx.Client) -> None:
    tickets = [issue(kiosk, "general") for _ in range(3)]
    clerk = clerk_at(server, 0, 4)
    chosen = clerk.post("/api/windows/4/call", json={"number": "b003"}).json()
    assert (chosen["id"], chosen["call_reason"]) == (tickets[2]["id"], "by_number")
    clerk.post(f"/api/tickets/{chosen['id']}/no-show")
    paused = clerk.post("/api/windows/4/pause", json={"reason": "会议"}).json()
    assert (paused["status"], paused["pause_reason"]) == ("paused", "会议")
    refused = clerk.post("/api/windows/4/call-next")
    assert refused.status_code == 409
    assert "暂停" in refused.json()["detail"]
    assert clerk.post("/api/windows/4/resume").json()["status"] == "open"
    assert clerk.post("/api/windows/4/call-next").json()["id"] == tickets[0]["id"]


def test_window_rules_for_clerks(server: LiveServer) -> None:
    first = clerk_at(server, 0, 5)
    second = server.client(server.login(server.accounts.clerks[1]))
    taken = second.post("/api/windows/5/sign-in")
    assert taken.status_code == 409
    assert "窗口员1" in taken.json()["detail"]
    assert second.post("/api/windows/5/call-next").status_code == 403
    elsewhere = first.post("/api/windows/6/sign-in")
    assert elsewhere.status_code == 409
    assert "5号窗口" in elsewhere.json()["detail"]
    assert first.post("/api/windows/5/sign-out").json()["status"] == "closed"
    assert second.post("/api/windows/5/sign-in").status_code == 200
    me = second.get("/api/auth/me").json()
    assert (me["role"], me["window_no"]) == ("clerk", 5)


def test_a_clerk_cannot_touch_another_windows_ticket(
    server: LiveServer, kiosk: httpx.Client
) -> None:
    ticket = issue(kiosk, "general")
    owner = clerk_at(server, 0, 2)
    other = clerk_at(server, 1, 3)
    owner.post("/api/windows/2/call-next")
    refused = other.post(f"/api/tickets/{ticket['id']}/start")
    assert refused.status_code == 403
    assert "2号窗口" in refused.json()["detail"]
    assert owner.get(f"/api/tickets/{ticket['id']}").json()["status"] == "called"


def test_hall_snapshot_counts_and_windows(server: LiveServer, kiosk: httpx.Client) -> None:
    for _ in range(3):
        issue(kiosk, "pickup")
    clerk_at(server, 0, 12)
    with server.client(server.accounts.board_token) as board:
        hall = board.get("/api/hall").json()
    assert hall["name"] == "一门市民服务中心"
    assert hall["timezone"] == "Asia/Shanghai"
    pickup = next(c for c in hall["categories"] if c["code"] == "pickup")
    assert (pickup["waiting"], pickup["issued_today"], pickup["eta_minutes"]) == (3, 3, 9)
    windows = {w["number"]: w for w in hall["windows"]}
    assert len(windows) == 12
    assert windows[12]["status"] == "open"
    assert windows[1]["status"] == "closed"
    assert "public_code" not in str(hall) or all(
        w["current"] is None or w["current"]["public_code"] is None for w in hall["windows"]
    )
