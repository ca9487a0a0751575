"""Applicants' status pages in a process of their own: `python -m benchmarks.pages`.

Reads one JSON line on stdin, `{"pages": [[ws_url, category], …]}`, opens every page
(`/ws/t/{public_code}`), waits for each one's first `ticket_status`, and prints `READY`. Then,
for each line `CALL <category> <sent_at>` (sent_at on CLOCK_MONOTONIC, the machine's one
clock), it waits until every page of that category whose ticket was waiting when the call was
sent has received a view that differs from the one it had (the called ticket is `called`, the
others have one fewer `ahead`), or `PER_CALL_LIMIT_SECONDS` pass, and prints
`HEARD {"delays": [seconds after sent_at, …], "concerned": n, "missing": n}`. `END` closes
every page and ends the process.

A page's view is reduced to (status, ahead): the heartbeat's re-sent view, or one whose only
change is its `updated_at`, is not an update.
"""

import asyncio
import contextlib
import json
import sys
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect

from benchmarks.boards import CONNECT_AT_ONCE, CONNECT_TIMEOUT_SECONDS, now, raise_file_limit

READY = "READY"
HEARD_PREFIX = "HEARD "
CALL = "CALL"
END = "END"
PER_CALL_LIMIT_SECONDS = 60.0
STATUS_MARK = '"type":"ticket_status"'

View = tuple[str, int | None]
"""(status, ahead): what a call changes on a page."""


def view_of(text: str) -> View | None:
    """The (status, ahead) of a `ticket_status` message; None for any other message."""
    if STATUS_MARK not in text:
        return None
    ticket = json.loads(text)["ticket"]
    return str(ticket["status"]), ticket.get("ahead")


@dataclass(eq=False)
class Page:
    category: str
    initial: View
    changes: list[tuple[float, View]] = field(default_factory=list)
    """Every view that differed from the one before it, with when it arrived."""

    def view_before(self, moment: float) -> View:
        latest = self.initial
        for arrived, view in self.changes:
            if arrived >= moment:
                break
            latest = view
        return latest

    def first_change_after(self, moment: float) -> float | None:
        for arrived, _ in self.changes:
            if arrived >= moment:
                return arrived
        return None


async def _listen(connection: ClientConnection, page: Page, arrived: asyncio.Event) -> None:
    async for raw in connection:
        received_at = now()
        view = view_of(raw if isinstance(raw, str) else raw.decode())
        if view is None:
            continue
        last = page.changes[-1][1] if page.changes else page.initial
        if view != last:
            page.changes.append((received_at, view))
            arrived.set()


async def _open(url: str, category: str) -> tuple[ClientConnection, Page]:
    connection = await connect(url, open_timeout=CONNECT_TIMEOUT_SECONDS, proxy=None)
    first = await asyncio.wait_for(connection.recv(), CONNECT_TIMEOUT_SECONDS)
    view = view_of(first if isinstance(first, str) else first.decode())
    if view is None:
        raise RuntimeError(f"a status page's first message was not its view: {first!r:.200}")
    return connection, Page(category=category, initial=view)


async def _heard(pages: list[Page], category: str, sent_at: float, arrived: asyncio.Event) -> str:
    """Wait until every concerned page has changed since `sent_at`; the HEARD line."""
    concerned = [
        page
        for page in pages
        if page.category == category and page.view_before(sent_at)[0] == "waiting"
    ]
    deadline = sent_at + PER_CALL_LIMIT_SECONDS
    while True:
        delays = [page.first_change_after(sent_at) for page in concerned]
        if all(delay is not None for delay in delays) or now() > deadline:
            break
        arrived.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(arrived.wait(), max(0.0, deadline - now()))
    found = [delay - sent_at for delay in delays if delay is not None]
    report = {"delays": found, "concerned": len(concerned), "missing": len(delays) - len(found)}
    return HEARD_PREFIX + json.dumps(report)


async def _lines() -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def run() -> None:
    stdin = await _lines()
    wanted: list[list[str]] = json.loads(await stdin.readline())["pages"]
    opened: list[tuple[ClientConnection, Page]] = []
    arrived = asyncio.Event()
    listeners: list[asyncio.Task[None]] = []
    try:
        for start in range(0, len(wanted), CONNECT_AT_ONCE):
            chunk = wanted[start : start + CONNECT_AT_ONCE]
            opened.extend(await asyncio.gather(*(_open(url, category) for url, category in chunk)))
        listeners = [
            asyncio.create_task(_listen(connection, page, arrived)) for connection, page in opened
        ]
        pages = [page for _, page in opened]
        print(READY, flush=True)
        while line := (await stdin.readline()).decode().strip():
            if line == END:
                break
            command, category, sent_at = line.split()
            if command != CALL:
                raise ValueError(f"unknown command {line!r}")
            print(await _heard(pages, category, float(sent_at), arrived), flush=True)
    finally:
        for listener in listeners:
            listener.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        await asyncio.gather(
            *(connection.close() for connection, _ in opened), return_exceptions=True
        )


def main() -> int:
    raise_file_limit()
    import uvloop  # uvicorn[standard] brings it; the pages read faster on it

    uvloop.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
