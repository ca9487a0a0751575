"""Call → board across a city: 4 halls × 25 boards listening, a clerk per hall calling, on
server processes sharing one PostgreSQL.

Each hall's boards (with that hall's board token) are spread round robin over the processes;
hall N's clerk uses process N mod P. A board on the clerk's own process hears the call from
the commit at once; a board on another process hears it when that process's event tailer
reads the log: woken by PostgreSQL's NOTIFY at the commit, or at its next poll
(`YIMEN_POLL_SECONDS`, 1 s by default) if a notice was lost. The figure is measured from the
clerk's `call-next` HTTP answer to each board reading `ticket.called` (negative when a board
heard the call before the clerk read the answer); the boards run in a process of their own
(`benchmarks/boards.py`), both stamping with CLOCK_MONOTONIC.
"""

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from benchmarks import boards as board_process
from benchmarks.checks import Check
from benchmarks.city import RunningCity
from benchmarks.hall import issue_tickets, signed_in
from benchmarks.stats import Latency
from benchmarks.ws_delivery import call_one_after_another, listening_boards

BOARDS_PER_HALL = 25
WINDOW_NO = 2
"""综合受理 in every hall of the city; it serves `general`."""
CATEGORY = "general"
WARMUP_CALLS = 3
CALL_GAP_SECONDS = 0.1
"""Between one call's last (untimed) step and the hall's next call."""


@dataclass(frozen=True, slots=True)
class CityDeliveryRun:
    boards: int
    calls: int
    """Calls measured, over every hall."""
    delivery: Latency
    """Every (call, board) pair, from the clerk's answer."""
    same_process: Latency
    """Boards connected to the process the clerk called through."""
    other_process: Latency | None
    """Boards connected to another process (None with one process)."""
    call_request: Latency
    checks: list[Check]

    def as_dict(self) -> dict[str, object]:
        return {
            "boards": self.boards,
            "calls": self.calls,
            "answer_to_board_ms": self.delivery.as_dict(),
            "same_process_ms": self.same_process.as_dict(),
            "other_process_ms": self.other_process.as_dict() if self.other_process else None,
            "call_request_ms": self.call_request.as_dict(),
            "checks": [check.as_dict() for check in self.checks],
        }


@dataclass(frozen=True, slots=True)
class _Group:
    """The boards of one hall on one process."""

    hall: int
    server: int
    boards: int


async def _clerk(
    city: RunningCity, hall: int, total: int, deadline: float
) -> dict[int, tuple[float, float]]:
    """Call `total` tickets at one window of hall `hall`; returns, per measured ticket id, the
    moments the call was sent and answered."""
    code = city.codes[hall]
    accounts = city.seeded.accounts
    server = city.spread(hall)
    token = accounts.token(accounts.hall(code).clerks[0])
    async with contextlib.aclosing(await signed_in(server, token, WINDOW_NO)) as clerk:
        return await call_one_after_another(
            clerk,
            window_no=WINDOW_NO,
            total=total,
            warmup=WARMUP_CALLS,
            gap=CALL_GAP_SECONDS,
            deadline=deadline,
        )


async def run_once(
    city: RunningCity, *, boards_per_hall: int, calls: int, time_limit: float
) -> CityDeliveryRun:
    total = WARMUP_CALLS + calls
    accounts = city.seeded.accounts
    await asyncio.gather(
        *(
            issue_tickets(
                city.servers[0], [CATEGORY] * total, kiosk_token=accounts.hall(code).kiosk_token
            )
            for code in city.codes
        )
    )
    groups: list[_Group] = []
    for hall in range(len(city.codes)):
        for server in range(len(city.servers)):
            count = len(range(server, boards_per_hall, len(city.servers)))  # round robin
            if count:
                groups.append(_Group(hall, server, count))
    urls = [
        (
            f"{city.servers[group.server].ws_url}/ws"
            f"?token={accounts.hall(city.codes[group.hall]).board_token}",
            group.boards,
        )
        for group in groups
    ]
    async with listening_boards(urls, total, time_limit) as listening:
        deadline = board_process.now() + time_limit
        sent = await asyncio.gather(
            *(_clerk(city, hall, total, deadline) for hall in range(len(city.codes)))
        )
        report = await listening.result()
    city.check_alive()
    return _measure(city, groups, sent, report, boards_per_hall)


def _measure(
    city: RunningCity,
    groups: list[_Group],
    sent: list[dict[int, tuple[float, float]]],
    report: dict[str, Any],
    boards_per_hall: int,
) -> CityDeliveryRun:
    arrivals: list[dict[str, list[float]]] = report["arrivals"]
    same: list[float] = []
    other: list[float] = []
    missing = 0
    for group, heard_by_ticket in zip(groups, arrivals, strict=True):
        clerk_server = group.hall % len(city.servers)  # as `city.spread(hall)` chose
        into = same if group.server == clerk_server else other
        for ticket_id, (_, answered_at) in sent[group.hall].items():
            heard = heard_by_ticket.get(str(ticket_id), [])
            missing += group.boards - len(heard)
            into.extend(at - answered_at for at in heard)
    calls = sum(len(measured) for measured in sent)
    if not same:
        raise RuntimeError("no board heard any call")
    boards = boards_per_hall * len(city.codes)
    checks = [
        Check(
            f"{len(city.codes)} halls × {boards_per_hall} boards on {len(city.servers)} "
            "process(es): every board heard every call of its hall once, in seq order, no resync",
            missing == 0 and report["disorder"] == 0 and report["resyncs"] == 0,
            f"{missing} (call, board) deliveries missing, {report['disorder']} repeated or "
            f"out of order, {report['resyncs']} snapshots after the first",
        )
    ]
    return CityDeliveryRun(
        boards=boards,
        calls=calls,
        delivery=Latency.of_seconds(same + other),
        same_process=Latency.of_seconds(same),
        other_process=Latency.of_seconds(other) if other else None,
        call_request=Latency.of_seconds(
            [answered - at for measured in sent for at, answered in measured.values()]
        ),
        checks=checks,
    )
