"""Live fan-out of the event log to websocket subscribers.

Each hall has its own hub and its own stream: a subscriber follows one hall. Events this
process commits reach the hub straight from the commit when they follow on from what the hub
has published (see `journal.Appended`); otherwise, and for events other server processes
write, the hall's tailer reads new rows from the `event` table (woken at once by local writes,
and on a short poll). `seq` is unique across the city and increases within a hall in commit
order, since a hall's writes are serialised. Each event is encoded once and the same string
goes to every subscriber's bounded queue. A subscriber that falls behind is not waited for:
its queue is dropped and it is told to resync from a fresh snapshot.

Each event is kept in two encodings: the staff one (as stored) and a public one without the
free text that staff write (a transfer's or cancellation's reason, a pause reason, a finish
outcome, a zone repair case's summary and assignee, an inspection's note), which is all that
kiosks, boards, evaluator tablets and the zone's devices receive.
"""

import asyncio
import contextlib
import functools
import json
import logging
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from queue_server.db import Database
from queue_server.models import Event
from queue_server.services.journal import Appended

log = logging.getLogger(__name__)

TAIL_BATCH = 1000


def encode(event: Event) -> str:
    """The wire text of a stored event: its payload with `seq` put in front."""
    if event.seq is None:
        raise ValueError("event has no seq")
    body = event.payload[1:]
    return f'{{"seq":{event.seq},{body}' if body != "}" else f'{{"seq":{event.seq}}}'


_STAFF_TEXT_MARKERS = (
    '"reason"',
    '"outcome"',
    '"pause_reason"',
    '"summary"',
    '"note"',
    '"assignee"',
)
_ZONE_STAFF_EVENTS = ("repair.", "device.inspected")
"""Events of the zone whose payload carries what staff wrote: `summary`, `note`, `assignee`."""


def _drop(data: dict[str, object], key: str) -> bool:
    return data.pop(key, None) is not None


def public_text(text: str) -> str:
    """The event's wire text without staff free text (an event's `reason`: a transfer's,
    cancellation's or pause's reason, a finish outcome; a window's `pause_reason`; a
    ticket's `outcome`; a zone repair's `summary` and `assignee`, an inspection's `note`);
    the same string when it has none."""
    if not any(marker in text for marker in _STAFF_TEXT_MARKERS):
        return text
    data = json.loads(text)
    dropped = _drop(data, "reason")
    window = data.get("window")
    tickets = [data.get("ticket"), data.get("new_ticket")]
    if isinstance(window, dict):
        dropped = _drop(window, "pause_reason") or dropped
        tickets.append(window.get("current"))
    for ticket in tickets:
        if isinstance(ticket, dict):
            dropped = _drop(ticket, "outcome") or dropped
    payload = data.get("payload")
    if isinstance(payload, dict) and str(data.get("type", "")).startswith(_ZONE_STAFF_EVENTS):
        for key in ("summary", "note", "assignee"):
            dropped = _drop(payload, key) or dropped
    if not dropped:
        return text
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass(eq=False)
class Subscriber:
    queue: asyncio.Queue[tuple[int, str]]
    staff: bool = False
    """Staff get events as stored; everyone else their public encoding."""
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)


