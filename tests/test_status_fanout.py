"""A hall's shared status view (status_fanout.py) over a real event hub: one read per burst
for the pages an event concerns, the same encoded text to every page of a code, and the
view runs only while a page of its hall is open."""

import asyncio

import pytest

from queue_server.domain.status_pages import PageTicket
from queue_server.events import EventHub
from queue_server.status_fanout import HallStatusView, StatusViews

GENERAL = PageTicket(id=1, category="general", number="B001")
CONSULT = PageTicket(id=2, category="consult", number="A001")


class RecordingReader:
    """Answers each read with a fresh text per code and notes which codes each read asked."""

    def __init__(self) -> None:
        self.reads: list[frozenset[str]] = []
        self.tickets = {"GENERAL": GENERAL, "CONSULT": CONSULT}

    async def __call__(self, codes: frozenset[str]) -> dict[str, tuple[str, PageTicket]]:
        self.reads.append(codes)
        number = len(self.reads)
        return {
            code: (f'{{"read":{number},"code":"{code}"}}', self.tickets[code]) for code in codes
        }


def called(seq: int, category: str) -> tuple[int, str]:
    return (
        seq,
        f'{{"seq":{seq},"type":"ticket.called","ticket":{{"id":9,"category":"{category}"}}}}',
    )


@pytest.mark.anyio
async def test_a_burst_is_read_once_and_every_page_of_a_code_gets_the_same_text() -> None:
    hub = EventHub(queue_size=16, replay_size=16)
    reader = RecordingReader()
    views = StatusViews()

    def build() -> HallStatusView:
        return HallStatusView(hub, reader, mark=views.mark, heartbeat=60.0, settle=0.05)

    first = views.open("main", "GENERAL", GENERAL, floor=views.mark(), build=build)
    second = views.open("main", "GENERAL", GENERAL, floor=views.mark(), build=build)
    other = views.open("main", "CONSULT", CONSULT, floor=views.mark(), build=build)
    for seq in (1, 2, 3):
        hub.publish(*called(seq, "general"))
    text = await asyncio.wait_for(first.take(), 5)
    assert await asyncio.wait_for(second.take(), 5) is text, "encoded once, shared"
    assert reader.reads == [frozenset({"GENERAL"})], "one read for the whole burst"
    hub.publish(*called(4, "consult"))
    assert await asyncio.wait_for(other.take(), 5) == '{"read":2,"code":"CONSULT"}'
    assert reader.reads[1] == frozenset({"CONSULT"})
    assert views.following() == ["main"]
    for code, outbox in (("GENERAL", first), ("GENERAL", second), ("CONSULT", other)):
        views.close("main", code, outbox)
    assert views.following() == [], "stopped with the last page"


@pytest.mark.anyio
async def test_every_page_is_read_again_each_heartbeat_without_events() -> None:
    hub = EventHub(queue_size=16, replay_size=16)
    reader = RecordingReader()
    views = StatusViews()
    outbox = views.open(
        "main",
        "CONSULT",
        CONSULT,
        floor=views.mark(),
        build=lambda: HallStatusView(hub, reader, mark=views.mark, heartbeat=0.2, settle=0.05),
    )
    assert await asyncio.wait_for(outbox.take(), 5) == '{"read":1,"code":"CONSULT"}'
    assert await asyncio.wait_for(outbox.take(), 5) == '{"read":2,"code":"CONSULT"}'
    views.close("main", "CONSULT", outbox)


@pytest.mark.anyio
async def test_a_view_read_before_the_page_opened_is_not_sent_to_it() -> None:
    hub = EventHub(queue_size=16, replay_size=16)
    views = StatusViews()
    older = views.mark()
    outbox = views.open(
        "main",
        "GENERAL",
        GENERAL,
        floor=views.mark(),
        build=lambda: HallStatusView(
            hub, RecordingReader(), mark=views.mark, heartbeat=60.0, settle=0.0
        ),
    )
    outbox.put("stale", older)
    outbox.put("fresh", views.mark())
    assert await asyncio.wait_for(outbox.take(), 5) == "fresh"
    views.close("main", "GENERAL", outbox)


def test_the_hub_hands_every_subscriber_of_a_kind_the_same_text() -> None:
    """Boards and status views: each event is encoded once per audience, never per
    subscriber (events.py); this keeps it so."""
    hub = EventHub(queue_size=4, replay_size=4)
    with (
        hub.subscribe() as board,
        hub.subscribe() as other_board,
        hub.subscribe(staff=True) as console,
        hub.subscribe(staff=True) as other_console,
    ):
        hub.publish(1, '{"seq":1,"type":"window.paused","reason":"午休"}')
        public = board.queue.get_nowait()[1]
        staff = console.queue.get_nowait()[1]
        assert other_board.queue.get_nowait()[1] is public
        assert other_console.queue.get_nowait()[1] is staff
    assert "午休" in staff and "午休" not in public
