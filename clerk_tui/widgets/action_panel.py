"""Every action key, whether it applies now, and if not, why not."""

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from clerk_tui.keys import ConsoleAction


class ActionPanel(Widget):
    """Set `rows`: (action, key shown, label, reason it is blocked or None).

    The reason wraps under itself rather than being cut: the clerk needs all of it."""

    rows: reactive[tuple[tuple[ConsoleAction, str, str, str | None], ...]] = reactive(
        (), layout=True
    )

    def render(self) -> Table:
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1, overflow="fold")
        for _, key, label, reason in self.rows:
            style = "bold" if reason is None else "dim"
            table.add_row(
                Text(key, style=style),
                Text(label, style=style if reason is None else "dim strike"),
                Text(reason or "", style="italic dim"),
            )
        return table
