"""Run the registered benchmarks and report them: the body of `python -m benchmarks`."""

import os
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import catalog, issue, report
from benchmarks.suite import REGISTRY, Context, Outcome, run_one


def _progress(begin: float, message: str) -> None:
    print(f"[{time.monotonic() - begin:6.1f} s] {message}", file=sys.stderr, flush=True)


def busy_warning(load: float) -> str | None:
    cpus = len(os.sched_getaffinity(0))
    if load > cpus / 2:
        return (
            f"warning: the machine is busy (load average {load:.1f} on {cpus} CPUs); "
            "expect noisy numbers"
        )
    return None


def run_suite(
    *,
    quick: bool,
    only: Sequence[str] = (),
    options: dict[str, Any] | None = None,
    results_dir: Path | None = report.RESULTS_DIR,
) -> report.Results:
    """Run every registered benchmark (or those in `only`), print the table and save it to
    `results_dir` unless that is None."""
    catalog.register_builtin()
    unknown = [key for key in only if key not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown benchmark(s) {unknown}; known: {', '.join(REGISTRY)}")
    chosen = [REGISTRY[key] for key in (only or list(REGISTRY))]
    try:
        wrk: str | None = issue.require_wrk()
    except issue.WrkMissing:
        wrk = None
    started_at = datetime.now(UTC)
    begin = time.monotonic()
    load_before = os.getloadavg()
    warning = busy_warning(load_before[0])
    if warning:
        print(warning, file=sys.stderr)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="yimen-bench-") as workdir:
        context = Context(
            quick=quick,
            workdir=Path(workdir),
            wrk=wrk,
            progress=lambda message: _progress(begin, message),
            options=dict(options or {}),
        )
        for benchmark in chosen:
            context.progress(f"{benchmark.title}{' (quick)' if quick else ''}")
            # A thread of its own: benchmarks call asyncio.run, which refuses to start in a
            # thread whose event loop is already running (as under Playwright's sync API).
            with ThreadPoolExecutor(1, thread_name_prefix="benchmark") as pool:
                outcomes.append(pool.submit(run_one, benchmark, context).result())
    results = report.Results(
        started_at=started_at,
        seconds=time.monotonic() - begin,
        quick=quick,
        machine=report.machine_info(issue.wrk_version(wrk) if wrk else "missing", load_before),
        outcomes=outcomes,
    )
    print()
    report.show(results)
    if results_dir is not None:
        for path in report.save(results, results_dir):
            print(f"wrote {path}")
    return results
