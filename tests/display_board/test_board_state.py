"""The boards' pure state: snapshots, events and the link, folded into what a board shows."""

from datetime import UTC, date, datetime, timedelta

from display_board.state import (
    BoardState,
    apply_event,
    from_snapshot,
    window_label,
    with_categories,
    with_connection,
)
from queue_server.client import ConnectionState
from queue_server.protocol import (
    BoardSettingsPublic,
    CategoryPublic,
    EventMessage,
    EventType,
    HallSnapshot,
    TicketPublic,
    TicketStatus,
    WindowPublic,
    WindowStatus,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def ticket(
    ticket_id: int, number: str, *, window_no: int | None = None, minutes: int = 0
) -> TicketPublic:
    called = window_no is not None
    return TicketPublic(
        id=ticket_id,
        number=number,
        category="general",
        category_name="综合受理",
        status=TicketStatus.CALLED if called else TicketStatus.WAITING,
        issued_at=T0,
        service_day=date(2026, 3, 2),
        window_no=window_no,
        called_at=T0 + timedelta(minutes=minutes) if called else None,
    )


def window(number: int, current: TicketPublic | None = None, **fields: object) -> WindowPublic:
    return WindowPublic(
        number=number,
        name="综合受理",
        zone="综窗受理区",
        categories=["general"],
        status=fields.get("status", WindowStatus.OPEN),
        current=current,
    )


def snapshot(windows: list[WindowPublic], waiting: int = 3, recent_calls: int = 3) -> HallSnapshot:
    return HallSnapshot(
        name="测试大厅",
        service_day=date(2026, 3, 2),
        timezone="Asia/Shanghai",
        generated_at=T0,
        call_template="请{number}号到{window}号窗口办理",
        board_notice="请留意叫号",
        categories=[
            CategoryPublic(
                code="general",
                prefix="B",
                name="综合受理",
                target_wait_minutes=20,
                waiting=waiting,
                eta_minutes=12,
                issued_today=9,
            )
        ],
        windows=windows,
        board=BoardSettingsPublic(recent_calls=recent_calls),
    )


def called(seq: int, current: TicketPublic, *, recall: bool = False) -> EventMessage:
    assert current.window_no is not None
    return EventMessage(
        type=EventType.TICKET_RECALLED if recall else EventType.TICKET_CALLED,
        seq=seq,
        at=T0 + timedelta(minutes=seq),
        ticket=current,
        window=window(current.window_no, current),
    )


def test_a_snapshot_lists_the_windows_current_calls_newest_first() -> None:
    first, second = (
        ticket(1, "B001", window_no=2, minutes=1),
        ticket(2, "B002", window_no=3, minutes=2),
    )
    state = from_snapshot(BoardState(), snapshot([window(2, first), window(3, second)]), 10)
    assert [c.number for c in state.recent] == ["B002", "B001"]
    assert state.latest is not None and state.latest.window_no == 3
    assert state.hall_name == "测试大厅" and state.notice == "请留意叫号" and state.seq == 10


def test_calls_go_on_top_recalls_move_up_and_the_list_is_capped() -> None:
    state = from_snapshot(BoardState(), snapshot([window(n) for n in (2, 3, 4)]), 10)
    tickets = [ticket(i, f"B00{i}", window_no=i + 1) for i in (1, 2, 3)]
    for seq, current in enumerate(tickets, start=11):
        state = apply_event(state, called(seq, current))
    assert [c.number for c in state.recent] == ["B003", "B002", "B001"]
    state = apply_event(state, called(14, tickets[0], recall=True))
    assert [c.number for c in state.recent] == ["B001", "B003", "B002"]
    assert state.recent[0].recall
    state = apply_event(state, called(15, ticket(4, "B004", window_no=2)))
    assert [c.number for c in state.recent] == ["B004", "B001", "B003"]
    assert state.window(2) is not None and state.window(2).current.number == "B004"  # type: ignore[union-attr]


def test_a_new_snapshot_keeps_known_calls() -> None:
    state = from_snapshot(BoardState(), snapshot([window(2)]), 1)
    state = apply_event(state, called(2, ticket(1, "B001", window_no=2)))
    state = from_snapshot(state, snapshot([window(2)]), 5)
    assert [c.number for c in state.recent] == ["B001"]


def test_waiting_counts_follow_issues_and_calls() -> None:
    state = from_snapshot(BoardState(), snapshot([window(2)], waiting=1), 1)
    issued = EventMessage(type=EventType.TICKET_ISSUED, seq=2, at=T0, ticket=ticket(5, "B005"))
    state = apply_event(state, issued)
    assert state.categories[0].waiting == 2
    state = apply_event(state, called(3, ticket(5, "B005", window_no=2)))
    state = apply_event(state, called(4, ticket(6, "B006", window_no=2)))
    state = apply_event(state, called(5, ticket(7, "B007", window_no=2)))
    assert state.categories[0].waiting == 0
    fresh = [state.categories[0].model_copy(update={"waiting": 4})]
    assert with_categories(state, fresh).categories[0].waiting == 4


def test_the_link_state_sets_the_offline_flag() -> None:
    state = with_connection(
        BoardState(), ConnectionState(connected=False, error="断开", retry_in=1)
    )
    assert not state.connected and state.problem == "断开"
    assert with_connection(state, ConnectionState(connected=True)).problem is None


def test_window_labels() -> None:
    assert window_label(window(1, status=WindowStatus.PAUSED)) == "暂停服务"
    assert window_label(window(1, status=WindowStatus.CLOSED)) == "未开放"
    assert window_label(window(1)) == "空闲"
    assert window_label(window(1, ticket(1, "B001", window_no=1))) == "请前往"
