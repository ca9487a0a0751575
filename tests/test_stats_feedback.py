"""Statistics read what evaluations and cases record: ratings given through the applicant's
API and a 办不成事 case opened by a transfer show up in `GET /api/stats` for their day."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.domain.clock import ManualClock
from queue_server.protocol import StatsReport
from tests.feedback_support import clerk_at, issue, local_clock, serve
from tests.support import LiveServer, live_server


@pytest.fixture
def clock() -> ManualClock:
    return local_clock(2026, 9, 24)


@pytest.fixture
def hall(tmp_path: Path, clock: ManualClock) -> Iterator[LiveServer]:
    with live_server(tmp_path, clock=clock) as running:
        yield running


def test_ratings_and_cases_reach_the_statistics(hall: LiveServer) -> None:
    clerk = clerk_at(hall, 0, 2)
    happy = serve(hall, clerk, 2)
    unhappy = serve(hall, clerk, 2)
    with hall.client() as applicant:
        assert (
            applicant.post(
                f"/api/public/tickets/{happy['public_code']}/evaluation", json={"level": 5}
            ).status_code
            == 201
        )
        bad = applicant.post(
            f"/api/public/tickets/{unhappy['public_code']}/evaluation",
            json={"level": 1, "reasons": ["服务态度不好"]},
        )
        assert bad.status_code == 201, bad.text

    stuck = issue(hall)
    assert clerk.post("/api/windows/2/call-next").json()["id"] == stuck["id"]
    moved = clerk.post(
        f"/api/tickets/{stuck['id']}/transfer",
        json={"to_category": "unresolved", "reason": "材料不全且无法补正"},
    )
    assert moved.status_code == 200, moved.text

    manager = hall.client(hall.login("manager"))
    response = manager.get(
        "/api/stats", params={"from": "2026-09-24", "to": "2026-09-24", "group_by": "window"}
    )
    assert response.status_code == 200, response.text
    report = StatsReport.model_validate_json(response.content)
    total = report.total
    assert (total.evaluations, total.very_satisfied, total.very_dissatisfied) == (2, 1, 1)
    assert total.defaulted == 0
    [window_2] = [row for row in report.rows if row.key == "2"]
    assert window_2.evaluations == 2
    opened = {(figure.kind, figure.opened) for figure in report.cases if figure.opened}
    assert opened == {("unresolved", 1), ("followup", 1)}
