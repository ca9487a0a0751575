"""The issuing transaction's shape on SQLite alone, without the server: what the disk and
SQLite allow, to read the issuing rate against (`0.12× raw`).

A copy of the seeded database (the real schema, its indexes and constraints) in the same
folder as the server's own file, so on the same disk; opened as `queue_server/db.py` opens it
(WAL, `synchronous=FULL`, foreign keys on, `secure_delete` on). `connections` threads, one
connection each (the kiosks), each committing one ticket per transaction: `BEGIN IMMEDIATE`,
bump the category's counter (`UPDATE … RETURNING`), insert a ticket row and its
`ticket.issued` event row, `COMMIT` — one fsync per ticket (the server group-commits instead).

The threads take turns through one lock around each transaction, as the server serialises its
writes: left to SQLite's busy handler, a waiting connection sleeps 1, 2, 5, 10… ms between
tries, and the rate measured would be that backoff's, not the disk's.
"""

import json
import secrets
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from benchmarks.pg_raw import RawRate

HALL = "main"
BUSY_TIMEOUT_SECONDS = 30.0
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA secure_delete=ON",
)
"""As `queue_server/db.py` sets them on every connection."""
PUBLIC_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

TAKE_NUMBER = (
    "UPDATE number_counter SET last_sequence = last_sequence + 1"
    " WHERE hall = ? AND service_day = ? AND category = ? RETURNING last_sequence"
)
INSERT_TICKET = (
    "INSERT INTO ticket (hall, service_day, category, number, sequence, hop, status,"
    " public_code, issued_at, queue_key, recall_count, return_visit)"
    " VALUES (?, ?, ?, ?, ?, 0, 'waiting', ?, ?, ?, 0, 0)"
)
INSERT_EVENT = (
    "INSERT INTO event (hall, type, at, service_day, ticket_id, category, payload)"
    " VALUES (?, 'ticket.issued', ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class Shape:
    """What every transaction writes into: the hall's day and its categories (with prefixes)."""

    day: date
    prefixes: dict[str, str]


def copy_database(seed_file: Path, directory: Path) -> Path:
    """The seeded file (and a WAL left beside it) copied into `directory`."""
    target = directory / "raw-shape.db"
    for suffix in ("", "-wal"):
        source = seed_file.with_name(seed_file.name + suffix)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + suffix))
    return target


def connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
    )
    for pragma in PRAGMAS:
        connection.execute(pragma)
    return connection


def _payload(number: str, category: str, code: str, at: str) -> str:
    """A `ticket.issued` payload of the real one's size."""
    return json.dumps(
        {
            "type": "ticket.issued",
            "at": at,
            "ticket": {
                "number": number,
                "category": category,
                "status": "waiting",
                "public_code": code,
                "issued_at": at,
                "queue_key": at,
                "hop": 0,
                "recall_count": 0,
            },
            "eta_minutes": 12,
            "ahead": 3,
        },
        ensure_ascii=False,
    )


def issue_one(connection: sqlite3.Connection, shape: Shape, category: str) -> int:
    """One ticket, one transaction, one commit; returns its sequence."""
    now = datetime.now(UTC).isoformat(sep=" ")
    code = "".join(secrets.choice(PUBLIC_CODE_ALPHABET) for _ in range(12))
    connection.execute("BEGIN IMMEDIATE")
    try:
        (sequence,) = connection.execute(TAKE_NUMBER, (HALL, shape.day, category)).fetchone()
        number = f"{shape.prefixes[category]}{sequence:03d}"
        cursor = connection.execute(
            INSERT_TICKET, (HALL, shape.day, category, number, sequence, code, now, now)
        )
        connection.execute(
            INSERT_EVENT,
            (
                HALL,
                now,
                shape.day,
                cursor.lastrowid,
                category,
                _payload(number, category, code, now),
            ),
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return int(sequence)


def _issue_loop(
    path: Path,
    shape: Shape,
    turns: threading.Lock,
    offset: int,
    until: float,
    counts: list[int],
) -> None:
    categories = list(shape.prefixes)
    connection = connect(path)
    try:
        issued = 0
        while time.monotonic() < until:
            with turns:
                issue_one(connection, shape, categories[(offset + issued) % len(categories)])
            issued += 1
        counts.append(issued)
    finally:
        connection.close()


def prepare(path: Path, prefixes: dict[str, str]) -> Shape:
    """Today's counters for every category, so that each transaction only bumps one."""
    shape = Shape(day=datetime.now(UTC).date(), prefixes=prefixes)
    connection = connect(path)
    try:
        connection.executemany(
            "INSERT OR IGNORE INTO number_counter (hall, service_day, category, last_sequence)"
            " VALUES (?, ?, ?, 0)",
            [(HALL, shape.day, category) for category in prefixes],
        )
    finally:
        connection.close()
    return shape


def measure(
    seed_file: Path, directory: Path, prefixes: dict[str, str], *, connections: int, seconds: float
) -> RawRate:
    """`connections` threads issuing for `seconds` into a copy of `seed_file` in `directory`
    (removed afterwards)."""
    path = copy_database(seed_file, directory)
    try:
        shape = prepare(path, prefixes)
        counts: list[int] = []
        turns = threading.Lock()
        began = time.monotonic()
        until = began + seconds
        threads = [
            threading.Thread(target=_issue_loop, args=(path, shape, turns, index, until, counts))
            for index in range(connections)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if len(counts) != connections:
            raise RuntimeError(f"{connections - len(counts)} raw SQLite connection(s) failed")
        return RawRate(connections, time.monotonic() - began, sum(counts))
    finally:
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
