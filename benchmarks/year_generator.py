"""Generates a year of one busy hall straight into a database: about 300,000 tickets and two
million events (tickets, windows, pauses, evaluations, 办不成事 cases), then rolls up every
day as the server's watch would.

    .venv/bin/python -m benchmarks.year_generator --out year.db [--days 365] [--per-day 960]

The hall is the default one. Each category's queue is simulated first come, first served at
the windows that list it first; service times are exponential around the category's
`service_minutes`; 5 % no-shows (a third of them requeued), 3 % transfers, 2 % cancellations,
10 % recalls; every window signs in and out and pauses twice a day. Sundays are closed.
"""

import heapq
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from queue_server.app import prepare_database
from queue_server.city import city_of_one
from queue_server.config import HallConfig, load_hall_config
from queue_server.db import Database
from queue_server.domain.enums import Role
from queue_server.domain.numbering import format_number, service_day_start
from queue_server.models import User
from queue_server.services import stats_rollups

FIRST_DAY = date(2025, 1, 1)
OPENING = timedelta(hours=8, minutes=30)
CLOSING = timedelta(hours=17)
PAUSE_REASONS = ("休息", "会议", "系统故障", "业务咨询")


@dataclass(frozen=True, slots=True)
class YearSize:
    days: int
    tickets: int
    events: int
    open_days: int


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class DayWriter:
    """Collects one day's events and tickets, then writes them in log (time) order."""

    def __init__(self, hall: HallConfig, day: date, next_ticket_id: int) -> None:
        self.hall = hall
        self.day = day
        self.next_id = next_ticket_id
        self.events: list[tuple[datetime, int, tuple[Any, ...]]] = []
        self.tickets: list[tuple[Any, ...]] = []
        self._order = 0

    def event(
        self,
        type: str,
        at: datetime,
        *,
        ticket: dict[str, Any] | None = None,
        window_no: int | None = None,
        clerk: int | None = None,
        category: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        payload: dict[str, Any] = {"type": type, "at": at.astimezone(UTC).isoformat()}
        if ticket is not None:
            payload["ticket"] = ticket
        if extra:
            payload |= extra
        self._order += 1
        self.events.append(
            (
                at,
                self._order,
                (
                    type,
                    _stamp(at),
                    self.day.isoformat(),
                    ticket["id"] if ticket else None,
                    window_no,
                    clerk,
                    category or (ticket["category"] if ticket else None),
                    json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                ),
            )
        )

    def rows(self) -> Iterator[tuple[Any, ...]]:
        for _, _, row in sorted(self.events, key=lambda item: (item[0], item[1])):
            yield row


def _ticket(
    ticket_id: int, number: str, category: str, status: str, window: int | None
) -> dict[str, Any]:
    return {
        "id": ticket_id,
        "number": number,
        "category": category,
        "status": status,
        "window_no": window,
    }


def simulate_day(
    writer: DayWriter, rng: random.Random, *, per_day: int, clerks: dict[int, int]
) -> int:
    """Play one day; returns the number of tickets issued."""
    hall = writer.hall
    start = service_day_start(day=writer.day, tz=hall.tz, start_hour=0)
    opening, closing = start + OPENING, start + CLOSING
    windows_of: dict[str, list[int]] = {c.code: [] for c in hall.categories}
    for window in hall.windows:
        windows_of[window.categories[0]].append(window.number)
    weights = {
        "consult": 20,
        "general": 45,
        "enterprise": 10,
        "unresolved": 2,
        "assist": 5,
        "pickup": 13,
        "cross_region": 5,
    }
    for window in hall.windows:
        writer.event(
            "window.signed_in",
            opening - timedelta(minutes=10),
            window_no=window.number,
            clerk=clerks[window.number],
        )
        for _ in range(2):
            begin = opening + timedelta(seconds=rng.uniform(3600, 7 * 3600))
            extra = {"reason": rng.choice(PAUSE_REASONS)}
            writer.event(
                "window.paused",
                begin,
                window_no=window.number,
                clerk=clerks[window.number],
                extra=extra,
            )
            writer.event(
                "window.resumed",
                begin + timedelta(minutes=rng.uniform(3, 20)),
                window_no=window.number,
                clerk=clerks[window.number],
                extra=extra,
            )
        writer.event(
            "window.signed_out",
            closing + timedelta(minutes=40),
            window_no=window.number,
            clerk=clerks[window.number],
        )
    count = max(1, int(rng.gauss(per_day, per_day * 0.1)))
    span = (closing - opening).total_seconds()
    arrivals = sorted(
        opening + timedelta(seconds=min(span, abs(rng.gauss(0.35, 0.22)) * span))
        for _ in range(count)
    )
    by_category: dict[str, list[datetime]] = {code: [] for code in weights}
    codes, shares = list(weights), list(weights.values())
    for moment in arrivals:
        by_category[rng.choices(codes, shares)[0]].append(moment)
    issued = 0
    for code, moments in by_category.items():
        category = hall.category_by_code[code]
        free = [(opening, number) for number in windows_of[code] or [hall.windows[0].number]]
        heapq.heapify(free)
        for sequence, issued_at in enumerate(moments, start=1):
            issued += 1
            number = format_number(prefix=category.prefix, sequence=sequence)
            ticket_id = writer.next_id
            writer.next_id += 1
            _serve(
                writer,
                rng,
                free,
                clerks,
                ticket_id,
                number,
                code,
                issued_at,
                category.service_minutes * 60,
                first=True,
            )
    return issued


def _serve(
    writer: DayWriter,
    rng: random.Random,
    free: list[tuple[datetime, int]],
    clerks: dict[int, int],
    ticket_id: int,
    number: str,
    code: str,
    queued_at: datetime,
    mean_service: float,
    *,
    first: bool,
    hop: int = 0,
) -> None:
    def ticket(status: str, window: int | None) -> dict[str, Any]:
        return _ticket(ticket_id, number, code, status, window)

    if first:
        writer.event("ticket.issued", queued_at, ticket=ticket("waiting", None))
    if rng.random() < 0.02:
        writer.event(
            "ticket.cancelled",
            queued_at + timedelta(minutes=rng.uniform(1, 30)),
            ticket=ticket("cancelled", None),
        )
        writer.tickets.append((ticket_id, code, number, hop, "cancelled", queued_at, None, None))
        return
    free_at, window = heapq.heappop(free)
    called = max(free_at, queued_at) + timedelta(seconds=rng.uniform(5, 40))
    clerk = clerks[window]
    writer.event(
        "ticket.called", called, ticket=ticket("called", window), window_no=window, clerk=clerk
    )
    if rng.random() < 0.10:
        writer.event(
            "ticket.recalled",
            called + timedelta(seconds=30),
            ticket=ticket("called", window),
            window_no=window,
            clerk=clerk,
        )
    if rng.random() < 0.05:
        gone = called + timedelta(seconds=90)
        writer.event(
            "ticket.no_show", gone, ticket=ticket("no_show", window), window_no=window, clerk=clerk
        )
        heapq.heappush(free, (gone, window))
        if rng.random() < 0.33:
            back = gone + timedelta(minutes=rng.uniform(2, 15))
            writer.event(
                "ticket.requeued",
                back,
                ticket=ticket("waiting", None),
                window_no=window,
                clerk=clerk,
            )
            free_at, window = heapq.heappop(free)
            called = max(free_at, back) + timedelta(seconds=rng.uniform(5, 40))
            clerk = clerks[window]
            writer.event(
                "ticket.called",
                called,
                ticket=ticket("called", window),
                window_no=window,
                clerk=clerk,
            )
        else:
            writer.tickets.append(
                (ticket_id, code, number, hop, "no_show", queued_at, called, window)
            )
            return
    started = called + timedelta(seconds=rng.uniform(10, 60))
    writer.event(
        "ticket.started", started, ticket=ticket("serving", window), window_no=window, clerk=clerk
    )
    finished = started + timedelta(seconds=max(30.0, rng.expovariate(1 / mean_service)))
    heapq.heappush(free, (finished, window))
    if hop == 0 and rng.random() < 0.03:
        successor = writer.next_id
        writer.next_id += 1
        target = "enterprise" if code != "enterprise" else "general"
        writer.event(
            "ticket.transferred",
            finished,
            ticket=ticket("transferred", window),
            window_no=window,
            clerk=clerk,
            extra={
                "new_ticket": _ticket(successor, number, target, "waiting", None),
                "reason": "转其他窗口",
            },
        )
        writer.tickets.append(
            (ticket_id, code, number, hop, "transferred", queued_at, called, window)
        )
        _serve(
            writer,
            rng,
            free,
            clerks,
            successor,
            number,
            target,
            finished,
            mean_service,
            first=False,
            hop=1,
        )
        return
    writer.event(
        "ticket.finished", finished, ticket=ticket("done", window), window_no=window, clerk=clerk
    )
    writer.tickets.append((ticket_id, code, number, hop, "done", queued_at, called, window))
    level = rng.choices([5, 4, 3, 2, 1], [70, 18, 7, 3, 2])[0]
    defaulted = rng.random() < 0.25
    evaluation = {
        "ticket_id": ticket_id,
        "number": number,
        "category": code,
        "window_no": window,
        "clerk": f"03{clerk:02d}",
        "level": 3 if defaulted else level,
        "defaulted": defaulted,
        "reasons": ["等候时间长"] if level <= 2 else [],
    }
    writer.event(
        "evaluation.submitted",
        finished + timedelta(seconds=20),
        category=code,
        window_no=window,
        extra=evaluation,
    )
    if code == "unresolved" or (level <= 2 and not defaulted):
        case_id = ticket_id
        due = writer.day + timedelta(days=rng.choice([0, 1, 3, 7, 15]))
        writer.event(
            "case.opened",
            finished + timedelta(seconds=30),
            category=code,
            extra={
                "case_id": case_id,
                "kind": "unresolved" if code == "unresolved" else "followup",
                "case_class": rng.choice(["simple", "ordinary", "legal", "hard", "special"]),
                "due": due.isoformat(),
                "ticket_id": ticket_id,
                "category": code,
            },
        )
        if rng.random() < 0.9:
            in_time = rng.random() < 0.85
            writer.event(
                "case.closed",
                finished + timedelta(hours=1),
                category=code,
                extra={
                    "case_id": case_id,
                    "closed_at": _stamp(finished + timedelta(hours=1)),
                    "in_time": in_time,
                },
            )


def _create_clerks(db: Database, hall: HallConfig) -> dict[int, int]:
    now = datetime.now(UTC)
    with db.write_session() as session:
        users = [
            User(
                name=f"year-clerk{window.number}",
                role=Role.CLERK,
                password_hash="!",
                display_name=f"窗口员{window.number}",
                staff_no=f"03{window.number:02d}",
                created_at=now,
            )
            for window in hall.windows
        ]
        session.add_all(users)
        session.flush()
        return {
            window.number: user.id or 0 for window, user in zip(hall.windows, users, strict=True)
        }


def generate(path: Path, *, days: int, per_day: int, seed: int = 6) -> YearSize:
    """Write the year into a fresh SQLite file at `path` and roll up every day."""
    hall = load_hall_config()
    db = Database(f"sqlite:///{path}")
    try:
        prepare_database(db, city_of_one(hall))
        clerks = _create_clerks(db, hall)
        rng = random.Random(seed)
        next_id, tickets, events, open_days = 1, 0, 0, 0
        for offset in range(days):
            day = FIRST_DAY + timedelta(days=offset)
            if day.weekday() == 6:
                continue
            open_days += 1
            writer = DayWriter(hall, day, next_id)
            tickets += simulate_day(writer, rng, per_day=per_day, clerks=clerks)
            next_id = writer.next_id
            rows = list(writer.rows())
            events += len(rows)
            _write(db, day, writer, rows, clerks)
        now = datetime.now(UTC)
        for offset in range(days):
            with db.write_session() as session:
                stats_rollups.roll_up(
                    session, hall=hall, day=FIRST_DAY + timedelta(days=offset), now=now
                )
        return YearSize(days=days, tickets=tickets, events=events, open_days=open_days)
    finally:
        db.dispose()


def _write(
    db: Database, day: date, writer: DayWriter, rows: list[tuple[Any, ...]], clerks: dict[int, int]
) -> None:
    with db.write_session() as session:
        connection = session.connection()
        connection.exec_driver_sql(
            "INSERT INTO event (hall, type, at, service_day, ticket_id, window_no, clerk_id,"
            " category, payload) VALUES ('main', ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        connection.exec_driver_sql(
            "INSERT INTO ticket (hall, id, service_day, category, number, sequence, hop, status,"
            " public_code, issued_at, queue_key, called_at, window_no, clerk_id, recall_count)"
            " VALUES ('main', ?, ?, ?, ?, 0, ?, ?, 'GENERATED', ?, ?, ?, ?, ?, 0)",
            [
                (
                    ticket_id,
                    day.isoformat(),
                    code,
                    number,
                    hop,
                    status,
                    _stamp(queued),
                    _stamp(queued),
                    _stamp(called) if called else None,
                    window,
                    clerks.get(window) if window else None,
                )
                for ticket_id, code, number, hop, status, queued, called, window in writer.tickets
            ],
        )


def main(
    out: Annotated[Path, typer.Option("--out", help="The SQLite file to create")],
    days: Annotated[int, typer.Option(help="Days from 2025-01-01")] = 365,
    per_day: Annotated[int, typer.Option("--per-day", help="Tickets on an open day")] = 960,
) -> None:
    if out.exists():
        raise typer.BadParameter(f"{out} exists; give a new file")
    begin = time.monotonic()
    size = generate(out, days=days, per_day=per_day)
    typer.echo(
        f"{size.tickets} tickets, {size.events} events over {size.open_days} open days "
        f"in {time.monotonic() - begin:.0f} s → {out}"
    )


if __name__ == "__main__":
    typer.run(main)
