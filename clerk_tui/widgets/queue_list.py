"""This window's queue: waiting per category it serves (and helps with), the next numbers, the
oldest wait."""

from datetime import UTC, datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from clerk_tui import formatting
from clerk_tui.state import CategoryQueue, QueueEntry


class QueueList(Widget):
    queues: reactive[tuple[CategoryQueue, ...]] = reactive((), layout=True)
    next_numbers: reactive[tuple[QueueEntry, ...]] = reactive((), layout=True)
    transferred_here: reactive[int] = reactive(0, layout=True)
    now: reactive[datetime] = reactive(datetime(2000, 1, 1, tzinfo=UTC))

    def render(self) -> Text:
        text = Text()
        for queue in self.queues:
            wait = formatting.since(queue.oldest_issued_at, self.now)
            oldest = f"（最久 {wait}）" if queue.oldest_issued_at else ""
            text.append(f"{queue.name}{'（协办）' if queue.helped else ''}：", style="bold")
            text.append(f"{queue.waiting} 人等候{oldest}\n")
        if self.transferred_here:
            text.append(f"转给本窗口：{self.transferred_here} 人\n", style="bold")
        if not self.next_numbers:
            text.append("暂无等候的号码", style="dim")
            return text
        text.append("排队顺序：")
        for index, entry in enumerate(self.next_numbers):
            if index:
                text.append("  ")
            text.append(entry.number, style="bold")
            if entry.to_this_window:
                text.append("(转)", style="cyan")
            if entry.priority:
                text.append("★", style="yellow")
        text.append("\n★ 优先  (转) 转给本窗口", style="dim")
        return text
