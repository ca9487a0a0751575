"""An evaluator token rates the one window it was issued for (`token issue --window N`)."""

import httpx

from queue_server.domain.enums import Role
from tests.feedback_support import clerk_at, serve
from tests.support import LiveServer, issue_token


def evaluator_for(server: LiveServer, window: int) -> str:
    name = f"rate-window-{window}"
    return issue_token(server.database_url, name, Role.EVALUATOR, window_no=window)


def test_an_evaluator_token_rates_only_its_own_window(server: LiveServer) -> None:
    tablet = server.client(evaluator_for(server, 2))
    at_two = serve(server, clerk_at(server, 0, 2), 2)
    at_three = serve(server, clerk_at(server, 1, 3), 3)

    other = tablet.post("/api/windows/3/evaluation", json={"ticket_id": at_three["id"], "level": 1})
    assert other.status_code == 403
    assert other.json() == {
        "detail": "此评价器只能评价2号窗口的服务，不能评价3号窗口",
        "code": "forbidden",
    }
    assert tablet.get("/api/windows/3/evaluation").status_code == 403
    page = httpx.get(f"{server.base_url}/rate/window/3", params={"token": evaluator_for(server, 2)})
    assert page.status_code == 403

    own = tablet.post("/api/windows/2/evaluation", json={"ticket_id": at_two["id"], "level": 5})
    assert own.status_code == 201, own.text
    assert tablet.get("/api/windows/2/evaluation").status_code == 200
