"""好差评 over HTTP against a real server: the applicant's status-page API, the window tablet's
API, refusals, the follow-up case a bad review opens, and 基本满意 for tickets left unrated."""

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.app import default_unrated_evaluations
from queue_server.config import load_hall_config
from queue_server.db import Database
from queue_server.domain.clock import ManualClock
from tests.feedback_support import clerk_at, events, issue, local_clock, serve
from tests.support import LiveServer, live_server

EVALUATION_KEYS = {
    "ticket_id",
    "number",
    "category",
    "window_no",
    "clerk",
    "level",
    "defaulted",
    "reasons",
}
CASE_OPENED_KEYS = {"case_id", "kind", "case_class", "due", "ticket_id", "category"}


@pytest.fixture
def clock() -> ManualClock:
    return local_clock(2026, 9, 25)  # a Friday before the National Day holidays


@pytest.fixture
def hall_server(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=clock) as running:
        yield running


def rate(server: LiveServer, code: str, **body: Any) -> httpx.Response:
    with server.client() as anonymous:
        return anonymous.post(f"/api/public/tickets/{code}/evaluation", json=body)


def state(server: LiveServer, code: str) -> dict[str, Any]:
    with server.client() as anonymous:
        response = anonymous.get(f"/api/public/tickets/{code}/evaluation")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_applicant_rates_a_done_ticket_once(hall_server: LiveServer) -> None:
    clerk = clerk_at(hall_server, 0, 2)
    ticket = serve(hall_server, clerk, 2)
    code = ticket["public_code"]
    before = state(hall_server, code)
    assert before["rateable"] is True
    assert before["number"] == ticket["number"]
    assert [level["label"] for level in before["options"]["levels"]] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    assert "public_code" not in str(before) and "clerk" not in before

    response = rate(hall_server, code.lower(), level=4, comment="  很耐心  ")
    assert response.status_code == 201, response.text
    given = response.json()
    assert (given["level"], given["label"], given["channel"]) == (4, "满意", "status_page")
    assert (given["defaulted"], given["comment"], given["clerk"]) == (False, "很耐心", None)

    again = rate(hall_server, code, level=1, reasons=["服务态度不好"])
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    assert "只能评价一次" in again.json()["detail"]
    after = state(hall_server, code)
    assert (after["rateable"], after["evaluation"]["level"]) == (False, 4)

    [event] = events(hall_server, "evaluation.submitted")
    assert set(event["payload"]) == EVALUATION_KEYS
    assert event["payload"] == {
        "ticket_id": ticket["id"],
        "number": ticket["number"],
        "category": "general",
        "window_no": 2,
        "clerk": {"display_name": "窗口员1", "staff_no": "0301"},
        "level": 4,
        "defaulted": False,
        "reasons": [],
    }
    assert "很耐心" not in str(event), "free text stays out of the event log"


def test_a_bad_review_without_a_reason_is_refused(hall_server: LiveServer) -> None:
    clerk = clerk_at(hall_server, 0, 2)
    code = serve(hall_server, clerk, 2)["public_code"]
    for level in (1, 2):
        response = rate(hall_server, code, level=level, comment="不好")
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/json"
        refused = response.json()
        assert refused["code"] == "invalid_input"
        assert "原因" in refused["detail"]
    unknown = rate(hall_server, code, level=1, reasons=["天气不好"])
    assert unknown.status_code == 422
    assert rate(hall_server, code, level=6).status_code == 422
    assert state(hall_server, code)["rateable"] is True
    assert events(hall_server, "evaluation.submitted", "case.opened") == []


