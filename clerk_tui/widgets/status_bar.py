"""The top line: hall, window, clerk, connection and clock; and the offline banner."""

from datetime import UTC, datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from clerk_tui import formatting
from queue_server.protocol import WindowPublic, WindowStatus

HELPS_MIN_CELLS = 12
"""Narrower than this, the cut-short 协办 list would name no category: it is left out."""


class StatusBar(Widget):
    hall_name: reactive[str] = reactive("")
    window: reactive[WindowPublic | None] = reactive(None)
    helps_with: reactive[tuple[str, ...]] = reactive(())
    """The names of the categories the window also serves (跨窗通办)."""
    tidal: reactive[str] = reactive("")
    """The 潮汐 switch in force at the window, said in a few words; empty without one."""
    online: reactive[bool] = reactive(False)
    timezone: reactive[str] = reactive("Asia/Shanghai")
    now: reactive[datetime] = reactive(datetime(2000, 1, 1, tzinfo=UTC))

    def render(self) -> Text:
        """One line: the 协办 list gives way (cut short with …) before a 潮汐 switch, the
        clerk, a pause, the connection and the clock do."""
        head, helps, tail = Text(), Text(), Text()
        window = self.window
        if window is not None:
            head.append(f"{window.number}号窗口 {window.name}", style="bold")
            if self.helps_with:
                helps.append(f" · 协办：{'、'.join(self.helps_with)}")
            if self.tidal:
                tail.append(f" · {self.tidal}", style="bold cyan")
            if window.clerk is not None:
                tail.append(f" · {window.clerk.display_name}")
            if window.status == WindowStatus.PAUSED:
                tail.append(f" · 暂停服务（{window.pause_reason or '—'}）", style="bold yellow")
        if self.hall_name:
            tail.append(f" · {self.hall_name}")
        tail.append("  ")
        tail.append("● 在线" if self.online else "● 离线", style="green" if self.online else "red")
        tail.append(f"  {formatting.clock(self.now, self.timezone)}")
        room = self.content_size.width - head.cell_len - tail.cell_len
        if helps.cell_len > room:
            helps.truncate(room, overflow="ellipsis")
            if room < HELPS_MIN_CELLS:
                helps = Text()
        return Text.assemble(head, helps, tail)


class OfflineBanner(Widget):
    """Visible only while offline; says what is happening and that keys are off."""

    online: reactive[bool] = reactive(True)
    note: reactive[str | None] = reactive(None, layout=True)

    def watch_online(self, online: bool) -> None:
        self.set_class(not online, "-visible")

    def render(self) -> Text:
        detail = f"（{self.note}）" if self.note else ""
        return Text(f"⚠ 与服务器的连接已断开，正在重连{detail}。操作暂不可用。")
