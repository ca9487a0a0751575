"""Call → board latency: from sending POST call-next to each board receiving `ticket.called`.

The boards live in a process of their own (`benchmarks/boards.py`), so the clerk's client and
the boards do not share an event loop; both stamp with CLOCK_MONOTONIC, which is one clock for
the whole machine.
"""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks import boards as board_process
from benchmarks.checks import Check
from benchmarks.child import child_process, read_line
from benchmarks.hall import expect, issue_tickets, login_token, serve_through, signed_in
from benchmarks.server import RunningServer, SeededDatabase, running_server
from benchmarks.stats import Latency
from benchmarks.suite import Context, Figure, Row

WINDOW_NO = 2
CATEGORY = "general"
WARMUP_CALLS = 5
READY_TIMEOUT_SECONDS = 120.0
RESULT_GRACE_SECONDS = 30.0
FULL_BOARDS = (10, 100, 1000)
QUICK_BOARDS = (10,)
TARGET_P99_MS = {10: 5.0, 100: 15.0, 1000: 60.0}


def call_gap_seconds(boards: int) -> float:
    """The pause between one call's last untimed step and the next call, so that each call
    meets an idle server, as calls in a hall do (seconds apart)."""
    return max(0.02, boards * 0.0002)


@dataclass(frozen=True, slots=True)
class DeliveryRun:
    boards: int
    calls: int
    delivery: Latency
    """Every (call, board) pair."""
    last_board: Latency
    """Per call, the board that heard last: when the whole hall shows the number."""
    call_request: Latency
    """The clerk's call-next HTTP round trip."""
    checks: list[Check]

    def as_dict(self) -> dict[str, object]:
        return {
            "boards": self.boards,
            "calls": self.calls,
            "delivery_ms": self.delivery.as_dict(),
            "last_board_ms": self.last_board.as_dict(),
            "call_request_ms": self.call_request.as_dict(),
            "checks": [check.as_dict() for check in self.checks],
        }


@dataclass(frozen=True, slots=True)
class ListeningBoards:
    """The board process (`benchmarks/boards.py`), its boards connected and listening."""

    process: asyncio.subprocess.Process
    stdout: asyncio.StreamReader
    time_limit: float

    async def result(self) -> dict[str, Any]:
        """Its report, once every board has heard every call (or its time is up)."""
        line = await read_line(
            self.stdout, board_process.RESULT_PREFIX, self.time_limit + RESULT_GRACE_SECONDS
        )
        path = Path(line.removeprefix(board_process.RESULT_PREFIX))
        report = await asyncio.to_thread(_take_report, path)
        await asyncio.wait_for(self.process.wait(), RESULT_GRACE_SECONDS)
        return report


def _take_report(path: Path) -> dict[str, Any]:
    """The board process's report file, read and removed."""
    try:
        report: dict[str, Any] = json.loads(path.read_text("utf-8"))
    finally:
        path.unlink(missing_ok=True)
    return report


@contextlib.asynccontextmanager
async def listening_boards(
    groups: list[tuple[str, int]], calls: int, time_limit: float
) -> AsyncIterator[ListeningBoards]:
    """Start the board process with (websocket URL, boards) `groups`, each board waiting for
    `calls` calls, and wait until every board has its snapshot; killed if still running when
    the block ends."""
    arguments = [part for url, boards in groups for part in (url, str(boards))]
    async with child_process(
        "benchmarks.boards",
        str(calls),
        # The boards listen longer than the clerks call, so the last call is heard too.
        str(time_limit + RESULT_GRACE_SECONDS / 2),
        *arguments,
        ready=board_process.READY,
        ready_timeout=READY_TIMEOUT_SECONDS,
    ) as process:
        assert process.stdout is not None
        yield ListeningBoards(process, process.stdout, time_limit)


async def call_one_after_another(
    clerk: httpx.AsyncClient,
    *,
    window_no: int,
    total: int,
    warmup: int,
    gap: float,
    deadline: float,
) -> dict[int, tuple[float, float]]:
    """Call up to `total` tickets at `window_no`, `gap` seconds apart, until `deadline`
    (CLOCK_MONOTONIC), each then started and finished (untimed) to free the window. Returns,
    per ticket called after the first `warmup`, when its call was sent and answered."""
    sent: dict[int, tuple[float, float]] = {}
    for index in range(total):
        if board_process.now() > deadline:
            break
        await asyncio.sleep(gap)
        sent_at = board_process.now()
        response = expect(await clerk.post(f"/api/windows/{window_no}/call-next"), 200)
        answered_at = board_process.now()
        ticket_id: int = response.json()["id"]
        if index >= warmup:
            sent[ticket_id] = (sent_at, answered_at)
        await serve_through(clerk, ticket_id)
    return sent


