"""Statistics count 好差评 evaluations under the evaluated ticket's service day, also when the
rating comes after that day was rolled up (the manager console's satisfaction figures)."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain.clock import ManualClock
from tests.support import LiveServer, live_server
from tests.test_statistics_api import rollup_days, wait_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 2)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def hall(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=clock, alert_check_seconds=0.05) as running:
        yield running


def test_a_rating_given_the_next_day_counts_for_the_day_of_service(
    hall: LiveServer, clock: ManualClock
) -> None:
    kiosk = hall.client(hall.accounts.kiosk_token)
    clerk = hall.client(hall.login("clerk1"))
    ticket = kiosk.post("/api/tickets", json={"category": "general"}).json()
    assert clerk.post("/api/windows/2/sign-in").status_code == 200
    assert clerk.post("/api/windows/2/call-next").json()["id"] == ticket["id"]
    assert clerk.post(f"/api/tickets/{ticket['id']}/start").status_code == 200
    clock.advance(timedelta(minutes=5))
    assert clerk.post(f"/api/tickets/{ticket['id']}/finish").status_code == 200
    clock.set(datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI))
    wait_for(lambda: DAY in rollup_days(hall))
    manager = hall.client(hall.login("manager"))

    rated = hall.client().post(
        f"/api/public/tickets/{ticket['public_code']}/evaluation", json={"level": 5}
    )
    assert rated.status_code == 201, rated.text

    def total() -> dict[str, object]:
        response = manager.get("/api/stats", params={"from": str(DAY), "to": str(DAY)})
        assert response.status_code == 200, response.text
        figures: dict[str, object] = response.json()["total"]
        return figures

    figures = total()
    assert (figures["evaluations"], figures["very_satisfied"]) == (1, 1)
    assert figures["satisfaction_rate"] == 1.0
    wait_for(lambda: DAY in rollup_days(hall))
    assert total()["evaluations"] == 1
