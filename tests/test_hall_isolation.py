"""Two halls of one city at once: their own numbers, their own queues, their own live stream."""

import json
import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from queue_server.domain.enums import Role
from tests.hall_support import CityServer, city_server
from tests.support import issue_token

HOME, OTHER = "main", "kangbashi"
KIOSKS_PER_HALL = 3
pytestmark = pytest.mark.both_databases

TICKETS_PER_KIOSK = 12
CATEGORIES = ("consult", "general")
"""Prefixes A and B in both halls."""


@pytest.fixture
def city(database_url: str) -> Iterator[CityServer]:
    with city_server(database_url) as server:
        yield server


def issue(server: CityServer, hall: str, category: str = "general") -> dict[str, Any]:
    with server.client(server.token(hall, "kiosk")) as kiosk:
        response = kiosk.post("/api/tickets", json={"category": category})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def tickets_of(server: CityServer, hall: str) -> list[dict[str, Any]]:
    with server.client(server.token(None, "manager"), hall=hall) as manager:
        response = manager.get("/api/tickets")
    assert response.status_code == 200, response.text
    tickets: list[dict[str, Any]] = response.json()
    return tickets


def test_two_halls_issuing_at_once_number_their_own_tickets_without_gaps(
    city: CityServer,
) -> None:
    """Three kiosks in each of two halls issue at once. On SQLite this would pass even with a
    city-wide numbering bug hidden by the one write lock for the whole file; on PostgreSQL the
    halls' writes really run in parallel."""
    tokens = {
        hall: [
            issue_token(city.database_url, f"kiosk-{n}", Role.KIOSK, hall=hall)
            for n in range(2, KIOSKS_PER_HALL + 2)
        ]
        for hall in (HOME, OTHER)
    }
    issued: dict[str, list[dict[str, Any]]] = defaultdict(list)
    failures: list[str] = []
    start = threading.Barrier(2 * KIOSKS_PER_HALL)
    lock = threading.Lock()

    def kiosk(hall: str, token: str) -> None:
        with httpx.Client(
            base_url=city.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            start.wait()
            for n in range(TICKETS_PER_KIOSK):
                response = client.post("/api/tickets", json={"category": CATEGORIES[n % 2]})
                with lock:
                    if response.status_code == 201:
                        issued[hall].append(response.json())
                    else:
                        failures.append(f"{hall}: {response.status_code} {response.text}")

    threads = [
        threading.Thread(target=kiosk, args=(hall, token))
        for hall, hall_tokens in tokens.items()
        for token in hall_tokens
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    per_category = KIOSKS_PER_HALL * TICKETS_PER_KIOSK // 2
    for hall in (HOME, OTHER):
        stored = tickets_of(city, hall)
        assert sorted(t["id"] for t in stored) == sorted(t["id"] for t in issued[hall])
        for category, prefix in zip(CATEGORIES, "AB", strict=True):
            numbers = sorted(t["number"] for t in stored if t["category"] == category)
            assert numbers == [f"{prefix}{n:03d}" for n in range(1, per_category + 1)], hall
    home_ids = {t["id"] for t in issued[HOME]}
    assert home_ids.isdisjoint(t["id"] for t in issued[OTHER])


def test_a_clerk_calls_only_tickets_of_its_own_hall(city: CityServer) -> None:
    """Both halls have waiting tickets; each hall's clerk calls until its own queue is empty
    and never gets the other hall's ticket, not even by naming its number."""
    waiting = {hall: {issue(city, hall)["id"] for _ in range(4)} for hall in (HOME, OTHER)}
    called: dict[str, set[int]] = defaultdict(set)
    clerks = {hall: city.client(city.token(hall, "clerk")) for hall in (HOME, OTHER)}
    for hall in (OTHER, HOME):
        clerk = clerks[hall]
        assert clerk.post("/api/windows/2/sign-in").status_code == 200
        while (response := clerk.post("/api/windows/2/call-next")).status_code == 200:
            ticket = response.json()
            assert ticket["id"] not in called[hall]
            called[hall].add(ticket["id"])
            assert clerk.post(f"/api/tickets/{ticket['id']}/no-show").status_code == 200
        assert response.status_code == 204, response.text  # nobody waiting
        if hall == OTHER:
            home_waiting = {t["id"] for t in tickets_of(city, HOME) if t["status"] == "waiting"}
            assert home_waiting == waiting[HOME]
    assert called == waiting
    only_home = issue(city, HOME)
    response = clerks[OTHER].post("/api/windows/2/call", json={"number": only_home["number"]})
    assert response.status_code == 404, response.text
    home = {t["id"]: t for t in tickets_of(city, HOME)}
    assert home[only_home["id"]]["status"] == "waiting"


def receive(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return message


def subscribe(
    server: CityServer, token: str, *, hall: str | None = None, since: int | None = None
) -> ClientConnection:
    query = f"token={token}"
    query += f"&hall={hall}" if hall is not None else ""
    query += f"&since={since}" if since is not None else ""
    return connect(f"{server.ws_url}/ws?{query}", open_timeout=5)


def events_until(ws: ClientConnection, ticket_id: int) -> list[dict[str, Any]]:
    """Every event up to the issue of `ticket_id`, then whatever else arrives within a
    second (a late event of another hall must not slip in after the marker)."""
    events: list[dict[str, Any]] = []
    while not events or (events[-1].get("ticket") or {}).get("id") != ticket_id:
        message = receive(ws)
        if message["type"] != "heartbeat":
            events.append(message)
    while True:
        try:
            message = receive(ws, timeout=1)
        except TimeoutError:
            return events
        if message["type"] != "heartbeat":
            events.append(message)


def traffic(server: CityServer) -> tuple[set[int], set[int]]:
    """Both halls at once, each in its own thread: a clerk signs in, then three times a kiosk
    issues and the clerk calls and marks a no-show. Returns the tickets of each hall."""
    tickets: dict[str, set[int]] = {HOME: set(), OTHER: set()}
    failures: list[str] = []
    start = threading.Barrier(2)

    def hall_traffic(hall: str) -> None:
        with server.client(server.token(hall, "clerk")) as clerk:
            start.wait()
            if clerk.post("/api/windows/2/sign-in").status_code != 200:
                failures.append(f"{hall}: sign-in refused")
            for _ in range(3):
                tickets[hall].add(issue(server, hall)["id"])
                called = clerk.post("/api/windows/2/call-next")
                if called.status_code != 200:
                    failures.append(f"{hall}: {called.status_code} {called.text}")
                    return
                tickets[hall].add(called.json()["id"])
                clerk.post(f"/api/tickets/{called.json()['id']}/no-show").raise_for_status()

    threads = [threading.Thread(target=hall_traffic, args=(hall,)) for hall in tickets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    return tickets[HOME], tickets[OTHER]


def test_a_halls_live_stream_carries_its_own_events_once_in_order(city: CityServer) -> None:
    """A hall-bound board and a city-wide manager naming the hall see that hall's events only,
    each once, in `seq` order; the other hall's stream has the rest. Both halls write at once:
    on SQLite their writes are serialised anyway (one writer for the file), so the order part
    proves more on PostgreSQL, where the halls' writes run in parallel."""
    board = subscribe(city, city.token(HOME, "board"))
    manager = subscribe(city, city.token(None, "manager"), hall=HOME)
    other_board = subscribe(city, city.token(OTHER, "board"))
    with board, manager, other_board:
        snapshots = [receive(ws) for ws in (board, manager, other_board)]
        assert [s["type"] for s in snapshots] == ["snapshot"] * 3
        assert snapshots[0]["hall"]["name"] == snapshots[1]["hall"]["name"]
        assert snapshots[2]["hall"]["name"] != snapshots[0]["hall"]["name"]
        home, other = traffic(city)
        marker = issue(city, HOME)
        home.add(marker["id"])
        seen = {
            "board": events_until(board, marker["id"]),
            "manager": events_until(manager, marker["id"]),
        }
        other_marker = issue(city, OTHER)
        other.add(other_marker["id"])
        seen_other = events_until(other_board, other_marker["id"])
    other_seqs = {event["seq"] for event in seen_other}
    assert {e["ticket"]["id"] for e in seen_other if e.get("ticket")} <= other
    for who, events in seen.items():
        seqs = [event["seq"] for event in events]
        assert seqs == sorted(set(seqs)), who
        assert seqs[0] > snapshots[0]["seq"], who
        assert other_seqs.isdisjoint(seqs), who
        assert {e["ticket"]["id"] for e in events if e.get("ticket")} == home, who
        # Two sign-ins are not ticket events: the home hall's one is here, kangbashi's not.
        assert [e["type"] for e in events].count("window.signed_in") == 1, who
    assert [e["seq"] for e in seen["board"]] == [e["seq"] for e in seen["manager"]]


def test_resuming_with_since_stays_in_the_hall(city: CityServer) -> None:
    """A board of the home hall that missed events while away gets the home hall's missed
    events on resume, and none of the other hall's, even when `since` is an other-hall seq."""
    with subscribe(city, city.token(HOME, "board")) as board:
        start = receive(board)["seq"]
    home, other = traffic(city)
    between = issue(city, OTHER)["id"]
    home.add(last := issue(city, HOME)["id"])
    other.add(between)
    with subscribe(city, city.token(OTHER, "board"), since=start) as other_board:
        other_events = events_until(other_board, between)
    with subscribe(city, city.token(HOME, "board"), since=start) as board:
        missed = events_until(board, last)
    seqs = [event["seq"] for event in missed]
    assert seqs == sorted(set(seqs)) and seqs[0] > start
    assert {e["ticket"]["id"] for e in missed if e.get("ticket")} == home
    other_seqs = [event["seq"] for event in other_events]
    assert {e["ticket"]["id"] for e in other_events if e.get("ticket")} == other
    assert set(other_seqs).isdisjoint(seqs)
    # Resuming from a seq the other hall wrote: the home events after it, and nothing else.
    middle = other_seqs[-1]
    assert middle < seqs[-1]
    with subscribe(city, city.token(HOME, "board"), since=middle) as board:
        later = events_until(board, last)
    assert [e["seq"] for e in later] == [s for s in seqs if s > middle] == [seqs[-1]]


@pytest.mark.parametrize(
    ("caller", "hall", "close_code"),
    [
        ((HOME, "board"), OTHER, 4403),
        ((HOME, "clerk"), OTHER, 4403),
        ((None, "manager"), "nowhere", 4404),
        ((HOME, "board"), "nowhere", 4404),
        ((None, "manager"), None, 4422),
        ((None, "admin"), None, 4422),
    ],
)
def test_a_refused_hall_closes_the_stream_with_the_reason_first(
    city: CityServer, caller: tuple[str | None, str], hall: str | None, close_code: int
) -> None:
    with subscribe(city, city.token(*caller), hall=hall) as ws:
        first = receive(ws)
        assert first["type"] == "error"
        assert isinstance(first["detail"], str) and first["detail"]
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == close_code


def status_until(ws: ClientConnection, status: str) -> dict[str, Any]:
    while True:
        message = receive(ws)
        if message["type"] == "ticket_status" and message["ticket"]["status"] == status:
            view: dict[str, Any] = message["ticket"]
            return view


def test_the_status_page_of_a_ticket_follows_its_own_hall(city: CityServer) -> None:
    """An applicant of the second hall follows the ticket live by its public code alone: the
    page moves when that hall calls it, and calls in the first hall do not move it."""
    home = issue(city, HOME)
    other = issue(city, OTHER)
    clerks = {hall: city.client(city.token(hall, "clerk")) for hall in (HOME, OTHER)}
    with connect(f"{city.ws_url}/ws/t/{other['public_code']}", open_timeout=5) as ws:
        first = status_until(ws, "waiting")
        assert first["number"] == other["number"]
        assert clerks[HOME].post("/api/windows/2/sign-in").status_code == 200
        assert clerks[HOME].post("/api/windows/2/call-next").json()["id"] == home["id"]
        assert clerks[OTHER].post("/api/windows/3/sign-in").status_code == 200
        assert clerks[OTHER].post("/api/windows/3/call-next").json()["id"] == other["id"]
        called = status_until(ws, "called")
    assert (called["number"], called["window_no"]) == (other["number"], 3)
