"""The 办不成事 case desk over HTTP against a real server: a transfer opens a case with the
class's deadline, the desk works it through 受理 → 分类 → 转办 → 办结 → 反馈 → 回访, and
follow-ups of bad reviews are called back, fixed and re-rated."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.domain.clock import ManualClock
from tests.feedback_support import clerk_at, events, issue, local_clock, serve
from tests.support import LiveServer, live_server

DESK = 11


@pytest.fixture
def clock() -> ManualClock:
    return local_clock(2026, 9, 30)  # Wednesday, the last working day before National Day


@pytest.fixture
def hall_server(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=clock) as running:
        yield running


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON answer (a case, or a list of them), once its status is checked."""
    assert response.status_code == status, response.text
    return response.json()


def transfer_to_desk(
    server: LiveServer, clerk: httpx.Client, window: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    ticket = issue(server, "general", matter="不动产登记")
    ok(clerk.post(f"/api/windows/{window}/call-next"))
    ok(clerk.post(f"/api/tickets/{ticket['id']}/start"))
    moved = ok(
        clerk.post(
            f"/api/tickets/{ticket['id']}/transfer",
            json={"to_category": "unresolved", "reason": "系统无法受理历史遗留产权"},
        )
    )
    return ticket, moved


def test_a_transfer_to_the_desk_opens_a_case_with_the_right_deadline(
    hall_server: LiveServer,
) -> None:
    clerk = clerk_at(hall_server, 0, 2)
    ticket, moved = transfer_to_desk(hall_server, clerk, 2)
    transferred, opened = events(hall_server, "ticket.transferred", "case.opened")
    assert opened["seq"] == transferred["seq"] + 1, "opened in the transfer's transaction"
    # Ordinary class: one working day. Opened 30 September, the next working day is
    # 8 October, after the National Day holidays.
    assert opened["payload"] == {
        "case_id": opened["payload"]["case_id"],
        "kind": "unresolved",
        "case_class": "ordinary",
        "due": "2026-10-08",
        "ticket_id": ticket["id"],
        "category": "general",
    }
    desk = clerk_at(hall_server, 1, DESK)
    [case] = ok(desk.get("/api/cases", params={"ticket_id": moved["id"]}))
    assert case["id"] == opened["payload"]["case_id"]
    assert (case["status"], case["status_label"]) == ("accepted", "受理")
    assert (case["number"], case["window_no"], case["matter"]) == (
        ticket["number"],
        2,
        "不动产登记",
    )
    assert case["desk_ticket_id"] == moved["id"]
    assert case["summary"] == "系统无法受理历史遗留产权"
    assert case["opened_by"]["display_name"] == "窗口员1"
    assert case["actions"] == ["classify", "log"]
    assert ok(desk.post(f"/api/windows/{DESK}/call-next"))["id"] == moved["id"]


def test_the_full_flow_to_closing(hall_server: LiveServer, clock: ManualClock) -> None:
    clerk = clerk_at(hall_server, 0, 2)
    transfer_to_desk(hall_server, clerk, 2)
    desk = clerk_at(hall_server, 1, DESK)
    [case] = ok(desk.get("/api/cases", params={"kind": "unresolved"}))
    path = f"/api/cases/{case['id']}"

    refused = desk.post(f"{path}/assign", json={"department": "不动产登记中心"})
    assert refused.status_code == 409
    assert "请先分类" in refused.json()["detail"]

    classified = ok(
        desk.post(f"{path}/classify", json={"case_class": "hard", "note": "涉及历史产权"})
    )
    # Hard: seven working days from 30 September: 8, 9, 10 (调休 Saturday), 12, 13, 14, 15.
    assert (classified["status"], classified["case_class"], classified["due"]) == (
        "classified",
        "hard",
        "2026-10-15",
    )
    assigned = ok(
        desk.post(
            f"{path}/assign",
            json={"owner": "manager", "department": "不动产登记中心", "note": "请三日内答复"},
        )
    )
    assert assigned["status"] == "assigned"
    assert assigned["owner"]["name"] == "manager"
    assert assigned["department"] == "不动产登记中心"
    ok(desk.post(f"{path}/actions", json={"kind": "callback", "note": "已电话告知申请人进度"}))

    clock.set(clock.now() + timedelta(days=14))  # 14 October, before the due date
    desk = clerk_at(hall_server, 1, DESK)
    silent = desk.post(f"{path}/close", json={"resolution": "not_possible", "reply": "无法办理"})
    assert silent.status_code == 422
    assert "原因" in silent.json()["detail"]
    closed = ok(
        desk.post(
            f"{path}/close",
            json={
                "resolution": "not_possible",
                "reply": "经核实，该产权须先经法院确权",
                "reason": "《不动产登记暂行条例》第二十二条",
            },
        )
    )
    assert (closed["status"], closed["in_time"], closed["resolution"]) == (
        "resolved",
        True,
        "not_possible",
    )
    assert closed["negative_reason"] == "《不动产登记暂行条例》第二十二条"
    too_early = desk.post(f"{path}/follow-up", json={"note": "满意"})
    assert too_early.status_code == 409
    replied = ok(desk.post(f"{path}/feedback", json={"note": "已当面告知，申请人表示理解"}))
    assert replied["status"] == "replied"
    done = ok(desk.post(f"{path}/follow-up", json={"note": "回访满意", "level": 4}))
    assert (done["status"], done["followup_level"], done["actions"]) == ("followed_up", 4, [])
    assert desk.post(f"{path}/actions", json={"note": "补记"}).status_code == 409

    detail = ok(desk.get(path))
    assert [entry["kind"] for entry in detail["log"]] == [
        "opened",
        "classified",
        "assigned",
        "callback",
        "closed",
        "feedback",
        "followed_up",
    ]
    assert "第二十二条" in detail["log"][4]["note"]
    [closed_event] = events(hall_server, "case.closed")
    assert {"case_id", "closed_at", "in_time"} <= set(closed_event["payload"])
    assert closed_event["payload"]["case_id"] == case["id"]
    assert closed_event["payload"]["in_time"] is True
    steps = [e["type"] for e in events(hall_server, *CASE_EVENTS)]
    assert steps == [
        "case.opened",
        "case.classified",
        "case.assigned",
        "case.logged",
        "case.closed",
        "case.replied",
        "case.followed_up",
    ]
    assert "第二十二条" not in str(events(hall_server, *CASE_EVENTS)), "free text stays out"


CASE_EVENTS = (
    "case.opened",
    "case.classified",
    "case.assigned",
    "case.logged",
    "case.closed",
    "case.replied",
    "case.followed_up",
)


def test_the_desk_opens_a_case_directly_and_late_closing_is_not_in_time(
    hall_server: LiveServer, clock: ManualClock
) -> None:
    other = clerk_at(hall_server, 0, 2)
    refused = other.post("/api/cases", json={"summary": "想咨询社保断缴"})
    assert refused.status_code == 403
    desk = clerk_at(hall_server, 1, DESK)
    walk_in = issue(hall_server, "unresolved")
    ok(desk.post(f"/api/windows/{DESK}/call-next"))
    opened = ok(
        desk.post(
            "/api/cases",
            json={
                "summary": "社保断缴补缴系统不支持",
                "ticket_id": walk_in["id"],
                "case_class": "simple",
                "category": "general",
                "contact": "王先生 138****0000",
            },
        ),
        201,
    )
    assert (opened["status"], opened["due"], opened["owner"]["name"]) == (
        "classified",
        "2026-09-30",
        "clerk2",
    )
    twice = desk.post("/api/cases", json={"summary": "重复", "ticket_id": walk_in["id"]})
    assert twice.status_code == 409
    assert "public" not in str(events(hall_server, "case.opened"))
    assert "138" not in str(events(hall_server, "case.opened")), "contacts stay out of events"

    assert other.get(f"/api/cases/{opened['id']}").status_code == 403
    assert ok(other.get("/api/cases")) == []

    clock.advance(timedelta(days=1))  # 1 October: overdue
    manager = hall_server.client(hall_server.login(hall_server.accounts.manager))
    [late] = ok(manager.get("/api/cases", params={"overdue": "true"}))
    assert (late["id"], late["overdue"]) == (opened["id"], True)
    assert ok(manager.get("/api/cases", params={"overdue": "false"})) == []
    closed = ok(
        manager.post(
            f"/api/cases/{opened['id']}/close", json={"resolution": "done", "reply": "已协调补缴"}
        )
    )
    assert (closed["in_time"], closed["overdue"]) == (False, False)
    assert events(hall_server, "case.closed")[-1]["payload"]["in_time"] is False


def test_a_bad_review_is_called_back_fixed_and_re_rated(hall_server: LiveServer) -> None:
    clerk = clerk_at(hall_server, 0, 2)
    ticket = serve(hall_server, clerk, 2)
    with hall_server.client() as applicant:
        rated = applicant.post(
            f"/api/public/tickets/{ticket['public_code']}/evaluation",
            json={"level": 2, "reasons": ["等候时间过长"]},
        )
    assert rated.status_code == 201
    manager = hall_server.client(hall_server.login(hall_server.accounts.manager))
    [case] = ok(manager.get("/api/cases", params={"kind": "followup"}))
    path = f"/api/cases/{case['id']}"
    assert case["due"] == "2026-10-27"  # 15 working days from 30 September, 10 October counted
    assert manager.post(f"{path}/classify", json={"case_class": "simple"}).status_code == 409
    ok(manager.post(f"{path}/actions", json={"kind": "callback", "note": "已致电申请人致歉"}))
    ok(manager.post(f"{path}/close", json={"resolution": "done", "reply": "高峰时段增开潮汐窗口"}))
    ok(manager.post(f"{path}/feedback", json={"note": "已告知整改措施"}))
    no_rating = manager.post(f"{path}/follow-up", json={"note": "回访"})
    assert no_rating.status_code == 422
    done = ok(manager.post(f"{path}/follow-up", json={"note": "申请人认可整改", "level": 5}))
    assert (done["status"], done["followup_level"], done["in_time"]) == ("followed_up", 5, True)
    followed = events(hall_server, "case.followed_up")[-1]
    assert followed["payload"]["level"] == 5
