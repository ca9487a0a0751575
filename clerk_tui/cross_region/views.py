"""Pure functions turning 市域通办 cases into what the consoles show: list rows, the case card,
the choices of the step dialogs, and the materials typed by staff."""

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from queue_server.domain.cross_region import (
    DELIVERY_LABELS,
    MODE_LABELS,
    CrossRegionMode,
    CrossRegionStep,
    Decision,
    Delivery,
    ForwardChannel,
)
from queue_server.protocol import CrossRegionCaseDetail, CrossRegionCasePublic, MatterPublic

Row = tuple[str, ...]

OVERDUE_MARK: Final = "⚠"
CASE_COLUMNS: Final = ("编号", "状态", "事项", "收件大厅", "属地大厅", "当前时限", "本厅可办")
"""The list's columns: they fit 100 columns with the matter and halls clipped."""
MATTER_WIDTH: Final = 8
HALL_WIDTH: Final = 6

SHORT_STEP_LABELS: Final[dict[CrossRegionStep, str]] = {
    CrossRegionStep.RECEIVE: "收件",
    CrossRegionStep.FORWARD: "转递",
    CrossRegionStep.ACCEPT: "受理",
    CrossRegionStep.RETURN: "补正",
    CrossRegionStep.RESUBMIT: "再转递",
    CrossRegionStep.DECIDE: "办结",
    CrossRegionStep.DELIVER: "送达",
}
"""Step names short enough for the list's last column."""
FORWARD_CHANNELS: Final[list[tuple[str, str]]] = [
    (ForwardChannel.ELECTRONIC, "电子流转（扫描件）"),
    (ForwardChannel.MAIL, "邮寄纸质原件（须填运单号）"),
]
DECISIONS: Final[list[tuple[str, str]]] = [
    (Decision.APPROVED, "准予办理"),
    (Decision.REJECTED, "不予办理（须写明原因和依据）"),
]
DECISION_LABELS: Final[dict[Decision, str]] = {
    Decision.APPROVED: "准予办理",
    Decision.REJECTED: "不予办理",
}
DELIVERY_CHOICES: Final[list[tuple[str, str]]] = [
    (Delivery.PICKUP, "窗口领取（出件窗口交给申请人）"),
    (Delivery.MAIL, "邮寄送达（须填运单号）"),
]
CHANNEL_LABELS: Final[dict[str, str]] = {
    ForwardChannel.ELECTRONIC: "电子流转",
    ForwardChannel.MAIL: "邮寄",
    Delivery.PICKUP: "窗口领取",
}


def hall_label(code: str, names: Mapping[str, str], width: int | None = None) -> str:
    """A hall by name (its code when the name is unknown), clipped to `width` characters."""
    name = names.get(code, code)
    return name if width is None else clip(name, width)


def clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def stamp(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M")


def due_text(case: CrossRegionCasePublic, timezone: str) -> str:
    """When the step the case waits for is due, ⚠ in front when overdue."""
    if case.due_at is None:
        return "—"
    mark = OVERDUE_MARK if case.overdue else ""
    return mark + stamp(case.due_at, timezone)


def actions_text(case: CrossRegionCasePublic) -> str:
    return "/".join(SHORT_STEP_LABELS[step] for step in case.actions) or "—"


def case_row(case: CrossRegionCasePublic, halls: Mapping[str, str], timezone: str) -> Row:
    return (
        case.code,
        case.status_label,
        clip(case.matter_name, MATTER_WIDTH),
        hall_label(case.receiving_hall, halls, HALL_WIDTH),
        hall_label(case.owner_hall, halls, HALL_WIDTH),
        due_text(case, timezone),
        actions_text(case),
    )


def soonest_due_first(cases: Sequence[CrossRegionCasePublic]) -> list[CrossRegionCasePublic]:
    """Open cases first, soonest due first (as the server sends them; kept here too so the
    order never depends on the list's source)."""
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    return sorted(
        cases,
        key=lambda case: (case.due_at is None, case.due_at or far, case.id),
    )


def list_title(cases: Sequence[CrossRegionCasePublic]) -> str:
    waiting = sum(1 for case in cases if case.actions)
    overdue = sum(1 for case in cases if case.overdue)
    marked = f" · {OVERDUE_MARK} 逾期 {overdue} 件" if overdue else ""
    return (
        f"市域通办 {len(cases)} 件 · 待本厅办理 {waiting} 件{marked}"
        " · 按时限排列 · ↑↓ 选择 · Enter 打开"
    )


def case_lines(case: CrossRegionCaseDetail, halls: Mapping[str, str], timezone: str) -> list[str]:
    """The case card: its facts, each step with its due date, then the log, oldest first."""
    originals = " · 纸质原件须邮寄" if case.originals_by_mail else ""
    lines = [
        f"{case.code} · {case.status_label}" + (f" {OVERDUE_MARK} 逾期" if case.overdue else ""),
        f"事项：{case.matter_name} · 号码：{case.number}",
        f"方式：{MODE_LABELS[case.mode]}{originals}",
        f"收件大厅：{hall_label(case.receiving_hall, halls)} → "
        f"属地大厅：{hall_label(case.owner_hall, halls)}",
        f"送达：{DELIVERY_LABELS[case.delivery]}" + _delivery_detail(case, halls),
    ]
    if case.returned_materials:
        lines.append("补正材料：" + "；".join(case.returned_materials))
    if case.result is not None:
        reason = f"（{case.reason}）" if case.reason else ""
        lines.append(f"办理结果：{DECISION_LABELS[case.result]}{reason}")
    lines.append("—— 环节（时限为工作日，按节假日安排计算）——")
    for step in case.steps:
        due = "时限 " + stamp(step.due_at, timezone) if step.due_at else "不计时"
        done = "完成 " + stamp(step.done_at, timezone) if step.done_at else "未完成"
        mark = f" {OVERDUE_MARK} 逾期" if step.overdue else ""
        lines.append(
            f"{step.label} · {hall_label(step.hall, halls)} · 开始 "
            f"{stamp(step.started_at, timezone)} · {due} · {done}{mark}"
        )
    lines.append("—— 办理记录 ——")
    for entry in case.log:
        actor = f" {entry.actor.display_name}" if entry.actor is not None else ""
        extra = [
            CHANNEL_LABELS.get(entry.channel, entry.channel) if entry.channel else "",
            f"运单号 {entry.tracking_no}" if entry.tracking_no else "",
            entry.note or "",
        ]
        detail = "：" + "，".join(part for part in extra if part) if any(extra) else ""
        lines.append(
            f"{stamp(entry.at, timezone)} {hall_label(entry.hall, halls)}{actor} "
            f"{entry.label}{detail}"
        )
    return lines


def _delivery_detail(case: CrossRegionCasePublic, halls: Mapping[str, str]) -> str:
    if case.delivery is Delivery.PICKUP:
        return f"（领取大厅：{hall_label(case.pickup_hall or case.receiving_hall, halls)}）"
    return f"（邮寄地址：{case.mail_address}）" if case.mail_address else ""


def split_materials(text: str) -> list[str]:
    """Materials typed on one line, separated by ；/;/、/，/, (blank parts dropped)."""
    return [part.strip() for part in re.split(r"[；;、，,\n]", text) if part.strip()]


def cross_region_matters(matters: Sequence[MatterPublic]) -> list[MatterPublic]:
    """The matters of the catalog that may be handled across the city."""
    return [matter for matter in matters if matter.cross_region]


def owner_choices(
    matter: MatterPublic, halls: Mapping[str, str], receiving: str | None
) -> list[tuple[str, str]]:
    """The halls that may own `matter`, other than the receiving hall: (code, name)."""
    allowed = matter.deciding_halls
    return [
        (code, name)
        for code, name in halls.items()
        if code != receiving and (allowed is None or code in allowed)
    ]


def mode_choices(matter: MatterPublic) -> list[tuple[str, str]]:
    return [(mode, MODE_LABELS[CrossRegionMode(mode)]) for mode in matter.cross_region]
