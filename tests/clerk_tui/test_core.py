"""The console's pure core: key files, action availability, idempotency keys, state updates."""

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from clerk_tui import formatting
from clerk_tui.availability import NO_TICKET, OFFLINE, blocked_reason, pause_label
from clerk_tui.idempotency import ActionKeys
from clerk_tui.keys import ACTIONS, KeyConfigError, load_keymap, parse_keymap
from clerk_tui.messages import ActionRequest
from clerk_tui.state import ConsoleState, needs_refresh, with_event, with_queue, with_ticket
from clerk_tui.widgets.big_number import big_rows
from queue_server.protocol import (
    EventMessage,
    EventType,
    PriorityReason,
    TicketPublic,
    TicketStatus,
    WindowPublic,
    WindowStatus,
)

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def ticket(
    number: str = "B001",
    status: TicketStatus = TicketStatus.CALLED,
    *,
    ticket_id: int = 1,
    category: str = "general",
    window_no: int | None = 3,
    target: int | None = None,
    priority: PriorityReason | None = None,
) -> TicketPublic:
    return TicketPublic(
        id=ticket_id,
        number=number,
        category=category,
        category_name="综合受理" if category == "general" else "咨询",
        status=status,
        issued_at=AT,
        service_day=date(2026, 3, 2),
        window_no=window_no,
        target_window_no=target,
        priority=priority,
    )


def window(
    current: TicketPublic | None = None, status: WindowStatus = WindowStatus.OPEN
) -> WindowPublic:
    return WindowPublic(
        number=3,
        name="综合受理",
        zone="综窗受理区",
        categories=["general", "consult"],
        status=status,
        current=current,
    )


def state(current: TicketPublic | None = None, **changes: Any) -> ConsoleState:
    return replace(ConsoleState(window_no=3, online=True, window=window(current)), **changes)


def test_default_keys_are_f1_to_f9_ctrl_t_ctrl_l_ctrl_k_ctrl_b_and_ctrl_q() -> None:
    """F10–F12 stay free for key files (the documented one gives F10 to 办结)."""
    keys = [f"f{n}" for n in range(1, 10)] + ["ctrl+t", "ctrl+l", "ctrl+k", "ctrl+b", "ctrl+q"]
    assert [a.key for a in ACTIONS] == keys


@pytest.mark.parametrize(
    ("categories", "reason"),
    [
        (["cross_region", "general"], None),
        (["pickup"], None),
        (["general", "consult"], "本窗口不办理跨域通办或出件"),
    ],
)
def test_the_case_list_is_for_cross_region_and_pickup_windows(
    categories: list[str], reason: str | None
) -> None:
    idle = window().model_copy(update={"categories": categories})
    busy = window(ticket()).model_copy(update={"categories": categories})
    assert blocked_reason("cross_region_cases", state(window=idle)) == reason
    assert blocked_reason("cross_region", state(window=idle)) == NO_TICKET
    assert blocked_reason("cross_region", state(window=busy)) is None


@pytest.mark.parametrize(
    ("categories", "reason"),
    [
        (["pickup"], None),
        (["cross_region", "general"], "只有出件窗口可以存入智能文件柜"),
        (["general", "consult"], "只有出件窗口可以存入智能文件柜"),
    ],
)
def test_the_locker_is_for_pickup_windows_with_a_ticket(
    categories: list[str], reason: str | None
) -> None:
    idle = window().model_copy(update={"categories": categories})
    busy = window(ticket()).model_copy(update={"categories": categories})
    assert blocked_reason("locker_deposit", state(window=busy)) == reason
    assert blocked_reason("locker_deposit", state(window=idle)) == (reason or NO_TICKET)


def test_a_key_file_rebinds_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text('[keys]\nfinish = "F10"\ncall_next = "f12"\n', encoding="utf-8")
    keymap = load_keymap(path)
    assert keymap["finish"] == "f10"
    assert keymap["call_next"] == "f12"
    assert keymap["recall"] == "f2"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[keys]\nfly = "f10"', "unknown action"),
        ("[keys]\nfinish = 4", "as a string"),
        ('[keys]\nfinish = "f1"', "bound to both"),
        ("[keys", "not valid TOML"),
    ],
)
def test_bad_key_files_are_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(KeyConfigError, match=problem):
        parse_keymap(text, source="keys.toml")


def test_a_missing_named_key_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KeyConfigError, match="cannot read"):
        load_keymap(tmp_path / "missing.toml")


