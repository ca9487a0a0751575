"""The case state machine 受理 → 分类 → 转办 → 办结 → 反馈 → 回访, closing rules and scope."""

from datetime import date

import pytest

from queue_server.domain.cases import (
    CaseAction,
    CaseKind,
    CaseResolution,
    CaseScope,
    CaseStatus,
    allowed_case_actions,
    case_transition,
    check_closing,
    check_follow_up,
    in_time,
    is_overdue,
    may_access,
)
from queue_server.domain.errors import IllegalTransition, InvalidInput

A, S, K = CaseAction, CaseStatus, CaseKind


def run(kind: CaseKind, actions: list[CaseAction]) -> list[CaseStatus]:
    status, seen = S.ACCEPTED, []
    for action in actions:
        status = case_transition(case_id=1, kind=kind, status=status, action=action)
        seen.append(status)
    return seen


def test_the_full_unresolved_flow() -> None:
    steps = [A.CLASSIFY, A.ASSIGN, A.LOG, A.CLOSE, A.FEEDBACK, A.FOLLOW_UP]
    assert run(K.UNRESOLVED, steps) == [
        S.CLASSIFIED,
        S.ASSIGNED,
        S.ASSIGNED,
        S.RESOLVED,
        S.REPLIED,
        S.FOLLOWED_UP,
    ]


def test_the_desk_may_settle_a_classified_case_itself() -> None:
    assert run(K.UNRESOLVED, [A.CLASSIFY, A.CLOSE])[-1] is S.RESOLVED


@pytest.mark.parametrize(
    ("status", "action", "hint"),
    [
        (S.ACCEPTED, A.ASSIGN, "请先分类"),
        (S.ACCEPTED, A.CLOSE, "请先分类"),
        (S.ASSIGNED, A.FEEDBACK, "请先办结"),
        (S.RESOLVED, A.FOLLOW_UP, "请先反馈"),
        (S.RESOLVED, A.CLASSIFY, ""),
        (S.FOLLOWED_UP, A.LOG, "回访完毕"),
        (S.FOLLOWED_UP, A.CLOSE, "回访完毕"),
    ],
)
def test_steps_out_of_order_are_refused_with_a_reason(
    status: CaseStatus, action: CaseAction, hint: str
) -> None:
    with pytest.raises(IllegalTransition) as refused:
        case_transition(case_id=7, kind=K.UNRESOLVED, status=status, action=action)
    assert "案件7" in refused.value.message
    assert hint in refused.value.message


def test_a_followup_needs_no_class() -> None:
    assert run(K.FOLLOWUP, [A.LOG, A.CLOSE, A.FEEDBACK, A.FOLLOW_UP])[-1] is S.FOLLOWED_UP
    with pytest.raises(IllegalTransition, match="无需分类"):
        case_transition(case_id=1, kind=K.FOLLOWUP, status=S.ACCEPTED, action=A.CLASSIFY)


def test_allowed_actions_follow_the_machine() -> None:
    assert allowed_case_actions(K.UNRESOLVED, S.ACCEPTED) == {A.CLASSIFY, A.LOG}
    assert allowed_case_actions(K.UNRESOLVED, S.CLASSIFIED) == {
        A.CLASSIFY,
        A.ASSIGN,
        A.CLOSE,
        A.LOG,
    }
    assert allowed_case_actions(K.FOLLOWUP, S.ACCEPTED) == {A.ASSIGN, A.CLOSE, A.LOG}
    assert allowed_case_actions(K.UNRESOLVED, S.FOLLOWED_UP) == frozenset()


def test_a_negative_answer_needs_its_reason() -> None:
    with pytest.raises(InvalidInput, match="不能办理"):
        check_closing(resolution=CaseResolution.NOT_POSSIBLE, reason=None)
    check_closing(resolution=CaseResolution.NOT_POSSIBLE, reason="法律规定须本人到场")
    check_closing(resolution=CaseResolution.DONE, reason=None)


def test_a_followup_of_a_bad_review_needs_the_re_rating() -> None:
    with pytest.raises(InvalidInput, match="再次评价"):
        check_follow_up(kind=K.FOLLOWUP, level=None)
    check_follow_up(kind=K.FOLLOWUP, level=4)
    check_follow_up(kind=K.UNRESOLVED, level=None)


def test_deadlines() -> None:
    due = date(2026, 10, 8)
    assert in_time(closed_on=due, due=due)
    assert not in_time(closed_on=date(2026, 10, 9), due=due)
    assert is_overdue(status=S.ASSIGNED, due=due, today=date(2026, 10, 9))
    assert not is_overdue(status=S.ASSIGNED, due=due, today=due)
    assert not is_overdue(status=S.RESOLVED, due=due, today=date(2026, 12, 1))


def test_who_may_work_a_case() -> None:
    manager = CaseScope(manager=True, user_id=1, at_desk=False)
    desk = CaseScope(manager=False, user_id=2, at_desk=True)
    elsewhere = CaseScope(manager=False, user_id=3, at_desk=False)
    for kind in K:
        assert may_access(manager, kind=kind, owner_id=None, opened_by_id=None)
        assert may_access(elsewhere, kind=kind, owner_id=3, opened_by_id=None)
        assert not may_access(elsewhere, kind=kind, owner_id=None, opened_by_id=9)
    assert may_access(elsewhere, kind=K.UNRESOLVED, owner_id=None, opened_by_id=3)
    assert may_access(desk, kind=K.UNRESOLVED, owner_id=None, opened_by_id=None)
    assert not may_access(desk, kind=K.FOLLOWUP, owner_id=None, opened_by_id=None)
