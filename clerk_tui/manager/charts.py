"""Terminal charts of the statistics page (plotext inside Textual, via textual-plotext).

textual-plotext's type stubs name `multiple_bar`'s legend argument `label`; plotext itself
takes `labels`, hence the ignores below."""

from textual_plotext import PlotextPlot

from clerk_tui.manager.views import Series


class HourlyChart(PlotextPlot):
    """Arrivals per hour against the mean number of people waiting in that hour."""

    def show(self, hours: list[int], arrivals: list[float], waiting: list[float]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("每小时到达人数与平均等候人数")
        if hours:
            plt.multiple_bar(
                [str(hour) for hour in hours],
                [arrivals, waiting],
                labels=["到达", "等候"],  # type: ignore[call-arg]
            )
            plt.xlabel("时")
        self.refresh()


class WaitChart(PlotextPlot):
    """Waits per group: median, 90th percentile and longest, in minutes."""

    def show(
        self, labels: list[str], median: list[float], p90: list[float], longest: list[float]
    ) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("等候时间分布（分钟）")
        if labels:
            plt.multiple_bar(
                labels,
                [median, p90, longest],
                labels=["中位", "P90", "最长"],  # type: ignore[call-arg]
            )
        self.refresh()


class SatisfactionChart(PlotextPlot):
    """How many evaluations of each of the five levels."""

    def show(self, series: Series) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("好差评")
        if any(series.values):
            plt.bar(series.labels, series.values, orientation="horizontal")
        self.refresh()
