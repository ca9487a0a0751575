"""Pure functions turning the server's answers into what the manager console shows: table
rows, chart series, periods typed by the manager and export file names."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from clerk_tui.formatting import duration
from queue_server.protocol import (
    CaseClass,
    CaseDetail,
    CaseKind,
    CasePublic,
    EvaluationPublic,
    EventMessage,
    LiveStats,
    StatsGroupBy,
    StatsReport,
    StatsRow,
    WindowStatus,
)

Row = tuple[str, ...]

WINDOW_STATUS_LABELS: Final[dict[WindowStatus, str]] = {
    WindowStatus.OPEN: "服务中",
    WindowStatus.PAUSED: "暂停",
    WindowStatus.CLOSED: "未开",
}
ALERT_LABELS: Final[dict[str, str]] = {
    "alert.wait_target": "等候超时",
    "alert.service_limit": "办理超时",
    "alert.queue_length": "排队过长",
    "alert.case_overdue": "工单逾期",
    "alert.device": "设备异常",
    "alert.cross_region_overdue": "通办逾期",
    "alert.help_requested": "一键求助",
    "alert.help_unanswered": "求助无人响应",
}
GROUP_LABELS: Final[dict[str, str]] = {
    "category": "按业务类别",
    "window": "按窗口",
    "clerk": "按工作人员",
    "hour": "按小时",
    "day": "按日",
}
GROUP_ORDER: Final[tuple[StatsGroupBy, ...]] = ("category", "window", "clerk", "hour", "day")
CASE_KIND_LABELS: Final[dict[str, str]] = {
    CaseKind.UNRESOLVED: "办不成事",
    CaseKind.FOLLOWUP: "差评回访整改",
}
CASE_CLASS_LABELS: Final[dict[str, str]] = {
    CaseClass.SIMPLE: "简单类",
    CaseClass.ORDINARY: "一般类",
    CaseClass.LEGALLY_IMPOSSIBLE: "依法不能办类",
    CaseClass.HARD: "疑难复杂类",
    CaseClass.SPECIAL: "特殊类",
}
SATISFACTION_LABELS: Final = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
EXPORT_FORMATS: Final = ("csv", "xlsx")

LIVE_CATEGORY_COLUMNS: Final = ("业务类别", "等候", "最长等候", "目标等候", "超时")
LIVE_WINDOW_COLUMNS: Final = ("窗口", "状态", "人员", "当前号", "已办理")
STATS_COLUMNS: Final = (
    "分组",
    "取号",
    "办结",
    "过号",
    "转出",
    "取消",
    "放弃",
    "平均等候",
    "中位等候",
    "P90等候",
    "最长等候",
    "平均办理",
    "达标率",
    "满意度",
)
STATS_COUNTS: Final = (0, 1, 2, 3, 4, 5, 6, 12, 13)
"""The columns of STATS_COLUMNS in the counts table (with the shares)."""
STATS_TIMES: Final = (0, 7, 8, 9, 10, 11)
"""The columns of STATS_COLUMNS in the times table: two tables fit 100 columns, one does not."""
EVALUATION_COLUMNS: Final = ("时间", "号码", "业务类别", "窗口", "工作人员", "评价", "原因")
CASE_FIGURE_COLUMNS: Final = ("类型 · 分类", "受理", "按期办结", "超期办结", "未办结", "已逾期")
CASE_COLUMNS: Final = ("编号", "类型", "状态", "分类", "号码", "摘要", "办理时限", "承办人")


class InputError(ValueError):
    """What the manager typed cannot be used; the message is for people."""


@dataclass(frozen=True, slots=True)
class Series:
    labels: list[str]
    values: list[float]


def share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def minutes(seconds: float | None) -> float:
    return 0.0 if seconds is None else round(seconds / 60, 1)


def local_time(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def local_stamp(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M")


# The live page


def live_category_rows(live: LiveStats) -> list[Row]:
    return [
        (
            category.name,
            str(category.waiting),
            duration(category.longest_wait_seconds),
            duration(category.target_wait_seconds),
            str(category.over_target),
        )
        for category in live.categories
    ]


def live_window_rows(live: LiveStats) -> list[Row]:
    rows: list[Row] = []
    for window in live.windows:
        status = WINDOW_STATUS_LABELS.get(window.status, str(window.status))
        if window.status == WindowStatus.PAUSED and window.pause_reason:
            status = f"{status}（{window.pause_reason}）"
        rows.append(
            (
                f"{window.number}号 {window.name}",
                status,
                window.clerk or "—",
                window.current_number or "—",
                duration(window.serving_seconds),
            )
        )
    return rows


def live_summary(live: LiveStats) -> str:
    waiting = sum(category.waiting for category in live.categories)
    longest = max(
        (c.longest_wait_seconds for c in live.categories if c.longest_wait_seconds is not None),
        default=None,
    )
    return (
        f"等候 {waiting} 人 · 最长等候 {duration(longest)} · "
        f"窗口 服务中 {live.windows_open} / 暂停 {live.windows_paused} / "
        f"未开 {live.windows_closed} · 今日取号 {live.today.issued} · 办结 {live.today.served}"
    )


def alert_line(event: EventMessage, timezone: str) -> str:
    """One alert for the list: time, kind and the server's sentence."""
    label = ALERT_LABELS.get(str(event.type), str(event.type))
    text = event.alert.message if event.alert is not None else (event.reason or "")
    return f"{local_time(event.at, timezone)} [{label}] {text}"


