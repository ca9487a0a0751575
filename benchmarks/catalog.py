"""Every benchmark of `python -m benchmarks`, registered in the order of the table.

Another issue's benchmark module joins with one `register(Benchmark(...))` call here: a key,
a title, `run` (takes the `Context`, honours `context.quick`), and `rows` (its result as
table rows). See benchmarks/README.md.
"""

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from benchmarks import (
    announce_ready,
    board_render,
    call_next,
    city_bench,
    issue,
    issue_pg,
    service_quality,
    stats_queries,
    status_pages,
    ws_delivery,
)
from benchmarks.server import SeededDatabase, running_server, seed_database
from benchmarks.stats import Latency
from benchmarks.suite import REGISTRY, Benchmark, Context, Figure, Row, register
from queue_server.config import load_hall_config
from tests.support import Accounts


class _P95Result(Protocol):
    @property
    def latency(self) -> Latency: ...

    @property
    def p95(self) -> float: ...


P = TypeVar("P", bound=_P95Result)


@functools.cache
def _seed(workdir: Path) -> SeededDatabase:
    """Accounts are made once per suite (argon2 is slow on purpose); every server starts on
    a fresh copy."""
    directory = workdir / "seed"
    directory.mkdir(parents=True, exist_ok=True)
    return seed_database(directory)


def seeded(context: Context) -> SeededDatabase:
    return _seed(context.workdir)


def _repeats(context: Context) -> int:
    return 1 if context.quick else int(context.options.get("repeats", 3))


def _runs_on_one_server(
    context: Context, measure: Callable[[str, Accounts, bool], P], what: str
) -> list[P]:
    """`repeats` runs of a module whose `run_against(base_url, accounts, quick=…)` measures a
    running server."""
    runs = []
    with running_server(seeded(context)) as server:
        for index in range(_repeats(context)):
            context.progress(f"{what}, run {index + 1}")
            runs.append(measure(server.base_url, server.accounts, context.quick))
    return runs


def _p95_rows(name: str, target_ms: float) -> Callable[[list[P]], list[Row]]:
    def rows(runs: list[P]) -> list[Row]:
        p95 = Figure.of([run.p95 for run in runs])
        return [
            Row(
                name=name,
                runs=len(runs),
                p50=Figure.of([run.latency.p50 for run in runs]),
                p99=p95,
                tail=95,
                target=f"p95 ≤ {target_ms:.0f} ms",
                met=p95.median <= target_ms,
            )
        ]

    return rows


def _service_quality_rows(result: service_quality.ServiceQualityResult) -> list[Row]:
    """Simulated days are deterministic for a seed: one run of `days` days is the sample."""
    lines = result.rows()
    targets: dict[str, tuple[str, bool | None]] = {
        row.label: (row.target, row.met) for row in result.wait_rows()
    }
    targets |= {
        "ETA mean absolute error": (
            f"≤ {service_quality.ERROR_RATIO_TARGET}× naive",
            result.error_target_met,
        ),
        "ETA actual wait inside P10–P90": (
            f"≥ {service_quality.WITHIN_RANGE_TARGET:.0%}",
            result.range_target_met,
        ),
    }
    targets.update({row.label: (row.target, row.met) for row in result.eta.rows()})
    rows = []
    for label, figure in lines:
        target, met = targets.get(label, ("", None))
        rows.append(
            Row(
                name=f"{label} ({result.days} simulated days)",
                runs=1,
                figure=figure,
                target=target,
                met=met,
            )
        )
    return rows


def _stats_rows(result: stats_queries.StatsQueryResult) -> list[Row]:
    """Each query ran several times in one run; its slowest run is held to the target."""
    return [
        Row(
            name=f"statistics over {result.days} days ({result.tickets:,} tickets): {query}",
            runs=1,
            figure=f"median {result.median_ms[query]:.0f} ms, slowest {slowest:.0f} ms",
            target=f"≤ {stats_queries.TARGET_MS:.0f} ms",
            met=slowest <= stats_queries.TARGET_MS,
        )
        for query, slowest in result.query_ms.items()
    ]


def _as_json(runs: list[P]) -> object:
    return [dataclasses.asdict(run) for run in runs]  # type: ignore[call-overload]


def register_builtin() -> None:
    if REGISTRY:
        return
    hall = load_hall_config()
    register(
        Benchmark(
            key="issuance",
            title="ticket issuance over HTTP (wrk)",
            run=lambda context: issue.benchmark(context, lambda: seeded(context), hall),
            rows=issue.rows,
            needs_wrk=True,
        )
    )
    register(
        Benchmark(
            key="issuance_postgresql",
            title="ticket issuance over HTTP (wrk), one hall on PostgreSQL",
            run=lambda context: issue_pg.benchmark(context, hall),
            rows=issue.rows,
            needs_wrk=True,
        )
    )
    register(
        Benchmark(
            key="ws_delivery",
            title="call → websocket delivery",
            run=lambda context: ws_delivery.benchmark(context, lambda: seeded(context)),
            rows=ws_delivery.rows,
        )
    )
    register(
        Benchmark(
            key="status_pages",
            title="call → 2,000 status pages",
            run=lambda context: status_pages.benchmark(context, lambda: seeded(context), hall),
            rows=status_pages.rows,
        )
    )
    register(
        Benchmark(
            key="city",
            title="a city of four halls on PostgreSQL, one and two server processes",
            run=city_bench.benchmark,
            rows=city_bench.rows,
            needs_wrk=True,
        )
    )
    register(
        Benchmark(
            key="board_render",
            title="call → web board updated (headless Chromium)",
            run=lambda context: _runs_on_one_server(
                context,
                lambda url, accounts, quick: board_render.run_against(url, accounts, quick=quick),
                "call → web board",
            ),
            rows=_p95_rows("call → number shown on the web board (Chromium)", 150.0),
            as_json=_as_json,
        )
    )
    register(
        Benchmark(
            key="announce_ready",
            title="call → announcement WAV ready",
            run=lambda context: _runs_on_one_server(
                context,
                lambda url, accounts, quick: announce_ready.run_against(url, accounts, quick=quick),
                "call → WAV",
            ),
            rows=_p95_rows("call → announcement WAV ready", 100.0),
            as_json=_as_json,
        )
    )
    register(
        Benchmark(
            key="call_next",
            title="concurrent call-next",
            run=lambda context: call_next.benchmark(context, lambda: seeded(context), hall),
            rows=call_next.rows,
        )
    )
    register(
        Benchmark(
            key="service_quality",
            title="service quality on simulated days (virtual time)",
            run=lambda context: service_quality.run(quick=context.quick),
            rows=_service_quality_rows,
            as_json=lambda result: {
                "days": result.days,
                "seed": result.seed,
                "seconds": result.seconds,
                "rows": dict(result.rows()),
                "error_ratio": result.error_ratio,
                "within_range": result.estimates.within_range,
            },
        )
    )
    register(
        Benchmark(
            key="statistics",
            title="statistics over a generated year",
            run=lambda context: stats_queries.run(quick=context.quick),
            rows=_stats_rows,
            as_json=lambda result: dataclasses.asdict(result),
        )
    )
