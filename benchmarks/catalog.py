"""Every benchmark of `python -m benchmarks`, registered in the order of the table.

Another issue's benchmark module joins with one `register(Benchmark(...))` call here: a key,
a title, `run` (takes the `Context`, honours `context.quick`), and `rows` (its result as
table rows). See benchmarks/README.md.
"""

import functools
from pathlib import Path

from benchmarks import call_next, issue, ws_delivery
from benchmarks.server import SeededDatabase, seed_database
from benchmarks.suite import REGISTRY, Benchmark, Context, register
from queue_server.config import load_hall_config


@functools.cache
def _seed(workdir: Path) -> SeededDatabase:
    """Accounts are made once per suite (argon2 is slow on purpose); every server starts on
    a fresh copy."""
    directory = workdir / "seed"
    directory.mkdir(parents=True, exist_ok=True)
    return seed_database(directory)


def seeded(context: Context) -> SeededDatabase:
    return _seed(context.workdir)


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
            key="ws_delivery",
            title="call → websocket delivery",
            run=lambda context: ws_delivery.benchmark(context, lambda: seeded(context)),
            rows=ws_delivery.rows,
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
