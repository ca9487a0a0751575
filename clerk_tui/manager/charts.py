"""Terminal charts of the statistics page (plotext inside Textual, via textual-plotext).

plotext measures every character as one cell, so Chinese inside the plot area would shift its
rows: each chart's title and legend are a Textual line above the plot, which wraps Chinese
properly, and the legend shows a swatch drawn in the very colour of its series (whatever colour
the terminal's theme gives it) rather than naming a colour.
textual-plotext's type stubs take one colour for `multiple_bar`; plotext takes one per series,
hence the ignores."""

from typing import Final

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from clerk_tui.manager.views import Series, hour_label

FIRST, SECOND, THIRD = "blue+", "green+", "red+"
SWATCH_STYLES: Final = {FIRST: "bright_blue", SECOND: "bright_green", THIRD: "bright_red"}
"""The Rich colour that the terminal draws for each plotext colour (ANSI 12, 10 and 9)."""


def legend(title: str, series: list[tuple[str, str]]) -> Text:
    """`title`, then one swatch and name per (plotext colour, name)."""
    text = Text(title, style="bold")
    for colour, name in series:
        text.append("  ")
        text.append("██", style=SWATCH_STYLES[colour])
        text.append(f" {name}")
    return text


class Chart(Vertical):
    """A title line with the legend, above a plotext plot."""

    def compose(self) -> ComposeResult:
        yield Static(classes="chart-title")
        yield PlotextPlot()

    def _start(self, title: Text, *, empty: bool, empty_title: str) -> PlotextPlot:
        """Clear the plot for new data; with none, show `empty_title` and hide the axes."""
        shown = Text(empty_title, style="bold") if empty else title
        self.query_one(".chart-title", Static).update(shown)
        self.set_class(empty, "-empty")
        plot = self.query_one(PlotextPlot)
        plot.plt.clear_data()
        plot.plt.clear_figure()
        return plot


class HourlyChart(Chart):
    """Arrivals per hour against the mean number of people waiting in that hour."""

    def show(self, hours: list[int], arrivals: list[float], waiting: list[float]) -> None:
        plot = self._start(
            legend("每小时到达与等候", [(FIRST, "到达人数"), (SECOND, "平均等候人数")]),
            empty=not hours,
            empty_title="每小时到达与等候：本期间暂无取号",
        )
        if hours:
            plot.plt.multiple_bar(
                [hour_label(hour) for hour in hours],
                [arrivals, waiting],
                color=[FIRST, SECOND],  # type: ignore[arg-type]
            )
        plot.refresh()


class WaitChart(Chart):
    """Waits per group: median, 90th percentile and longest, in minutes."""

    def show(
        self, labels: list[str], median: list[float], p90: list[float], longest: list[float]
    ) -> None:
        plot = self._start(
            legend("等候分钟", [(FIRST, "中位"), (SECOND, "P90"), (THIRD, "最长")]),
            empty=not labels,
            empty_title="等候分钟：本期间无人叫号",
        )
        if labels:
            plot.plt.multiple_bar(
                labels,
                [median, p90, longest],
                color=[FIRST, SECOND, THIRD],  # type: ignore[arg-type]
            )
        plot.refresh()


class SatisfactionChart(Chart):
    """How many evaluations of each of the five levels, best first."""

    def show(self, series: Series) -> None:
        plot = self._start(
            Text("好差评条数：5=非常满意 … 1=非常不满意", style="bold"),
            empty=not any(series.values),
            empty_title="好差评：本期间暂无评价",
        )
        if any(series.values):
            plot.plt.bar([str(5 - index) for index in range(len(series.values))], series.values)
        plot.refresh()