async def run_once(
    server: RunningServer, *, boards: int, calls: int, time_limit: float
) -> DeliveryRun:
    """Call `calls` tickets one after another at one window while `boards` boards listen.

    Each called ticket is then started and finished (untimed) to free the window.
    """
    total = WARMUP_CALLS + calls
    await issue_tickets(server, [CATEGORY] * total)
    token = await login_token(server, server.accounts.clerks[0])
    url = f"{server.ws_url}/ws?token={server.accounts.board_token}"
    async with listening_boards([(url, boards)], total, time_limit) as listening:
        # Signed in only now: a client left idle while a thousand boards connect could have
        # its next request cut off by the server's keep-alive timeout.
        async with contextlib.aclosing(await signed_in(server, token, WINDOW_NO)) as clerk:
            sent = await call_one_after_another(
                clerk,
                window_no=WINDOW_NO,
                total=total,
                warmup=WARMUP_CALLS,
                gap=call_gap_seconds(boards),
                deadline=board_process.now() + time_limit,
            )
        report = await listening.result()
    server.check_alive()
    if not sent:
        raise RuntimeError("no call was measured within the time limit")
    arrivals: dict[str, list[float]] = report["arrivals"][0]
    deliveries: list[float] = []
    last_board: list[float] = []
    missing = 0
    for ticket_id, (sent_at, _) in sent.items():
        heard = arrivals.get(str(ticket_id), [])
        missing += boards - len(heard)
        deliveries.extend(at - sent_at for at in heard)
        if heard:
            last_board.append(max(heard) - sent_at)
    checks = [
        Check(
            f"{boards} boards: every board heard every call once, in seq order, no resync",
            missing == 0 and report["disorder"] == 0 and report["resyncs"] == 0,
            f"{missing} (call, board) deliveries missing, {report['disorder']} repeated or "
            f"out of order, {report['resyncs']} snapshots after the first",
        )
    ]
    if not deliveries:
        raise RuntimeError("no board heard any call")
    return DeliveryRun(
        boards=boards,
        calls=len(sent),
        delivery=Latency.of_seconds(deliveries),
        last_board=Latency.of_seconds(last_board),
        call_request=Latency.of_seconds([answered - at for at, answered in sent.values()]),
        checks=checks,
    )


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    runs: dict[int, list[DeliveryRun]]
    failures: list[Check]
    """A board count whose runs broke off (the other counts are still measured)."""
    broken: tuple[int, ...] = ()
    """The board counts whose runs broke off: each still gets its row, marked as missed."""

    @property
    def checks(self) -> list[Check]:
        return [
            Check(f"run {index}: {check.name}", check.passed, check.detail)
            for results in self.runs.values()
            for index, result in enumerate(results, start=1)
            for check in result.checks
        ] + self.failures

    def as_dict(self) -> dict[str, object]:
        return {
            "runs": {
                str(boards): [result.as_dict() for result in results]
                for boards, results in self.runs.items()
            },
            "failures": [failure.as_dict() for failure in self.failures],
        }


def benchmark(context: Context, seed: Callable[[], SeededDatabase]) -> DeliveryResult:
    """For each board count, one server and several runs, each with a fresh board process."""
    options = context.options
    board_counts = options.get("boards") or (QUICK_BOARDS if context.quick else FULL_BOARDS)
    repeats = 1 if context.quick else int(options.get("repeats", 3))
    calls = 10 if context.quick else int(options.get("calls", 100))
    time_limit = float(options.get("delivery_time_limit", 120.0))
    runs: dict[int, list[DeliveryRun]] = {}
    failures: list[Check] = []
    broken: list[int] = []
    for boards in board_counts:
        try:
            with running_server(seed()) as server:
                for index in range(repeats):
                    context.progress(
                        f"call → board: {boards} boards, {calls} calls, run {index + 1}/{repeats}"
                    )
                    result = asyncio.run(
                        asyncio.wait_for(
                            run_once(server, boards=boards, calls=calls, time_limit=time_limit),
                            time_limit + READY_TIMEOUT_SECONDS + RESULT_GRACE_SECONDS,
                        )
                    )
                    runs.setdefault(boards, []).append(result)
        except Exception as error:
            broken.append(boards)
            failures.append(
                Check(f"{boards} boards: the runs went to the end", False, f"{error!r}"[:2000])
            )
    if not runs:
        raise RuntimeError(f"no board count was measured: {failures}")
    return DeliveryResult(runs=runs, failures=failures, broken=tuple(broken))


def _target_text(boards: int) -> str:
    target = TARGET_P99_MS.get(boards)
    return f"p99 ≤ {target:.0f} ms" if target else ""


def rows(result: DeliveryResult) -> list[Row]:
    """Three rows per board count; a count whose runs broke off keeps its row, missed."""
    table: list[Row] = []
    for boards in sorted({*result.runs, *result.broken}):
        results = result.runs.get(boards, [])
        if not results:
            table.append(
                Row(
                    name=f"call → ticket.called on a board, {boards} boards",
                    runs=0,
                    figure="broke off (see the checks)",
                    target=_target_text(boards),
                    met=False if boards in TARGET_P99_MS else None,
                )
            )
            continue
        p99 = Figure.of([r.delivery.p99 for r in results])
        target = TARGET_P99_MS.get(boards)
        table.append(
            Row(
                name=f"call → ticket.called on a board, {boards} boards",
                runs=len(results),
                p50=Figure.of([r.delivery.p50 for r in results]),
                p99=p99,
                target=_target_text(boards),
                met=p99.median <= target if target else None,
            )
        )
        table.append(
            Row(
                name=f"  last of {boards} boards",
                runs=len(results),
                p50=Figure.of([r.last_board.p50 for r in results]),
                p99=Figure.of([r.last_board.p99 for r in results]),
            )
        )
        table.append(
            Row(
                name=f"  call-next HTTP round trip, {boards} boards",
                runs=len(results),
                p50=Figure.of([r.call_request.p50 for r in results]),
                p99=Figure.of([r.call_request.p99 for r in results]),
            )
        )
    return table
