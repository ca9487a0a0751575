"""What the manager console shows at the smallest size it supports (100×30): statistics that open
on today, a 从 alone meaning that day, whole columns, chart titles and legends that are true,
hour labels, and the hall's clock."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from rich.style import Style
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable, Input
from textual_plotext import PlotextPlot

from clerk_tui.manager.app import ManagerApp
from queue_server.client import QueueClient
from queue_server.domain.clock import ManualClock
from tests.clerk_tui.console import log_in
from tests.clerk_tui.helpers import until
from tests.clerk_tui.test_manager import clear_and_type, clock, hall, play_a_day, text_of
from tests.support import LiveServer

__all__ = ["clock", "hall"]

SMALLEST = (100, 30)


@asynccontextmanager
async def small_console(
    server: LiveServer, clock: ManualClock
) -> AsyncIterator[tuple[ManagerApp, Pilot[None]]]:
    async with QueueClient(server.base_url) as client:
        app = ManagerApp(client, clock=clock, heartbeat_seconds=2.0)
        async with app.run_test(size=SMALLEST) as pilot:
            await log_in(pilot, "manager")
            await until(pilot, lambda: app.live is not None, "the live figures")
            yield app, pilot


def widget_lines(app: ManagerApp, widget: Widget) -> list[Strip]:
    """The screen's rows where `widget` is, cut to its columns, as the terminal shows them."""
    region = widget.region
    strips = app.screen._compositor.render_strips()
    return [strip.crop(region.x, region.right) for strip in strips[region.y : region.bottom]]


def colours(strips: list[Strip], character: str) -> set[str]:
    """The foreground colours of every cell showing `character`."""
    found: set[str] = set()
    for strip in strips:
        for segment in strip:
            style = segment.style or Style()
            if character in segment.text and style.color is not None:
                found.add(style.color.get_truecolor().hex)
    return found


def test_statistics_open_on_today_and_a_from_day_alone_means_that_day(
    hall: LiveServer, clock: ManualClock
) -> None:
    async def scenario() -> None:
        async with small_console(hall, clock) as (app, pilot):
            await pilot.press("f2")
            await until(pilot, lambda: app.period is not None, "the statistics")
            assert app.screen.query_one("#stats-from", Input).value == "2026-03-02"
            assert text_of(app, "#stats-title").startswith("2026-03-02 ")
            await clear_and_type(pilot, "昨天")
            await pilot.press("enter")
            await until(pilot, lambda: "2026-03-01 " in text_of(app, "#stats-title"), "a day")
            await clear_and_type(pilot, "今天")  # 至 stays empty
            await pilot.press("enter")
            await until(pilot, lambda: "2026-03-02 " in text_of(app, "#stats-title"), "today")

    asyncio.run(scenario())


def test_at_100_columns_no_table_cuts_a_column(hall: LiveServer, clock: ManualClock) -> None:
    play_a_day(hall, clock)

    def whole(table: DataTable[str]) -> bool:
        return table.virtual_size.width <= table.scrollable_content_region.width

    async def scenario() -> None:
        async with small_console(hall, clock) as (app, pilot):
            await until(
                pilot,
                lambda: app.screen.query_one("#live-windows", DataTable).row_count > 0,
                "rows",
            )
            await pilot.pause()
            for table in app.screen.query("#live-tables DataTable").results(DataTable):
                assert whole(table), table.id
            await pilot.press("f2")
            await clear_and_type(pilot, "昨天")
            await pilot.press("enter")
            await until(pilot, lambda: "2026-03-02" in text_of(app, "#stats-title"), "the stats")
            await pilot.pause()
            tables = list(app.screen.query("#stats-page DataTable").results(DataTable))
            assert len(tables) >= 3
            for table in tables:
                assert whole(table), table.id

    asyncio.run(scenario())


def test_charts_have_whole_titles_true_legends_and_hour_labels(
    hall: LiveServer, clock: ManualClock
) -> None:
    play_a_day(hall, clock)

    async def scenario() -> None:
        async with small_console(hall, clock) as (app, pilot):
            await pilot.press("f2")
            await clear_and_type(pilot, "昨天")
            await pilot.press("enter")
            await until(pilot, lambda: "2026-03-02" in text_of(app, "#stats-title"), "the stats")
            await pilot.pause()
            for chart_id in ("#chart-hourly", "#chart-wait"):
                chart = app.screen.query_one(chart_id)
                app.screen.scroll_to_widget(chart, animate=False)
                await pilot.pause()
                lines = widget_lines(app, chart)
                for line in lines:  # a title never breaks inside its brackets
                    assert line.text.count("（") == line.text.count("）"), line.text
                assert not any(colour in line.text for line in lines for colour in "蓝绿红紫")
                plot = chart.query_one(PlotextPlot) if chart.children else chart
                bars = colours(widget_lines(app, plot), "█")
                title = next(line for line in lines if "到达" in line.text or "等候" in line.text)
                swatches = colours([title], "█")
                assert swatches and swatches <= bars, chart_id
            hourly = app.screen.query_one("#chart-hourly")
            assert any("9:00" in line.text for line in widget_lines(app, hourly))

    asyncio.run(scenario())


def test_the_status_line_keeps_the_halls_time(hall: LiveServer, clock: ManualClock) -> None:
    async def scenario() -> None:
        async with small_console(hall, clock) as (app, pilot):
            assert "2026-03-02 09:00:00" in text_of(app, "#manager-status")
            clock.advance(timedelta(minutes=1, seconds=1))
            await until(pilot, lambda: "09:01:01" in text_of(app, "#manager-status"), "the time")

    asyncio.run(scenario())
