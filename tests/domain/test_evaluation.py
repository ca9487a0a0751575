"""好差评 rules: levels, mandatory reasons for bad reviews, which tickets may be rated."""

import pytest

from queue_server.domain.enums import TicketStatus
from queue_server.domain.errors import Conflict, InvalidInput
from queue_server.domain.evaluation import (
    LEVEL_LABELS,
    check_rateable,
    is_bad,
    normalise_reasons,
)

ALLOWED = ["等候时间过长", "服务态度不好", "其他"]


def test_five_levels_best_first() -> None:
    assert list(LEVEL_LABELS.items()) == [
        (5, "非常满意"),
        (4, "满意"),
        (3, "基本满意"),
        (2, "不满意"),
        (1, "非常不满意"),
    ]
    assert [level for level in LEVEL_LABELS if is_bad(level)] == [2, 1]


@pytest.mark.parametrize("level", [1, 2])
def test_a_bad_review_needs_a_listed_reason(level: int) -> None:
    with pytest.raises(InvalidInput, match="原因"):
        normalise_reasons(level=level, reasons=[], allowed=ALLOWED)
    assert normalise_reasons(
        level=level, reasons=["其他", "等候时间过长", "其他"], allowed=ALLOWED
    ) == [
        "等候时间过长",
        "其他",
    ]


def test_good_reviews_need_no_reason_and_unknown_reasons_are_refused() -> None:
    assert normalise_reasons(level=5, reasons=[], allowed=ALLOWED) == []
    assert normalise_reasons(level=3, reasons=["其他"], allowed=ALLOWED) == ["其他"]
    with pytest.raises(InvalidInput, match="未知的评价原因"):
        normalise_reasons(level=1, reasons=["太热了"], allowed=ALLOWED)
    with pytest.raises(InvalidInput):
        normalise_reasons(level=6, reasons=[], allowed=ALLOWED)


@pytest.mark.parametrize(
    "status",
    [
        TicketStatus.WAITING,
        TicketStatus.CALLED,
        TicketStatus.SERVING,
        TicketStatus.NO_SHOW,
        TicketStatus.CANCELLED,
        TicketStatus.TRANSFERRED,
    ],
)
def test_only_done_tickets_are_rated(status: TicketStatus) -> None:
    with pytest.raises(Conflict, match="办结后才能评价"):
        check_rateable(number="B001", status=status, already_rated=False)


def test_one_evaluation_per_ticket() -> None:
    check_rateable(number="B001", status=TicketStatus.DONE, already_rated=False)
    with pytest.raises(Conflict, match="只能评价一次"):
        check_rateable(number="B001", status=TicketStatus.DONE, already_rated=True)
