"""Words the kiosk shows, built from the hall's numbers (pure, for tests)."""

from queue_server.domain.enums import PRIORITY_LABELS
from queue_server.domain.nearby import Handling
from queue_server.protocol import CategoryPublic, MatterPublic, PriorityReason, PublicHallChoice

KIOSK_PRIORITIES = (
    PriorityReason.ELDERLY,
    PriorityReason.DISABLED,
    PriorityReason.MILITARY,
    PriorityReason.PREGNANT,
)
CERTIFICATE_NOTE = "请在窗口出示有效证件"


NO_WAIT = "无需等候"
"""What the kiosk says with nobody ahead, as the boards do."""


def wait_text(waiting: int | None, eta_minutes: int | None) -> str:
    if waiting == 0:
        return NO_WAIT
    people = f"等候 {waiting} 人" if waiting is not None else "等候人数未知"
    if eta_minutes is None:
        return people
    return f"{people} · 约 {eta_minutes} 分钟"


def category_label(category: CategoryPublic) -> str:
    if not category.open:
        return f"{category.name}\n暂停取号：{category.closed_reason or '暂不办理'}"
    return f"{category.name}\n{wait_text(category.waiting, category.eta_minutes)}"


def priority_label(priority: PriorityReason) -> str:
    return PRIORITY_LABELS[priority]


def matches(matter: MatterPublic, query: str) -> bool:
    """Whether a matter fits what the applicant typed: its name or any of its items."""
    words = query.strip()
    if not words:
        return True
    return any(words in text for text in (matter.name, *matter.items))


OUT_OF_HOURS = "不在办理时间"
"""The server's reason for a category closed outside its opening hours."""


def hall_notice(categories: list[CategoryPublic]) -> str:
    """What the category screen says under the buttons when nothing can be taken."""
    if not categories:
        return "暂无可办理的业务"
    if any(category.open for category in categories):
        return ""
    if all(category.closed_reason == OUT_OF_HOURS for category in categories):
        return "现在不在取号时间，请在办理时间内再来"
    return "暂时无法取号，请咨询工作人员"


CITY_QR_CAPTION = "手机扫码，查看全市各政务服务大厅的办理时间和排队情况"
"""Beside the QR code to the city's 就近办 page when nothing can be taken here now."""


def elsewhere_text(choice: PublicHallChoice, *, eta_here: int) -> str:
    """就近办: the confirm screen's plain words when another hall would serve much sooner."""
    sooner = eta_here - (choice.eta_minutes or 0)
    how = "，可在那里市域通办" if choice.handling is Handling.CROSS_REGION else ""
    where = f"（{choice.address}）" if choice.address else ""
    return (
        f"这里现在约需等候 {eta_here} 分钟。{choice.name}{where}约 {choice.eta_minutes} 分钟，"
        f"快 {sooner} 分钟{how}。您也可以继续在这里取号。"
    )
