"""Call → board latency: from sending POST call-next to each board receiving `ticket.called`."""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect

from benchmarks.checks import Check
from benchmarks.hall import clerk_at_window, expect, issue_tickets, serve_through
from benchmarks.server import RunningServer
from benchmarks.stats import Latency

WINDOW_NO = 2
CATEGORY = "general"
WARMUP_CALLS = 10
DELIVERY_TIMEOUT_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 10.0
CALLED = "ticket.called"


@dataclass(eq=False)
class Board:
    """One subscriber: when each ticket's call arrived, and anything out of order."""

    arrivals: dict[int, "asyncio.Future[float]"] = field(default_factory=dict)
    last_seq: int = 0
    out_of_order: int = 0
    duplicates: int = 0
    resyncs: int = 0

    def arrival(self, ticket_id: int) -> "asyncio.Future[float]":
        future = self.arrivals.get(ticket_id)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self.arrivals[ticket_id] = future
        return future

    def receive(self, raw: str, received_at: float) -> None:
        message = json.loads(raw)
        kind = message.get("type")
        if kind == "snapshot":
            self.resyncs += 1
            return
        if kind == "heartbeat":
            return
        seq = int(message["seq"])
        if seq <= self.last_seq:
            self.out_of_order += 1
        self.last_seq = max(seq, self.last_seq)
        if kind == CALLED:
            future = self.arrival(int(message["ticket"]["id"]))
            if future.done():
                self.duplicates += 1
            else:
                future.set_result(received_at)


async def _listen(connection: ClientConnection, board: Board) -> None:
    async for raw in connection:
        # The clock is read before parsing, so that only the wire and the server count.
        received_at = time.perf_counter()
        board.receive(raw if isinstance(raw, str) else raw.decode(), received_at)


@contextlib.asynccontextmanager
async def connected_boards(server: RunningServer, count: int) -> AsyncIterator[list[Board]]:
    """`count` boards on /ws, each past its snapshot before this yields."""
    url = f"{server.ws_url}/ws?token={server.accounts.board_token}"
    async with contextlib.AsyncExitStack() as stack:
        boards: list[Board] = []
        listeners: list[asyncio.Task[None]] = []
        for _ in range(count):
            connection = await stack.enter_async_context(
                connect(url, open_timeout=CONNECT_TIMEOUT_SECONDS, proxy=None)
            )
            first = json.loads(await asyncio.wait_for(connection.recv(), CONNECT_TIMEOUT_SECONDS))
            if first.get("type") != "snapshot":
                raise RuntimeError(f"a board's first message was {first.get('type')!r}")
            board = Board(last_seq=int(first["seq"]))
            boards.append(board)
            listeners.append(asyncio.create_task(_listen(connection, board)))
        try:
            yield boards
        finally:
            for listener in listeners:
                listener.cancel()
            for listener in listeners:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await listener


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    subscribers: int
    calls: int
    delivery: Latency
    """Every (call, board) pair."""
    last_board: Latency
    """Per call, the board that heard last: when the whole hall shows the number."""
    after_answer: Latency
    """Per call, how long after the HTTP answer the last board heard it (the fan-out's own
    share; negative when the event overtook the answer)."""
    call_request: Latency
    """The call-next HTTP round trip itself."""
    checks: list[Check]

    def as_dict(self) -> dict[str, object]:
        return {
            "subscribers": self.subscribers,
            "calls": self.calls,
            "delivery_ms": self.delivery.as_dict(),
            "last_board_ms": self.last_board.as_dict(),
            "after_answer_ms": self.after_answer.as_dict(),
            "call_request_ms": self.call_request.as_dict(),
            "checks": [check.as_dict() for check in self.checks],
        }


async def run(
    server: RunningServer, *, subscribers: int, calls: int, time_limit: float
) -> DeliveryResult:
    """Call `calls` tickets one after another at one window while `subscribers` boards listen.

    Each called ticket is then started and finished (untimed) so the window can call again.
    """
    await issue_tickets(server, [CATEGORY] * (WARMUP_CALLS + calls))
    clerk = await clerk_at_window(server, server.accounts.clerks[0], WINDOW_NO)
    deliveries: list[float] = []
    last_board: list[float] = []
    after_answer: list[float] = []
    requests: list[float] = []
    deadline = time.monotonic() + time_limit
    try:
        async with connected_boards(server, subscribers) as boards:
            for index in range(WARMUP_CALLS + calls):
                if time.monotonic() > deadline:
                    break
                sent_at = time.perf_counter()
                response = expect(await clerk.post(f"/api/windows/{WINDOW_NO}/call-next"), 200)
                answered_at = time.perf_counter()
                ticket_id: int = response.json()["id"]
                arrived = await asyncio.wait_for(
                    asyncio.gather(*(board.arrival(ticket_id) for board in boards)),
                    DELIVERY_TIMEOUT_SECONDS,
                )
                if index >= WARMUP_CALLS:
                    requests.append(answered_at - sent_at)
                    deliveries.extend(at - sent_at for at in arrived)
                    last_board.append(max(arrived) - sent_at)
                    after_answer.append(max(arrived) - answered_at)
                await serve_through(clerk, ticket_id)
            server.check_alive()
            disorder = sum(board.out_of_order + board.duplicates for board in boards)
            resyncs = sum(board.resyncs for board in boards)
    finally:
        await clerk.aclose()
    if not requests:
        raise RuntimeError("no call was measured within the time limit")
    checks = [
        Check(
            f"{subscribers} board(s): each call heard once, events in seq order, no resync",
            disorder == 0 and resyncs == 0,
            f"{disorder} duplicate or out-of-order events, {resyncs} snapshots after the first",
        )
    ]
    return DeliveryResult(
        subscribers=subscribers,
        calls=len(requests),
        delivery=Latency.of_seconds(deliveries),
        last_board=Latency.of_seconds(last_board),
        after_answer=Latency.of_seconds(after_answer),
        call_request=Latency.of_seconds(requests),
        checks=checks,
    )