def test_offline_blocks_every_window_action_but_quit() -> None:
    offline = state(online=False)
    assert all(blocked_reason(a.id, offline) == OFFLINE for a in ACTIONS if a.id != "quit")
    assert blocked_reason("quit", offline) is None


def test_ticket_actions_follow_the_servers_state_machine() -> None:
    called = state(ticket(status=TicketStatus.CALLED))
    assert blocked_reason("finish", called) == "B001号当前为“已叫号”，不能办结：请先开始办理"
    assert blocked_reason("start", called) is None
    assert blocked_reason("call_next", called) == "B001号尚未办结，请先办结、过号或转移"
    serving = state(ticket(status=TicketStatus.SERVING))
    assert (
        blocked_reason("no_show", serving) == "B001号当前为“办理中”，不能过号：已在办理中，不能过号"
    )
    assert blocked_reason("finish", serving) is None
    empty = state()
    assert blocked_reason("recall", empty) == NO_TICKET
    assert blocked_reason("call_next", empty) is None


def test_a_paused_window_cannot_call_and_f7_resumes() -> None:
    paused = state(window=window(status=WindowStatus.PAUSED))
    assert blocked_reason("call_next", paused) == "窗口暂停服务中，请先恢复服务"
    assert blocked_reason("pause", paused) is None
    assert pause_label(paused) == "恢复服务"
    assert pause_label(state()) == "暂停服务"


def test_an_action_in_flight_blocks_the_next() -> None:
    assert blocked_reason("call_next", state(busy="叫号")) == "正在叫号，请稍候"


def test_keys_are_kept_only_while_the_outcome_is_unknown() -> None:
    issued = iter(["k1", "k2", "k3"])
    keys = ActionKeys(lambda: next(issued))
    press = ActionRequest("call_next")
    assert keys.key_for(press) == "k1"
    assert keys.key_for(press) == "k1"  # unanswered: the same press again reuses it
    assert keys.key_for(ActionRequest("start", ticket_id=1)) == "k2"
    keys.settled(press)
    assert keys.key_for(press) == "k3"


def test_queue_lists_transfers_first_then_the_windows_categories_in_order() -> None:
    waiting = [
        ticket("B001", TicketStatus.WAITING, ticket_id=1, window_no=None),
        ticket("C001", TicketStatus.WAITING, ticket_id=2, category="enterprise", window_no=None),
        ticket("A001", TicketStatus.WAITING, ticket_id=3, category="consult", window_no=None),
        ticket("B002", TicketStatus.WAITING, ticket_id=4, window_no=None, target=3),
        ticket(
            "B003",
            TicketStatus.WAITING,
            ticket_id=5,
            window_no=None,
            priority=PriorityReason.ELDERLY,
        ),
    ]
    shown = with_queue(state(), waiting)
    assert [(q.code, q.waiting) for q in shown.queues] == [("general", 2), ("consult", 1)]
    assert shown.transferred_here == 1
    assert [(e.number, e.to_this_window, e.priority) for e in shown.next_numbers] == [
        ("B002", True, False),
        ("B001", False, False),
        ("A001", False, False),
        ("B003", False, True),
    ]


def test_events_update_this_window_and_say_when_to_read_again() -> None:
    called = ticket()
    event = EventMessage(type=EventType.TICKET_CALLED, seq=7, at=AT, window=window(called))
    updated = with_event(state(), event)
    assert updated.current == called and updated.seq == 7
    assert needs_refresh(event, 3)
    elsewhere = window().model_copy(update={"number": 5})
    paused = EventMessage(type=EventType.WINDOW_PAUSED, seq=8, at=AT, window=elsewhere)
    assert with_event(updated, paused).current == called
    assert not needs_refresh(paused, 3)


def test_an_answer_shows_at_once_and_a_finished_ticket_leaves() -> None:
    called = with_ticket(state(), ticket())
    assert called.current is not None and called.current.number == "B001"
    done = with_ticket(called, ticket(status=TicketStatus.DONE))
    assert done.current is None


def test_durations_read_like_a_clock() -> None:
    assert formatting.duration(None) == "—"
    assert formatting.duration(65) == "1分05秒"
    assert formatting.duration(3720) == "1小时02分"
    assert formatting.outcome_label("needs_documents") == "补件"
    assert formatting.outcome_label("自由文本") == "自由文本"


def test_every_prefix_letter_is_drawn_large() -> None:
    rows = big_rows("G012")
    assert rows[0] == "╭─╴╭─╮╶╮ ╶─╮"
    assert all(len(row) == 12 for row in rows)
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        drawn = big_rows(letter)
        assert all(len(row) == 3 for row in drawn), letter
        assert letter not in "".join(drawn), letter