def is_alert(event: EventMessage) -> bool:
    return str(event.type).startswith("alert.")


# The statistics page


def parse_period(first: str, last: str, *, today: date) -> tuple[date, date]:
    """The period from two typed days (YYYY-MM-DD; 今天/昨天 too; an empty end = the start)."""
    start = _parse_day(first, today=today, what="开始日期")
    end = _parse_day(last, today=today, what="结束日期") if last.strip() else start
    if end < start:
        raise InputError("结束日期不能早于开始日期")
    if (end - start).days > 366:
        raise InputError("统计期间最长一年")
    return start, end


def _parse_day(text: str, *, today: date, what: str) -> date:
    value = text.strip()
    named = {"今天": today, "今日": today, "昨天": today - timedelta(days=1)}
    if value in named:
        return named[value]
    if not value:
        raise InputError(f"请输入{what}（YYYY-MM-DD）")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{what}“{value}”不是有效日期，请按 YYYY-MM-DD 输入") from None


def stats_row(row: StatsRow) -> Row:
    return (
        row.label or row.key,
        str(row.issued),
        str(row.served),
        str(row.no_show),
        str(row.transferred),
        str(row.cancelled),
        str(row.abandoned),
        duration(row.wait_mean),
        duration(row.wait_median),
        duration(row.wait_p90),
        duration(row.wait_max),
        duration(row.service_mean),
        share(row.within_target_share),
        share(row.satisfaction_rate),
    )


def stats_rows(report: StatsReport) -> list[Row]:
    total = report.total.model_copy(update={"label": "合计"})
    return [stats_row(row) for row in report.rows] + [stats_row(total)]


def pick(rows: list[Row], columns: tuple[int, ...]) -> list[Row]:
    """Some columns of each row, in the order given."""
    return [tuple(row[column] for column in columns) for row in rows]


def stats_title(report: StatsReport) -> str:
    period = (
        report.from_day.isoformat()
        if report.from_day == report.to_day
        else f"{report.from_day} 至 {report.to_day}"
    )
    return (
        f"{period} · {GROUP_LABELS.get(report.group_by, report.group_by)} · {report.days} 个服务日"
    )


def hourly_series(report: StatsReport) -> tuple[list[int], list[float], list[float]]:
    """From the first to the last hour with any arrivals or anyone waiting, every hour (an
    idle hour in between is a zero, so the axis reads as a time axis): (hours, arrivals, mean
    people waiting)."""
    busy = [load.hour for load in report.hourly if load.arrivals or load.waiting_mean]
    if not busy:
        return [], [], []
    loads = [load for load in report.hourly if min(busy) <= load.hour <= max(busy)]
    return (
        [load.hour for load in loads],
        [float(load.arrivals) for load in loads],
        [round(load.waiting_mean, 2) for load in loads],
    )


def hour_label(hour: int) -> str:
    """An hour on a chart's axis, ASCII only (plotext counts every character as one cell)."""
    return f"{hour}:00"


def wait_series(report: StatsReport) -> tuple[list[str], list[float], list[float], list[float]]:
    """Per group: median, 90th percentile and longest wait, in minutes."""
    rows = [row for row in report.rows if row.wait_max is not None]
    return (
        [row.label or row.key for row in rows],
        [minutes(row.wait_median) for row in rows],
        [minutes(row.wait_p90) for row in rows],
        [minutes(row.wait_max) for row in rows],
    )


def satisfaction_series(row: StatsRow) -> Series:
    return Series(
        list(SATISFACTION_LABELS),
        [
            float(row.very_satisfied),
            float(row.satisfied),
            float(row.basically_satisfied),
            float(row.dissatisfied),
            float(row.very_dissatisfied),
        ],
    )


