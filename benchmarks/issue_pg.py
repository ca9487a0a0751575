"""The issuance rows on PostgreSQL: the default hall served by one `queue-server serve` on a
throwaway durable cluster (`pgcluster.py`), wrk as its kiosks; next to each run, the issuing
transaction on that cluster alone (`pg_raw.py`, one hall, as many connections as kiosks).

Accounts are seeded once into a template database; every run starts its server on a fresh
copy, so that its numbers begin at 1.
"""

import contextlib
from collections.abc import Iterator

from benchmarks import issue, pg_raw
from benchmarks.city_bench import DURABILITY
from benchmarks.issue import IssuanceResult, IssuingTarget, TicketRows
from benchmarks.pgcluster import DURABLE_SETTINGS, PostgresCluster, running_cluster
from benchmarks.server import serving
from benchmarks.suite import Context
from queue_server.config import HallConfig
from tests.support import Accounts, seed_accounts

SEED_DATABASE = "yimen_hall_seed"
QUICK_KIOSKS = (16,)
SETUP = "1 hall, 1 process"


@contextlib.contextmanager
def _target(
    context: Context, cluster: PostgresCluster, template: str, accounts: Accounts, hall: str
) -> Iterator[IssuingTarget]:
    database = cluster.create_database(template=template)
    try:
        log_file = context.workdir / f"{database}-server.log"
        with serving(cluster.url(database), log_file) as server:

            def stored() -> TicketRows:
                with cluster.connect(database) as connection:
                    return connection.execute(
                        issue.STORED_TICKETS + " WHERE hall = %s", (hall,)
                    ).fetchall()

            yield IssuingTarget(
                server=server,
                kiosk_token=accounts.kiosk_token,
                stored=stored,
                raw=lambda connections, seconds: pg_raw.measure(
                    cluster, [hall], seconds=seconds, connections_per_hall=connections
                ),
            )
    finally:
        cluster.drop_database(database)


def measure_on(context: Context, cluster: PostgresCluster, hall: HallConfig) -> IssuanceResult:
    """The SQLite issuance runs (`issue.measure_all`), on a database of `cluster`."""
    template = cluster.create_database(name=SEED_DATABASE)
    try:
        accounts = seed_accounts(cluster.url(template), hall)
        runs = issue.measure_all(
            context,
            hall,
            lambda: _target(context, cluster, template, accounts, hall.code),
            quick_kiosks=QUICK_KIOSKS,
            what="issuing on PostgreSQL",
        )
    finally:
        cluster.drop_database(template)
    return IssuanceResult(runs=runs, database="PostgreSQL", setup=SETUP)


def benchmark(context: Context, hall: HallConfig) -> IssuanceResult:
    """`measure_on` a throwaway cluster with PostgreSQL's durable settings."""
    context.progress(f"issuing on PostgreSQL: a throwaway cluster ({DURABILITY})")
    with running_cluster(DURABLE_SETTINGS) as cluster:
        return measure_on(context, cluster, hall)
