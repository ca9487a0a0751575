"""Call-next latency with several windows calling at once, and no ticket called twice."""

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from benchmarks.checks import Check
from benchmarks.hall import (
    expect,
    issue_tickets,
    login_token,
    query_database,
    serve_through,
    signed_in,
)
from benchmarks.server import RunningServer, SeededDatabase, running_server
from benchmarks.stats import Latency
from benchmarks.suite import Context, Figure, Row
from queue_server.config import HallConfig

CALL_LIMIT_PER_WINDOW = 1000
SETUP_ALLOWANCE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Call:
    ticket_id: int
    category: str
    window_no: int
    seconds: float


@dataclass(frozen=True, slots=True)
class CallNextResult:
    windows: int
    seconds: float
    waiting_at_start: int
    calls: int
    calls_per_second: float
    latency: Latency
    checks: list[Check]

    def as_dict(self) -> dict[str, object]:
        return {
            "windows": self.windows,
            "seconds": round(self.seconds, 3),
            "waiting_at_start": self.waiting_at_start,
            "calls": self.calls,
            "calls_per_second": round(self.calls_per_second, 1),
            "latency_ms": self.latency.as_dict(),
            "checks": [check.as_dict() for check in self.checks],
        }


async def _window(client: httpx.AsyncClient, window_no: int, deadline: float) -> list[Call]:
    """Call, start and finish at one window until the deadline or an empty queue (204)."""
    calls: list[Call] = []
    for _ in range(CALL_LIMIT_PER_WINDOW):
        if time.monotonic() >= deadline:
            break
        sent_at = time.perf_counter()
        response = expect(await client.post(f"/api/windows/{window_no}/call-next"), 200, 204)
        seconds = time.perf_counter() - sent_at
        if response.status_code == 204:
            break
        ticket = response.json()
        calls.append(Call(ticket["id"], ticket["category"], window_no, seconds))
        await serve_through(client, ticket["id"])
    return calls


def _checks(
    server: RunningServer, hall: HallConfig, calls: list[Call], issued: set[int]
) -> list[Check]:
    repeated = [
        ticket for ticket, count in Counter(c.ticket_id for c in calls).items() if count > 1
    ]
    in_database = query_database(
        server.database_file,
        "SELECT ticket_id, COUNT(*) FROM event WHERE type = 'ticket.called' GROUP BY ticket_id",
    )
    called_twice = [ticket for ticket, count in in_database if count > 1]
    wrong_window = [
        call
        for call in calls
        if call.category not in hall.window_by_number[call.window_no].may_serve
    ]
    return [
        Check(
            "no ticket called twice (answers and event log)",
            not repeated and not called_twice and len(in_database) == len(calls),
            f"{len(calls)} calls answered, {len(in_database)} tickets with a call event, "
            f"repeated: {repeated[:5] + called_twice[:5]}",
        ),
        Check(
            "every call took a waiting ticket of the window's categories",
            not wrong_window and {call.ticket_id for call in calls} <= issued,
            f"{len(wrong_window)} calls outside the window's categories",
        ),
    ]


async def run(
    server: RunningServer, hall: HallConfig, *, windows: int, seconds: float, tickets: int
) -> CallNextResult:
    """Windows 1..`windows`, one clerk each, drain a queue of `tickets` for `seconds`."""
    window_numbers = [window.number for window in hall.windows][:windows]
    if len(window_numbers) < windows or len(server.accounts.clerks) < windows:
        raise ValueError(f"the hall has not got {windows} windows and clerks")
    served = sorted({code for n in window_numbers for code in hall.window_by_number[n].categories})
    categories = list(itertools.islice(itertools.cycle(served), tickets))
    issued = set(await issue_tickets(server, categories))
    # Logins first (argon2 is slow on purpose), then the clients: a client left idle past
    # the server's keep-alive timeout may have its next request cut off.
    tokens = [await login_token(server, clerk) for clerk in server.accounts.clerks[:windows]]
    clerks = [
        await signed_in(server, token, number)
        for token, number in zip(tokens, window_numbers, strict=True)
    ]
    try:
        started = time.monotonic()
        deadline = started + seconds
        per_window = await asyncio.gather(
            *(
                _window(client, number, deadline)
                for client, number in zip(clerks, window_numbers, strict=True)
            )
        )
        elapsed = time.monotonic() - started
    finally:
        for client in clerks:
            await client.aclose()
    server.check_alive()
    calls = [call for window_calls in per_window for call in window_calls]
    if not calls:
        raise RuntimeError("no ticket was called")
    return CallNextResult(
        windows=windows,
        seconds=elapsed,
        waiting_at_start=len(issued),
        calls=len(calls),
        calls_per_second=len(calls) / elapsed,
        latency=Latency.of_seconds([call.seconds for call in calls]),
        checks=_checks(server, hall, calls, issued),
    )


@dataclass(frozen=True, slots=True)
class ConcurrentCalls:
    runs: list[CallNextResult]

    @property
    def checks(self) -> list[Check]:
        return [
            Check(f"run {index}: {check.name}", check.passed, check.detail)
            for index, result in enumerate(self.runs, start=1)
            for check in result.checks
        ]

    def as_dict(self) -> dict[str, object]:
        return {"runs": [result.as_dict() for result in self.runs]}


def benchmark(
    context: Context, seed: Callable[[], SeededDatabase], hall: HallConfig
) -> ConcurrentCalls:
    options = context.options
    repeats = 1 if context.quick else int(options.get("repeats", 3))
    seconds = 1.0 if context.quick else float(options.get("concurrent_seconds", 5.0))
    tickets = 60 if context.quick else int(options.get("tickets", 300))
    windows = int(options.get("windows", 8))
    runs = []
    for index in range(repeats):
        context.progress(f"call-next: {windows} windows at once, {seconds} s, run {index + 1}")
        with running_server(seed()) as server:
            runs.append(
                asyncio.run(
                    asyncio.wait_for(
                        run(server, hall, windows=windows, seconds=seconds, tickets=tickets),
                        seconds + SETUP_ALLOWANCE_SECONDS,
                    )
                )
            )
    return ConcurrentCalls(runs=runs)


def rows(result: ConcurrentCalls) -> list[Row]:
    first = result.runs[0]
    return [
        Row(
            name=f"call-next, {first.windows} windows at once (each call + start + finish)",
            runs=len(result.runs),
            rate=Figure.of([r.calls_per_second for r in result.runs]),
            p50=Figure.of([r.latency.p50 for r in result.runs]),
            p99=Figure.of([r.latency.p99 for r in result.runs]),
        )
    ]
