"""The status page's HTML with the ticket already in it, so a phone shows the number, the
category, the status and the people ahead (or its 市域通办 case) before (and without)
JavaScript.

Pure: a view in, a page out. `status.js` words the same states the same way when it updates
the page live; keep the two in step."""

from datetime import date, tzinfo
from html import escape
from string import Template

from queue_server.domain.cross_region import CrossRegionStatus, CrossRegionStep, Delivery
from queue_server.domain.enums import JourneyStatus, TicketStatus
from queue_server.protocol import (
    CrossRegionStatusPublic,
    CrossRegionStatusStep,
    JourneyStatusPublic,
    LockerPickupPublic,
    PublicEvaluationState,
    TicketStatusPublic,
)

HIDDEN = " hidden"
CASE_TEXTS = (
    "case_status",
    "case_matter",
    "case_status_label",
    "case_summary",
    "case_due",
    "case_materials_label",
    "case_owner",
    "case_delivery",
    "case_code",
)
"""The case card's plain-text fields (escaped into the page)."""
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def call_window_text(view: TicketStatusPublic) -> str:
    if view.window_no is None:
        return ""
    if view.status is TicketStatus.SERVING:
        return f"正在{view.window_no}号窗口办理"
    return f"请到{view.window_no}号窗口"


def eta_text(view: TicketStatusPublic) -> str:
    """Nobody ahead reads as the boards' 无需等候, never as a wait."""
    if view.ahead == 0:
        return "无需等候，请留意叫号"
    if view.eta_minutes is None:
        return "暂无法估计等候时间"
    return f"预计等候约 {view.eta_minutes} 分钟"


def rated_text(rating: PublicEvaluationState | None) -> str:
    if rating is None or rating.evaluation is None:
        return ""
    return f"您的评价：{rating.evaluation.label}"


def day_text(day: date) -> str:
    """12月9日（周三）: the weekday helps to plan the trip."""
    return f"{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def case_due_text(case: CrossRegionStatusPublic) -> str:
    current = next((step for step in case.steps if step.done_on is None), None)
    if current is None or case.due_on is None:
        return ""
    return f"最晚 {day_text(case.due_on)}{current.label}"


def case_step_date(step: CrossRegionStatusStep, delivery: Delivery) -> str:
    if step.done_on is not None:
        return day_text(step.done_on)
    if step.step is CrossRegionStep.RESUBMIT:
        return "等您交回材料"
    if step.step is CrossRegionStep.DELIVER and delivery is Delivery.PICKUP:
        return "等您领取"
    return "进行中"


def case_delivery_text(case: CrossRegionStatusPublic) -> str:
    if case.delivery is Delivery.PICKUP:
        return f"到{case.pickup_hall_name}领取"
    return "邮寄到您登记的地址"


def case_materials_label(case: CrossRegionStatusPublic) -> str:
    return f"需要补正的材料（共 {len(case.materials)} 项）" if case.materials else ""


def _case_steps_html(case: CrossRegionStatusPublic) -> str:
    items = []
    for step in case.steps:
        state = "done" if step.done_on is not None else "current"
        current = ' aria-current="step"' if state == "current" else ""
        items.append(
            f'<li class="{state}"{current}><span class="step-name">{escape(step.label)}</span>'
            f'<span class="step-date">{escape(case_step_date(step, case.delivery))}</span></li>'
        )
    return "".join(items)


def _case_values(case: CrossRegionStatusPublic | None) -> dict[str, str]:
    """The case card's fields, escaped; an empty, hidden card without a case."""
    if case is None:
        empty = dict.fromkeys((*CASE_TEXTS, "case_materials", "case_steps"), "")
        hidden = dict.fromkeys(("case_hidden", "case_due_hidden", "case_materials_hidden"), HIDDEN)
        return empty | hidden
    texts = {
        "case_status": case.status.value,
        "case_matter": case.matter_name,
        "case_status_label": case.status_label,
        "case_summary": case.summary,
        "case_due": case_due_text(case),
        "case_materials_label": case_materials_label(case),
        "case_owner": case.owner_hall_name,
        "case_delivery": case_delivery_text(case),
        "case_code": case.code,
    }
    materials = "".join(f"<li>{escape(item)}</li>" for item in case.materials)
    return {
        **{key: escape(value) for key, value in texts.items()},
        "case_hidden": "",
        "case_due_hidden": _hidden(bool(texts["case_due"])),
        "case_materials_hidden": _hidden(case.status is CrossRegionStatus.RETURNED),
        "case_materials": materials,
        "case_steps": _case_steps_html(case),
    }


