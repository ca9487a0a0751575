"""好差评: the five levels, what makes an evaluation valid, and which tickets can be rated."""

from collections.abc import Sequence
from enum import StrEnum
from typing import Final

from queue_server.domain.enums import TicketStatus
from queue_server.domain.errors import Conflict, InvalidInput


class EvaluationChannel(StrEnum):
    """Where an evaluation came from."""

    WINDOW = "window"
    """The evaluator tablet facing the applicant at the window."""
    STATUS_PAGE = "status_page"
    """The applicant's own status page (`/t/{public_code}`)."""
    DEFAULT = "default"
    """Nobody rated in time: recorded as 基本满意 by housekeeping, never a real rating."""


LEVEL_LABELS: Final[dict[int, str]] = {
    5: "非常满意",
    4: "满意",
    3: "基本满意",
    2: "不满意",
    1: "非常不满意",
}
DEFAULT_LEVEL: Final = 3
"""基本满意: what a ticket left unrated counts as."""
BAD_BELOW: Final = 3
"""Levels below this (不满意, 非常不满意) are bad reviews: they need a reason and a follow-up."""

RATEABLE: Final[frozenset[TicketStatus]] = frozenset({TicketStatus.DONE})
"""Only a finished service is rated. A no-show or cancelled ticket got no service; a
transferred one goes on as its successor ticket, which is rated when it is done."""


def is_bad(level: int) -> bool:
    return level < BAD_BELOW


def check_rateable(*, number: str, status: TicketStatus, already_rated: bool) -> None:
    """Raise Conflict unless a ticket in `status` may be rated now."""
    if already_rated:
        raise Conflict(f"{number}号已评价，每次服务只能评价一次")
    if status not in RATEABLE:
        raise Conflict(f"{number}号尚未办结，办结后才能评价")


def normalise_reasons(*, level: int, reasons: Sequence[str], allowed: Sequence[str]) -> list[str]:
    """The reasons, checked against the configured list, in the list's order, without repeats.

    A bad review (不满意, 非常不满意) needs at least one configured reason; the free-text
    comment may add to it but does not replace it."""
    if level not in LEVEL_LABELS:
        raise InvalidInput(f"评价等级必须是1到5，收到{level}")
    unknown = [reason for reason in reasons if reason not in allowed]
    if unknown:
        raise InvalidInput(f"未知的评价原因：{unknown[0]}（可选：{'、'.join(allowed)}）")
    if is_bad(level) and not reasons:
        raise InvalidInput(f"选择“{LEVEL_LABELS[level]}”时请至少选择一项原因")
    chosen = set(reasons)
    return [reason for reason in allowed if reason in chosen]