def test_a_bad_review_opens_a_followup_due_after_the_holidays(hall_server: LiveServer) -> None:
    clerk = clerk_at(hall_server, 0, 2)
    ticket = serve(hall_server, clerk, 2)
    response = rate(
        hall_server,
        ticket["public_code"],
        level=1,
        reasons=["服务态度不好", "等候时间过长"],
        comment="窗口人员态度冷漠",
    )
    assert response.status_code == 201, response.text
    assert response.json()["reasons"] == ["等候时间过长", "服务态度不好"]  # configured order

    submitted, opened = events(hall_server, "evaluation.submitted", "case.opened")
    assert opened["seq"] == submitted["seq"] + 1, "one transaction, in order"
    assert set(opened["payload"]) == CASE_OPENED_KEYS
    # Opened Friday 25 September 2026: 15 working days skip 1–7 October and count
    # Saturday 10 October (调休), so the follow-up is due on Thursday 22 October.
    assert opened["payload"] == {
        "case_id": opened["payload"]["case_id"],
        "kind": "followup",
        "case_class": None,
        "due": "2026-10-22",
        "ticket_id": ticket["id"],
        "category": "general",
    }
    manager = hall_server.client(hall_server.login(hall_server.accounts.manager))
    [listed] = manager.get("/api/evaluations", params={"level": 1}).json()
    assert listed["case_id"] == opened["payload"]["case_id"]
    assert listed["comment"] == "窗口人员态度冷漠"
    assert listed["clerk"] == {"display_name": "窗口员1", "staff_no": "0301"}
    case = manager.get(f"/api/cases/{listed['case_id']}").json()
    assert (case["kind"], case["status"], case["due"]) == ("followup", "accepted", "2026-10-22")
    assert "态度冷漠" in case["summary"]
    served_clerk = clerk.get(f"/api/cases/{listed['case_id']}")
    assert served_clerk.status_code == 403, "a clerk does not handle their own bad review"
    assert clerk.get("/api/cases").json() == []


def test_staff_and_devices_cannot_rate_for_the_applicant(hall_server: LiveServer) -> None:
    clerk = clerk_at(hall_server, 0, 2)
    ticket = serve(hall_server, clerk, 2)
    path = f"/api/public/tickets/{ticket['public_code']}/evaluation"
    refused = clerk.post(path, json={"level": 5})
    assert refused.status_code == 403
    assert refused.json()["code"] == "wrong_role"
    tablet_route = clerk.post(
        "/api/windows/2/evaluation", json={"ticket_id": ticket["id"], "level": 5}
    )
    assert tablet_route.status_code == 403
    with hall_server.client(hall_server.accounts.kiosk_token) as kiosk:
        assert kiosk.post(path, json={"level": 5}).status_code == 403
    assert state(hall_server, ticket["public_code"])["rateable"] is True


def test_unfinished_no_show_and_unknown_tickets_cannot_be_rated(hall_server: LiveServer) -> None:
    waiting = issue(hall_server, "general")
    assert rate(hall_server, waiting["public_code"], level=5).status_code == 409
    assert "办结后才能评价" in state(hall_server, waiting["public_code"])["refusal"]
    clerk = clerk_at(hall_server, 0, 2)
    clerk.post("/api/windows/2/call-next")
    assert clerk.post(f"/api/tickets/{waiting['id']}/no-show").status_code == 200
    assert rate(hall_server, waiting["public_code"], level=5).status_code == 409
    assert rate(hall_server, "ZZZZZZZZZZ", level=5).status_code == 404


def test_consultations_are_rated_too(hall_server: LiveServer) -> None:
    clerk = clerk_at(hall_server, 0, 1)
    ticket = serve(hall_server, clerk, 1, "consult")
    assert ticket["number"] == "A001"
    response = rate(hall_server, ticket["public_code"], level=5)
    assert response.status_code == 201
    assert response.json()["category_name"] == "咨询"


def test_a_transferred_visit_is_rated_at_its_last_stint(hall_server: LiveServer) -> None:
    clerk = clerk_at(hall_server, 0, 2)
    expert = clerk_at(hall_server, 1, 7)
    ticket = issue(hall_server, "general")
    clerk.post("/api/windows/2/call-next")
    moved = clerk.post(
        f"/api/tickets/{ticket['id']}/transfer",
        json={"to_category": "enterprise", "reason": "企业事项"},
    ).json()
    assert rate(hall_server, ticket["public_code"], level=5).status_code == 409
    expert.post("/api/windows/7/call-next")
    expert.post(f"/api/tickets/{moved['id']}/start")
    expert.post(f"/api/tickets/{moved['id']}/finish")
    response = rate(hall_server, ticket["public_code"], level=5)
    assert response.status_code == 201
    assert (response.json()["ticket_id"], response.json()["window_no"]) == (moved["id"], 7)


