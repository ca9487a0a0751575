"""What people read while the hall is closed: 大厅已下班 or 今日休息, and when it opens (pure)."""

from datetime import datetime

from queue_server.domain.opening_hours import ALL_DAY, describe_opening

CLOSED_FOR_THE_DAY = "大厅已下班"
"""The hall opens on this day but not now (before, between or after its hours)."""
DAY_OFF = "今日休息"
"""The hall does not open at all on this day (a weekend, a public holiday)."""
NO_OPENING_KNOWN = "开放时间另行通知"
"""No opening within the schedule's look-ahead."""


def closed_title(*, day_off: bool) -> str:
    return DAY_OFF if day_off else CLOSED_FOR_THE_DAY


def next_opening_text(opens_at: datetime | None, now: datetime) -> str:
    """ "下次开放：明天 09:00" — or that no opening is known."""
    if opens_at is None:
        return NO_OPENING_KNOWN
    return f"下次开放：{describe_opening(opens_at, now)}"


def closed_message(*, day_off: bool, opens_at: datetime | None, now: datetime) -> str:
    """Why a ticket cannot be taken now, with when it can: "大厅已下班，明天 09:00 开始取号"."""
    title = closed_title(day_off=day_off)
    if opens_at is None:
        return f"{title}，{NO_OPENING_KNOWN}"
    return f"{title}，{describe_opening(opens_at, now)} 开始取号"


ZONE_NAME = "24小时自助服务区"


def zone_heading(*, hours: str, open_now: bool) -> str:
    """ "24小时自助服务区 · 全天开放", or its hours, and whether it is open now."""
    when = "全天开放" if hours == ALL_DAY else f"开放时间 {hours.replace(',', '、')}"
    return f"{ZONE_NAME} · {when}" if open_now else f"{ZONE_NAME} · {when}（现在未开放）"
