"""Words the kiosk shows, built from the hall's numbers (pure, for tests)."""

from queue_server.domain.enums import PRIORITY_LABELS
from queue_server.protocol import CategoryPublic, MatterPublic, PriorityReason

KIOSK_PRIORITIES = (
    PriorityReason.ELDERLY,
    PriorityReason.DISABLED,
    PriorityReason.MILITARY,
    PriorityReason.PREGNANT,
)
CERTIFICATE_NOTE = "请在窗口出示有效证件"


def wait_text(waiting: int | None, eta_minutes: int | None) -> str:
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


def materials_text(matter: MatterPublic) -> str:
    if not matter.materials:
        return "所需材料请咨询窗口工作人员。"
    lines = [f"{index}. {item}" for index, item in enumerate(matter.materials, start=1)]
    return "\n".join(lines)