def test_the_window_tablet_rates_only_the_service_just_finished_there(
    hall_server: LiveServer, clock: ManualClock
) -> None:
    tablet = hall_server.client(hall_server.accounts.evaluator_token)
    clerk = clerk_at(hall_server, 0, 2)
    assert tablet.get("/api/windows/2/evaluation").json()["pending"] is None
    first = serve(hall_server, clerk, 2)
    second = serve(hall_server, clerk, 2)
    pending = tablet.get("/api/windows/2/evaluation").json()
    assert pending["window_name"] == "综合受理"
    assert pending["pending"]["ticket_id"] == second["id"]
    assert set(pending["pending"]) == {"ticket_id", "number", "category_name", "finished_at"}

    older = tablet.post("/api/windows/2/evaluation", json={"ticket_id": first["id"], "level": 5})
    assert older.status_code == 409
    elsewhere = tablet.post(
        "/api/windows/3/evaluation", json={"ticket_id": second["id"], "level": 5}
    )
    assert elsewhere.status_code == 409
    given = tablet.post(
        "/api/windows/2/evaluation",
        json={"ticket_id": second["id"], "level": 2, "reasons": ["办事效率低"]},
    )
    assert given.status_code == 201, given.text
    assert given.json()["channel"] == "window"
    assert tablet.get("/api/windows/2/evaluation").json()["pending"] is None

    third = serve(hall_server, clerk, 2)
    clock.advance(timedelta(minutes=16))  # the tablet's window_minutes is 15
    late = tablet.post("/api/windows/2/evaluation", json={"ticket_id": third["id"], "level": 5})
    assert late.status_code == 409
    assert [e["payload"]["kind"] for e in events(hall_server, "case.opened")] == ["followup"]


def test_unrated_tickets_count_as_basically_satisfied_after_seven_days(
    hall_server: LiveServer, clock: ManualClock
) -> None:
    clerk = clerk_at(hall_server, 0, 2)
    old = serve(hall_server, clerk, 2)
    rated = serve(hall_server, clerk, 2)
    assert rate(hall_server, rated["public_code"], level=5).status_code == 201
    clock.advance(timedelta(days=6))
    clerk = clerk_at(hall_server, 0, 2)  # the login has expired meanwhile
    recent = serve(hall_server, clerk, 2)
    clock.advance(timedelta(days=1, minutes=1))

    db = Database(hall_server.database_url)
    try:
        defaulted = asyncio.run(default_unrated_evaluations(db, load_hall_config(), clock))
        assert defaulted == 1
        assert asyncio.run(default_unrated_evaluations(db, load_hall_config(), clock)) == 0
    finally:
        db.dispose()

    after = state(hall_server, old["public_code"])
    assert after["rateable"] is False
    assert (after["evaluation"]["level"], after["evaluation"]["label"]) == (3, "基本满意")
    assert (after["evaluation"]["defaulted"], after["evaluation"]["channel"]) == (True, "default")
    assert rate(hall_server, old["public_code"], level=1, reasons=["其他"]).status_code == 409
    assert state(hall_server, recent["public_code"])["rateable"] is True

    manager = hall_server.client(hall_server.login(hall_server.accounts.manager))
    real = manager.get("/api/evaluations", params={"defaulted": "false"}).json()
    assert [e["ticket_id"] for e in real] == [rated["id"]]
    by_default = manager.get("/api/evaluations", params={"defaulted": "true"}).json()
    assert [e["ticket_id"] for e in by_default] == [old["id"]]
    last = events(hall_server, "evaluation.submitted")[-1]
    assert last["payload"]["defaulted"] is True
    assert last["payload"]["level"] == 3
    assert events(hall_server, "case.opened") == []
