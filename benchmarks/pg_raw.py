"""The issuing transaction's shape on PostgreSQL alone, without the server: what the database
and its fsync allow, to read the city's issuing rate against.

One connection per hall (or several: the issuance rows on PostgreSQL run one hall's kiosks),
all at once, each committing one ticket per transaction (no group
commit): lock the hall's row, bump the category's counter (`UPDATE … RETURNING`), insert a
ticket row and an event row, commit — durable, like the server's. Scratch tables in a scratch
database of the same cluster.
"""

import threading
import time
from dataclasses import dataclass

from benchmarks.pgcluster import PostgresCluster

SCHEMA = (
    "CREATE TABLE hall_lock (code text PRIMARY KEY)",
    "CREATE TABLE counter (hall text, category text, last integer NOT NULL DEFAULT 0,"
    " PRIMARY KEY (hall, category))",
    "CREATE TABLE ticket (id bigserial PRIMARY KEY, hall text NOT NULL, service_day date NOT NULL,"
    " category text NOT NULL, number text NOT NULL, sequence integer NOT NULL,"
    " status text NOT NULL, public_code text NOT NULL, issued_at timestamptz NOT NULL,"
    " queue_key timestamptz NOT NULL)",
    "CREATE TABLE event (seq bigserial PRIMARY KEY, hall text NOT NULL, type text NOT NULL,"
    " at timestamptz NOT NULL, payload jsonb NOT NULL)",
)
CATEGORIES = ("consult", "general", "enterprise", "pickup")


@dataclass(frozen=True, slots=True)
class RawRate:
    connections: int
    seconds: float
    transactions: int

    @property
    def per_second(self) -> float:
        return self.transactions / self.seconds

    def as_dict(self) -> dict[str, object]:
        return {
            "connections": self.connections,
            "seconds": round(self.seconds, 3),
            "transactions": self.transactions,
            "per_second": round(self.per_second, 1),
        }


def _issue_loop(
    cluster: PostgresCluster, database: str, hall: str, until: float, counts: list[int]
) -> None:
    with cluster.connect(database, autocommit=False) as connection:
        issued = 0
        while time.monotonic() < until:
            category = CATEGORIES[issued % len(CATEGORIES)]
            connection.execute("SELECT code FROM hall_lock WHERE code = %s FOR UPDATE", (hall,))
            row = connection.execute(
                "UPDATE counter SET last = last + 1 WHERE hall = %s AND category = %s"
                " RETURNING last",
                (hall, category),
            ).fetchone()
            sequence = int(str(row[0])) if row else 0
            connection.execute(
                "INSERT INTO ticket (hall, service_day, category, number, sequence, status,"
                " public_code, issued_at, queue_key)"
                " VALUES (%s, current_date, %s, %s, %s, 'waiting', %s, now(), now())",
                (hall, category, f"A{sequence:03d}", sequence, f"{hall}{sequence}"),
            )
            connection.execute(
                "INSERT INTO event (hall, type, at, payload) VALUES (%s, 'ticket.issued', now(),"
                " jsonb_build_object('number', %s::text, 'category', %s::text))",
                (hall, f"A{sequence:03d}", category),
            )
            connection.commit()
            issued += 1
        counts.append(issued)


def measure(
    cluster: PostgresCluster, halls: list[str], *, seconds: float, connections_per_hall: int = 1
) -> RawRate:
    """Every hall's connections issuing for `seconds` at once."""
    database = cluster.create_database(name="yimen_raw_shape")
    try:
        with cluster.connect(database) as connection:
            for statement in SCHEMA:
                connection.execute(statement)
            for hall in halls:
                connection.execute("INSERT INTO hall_lock VALUES (%s)", (hall,))
                for category in CATEGORIES:
                    connection.execute("INSERT INTO counter VALUES (%s, %s, 0)", (hall, category))
        counts: list[int] = []
        began = time.monotonic()
        until = began + seconds
        threads = [
            threading.Thread(target=_issue_loop, args=(cluster, database, hall, until, counts))
            for hall in halls
            for _ in range(connections_per_hall)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if len(counts) != len(threads):
            raise RuntimeError(f"{len(threads) - len(counts)} raw PostgreSQL connection(s) failed")
        return RawRate(len(threads), time.monotonic() - began, sum(counts))
    finally:
        cluster.drop_database(database)
