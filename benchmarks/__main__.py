"""`python -m benchmarks`: run every benchmark against a real server and save the results."""

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from benchmarks import call_next, issue, report, ws_delivery
from benchmarks.hall import UnexpectedAnswer
from benchmarks.server import ServerFailed, running_server, seed_database
from queue_server.config import HallConfig, load_hall_config

T = TypeVar("T")

# Beyond a benchmark's own time limit, how long its setup (issuing, logins) may take.
SETUP_ALLOWANCE_SECONDS = 60.0
DELIVERY_TIME_LIMIT_SECONDS = 30.0


def _progress(begin: float, message: str) -> None:
    print(f"[{time.monotonic() - begin:5.1f} s] {message}", file=sys.stderr, flush=True)


def _run_bounded(coroutine: Coroutine[Any, Any, T], limit: float) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, limit)

    return asyncio.run(bounded())


def _warn_if_busy(load: float) -> None:
    cpus = len(os.sched_getaffinity(0))
    if load > cpus / 2:
        typer.echo(
            f"warning: the machine is busy (load average {load:.1f} on {cpus} CPUs); "
            "expect noisy numbers",
            err=True,
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """What to measure, and for how long."""

    seconds: int
    threads: int
    connections: int
    calls: int
    boards: list[int]
    windows: int
    concurrent_seconds: float
    tickets: int


def measure(
    plan: Plan, *, wrk: str, hall: HallConfig, begin: float
) -> tuple[issue.IssueResult, list[ws_delivery.DeliveryResult], call_next.CallNextResult]:
    """Each benchmark gets a server of its own, on a fresh copy of one seeded database."""
    with tempfile.TemporaryDirectory(prefix="yimen-bench-seed-") as directory:
        _progress(begin, "creating accounts")
        seed = seed_database(Path(directory))

        with running_server(seed) as server:
            _progress(begin, f"issuing tickets with wrk for {plan.seconds} s")
            issued = issue.run(
                server,
                hall,
                wrk=wrk,
                threads=plan.threads,
                connections=plan.connections,
                seconds=plan.seconds,
            )

        deliveries: list[ws_delivery.DeliveryResult] = []
        with running_server(seed) as server:
            for count in plan.boards:
                _progress(begin, f"calling {plan.calls} tickets with {count} board(s) listening")
                run = ws_delivery.run(
                    server,
                    subscribers=count,
                    calls=plan.calls,
                    time_limit=DELIVERY_TIME_LIMIT_SECONDS,
                )
                limit = DELIVERY_TIME_LIMIT_SECONDS + SETUP_ALLOWANCE_SECONDS
                deliveries.append(_run_bounded(run, limit))

        with running_server(seed) as server:
            _progress(
                begin, f"calling at {plan.windows} windows at once for {plan.concurrent_seconds} s"
            )
            concurrent = _run_bounded(
                call_next.run(
                    server,
                    hall,
                    windows=plan.windows,
                    seconds=plan.concurrent_seconds,
                    tickets=plan.tickets,
                ),
                plan.concurrent_seconds + SETUP_ALLOWANCE_SECONDS,
            )
    return issued, deliveries, concurrent


def main(
    seconds: Annotated[int, typer.Option(help="How long wrk issues tickets")] = 10,
    threads: Annotated[int, typer.Option(help="wrk threads")] = 4,
    connections: Annotated[int, typer.Option(help="wrk connections")] = 16,
    calls: Annotated[int, typer.Option(help="Calls measured per board count")] = 200,
    boards: Annotated[
        list[int] | None,
        typer.Option("--boards", help="Board counts to measure (repeatable) [default: 1, 10]"),
    ] = None,
    windows: Annotated[int, typer.Option(help="Windows calling at once")] = 8,
    concurrent_seconds: Annotated[float, typer.Option(help="How long the windows call")] = 5.0,
    tickets: Annotated[int, typer.Option(help="Tickets waiting when the windows start")] = 300,
    quick: Annotated[
        bool,
        typer.Option(help="A smoke run: 3 s of wrk, 30 calls, 2 s of windows; saves nothing"),
    ] = False,
    save: Annotated[bool, typer.Option(help="Write benchmarks/results/")] = True,
) -> None:
    """Measure ticket issuing, call → board latency and concurrent call-next."""
    plan = Plan(
        seconds=seconds,
        threads=threads,
        connections=connections,
        calls=calls,
        boards=boards or [1, 10],
        windows=windows,
        concurrent_seconds=concurrent_seconds,
        tickets=tickets,
    )
    if quick:
        plan = replace(plan, seconds=3, calls=30, concurrent_seconds=2.0, tickets=100)
        save = False
    try:
        wrk = issue.require_wrk()
    except issue.WrkMissing as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=2) from error
    started_at = datetime.now(UTC)
    begin = time.monotonic()
    load_before = os.getloadavg()
    _warn_if_busy(load_before[0])
    try:
        issued, deliveries, concurrent = measure(
            plan, wrk=wrk, hall=load_hall_config(), begin=begin
        )
    except ServerFailed as error:
        typer.echo(f"the server failed: {error}", err=True)
        raise typer.Exit(code=1) from error
    except UnexpectedAnswer as error:
        typer.echo(f"benchmark stopped: {error}", err=True)
        raise typer.Exit(code=1) from error
    except TimeoutError as error:
        typer.echo("benchmark stopped: it ran past its time limit", err=True)
        raise typer.Exit(code=1) from error

    results = report.Results(
        started_at=started_at,
        seconds=time.monotonic() - begin,
        machine=report.machine_info(issue.wrk_version(wrk), load_before),
        issue=issued,
        deliveries=deliveries,
        call_next=concurrent,
    )
    print()
    report.show(results)
    if save:
        for path in report.save(results):
            print(f"wrote {path}")
    if not results.passed:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    typer.run(main)