def locker_texts(locker: LockerPickupPublic | None) -> dict[str, str]:
    """The locker card's fields (worded like status.js's showLocker), escaped."""
    if locker is None:
        return {"locker_code": "", "locker_where": "", "locker_hours": "", "locker_hidden": HIDDEN}
    texts = {
        "locker_code": locker.pickup_code,
        "locker_where": f"请到24小时自助服务区的{locker.locker_label}输入取件码",
        "locker_hours": f"自助服务区{locker.zone_hours}",
    }
    return {key: escape(value) for key, value in texts.items()} | {"locker_hidden": ""}


JOURNEY_NOTES = {
    JourneyStatus.AWAITING_DOCUMENTS: "补齐后凭回执码在取号机选择“补件回执”取号，优先办理",
    JourneyStatus.RETURNED: "材料已收到，正在办理；可以领取时本页会告诉您",
    JourneyStatus.COLLECTED: "办理结果已领取，本事项已办结",
    JourneyStatus.EXPIRED: "回执码已过有效期，如需继续办理请重新取号",
}
"""What the journey card says under its state (when ready: where to collect)."""


def journey_valid_text(journey: JourneyStatusPublic, timezone: tzinfo) -> str:
    if journey.valid_until is None or journey.status is not JourneyStatus.AWAITING_DOCUMENTS:
        return ""
    local = journey.valid_until.astimezone(timezone)
    return f"有效期至 {day_text(local.date())}{local:%H:%M}"


def journey_note(journey: JourneyStatusPublic) -> str:
    if journey.status is JourneyStatus.READY:
        return journey.collect_text or ""
    return JOURNEY_NOTES.get(journey.status, "")


def _journey_values(journey: JourneyStatusPublic | None, timezone: tzinfo) -> dict[str, str]:
    """The journey card's fields (worded like status.js's showJourney), escaped."""
    keys = ("journey_status", "journey_status_label", "journey_missing_label", "journey_code")
    if journey is None:
        empty = dict.fromkeys((*keys, "journey_missing", "journey_valid", "journey_note"), "")
        hidden = ("journey_hidden", "journey_missing_hidden", "journey_code_hidden")
        return empty | dict.fromkeys(hidden, HIDDEN)
    texts = {
        "journey_status": journey.status.value,
        "journey_status_label": journey.status_label,
        "journey_missing_label": f"请补齐以下材料（共 {len(journey.missing)} 项）",
        "journey_code": journey.return_code or "",
        "journey_valid": journey_valid_text(journey, timezone),
        "journey_note": journey_note(journey),
    }
    return {key: escape(value) for key, value in texts.items()} | {
        "journey_missing": "".join(f"<li>{escape(item)}</li>" for item in journey.missing),
        "journey_hidden": "",
        "journey_missing_hidden": _hidden(bool(journey.missing)),
        "journey_code_hidden": _hidden(journey.return_code is not None),
    }


def _hidden(shown: bool) -> str:
    return "" if shown else HIDDEN


def render_status_page(
    template: str,
    *,
    view: TicketStatusPublic,
    rating: PublicEvaluationState | None,
    timezone: tzinfo,
) -> str:
    """`rating` is read for a done ticket only; the choices themselves need the script."""
    waiting = view.status is TicketStatus.WAITING
    rated = rating is not None and rating.evaluation is not None
    closed = rating is not None and not rated and not rating.rateable
    materials = "".join(f"<li>{escape(item)}</li>" for item in view.materials)
    values = {
        "hall_name": view.hall_name,
        "number": view.number,
        "category_name": view.category_name,
        "status": view.status.value,
        "status_label": view.status_label,
        "call_window": call_window_text(view),
        "call_text": view.call_text or "",
        "ahead": str(view.ahead) if waiting and view.ahead is not None else "",
        "eta": eta_text(view) if waiting else "",
        "rated_text": rated_text(rating),
        "rating_refusal": (rating.refusal or "") if closed and rating else "",
        "matter": view.matter or "",
        "updated": view.updated_at.astimezone(timezone).strftime("%H:%M:%S"),
    }
    escaped = {key: escape(value) for key, value in values.items()}
    case = view.cross_region
    # A case or a journey carries on after the visit: the ticket's own 已办结 would read as
    # the matter's.
    carries_on = case is not None or view.journey is not None
    return Template(template).substitute(
        escaped,
        **_case_values(case),
        **locker_texts(view.locker),
        **_journey_values(view.journey, timezone),
        status_hidden=_hidden(not carries_on),
        call_hidden=_hidden(view.window_no is not None),
        waiting_hidden=_hidden(waiting),
        done_hidden=_hidden(view.status is TicketStatus.DONE and not carries_on),
        rated_hidden=_hidden(rated),
        rating_closed_hidden=_hidden(closed),
        matter_hidden=_hidden(view.matter is not None),
        materials_hidden=_hidden(bool(view.materials)),
        materials=materials,
    )


def render_not_found(template: str, *, hall_name: str) -> str:
    return Template(template).substitute(hall_name=escape(hall_name))
