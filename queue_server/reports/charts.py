"""Charts for the daily report, drawn with matplotlib (Agg, no display) in a CJK font and
returned as PNG bytes."""

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from queue_server.domain.stats.percentiles import FloatArray
from queue_server.protocol import HourLoadPublic, PauseReasonPublic, StatsRow

FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts")
FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf")


class FontMissing(RuntimeError):
    """No CJK font: install Debian's fonts-noto-cjk."""


@cache
def cjk_font() -> str:
    """The family name of Noto Sans CJK (Debian package fonts-noto-cjk), registered once."""
    for directory in FONT_DIRS:
        for name in FONT_FILES:
            for path in Path(directory).rglob(name):
                font_manager.fontManager.addfont(str(path))
                return "Noto Sans CJK SC"
    raise FontMissing("找不到中文字体：请安装 fonts-noto-cjk")


@contextmanager
def _chart() -> Iterator[Figure]:
    """A white figure drawn entirely (texts included) in the CJK font."""
    with matplotlib.rc_context({"font.family": cjk_font(), "axes.unicode_minus": False}):
        figure = Figure(figsize=(8, 3.6), dpi=100, layout="constrained")
        figure.set_facecolor("white")
        yield figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def arrivals_and_waiting(hours: Sequence[HourLoadPublic]) -> bytes:
    with _chart() as figure:
        axes = figure.subplots()
        labels = [f"{load.hour:02d}" for load in hours]
        axes.bar(labels, [load.arrivals for load in hours], color="#4e79a7", label="每小时取号")
        axes.set_xlabel("时段（时）")
        axes.set_ylabel("取号人数")
        waiting = axes.twinx()
        waiting.plot(labels, [load.waiting_mean for load in hours], color="#e15759", marker="o")
        waiting.set_ylabel("平均等候人数")
        waiting.set_ylim(bottom=0)  # from zero, like the bars: no exaggerated swings
        axes.set_title("每小时取号与等候人数")
        return _png(figure)


def wait_distribution(waits: FloatArray, *, target_minutes: float | None) -> bytes:
    with _chart() as figure:
        axes = figure.subplots()
        minutes = waits / 60
        axes.hist(minutes, bins=min(30, max(5, len(minutes) // 5 or 1)), color="#59a14f")
        if target_minutes is not None:
            axes.axvline(target_minutes, color="#e15759", linestyle="--", label="目标等候")
        axes.set_xlabel("等候时间（分钟）")
        axes.set_ylabel("人数")
        axes.set_title("等候时间分布")
        return _png(figure)


def satisfaction(total: StatsRow) -> bytes:
    with _chart() as figure:
        axes = figure.subplots()
        names = ["非常满意", "满意", "基本满意", "不满意", "非常不满意", "默认好评"]
        counts = [
            total.very_satisfied,
            total.satisfied,
            total.basically_satisfied,
            total.dissatisfied,
            total.very_dissatisfied,
            total.defaulted,
        ]
        colours = ["#59a14f", "#8cd17d", "#f1ce63", "#f28e2b", "#e15759", "#bab0ac"]
        axes.bar(names, counts, color=colours)
        axes.set_ylabel("评价数")
        axes.set_title("好差评分布")
        return _png(figure)


def pauses(reasons: Sequence[PauseReasonPublic]) -> bytes:
    with _chart() as figure:
        axes = figure.subplots()
        axes.barh([p.reason for p in reasons], [p.seconds / 60 for p in reasons], color="#76b7b2")
        axes.set_xlabel("暂停时长（分钟）")
        axes.set_title("暂停时长（按原因）")
        return _png(figure)
