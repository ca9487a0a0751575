"""The status page's HTML with the ticket already in it, so a phone shows the number, the
category, the status and the people ahead before (and without) JavaScript.

Pure: a view in, a page out. `status.js` words the same states the same way when it updates
the page live; keep the two in step."""

from datetime import tzinfo
from html import escape
from string import Template

from queue_server.domain.enums import TicketStatus
from queue_server.protocol import PublicEvaluationState, TicketStatusPublic

HIDDEN = " hidden"


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
    return Template(template).substitute(
        escaped,
        call_hidden=_hidden(view.window_no is not None),
        waiting_hidden=_hidden(waiting),
        done_hidden=_hidden(view.status is TicketStatus.DONE),
        rated_hidden=_hidden(rated),
        rating_closed_hidden=_hidden(closed),
        matter_hidden=_hidden(view.matter is not None),
        materials_hidden=_hidden(bool(view.materials)),
        materials=materials,
    )


def render_not_found(template: str, *, hall_name: str) -> str:
    return Template(template).substitute(hall_name=escape(hall_name))
