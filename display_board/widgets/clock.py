"""The clock in the board's corner, in the hall's time zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from textual.widgets import Static

WEEKDAYS = "一二三四五六日"


class Clock(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timezone = ZoneInfo("Asia/Shanghai")

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        now = datetime.now(UTC).astimezone(self.timezone)
        self.update(f"{now:%Y-%m-%d} 星期{WEEKDAYS[now.weekday()]} {now:%H:%M:%S}")
