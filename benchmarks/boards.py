"""Board subscribers in a process of their own:
`python -m benchmarks.boards CALLS TIME_LIMIT URL COUNT [URL COUNT ...]`.

Opens COUNT websocket connections to each URL (a group: one hall on one server process),
waits until each has its snapshot, prints
`READY`, then stamps the arrival of every `ticket.called` event on every connection with the
system-wide monotonic clock (CLOCK_MONOTONIC, the same one the caller stamps its calls with).
When every board has heard CALLS calls, or after a time limit, it writes its report to a
temporary JSON file and prints one line `RESULT <path>`: arrival times per ticket id for each
group (in the order given), and the count of events out of order, repeated, or replaced by a
resync snapshot. (Printed on stdout, a 100-board report of ~180 KB now and then reached the
parent cut at 128 KiB, with no error on either side.)

Each message is inspected as cheaply as possible (a substring test; only calls are parsed),
so that the subscribers measure the server and not themselves.
"""

import asyncio
import contextlib
import json
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect

READY = "READY"
RESULT_PREFIX = "RESULT "
CONNECT_TIMEOUT_SECONDS = 30.0
CONNECT_AT_ONCE = 50
CALLED_MARK = '"type":"ticket.called"'
SNAPSHOT_MARK = '"type":"snapshot"'
HEARTBEAT_MARK = '"type":"heartbeat"'
SEQ_PREFIX = '{"seq":'


def now() -> float:
    return time.clock_gettime(time.CLOCK_MONOTONIC)


@dataclass(eq=False)
class Board:
    last_seq: int
    heard: set[int] = field(default_factory=set)
    disorder: int = 0
    resyncs: int = 0


def _seq_of(raw: str) -> int | None:
    if not raw.startswith(SEQ_PREFIX):
        return None
    return int(raw[len(SEQ_PREFIX) : raw.index(",", len(SEQ_PREFIX))])


@dataclass(eq=False)
class Progress:
    """How many boards have heard every call; `done` is set when all have."""

    boards: int
    complete: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def board_complete(self) -> None:
        self.complete += 1
        if self.complete >= self.boards:
            self.done.set()


async def _listen(
    connection: ClientConnection,
    board: Board,
    arrivals: dict[int, list[float]],
    calls: int,
    progress: Progress,
) -> None:
    async for raw in connection:
        received_at = now()
        text = raw if isinstance(raw, str) else raw.decode()
        if SNAPSHOT_MARK in text:
            board.resyncs += 1
            continue
        if HEARTBEAT_MARK in text:
            continue
        seq = _seq_of(text)
        if seq is not None:
            if seq <= board.last_seq:
                board.disorder += 1
            board.last_seq = max(board.last_seq, seq)
        if CALLED_MARK not in text:
            continue
        ticket_id = int(json.loads(text)["ticket"]["id"])
        if ticket_id in board.heard:
            board.disorder += 1
            continue
        board.heard.add(ticket_id)
        arrivals.setdefault(ticket_id, []).append(received_at)
        if len(board.heard) == calls:
            progress.board_complete()


async def _open(url: str) -> tuple[ClientConnection, Board]:
    connection = await connect(url, open_timeout=CONNECT_TIMEOUT_SECONDS, proxy=None)
    first = json.loads(await asyncio.wait_for(connection.recv(), CONNECT_TIMEOUT_SECONDS))
    if first.get("type") != "snapshot":
        raise RuntimeError(f"a board's first message was {first.get('type')!r}")
    return connection, Board(last_seq=int(first["seq"]))


async def run(groups: list[tuple[str, int]], calls: int, limit: float) -> dict[str, object]:
    """`groups`: (URL, number of boards) pairs."""
    opened: list[tuple[ClientConnection, Board]] = []
    arrivals: list[dict[int, list[float]]] = [{} for _ in groups]
    group_of: list[int] = []
    count = sum(boards for _, boards in groups)
    try:
        urls = [(index, url) for index, (url, boards) in enumerate(groups) for _ in range(boards)]
        for start in range(0, count, CONNECT_AT_ONCE):
            chunk = urls[start : start + CONNECT_AT_ONCE]
            opened.extend(await asyncio.gather(*(_open(url) for _, url in chunk)))
            group_of.extend(index for index, _ in chunk)
        progress = Progress(boards=count)
        listeners = [
            asyncio.create_task(
                _listen(connection, board, arrivals[group_of[index]], calls, progress)
            )
            for index, (connection, board) in enumerate(opened)
        ]
        print(READY, flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(progress.done.wait(), limit)
        for listener in listeners:
            listener.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        boards = [board for _, board in opened]
        return {
            "boards": count,
            "complete": progress.complete,
            "disorder": sum(board.disorder for board in boards),
            "resyncs": sum(board.resyncs for board in boards),
            "arrivals": [
                {str(ticket): times for ticket, times in group.items()} for group in arrivals
            ],
        }
    finally:
        await asyncio.gather(
            *(connection.close() for connection, _ in opened), return_exceptions=True
        )


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str]) -> int:
    if len(argv) < 4 or len(argv) % 2:
        print(
            "usage: python -m benchmarks.boards CALLS TIME_LIMIT WS_URL COUNT [WS_URL COUNT ...]",
            file=sys.stderr,
        )
        return 2
    calls, limit = int(argv[0]), float(argv[1])
    groups = [(argv[index], int(argv[index + 1])) for index in range(2, len(argv), 2)]
    raise_file_limit()
    import uvloop  # uvicorn[standard] brings it; the boards read faster on it

    result = uvloop.run(run(groups, calls, limit))
    with tempfile.NamedTemporaryFile(
        "w", prefix="yimen-boards-", suffix=".json", delete=False
    ) as report:
        json.dump(result, report)
    print(RESULT_PREFIX + report.name, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
