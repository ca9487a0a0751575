"""ETAs over HTTP: tickets and the hall snapshot carry the estimate and its P10–P90 range,
and a waiting ticket's own estimate (for its status page) shrinks as it moves up."""

from typing import Any

from sqlmodel import col, select

from queue_server.config import load_hall_config
from queue_server.db import Database
from queue_server.models import Ticket
from queue_server.services.views import window_states
from queue_server.services.waits import ticket_wait
from tests.support import LiveServer


def _check_range(item: dict[str, Any]) -> None:
    assert item["eta_low_minutes"] <= item["eta_minutes"] <= item["eta_high_minutes"], item


def test_tickets_and_snapshot_carry_estimate_and_range(server: LiveServer) -> None:
    kiosk = server.client(server.accounts.kiosk_token)
    first = kiosk.post("/api/tickets", json={"category": "general"}).json()
    assert first["eta_minutes"] is None and first["eta_low_minutes"] is None
    for index, window in enumerate((2, 3)):
        clerk = server.client(server.login(server.accounts.clerks[index]))
        assert clerk.post(f"/api/windows/{window}/sign-in").status_code == 200
    tickets = [kiosk.post("/api/tickets", json={"category": "general"}).json() for _ in range(6)]
    for ticket in tickets:
        _check_range(ticket)
    etas = [t["eta_minutes"] for t in tickets]
    assert etas == sorted(etas) and etas[-1] > etas[0]
    assert etas[-1] <= 6 * 10 // 2 + 10  # two windows share the queue
    board = server.client(server.accounts.board_token)
    general = next(c for c in board.get("/api/hall").json()["categories"] if c["code"] == "general")
    _check_range(general)
    assert general["eta_minutes"] >= etas[-1]
    pickup = next(c for c in board.get("/api/hall").json()["categories"] if c["code"] == "pickup")
    assert pickup["eta_minutes"] is None and pickup["eta_high_minutes"] is None


def test_a_waiting_tickets_own_estimate_counts_only_those_ahead(server: LiveServer) -> None:
    kiosk = server.client(server.accounts.kiosk_token)
    clerk = server.client(server.login(server.accounts.clerks[0]))
    assert clerk.post("/api/windows/12/sign-in").status_code == 200
    for _ in range(4):
        assert kiosk.post("/api/tickets", json={"category": "pickup"}).status_code == 201
    hall = load_hall_config()
    db = Database(server.database_url)
    try:
        with db.read_session() as session:
            waiting = session.exec(
                select(Ticket).where(Ticket.category == "pickup").order_by(col(Ticket.id))
            ).all()
            states = window_states(session, hall)
            now = waiting[-1].issued_at
            waits = [
                ticket_wait(session, hall, ticket=ticket, states=states, now=now)
                for ticket in waiting
            ]
    finally:
        db.dispose()
    seconds = [w.seconds for w in waits if w is not None]
    assert len(seconds) == 4
    assert seconds[0] == 0.0
    assert seconds == sorted(seconds)
    assert seconds[3] == 3 * 3 * 60.0  # three ahead, 3 configured minutes each
