"""`queue-server report`: one service day as a single HTML file, charts embedded as PNGs."""

import base64
import html
from datetime import date, datetime

from sqlmodel import Session

from queue_server.config import HallConfig
from queue_server.protocol import StatsReport, StatsRow
from queue_server.reports import charts
from queue_server.services.stats_report import period_report, period_tallies

COLUMNS = (
    ("label", "名称"),
    ("issued", "取号"),
    ("transferred_in", "转入"),
    ("served", "办结"),
    ("no_show", "过号"),
    ("transferred", "转出"),
    ("cancelled", "取消"),
    ("abandoned", "离开未办"),
    ("wait_mean", "平均等候"),
    ("wait_median", "等候中位数"),
    ("wait_p90", "等候P90"),
    ("wait_max", "最长等候"),
    ("service_mean", "平均办理"),
    ("service_p90", "办理P90"),
    ("within_target_share", "目标内比例"),
    ("no_show_rate", "过号率"),
    ("satisfaction_score", "满意度均分"),
)
TRANSFER_NOTE = (
    '<p class="note">以上各表中，取号：在取号机取号、在此排队的人次；'
    "转入：由其他窗口或业务类别转来的人次。"
    "转来的号在此办结时计入转入而不计入取号，所以办结可以多于取号，但不会多于取号与转入之和。</p>"
)
SECONDS = {key for key, _ in COLUMNS if key.startswith(("wait_", "service_"))}
SHARES = {"within_target_share", "no_show_rate"}

STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.total td { font-weight: bold; }
img { max-width: 100%; margin: 0.5em 0; }
.note { color: #555; font-size: 0.85em; }
@media print { h2 { page-break-after: avoid; } img { page-break-inside: avoid; } }
"""


def _cell(key: str, value: object) -> str:
    if value is None:
        return "—"
    if key in SECONDS and isinstance(value, float):
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes}分{seconds:02d}秒"
    if key in SHARES and isinstance(value, float):
        return f"{value * 100:.1f}%"
    return html.escape(str(value))


def _table(report: StatsReport) -> str:
    head = "".join(f"<th>{label}</th>" for _, label in COLUMNS)

    def line(row: StatsRow, css: str = "") -> str:
        cells = "".join(f"<td>{_cell(key, getattr(row, key))}</td>" for key, _ in COLUMNS)
        return f'<tr class="{css}">{cells}</tr>'

    body = "".join(line(row) for row in report.rows) + line(report.total, "total")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def render(
    *,
    hall: HallConfig,
    day: date,
    now: datetime,
    reports: dict[str, StatsReport],
    waits_png: bytes,
) -> str:
    category = reports["category"]
    whole = category.total
    figures = [
        _image(charts.arrivals_and_waiting(category.hourly), "每小时取号与等候人数"),
        _image(waits_png, "等候时间分布"),
        _image(charts.satisfaction(whole), "好差评分布")
        if whole.evaluations
        else "<p><strong>好差评分布</strong>：本日暂无评价。</p>",
    ]
    if category.pauses:
        figures.append(_image(charts.pauses(category.pauses), "暂停时长（按原因）"))
    summary = (
        f"取号 {whole.issued} 人，办结 {whole.served} 人，过号 {whole.no_show} 人，"
        f"离开未办 {whole.abandoned} 人；平均等候 {_cell('wait_mean', whole.wait_mean)}，"
        f"目标内比例 {_cell('within_target_share', whole.within_target_share)}。"
    )
    sections = [
        f"<h1>{html.escape(hall.hall.name)} 服务日报 {day.isoformat()}</h1>",
        f"<p>{summary}</p>",
        "<h2>图表</h2>",
        *figures,
        "<h2>按业务类别</h2>",
        _table(category),
        "<h2>按窗口</h2>",
        _table(reports["window"]),
        "<h2>按工作人员</h2>",
        _table(reports["clerk"]),
        TRANSFER_NOTE,
        f"<p>生成时间 {now.astimezone(hall.tz):%Y-%m-%d %H:%M}</p>",
    ]
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>服务日报 {day.isoformat()}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(sections)}</body></html>"
    )


def daily_report(session: Session, *, hall: HallConfig, day: date, now: datetime) -> str:
    reports = {
        group_by: period_report(session, hall=hall, start=day, end=day, group_by=group_by, now=now)
        for group_by in ("category", "window", "clerk")
    }
    period = period_tallies(session, hall=hall, start=day, end=day, group_by="day", now=now)
    waits = period.total().waits.array()
    targets = {c.target_wait_minutes for c in hall.categories}
    target = targets.pop() if len(targets) == 1 else None
    return render(
        hall=hall,
        day=day,
        now=now,
        reports=reports,
        waits_png=charts.wait_distribution(waits, target_minutes=target),
    )
