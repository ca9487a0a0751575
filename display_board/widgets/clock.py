"""The clock in the board's corner, in the hall's time zone, read from the board's clock."""

from zoneinfo import ZoneInfo

from textual.widgets import Static

from queue_server.domain.clock import Clock

WEEKDAYS = "一二三四五六日"


class ClockFace(Static):
    def __init__(self, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.timezone = ZoneInfo("Asia/Shanghai")

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        now = self.clock.now().astimezone(self.timezone)
        self.update(f"{now:%Y-%m-%d} 星期{WEEKDAYS[now.weekday()]} {now:%H:%M:%S}")
