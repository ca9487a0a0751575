"""An overdue step of a 市域通办 case raises `alert.cross_region_overdue` once on the stream of
every hall involved, with a manual clock across National Day 2025 (10-01…10-08 off) and its
make-up workday (Saturday 10-11), against a real server of the example city."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from websockets.sync.client import ClientConnection

from queue_server.domain.clock import ManualClock
from tests.hall_support import city_server
from tests.test_cross_region_api import (
    CASES,
    OWNER,
    RECEIVING,
    STRANGER,
    clerk,
    next_event,
    no_more_events,
    ok,
    opening,
    subscribe,
    ticket_at_window,
)

pytestmark = pytest.mark.both_databases

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=SHANGHAI)


def overdue_alert(ws: ClientConnection) -> dict[str, Any]:
    event = next_event(ws)
    assert event["type"] == "alert.cross_region_overdue", event
    alert: dict[str, Any] = event["alert"]
    return alert


def test_every_hall_involved_hears_of_an_overdue_step_once(database_url: str) -> None:
    clock = ManualClock(at(9, 30, 10))
    with city_server(database_url, clock=clock, alert_check_seconds=0.05) as city:
        ticket = ticket_at_window(city, RECEIVING)
        case = ok(clerk(city, RECEIVING).post(CASES, json=opening(ticket["id"])), 201)
        forward_due = case["steps"][-1]["due_at"]
        assert datetime.fromisoformat(forward_due) == at(10, 9, 23, 59).replace(
            second=59, microsecond=999999
        )
        with (
            subscribe(city, RECEIVING) as receiving,
            subscribe(city, OWNER) as owner,
            subscribe(city, STRANGER) as stranger,
        ):
            clock.set(at(10, 9, 23, 0))
            no_more_events(receiving)
            clock.set(at(10, 10, 0, 30))
            for ws in (receiving, owner):
                alert = overdue_alert(ws)
                assert (alert["cross_region_code"], alert["step"]) == (case["code"], "forward")
                assert alert["message"].startswith(
                    f"市域通办案件{case['code']}（社会保障卡居民服务）"
                )
                assert "10月9日前" in alert["message"]
                assert alert["value"] == pytest.approx(0.5, abs=0.01)
            for ws in (receiving, owner, stranger):
                no_more_events(ws)

            # Forwarded late on Friday 10-10, accepted at once: five working days to decide
            # count the make-up Saturday 10-11 and end on Thursday 10-16.
            ok(
                clerk(city, RECEIVING).post(
                    f"{CASES}/{case['id']}/forward", json={"channel": "electronic"}
                )
            )
            accepted = ok(clerk(city, OWNER).post(f"{CASES}/{case['id']}/accept", json={}))
            assert (
                datetime.fromisoformat(accepted["due_at"]).astimezone(SHANGHAI).date().isoformat()
                == "2025-10-16"
            )
            assert next_event(receiving)["type"] == "cross_region.forwarded"
            assert next_event(owner)["type"] == "cross_region.accepted"
            clock.set(at(10, 16, 23, 0))
            no_more_events(owner)
            clock.set(at(10, 17, 9, 0))
            # The owning hall has no 跨域通办 category of its own.
            for ws, category in ((receiving, "跨域通办"), (owner, "市域通办")):
                alert = overdue_alert(ws)
                assert (alert["cross_region_code"], alert["step"]) == (case["code"], "decide")
                assert alert["category_name"] == category
            for ws in (receiving, owner, stranger):
                no_more_events(ws)
