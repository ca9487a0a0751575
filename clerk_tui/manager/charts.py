"""Terminal charts of the statistics page (plotext inside Textual, via textual-plotext).

plotext measures every character as one cell, so Chinese inside the plot area would shift its
rows: the legends are in the titles (series named by colour), above the plot area.
textual-plotext's type stubs take one colour for `multiple_bar`; plotext takes one per series,
hence the ignores."""

from textual_plotext import PlotextPlot

from clerk_tui.manager.views import Series

BLUE, GREEN, RED = "blue+", "green+", "red+"


class HourlyChart(PlotextPlot):
    """Arrivals per hour against the mean number of people waiting in that hour."""

    def show(self, hours: list[int], arrivals: list[float], waiting: list[float]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("每小时到达（蓝）与平均等候人数（绿）")
        if hours:
            plt.multiple_bar(
                [f"{hour}h" for hour in hours],
                [arrivals, waiting],
                color=[BLUE, GREEN],  # type: ignore[arg-type]
            )
        self.refresh()


class WaitChart(PlotextPlot):
    """Waits per group: median, 90th percentile and longest, in minutes."""

    def show(
        self, labels: list[str], median: list[float], p90: list[float], longest: list[float]
    ) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("等候分钟：中位（蓝）P90（绿）最长（红）")
        if labels:
            plt.multiple_bar(labels, [median, p90, longest], color=[BLUE, GREEN, RED])  # type: ignore[arg-type]
        self.refresh()


class SatisfactionChart(PlotextPlot):
    """How many evaluations of each of the five levels, best first."""

    def show(self, series: Series) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if any(series.values):
            plt.title("好差评条数：5=非常满意 … 1=非常不满意")
            plt.bar([str(5 - index) for index in range(len(series.values))], series.values)
        else:
            plt.title("好差评：本期间暂无评价")
        self.refresh()