class EventHub:
    def __init__(self, *, queue_size: int, replay_size: int) -> None:
        self._queue_size = queue_size
        self._replay: deque[tuple[int, str, str]] = deque(maxlen=replay_size)
        """(seq, staff text, public text) of the latest events."""
        self._replay_base = 0
        self._subscribers: set[Subscriber] = set()
        self._wake = asyncio.Event()
        self.last_seq = 0

    def start_at(self, seq: int, history: list[tuple[int, str]]) -> None:
        """Begin after `seq`, with the most recent events for replay to reconnecting clients."""
        self.last_seq = seq
        self._replay.clear()
        self._replay.extend((seq, text, public_text(text)) for seq, text in history)
        self._replay_base = history[0][0] - 1 if history else seq

    def poke(self) -> None:
        """Tell the tailer that this process has just committed events."""
        self._wake.set()

    def publish_committed(self, events: list[tuple[int, str, int]]) -> None:
        """Publish events this process has just committed, without reading them back, as
        long as each follows on from the last published one (`previous`, the seq of the
        hall's event before it, is what this hub last published); on any gap (another
        process wrote in between) the tailer reads the log."""
        for seq, text, previous in events:
            if seq <= self.last_seq:
                continue
            if previous != self.last_seq:
                self.poke()
                return
            self.publish(seq, text)

    def publish(self, seq: int, text: str) -> None:
        if seq <= self.last_seq:
            return
        self.last_seq = seq
        if len(self._replay) == self._replay.maxlen:
            self._replay_base = self._replay[0][0]
        public = public_text(text)
        self._replay.append((seq, text, public))
        for subscriber in self._subscribers:
            if subscriber.overflowed.is_set():
                continue
            try:
                subscriber.queue.put_nowait((seq, text if subscriber.staff else public))
            except asyncio.QueueFull:
                log.warning("websocket subscriber fell behind at seq %d; it will resync", seq)
                subscriber.overflowed.set()

    def since(self, seq: int, *, staff: bool = False) -> list[tuple[int, str]] | None:
        """Events after `seq` (staff or public encoding), or None when they are no longer held
        (the client needs a snapshot). A `seq` beyond what this server knows also gets None."""
        if seq < self._replay_base or seq > self.last_seq:
            return None
        return [(s, text if staff else public) for s, text, public in self._replay if s > seq]

    @contextmanager
    def subscribe(self, *, staff: bool = False) -> Iterator[Subscriber]:
        subscriber = Subscriber(queue=asyncio.Queue(maxsize=self._queue_size), staff=staff)
        self._subscribers.add(subscriber)
        try:
            yield subscriber
        finally:
            self._subscribers.discard(subscriber)

    async def wait_for_news(self, patience: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), patience)
        self._wake.clear()


class EventHubs(dict[str, EventHub]):
    """Every hall's hub, by hall code."""


def _read_after(session: Session, *, hall: str, after: int, limit: int) -> list[Event]:
    return list(
        session.exec(
            select(Event)
            .where(Event.hall == hall, col(Event.seq) > after)
            .order_by(col(Event.seq))
            .limit(limit)
        ).all()
    )


def _read_latest(session: Session, *, hall: str, limit: int) -> list[Event]:
    rows = session.exec(
        select(Event).where(Event.hall == hall).order_by(col(Event.seq).desc()).limit(limit)
    ).all()
    return list(reversed(rows))


def committed_events(items: list[object]) -> dict[str, list[tuple[int, str, int]]]:
    """Per hall, the (seq, wire text, previous seq) of the events among a group commit's
    after-commit items."""
    found: dict[str, list[tuple[int, str, int]]] = {}
    for item in items:
        if isinstance(item, Appended) and item.event.seq is not None:
            event, seq = item.event, item.event.seq
            found.setdefault(event.hall, []).append((seq, encode(event), item.previous))
    return found


def publish_from_writer(
    hubs: EventHubs, loop: asyncio.AbstractEventLoop
) -> Callable[[list[object]], None]:
    """A `Database.on_commit` hook: encode on the writer thread, publish on the loop."""

    def on_commit(items: list[object]) -> None:
        for hall, events in committed_events(items).items():
            hub = hubs.get(hall)
            if hub is not None:
                loop.call_soon_threadsafe(hub.publish_committed, events)

    return on_commit


async def prime(hub: EventHub, db: Database, hall: str, replay_size: int) -> None:
    latest = await db.read(functools.partial(_read_latest, hall=hall, limit=replay_size))
    history = [(event.seq, encode(event)) for event in latest if event.seq is not None]
    hub.start_at(history[-1][0] if history else 0, history)


async def tail(hub: EventHub, db: Database, hall: str, poll_seconds: float) -> None:
    """Publish the hall's new events in `seq` order, forever."""
    while True:
        await hub.wait_for_news(poll_seconds)
        try:
            while True:
                read = functools.partial(
                    _read_after, hall=hall, after=hub.last_seq, limit=TAIL_BATCH
                )
                events = await db.read(read)
                for event in events:
                    if event.seq is not None:
                        hub.publish(event.seq, encode(event))
                if len(events) < TAIL_BATCH:
                    break
        except Exception:
            log.exception("reading the event log of hall %r failed; retrying", hall)
            await asyncio.sleep(poll_seconds)
