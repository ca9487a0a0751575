"""The city rows of the table: four halls on one durable PostgreSQL, served by one and by two
`queue-server serve` processes: issuing at 4 halls × 4 kiosks, and call → board with
4 halls × 25 boards. With two processes, the other process's events reach a board through
PostgreSQL's LISTEN/NOTIFY, with the event tailer's fallback poll at its default 1 s and at
0.05 s (before NOTIFY, the poll was the only way: see history.md).

The benchmark starts its own throwaway cluster (`benchmarks/pgcluster.py`) with PostgreSQL's
durable settings (fsync and synchronous_commit on), unlike the test suite's cluster.
"""

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from benchmarks import city_delivery, city_issue, issue, pg_raw
from benchmarks.checks import Check
from benchmarks.city import Layout, RunningCity, SeededCity, running_city, seed_city
from benchmarks.pgcluster import DURABLE_SETTINGS, running_cluster
from benchmarks.suite import Context, Figure, Row

LAYOUTS = (Layout(1), Layout(2), Layout(2, 0.05))
QUICK_LAYOUT = Layout(2)
"""Quick mode runs the layout that crosses processes, once, on one set of servers."""
QUICK_BOARDS_PER_HALL = 2
QUICK_CALLS = 3
DELIVERY_TIME_LIMIT_SECONDS = 60.0
DURABILITY = "PostgreSQL, fsync + synchronous_commit on"


@dataclass
class CityResult:
    halls: int
    kiosks_per_hall: int
    boards_per_hall: int
    layouts: dict[str, Layout] = field(default_factory=dict)
    issuing: dict[str, list[city_issue.CityIssueRun]] = field(default_factory=dict)
    delivery: dict[str, list[city_delivery.CityDeliveryRun]] = field(default_factory=dict)
    raw: pg_raw.RawRate | None = None
    failures: list[Check] = field(default_factory=list)

    @property
    def checks(self) -> list[Check]:
        measured: list[tuple[str, dict[str, list[Any]]]] = [
            ("city issuing", self.issuing),
            ("city call → board", self.delivery),
        ]
        return [
            Check(f"{what}, {self.layouts[key].label()}, run {index}: {c.name}", c.passed, c.detail)
            for what, by_layout in measured
            for key, runs in by_layout.items()
            for index, run in enumerate(runs, start=1)
            for c in run.checks
        ] + self.failures

    def as_dict(self) -> dict[str, object]:
        return {
            "cluster_settings": dict(DURABLE_SETTINGS),
            "halls": self.halls,
            "kiosks_per_hall": self.kiosks_per_hall,
            "boards_per_hall": self.boards_per_hall,
            "issuing": {key: [run.as_dict() for run in runs] for key, runs in self.issuing.items()},
            "delivery": {
                key: [run.as_dict() for run in runs] for key, runs in self.delivery.items()
            },
            "raw_postgresql": self.raw.as_dict() if self.raw else None,
            "failures": [failure.as_dict() for failure in self.failures],
        }


@contextlib.contextmanager
def _attempt(result: CityResult, what: str) -> Iterator[None]:
    """A layout that breaks off is a failed check; the other layouts are still measured."""
    try:
        yield
    except Exception as error:
        result.failures.append(Check(f"{what} went to the end", False, f"{error!r}"[:2000]))


def _deliver(
    city: RunningCity, context: Context, result: CityResult, layout: Layout, runs: int
) -> None:
    calls = QUICK_CALLS if context.quick else int(context.options.get("city_calls", 30))
    for index in range(runs):
        context.progress(
            f"city call → board: {layout.label()}, {result.boards_per_hall} boards per hall, "
            f"{calls} calls per hall, run {index + 1}/{runs}"
        )
        measured = asyncio.run(
            asyncio.wait_for(
                city_delivery.run_once(
                    city,
                    boards_per_hall=result.boards_per_hall,
                    calls=calls,
                    time_limit=DELIVERY_TIME_LIMIT_SECONDS,
                ),
                DELIVERY_TIME_LIMIT_SECONDS * 3,
            )
        )
        result.delivery.setdefault(layout.key(), []).append(measured)


def _issue(
    city: RunningCity, context: Context, result: CityResult, layout: Layout, wrk: str
) -> None:
    seconds = 1 if context.quick else int(context.options.get("issue_seconds", 5))
    context.progress(f"city issuing: {layout.label()}, {seconds} s")
    measured = city_issue.run(city, wrk=wrk, seconds=seconds)
    result.issuing.setdefault(layout.key(), []).append(measured)