def satisfaction_summary(row: StatsRow) -> str:
    score = "—" if row.satisfaction_score is None else f"{row.satisfaction_score:.2f}"
    return (
        f"评价 {row.evaluations} 条（默认好评 {row.defaulted}）· 满意率 "
        f"{share(row.satisfaction_rate)} · 平均分 {score}"
    )


def case_figure_rows(report: StatsReport) -> list[Row]:
    return [
        (
            f"{CASE_KIND_LABELS.get(figures.kind, figures.kind)} · "
            f"{CASE_CLASS_LABELS.get(figures.case_class, figures.case_class or '未分类')}",
            str(figures.opened),
            str(figures.closed_in_time),
            str(figures.closed_late),
            str(figures.open),
            str(figures.overdue),
        )
        for figures in report.cases
    ]


def parse_level(text: str) -> int:
    """A re-rating typed as 1–5."""
    value = text.strip()
    if value not in {"1", "2", "3", "4", "5"}:
        raise InputError("评价请输入 1 到 5 的数字（5 为非常满意）")
    return int(value)


def export_file_name(start: date, end: date, group_by: str, fmt: str) -> str:
    period = start.isoformat() if start == end else f"{start}_{end}"
    return f"yimen-stats-{period}-{group_by}.{fmt}"


def export_target(text: str, *, start: date, end: date, group_by: str, fmt: str) -> Path:
    """Where to save: the typed path; a folder (existing, or typed with a trailing slash)
    gets the default file name; a missing suffix gets the format's."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"不支持的导出格式：{fmt}")
    typed = text.strip()
    if not typed:
        raise InputError("请输入保存路径")
    path = Path(typed).expanduser()
    if typed.endswith(("/", "\\")) or path.is_dir():
        return path / export_file_name(start, end, group_by, fmt)
    if path.suffix.lower() != f".{fmt}":
        return path.with_name(f"{path.name}.{fmt}")
    return path


# Evaluations and cases


def evaluation_row(evaluation: EvaluationPublic, timezone: str) -> Row:
    label = f"{evaluation.label}（默认）" if evaluation.defaulted else evaluation.label
    reasons = "；".join(
        [*evaluation.reasons, *([evaluation.comment] if evaluation.comment else [])]
    )
    return (
        local_stamp(evaluation.submitted_at, timezone),
        evaluation.number,
        evaluation.category_name,
        "—" if evaluation.window_no is None else f"{evaluation.window_no}号",
        evaluation.clerk.display_name if evaluation.clerk is not None else "—",
        label,
        reasons or "—",
    )


def case_row(case: CasePublic) -> Row:
    due = case.due.isoformat() + ("（逾期）" if case.overdue else "")
    return (
        str(case.id),
        case.kind_label,
        case.status_label,
        case.class_label or "未分类",
        case.number or "—",
        _clip(case.summary, 24),
        due,
        case.owner.display_name if case.owner is not None else "—",
    )


def case_detail_lines(case: CaseDetail, timezone: str) -> list[str]:
    """The case card: its facts, then the log, oldest first."""
    lines = [
        f"工单 {case.id} · {case.kind_label} · {case.status_label}"
        + ("（逾期）" if case.overdue else ""),
        f"分类：{case.class_label or '未分类'} · 办理时限：{case.due}",
        f"号码：{case.number or '—'} · 业务：{case.category_name or '—'} · "
        f"窗口：{'—' if case.window_no is None else f'{case.window_no}号'}",
        f"事项：{case.matter or '—'}",
        f"诉求：{case.summary}",
        f"联系方式：{case.contact or '—'}",
        f"承办人：{case.owner.display_name if case.owner else '—'} · "
        f"转办部门：{case.department or '—'}",
    ]
    if case.reply:
        lines.append(f"答复：{case.reply}")
    if case.negative_reason:
        lines.append(f"不能办理的原因：{case.negative_reason}")
    if case.feedback:
        lines.append(f"反馈：{case.feedback}")
    if case.followup_note:
        level = "" if case.followup_level is None else f"（评价 {case.followup_level}）"
        lines.append(f"回访：{case.followup_note}{level}")
    lines.append("—— 办理记录 ——")
    for entry in case.log:
        actor = f" {entry.actor.display_name}" if entry.actor is not None else ""
        note = f"：{entry.note}" if entry.note else ""
        lines.append(f"{local_stamp(entry.at, timezone)}{actor} {entry.label}{note}")
    return lines


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
