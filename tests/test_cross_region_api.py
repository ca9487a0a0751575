"""市域通办 cases over real HTTP and websockets, against a server of the example city, on SQLite
and on PostgreSQL: the whole journey between two halls, each step refused to the wrong hall,
every event in the log of the hall that took the step, and bad input changing nothing."""

import contextlib
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.hall_support import CityServer, city_server

pytestmark = pytest.mark.both_databases

RECEIVING, OWNER, STRANGER = "main", "kangbashi", "ejinhoro"
MATTER = "social_security_card"
MATTER_NAME = "社会保障卡居民服务"
ORIGINALS_MATTER = "newborn"
"""Allows remote_accept only, and its paper originals travel by mail."""
LOCAL_MATTER = "school_enrolment"
"""Must be done where it belongs: no cross-region mode."""
WINDOW = 2
CASES = "/api/cross-region-cases"


@pytest.fixture
def city(database_url: str) -> Iterator[CityServer]:
    with city_server(database_url) as server:
        yield server


def clerk(city: CityServer, hall: str, number: int = 1) -> httpx.Client:
    return city.client(city.accounts.halls[hall].clerks[number - 1])


def manager(city: CityServer, hall: str) -> httpx.Client:
    return city.client(city.token(hall, "manager"))


def ticket_at_window(city: CityServer, hall: str) -> dict[str, Any]:
    """A ticket issued at `hall`'s kiosk and called to its window 2 by its first clerk."""
    with city.client(city.token(hall, "kiosk")) as kiosk:
        issued = kiosk.post("/api/tickets", json={"category": "general"})
    assert issued.status_code == 201, issued.text
    window = clerk(city, hall)
    assert window.post(f"/api/windows/{WINDOW}/sign-in").status_code == 200
    called = window.post(f"/api/windows/{WINDOW}/call-next")
    assert called.status_code == 200, called.text
    assert called.json()["id"] == issued.json()["id"]
    ticket: dict[str, Any] = called.json()
    return ticket


