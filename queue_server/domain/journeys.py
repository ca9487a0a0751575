"""The journey from 补件 to 出件 as pure rules: what a 补件 finish must list, what a return
code typed at the kiosk leads to, and how the status page words where to collect a result."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from queue_server.domain.enums import FinishOutcome, JourneyStatus
from queue_server.domain.errors import Conflict, InvalidInput

RETURN_CODE_LENGTH = 8
OPEN_STATES = frozenset({JourneyStatus.AWAITING_DOCUMENTS, JourneyStatus.RETURNED})
"""A journey in these states may end another visit in 补件 again."""


def normalise_return_code(text: str) -> str:
    """What a kiosk typed or scanned: upper-cased, without spaces or dashes."""
    return re.sub(r"[\s\-]", "", text).upper()


def check_missing(
    *, outcome: str | None, missing: list[str], matter_materials: list[str]
) -> list[str]:
    """The missing materials of a finish, tidied (trimmed, blank and repeated ones dropped).

    `missing` goes only with 补件 (`needs_documents`). A 补件 of a matter whose catalog entry
    lists materials must say which ones (一次告知: the applicant is told everything at
    once); without a catalog matter the clerk may leave the list empty."""
    tidy = list(dict.fromkeys(item.strip() for item in missing if item.strip()))
    if outcome != FinishOutcome.NEEDS_DOCUMENTS:
        if tidy:
            raise InvalidInput("只有办理结果为“补件”（needs_documents）时才能列出缺少的材料")
        return []
    if not tidy and matter_materials:
        raise InvalidInput("补件须列出缺少或有误的材料（可从事项的材料清单中选择，或直接填写）")
    return tidy


class ReturnAction(StrEnum):
    """What a return code typed at the kiosk issues."""

    RETURN_VISIT = "return_visit"
    """A return ticket of the journey's category (served with priority)."""
    PICKUP = "pickup"
    """A ticket of the 出件 category to collect the ready result."""


@dataclass(frozen=True, slots=True)
class JourneyFacts:
    """What the kiosk rule needs to know of a journey."""

    status: JourneyStatus
    valid_until: datetime
    collect_at: str | None
    open_ticket_number: str | None
    """A ticket of the journey still waiting or at a window (its number)."""
    served_since_return: bool
    """The journey's latest return ticket was served (not a no-show or cancelled)."""


def kiosk_action(facts: JourneyFacts, *, now: datetime, has_pickup_category: bool) -> ReturnAction:
    """The ticket a return code issues now, or a Conflict that says why none."""
    if facts.open_ticket_number is not None:
        raise Conflict(f"此回执码已取号（{facts.open_ticket_number}），请留意叫号")
    status = facts.status
    if status is JourneyStatus.COLLECTED:
        raise Conflict("此事项的办理结果已经领取，无需再取号")
    if status is JourneyStatus.EXPIRED or (
        status is JourneyStatus.AWAITING_DOCUMENTS and now > facts.valid_until
    ):
        raise Conflict("回执码已过有效期，请重新取号办理")
    if status is JourneyStatus.READY:
        if facts.collect_at == "locker":
            raise Conflict("办理结果已存入智能文件柜，请凭查询页上的取件码到自助服务区领取")
        if not has_pickup_category:
            raise Conflict("办理结果已可领取，请到原窗口领取")
        return ReturnAction.PICKUP
    if status is JourneyStatus.RETURNED and facts.served_since_return:
        raise Conflict("材料已收齐，正在办理，办理结果可领取时查询页会告诉您")
    return ReturnAction.RETURN_VISIT


def valid_until(*, now: datetime, days: int) -> datetime:
    return now + timedelta(days=days)


def collect_text(
    *, collect_at: str | None, window: tuple[int, str] | None, locker_label: str | None
) -> str:
    """Where a ready result waits, as the status page says it."""
    if collect_at == "locker":
        if locker_label:
            return f"办理结果已存入{locker_label}，请凭取件码到24小时自助服务区领取"
        return "办理结果将存入智能文件柜，存入后本页会显示取件码"
    if window is not None:
        number, name = window
        return f"请在取号机输入回执码取出件号，到{number}号窗口（{name}）领取"
    return "请在取号机输入回执码取号，到窗口领取"
