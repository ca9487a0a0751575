"""The status pages of a hall share one view task instead of each page reading its own ticket
after every event.

The task (started when the first page of the hall opens, stopped with the last) follows the
hall's hub with one subscription. For each event it asks the pure `domain/status_pages.py`
which open pages the event may change, waits a moment for the rest of a burst, reads the views
of those pages in one batch (a fixed number of queries however many pages), encodes each view
once, and leaves the same text in the outbox of every page open on that code. Every page is
also read again at least once a heartbeat, batched with the others due about then: a 市域通办
case moves in other halls, whose events never reach this hall's stream.
"""

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from queue_server.domain.status_pages import PageTicket, concerned, parse_event
from queue_server.events import EventHub, Subscriber

log = logging.getLogger(__name__)

ViewReader = Callable[[frozenset[str]], Awaitable[dict[str, tuple[str, PageTicket]]]]
"""Reads the views of some codes: per code found, the encoded message and its ticket."""

RETRY_SECONDS = 1.0
"""After a failed read, its pages are read again this soon."""


@dataclass(eq=False)
class Outbox:
    """The newest encoded view not yet sent to one page: a slow page skips to the latest.
    `floor`: views from reads that started before the page's own first read are dropped."""

    floor: int = 0
    _text: str | None = None
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    def put(self, text: str, mark: int) -> None:
        if mark <= self.floor:
            return
        self._text = text
        self._ready.set()

    async def take(self) -> str:
        while self._text is None:
            await self._ready.wait()
            self._ready.clear()
        text, self._text = self._text, None
        return text


@dataclass(eq=False)
class _Code:
    """The pages open on one code: its ticket as last read, and when it is due a heartbeat."""

    ticket: PageTicket
    due: float
    outboxes: set[Outbox] = field(default_factory=set)


class HallStatusView:
    """One hall's shared status view: one hub subscription, one batched read per burst."""

    def __init__(
        self,
        hub: EventHub,
        read: ViewReader,
        *,
        mark: Callable[[], int],
        heartbeat: float,
        settle: float,
    ) -> None:
        self._hub = hub
        self._read = read
        self._mark = mark
        self._heartbeat = heartbeat
        self._settle = settle
        self._codes: dict[str, _Code] = {}
        self._subscription: contextlib.ExitStack | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def empty(self) -> bool:
        return not self._codes

    def start(self) -> None:
        """Subscribe now (so no event published from here on is missed), then follow."""
        self._subscription = contextlib.ExitStack()
        subscriber = self._subscription.enter_context(self._hub.subscribe())
        self._task = asyncio.get_running_loop().create_task(self._follow(subscriber))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._subscription is not None:
            self._subscription.close()

    def open(self, code: str, ticket: PageTicket, floor: int) -> Outbox:
        outbox = Outbox(floor=floor)
        now = asyncio.get_running_loop().time()
        entry = self._codes.setdefault(code, _Code(ticket=ticket, due=now + self._heartbeat))
        entry.outboxes.add(outbox)
        return outbox

    def close(self, code: str, outbox: Outbox) -> None:
        entry = self._codes.get(code)
        if entry is None:
            return
        entry.outboxes.discard(outbox)
        if not entry.outboxes:
            del self._codes[code]

    async def _follow(self, subscriber: Subscriber) -> None:
        loop = asyncio.get_running_loop()
        while True:
            codes = await self._next_reads(subscriber, loop)
            if codes:
                await self._refresh(codes, loop)

    def _due(self, until: float) -> set[str]:
        return {code for code, entry in self._codes.items() if entry.due <= until}

    async def _next_reads(
        self, subscriber: Subscriber, loop: asyncio.AbstractEventLoop
    ) -> set[str]:
        """The codes to read next: those the next concerning events may change (after the
        rest of their burst), all of them after an overflow, and those due a heartbeat."""
        if subscriber.overflowed.is_set():
            _drain(subscriber)
            subscriber.overflowed.clear()
            return set(self._codes)
        now = loop.time()
        if self._due(now):
            return self._due(now + self._heartbeat / 4)
        earliest = min((entry.due for entry in self._codes.values()), default=now + 1.0)
        try:
            _, text = await asyncio.wait_for(subscriber.queue.get(), max(0.0, earliest - now))
        except TimeoutError:
            return set()
        codes = self._concerned(text)
        if not codes:
            return set()
        await asyncio.sleep(self._settle)
        for text in _drain(subscriber):
            codes |= self._concerned(text)
        return codes | self._due(loop.time() + self._heartbeat / 4)

    def _concerned(self, text: str) -> set[str]:
        tickets = {code: entry.ticket for code, entry in self._codes.items()}
        return concerned(parse_event(text), tickets)

    async def _refresh(self, codes: set[str], loop: asyncio.AbstractEventLoop) -> None:
        mark = self._mark()
        try:
            views = await self._read(frozenset(codes))
        except Exception:
            log.exception("reading %d status pages' views failed; retrying", len(codes))
            retry = loop.time() + RETRY_SECONDS
            for code in codes:
                if code in self._codes:
                    self._codes[code].due = min(self._codes[code].due, retry)
            return
        due = loop.time() + self._heartbeat
        for code in codes:
            entry = self._codes.get(code)
            if entry is None:
                continue  # its last page closed meanwhile
            entry.due = due
            found = views.get(code)
            if found is None:
                continue
            text, entry.ticket = found
            for outbox in entry.outboxes:
                outbox.put(text, mark)


def _drain(subscriber: Subscriber) -> list[str]:
    texts = []
    while not subscriber.queue.empty():
        texts.append(subscriber.queue.get_nowait()[1])
    return texts


class StatusViews:
    """Every hall's shared status view in this app, each while a page of its hall is open.
    Built with the app's resources, so two apps in one process (the tests) never share one."""

    def __init__(self) -> None:
        self._halls: dict[str, HallStatusView] = {}
        self._marks = itertools.count(1)

    def mark(self) -> int:
        """A number that grows with every read begun: a page's own first read takes one, so
        that views read before it are not sent after it."""
        return next(self._marks)

    def open(
        self,
        hall: str,
        code: str,
        ticket: PageTicket,
        *,
        floor: int,
        build: Callable[[], HallStatusView],
    ) -> Outbox:
        view = self._halls.get(hall)
        if view is None:
            view = self._halls[hall] = build()
            view.start()
        return view.open(code, ticket, floor)

    def close(self, hall: str, code: str, outbox: Outbox) -> None:
        view = self._halls.get(hall)
        if view is None:
            return
        view.close(code, outbox)
        if view.empty:
            view.stop()
            del self._halls[hall]

    def following(self) -> list[str]:
        """The halls whose status view runs now."""
        return sorted(self._halls)
