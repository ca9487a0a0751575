"""Today's figures for this clerk, and the hall's waiting total, on one line."""

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from clerk_tui import formatting
from queue_server.protocol import ClerkDayPublic


class StatsStrip(Widget):
    my_day: reactive[ClerkDayPublic | None] = reactive(None)
    hall_waiting: reactive[int] = reactive(0)

    def render(self) -> Text:
        day = self.my_day
        text = Text()
        if day is None:
            text.append("今日：—")
        else:
            average = formatting.duration(day.average_service_seconds)
            text.append(f"今日已办 {day.served}")
            text.append(f" · 平均办理 {average}")
            text.append(f" · 过号 {day.no_shows}")
        text.append(f" · 大厅等候 {self.hall_waiting} 人")
        return text
