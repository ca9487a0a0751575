"""Call → every status page of the category: 2,000 applicants' pages open at once.

Tickets are issued first, round robin over the hall's categories, and each gets one status
page (`/ws/t/{public_code}`) in a process of their own (`benchmarks/pages.py`). A clerk at
window 2 (综合受理 only) calls tickets one after another; each call is timed from just before
its `POST …/call-next` to each page of the called ticket's category (whose ticket was waiting)
receiving its updated `ticket_status`: the called ticket `called`, the others one fewer ahead.
The figure held to the target is, per call, the page that heard last. The server process's
peak resident memory (VmHWM) is read from /proc at the end.
"""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks import pages as page_process
from benchmarks.boards import now
from benchmarks.checks import Check
from benchmarks.child import child_process, read_line
from benchmarks.hall import client_for, expect, login_token, serve_through, signed_in
from benchmarks.server import RunningServer, SeededDatabase, running_server
from benchmarks.stats import Latency
from benchmarks.suite import Context, Figure, Row
from queue_server.config import HallConfig

WINDOW_NO = 2
FULL_PAGES = 2000
QUICK_PAGES = 42
FULL_CALLS = 30
QUICK_CALLS = 3
WARMUP_CALLS = 2
CALL_GAP_SECONDS = 0.5
"""After a call and its (untimed) start and finish, before the next call: lets the pages'
reads of the start and finish settle, so that each call meets an idle server, as calls in a
hall do (seconds apart). At least twice as long as the call took to reach its last page."""
RUN_TIME_LIMIT_SECONDS = 120.0
"""No new call after this long in one run: a slow server is measured on fewer calls."""
ISSUE_CONCURRENCY = 8
READY_TIMEOUT_SECONDS = 600.0
"""Opening 2,000 pages, each with its first view, took 170–210 s on the shared 2-CPU VM."""
HEARD_TIMEOUT_SECONDS = page_process.PER_CALL_LIMIT_SECONDS + 30.0
TARGET_P99_MS = 200.0
TARGET_PEAK_RSS_MB = 300.0


@dataclass(frozen=True, slots=True)
class PagesRun:
    pages: int
    calls: int
    delivery: Latency
    """Every (call, concerned page) pair."""
    last_page: Latency
    """Per call, the page of the category that heard last."""
    call_request: Latency
    concerned_per_call: float
    missing: int
    """(call, page) pairs where the page never got its update."""

    def as_dict(self) -> dict[str, object]:
        return {
            "pages": self.pages,
            "calls": self.calls,
            "delivery_ms": self.delivery.as_dict(),
            "last_page_ms": self.last_page.as_dict(),
            "call_request_ms": self.call_request.as_dict(),
            "concerned_pages_per_call": round(self.concerned_per_call, 1),
            "missing": self.missing,
        }


