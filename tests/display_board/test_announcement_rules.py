"""Which events are spoken, how the files are named, and `--windows` ranges."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from display_board.voice.announcer import (
    Announcement,
    announcement_for,
    file_name,
    next_file_index,
)
from display_board.window_ranges import parse_window_ranges
from queue_server.protocol import EventMessage, EventType, TicketPublic, TicketStatus

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TEMPLATE = "请{number}号到{window}号窗口办理"


def event(kind: EventType, *, window_no: int | None = 12, age: float = 1.0) -> EventMessage:
    ticket = TicketPublic(
        id=7,
        number="A001",
        category="consult",
        category_name="咨询",
        status=TicketStatus.CALLED,
        issued_at=NOW - timedelta(minutes=5),
        service_day=date(2026, 3, 2),
        window_no=window_no,
    )
    return EventMessage(type=kind, seq=41, at=NOW - timedelta(seconds=age), ticket=ticket)


def wanted(message: EventMessage, windows: frozenset[int] | None = None) -> Announcement | None:
    return announcement_for(
        message, template=TEMPLATE, windows=windows, now=NOW, max_age_seconds=120
    )


def test_a_call_is_announced_with_both_texts() -> None:
    item = wanted(event(EventType.TICKET_CALLED))
    assert item == Announcement(
        seq=41,
        number="A001",
        window_no=12,
        recall=False,
        text="请A001号到12号窗口办理",
        speech="请A 零零一号到十二号窗口办理",
        short_speech="A 零零一号到十二号窗口",
        called_at=NOW - timedelta(seconds=1),
    )


def test_a_recall_is_announced_again() -> None:
    item = wanted(event(EventType.TICKET_RECALLED))
    assert item is not None and item.recall


@pytest.mark.parametrize(
    "kind", [EventType.TICKET_ISSUED, EventType.TICKET_STARTED, EventType.TICKET_FINISHED]
)
def test_other_events_are_silent(kind: EventType) -> None:
    assert wanted(event(kind)) is None


def test_only_the_zone_windows_and_only_fresh_calls() -> None:
    assert wanted(event(EventType.TICKET_CALLED), frozenset({1, 2})) is None
    assert wanted(event(EventType.TICKET_CALLED), frozenset({12})) is not None
    assert wanted(event(EventType.TICKET_CALLED, age=121)) is None
    assert wanted(event(EventType.TICKET_CALLED, window_no=None)) is None


def test_files_are_numbered_in_spoken_order_and_never_overwritten(tmp_path: Path) -> None:
    item = wanted(event(EventType.TICKET_RECALLED))
    assert item is not None
    assert file_name(3, item) == "0003-A001-w12-recall.wav"
    assert next_file_index(tmp_path) == 1
    (tmp_path / "0007-B002-w03.wav").touch()
    (tmp_path / "notes.wav").touch()
    assert next_file_index(tmp_path) == 8


def test_window_ranges() -> None:
    assert parse_window_ranges("1-8") == frozenset(range(1, 9))
    assert parse_window_ranges("1-3, 12,12") == frozenset({1, 2, 3, 12})


@pytest.mark.parametrize("bad", ["", "a-b", "8-1", "0-3", "1-1000", ","])
def test_bad_window_ranges_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="窗口"):
        parse_window_ranges(bad)
