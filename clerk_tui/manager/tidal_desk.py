"""The network side of 潮汐 on the live page: an App base whose workers apply the suggestion
shown and end a switch by hand (the switch's event then reads the live page again)."""

from zoneinfo import ZoneInfo

from textual import work
from textual.app import App

from clerk_tui.manager.messages import TidalApplyWanted, TidalEndWanted
from queue_server.client import QueueClient, QueueError


class TidalDesk(App[None]):
    """A subclass sets `client` and tells the hall's time zone (`tidal_timezone`) and how to
    tell the manager (`tidal_say`)."""

    client: QueueClient

    def tidal_timezone(self) -> str:
        return "Asia/Shanghai"

    def tidal_say(self, text: str, *, error: bool = False) -> None:
        self.notify(text, severity="error" if error else "information")

    def on_tidal_apply_wanted(self, message: TidalApplyWanted) -> None:
        suggestion = message.suggestion
        self.start_tidal(suggestion.window, suggestion.category, suggestion.minutes)

    def on_tidal_end_wanted(self, message: TidalEndWanted) -> None:
        self.end_tidal(message.window)

    @work(exclusive=True, group="tidal", exit_on_error=False)
    async def start_tidal(self, window: int, category: str, minutes: int) -> None:
        try:
            switch = await self.client.start_tidal(window, category, minutes)
        except QueueError as error:
            self.tidal_say(f"潮汐转办失败：{error.detail}", error=True)
            return
        until = switch.until.astimezone(ZoneInfo(self.tidal_timezone()))
        name = switch.category_name
        self.tidal_say(f"已将{switch.window}号窗口转办 {name} {minutes} 分钟（至 {until:%H:%M}）")

    @work(exclusive=True, group="tidal", exit_on_error=False)
    async def end_tidal(self, window: int) -> None:
        try:
            switch = await self.client.end_tidal(window)
        except QueueError as error:
            self.tidal_say(f"结束潮汐转办失败：{error.detail}", error=True)
            return
        self.tidal_say(f"已结束{switch.window}号窗口的潮汐转办（{switch.category_name}）")