@dataclass(frozen=True, slots=True)
class PagesResult:
    pages: int
    runs: list[PagesRun]
    peak_rss_mb: float
    """The server process's VmHWM after every run."""
    failure: str | None = None
    """Why the runs broke off, if they did (the memory is still reported)."""

    @property
    def checks(self) -> list[Check]:
        broke_off = (
            [Check(f"{self.pages} status pages: the runs went to the end", False, self.failure)]
            if self.failure
            else []
        )
        return broke_off + [
            Check(
                f"{self.pages} status pages, run {index}: every waiting page of the category "
                "got its update for every call",
                run.missing == 0 and run.concerned_per_call > 0,
                f"{run.missing} (call, page) updates missing of {run.calls} calls × "
                f"{run.concerned_per_call:.0f} pages",
            )
            for index, run in enumerate(self.runs, start=1)
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "pages": self.pages,
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "failure": self.failure,
            "runs": [run.as_dict() for run in self.runs],
        }


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size so far (VmHWM, Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


async def issue_pages(server: RunningServer, categories: list[str], pages: int) -> list[list[str]]:
    """`pages` tickets round robin over `categories`; returns each one's page as the page
    process takes it: `[ws_url, category]`."""
    semaphore = asyncio.Semaphore(ISSUE_CONCURRENCY)
    async with client_for(server, server.accounts.kiosk_token) as kiosk:

        async def issue(category: str) -> list[str]:
            async with semaphore:
                response = expect(
                    await kiosk.post("/api/tickets", json={"category": category}), 201
                )
            code = response.json()["public_code"]
            return [f"{server.ws_url}/ws/t/{code}", category]

        wanted = [categories[index % len(categories)] for index in range(pages)]
        return list(await asyncio.gather(*(issue(category) for category in wanted)))


@dataclass(frozen=True, slots=True)
class Heard:
    """What the page process says of one call."""

    delays: list[float]
    """Seconds from the call to each concerned page's update."""
    concerned: int
    missing: int


@dataclass(frozen=True, slots=True)
class OpenPages:
    process: asyncio.subprocess.Process
    stdin: asyncio.StreamWriter
    stdout: asyncio.StreamReader

    async def heard(self, category: str, sent_at: float) -> Heard:
        self.stdin.write(f"{page_process.CALL} {category} {sent_at!r}\n".encode())
        await self.stdin.drain()
        line = await read_line(self.stdout, page_process.HEARD_PREFIX, HEARD_TIMEOUT_SECONDS)
        report = json.loads(line.removeprefix(page_process.HEARD_PREFIX))
        return Heard(
            delays=[float(delay) for delay in report["delays"]],
            concerned=int(report["concerned"]),
            missing=int(report["missing"]),
        )


@contextlib.asynccontextmanager
async def open_pages(pages: list[list[str]]) -> AsyncIterator[OpenPages]:
    """The page process with every page open; told to end, or killed, when the block ends."""
    async with child_process(
        "benchmarks.pages",
        first_line=json.dumps({"pages": pages}).encode() + b"\n",
        ready=page_process.READY,
        ready_timeout=READY_TIMEOUT_SECONDS,
    ) as process:
        assert process.stdin is not None and process.stdout is not None
        yield OpenPages(process, process.stdin, process.stdout)
        process.stdin.write(f"{page_process.END}\n".encode())
        await process.stdin.drain()
        await asyncio.wait_for(process.wait(), 30)


async def run_once(
    server: RunningServer, pages: list[list[str]], *, calls: int, time_limit: float
) -> PagesRun:
    """Open every page, then call up to `WARMUP_CALLS + calls` tickets at window 2 within
    `time_limit` seconds, one at a time, each after the pages of the previous one have all
    heard it."""
    token = await login_token(server, server.accounts.clerks[0])
    deliveries: list[float] = []
    last_page: list[float] = []
    requests: list[float] = []
    concerned: list[int] = []
    missing = 0
    async with open_pages(pages) as opened:
        clerk: httpx.AsyncClient
        async with contextlib.aclosing(await signed_in(server, token, WINDOW_NO)) as clerk:
            deadline = now() + time_limit
            for index in range(WARMUP_CALLS + calls):
                if now() > deadline:
                    break
                sent_at = now()
                response = expect(await clerk.post(f"/api/windows/{WINDOW_NO}/call-next"), 200)
                answered_at = now()
                called = response.json()
                heard = await opened.heard(str(called["category"]), sent_at)
                if index >= WARMUP_CALLS:
                    deliveries.extend(heard.delays)
                    if heard.delays:
                        last_page.append(max(heard.delays))
                    requests.append(answered_at - sent_at)
                    concerned.append(heard.concerned)
                    missing += heard.missing
                await serve_through(clerk, int(called["id"]))
                await asyncio.sleep(max(CALL_GAP_SECONDS, 2 * max(heard.delays, default=0.0)))
    server.check_alive()
    if not deliveries:
        raise RuntimeError(
            f"no status page heard any of {len(requests)} calls within "
            f"{page_process.PER_CALL_LIMIT_SECONDS:.0f} s ({max(concerned, default=0)} pages "
            "of the category)"
        )
    return PagesRun(
        pages=len(pages),
        calls=len(requests),
        delivery=Latency.of_seconds(deliveries),
        last_page=Latency.of_seconds(last_page),
        call_request=Latency.of_seconds(requests),
        concerned_per_call=sum(concerned) / len(concerned),
        missing=missing,
    )


def benchmark(
    context: Context, seed: Callable[[], SeededDatabase], hall: HallConfig
) -> PagesResult:
    """One server; its tickets issued once; `--repeats` runs, each with a fresh page process
    on the same tickets (the calls of a run take the head of the queue, the pages behind it
    are still waiting)."""
    pages = QUICK_PAGES if context.quick else int(context.options.get("status_pages", FULL_PAGES))
    calls = QUICK_CALLS if context.quick else FULL_CALLS
    repeats = 1 if context.quick else int(context.options.get("repeats", 3))
    categories = [category.code for category in hall.categories]
    runs: list[PagesRun] = []
    failure = None
    with running_server(seed()) as server:
        context.progress(f"status pages: issuing {pages} tickets")
        wanted = asyncio.run(issue_pages(server, categories, pages))
        try:
            for index in range(repeats):
                context.progress(
                    f"status pages: {pages} pages open, {calls} calls, run {index + 1}/{repeats}"
                )
                runs.append(
                    asyncio.run(
                        run_once(server, wanted, calls=calls, time_limit=RUN_TIME_LIMIT_SECONDS)
                    )
                )
        except Exception as error:
            failure = f"{type(error).__name__}: {error}"[:2000]
        peak = peak_rss_mb(server.process.pid)
    return PagesResult(pages=pages, runs=runs, peak_rss_mb=peak, failure=failure)


def _memory_row(result: PagesResult) -> Row:
    return Row(
        name=f"  server peak memory (VmHWM), {result.pages} status pages open",
        runs=1,
        figure=f"{result.peak_rss_mb:.0f} MB",
        target=f"< {TARGET_PEAK_RSS_MB:.0f} MB",
        met=result.peak_rss_mb < TARGET_PEAK_RSS_MB,
    )


def rows(result: PagesResult) -> list[Row]:
    """The last page per call (held to the target), every page, the clerk's round trip and
    the server's memory; runs that broke off keep the first row, missed, and the memory."""
    runs = result.runs
    name = f"call → every status page of the category, {result.pages} pages open"
    target = f"p99 ≤ {TARGET_P99_MS:.0f} ms"
    if not runs:
        return [
            Row(name=name, runs=0, figure="broke off (see the checks)", target=target, met=False),
            _memory_row(result),
        ]
    last = Figure.of([run.last_page.p99 for run in runs])
    concerned = sum(run.concerned_per_call for run in runs) / len(runs)
    return [
        Row(
            name=f"{name} (~{concerned:.0f} of the category), last page per call",
            runs=len(runs),
            p50=Figure.of([run.last_page.p50 for run in runs]),
            p99=last,
            target=target,
            met=last.median <= TARGET_P99_MS,
        ),
        Row(
            name=f"  each status page of the category, {result.pages} pages open",
            runs=len(runs),
            p50=Figure.of([run.delivery.p50 for run in runs]),
            p99=Figure.of([run.delivery.p99 for run in runs]),
        ),
        Row(
            name=f"  call-next HTTP round trip, {result.pages} status pages open",
            runs=len(runs),
            p50=Figure.of([run.call_request.p50 for run in runs]),
            p99=Figure.of([run.call_request.p99 for run in runs]),
        ),
        _memory_row(result),
    ]