def opening(ticket_id: int, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "ticket_id": ticket_id,
        "matter": MATTER,
        "owner_hall": OWNER,
        "mode": "remote_accept",
        "delivery": "pickup",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


@contextlib.contextmanager
def subscribe(city: CityServer, hall: str) -> Iterator[ClientConnection]:
    """The live stream of `hall` as its manager sees it, past its snapshot."""
    url = f"{city.ws_url}/ws?token={city.token(hall, 'manager')}"
    with connect(url, open_timeout=5) as ws:
        assert receive(ws)["type"] == "snapshot"
        yield ws


def receive(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return message


def next_event(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    while True:
        message = receive(ws, timeout)
        if message["type"] != "heartbeat":
            return message


def no_more_events(ws: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        next_event(ws, timeout=0.5)


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def refused(response: httpx.Response, status: int, code: str | None = None) -> str:
    """A refusal as JSON with its `detail` (and `code`, when given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    detail: str = body["detail"]
    return detail


def step_names(case: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(step, hall, done) of each step row, in order."""
    return [(s["step"], s["hall"], s["done_at"] is not None) for s in case["steps"]]


def check_event(
    ws: ClientConnection, type_: str, case: dict[str, Any], step: str
) -> dict[str, Any]:
    event = next_event(ws)
    assert event["type"] == type_
    payload = event["payload"]
    assert payload == {
        "case_id": case["id"],
        "code": case["code"],
        "step": step,
        "status": case["status"],
        "receiving_hall": RECEIVING,
        "owner_hall": case["owner_hall"],
        "delivering_hall": case["delivering_hall"],
        "matter": case["matter"],
        "due_at": payload["due_at"],
        "result": case["result"],
    }
    assert payload["due_at"] == case["due_at"] or (
        payload["due_at"] is not None
        and datetime.fromisoformat(payload["due_at"]) == datetime.fromisoformat(case["due_at"])
    )
    assert event["clerk"] is not None
    return event


def test_the_whole_journey_between_two_halls(city: CityServer) -> None:
    """Received at main for kangbashi, forwarded, returned for 补正, resubmitted, accepted,
    decided, picked up at main: each step by its hall only, each event in its hall's log."""
    ticket = ticket_at_window(city, RECEIVING)
    here, there = clerk(city, RECEIVING), clerk(city, OWNER)
    with subscribe(city, RECEIVING) as here_ws, subscribe(city, OWNER) as there_ws:
        case = ok(here.post(CASES, json=opening(ticket["id"], matter=MATTER_NAME)), 201)
        assert re.fullmatch(r"TB\d{8}\d{3,4}", case["code"]), case["code"]
        assert case["code"].endswith("001")
        assert (case["status"], case["status_label"]) == ("received", "已收件")
        assert (case["receiving_hall"], case["owner_hall"]) == (RECEIVING, OWNER)
        assert (case["delivering_hall"], case["pickup_hall"]) == (RECEIVING, RECEIVING)
        assert (case["matter"], case["matter_name"]) == (MATTER, MATTER_NAME)
        assert (case["ticket_id"], case["number"]) == (ticket["id"], ticket["number"])
        assert step_names(case) == [("receive", RECEIVING, True), ("forward", RECEIVING, False)]
        assert case["steps"][1]["due_at"] is not None and case["due_at"] is not None
        assert case["actions"] == ["forward"]
        assert [entry["step"] for entry in case["log"]] == ["receive"]
        assert case["log"][0]["actor"]["name"] == f"{RECEIVING}-clerk1"
        check_event(here_ws, "cross_region.received", case, "receive")
        case_url = f"{CASES}/{case['id']}"

        seen_there = ok(there.get(case_url))
        assert seen_there["actions"] == []
        assert seen_there["status"] == "received"

        def refused_elsewhere(client: httpx.Client, step: str, body: dict[str, object]) -> None:
            before, seq = ok(here.get(case_url)), city.seq()
            refused(client.post(f"{case_url}/{step}", json=body), 403, "wrong_hall")
            assert ok(here.get(case_url)) == before
            assert city.seq() == seq

        refused_elsewhere(there, "forward", {"channel": "electronic"})
        case = ok(here.post(f"{case_url}/forward", json={"channel": "electronic"}))
        assert (case["status"], case["status_label"]) == ("forwarded", "已转递")
        assert step_names(case)[-1] == ("accept", OWNER, False)
        assert case["actions"] == []
        check_event(here_ws, "cross_region.forwarded", case, "forward")

        refused_elsewhere(here, "return", {"materials": ["出生医学证明"]})
        refused_elsewhere(here, "accept", {})
        materials = ["户口簿原件", "近期免冠照片"]
        case = ok(
            there.post(f"{case_url}/return", json={"materials": materials, "note": "照片不清"})
        )
        assert (case["status"], case["status_label"]) == ("returned", "需补正")
        assert case["returned_materials"] == materials
        assert step_names(case)[-2:] == [("return", OWNER, True), ("resubmit", RECEIVING, False)]
        assert case["steps"][-1]["due_at"] is None, "the clock stops while the applicant corrects"
        assert case["due_at"] is None
        check_event(there_ws, "cross_region.returned", case, "return")
        assert ok(here.get(case_url))["actions"] == ["resubmit"]

        refused_elsewhere(there, "resubmit", {})
        case = ok(here.post(f"{case_url}/resubmit", json={}))
        assert case["status"] == "forwarded"
        assert step_names(case)[-1] == ("accept", OWNER, False)
        check_event(here_ws, "cross_region.resubmitted", case, "resubmit")

        assert ok(there.get(case_url))["actions"] == ["accept"], "补正 is told once only"
        once = refused(there.post(f"{case_url}/return", json={"materials": ["身份证"]}), 409)
        assert "一次" in once
        case = ok(there.post(f"{case_url}/accept", json={}))
        assert (case["status"], case["status_label"]) == ("accepted", "已受理")
        assert step_names(case)[-1] == ("decide", OWNER, False)
        check_event(there_ws, "cross_region.accepted", case, "accept")

        refused_elsewhere(here, "decide", {"result": "approved"})
        case = ok(there.post(f"{case_url}/decide", json={"result": "approved"}))
        assert (case["status"], case["status_label"], case["result"]) == (
            "decided",
            "已办结",
            "approved",
        )
        assert step_names(case)[-1] == ("deliver", RECEIVING, False)
        check_event(there_ws, "cross_region.decided", case, "decide")

        refused_elsewhere(there, "deliver", {"channel": "pickup"})
        case = ok(here.post(f"{case_url}/deliver", json={"channel": "pickup"}))
        assert (case["status"], case["status_label"]) == ("delivered", "已出件")
        assert all(done for _, _, done in step_names(case))
        assert (case["due_at"], case["overdue"], case["actions"]) == (None, False, [])
        check_event(here_ws, "cross_region.delivered", case, "deliver")
        no_more_events(here_ws)
        no_more_events(there_ws)

    log = ok(there.get(case_url))["log"]
    assert [(e["step"], e["hall"]) for e in log] == [
        ("receive", RECEIVING),
        ("forward", RECEIVING),
        ("return", OWNER),
        ("resubmit", RECEIVING),
        ("accept", OWNER),
        ("decide", OWNER),
        ("deliver", RECEIVING),
    ]
    actors = {e["step"]: e["actor"]["name"] for e in log}
    assert actors["return"] == actors["decide"] == f"{OWNER}-clerk1"
    assert actors["deliver"] == f"{RECEIVING}-clerk1"
    assert log[2]["note"] == "照片不清"
    assert log[1]["channel"] == "electronic"

    stranger = clerk(city, STRANGER)
    refused(stranger.get(case_url), 403, "wrong_hall")
    assert ok(stranger.get(CASES)) == []
    assert [c["code"] for c in ok(here.get(CASES, params={"hall_role": "receiving"}))] == [
        case["code"]
    ]
    assert ok(here.get(CASES, params={"hall_role": "owning"})) == []
    assert [c["id"] for c in ok(there.get(CASES, params={"hall_role": "owning"}))] == [case["id"]]
    assert [c["id"] for c in ok(there.get(CASES, params={"code": case["code"]}))] == [case["id"]]
    assert ok(there.get(CASES, params={"status": "received"})) == []


def test_mail_delivery_keeps_the_address_on_the_case_only(city: CityServer) -> None:
    """Paper originals mailed on, the result mailed by the owning hall: a tracking number
    each time; the mailing address is in staff answers and in no event of any hall."""
    ticket = ticket_at_window(city, RECEIVING)
    here = clerk(city, RECEIVING)
    address = "鄂尔多斯市康巴什区某街道某小区1号楼101"
    with subscribe(city, RECEIVING) as here_ws, subscribe(city, OWNER) as there_ws:
        body = opening(ticket["id"], matter=ORIGINALS_MATTER, delivery="mail", mail_address=address)
        case = ok(here.post(CASES, json=body), 201)
        assert (case["delivering_hall"], case["pickup_hall"]) == (OWNER, None)
        assert case["mail_address"] == address
        assert case["originals_by_mail"] is True
        url = f"{CASES}/{case['id']}"
        refused(here.post(f"{url}/forward", json={"channel": "electronic"}), 422)
        refused(here.post(f"{url}/forward", json={"channel": "mail"}), 422)
        case = ok(here.post(f"{url}/forward", json={"channel": "mail", "tracking_no": "SF1234"}))
        assert case["log"][-1]["tracking_no"] == "SF1234"
        # A city-wide manager takes the owning hall's steps by naming it.
        owner = city.client(city.token(None, "manager"), hall=OWNER)
        ok(owner.post(f"{url}/accept", json={}))
        refused(owner.post(f"{url}/decide", json={"result": "rejected"}), 422)
        refused(owner.post(f"{url}/decide", json={"result": "rejected", "reason": " "}), 422)
        case = ok(owner.post(f"{url}/decide", json={"result": "rejected", "reason": "不符合条件"}))
        assert (case["result"], case["reason"]) == ("rejected", "不符合条件")
        assert case["actions"] == ["deliver"]
        refused(owner.post(f"{url}/deliver", json={"channel": "pickup"}), 422)
        refused(owner.post(f"{url}/deliver", json={"channel": "mail"}), 422)
        case = ok(owner.post(f"{url}/deliver", json={"channel": "mail", "tracking_no": "EMS9"}))
        assert (case["status"], case["status_label"]) == ("delivered", "已送达")
        texts = [json.dumps(next_event(here_ws), ensure_ascii=False) for _ in range(2)]
        texts += [json.dumps(next_event(there_ws), ensure_ascii=False) for _ in range(3)]
        assert [json.loads(t)["type"].split(".")[1] for t in texts] == [
            "received",
            "forwarded",
            "accepted",
            "decided",
            "delivered",
        ]
        assert not any(address in text or "不符合条件" in text for text in texts)
        no_more_events(here_ws)
        no_more_events(there_ws)


def test_bad_openings_change_nothing(city: CityServer) -> None:
    ticket = ticket_at_window(city, RECEIVING)
    here = clerk(city, RECEIVING)
    bad: list[tuple[dict[str, object], int, str]] = [
        (opening(ticket["id"], matter="no_such_matter"), 422, "no_such_matter"),
        (opening(ticket["id"], owner_hall="nowhere"), 422, "nowhere"),
        (opening(ticket["id"], owner_hall=RECEIVING), 422, "本大厅"),
        (opening(ticket["id"], matter=LOCAL_MATTER), 422, "不支持市域通办"),
        (opening(ticket["id"], matter=ORIGINALS_MATTER, mode="remote_handle"), 422, "只支持"),
        (opening(ticket["id"], mail_address="某市某路1号"), 422, "不需要邮寄地址"),
        (opening(ticket["id"], pickup_hall="nowhere"), 422, "nowhere"),
        (opening(ticket["id"], delivery="mail"), 422, "邮寄地址"),
        (opening(ticket["id"], mode="somewhere"), 422, "mode"),
        (opening(ticket["id"], delivery="drone"), 422, "delivery"),
        (opening(999_999), 404, "999999"),
    ]
    before = city.seq()
    for body, status, said in bad:
        assert said in refused(here.post(CASES, json=body), status), body
    assert ok(here.get(CASES)) == []
    assert city.seq() == before

    # Not the ticket at the caller's window: another clerk of the hall, or another hall.
    refused(clerk(city, RECEIVING, 2).post(CASES, json=opening(ticket["id"])), 403, "forbidden")
    elsewhere = opening(ticket["id"], owner_hall=STRANGER)
    refused(clerk(city, OWNER).post(CASES, json=elsewhere), 404)
    assert city.seq() == before

    ok(here.post(CASES, json=opening(ticket["id"])), 201)
    seq = city.seq()
    refused(here.post(CASES, json=opening(ticket["id"], matter=MATTER_NAME)), 409, "conflict")
    assert city.seq() == seq
    # Another matter for the same ticket is another case; a manager may use any ticket.
    other = ok(
        manager(city, RECEIVING).post(CASES, json=opening(ticket["id"], matter="retirement")), 201
    )
    assert other["code"].endswith("002")
    assert len(ok(here.get(CASES))) == 2


def test_steps_out_of_order_change_nothing(city: CityServer) -> None:
    ticket = ticket_at_window(city, RECEIVING)
    here, there = clerk(city, RECEIVING), clerk(city, OWNER)
    case = ok(here.post(CASES, json=opening(ticket["id"])), 201)
    url = f"{CASES}/{case['id']}"
    before, seq = ok(here.get(url)), city.seq()
    attempts: list[tuple[httpx.Client, str, dict[str, object]]] = [
        (there, "accept", {}),
        (there, "return", {"materials": ["身份证"]}),
        (there, "decide", {"result": "approved"}),
        (here, "resubmit", {}),
        (here, "deliver", {"channel": "pickup"}),
    ]
    for client, step, body in attempts:
        detail = refused(client.post(f"{url}/{step}", json=body), 409, "illegal_transition")
        assert "已收件" in detail, detail
    refused(there.post(f"{url}/return", json={"materials": []}), 422)
    refused(here.post(f"{url}/forward", json={"channel": "fax"}), 422)
    refused(here.post(f"{url}/forward", json={"channel": "mail"}), 422)
    refused(here.post(f"{CASES}/999999/forward", json={"channel": "electronic"}), 404)
    assert ok(here.get(url)) == before
    assert city.seq() == seq
    ok(here.post(f"{url}/forward", json={"channel": "electronic"}))
    refused(here.post(f"{url}/forward", json={"channel": "electronic"}), 409)
