"""ETAs over HTTP: tickets and the hall snapshot carry the estimate and its P10–P90 range,
and a waiting ticket's own estimate (for its status page) shrinks as it moves up."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from queue_server.config import load_hall_config
from queue_server.db import Database
from queue_server.models import Ticket
from queue_server.services.views import window_states
from queue_server.services.waits import ticket_wait
from tests.booking_support import monday_clock
from tests.support import LiveServer, live_server


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
    _check_range(pickup)  # no 出件 window is open, but the 综合受理 ones help (also_serves)


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


def test_the_matters_waiting_decide_the_eta(tmp_path: Path) -> None:
    """Where 新生儿出生 has taken forty minutes a time today and other 综合受理 five, the
    ticket after a waiting 新生儿出生 hears a far longer wait than the one after a waiting
    ticket without a matter (which counts at the category's typical time)."""
    clock = monday_clock()
    with live_server(tmp_path, clock=clock, clerks=1) as server:
        kiosk = server.client(server.accounts.kiosk_token)
        clerk = server.client(server.login(server.accounts.clerks[0]))
        assert clerk.post("/api/windows/2/sign-in").status_code == 200

        def serve(minutes: int, **request: str) -> None:
            issued = kiosk.post("/api/tickets", json={"category": "general", **request})
            assert issued.status_code == 201, issued.text
            called = clerk.post("/api/windows/2/call-next")
            assert called.status_code == 200, called.text
            ticket = called.json()["id"]
            assert clerk.post(f"/api/tickets/{ticket}/start").status_code == 200
            clock.advance(timedelta(minutes=minutes))
            assert clerk.post(f"/api/tickets/{ticket}/finish").status_code == 200

        for _ in range(4):
            serve(40, matter="newborn")
        for _ in range(6):
            serve(5)

        def eta_behind(**request: str) -> int:
            ahead = kiosk.post("/api/tickets", json={"category": "general", **request})
            assert ahead.status_code == 201, ahead.text
            behind = kiosk.post("/api/tickets", json={"category": "general"}).json()
            for _ in range(2):  # served at once: a zero time teaches nothing
                ticket = clerk.post("/api/windows/2/call-next").json()["id"]
                assert clerk.post(f"/api/tickets/{ticket}/start").status_code == 200
                assert clerk.post(f"/api/tickets/{ticket}/finish").status_code == 200
            minutes: int = behind["eta_minutes"]
            return minutes

        after_newborn = eta_behind(matter="newborn")
        after_plain = eta_behind()
    assert after_plain <= 10
    assert after_newborn >= 15
    assert after_newborn >= 2 * after_plain