def _full(context: Context, seeded: SeededCity, result: CityResult, wrk: str) -> None:
    repeats = int(context.options.get("repeats", 3))
    for layout in LAYOUTS:
        result.layouts[layout.key()] = layout
        with _attempt(result, f"city issuing, {layout.label()}"):
            for _ in range(repeats):  # each run on a fresh database, numbers from 1
                with running_city(seeded, layout, context.workdir) as city:
                    _issue(city, context, result, layout, wrk)
    for layout in LAYOUTS:
        with (
            _attempt(result, f"city call → board, {layout.label()}"),
            running_city(seeded, layout, context.workdir) as city,
        ):
            _deliver(city, context, result, layout, repeats)


def benchmark(context: Context) -> CityResult:
    if context.wrk is None:
        raise issue.WrkMissing("wrk is not installed")
    result = CityResult(
        halls=0,
        kiosks_per_hall=city_issue.KIOSKS_PER_HALL,
        boards_per_hall=QUICK_BOARDS_PER_HALL if context.quick else city_delivery.BOARDS_PER_HALL,
    )
    context.progress(f"city: a throwaway PostgreSQL cluster ({DURABILITY})")
    with running_cluster(DURABLE_SETTINGS) as cluster:
        seeded = seed_city(cluster, context.workdir)
        result.halls = len(seeded.config.codes)
        raw_seconds = 0.5 if context.quick else float(context.options.get("issue_seconds", 5))
        context.progress(f"city: the issuing transaction on PostgreSQL alone, {raw_seconds:g} s")
        result.raw = pg_raw.measure(cluster, list(seeded.config.codes), seconds=raw_seconds)
        if not context.quick:
            _full(context, seeded, result, context.wrk)
            return result
        layout = QUICK_LAYOUT
        result.layouts[layout.key()] = layout
        with running_city(seeded, layout, context.workdir) as city:
            _issue(city, context, result, layout, context.wrk)
            _deliver(city, context, result, layout, 1)
    return result


def rows(result: CityResult) -> list[Row]:
    table: list[Row] = []
    for key, runs in result.issuing.items():
        layout = result.layouts[key]
        cpu = Figure.of([run.server_cpu_ms_per_ticket for run in runs])
        table.append(
            Row(
                name=(
                    f"city: issue ticket, {result.halls} halls × {result.kiosks_per_hall} kiosks, "
                    f"{layout.label()} ({DURABILITY}; server CPU {cpu.median:.1f} ms/ticket)"
                ),
                runs=len(runs),
                rate=Figure.of([run.requests_per_second for run in runs]),
                p50=Figure.of([run.p50_ms for run in runs]),
                p99=Figure.of([run.p99_ms for run in runs]),
            )
        )
    if result.raw is not None:
        table.append(
            Row(
                name=(
                    f"  PostgreSQL alone: the issuing transaction, {result.raw.connections} "
                    "connections (one per hall), one commit per ticket"
                ),
                runs=1,
                rate=Figure.of([result.raw.per_second]),
            )
        )
    for key, deliveries in result.delivery.items():
        layout = result.layouts[key]
        boards = result.halls * result.boards_per_hall
        table.append(
            Row(
                name=(
                    f"city: call answered → ticket.called on a board, {result.halls} halls × "
                    f"{result.boards_per_hall} boards, {layout.label()}"
                ),
                runs=len(deliveries),
                p50=Figure.of([run.delivery.p50 for run in deliveries]),
                p99=Figure.of([run.delivery.p99 for run in deliveries]),
            )
        )
        if layout.processes > 1:
            table.append(
                Row(
                    name="  boards on the clerk's process",
                    runs=len(deliveries),
                    p50=Figure.of([run.same_process.p50 for run in deliveries]),
                    p99=Figure.of([run.same_process.p99 for run in deliveries]),
                )
            )
            others = [run.other_process for run in deliveries if run.other_process is not None]
            if others:
                table.append(
                    Row(
                        name="  boards on another process",
                        runs=len(others),
                        p50=Figure.of([latency.p50 for latency in others]),
                        p99=Figure.of([latency.p99 for latency in others]),
                    )
                )
        table.append(
            Row(
                name=f"  call-next HTTP round trip, {boards} boards, {layout.label()}",
                runs=len(deliveries),
                p50=Figure.of([run.call_request.p50 for run in deliveries]),
                p99=Figure.of([run.call_request.p99 for run in deliveries]),
            )
        )
    return table
