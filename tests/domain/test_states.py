"""The ticket state machine: every (status, action) pair, allowed or refused with a reason."""

import contextlib
import itertools

import pytest

from queue_server.domain.enums import STATUS_LABELS, TicketAction, TicketStatus
from queue_server.domain.errors import DomainError, IllegalTransition
from queue_server.domain.states import ACTION_LABELS, TERMINAL, transition

S = TicketStatus
A = TicketAction

# The documented lifecycle, written out independently of the implementation's table.
EXPECTED: dict[tuple[TicketStatus, TicketAction], TicketStatus] = {
    (S.WAITING, A.CALL): S.CALLED,
    (S.CALLED, A.RECALL): S.CALLED,
    (S.CALLED, A.START): S.SERVING,
    (S.SERVING, A.FINISH): S.DONE,
    (S.CALLED, A.NO_SHOW): S.NO_SHOW,
    (S.NO_SHOW, A.REQUEUE): S.WAITING,
    (S.CALLED, A.TRANSFER): S.TRANSFERRED,
    (S.SERVING, A.TRANSFER): S.TRANSFERRED,
    (S.WAITING, A.CANCEL): S.CANCELLED,
    (S.CALLED, A.CANCEL): S.CANCELLED,
    (S.NO_SHOW, A.CANCEL): S.CANCELLED,
}

ALL_PAIRS = list(itertools.product(TicketStatus, TicketAction))
ALLOWED = [pair for pair in ALL_PAIRS if pair in EXPECTED]
REFUSED = [pair for pair in ALL_PAIRS if pair not in EXPECTED]


def _pair_id(pair: tuple[TicketStatus, TicketAction]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


@pytest.mark.parametrize("pair", ALLOWED, ids=_pair_id)
def test_allowed_transition_gives_documented_target(
    pair: tuple[TicketStatus, TicketAction],
) -> None:
    status, action = pair
    assert transition(number="B017", status=status, action=action) is EXPECTED[pair]


@pytest.mark.parametrize("pair", REFUSED, ids=_pair_id)
def test_illegal_transition_is_refused_saying_why(pair: tuple[TicketStatus, TicketAction]) -> None:
    status, action = pair
    with pytest.raises(IllegalTransition) as raised:
        transition(number="B017", status=status, action=action)
    message = raised.value.message
    assert str(raised.value) == message
    assert "B017号" in message
    assert f"“{STATUS_LABELS[status]}”" in message
    assert ACTION_LABELS[action] in message
    assert raised.value.code == "illegal_transition"
    assert isinstance(raised.value, DomainError)


def test_every_pair_is_covered() -> None:
    assert len(ALL_PAIRS) == len(TicketStatus) * len(TicketAction) == 56
    assert len(ALLOWED) == 11


@pytest.mark.parametrize("status", sorted(TERMINAL), ids=str)
@pytest.mark.parametrize("action", list(TicketAction), ids=str)
def test_terminal_statuses_say_the_ticket_has_ended(
    status: TicketStatus, action: TicketAction
) -> None:
    with pytest.raises(IllegalTransition, match=r"该号码已结束$"):
        transition(number="A001", status=status, action=action)


@pytest.mark.parametrize(
    ("status", "action", "hint"),
    [
        (S.CALLED, A.FINISH, "请先开始办理"),
        (S.SERVING, A.START, "已在办理中"),
        (S.SERVING, A.NO_SHOW, "已在办理中，不能过号"),
        (S.WAITING, A.REQUEUE, "仍在等候中，无需重排"),
    ],
)
def test_common_mistakes_get_a_hint(status: TicketStatus, action: TicketAction, hint: str) -> None:
    with pytest.raises(IllegalTransition) as raised:
        transition(number="C003", status=status, action=action)
    assert raised.value.message == (
        f"C003号当前为“{STATUS_LABELS[status]}”，不能{ACTION_LABELS[action]}：{hint}"
    )


def test_refusal_without_a_hint_is_one_sentence() -> None:
    with pytest.raises(IllegalTransition) as raised:
        transition(number="A1000", status=S.WAITING, action=A.START)
    assert raised.value.message == "A1000号当前为“等候中”，不能开始办理"


def admitted(status: TicketStatus) -> set[TicketAction]:
    """The actions `transition` lets through from `status`."""
    actions = set()
    for action in TicketAction:
        with contextlib.suppress(IllegalTransition):
            transition(number="A001", status=status, action=action)
            actions.add(action)
    return actions


@pytest.mark.parametrize("status", list(TicketStatus), ids=str)
def test_each_status_admits_exactly_the_expected_actions(status: TicketStatus) -> None:
    expected = {action for (from_status, action) in EXPECTED if from_status is status}
    assert admitted(status) == expected


def test_terminal_statuses_admit_nothing_and_others_admit_something() -> None:
    assert {S.DONE, S.TRANSFERRED, S.CANCELLED} == TERMINAL
    for status in TicketStatus:
        assert (not admitted(status)) == (status in TERMINAL)


def test_every_status_and_action_has_a_label() -> None:
    assert set(STATUS_LABELS) == set(TicketStatus)
    assert set(ACTION_LABELS) == set(TicketAction)
